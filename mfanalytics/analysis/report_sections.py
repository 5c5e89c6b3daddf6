"""The statistics sections of the HTML report: health score, rates with intervals, latency, cost.

:func:`statistics_sections` returns :class:`~mfanalytics.analysis.html_parts.Section` s built
with the report's own blocks (:func:`~mfanalytics.analysis.html_parts.table`, one card per row
on a phone; :func:`~mfanalytics.analysis.html_parts.figure`, a PNG with alt text), in the
page's words: every rate column states its base as the rest of the page does ("Delivery rate
(of sent)"), every rate is marked with its numerator and base (``data-rate``, ``data-num``,
``data-den``) and is the one of :func:`mfanalytics.summarize`. A 95 % interval is written
after its rate in percent without the sign, as in "89.7% (88.1–91.2)". A section with
nothing to show (an empty report, nothing delivered) is left out. Every value from the data
is HTML-escaped.

Examples
--------
>>> from mfanalytics.analysis.report_sections import statistics_sections
>>> [s.title for s in statistics_sections(week, lang="en")]
['Health score', 'Rates with their 95 % intervals', 'Time to delivery', 'Cost']
>>> statistics_sections(week.iloc[:0], lang="en")
[]
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.analysis.comparisons import group_counts
from mfanalytics.analysis.cost import cost_breakdown
from mfanalytics.analysis.facts import ReportFacts, facts_of
from mfanalytics.analysis.health import SUBSCORES, HealthScore, health_score
from mfanalytics.analysis.html_parts import FIGSIZE, Column, Section, duration, e, figure, table
from mfanalytics.analysis.intervals import add_intervals
from mfanalytics.analysis.kpis import aggregate
from mfanalytics.analysis.latency import DeliveryLatency, delivery_latencies
from mfanalytics.analysis.plot_style import TEXT, fmt_int, fmt_pct, percent_axis
from mfanalytics.analysis.stat_plots import plot_delivery_latency, plot_rates

__all__ = ["statistics_sections"]

#: More curves than this on the latency figure: one pooled curve (the table keeps every group).
MAX_CURVES = 6

_T = {
    "fr": {
        "health": "Score de santé",
        "health_note": (
            "Score de 0 à 100, moyenne pondérée de six sous-scores publiés (délivrés, délai médian, numéros "
            "invalides, blacklist, STOP, rejets opérateur) ; la fourchette met chaque sous-score au bas puis au "
            "haut de son intervalle à 95 %."
        ),
        "score": "Score",
        "range": "Fourchette",
        "why": "Ce qui lui coûte des points",
        "moved": "Ce qui a changé depuis la ligne précédente",
        "moved_row": "{} points, surtout {} ({} points)",
        "best": "chaque sous-score au mieux",
        "sep": " ; ",
        "nothing_sent": "pas de score : rien n'a été envoyé",
        "lost": "{} points perdus sur {} ({})",
        "overall": "Score de l'ensemble : {}/100 ({}–{}).",
        "of": "{} sur {} {}",
        "bases": {"sent": "envoyés", "recipients": "destinataires", "delivered": "délivrés"},
        "subscores": {
            "delivered": "les délivrés",
            "latency": "le délai médian",
            "invalid": "les numéros invalides",
            "blocked": "les bloqués et blacklistés",
            "stop": "les STOP",
            "rejected": "les rejets opérateur",
        },
        "rates": "Taux et leurs intervalles à 95 %",
        "rates_note": (
            "Entre parenthèses, l'intervalle de Wilson à 95 %, en pourcentage : un taux sur 200 destinataires "
            "est bien moins sûr qu'un taux sur 20 000."
        ),
        "rates_alt": "Taux de délivrabilité de chaque groupe avec son intervalle à 95 %",
        "latency": "Délai de livraison",
        "latency_note": (
            "Courbes de Kaplan–Meier : les messages en cours ou non délivrés sont censurés à l'heure du rapport, "
            "pas ignorés ; une courbe plafonne à la part délivrée. Entre parenthèses, l'intervalle à 95 %."
        ),
        "latency_alt": "Part des envoyés délivrée selon le délai depuis l'envoi (Kaplan–Meier)",
        "pooled": " La figure regroupe les {} campagnes en une courbe.",
        "median": "Délai médian",
        "p90": "Délai pour 9 sur 10 délivrés",
        "not_reached": "non atteint",
        "to": "{} à {}",
        "or_more": "{} ou plus",
        "cost": "Coût",
        "cost_note": "Crédits = segments du message de chaque destinataire × destinataires envoyés.",
        "price_note": " Coût = crédits × {} par crédit.",
        "credits": "Crédits",
        "cost_col": "Coût",
        "posted": "Envoyés",
        "credits_per": "Crédits par {}",
        "cost_per": "Coût par {}",
        "per": {"delivered": "délivré", "click": "clic", "stop": "STOP"},
        "segments": "Segments (min–max)",
        "saved": "Crédits économisés avec to_gsm7",
        "ucs2": "Caractères qui font passer en UCS-2",
        "char": "Caractère",
        "unicode": "Nom Unicode",
        "recipients": "Destinataires",
        "gsm7": "En GSM-7",
        "group": "Campagne",
        "all": "Toutes",
    },
    "en": {
        "health": "Health score",
        "health_note": (
            "A 0–100 score, the weighted mean of six published subscores (delivered, median delay, invalid "
            "numbers, blacklist, STOP, operator rejections); the range puts every subscore at the low, then the "
            "high end of its 95 % interval."
        ),
        "score": "Score",
        "range": "Range",
        "why": "What cost it points",
        "moved": "What moved since the row above",
        "moved_row": "{} points, mostly the {} ({} points)",
        "best": "every subscore at its best",
        "sep": "; ",
        "nothing_sent": "no score: nothing was sent",
        "lost": "{} points lost on the {} ({})",
        "overall": "Score of all the rows: {}/100 ({}–{}).",
        "of": "{} of {} {}",
        "bases": {"sent": "sent", "recipients": "recipients", "delivered": "delivered"},
        "subscores": {
            "delivered": "delivered share",
            "latency": "median delay",
            "invalid": "invalid-number share",
            "blocked": "blocked and blacklisted share",
            "stop": "STOP share",
            "rejected": "operator rejections",
        },
        "rates": "Rates with their 95 % intervals",
        "rates_note": (
            "In brackets, the 95 % Wilson interval, in percent: a rate from 200 recipients is far less certain "
            "than one from 20,000."
        ),
        "rates_alt": "Delivery rate of each group with its 95 % interval",
        "latency": "Time to delivery",
        "latency_note": (
            "Kaplan–Meier curves: messages in flight or not delivered are censored at the time of the report, "
            "not dropped; a curve levels off at the share delivered. In brackets, the 95 % interval."
        ),
        "latency_alt": "Share of sent messages delivered by delay since the send (Kaplan–Meier)",
        "pooled": " The figure pools the {} campaigns into one curve.",
        "median": "Median delay",
        "p90": "Delay until 9 in 10 delivered",
        "not_reached": "not reached",
        "to": "{} to {}",
        "or_more": "{} or more",
        "cost": "Cost",
        "cost_note": "Credits = segments of each recipient's message × recipients posted.",
        "price_note": " Cost = credits × {} per credit.",
        "credits": "Credits",
        "cost_col": "Cost",
        "posted": "Posted",
        "credits_per": "Credits per {}",
        "cost_per": "Cost per {}",
        "per": {"delivered": "delivered", "click": "click", "stop": "STOP"},
        "segments": "Segments (min–max)",
        "saved": "Credits saved by to_gsm7",
        "ucs2": "Characters that caused UCS-2",
        "char": "Character",
        "unicode": "Unicode name",
        "recipients": "Recipients",
        "gsm7": "In GSM-7",
        "group": "Campaign",
        "all": "All",
    },
}

#: The numerator and the base of each rate, as the rest of the page marks them.
_PARTS = {
    "delivery_rate": ("delivered", "sent"),
    "click_rate": ("clicked", "delivered_with_link"),
    "stop_rate": ("stops", "delivered"),
}


def _num(value: Any, lang: str, digits: int = 2) -> str:
    """A decimal number in the report's language (``1,05`` / ``1.05``); NaN as a dash."""
    if pd.isna(value):
        return "–"
    text = f"{float(value):,.{digits}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def _ci(low: Any, high: Any, lang: str) -> str:
    """An interval of shares in percent without the sign: ``(88.1–91.2)``."""
    return f"({fmt_pct(low, lang).rstrip('%').rstrip()}–{fmt_pct(high, lang).rstrip('%').rstrip()})"


