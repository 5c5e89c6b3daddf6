"""The deliverability report: one self-contained HTML file to share.

KPIs at the top (each rate next to its base), the plots of
:mod:`mfanalytics.analysis.plots` embedded as base64 PNG images, the failure
reasons with what to do about each, the per-campaign table, the status codes
(codes that share a label grouped, the codes shown), the countries and the
replies. The page is a list of sections (:class:`~mfanalytics.analysis.html_parts.Section`)
built by the functions below; :mod:`mfanalytics.analysis.html_parts` lays
them out for a phone as well as a desktop. No external asset (no script,
font, stylesheet or image fetched from anywhere; a Content Security Policy
forbids it too), readable offline, printable (print CSS, A4). Every value
that comes from the data (campaign names, list columns, replies) is
HTML-escaped.

Examples
--------
>>> from mfanalytics.analysis.html_report import deliverability_report
>>> import tempfile, pathlib
>>> path = deliverability_report(report, pathlib.Path(tempfile.mkdtemp()) / "report.html", lang="en")
>>> path.stat().st_size > 20_000
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mfanalytics.analysis import kpis as analysis
from mfanalytics.analysis import plots, trends
from mfanalytics.analysis.advice import GROUP_LABELS
from mfanalytics.analysis.facts import ReportFacts, facts_of, require
from mfanalytics.analysis.html_parts import FIGSIZE, Column, Section, duration, e, figure, page, table
from mfanalytics.analysis.html_window import window_section
from mfanalytics.analysis.html_words import REPORT_WORDS
from mfanalytics.analysis.plot_style import GROUP_COLORS, country_label, fmt_date, fmt_int, fmt_pct
from mfanalytics.analysis.report_sections import statistics_sections
from mfanalytics.errors import ValidationError

__all__ = ["deliverability_report"]

_T = REPORT_WORDS


# ------------------------------------------------------------------ helpers
def _base(t: dict[str, str], key: str, n: Any, lang: str) -> str:
    """The base of a rate, in words: "des 4 955 envoyés" / "of 4,955 sent"."""
    return t[key].format(fmt_int(n, lang))


def _rate(value: Any, name: str, num: Any, den: Any, base: str, lang: str) -> str:
    """A rate and the base it is a share of, next to each other; both marked for readers and tests."""
    return (
        f'<span class="rate" data-rate="{e(name)}" data-num="{int(num)}" data-den="{int(den)}">'
        f'{e(fmt_pct(value, lang))}</span> <span class="base">{e(base)}</span>'
    )


def _codes_text(codes: pd.Series) -> str:
    return ", ".join("–" if pd.isna(c) else str(int(c)) for c in codes)


def _grouped_codes(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows that share ``keys`` (a label, a group, an advice) as one row: the codes listed, counts added."""
    if table.empty:
        return table.assign(codes=pd.Series(dtype="object"))
    grouped = table.groupby(keys, sort=False, observed=True, dropna=False)
    out = grouped.agg(count=("count", "sum"), codes=("status_code", _codes_text)).reset_index()
    return out.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)


def _inputs(report_or_reports: Any) -> tuple[ReportFacts, str | None, list[str] | None]:
    """(the facts of one frame, the campaign key column, the order of named campaigns)."""
    if isinstance(report_or_reports, (pd.DataFrame, ReportFacts)):
        facts = facts_of(report_or_reports)
        key = "campaign_id" if "campaign_id" in facts.columns else None
        return facts, key, None
    frame, key = analysis.combine_reports(report_or_reports)
    order = [str(k) for k in report_or_reports] if key == "campaign" else None
    return facts_of(frame), key, order


@dataclass
class _Report:
    """What every section reads: the facts, the options, the words, the pooled KPIs."""

    facts: ReportFacts
    key: str | None
    order: list[str] | None
    n_campaigns: int
    lang: str
    t: dict[str, str]
    opts: dict[str, Any]
    total: pd.Series


