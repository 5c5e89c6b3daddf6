"""The deliverability report: one self-contained HTML file to share.

KPIs at the top, the plots of :mod:`mfanalytics.plots` embedded as base64 PNG
images, the per-campaign table, the failure reasons with what to do about
each, the status codes, the countries and the replies. No external asset (no
script, font, stylesheet or image fetched from anywhere; a Content Security
Policy forbids it too), readable offline, printable (print CSS, A4). Every
value that comes from the data (campaign names, list columns, replies) is
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

import base64
import html
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from mfanalytics.analysis import kpis as analysis
from mfanalytics.analysis import plots, trends
from mfanalytics.analysis.advice import GROUP_LABELS
from mfanalytics.analysis.facts import ReportFacts, facts_of, require
from mfanalytics.analysis.plots import GROUP_COLORS, fmt_int, fmt_pct
from mfanalytics.analysis.report_sections import statistics_sections
from mfanalytics.errors import ValidationError

__all__ = ["deliverability_report"]

_T: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Rapport de délivrabilité",
        "campaign_title": "Rapport de délivrabilité – campagne {}",
        "campaigns": "{} campagne(s)",
        "period": "du {} au {}",
        "recipients": "Destinataires",
        "sent": "Envoyés",
        "delivered": "Délivrés",
        "delivery_rate": "Taux de délivrabilité (des envoyés)",
        "clicked": "Cliqueurs",
        "click_rate": "Taux de clic (des délivrés avec lien)",
        "stops": "STOP",
        "stop_rate": "Taux de STOP (des délivrés)",
        "credits": "Crédits",
        "deliver_time": "Délai médian de livraison",
        "pending": "En attente",
        "failed": "Échecs",
        "plots": "Graphiques",
        "per_campaign": "Par campagne",
        "campaign": "Campagne",
        "flagged": "Sous le taux habituel",
        "failures": "Causes de non-délivrance et actions",
        "code": "Code",
        "status": "Statut",
        "count": "Nombre",
        "share": "Part des échecs",
        "share_all": "Part des destinataires",
        "action": "Action",
        "advice": "Conseil",
        "no_failure": "Aucun échec.",
        "codes": "Statuts détaillés",
        "group": "Groupe",
        "countries": "Par pays",
        "country": "Pays",
        "by": "Par {}",
        "replies": "Réponses reçues",
        "reply": "Réponse",
        "no_reply": "Aucune réponse.",
        "yes": "oui",
        "definitions": (
            "Envoyés : lignes parties de la plateforme (hors non envoyés, blacklist et numéros mal "
            "formatés). Taux de délivrabilité = délivrés / envoyés ; taux de clic = cliqueurs / "
            "délivrés des campagnes avec un lien (une campagne sans lien n'a pas de taux de clic) ; taux de STOP = STOP / délivrés. Délais mesurés depuis l'envoi de la "
            "campagne, sinon depuis sa première livraison. Crédits : segments des lignes envoyées "
            "(1 par ligne sauf indication)."
        ),
        "footer": "Généré par mfanalytics à partir des rapports Mediasflow.",
    },
    "en": {
        "title": "Deliverability report",
        "campaign_title": "Deliverability report – campaign {}",
        "campaigns": "{} campaign(s)",
        "period": "from {} to {}",
        "recipients": "Recipients",
        "sent": "Sent",
        "delivered": "Delivered",
        "delivery_rate": "Delivery rate (of sent)",
        "clicked": "Clickers",
        "click_rate": "Click rate (of delivered with a link)",
        "stops": "STOP",
        "stop_rate": "STOP rate (of delivered)",
        "credits": "Credits",
        "deliver_time": "Median time to deliver",
        "pending": "Pending",
        "failed": "Failures",
        "plots": "Plots",
        "per_campaign": "Per campaign",
        "campaign": "Campaign",
        "flagged": "Below the usual rate",
        "failures": "Why messages were not delivered, and what to do",
        "code": "Code",
        "status": "Status",
        "count": "Count",
        "share": "Share of failures",
        "share_all": "Share of recipients",
        "action": "Action",
        "advice": "Advice",
        "no_failure": "No failure.",
        "codes": "Status codes",
        "group": "Group",
        "countries": "By country",
        "country": "Country",
        "by": "By {}",
        "replies": "Replies received",
        "reply": "Reply",
        "no_reply": "No reply.",
        "yes": "yes",
        "definitions": (
            "Sent: rows that left the platform (not the not-sent, blacklisted or badly formatted "
            "ones). Delivery rate = delivered / sent; click rate = clickers / delivered messages "
            "with a link (a campaign without a link has no click rate); STOP "
            "rate = STOP / delivered. Delays from the campaign's send time, else from its first "
            "delivery. Credits: segments of the sent rows (1 per row unless given)."
        ),
        "footer": "Generated by mfanalytics from Mediasflow reports.",
    },
}

_CSS = """
:root {{ --ok: {ok}; --bad: {bad}; --ink: #212121; --muted: #616161; --line: #e0e0e0; }}
* {{ box-sizing: border-box; }}
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1180px; padding: 24px; line-height: 1.4; background: #fff; }}
h1 {{ font-size: 1.6rem; margin: 0 0 4px; }} h2 {{ font-size: 1.2rem; margin: 28px 0 10px;
     border-bottom: 2px solid var(--line); padding-bottom: 4px; }}
.subtitle, .note, footer {{ color: var(--muted); font-size: .9rem; }}
.kpis {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 10px; margin: 18px 0; }}
.kpi {{ border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #fafafa; }}
.kpi-value {{ font-size: 1.5rem; font-weight: 700; font-variant-numeric: tabular-nums; }}
.kpi-label {{ color: var(--muted); font-size: .85rem; }}
.kpi.good .kpi-value {{ color: var(--ok); }} .kpi.warn .kpi-value {{ color: var(--bad); }}
.figures {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 14px; }}
figure {{ margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 6px; }}
figure img {{ width: 100%; height: auto; display: block; }}
table {{ border-collapse: collapse; width: 100%; font-size: .88rem; margin: 6px 0 12px; }}
th, td {{ border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f5f5f5; }} th.num, td.num {{ text-align: right; }}
td.num {{ font-variant-numeric: tabular-nums; white-space: nowrap; }}
tr.flagged td {{ background: #fdecea; }}
.swatch {{ display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: 4px; vertical-align: baseline; }}
@media print {{
  @page {{ size: A4; margin: 12mm; }}
  body {{ max-width: none; padding: 0; font-size: 10pt; }}
  .figures {{ display: block; }}
  figure {{ break-inside: avoid; page-break-inside: avoid; margin-bottom: 8px; border: none; }}
  figure img {{ max-width: 17cm; margin: 0 auto; }}
  table, .kpis, tr {{ break-inside: avoid; page-break-inside: avoid; }}
  h2 {{ break-after: avoid; page-break-after: avoid; }}
  .kpi {{ background: none; }}
}}
""".format(ok=GROUP_COLORS["delivered"], bad=GROUP_COLORS["undelivered"])


def _e(value: Any) -> str:
    """Escape one value for HTML text or attributes."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return "–"
    return html.escape(str(value), quote=True)


def _duration(value: Any, lang: str) -> str:
    if pd.isna(value):
        return "–"
    secs = int(round(pd.Timedelta(value).total_seconds()))
    sign, secs = ("-" if secs < 0 else ""), abs(secs)
    d, rem = divmod(secs, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    day = "j" if lang == "fr" else "d"
    if d:
        return f"{sign}{d} {day} {h} h"
    if h:
        return f"{sign}{h} h {m:02d} min"
    if m:
        return f"{sign}{m} min {s:02d} s"
    return f"{sign}{s} s"


def _png(draw: Callable[..., Any], data: Any, lang: str, size: tuple[float, float] = (7.0, 4.0), **kwargs: Any) -> str:
    """Draw one plot on a fresh Figure (no pyplot, no global backend), as base64 PNG."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=100)
    ax = fig.add_subplot()
    draw(data, ax=ax, lang=lang, **kwargs)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode("ascii")


Column = tuple[str, str, Callable[[Any], str], bool]  # column, header, formatter, numeric


def _table(
    frame: pd.DataFrame,
    columns: list[Column],
    *,
    index: tuple[str, Callable[[Any], str]] | None = None,
    row_class: pd.Series | None = None,
) -> str:
    head = "".join(
        f'<th class="num">{_e(h)}</th>' if numeric else f"<th>{_e(h)}</th>"
        for _, h, _, numeric in ([("", index[0], str, False)] if index else []) + columns
    )
    rows = []
    for i, (key, row) in enumerate(frame.iterrows()):  # a few dozen summary rows, never per recipient
        cells = [f"<td>{index[1](key)}</td>"] if index else []
        for col, _, fmt, numeric in columns:
            cells.append(f'<td class="num">{fmt(row[col])}</td>' if numeric else f"<td>{fmt(row[col])}</td>")
        cls = f' class="{row_class.iloc[i]}"' if row_class is not None and row_class.iloc[i] else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _kpis(total: pd.Series, t: dict[str, str], lang: str) -> str:
    rate_cls = "good" if total["delivery_rate"] >= 0.9 else "warn" if total["delivery_rate"] < 0.8 else ""
    items = [
        ("recipients", fmt_int(total["recipients"], lang), ""),
        ("sent", fmt_int(total["sent"], lang), ""),
        ("delivered", fmt_int(total["delivered"], lang), ""),
        ("delivery_rate", fmt_pct(total["delivery_rate"], lang), rate_cls),
        ("clicked", fmt_int(total["clicked"], lang), ""),
        ("click_rate", fmt_pct(total["click_rate"], lang), ""),
        ("stops", fmt_int(total["stops"], lang), ""),
        ("credits", fmt_int(total["credits"], lang), ""),
        ("deliver_time", _duration(total["deliver_time_median"], lang), ""),
    ]
    cards = "".join(
        f'<div class="kpi {cls}"><div class="kpi-value" data-kpi="{key}">{_e(value)}</div>'
        f'<div class="kpi-label">{_e(t[key])}</div></div>'
        for key, value, cls in items
    )
    return f'<section class="kpis">{cards}</section>'


def _inputs(report_or_reports: Any) -> tuple[ReportFacts, str | None, list[str] | None]:
    """(the facts of one frame, the campaign key column, the order of named campaigns)."""
    if isinstance(report_or_reports, (pd.DataFrame, ReportFacts)):
        facts = facts_of(report_or_reports)
        key = "campaign_id" if "campaign_id" in facts.columns else None
        return facts, key, None
    frame, key = analysis.combine_reports(report_or_reports)
    order = [str(k) for k in report_or_reports] if key == "campaign" else None
    return facts_of(frame), key, order


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
    message: Any = None,
    price_per_sms: float | None = None,
) -> Path | str:
    """Write a self-contained, printable HTML deliverability report.

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
        Language of every title, label and advice.
    group_by : str, optional
        A column of the list (e.g. ``"AGENCE"``) to add a KPI table by its values.
    send_times, segments
        As in :func:`mfanalytics.analysis.summarize`.
    max_replies : int
        How many distinct replies to list (most frequent first).
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
    total = analysis.summarize(facts, by=None, **opts)
    total = (
        total.iloc[0]
        if len(total)
        else pd.Series({c: (float("nan") if "rate" in c or "time" in c else 0) for c in analysis.SUMMARY_COLUMNS})
    )
    n_campaigns = int(frame[key].nunique()) if key else 1
    if title is None:
        title = t["campaign_title"].format(frame[key].dropna().iloc[0]) if key and n_campaigns == 1 else t["title"]

    at = facts.times("delivered_at").dropna()
    sub = [t["campaigns"].format(fmt_int(n_campaigns, lang))]
    if len(at):
        sub.append(t["period"].format(at.min().strftime("%d/%m/%Y"), at.max().strftime("%d/%m/%Y")))

    figures: list[tuple[str, str]] = [
        (t["recipients"], _png(plots.plot_status_breakdown, facts, lang)),
        (t["recipients"], _png(plots.plot_funnel, facts, lang)),
        (
            t["delivered"],
            _png(
                plots.plot_deliveries_over_time,
                facts,
                lang,
                relative=n_campaigns > 1,
                normalize=n_campaigns > 1,
                by=key,
                send_times=send_times,
            ),
        ),
        (t["clicked"], _png(plots.plot_click_timeline, facts, lang)),
        (t["clicked"], _png(plots.plot_click_heatmap, facts, lang, send_times=send_times)),
    ]
    sections = []
    if key and n_campaigns > 1:
        cmp = analysis.campaign_table(facts, key, order, **opts)
        figures.append((t["campaign"], _png(plots.plot_campaign_comparison, cmp, lang)))
        flagged = None
        if key == "campaign_id":
            flags = trends.flag_campaigns(facts, **opts)
            cmp["flagged"] = flags["flagged"].reindex(cmp.index).fillna(False).astype(bool)
            flagged = cmp["flagged"].map({True: "flagged", False: ""})
            daily = trends.daily_from_flags(flags)
            if len(daily) > 1:
                figures.append((t["delivery_rate"], _png(plots.plot_daily_rates, daily, lang)))
        sections.append(f"<h2>{_e(t['per_campaign'])}</h2>" + _summary_table(cmp, t, lang, t["campaign"], flagged))

    fail = analysis.failure_reasons(facts)
    fail_html = (
        _table(
            fail,
            [
                ("status_code", t["code"], _e, True),
                (f"label_{lang}", t["status"], _e, False),
                ("count", t["count"], lambda v: fmt_int(v, lang), True),
                ("share", t["share"], lambda v: fmt_pct(v, lang), True),
                (f"action_{lang}", t["action"], _e, False),
                (f"advice_{lang}", t["advice"], _e, False),
            ],
        )
        if len(fail)
        else f"<p>{_e(t['no_failure'])}</p>"
    )
    sections.insert(0, f"<h2>{_e(t['failures'])}</h2>{fail_html}")
    # health score, rates with intervals, latency curves, cost (mfanalytics.analysis.report_sections)
    sections[1:1] = statistics_sections(facts, lang=lang, key=key, message=message, price_per_sms=price_per_sms, **opts)

    codes = analysis.status_breakdown(facts, level="code")
    swatch = lambda g: (
        f'<span class="swatch" style="background:{GROUP_COLORS.get(str(g), "#000")}"></span>'
        f"{_e(GROUP_LABELS.get(str(g), {}).get(lang, g))}"
    )
    sections.append(
        f"<h2>{_e(t['codes'])}</h2>"
        + _table(
            codes,
            [
                ("status_code", t["code"], _e, True),
                (f"label_{lang}", t["status"], _e, False),
                ("status_group", t["group"], swatch, False),
                ("count", t["count"], lambda v: fmt_int(v, lang), True),
                ("share", t["share_all"], lambda v: fmt_pct(v, lang), True),
            ],
        )
    )
    if "mobile" in frame.columns and len(frame):
        sections.append(
            f"<h2>{_e(t['countries'])}</h2>" + _summary_table(analysis.by_country(facts, **opts), t, lang, t["country"])
        )
    if group_by is not None and len(frame):
        sections.append(
            f"<h2>{_e(t['by'].format(group_by))}</h2>"
            + _summary_table(_by_size(analysis.summarize(facts, by=group_by, **opts)), t, lang, str(group_by))
        )
    sections.append(_replies(frame, t, lang, max_replies))

    figs = "".join(f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{b64}"></figure>' for alt, b64 in figures)
    doc = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="mfanalytics">\n<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n'
        f'<header><h1>{_e(title)}</h1><div class="subtitle">{_e(" · ".join(sub))}</div></header>\n'
        f'{_kpis(total, t, lang)}\n<p class="note">{_e(t["definitions"])}</p>\n'
        f'<h2>{_e(t["plots"])}</h2>\n<section class="figures">{figs}</section>\n'
        + "\n".join(sections)
        + f"\n<footer><p>{_e(t['footer'])}</p></footer>\n</body>\n</html>\n"
    )
    if path is None:
        return doc
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(doc, encoding="utf-8")
    return out


def _by_size(table: pd.DataFrame) -> pd.DataFrame:
    """Largest groups first, ties in the order of their values as text."""
    order = pd.DataFrame({"n": table["recipients"].to_numpy(), "k": [str(k) for k in table.index]})
    return table.iloc[order.sort_values(["n", "k"], ascending=[False, True], kind="stable").index.to_numpy()]


def _summary_table(
    table: pd.DataFrame, t: dict[str, str], lang: str, index_header: str, row_class: pd.Series | None = None
) -> str:
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    p = lambda v: fmt_pct(v, lang)  # noqa: E731
    cols: list[Column] = [
        ("recipients", t["recipients"], n, True),
        ("sent", t["sent"], n, True),
        ("delivered", t["delivered"], n, True),
        ("delivery_rate", t["delivery_rate"], p, True),
        ("pending", t["pending"], n, True),
        ("clicked", t["clicked"], n, True),
        ("click_rate", t["click_rate"], p, True),
        ("stop_rate", t["stop_rate"], p, True),
        ("deliver_time_median", t["deliver_time"], lambda v: _e(_duration(v, lang)), True),
        ("credits", t["credits"], n, True),
    ]
    if "flagged" in table.columns:
        cols.append(("flagged", t["flagged"], lambda v: _e(t["yes"]) if v else "", False))
    return _table(table, cols, index=(index_header, _e), row_class=row_class)


def _replies(frame: pd.DataFrame, t: dict[str, str], lang: str, limit: int) -> str:
    head = f"<h2>{_e(t['replies'])}</h2>"
    if "reply" not in frame.columns:
        return head + f"<p>{_e(t['no_reply'])}</p>"
    replies = frame["reply"].astype("string").str.strip()
    counts = replies[replies.fillna("") != ""].value_counts().head(limit)
    if counts.empty:
        return head + f"<p>{_e(t['no_reply'])}</p>"
    table = counts.rename("count").to_frame()
    return head + _table(table, [("count", t["count"], lambda v: fmt_int(v, lang), True)], index=(t["reply"], _e))