def _ordered(frame: pd.DataFrame, order: list[str] | None) -> pd.DataFrame:
    """``frame``'s rows in ``order`` (their keys as text), when ``order`` names exactly those rows."""
    keys = [str(k) for k in frame.index]
    if not order or sorted(keys) != sorted(order):
        return frame.copy()
    return frame.iloc[[keys.index(k) for k in order]].copy()


def _key_fmt(t: dict[str, str]) -> Any:
    # a report read from a file may have no campaign id: its one group is shown as a dash
    return lambda k: "–" if k is pd.NA or (isinstance(k, float) and k != k) else e(t["all"]) if k == "all" else e(k)


# ------------------------------------------------------------------ health
def _lost(row: pd.Series, t: dict[str, Any], lang: str) -> str:
    """The three subscores that cost the most points, with their counts and base in words."""
    if pd.isna(row["score"]):
        return str(t["nothing_sent"])
    lost = sorted(
        ((row[f"{n}_lost"], n) for n in SUBSCORES if pd.notna(row[f"{n}_lost"]) and row[f"{n}_lost"] >= 0.5),
        reverse=True,
    )
    if not lost:
        return str(t["best"])
    parts = []
    for points, n in lost[:3]:
        s = SUBSCORES[n]
        if n == "latency":
            value = row["latency_value"]
            shown = t["not_reached"] if pd.isna(value) else duration(pd.Timedelta(seconds=value), lang)
        else:
            base = t["bases"][s.base]
            shown = t["of"].format(fmt_int(row[s.successes], lang), fmt_int(row[s.base], lang), base)
        parts.append(t["lost"].format(_num(points, lang, 1), t["subscores"][n], shown))
    return str(t["sep"]).join(parts)


