"""The SMS message: :class:`Message`, a text with the options of ``/campaigns/inject`` that change
what is sent, counted and personalised for each recipient.

The rules a message meets before anything is sent live beside it: characters
(:mod:`~mfanalytics.messages.characters`), segments (:mod:`~mfanalytics.messages.segments`),
credits (:mod:`~mfanalytics.messages.credits`), sender and scheduleOn
(:mod:`~mfanalytics.messages.campaign_rules`). Their public names are importable from here too,
as they were in 0.1 (``mfanalytics.sms``).

GSM-7 carries 160 septets in one SMS and 153 per part beyond (extension
characters such as ``€ { } [ ] ~ \\ ^ |`` cost two); UCS-2 carries 70 UTF-16
units, 67 per part. A part never splits an escape sequence, a surrogate pair or
a grapheme cluster. Counts agree message for message with Twilio's open-source
calculator (``sms-segments-calculator``, smart encoding off).

Examples
--------
>>> from mfanalytics.messages.message import Message, count_segments
>>> Message("Bonjour ${PRENOM}, -20% ce week-end !").fields
('PRENOM',)
>>> count_segments(["Leçon", "Ça va", "a" * 161]).to_dict("list")["segments"]
[1, 1, 2]
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mfanalytics.errors import MessageError, ValidationError
from mfanalytics.messages.characters import check_text, non_gsm_chars, replace_emoji, to_gsm7
from mfanalytics.messages.credits import CreditEstimate, estimate_credits
from mfanalytics.messages.gsm7 import GSM7_CHARS
from mfanalytics.messages.parts import count_one
from mfanalytics.messages.renderers import RENDERERS, Piece, parse_template, renderer_of
from mfanalytics.messages.segments import (
    MAX_SEGMENTS,
    Bools,
    Ints,
    character_counts,
    count_segments,
    counts_frame,
    counts_of,
    max_length,
)
from mfanalytics.threads import in_order

#: Recipients rendered at a time by :meth:`Message.render`.
RENDER_ROWS = 1 << 18

__all__ = [
    "TRACK_PLACEHOLDER",
    "RENDERERS",
    "to_gsm7",
    "replace_emoji",
    "non_gsm_chars",
    "count_segments",
    "max_length",
    "Message",
    "CreditEstimate",
    "estimate_credits",
]

#: What ``${track_N}`` renders to for counting: the platform substitutes a short
#: link of the same length (22 GSM-7 characters).
TRACK_PLACEHOLDER: str = "https://1mf.eu/xxxxxxx"

Objects: TypeAlias = npt.NDArray[np.object_]


def recipients_frame(recipients: Any) -> pd.DataFrame:
    """The recipients as a frame: a DataFrame, the result of clean_recipients, or the API's list of dicts."""
    if isinstance(getattr(recipients, "recipients", None), pd.DataFrame):
        cleaned: pd.DataFrame = recipients.recipients  # the result of clean_recipients
        return cleaned
    if isinstance(recipients, pd.DataFrame):
        return recipients
    if isinstance(recipients, (list, tuple)) and all(isinstance(r, Mapping) for r in recipients):
        rows = []
        for r in recipients:  # flatten the API's listRecipient extendedKeys
            row = {k: v for k, v in r.items() if k != "extendedKeys"}
            for item in r.get("extendedKeys") or ():
                if "keyName" in item:
                    row[item["keyName"]] = item.get("keyValue")
                else:
                    row.update(item)
            rows.append(row)
        return pd.DataFrame(rows)
    raise ValidationError(
        "recipients must be a DataFrame, a list of dicts or the result of "
        f"clean_recipients, not {type(recipients).__name__}",
        rule="recipients",
        field="recipients",
    )


def _lookup(name: str, keys: Iterable[Any]) -> Any:
    keys = list(keys)
    if name in keys:
        return name
    folded = [k for k in keys if str(k).casefold() == name.casefold()]
    return folded[0] if folded else None


def _distinct_rows(columns: list[Ints]) -> tuple[Ints, Ints]:
    """``(inverse, first)``: rows numbered by their distinct combination of codes, and the first row of each."""
    key = columns[0]
    size = int(key.max(initial=-1)) + 1
    for codes in columns[1:]:
        width = int(codes.max(initial=-1)) + 1
        key, size = key * width + codes, size * width
        if size > 4 * len(key) + 1024:  # too many possible combinations for a table: number those seen
            key = pd.factorize(key)[0].astype(np.int64)
            size = int(key.max(initial=-1)) + 1
    seen = np.zeros(size, dtype=bool)
    seen[key] = True
    inverse = (np.cumsum(seen) - 1)[key]
    first = np.zeros(int(seen.sum()), dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(inverse) - 1, -1, -1)
    return inverse.astype(np.int64), first


