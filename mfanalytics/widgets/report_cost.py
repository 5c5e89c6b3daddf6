"""What the campaigns of :class:`~mfanalytics.widgets.ReportExplorer` cost, as the explorer shows it.

A period report carries no message text, and a line's credits are the segments
of *its* message after personalisation
(:func:`mfanalytics.analysis.campaign_costs.campaign_costs`). The explorer shows, per
campaign and in total, the credits, what they bought (per delivered message,
per click, per STOP) and, with a price per SMS, the cost. A campaign whose
message is not known says so: its credits are unknown, never 0, and the total
says it leaves it out.

Examples
--------
>>> parse_price(" 0,045 "), parse_price("")
(0.045, None)
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from mfanalytics.analysis.campaign_costs import CampaignCosts
from mfanalytics.errors import ValidationError
from mfanalytics.widgets.common import BAD, NOTE

__all__ = ["LABEL_PRICE", "COST_CLASS", "COST_CSS", "parse_price", "cost_html", "cost_text", "credits_tile"]

#: The label of the price input (the words errors use).
LABEL_PRICE = "Price per SMS"
#: The class of the cost panel, and its CSS: the panel is as wide as the page, never as wide as its
#: table (a flex item is as wide as its content unless told otherwise); the table scrolls sideways.
COST_CLASS = "mf-cost"
COST_CSS = (
    "<style>"
    f".{COST_CLASS} {{width: 100%; min-width: 0; max-width: 100%}}"
    f".{COST_CLASS} .widget-html-content {{min-width: 0; max-width: 100%; flex: 1 1 auto}}"
    "</style>"
)
_PER = (("delivered", "delivered"), ("click", "click"), ("stop", "STOP"))
_BASIS = {
    "exact": "each recipient's message",
    "lower bound": "at least: {fields} not in the report",
    "estimate": "estimate: renderer logic not evaluated",
    "unknown": "unknown: no message text",
}


def parse_price(text: str) -> float | None:
    """The price typed (``0.045`` or ``0,045``), None when empty; a ValidationError otherwise.

    Examples
    --------
    >>> parse_price("abc")
    Traceback (most recent call last):
    ...
    mfanalytics.errors.ValidationError: Price per SMS: a number >= 0 such as 0.045, not 'abc' [price; field 'price_per_sms']
    """
    said = text.strip()
    if not said:
        return None
    try:
        value = float(said.replace(",", ".").replace(" ", ""))
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise ValidationError(
            f"{LABEL_PRICE}: a number >= 0 such as 0.045, not {said!r}", rule="price", field="price_per_sms"
        )
    return value


def _int(value: Any) -> str:
    return "–" if pd.isna(value) else f"{int(value):,}"


def _num(value: Any, digits: int) -> str:
    return "–" if pd.isna(value) else f"{float(value):,.{digits}f}"


def _mark(basis: str) -> str:
    return {"lower bound": "≥ ", "estimate": "≈ "}.get(basis, "")


#: The cells: figures on one line (the box scrolls sideways on a phone), the campaign column stays in view.
_CELL = "padding:2px 6px;white-space:nowrap;overflow-wrap:normal;text-align:{align}"
_FIRST = ";position:sticky;left:0;background:var(--jp-layout-color0, #fff)"
#: Headers wrap between words only ("Cost per / delivered").
_HEAD = "padding:2px 6px;white-space:normal;overflow-wrap:normal;word-break:keep-all;vertical-align:bottom;text-align:{align}"


def _decimals(price: float | None) -> int:
    """Decimals of a typed price (0.045: 3), at least 2."""
    if price is None:
        return 2
    said = f"{price:.6f}".rstrip("0")
    return max(2, len(said.split(".")[1]) if "." in said else 0)


def _row(label: str, row: pd.Series, priced: bool, digits: int, *, bold: bool = False, note: str = "") -> str:
    basis = str(row["basis"])
    known = basis != "unknown"
    cells = [html.escape(label) + (f" <br><small>{html.escape(note)}</small>" if note else ""), _int(row["posted"])]
    if "segments_min" in row:  # (the total has no spread of its own)
        lo, hi = row["segments_min"], row["segments_max"]
        cells.append("–" if pd.isna(lo) else f"{int(lo)}" if lo == hi else f"{int(lo)}–{int(hi)}")
    else:
        cells.append("")
    cells.append(_mark(basis) + _int(row["credits"]) if known else "unknown")
    if priced:
        cells.append(_mark(basis) + _num(row["cost"], digits) if known else "–")
    per, per_digits = ("cost_per_", max(3, digits)) if priced else ("credits_per_", 2)
    cells += [_mark(basis) + _num(row[f"{per}{what}"], per_digits) if known else "–" for what, _ in _PER]
    fields = str(row.get("missing_fields") or "")
    cells.append(_BASIS.get(basis, basis).format(fields=fields or "merge fields"))
    tag = "th" if bold else "td"
    last = len(cells) - 1
    return (
        "<tr>"
        + "".join(
            f"<{tag} style='{_CELL.format(align='left' if i in (0, last) else 'right')}{_FIRST if i == 0 else ''}"
            + (";white-space:normal;min-width:7em" if i == 0 and note else "")  # the total's label wraps on a phone
            + "'>"
            f"{c if i == 0 else html.escape(c)}</{tag}>"
            for i, c in enumerate(cells)
        )
        + "</tr>"
    )


def _left_out(costs: CampaignCosts, *, short: bool = False) -> list[str]:
    """What the total leaves out, in words: unknown campaigns, lines without a campaign (``short``: the tile's)."""
    out = [f"{len(costs.excluded)} unknown"] if costs.excluded else []
    if costs.unattributed:
        n = costs.unattributed
        out.append(f"{n:,} line{'s' if n != 1 else ''}" + ("" if short else " without a campaign"))
    return out


def _total_label(costs: CampaignCosts) -> tuple[str, str]:
    n = int(costs.total["campaigns"])
    left = _left_out(costs)
    note = f"(excluding {' and '.join(left)})" if left else ""
    return f"Total, {n} campaign{'s' if n != 1 else ''}", note


def cost_html(costs: CampaignCosts, *, title: str = "Cost") -> str:
    """The explorer's cost panel: a table per campaign and in total, and what its figures rest on."""
    priced = costs.price_per_sms is not None
    digits = _decimals(costs.price_per_sms)
    what = "cost" if priced else "credits"
    head = ["Campaign", "Posted", "SMS each", "Credits"] + (["Cost"] if priced else [])
    head += [f"{what.capitalize()} per {word}" for _, word in _PER] + ["Counted from"]
    rows = [_row(str(cid), r, priced, digits) for cid, r in costs.table.iterrows()]
    if len(costs.table) > 1 or costs.excluded or costs.unattributed:
        label, note = _total_label(costs)
        rows.append(_row(label, costs.total, priced, digits, bold=True, note=note))
    last = len(head) - 1
    th = "".join(
        f"<th style='{_HEAD.format(align='left' if i in (0, last) else 'right')}{_FIRST if i == 0 else ''}'>"
        f"{html.escape(h)}</th>"
        for i, h in enumerate(head)
    )
    body = "".join(rows)
    notes: list[tuple[str, str]] = []  # (what, its style)
    if priced:
        notes.append((f"At {costs.price_per_sms:g} per SMS (one credit per SMS part).", NOTE))
    else:
        notes.append((f"Credits: SMS parts, per recipient posted. Type a {LABEL_PRICE} to see the cost.", NOTE))
    if costs.excluded:
        ids = ", ".join(str(c) for c in costs.excluded)
        posted = int(costs.total["excluded_posted"])
        unknown = (
            f"Credits unknown for campaign{'s' if len(costs.excluded) > 1 else ''} {ids} ({posted:,} "
            f"recipient{'s' if posted != 1 else ''} posted): a report carries no message text. The total leaves "
            f"{'them' if len(costs.excluded) > 1 else 'it'} out. Type the message below, or give the campaign as "
            "the API answered its send: explorer.add_campaigns(campaign)."
        )
        notes.append((unknown, BAD))
    if costs.unattributed:
        n = costs.unattributed
        lines = (
            f"{n:,} recipient line{'s' if n != 1 else ''} carr{'y' if n != 1 else 'ies'} no campaign id: "
            f"{'their' if n != 1 else 'its'} message is unknown, and the total leaves "
            f"{'them' if n != 1 else 'it'} out."
        )
        notes.append((lines, BAD))
    if (costs.table["basis"] == "lower bound").any():
        notes.append(
            ("≥: the report lacks merge fields of the message; they are counted empty, so at least this.", NOTE)
        )
    if (costs.table["basis"] == "estimate").any():
        notes.append(("≈: the message uses renderer logic that is not evaluated; an estimate.", NOTE))
    said = "<div data-cost='notes'>" + "".join(f"<div style='{style}'>{html.escape(n)}</div>" for n, style in notes)
    said += "</div>"
    return (
        f"<b>{html.escape(title)}</b>"
        "<div style='overflow-x:auto;max-width:100%'>"
        f"<table data-cost='campaigns' style='border-collapse:collapse'><thead><tr>{th}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>{said}"
    )


def cost_text(costs: CampaignCosts) -> str:
    """The cost panel in one line of plain text (the notebook's text output)."""
    t = costs.total
    mark = _mark(str(t["basis"]))
    parts = [f"{mark}{_int(t['credits'])} credits over {int(t['campaigns'])} campaign(s)"]
    if costs.price_per_sms is not None:
        parts.append(f"cost {mark}{_num(t['cost'], _decimals(costs.price_per_sms))}")
    for what, word in _PER:
        key = ("cost_per_" if costs.price_per_sms is not None else "credits_per_") + what
        parts.append(f"{mark}{_num(t[key], 3)} per {word}")
    if costs.excluded:
        parts.append("excluding campaign(s) " + ", ".join(map(str, costs.excluded)) + " (message unknown)")
    if costs.unattributed:
        parts.append(f"excluding {costs.unattributed:,} line(s) without a campaign id")
    return "Cost: " + ", ".join(parts)


def credits_tile(costs: CampaignCosts | None) -> tuple[str, str]:
    """The value and the note of the explorer's Credits tile."""
    if costs is None:
        return "–", ""
    t = costs.total
    if not int(t["campaigns"]):
        return "–", "message unknown" if costs.excluded or costs.unattributed else ""
    value = _mark(str(t["basis"])) + _int(t["credits"])
    if left := _left_out(costs, short=True):
        return value, "excl. " + " and ".join(left)
    return value, "at least" if t["basis"] == "lower bound" else ""