def _moved(table_: pd.DataFrame, t: dict[str, Any], lang: str) -> list[str]:
    """Per row, the change of the score since the row above and the subscore that moved it most."""
    out = ["–"]
    for i in range(1, len(table_)):
        prev, cur = table_.iloc[i - 1], table_.iloc[i]
        if pd.isna(prev["score"]) or pd.isna(cur["score"]):
            out.append("–")
            continue
        deltas = {n: np.nan_to_num(prev[f"{n}_lost"]) - np.nan_to_num(cur[f"{n}_lost"]) for n in SUBSCORES}
        name = max(deltas, key=lambda n: abs(deltas[n]))
        change, delta = cur["score"] - prev["score"], deltas[name]
        out.append(
            t["moved_row"].format(
                f"{'+' if change >= 0 else '−'}{abs(change):.0f}",
                t["subscores"][name],
                f"{'+' if delta >= 0 else '−'}{_num(abs(delta), lang, 1)}",
            )
        )
    return out


def _health(health: HealthScore, overall: HealthScore, t: dict[str, Any], lang: str, keyed: bool) -> Section:
    rows = health.table.copy()
    rows["why"] = [_lost(r, t, lang) for _, r in rows.iterrows()]
    rows["range"] = [
        "–" if pd.isna(score) else f"{low:.0f}–{high:.0f}"
        for score, low, high in zip(rows["score"], rows["score_low"], rows["score_high"], strict=True)
    ]
    cols: list[Column] = [
        ("score", t["score"], lambda v: "–" if pd.isna(v) else f"<b>{v:.0f}</b>", True),
        ("range", t["range"], e, True),
        ("why", t["why"], e, False),
    ]
    if keyed and len(rows) > 1:
        rows["moved"] = _moved(rows, t, lang)
        cols.append(("moved", t["moved"], e, False))
    top = overall.table.iloc[0]
    head = (
        f'<p class="health" data-health-score="{round(float(top["score"]), 1)}"><b>'
        f"{e(t['overall'].format(f'{top.score:.0f}', f'{top.score_low:.0f}', f'{top.score_high:.0f}'))}</b> "
        f"{e(_lost(top, t, lang))}</p>"
    )
    body = f'<p class="note">{e(t["health_note"])}</p>{head}'
    if len(rows) > 1:  # one group: the line above says it all
        body += table(rows, cols, index=(t["group"], _key_fmt(t)))
    return Section("health", t["health"], body)