# ----------------------------------------------------------------- sections
def _kpis(r: _Report) -> Section:
    total, t, lang = r.total, r.t, r.lang
    rate = total["delivery_rate"]
    rate_cls = "" if pd.isna(rate) else "good" if rate >= 0.9 else "warn" if rate < 0.8 else ""
    sent_share = total["sent"] / total["recipients"] if total["recipients"] else float("nan")
    items = [
        ("recipients", e(fmt_int(total["recipients"], lang)), "", ""),
        (
            "sent",
            e(fmt_int(total["sent"], lang)),
            _rate(
                sent_share,
                "sent_share",
                total["sent"],
                total["recipients"],
                _base(t, "of_recipients", total["recipients"], lang),
                lang,
            ),
            "",
        ),
        ("delivered", e(fmt_int(total["delivered"], lang)), "", ""),
        (
            "delivery_rate",
            e(fmt_pct(rate, lang)),
            e(_base(t, "of_sent", total["sent"], lang)),
            rate_cls,
        ),
        ("clicked", e(fmt_int(total["clicked"], lang)), "", ""),
        (
            "click_rate",
            e(fmt_pct(total["click_rate"], lang)),
            e(_base(t, "of_delivered_link", total["delivered_with_link"], lang)),
            "",
        ),
        (
            "stops",
            e(fmt_int(total["stops"], lang)),
            _rate(
                total["stop_rate"],
                "stop_rate",
                total["stops"],
                total["delivered"],
                _base(t, "of_delivered", total["delivered"], lang),
                lang,
            ),
            "",
        ),
        ("credits", e(fmt_int(total["credits"], lang)), "", ""),
        ("deliver_time", e(duration(total["deliver_time_median"], lang)), "", ""),
    ]
    dens = {"delivery_rate": ("delivered", "sent"), "click_rate": ("clicked", "delivered_with_link")}
    cards = []
    for key, value, base, cls in items:
        marks = ""
        if key in dens:
            num, den = dens[key]
            marks = f' data-rate="{key}" data-num="{int(total[num])}" data-den="{int(total[den])}"'
        base_html = f'<div class="kpi-base">{base}</div>' if base else ""
        cards.append(
            f'<div class="kpi {cls}"><div class="kpi-value" data-kpi="{key}"{marks}>{value}</div>'
            f'<div class="kpi-label">{e(t[key])}</div>{base_html}</div>'
        )
    body = f'<div class="kpis">{"".join(cards)}</div><p class="note">{e(t["definitions"])}</p>'
    return Section("kpis", None, body)


def _figures(r: _Report, extra: list[str]) -> Section:
    facts, t, lang, key, n = r.facts, r.t, r.lang, r.key, r.n_campaigns
    figs = [
        figure(plots.plot_funnel, facts, lang, t["recipients"]),
        figure(plots.plot_status_breakdown, facts, lang, t["recipients"]),
        figure(
            plots.plot_deliveries_over_time,
            facts,
            lang,
            t["delivered"],
            relative=n > 1,
            normalize=n > 1,
            by=key,
            send_times=r.opts["send_times"],
        ),
        figure(plots.plot_click_timeline, facts, lang, t["clicked"]),
    ]
    if int((plots.hour_grid(facts, "clicks") > 0).sum()) > 1:  # one filled cell is no heatmap: left out
        figs.append(figure(plots.plot_click_heatmap, facts, lang, t["clicked"], send_times=r.opts["send_times"]))
    return Section("plots", t["plots"], f'<div class="figures">{"".join(figs + extra)}</div>')


def _campaigns(r: _Report, figs: list[str]) -> Section | None:
    """The per-campaign table; its figures (comparison, daily rates) go to ``figs``."""
    facts, t, lang, key = r.facts, r.t, r.lang, r.key
    if not key or r.n_campaigns <= 1:
        return None
    cmp = analysis.campaign_table(facts, key, r.order, **r.opts)
    height = max(FIGSIZE[1], 1.6 + 0.32 * len(cmp))
    figs.append(figure(plots.plot_campaign_comparison, cmp, lang, t["campaign"], size=(FIGSIZE[0], height)))
    flagged = None
    if key == "campaign_id":
        flags = trends.flag_campaigns(facts, **r.opts)
        cmp["flagged"] = flags["flagged"].reindex(cmp.index).fillna(False).astype(bool)
        flagged = cmp["flagged"].map({True: "flagged", False: ""})
        daily = trends.daily_from_flags(flags)
        if len(daily) > 1:
            figs.append(figure(plots.plot_daily_rates, daily, lang, t["delivery_rate"]))
    return Section("campaigns", t["per_campaign"], _summary_table(cmp, t, lang, t["campaign"], flagged))


def _failures(r: _Report) -> Section:
    t, lang = r.t, r.lang
    fail = analysis.failure_reasons(r.facts)
    if not len(fail):
        return Section("failures", t["failures"], f"<p>{e(t['no_failure'])}</p>")
    keys = ["status_group", f"label_{lang}", f"action_{lang}", f"advice_{lang}"]
    rows = _grouped_codes(fail, keys)
    total = rows["count"].sum()
    rows["share"] = rows["count"] / total
    body = table(
        rows,
        [
            (f"label_{lang}", t["status"], e, False),
            ("codes", t["codes_col"], lambda v: f'<span class="codes">{e(v)}</span>', False),
            ("count", t["count"], lambda v: e(fmt_int(v, lang)), True),
            ("share", t["share"], lambda v: e(fmt_pct(v, lang)), True),
            (f"action_{lang}", t["action"], e, False),
            (f"advice_{lang}", t["advice"], e, False),
        ],
    )
    return Section("failures", t["failures"], body)


