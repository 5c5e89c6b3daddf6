"""The statistics sections of the HTML report: health score, rates with intervals, latency, cost.

:func:`statistics_sections` returns HTML fragments (headings, tables, PNG
figures as ``data:`` URIs: nothing external) that
:func:`mfanalytics.deliverability_report` places in its page. Every value
from the data is HTML-escaped.

Examples
--------
>>> from mfanalytics.analysis.report_sections import statistics_sections
>>> parts = statistics_sections(week, lang="en")
>>> [p.split("</h2>")[0].split(">")[-1] for p in parts]
['Health score', 'Rates with their 95 % intervals', 'Time to delivery', 'Cost']
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.analysis.comparisons import group_counts
from mfanalytics.analysis.cost import cost_breakdown
from mfanalytics.analysis.facts import ReportFacts, facts_of
from mfanalytics.analysis.health import SUBSCORES, health_score
from mfanalytics.analysis.intervals import add_intervals
from mfanalytics.analysis.kpis import aggregate
from mfanalytics.analysis.latency import delivery_latency
from mfanalytics.analysis.plots import fmt_int, fmt_pct
from mfanalytics.analysis.stat_plots import plot_delivery_latency, plot_rates

__all__ = ["statistics_sections", "figure_png"]

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
        "rates": "Taux et leurs intervalles à 95 %",
        "rates_note": "Intervalles de Wilson : un taux sur 200 destinataires est bien moins sûr qu'un taux sur 20 000.",
        "delivery_rate": "Délivrés (des envoyés)",
        "click_rate": "Clics (des délivrés avec lien)",
        "stop_rate": "STOP (des délivrés)",
        "latency": "Délai de livraison",
        "latency_note": (
            "Courbes de Kaplan–Meier : les messages en cours ou non délivrés sont censurés à l'heure du rapport, "
            "pas ignorés ; une courbe plafonne à la part délivrée."
        ),
        "median": "Médiane",
        "p90": "90 % délivrés",
        "not_reached": "non atteint",
        "cost": "Coût",
        "cost_note": "Crédits = segments du message de chaque destinataire × destinataires envoyés.",
        "credits": "Crédits",
        "posted": "Envoyés",
        "per_delivered": "Par délivré",
        "per_click": "Par clic",
        "per_stop": "Par STOP",
        "segments": "Segments (min–max)",
        "saved": "Économie avec to_gsm7",
        "ucs2": "Caractères qui font passer en UCS-2",
        "char": "Caractère",
        "recipients": "Destinataires",
        "gsm7": "En GSM-7",
        "group": "Groupe",
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
        "rates": "Rates with their 95 % intervals",
        "rates_note": "Wilson intervals: a rate from 200 recipients is far less certain than one from 20,000.",
        "delivery_rate": "Delivered (of sent)",
        "click_rate": "Clicks (of delivered with a link)",
        "stop_rate": "STOP (of delivered)",
        "latency": "Time to delivery",
        "latency_note": (
            "Kaplan–Meier curves: messages in flight or not delivered are censored at the time of the report, "
            "not dropped; a curve levels off at the share delivered."
        ),
        "median": "Median",
        "p90": "90 % delivered",
        "not_reached": "not reached",
        "cost": "Cost",
        "cost_note": "Credits = segments of each recipient's message × recipients posted.",
        "credits": "Credits",
        "posted": "Posted",
        "per_delivered": "Per delivered",
        "per_click": "Per click",
        "per_stop": "Per STOP",
        "segments": "Segments (min–max)",
        "saved": "Saved by to_gsm7",
        "ucs2": "Characters that caused UCS-2",
        "char": "Character",
        "recipients": "Recipients",
        "gsm7": "In GSM-7",
        "group": "Group",
    },
}


def _e(value: Any) -> str:
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return "–"
    return html.escape(str(value), quote=True)


def figure_png(draw: Callable[..., Any], data: Any, size: tuple[float, float] = (7.0, 4.0), **kwargs: Any) -> str:
    """Draw ``draw(data, ax=..., **kwargs)`` on a fresh Figure (no pyplot) and return an ``<figure>`` with its PNG."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=100)
    draw(data, ax=fig.add_subplot(), **kwargs)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    b64 = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<figure><img alt="" src="data:image/png;base64,{b64}"></figure>'