# ------------------------------------------------------------------ rates
def _rate_cell(row: pd.Series, rate: str, lang: str) -> str:
    """The rate marked with its parts, then its interval."""
    num, den = _PARTS[rate]
    if pd.isna(row[rate]):
        return "–"
    return (
        f'<span><span class="rate" data-rate="{rate}" data-num="{int(row[num])}" data-den="{int(row[den])}">'
        f"{e(fmt_pct(row[rate], lang))}</span> "
        f'<span class="note">{e(_ci(row[f"{rate}_low"], row[f"{rate}_high"], lang))}</span></span>'
    )


def _draw_rates(data: pd.DataFrame, *, ax: Any, lang: str) -> Any:
    plot_rates(data, rate="delivery_rate", lang=lang, ax=ax)
    percent_axis(ax.xaxis, lang)  # ticks as the page writes shares
    return ax


def _rates(counts: pd.DataFrame, t: dict[str, Any], lang: str) -> Section:
    words = TEXT[lang]
    rows = counts.copy()
    cols: list[Column] = [("sent", words["funnel"][1], lambda v: e(fmt_int(v, lang)), True)]
    for rate in _PARTS:  # the cells are HTML built from the whole row (the rate, its parts, its interval)
        rows[f"_{rate}"] = [_rate_cell(r, rate, lang) for _, r in counts.iterrows()]
        cols.append((f"_{rate}", words[rate], str, True))
    body = f'<p class="note">{e(t["rates_note"])}</p>' + table(rows, cols, index=(t["group"], _key_fmt(t)))
    if len(counts) > 1:  # one group: the table says it all
        height = max(FIGSIZE[1], 1.2 + 0.3 * len(counts))
        fig = figure(_draw_rates, counts, lang, t["rates_alt"], size=(FIGSIZE[0], height))
        body += f'<div class="figures">{fig}</div>'
    return Section("rates", t["rates"], body)


# ------------------------------------------------------------------ latency
def _delay(value: Any, t: dict[str, Any], lang: str) -> str:
    return str(t["not_reached"]) if pd.isna(value) else duration(value, lang)


def _draw_latency(data: DeliveryLatency, *, ax: Any, lang: str) -> Any:
    plot_delivery_latency(data, lang=lang, ax=ax)
    percent_axis(ax.yaxis, lang)  # ticks as the page writes shares
    return ax


def _delay_cell(row: pd.Series, name: str, t: dict[str, Any], lang: str) -> str:
    """A delay and its interval, in one element (a phone card lays out one element per cell)."""
    low, high = row[f"{name}_low"], row[f"{name}_high"]
    if pd.isna(low):
        interval = ""
    elif pd.isna(high):
        interval = t["or_more"].format(duration(low, lang))
    else:
        interval = t["to"].format(duration(low, lang), duration(high, lang))
    note = f' <span class="note">({e(interval)})</span>' if interval else ""
    return f"<span>{e(_delay(row[name], t, lang))}{note}</span>"


def _latency(lat: DeliveryLatency, pooled: DeliveryLatency, t: dict[str, Any], lang: str) -> Section:
    summary = lat.summary
    rows = summary.copy()
    for name in ("median", "p90"):
        rows[f"_{name}"] = [_delay_cell(r, name, t, lang) for _, r in summary.iterrows()]
    cols: list[Column] = [
        ("sent", TEXT[lang]["funnel"][1], lambda v: e(fmt_int(v, lang)), True),
        ("delivered", TEXT[lang]["funnel"][2], lambda v: e(fmt_int(v, lang)), True),
        ("_median", t["median"], str, True),
        ("_p90", t["p90"], str, True),
    ]
    note, shown, alt = t["latency_note"], lat, t["latency_alt"]
    if len(summary) > MAX_CURVES:  # a figure of many unlabelled curves says nothing: one pooled curve
        pooled_note = t["pooled"].format(fmt_int(len(summary), lang))
        note, shown, alt = note + pooled_note, pooled, alt + "." + pooled_note
    body = f'<p class="note">{e(note)}</p>' + table(rows, cols, index=(t["group"], _key_fmt(t)))
    body += f'<div class="figures">{figure(_draw_latency, shown, lang, alt)}</div>'
    return Section("latency", t["latency"], body)