def _status_codes(r: _Report) -> Section:
    t, lang = r.t, r.lang
    rows = _grouped_codes(analysis.status_breakdown(r.facts, level="code"), ["status_group", f"label_{lang}"])
    order = {g: i for i, g in enumerate(GROUP_LABELS)}
    rows = rows.iloc[
        sorted(
            range(len(rows)), key=lambda i: (order.get(str(rows["status_group"].iloc[i]), 99), -rows["count"].iloc[i])
        )
    ]

    def swatch(g: Any) -> str:
        colour = GROUP_COLORS.get(str(g), "#000")
        return f'<span class="swatch" style="background:{colour}"></span>{e(GROUP_LABELS.get(str(g), {}).get(lang, g))}'

    body = table(
        rows,
        [
            (f"label_{lang}", t["status"], e, False),
            ("codes", t["codes_col"], lambda v: f'<span class="codes">{e(v)}</span>', False),
            ("status_group", t["group"], swatch, False),
            ("count", t["count"], lambda v: e(fmt_int(v, lang)), True),
        ],
    )
    return Section("codes", t["codes"], body)


def _countries(r: _Report) -> Section | None:
    if "mobile" not in r.facts.columns or not len(r.facts):
        return None
    table_ = analysis.by_country(r.facts, **r.opts)
    body = _summary_table(table_, r.t, r.lang, r.t["country"], key_fmt=lambda c: e(country_label(c, r.lang)))
    return Section("countries", r.t["countries"], body)


def _by_column(r: _Report, group_by: str | None) -> Section | None:
    if group_by is None or not len(r.facts):
        return None
    table_ = _by_size(analysis.summarize(r.facts, by=group_by, **r.opts))
    return Section("by-column", r.t["by"].format(group_by), _summary_table(table_, r.t, r.lang, str(group_by)))


def _replies(r: _Report, limit: int) -> Section:
    frame, t, lang = r.facts.frame, r.t, r.lang
    none = Section("replies", t["replies"], f"<p>{e(t['no_reply'])}</p>")
    if "reply" not in frame.columns:
        return none
    replies = frame["reply"].astype("string").str.strip()
    counts = replies[replies.fillna("") != ""].value_counts().head(limit)
    if counts.empty:
        return none
    rows = counts.rename("count").to_frame()
    body = table(rows, [("count", t["count"], lambda v: e(fmt_int(v, lang)), True)], index=(t["reply"], e))
    return Section("replies", t["replies"], body)


def _by_size(table_: pd.DataFrame) -> pd.DataFrame:
    """Largest groups first, ties in the order of their values as text."""
    order = pd.DataFrame({"n": table_["recipients"].to_numpy(), "k": [str(k) for k in table_.index]})
    return table_.iloc[order.sort_values(["n", "k"], ascending=[False, True], kind="stable").index.to_numpy()]


_RATE_PARTS = {
    "delivery_rate": ("delivered", "sent"),
    "click_rate": ("clicked", "delivered_with_link"),
    "stop_rate": ("stops", "delivered"),
}


def _summary_table(
    table_: pd.DataFrame,
    t: dict[str, str],
    lang: str,
    index_header: str,
    row_class: pd.Series | None = None,
    key_fmt: Callable[[Any], str] = e,
) -> str:
    """KPIs per group; each rate's column names its base, each rate cell carries its parts."""
    n = lambda v: e(fmt_int(v, lang))  # noqa: E731
    p = lambda v: e(fmt_pct(v, lang))  # noqa: E731
    cols: list[Column] = [
        ("recipients", t["recipients"], n, True),
        ("sent", t["sent"], n, True),
        ("delivered", t["delivered"], n, True),
        ("delivery_rate", t["delivery_rate_col"], p, True),
        ("pending", t["pending"], n, True),
        ("clicked", t["clicked"], n, True),
        ("click_rate", t["click_rate_col"], p, True),
        ("stop_rate", t["stop_rate_col"], p, True),
        ("deliver_time_median", t["deliver_time"], lambda v: e(duration(v, lang)), True),
        ("credits", t["credits"], n, True),
    ]
    if "flagged" in table_.columns:
        cols.append(("flagged", t["flagged"], lambda v: e(t["yes"]) if v else "", False))

    def marks(col: str, row: pd.Series) -> str:
        if col not in _RATE_PARTS:
            return ""
        num, den = _RATE_PARTS[col]
        return f' data-rate="{col}" data-num="{int(row[num])}" data-den="{int(row[den])}"'

    return table(table_, cols, index=(index_header, key_fmt), row_class=row_class, cell_attrs=marks)


