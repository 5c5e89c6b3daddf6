"""What a campaign cost: credits from the message each recipient got, per outcome.

:func:`cost_breakdown` counts the credits of a report frame the way the
platform bills them: the segments (SMS parts) of each recipient's message
after personalisation, for every recipient *posted* (sent: the lines that
left the platform, see :mod:`mfanalytics.analysis.kpis`). A report frame does
not hold the message: give it with ``message=`` (the text, a
:class:`mfanalytics.Message`, or the campaign the API answered, e.g.
``client.send_campaign(...)``, whose ``message``, ``allowUCS2``, ``renderer``
and ``defaultForHeader`` are read), or one per campaign id. The list's
columns of the report (``PRENOM``...) personalise it, as
:meth:`mfanalytics.Message.render` does. Without a message, a ``segments``
column of the frame is used, else 1 segment per line.

It then says what the credits bought (per delivered message, per click, per
STOP), how segments spread over the recipients when merge fields vary, which
characters put messages in UCS-2 (70 characters per SMS instead of 160), and
how many credits :func:`mfanalytics.to_gsm7` would have saved.

Examples
--------
>>> from mfanalytics.analysis.cost import cost_breakdown
>>> cost = cost_breakdown(report, message="Bonjour ${PRENOM} : ${track_1}", price_per_sms=0.045)
>>> int(cost.table.loc[1001, "credits"])
300
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from mfanalytics.analysis.facts import ReportFacts, facts_of, groups_of, require, segments_of
from mfanalytics.errors import ValidationError
from mfanalytics.messages.message import Message, non_gsm_chars, to_gsm7

__all__ = ["CostBreakdown", "cost_breakdown", "message_of", "missing_fields"]

#: where a row's segments come from (``per_row["basis"]``)
_BASES = ("message", "lower bound", "estimate", "no message")
_MAX_SEGMENTS = 6  # render counts every text; the account's limit does not change what was billed


@dataclass
class CostBreakdown:
    """What :func:`cost_breakdown` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        Per campaign (or ``"all"``): ``recipients``, ``posted``, ``credits``
        (segments x posted), ``segments_mean`` (per posted recipient),
        ``delivered``, ``clicked``, ``stops``, ``credits_per_delivered``,
        ``credits_per_click``, ``credits_per_stop``, ``cost`` (credits x
        price) and ``cost_per_delivered`` / ``_click`` / ``_stop`` (NaN without
        a price, or with nothing to divide by), ``credits_gsm7`` (what
        :func:`mfanalytics.to_gsm7` on the text and the merge values would
        cost) and ``credits_saved``; ``posted_no_message`` (posted recipients
        whose segments came from ``segments=``, not from a message),
        ``posted_lower_bound`` (posted recipients of a message whose merge
        fields the report does not hold: counted with those fields empty, so
        their credits are a lower bound) and ``posted_estimate`` (a message
        with renderer logic, see :attr:`mfanalytics.Message.is_estimate`).
    segments : pandas.DataFrame
        Per group, posted recipients by number of segments (columns 1, 2, ...)
        plus ``min``, ``median``, ``max``.
    ucs2 : pandas.DataFrame
        The characters outside GSM-7 in the posted messages, most frequent
        first: ``char``, ``name`` (Unicode), ``recipients`` (posted
        recipients whose message holds it), ``gsm7`` (what ``to_gsm7`` makes of
        it; the same character when it has no GSM-7 look-alike).
    per_row : pandas.DataFrame
        Per line of the report: ``posted``, ``segments``, ``credits``,
        ``encoding``, ``segments_gsm7`` and ``basis`` (``"message"``, ``"lower bound"``,
        ``"estimate"`` or ``"no message"``: where the segments come from).
    price_per_sms : float or None
    """

    table: pd.DataFrame
    segments: pd.DataFrame
    ucs2: pd.DataFrame
    per_row: pd.DataFrame
    price_per_sms: float | None

    def _repr_html_(self) -> str:
        return self.table._repr_html_()  # type: ignore[operator]


def message_of(message: Any) -> Message:
    """A :class:`Message` from a text, a Message, or a campaign answer (a mapping with ``message``).

    Examples
    --------
    >>> message_of({"message": "Leçon", "allowUCS2": True}).encoding
    'UCS-2'
    """
    if isinstance(message, Message):
        return message
    if isinstance(message, str):
        return Message(message, allow_ucs2=True)
    if isinstance(message, Mapping) and "message" in message:
        return Message(
            str(message["message"]),
            allow_ucs2=bool(message.get("allowUCS2", False)),
            auto_replace_gsm7=bool(message.get("autoREPLACETOGSM7", False)),
            auto_replace_emoji=bool(message.get("autoREPLACEEMOJI", False)),
            renderer=str(message.get("renderer") or "BASIC"),
            defaults=message.get("defaultForHeader") or None,
        )
    raise ValidationError(
        f"message must be a text, a mfanalytics.Message or a campaign answer, not {type(message).__name__}",
        rule="message-type",
        field="message",
    )


def _gsm7_twin(m: Message) -> Message:
    return Message(
        to_gsm7(m.text),
        allow_ucs2=m.allow_ucs2,
        auto_replace_gsm7=True,
        auto_replace_emoji=m.auto_replace_emoji,
        renderer=m.renderer,
        defaults=m.defaults,
    )


def _per_campaign(message: Any, frame: pd.DataFrame) -> dict[Any, Message] | None:
    """campaign id (or None for all rows) -> Message, or None without a message."""
    if message is None:
        return None
    if isinstance(message, Mapping) and "message" not in message:
        return {k: message_of(v) for k, v in message.items()}
    return {None: message_of(message)}


def missing_fields(message: Message, columns: Any) -> list[str]:
    """The merge fields of ``message`` that are not columns of a report (looked up as
    :meth:`Message.render` looks them up: exact name, then case-insensitively).

    Examples
    --------
    >>> missing_fields(Message("Bonjour ${PRENOM} ${NOM}"), ["prenom", "mobile"])
    ['NOM']
    """
    names = [str(c) for c in columns]
    folded = {n.casefold() for n in names}
    return [f for f in message.fields if f not in names and f.casefold() not in folded]


def _lower_bound(message: Message, missing: list[str]) -> Message:
    """``message`` with no default for the ``missing`` fields: they render empty, the shortest text the
    platform could have sent (a recipient's value, or the default for an empty one, only adds characters)."""
    gone = {f.casefold() for f in missing}
    return Message(
        message.text,
        allow_ucs2=message.allow_ucs2,
        auto_replace_gsm7=message.auto_replace_gsm7,
        auto_replace_emoji=message.auto_replace_emoji,
        renderer=message.renderer,
        defaults={k: v for k, v in message.defaults.items() if k.casefold() not in gone},
    )


def _rendered(messages: dict[Any, Message], frame: pd.DataFrame) -> pd.DataFrame:
    """Per row: text, encoding, segments, segments_gsm7 (NA for rows of a campaign without a message), basis."""
    out = pd.DataFrame(
        {
            "text": pd.Series(pd.NA, index=frame.index, dtype="string"),
            "encoding": pd.Series(pd.NA, index=frame.index, dtype="string"),
            "segments": pd.Series(pd.NA, index=frame.index, dtype="Int64"),
            "segments_gsm7": pd.Series(pd.NA, index=frame.index, dtype="Int64"),
            "basis": pd.Series("no message", index=frame.index, dtype="object"),
        }
    )
    for key, msg in messages.items():  # one render per campaign, vectorised over its rows
        rows = frame if key is None else frame[frame["campaign_id"].astype("string") == str(key)]
        if not len(rows):
            continue
        missing = missing_fields(msg, rows.columns)
        if missing:
            msg = _lower_bound(msg, missing)
        out.loc[rows.index, "basis"] = "estimate" if msg.is_estimate else "lower bound" if missing else "message"
        done = msg.render(rows, max_segments=_MAX_SEGMENTS)
        twin = _gsm7_twin(msg).render(rows, max_segments=_MAX_SEGMENTS)
        out.loc[rows.index, "text"] = done["text"].astype("string")
        out.loc[rows.index, "encoding"] = done["encoding"].astype("string")
        out.loc[rows.index, "segments"] = done["segments"].astype("Int64")
        out.loc[rows.index, "segments_gsm7"] = twin["segments"].astype("Int64")
    return out


def _sums(codes: np.ndarray, values: np.ndarray | None, n_groups: int) -> np.ndarray:
    """Per group code, the sum of ``values`` (0/1 or whole numbers; None counts the rows), exact in int64."""
    if values is None:
        return np.bincount(codes, minlength=n_groups).astype(np.int64)
    if values.dtype == bool:
        return np.bincount(codes[values], minlength=n_groups).astype(np.int64)
    values = np.asarray(values, dtype=np.int64)
    if len(values) and int(np.abs(values).max()) * len(values) < 2**53:  # float64 sums exact below 2**53
        return np.bincount(codes, weights=values, minlength=n_groups).astype(np.int64)
    out = np.zeros(n_groups, dtype=np.int64)
    np.add.at(out, codes, values)
    return out


#: the largest segment count counted in a histogram (larger ones: pandas' value_counts)
_HISTOGRAM_SEGMENTS = 1024


def _spread(codes: np.ndarray, groups: pd.Index, seg: np.ndarray, posted: np.ndarray, key: pd.Series) -> pd.DataFrame:
    """Per group with a posted row: posted recipients by number of segments (columns 1, 2, ...), then
    ``min``, ``median``, ``max`` of the segments, from one histogram of (group, segments)."""
    seg_posted, code_posted = seg[posted], codes[posted]
    width = int(seg_posted.max()) + 1 if len(seg_posted) else 0
    cells = len(groups) * width  # the histogram's size: at most a few times the rows
    if not width or width > _HISTOGRAM_SEGMENTS + 1 or key.dtype == object or cells > max(4 * len(seg), 1 << 20):
        return _spread_by_groupby(pd.Series(seg, index=key.index)[posted], key[posted])
    hist = np.bincount(code_posted * width + seg_posted, minlength=len(groups) * width).reshape(len(groups), width)
    n = hist.sum(axis=1)
    kept = n > 0  # a group with no posted row has no line here (as in a groupby of the posted rows)
    hist, n = hist[kept], n[kept]
    values = np.flatnonzero(hist.any(axis=0))  # the segment counts seen
    cum = hist.cumsum(axis=1)

    def at_rank(rank: np.ndarray) -> np.ndarray:  # the segments of the recipient at this rank (0-based)
        return (cum <= rank[:, None]).sum(axis=1)

    out = pd.DataFrame({int(v): hist[:, v].astype(np.int64) for v in values}, index=groups[kept])
    out["min"] = (hist > 0).argmax(axis=1).astype(np.int64)
    out["median"] = (at_rank((n - 1) // 2) + at_rank(n // 2)) / 2  # the mean of the two middle values, as pandas
    out["max"] = (width - 1 - (hist[:, ::-1] > 0).argmax(axis=1)).astype(np.int64)
    return out


def _spread_by_groupby(seg_posted: pd.Series, key: pd.Series) -> pd.DataFrame:
    """:func:`_spread` with pandas' groupby: no posted row, segment counts past
    :data:`_HISTOGRAM_SEGMENTS`, a histogram larger than a few times the rows, or a key column of
    Python objects (whose groups' dtype pandas infers from the posted rows)."""
    spread = seg_posted.groupby(key, dropna=False, sort=True).value_counts().unstack(fill_value=0)
    spread = spread.reindex(columns=sorted(spread.columns)).astype(np.int64) if len(spread) else spread
    stats = seg_posted.groupby(key, dropna=False, sort=True).agg(["min", "median", "max"])
    return spread.join(stats) if len(spread) else stats


def _ucs2_chars(text: pd.Series, posted: np.ndarray) -> pd.DataFrame:
    columns = ["char", "name", "recipients", "gsm7"]
    text = text[posted & text.notna().to_numpy(dtype=bool)]
    if not len(text):
        return pd.DataFrame(columns=columns)
    codes, uniques = pd.factorize(text)
    per_text = np.bincount(codes, minlength=len(uniques))
    chars = pd.Series([list(non_gsm_chars(u)) for u in uniques]).explode().dropna()  # per distinct text
    if chars.empty:
        return pd.DataFrame(columns=columns)
    counts = pd.Series(per_text[chars.index.to_numpy()], index=chars.to_numpy()).groupby(level=0, sort=False).sum()
    counts = counts.sort_values(ascending=False, kind="stable")
    return pd.DataFrame(
        {
            "char": counts.index.astype(str),
            "name": [unicodedata.name(c, f"U+{ord(c):04X}") for c in counts.index],
            "recipients": counts.to_numpy(dtype=np.int64),
            "gsm7": [to_gsm7(c) for c in counts.index],
        }
    )


def cost_breakdown(
    report: pd.DataFrame | ReportFacts,
    *,
    message: Any = None,
    price_per_sms: float | None = None,
    by: str | None = "campaign_id",
    segments: int | pd.Series | None = None,
) -> CostBreakdown:
    """Credits spent, what they bought, and what ``to_gsm7`` would have saved.

    Parameters
    ----------
    report : pandas.DataFrame
        A report frame (or its facts).
    message : str, Message, campaign answer or mapping campaign id -> one of those, optional
        The message sent (see the module's description). A text alone is
        counted as sent in UCS-2 when it needs it (``allowUCS2``); give the
        :class:`mfanalytics.Message` or the campaign to say otherwise.
    price_per_sms : float, optional
        Price of one credit (one SMS part), for the ``cost_*`` columns.
    by : str or None
        A column of the frame (``"campaign_id"``, default) or None for one row ``"all"``.
    segments : int or pandas.Series, optional
        Segments per line where no message is known (as in
        :func:`mfanalytics.summarize`); default: the frame's ``segments``
        column, else 1.

    Returns
    -------
    CostBreakdown
        ``table``, ``segments``, ``ucs2`` and ``per_row``.

    Examples
    --------
    >>> cost = cost_breakdown(report, message="Leçon ${PRENOM}", by=None)
    >>> cost.ucs2[["char", "recipients", "gsm7"]].to_dict("records")
    [{'char': 'ç', 'recipients': 300, 'gsm7': 'c'}]
    >>> int(cost.table.loc["all", "credits_saved"])
    0
    """
    if price_per_sms is not None and not (np.isfinite(price_per_sms) and price_per_sms >= 0):
        raise ValidationError(f"price_per_sms must be >= 0, not {price_per_sms!r}", rule="price", field="price_per_sms")
    facts = facts_of(report)
    frame = facts.frame
    posted = facts.sent
    messages = _per_campaign(message, frame)
    fallback = segments_of(frame, segments)
    n = len(frame)
    if messages is None:
        seg = fallback.astype("float64")
        seg7 = seg.copy()
        # no text and no encoding, for every row
        text = encoding = pd.Series(pd.array(pa.nulls(n, pa.large_string()), dtype="string"), index=frame.index)
        basis = np.full(n, _BASES.index("no message"), dtype=np.int8)
    else:
        r = _rendered(messages, frame)
        seg = r["segments"].astype("Float64").fillna(pd.Series(fallback, index=frame.index)).to_numpy(dtype="float64")
        seg7 = r["segments_gsm7"].astype("Float64").fillna(pd.Series(seg, index=frame.index)).to_numpy("float64")
        text, encoding = r["text"], r["encoding"]
        basis = pd.Categorical(r["basis"], categories=_BASES).codes.astype(np.int8)
    present = np.flatnonzero(np.bincount(basis, minlength=len(_BASES)))  # the categories, as astype would name them
    names = sorted(_BASES[i] for i in present)
    renumber = np.zeros(len(_BASES), dtype=np.int8)
    renumber[present] = [names.index(_BASES[i]) for i in present]
    per_row = pd.DataFrame(
        {
            "posted": posted,
            "segments": seg.astype(np.int64),
            "credits": (seg * posted).astype(np.int64),
            "encoding": encoding,
            "segments_gsm7": seg7.astype(np.int64),
            "basis": pd.Categorical.from_codes(
                renumber[basis], categories=pd.Index(names, dtype="str" if names else "object")
            ),
        },
        index=frame.index,
    )
    ind = facts.indicators
    counted = {  # summed per group, each in one bincount
        "recipients": None,
        "posted": posted,
        "credits": per_row["credits"].to_numpy(),
        "credits_gsm7": (seg7 * posted).astype(np.int64),
        "delivered": ind["delivered"],
        "clicked": ind["clicked"],
        "stops": ind["stops"],
        **{
            f"posted_{name.replace(' ', '_')}": posted & (basis == _BASES.index(name))
            for name in ("no message", "lower bound", "estimate")
        },
    }
    if by is not None:
        require(frame, [by])
    key = frame[by] if by is not None else pd.Series("all", index=frame.index, name="group")
    codes, groups = groups_of(key)  # as groupby(key, dropna=False, sort=True) makes them
    table = pd.DataFrame({c: _sums(codes, v, len(groups)) for c, v in counted.items()}, index=groups)
    table["credits_saved"] = table["credits"] - table["credits_gsm7"]
    table.insert(3, "segments_mean", table["credits"] / table["posted"].where(table["posted"] > 0))
    price = np.nan if price_per_sms is None else float(price_per_sms)
    table["cost"] = table["credits"] * price
    for what, col in (("delivered", "delivered"), ("click", "clicked"), ("stop", "stops")):
        den = table[col].where(table[col] > 0).astype("float64")
        table[f"credits_per_{what}"] = table["credits"] / den
        table[f"cost_per_{what}"] = table["cost"] / den
    return CostBreakdown(
        table=table,
        segments=_spread(codes, groups, per_row["segments"].to_numpy(), posted, key),
        ucs2=_ucs2_chars(text, posted),
        per_row=per_row,
        price_per_sms=price_per_sms,
    )