class Message:
    """An SMS text with the options of ``/campaigns/inject`` that change what is sent.

    Parameters
    ----------
    text : str
        The message (``msg``), with fields written as the renderer writes them
        (:data:`mfanalytics.messages.renderers.RENDERERS`); ``${track_N}`` is a short link
        under every renderer, counted as :data:`TRACK_PLACEHOLDER`.
    allow_ucs2, auto_replace_gsm7, auto_replace_emoji : bool
        allowUCS2, autoREPLACETOGSM7 and autoREPLACEEMOJI (the latter only acts
        when allow_ucs2 is true, as on the platform).
    renderer : {"BASIC", "MEDIASFLOW", "MEDIASFLOW_B", "HANDLEBARS", "EJS", "VELOCITY"}
        ``${F}``, ``$$[F]``, ``$$[record]F$$``, ``{{F}}``, ``<%= F %>``, ``$F``.
        Handlebars ``{{F}}`` and EJS ``<%= F %>`` HTML-escape the value as those
        engines do (``{{{F}}}`` and ``<%- F %>`` do not). Logic of the renderer
        (Handlebars helpers and blocks, Velocity directives, EJS code) is not
        evaluated: it is counted as written and :attr:`is_estimate` is true.
    defaults : mapping, optional
        defaultForHeader: the value used when a field is empty for a recipient.

    Attributes
    ----------
    content : str
        The text after automatic replacements (placeholders kept).
    encoding, length, segments
        Counted on the content with links as :data:`TRACK_PLACEHOLDER` and fields
        as their default (empty without one); :meth:`render` counts each recipient.
    non_gsm_chars : tuple of str
        Characters of that text outside GSM-7.
    fields : tuple of str
        Personalisation fields used, in order (``track_N`` excluded).
    tracks : tuple of int
        N of each ``${track_N}`` link, in order of first use.
    logic : tuple of str
        Constructs of the renderer beyond field substitution, as written.
    is_estimate, estimate_reason
        Whether counts are estimates because of that logic, and why.

    Examples
    --------
    >>> m = Message("Bonjour ${PRENOM}, -20% chez Lecoq : ${track_1}")
    >>> m
    Message('Bonjour ${PRENOM}, -20% chez Lecoq : ${track_1}')  # 50 / 160 · GSM-7 · 1 SMS · fields PRENOM
    >>> m.render([{"prenom": "Zoé"}, {"prenom": "François"}])[["length", "error_code"]]
       length  error_code
    0      53        <NA>
    1      58           6
    """

    def __init__(
        self,
        text: str,
        *,
        allow_ucs2: bool = False,
        auto_replace_gsm7: bool = False,
        auto_replace_emoji: bool = False,
        renderer: str = "BASIC",
        defaults: Mapping[str, str] | None = None,
    ) -> None:
        self.text = check_text(text, "msg")
        self.allow_ucs2 = bool(allow_ucs2)
        self.auto_replace_gsm7 = bool(auto_replace_gsm7)
        self.auto_replace_emoji = bool(auto_replace_emoji)
        self._renderer = renderer_of(renderer)
        self.renderer = self._renderer.name
        if defaults is not None and not isinstance(defaults, Mapping):
            raise MessageError(
                "defaults must be a mapping of field name to value", rule="defaults", field="defaultForHeader"
            )
        self.defaults = {str(k): str(v) for k, v in (defaults or {}).items() if v is not None}
        source = replace_emoji(self.text) if self.auto_replace_emoji and self.allow_ucs2 else self.text
        template = parse_template(source, self._renderer)
        self._parts = [
            (to_gsm7(p.text) if self.auto_replace_gsm7 and p.field is None else p.text, p) for p in template.pieces
        ]
        self.content = "".join(s for s, _ in self._parts)
        self.fields = template.fields
        self.tracks = template.tracks
        self.logic = template.logic
        self.estimate_reason = template.logic_reason
        self._literal_non_gsm = non_gsm_chars("".join(s for s, p in self._parts if p.field is None))
        fixed = "".join(self._fill(s, p) for s, p in self._parts)
        self.encoding, self.length, self.segments = count_one(fixed)
        self.non_gsm_chars = non_gsm_chars(fixed)

    @property
    def is_estimate(self) -> bool:
        """True when the text uses logic of its renderer (helpers, directives, code) that
        mfanalytics does not evaluate: counts and prices are then estimates
        (:attr:`estimate_reason` says why)."""
        return self.estimate_reason is not None

    def _default(self, name: str, escape: bool = False) -> str | None:
        key = _lookup(name, self.defaults)
        if key is None:
            return None
        value = to_gsm7(self.defaults[key]) if self.auto_replace_gsm7 else self.defaults[key]
        return self._renderer.escape(value) if escape and self._renderer.escape else value

    def _fill(self, piece: str, part: Piece) -> str:
        if part.field is None:
            return piece
        if part.track is not None:
            return TRACK_PLACEHOLDER
        return self._default(part.field, part.escape) or ""

    def check(self, *, max_segments: int = 1) -> Message:
        """Raise :class:`MessageError` if the platform would refuse the message; return self.

        ``rule`` is ``empty``, ``non-gsm-characters`` (allow_ucs2 false and a
        character outside GSM-7 in the text itself) or ``too-long``.
        """
        limit = max_length(self.encoding, max_segments)
        if not self.content.strip():
            raise MessageError("the message is empty", rule="empty", field="msg")
        if not self.allow_ucs2 and self._literal_non_gsm:
            chars = ", ".join(repr(c) for c in self._literal_non_gsm)
            fixable = [c for c in self._literal_non_gsm if to_gsm7(c) != c]
            hint = (
                f"auto_replace_gsm7=True would replace {', '.join(map(repr, fixable))}; "
                if fixable and not self.auto_replace_gsm7
                else ""
            )
            raise MessageError(
                f"the message holds characters outside GSM-7 ({chars}) and "
                f"allow_ucs2 is False, so the campaign would not be sent; {hint}"
                "allow_ucs2=True sends it in UCS-2 (70 characters per SMS)",
                rule="non-gsm-characters",
                field="msg",
            )
        if self.segments > max_segments or self.length > limit:
            note = " (fields counted with their default, empty without)" if self.fields else ""
            raise MessageError(
                f"the message is {self.length} {self.encoding} characters, "
                f"{self.segments} SMS{note}; the account allows {limit} "
                f"({max_segments} SMS)",
                rule="too-long",
                field="msg",
            )
        return self

    def render(self, recipients: Any, *, max_segments: int = 1) -> pd.DataFrame:
        """Personalise the message for every recipient and count each SMS.

        Returns a frame aligned with the recipients' index: ``text`` (string),
        ``encoding``, ``length``, ``segments``, ``error_code`` (Int16: NA, 5
        personalisation error, 6 character outside GSM-7 with allow_ucs2 false,
        7 too long for ``max_segments``) and ``error`` (what went wrong, NA when
        the row is fine). A field is looked up by exact column name, then
        case-insensitively; an empty value falls back to ``defaults``.

        Each field is read once per distinct value: its characters are counted
        per distinct value, and a text's counts are the sums over its pieces.
        The recipients are rendered :data:`RENDER_ROWS` at a time: the arrays of
        a chunk are freed for the next, so that a list of millions does not make
        the system zero gigabytes of fresh memory (a row's result is its own).
        Two chunks are rendered at once, in threads (:mod:`mfanalytics.threads`).
        """
        frame = recipients_frame(recipients)
        if len(frame) <= RENDER_ROWS:
            return self._render(frame, max_segments)
        chunks = range(0, len(frame), RENDER_ROWS)
        return pd.concat(
            list(in_order(lambda at: self._render(frame.iloc[at : at + RENDER_ROWS], max_segments), chunks))
        )

    def _render(self, frame: pd.DataFrame, max_segments: int) -> pd.DataFrame:
        limits = {enc: max_length(enc, max_segments) for enc in ("GSM-7", "UCS-2")}
        n = len(frame)
        code5 = np.zeros(n, dtype=bool)
        err5 = np.full(n, None, dtype=object)
        err6 = np.full(n, None, dtype=object)
        values = {name: self._field_values(name, frame, code5, err5, err6) for name in self.fields}
        # the pieces: a literal joins the field before it (its distinct values), so the per-row join is short
        escape = self._renderer.escape
        head = ""  # literals before the first field
        columns: list[tuple[list[str], Ints]] = []
        for piece, part in self._parts:
            value = piece if part.field is None else values.get(part.field, self._fill(piece, part))
            if isinstance(value, tuple):  # (distinct values, codes): escaped per distinct value
                uniques, codes = value
                if part.escape and escape is not None:
                    uniques = [escape(u) for u in uniques]
                columns.append((uniques, codes))
                continue
            if part.escape and escape is not None and part.field is not None and part.track is None:
                value = escape(value)
            if columns:
                columns[-1] = ([u + value for u in columns[-1][0]], columns[-1][1])
            else:
                head += value
        if columns:
            columns[0] = ([head + u for u in columns[0][0]], columns[0][1])
            inverse, first = _distinct_rows([codes for _, codes in columns])
            # each distinct text is built and counted once, then taken for every row that has it
            arrays = [pa.array(u, type=pa.large_string()).take(pa.array(codes[first])) for u, codes in columns]
            distinct = (
                arrays[0]
                if len(arrays) == 1
                else pc.binary_join_element_wise(*arrays, pa.scalar("", pa.large_string()))
            )
        else:
            inverse, first = np.zeros(n, dtype=np.int64), np.zeros(min(n, 1), dtype=np.int64)
            distinct = pa.array([head] * len(first), type=pa.large_string())
        once = np.ones(len(distinct), dtype=bool)
        gsm_once, length_once, segments_once = counts_of(character_counts(distinct), distinct, once)
        is_gsm, length, segments = gsm_once[inverse], length_once[inverse], segments_once[inverse]
        text = distinct.take(pa.array(inverse))
        code6 = ~is_gsm & (not self.allow_ucs2)
        if self._literal_non_gsm:
            err6[:] = f"character(s) outside GSM-7 {''.join(self._literal_non_gsm)!r} in the message text"
        limit = np.where(is_gsm, limits["GSM-7"], limits["UCS-2"])
        code7 = (segments > max_segments) | (length > limit)
        code = np.select([code5, code6, code7], [5, 6, 7], 0).astype(np.int16)
        error = np.full(n, None, dtype=object)
        error[code6] = err6[code6]
        error[code5] = err5[code5]
        only7 = np.flatnonzero(code == 7)
        if len(only7):
            enc = np.where(is_gsm[only7], "GSM-7", "UCS-2")
            error[only7] = (
                pd.Series(length[only7]).astype(str)
                + " "
                + enc
                + " characters, "
                + pd.Series(segments[only7]).astype(str)
                + " SMS; over the "
                + pd.Series(limit[only7]).astype(str)
                + f" allowed ({max_segments} SMS)"
            ).to_numpy(dtype=object)
        counts = counts_frame(is_gsm, length, segments, np.ones(n, dtype=bool), frame.index)
        counts.insert(0, "text", pd.Series(pd.arrays.ArrowStringArray(text), index=frame.index))
        counts["error_code"] = pd.arrays.IntegerArray(code, code == 0)
        counts["error"] = pd.arrays.ArrowStringArray(pa.array(error, type=pa.large_string(), from_pandas=True))
        return counts

    def _field_values(
        self, name: str, frame: pd.DataFrame, code5: Bools, err5: Objects, err6: Objects
    ) -> str | tuple[list[str], Ints]:
        """A field's value for every recipient: one string for all, or ``(distinct values, codes)``.

        Marks in place the rows where the field is missing (code 5) or holds a character outside GSM-7.
        """
        column, default = _lookup(name, frame.columns), self._default(name)
        if column is None:
            if default is None:
                err5[~code5] = f"field {name!r} is neither a column of the recipients nor in defaults"
                code5[:] = True
            return default or ""
        codes, distinct = pd.factorize(frame[column], use_na_sentinel=True)
        # the column's values as text (the conversion of astype("string")), once per distinct value;
        # the last one stands for the missing values
        texts = [*pd.Series(distinct).astype("string").fillna("").tolist(), ""]
        codes = np.where(codes < 0, len(texts) - 1, codes)
        empty = np.array([t == "" for t in texts], dtype=bool)
        if default is not None:
            texts = [default if e else t for t, e in zip(texts, empty)]
        else:
            missing = empty[codes]
            err5[missing & ~code5] = f"field {name!r} is empty and has no default"
            code5 |= missing
        uniques = [to_gsm7(u) if self.auto_replace_gsm7 else u for u in texts]
        said = [
            f"character(s) outside GSM-7 {''.join(bad)!r} in field {name!r}" if (bad := non_gsm_chars(u)) else None
            for u in uniques
        ]
        hit = np.array([x is not None for x in said], dtype=bool)[codes] & np.equal(
            err6, np.array(None)
        )  # the first field says
        err6[hit] = np.array(said, dtype=object)[codes[hit]]  # per distinct value, not per row
        return uniques, codes.astype(np.int64)

    def _limit(self) -> int:
        return max_length(self.encoding, min(max(self.segments, 1), MAX_SEGMENTS))

    def __repr__(self) -> str:
        stats = f"{self.length} / {self._limit()} · {self.encoding} · {self.segments} SMS"
        if self.fields:
            stats += " · fields " + ", ".join(self.fields)
        if self._literal_non_gsm and not self.allow_ucs2:
            stats += " · not sendable: " + "".join(self._literal_non_gsm) + " outside GSM-7"
        if self.is_estimate:
            stats += f" · estimate: {self.renderer} logic not evaluated"
        return f"Message({self.content!r})  # {stats}"

    def _repr_html_(self) -> str:
        body = "".join(
            f"<mark>{html.escape(c)}</mark>" if c not in GSM7_CHARS else html.escape(c) for c in self.content
        )
        stats = html.escape(repr(self).split("  # ", 1)[1])
        return f"<div><pre style='white-space:pre-wrap'>{body}</pre><small>{stats}</small></div>"