# ------------------------------------------------------------------ cost
def _cost(
    facts: ReportFacts,
    key: str | None,
    t: dict[str, Any],
    lang: str,
    message: Any,
    price: Any,
    segments: Any,
    order: list[str] | None,
) -> Section:
    cost = cost_breakdown(facts, message=message, price_per_sms=price, by=key, segments=segments)
    rows = _ordered(cost.table, order)
    spread = cost.segments.reindex(rows.index)
    rows["_segments"] = [
        "–" if pd.isna(lo) else str(int(lo)) if lo == hi else f"{int(lo)}–{int(hi)}"
        for lo, hi in zip(spread["min"], spread["max"], strict=True)
    ]
    n = lambda v: e(fmt_int(v, lang))  # noqa: E731
    cols: list[Column] = [
        ("posted", t["posted"], n, True),
        ("credits", t["credits"], n, True),
    ]
    per, digits, note = "credits_per_", 2, t["cost_note"]
    if price is not None:
        cols.append(("cost", t["cost_col"], lambda v: e(_num(v, lang)), True))
        per, digits, note = "cost_per_", 3, note + t["price_note"].format(_num(price, lang, 3))
    head = t["cost_per"] if price is not None else t["credits_per"]
    for what in ("delivered", "click", "stop"):
        cols.append((f"{per}{what}", head.format(t["per"][what]), lambda v: e(_num(v, lang, digits)), True))
    cols += [("_segments", t["segments"], e, True), ("credits_saved", t["saved"], n, True)]
    body = f'<p class="note">{e(note)}</p>' + table(rows, cols, index=(t["group"], _key_fmt(t)))
    if len(cost.ucs2):
        chars = cost.ucs2.set_index("char")
        body += f"<h3>{e(t['ucs2'])}</h3>" + table(
            chars,
            [
                ("name", t["unicode"], e, False),
                ("recipients", t["recipients"], n, True),
                ("gsm7", t["gsm7"], e, False),
            ],
            index=(t["char"], lambda c: f"<b>{e(c)}</b>"),
        )
    return Section("cost", t["cost"], body)


# ------------------------------------------------------------------ all four
def statistics_sections(
    report: pd.DataFrame | ReportFacts,
    *,
    lang: str = "fr",
    key: str | None = "campaign_id",
    send_times: Any = None,
    segments: Any = None,
    message: Any = None,
    price_per_sms: float | None = None,
    order: list[str] | None = None,
) -> list[Section]:
    """The sections of the health score, the rates with intervals, the latency and the cost.

    Parameters
    ----------
    report : pandas.DataFrame or ReportFacts
        A report frame or its facts (built once by the caller and shared).
    lang : {"fr", "en"}
    key : str or None
        The column of the campaigns (one row per value in every table); None, or a column the
        frame does not have: all rows together.
    send_times, segments
        As in :func:`mfanalytics.summarize`.
    message, price_per_sms
        As in :func:`mfanalytics.cost_breakdown`.
    order : list of str, optional
        The order of the campaigns' rows (named campaigns: the order they were given in);
        default: sorted.

    Returns
    -------
    list of Section
        ``health``, ``rates``, ``latency`` and ``cost``, in that order; none when nothing was
        sent, and no ``latency`` when nothing was delivered.
    """
    t = _T["en" if lang == "en" else "fr"]
    facts = facts_of(report)
    if key is not None and key not in facts.columns:
        key = None
    counts = group_counts(facts, key, send_times=send_times) if key else add_intervals(aggregate(facts, []))
    counts = _ordered(counts, order)
    if not len(counts) or int(counts["sent"].sum()) == 0:
        return []
    several = key is not None and len(counts) > 1
    # the Kaplan–Meier fits, per campaign and pooled, made once (the durations measured once): the
    # health scores read their medians, the latency section draws them
    fits = delivery_latencies(facts, [key, None] if several else [key], send_times=send_times)
    lat, pooled = fits[0], fits[-1]
    health = health_score(facts, by=key, send_times=send_times, latency=lat)
    health = replace(health, table=_ordered(health.table, order))
    overall = health_score(facts, by=None, send_times=send_times, latency=pooled) if several else health
    sections = [_health(health, overall, t, lang, key is not None), _rates(counts, t, lang)]
    if int(counts["delivered"].sum()) > 0:
        lat = replace(lat, summary=_ordered(lat.summary, order))
        sections.append(_latency(lat, pooled, t, lang))
    sections.append(_cost(facts, key, t, lang, message, price_per_sms, segments, order))
    return sections