# ------------------------------------------------------------------ the report
def deliverability_report(
    report_or_reports: Any,
    path: str | Path | None = None,
    *,
    title: str | None = None,
    lang: str = "fr",
    group_by: str | None = None,
    send_times: Any = None,
    segments: int | pd.Series | None = None,
    max_replies: int = 20,
    campaign_types: Mapping[int, str] | None = None,
    message: Any = None,
    price_per_sms: float | None = None,
) -> Path | str:
    """Write a self-contained, printable HTML deliverability report.

    Every rate on the page is one of four kinds, each with one base, written
    next to it: sent of recipients, delivered of sent (the delivery rate),
    clickers of delivered messages with a link (the click rate), STOP of
    delivered; all are those of :func:`mfanalytics.analysis.summarize`.

    Parameters
    ----------
    report_or_reports : DataFrame, list of DataFrame or dict of name -> DataFrame
        A report frame (one or several campaigns, e.g. a period report), a
        list of them, or named ones (the names label the campaigns).
    path : str or Path, optional
        Where to write the file (UTF-8). When None, the HTML text is returned.
    title : str, optional
        Defaults to "Rapport de délivrabilité" / "Deliverability report".
    lang : {"fr", "en"}
        Language of every title, label, date and advice.
    group_by : str, optional
        A column of the list (e.g. ``"AGENCE"``) to add a KPI table by its values.
    send_times, segments
        As in :func:`mfanalytics.analysis.summarize`.
    max_replies : int
        How many distinct replies to list (most frequent first).
    campaign_types : mapping of campaign id to "MKG" or "NOTIFICATION", optional
        For the "sending rules" section, which counts the recipients of
        marketing campaigns who received them outside Monday to Saturday,
        08:00-20:00 (public holidays excluded) in their own time; campaigns
        not named are marketing, the API's default.
    message, price_per_sms
        The message sent and the price of a credit, for the cost section
        (:func:`mfanalytics.cost_breakdown`).

    Returns
    -------
    pathlib.Path or str
        The path written, or the HTML when ``path`` is None.

    Examples
    --------
    >>> html_text = deliverability_report(report, lang="en")
    >>> html_text.startswith("<!DOCTYPE html>")
    True
    >>> both = deliverability_report({"Soldes": r1, "Rentrée": r2})
    """
    if lang not in _T:
        raise ValidationError(f"lang must be 'fr' or 'en', not {lang!r}", rule="lang", field="lang")
    t = _T[lang]
    # the per-row facts are built once here and read by every table and plot below
    facts, key, order = _inputs(report_or_reports)
    frame = facts.frame
    if group_by is not None:
        require(frame, [group_by])
    opts = {"send_times": send_times, "segments": segments}
    pooled = analysis.summarize(facts, by=None, **opts)
    total: pd.Series = (
        pooled.iloc[0]
        if len(pooled)
        else pd.Series({c: (float("nan") if "rate" in c or "time" in c else 0) for c in analysis.SUMMARY_COLUMNS})
    )
    n_campaigns = int(frame[key].nunique()) if key else 1
    if title is None:
        title = t["campaign_title"].format(frame[key].dropna().iloc[0]) if key and n_campaigns == 1 else t["title"]
    r = _Report(facts, key, order, n_campaigns, lang, t, opts, total)

    at = facts.times("delivered_at").dropna()
    sub = [t["campaigns"].format(fmt_int(n_campaigns, lang))]
    if len(at):
        first, last = fmt_date(at.min(), lang), fmt_date(at.max(), lang)
        sub.append(t["period"].format(first, last) if first != last else t["day"].format(first))

    campaign_figs: list[str] = []
    campaigns = _campaigns(r, campaign_figs)
    # the page, top to bottom: add a section with one line here
    sections: list[Section | None] = [
        _kpis(r),
        _figures(r, campaign_figs),
        _failures(r),
        window_section(facts, lang, campaign_types=campaign_types),
        campaigns,
        _status_codes(r),
        _countries(r),
        _by_column(r, group_by),
        _replies(r, max_replies),
    ]
    # health score, rates with intervals, latency curves, cost (mfanalytics.analysis.report_sections)
    stats = statistics_sections(
        facts, lang=lang, key=key, message=message, price_per_sms=price_per_sms, order=order, **opts
    )
    sections[1:1] = stats
    doc = page(title, " · ".join(sub), [s for s in sections if s is not None], lang=lang, footer=t["footer"])
    if path is None:
        return doc
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(doc, encoding="utf-8")
    return out