def _table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:  # type: ignore[assignment]
    th = "".join(f'<th class="num">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _seconds(value: Any, t: dict[str, str]) -> str:
    if pd.isna(value):
        return _e(t["not_reached"])
    secs = pd.Timedelta(value).total_seconds()
    if secs < 120:
        return f"{secs:.0f} s"
    if secs < 7200:
        return f"{secs / 60:.0f} min"
    return f"{secs / 3600:.1f} h"


def _moved(table: pd.DataFrame, lang: str) -> list[str]:
    """Per row, the subscore whose points changed most since the row above."""
    out = ["–"]
    for i in range(1, len(table)):
        prev, cur = table.iloc[i - 1], table.iloc[i]
        if pd.isna(prev["score"]) or pd.isna(cur["score"]):
            out.append("–")
            continue
        deltas = {n: np.nan_to_num(prev[f"{n}_lost"]) - np.nan_to_num(cur[f"{n}_lost"]) for n in SUBSCORES}
        name = max(deltas, key=lambda n: abs(deltas[n]))
        change = cur["score"] - prev["score"]
        sign = "+" if change >= 0 else ""
        out.append(
            _e(f"{sign}{change:.0f}: {SUBSCORES[name].label} {'+' if deltas[name] >= 0 else ''}{deltas[name]:.1f}")
        )
    return out


def _health(facts: ReportFacts, key: str | None, t: dict[str, str], lang: str, send_times: Any) -> str:
    health = health_score(facts, by=key, send_times=send_times)
    table = health.table
    moved = _moved(table, lang) if key else ["–"] * len(table)
    rows = [
        [
            _e(k),
            f"<b>{_e(f'{r.score:.0f}' if pd.notna(r.score) else None)}</b>",
            _e(f"{r.score_low:.0f}–{r.score_high:.0f}" if pd.notna(r.score) else None),
            _e(health.explanation.loc[k]),
            moved[i],
        ]
        for i, (k, r) in enumerate(table.iterrows())  # one row per group
    ]
    header = [t["group"], t["score"], t["range"], t["why"]] + ([t["moved"]] if key and len(table) > 1 else [])
    rows = [r[: len(header)] for r in rows]
    overall = health_score(facts, by=None, send_times=send_times) if key and len(table) > 1 else health
    score = overall.table["score"].iloc[0] if len(overall.table) else np.nan
    head = (
        f'<p class="health" data-health-score="{_e(round(float(score), 1) if pd.notna(score) else None)}">'
        f"<b>{_e(overall.explanation.iloc[0] if len(overall.explanation) else None)}</b></p>"
    )
    return f'<h2>{_e(t["health"])}</h2><p class="note">{_e(t["health_note"])}</p>{head}' + _table(header, rows, {1, 2})


def _interval(row: pd.Series, rate: str, lang: str) -> str:
    if pd.isna(row[rate]):
        return "–"
    return f'{fmt_pct(row[rate], lang)} <span class="note">[{fmt_pct(row[f"{rate}_low"], lang)} – {fmt_pct(row[f"{rate}_high"], lang)}]</span>'


def _rates(facts: ReportFacts, key: str | None, t: dict[str, str], lang: str) -> str:
    table = group_counts(facts, key) if key else add_intervals(aggregate(facts, []))
    rates = ("delivery_rate", "click_rate", "stop_rate")
    rows = [[_e(k), fmt_int(r["sent"], lang), *(_interval(r, x, lang) for x in rates)] for k, r in table.iterrows()]
    fig = figure_png(plot_rates, table, size=(7.0, 0.6 + 0.35 * max(len(table), 3)), rate="delivery_rate", lang=lang)
    return (
        f'<h2>{_e(t["rates"])}</h2><p class="note">{_e(t["rates_note"])}</p>'
        + _table([t["group"], t["posted"], *(t[x] for x in rates)], rows, {1, 2, 3, 4})
        + f'<section class="figures">{fig}</section>'
    )


def _latency(facts: ReportFacts, key: str | None, t: dict[str, str], lang: str, send_times: Any) -> str:
    lat = delivery_latency(facts, by=key, send_times=send_times)
    rows = [
        [
            _e(k),
            fmt_int(r["sent"], lang),
            f'{_seconds(r["median"], t)} <span class="note">[{_seconds(r["median_low"], t)} – {_seconds(r["median_high"], t)}]</span>',
            f'{_seconds(r["p90"], t)} <span class="note">[{_seconds(r["p90_low"], t)} – {_seconds(r["p90_high"], t)}]</span>',
        ]
        for k, r in lat.summary.iterrows()
    ]
    fig = figure_png(plot_delivery_latency, lat, lang=lang)
    return (
        f'<h2>{_e(t["latency"])}</h2><p class="note">{_e(t["latency_note"])}</p>'
        + _table([t["group"], t["posted"], t["median"], t["p90"]], rows, {1, 2, 3})
        + f'<section class="figures">{fig}</section>'
    )


def _cost(
    facts: ReportFacts, key: str | None, t: dict[str, str], lang: str, message: Any, price: Any, segments: Any
) -> str:
    cost = cost_breakdown(facts, message=message, price_per_sms=price, by=key, segments=segments)
    money = (
        (lambda v: "–" if pd.isna(v) else f"{v:.3f}")
        if price is not None
        else (lambda v: "–" if pd.isna(v) else f"{v:.2f}")
    )
    per = "cost_per_" if price is not None else "credits_per_"
    rows = []
    for k, r in cost.table.iterrows():
        spread = cost.segments.loc[k] if k in cost.segments.index else None
        seg = "–" if spread is None else f"{int(spread['min'])}–{int(spread['max'])}"
        rows.append(
            [
                _e(k),
                fmt_int(r["posted"], lang),
                fmt_int(r["credits"], lang),
                money(r[f"{per}delivered"]),
                money(r[f"{per}click"]),
                money(r[f"{per}stop"]),
                _e(seg),
                fmt_int(r["credits_saved"], lang),
            ]
        )
    header = [
        t["group"],
        t["posted"],
        t["credits"],
        t["per_delivered"],
        t["per_click"],
        t["per_stop"],
        t["segments"],
        t["saved"],
    ]
    out = f'<h2>{_e(t["cost"])}</h2><p class="note">{_e(t["cost_note"])}</p>' + _table(header, rows, {1, 2, 3, 4, 5, 7})
    if len(cost.ucs2):
        chars = [[_e(r.char), _e(r.name), fmt_int(r.recipients, lang), _e(r.gsm7)] for r in cost.ucs2.itertuples()]
        out += f"<h3>{_e(t['ucs2'])}</h3>" + _table([t["char"], "Unicode", t["recipients"], t["gsm7"]], chars, {2})
    return out


def statistics_sections(
    report: pd.DataFrame | ReportFacts,
    *,
    lang: str = "fr",
    key: str | None = "campaign_id",
    send_times: Any = None,
    segments: Any = None,
    message: Any = None,
    price_per_sms: float | None = None,
) -> list[str]:
    """The HTML fragments of the health score, the rates with intervals, the latency and the cost.

    Parameters
    ----------
    report : pandas.DataFrame
        A report frame (or its facts).
    key : str or None
        The column of the campaigns (one row per value in every table), None: all rows together.
    send_times, segments
        As in :func:`mfanalytics.summarize`.
    message, price_per_sms
        As in :func:`mfanalytics.cost_breakdown`.

    Returns
    -------
    list of str
        Four fragments, each starting with its ``<h2>``.
    """
    t = _T["en" if lang == "en" else "fr"]
    facts = facts_of(report)
    if key is not None and key not in facts.columns:
        key = None
    return [
        _health(facts, key, t, lang, send_times),
        _rates(facts, key, t, lang),
        _latency(facts, key, t, lang, send_times),
        _cost(facts, key, t, lang, message, price_per_sms, segments),
    ]
