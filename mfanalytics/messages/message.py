"""The SMS message: encoding, length, segments, personalisation and the rules
the Mediasflow API applies to a message before it sends anything (the sender
and scheduleOn rules are in :mod:`mfanalytics.messages.campaign_rules`).

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

import functools
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mfanalytics.errors import RULE_SURROGATE, MessageError, ValidationError
from mfanalytics.messages.gsm7 import (
    EMOTICONS,
    GSM7_CHARS,
    transliterate_char,
)
from mfanalytics.messages.renderers import RENDERERS, Piece, parse_template, renderer_of
from mfanalytics.messages.segments import count_arrow, count_one

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

_SINGLE = {"GSM-7": 160, "UCS-2": 70}
_PART = {"GSM-7": 153, "UCS-2": 67}
_MAX_SEGMENTS = 6


# --------------------------------------------------------------------------
# characters
def _check_text(text: object, field: str = "text") -> str:
    if not isinstance(text, str):
        raise MessageError(f"the message must be a str, not {type(text).__name__}", rule="text-type", field=field)
    bad = _LONE_SURROGATE.search(text)
    if bad:
        raise MessageError(
            f"the text holds a lone surrogate (U+{ord(bad.group()):04X}) at character {bad.start() + 1}: "
            "it is half of an emoji or symbol, cut off; no phone can show it, so fix the text",
            rule=RULE_SURROGATE,
            field=field,
        )
    return text


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def to_gsm7(text: str) -> str:
    """Replace non-GSM-7 characters by GSM-7 look-alikes (autoREPLACETOGSM7).

    ``ç â ê ë î ï ô û`` lose their accent, ``œ`` becomes ``oe``, typographic
    quotes, dashes, ellipsis and no-break spaces become their ASCII forms.
    Characters with no GSM-7 equivalent (emoji, CJK...) are kept. GSM-7
    characters are never touched (``é``, ``à``, ``Ç`` stay). Idempotent.

    Examples
    --------
    >>> to_gsm7("Leçon « crème brûlée » – 5\\u00a0€…")
    'Lecon " crème brulée " - 5 €...'
    """
    text = _check_text(text)
    for _ in range(8):  # NFC can recompose a letter and a stray accent: reach the fixpoint
        if GSM7_CHARS.issuperset(text):
            return text
        composed = unicodedata.normalize("NFC", text)
        table = {ord(c): transliterate_char(c) for c in set(composed) - GSM7_CHARS}
        new = unicodedata.normalize("NFC", composed.translate(table))
        if new == text:
            return new
        text = new
    return text


@functools.cache
def _emoticon_regex() -> re.Pattern:
    alternatives = "|".join(re.escape(e) for e, _ in sorted(EMOTICONS, key=lambda p: -len(p[0])))
    return re.compile(rf"(?<![^\s(\[])({alternatives})(?![^\s.,;:!?)\]])")


def replace_emoji(text: str) -> str:
    """Replace emoticons by emoji (autoREPLACEEMOJI), e.g. ``:-)`` -> 😊.

    Only whole tokens are replaced, so URLs and times are left alone. The API
    applies this only when allowUCS2 is true; :class:`Message` does the same.

    Examples
    --------
    >>> replace_emoji("Merci :-) à 10:30, https://x.fr <3")
    'Merci 😊 à 10:30, https://x.fr ❤️'
    """
    emoji = dict(EMOTICONS)
    return _emoticon_regex().sub(lambda m: emoji[m.group(1)], _check_text(text))


def non_gsm_chars(text: str) -> tuple[str, ...]:
    """Distinct characters of text that GSM-7 cannot encode, in order of appearance.

    Examples
    --------
    >>> non_gsm_chars("Leçon à l'hôtel Ça 😀")
    ('ç', 'ô', '😀')
    """
    return tuple(dict.fromkeys(c for c in _check_text(text) if c not in GSM7_CHARS))


def max_length(encoding: str, max_segments: int = 1) -> int:
    """Longest message the account accepts for an encoding and a number of SMS.

    160 (GSM-7) or 70 (UCS-2) for one SMS; 153 or 67 per SMS beyond, up to 6
    (918 / 402).

    Examples
    --------
    >>> max_length("GSM-7"), max_length("GSM-7", 6), max_length("UCS-2", 2)
    (160, 918, 134)
    """
    enc = _encoding_name(encoding)
    if (
        isinstance(max_segments, bool)
        or not isinstance(max_segments, (int, np.integer))
        or not 1 <= max_segments <= _MAX_SEGMENTS
    ):
        raise MessageError(
            f"max_segments must be an integer from 1 to {_MAX_SEGMENTS}, got {max_segments!r}",
            rule="max-segments",
            field="max_segments",
        )
    return _SINGLE[enc] if max_segments == 1 else _PART[enc] * int(max_segments)


def _encoding_name(encoding: str) -> str:
    key = str(encoding).upper().replace("-", "").replace("_", "")
    names = {"GSM7": "GSM-7", "GSM": "GSM-7", "UCS2": "UCS-2"}
    if key not in names:
        raise MessageError(f"unknown encoding {encoding!r}: use 'GSM-7' or 'UCS-2'", rule="encoding", field="encoding")
    return names[key]


# --------------------------------------------------------------------------
# segments
def _as_arrow(texts) -> pa.Array:
    if isinstance(texts, (pa.Array, pa.ChunkedArray)):
        arr = texts
    elif isinstance(texts, pd.Series) and isinstance(texts.dtype, (pd.StringDtype, pd.ArrowDtype)):
        arr = pa.array(texts)
    else:
        values = texts.to_numpy(dtype=object) if isinstance(texts, pd.Series) else list(texts)
        try:
            arr = pa.array(values, type=pa.large_string(), from_pandas=True)
        except UnicodeEncodeError:
            line = next(i + 1 for i, v in enumerate(values) if isinstance(v, str) and _LONE_SURROGATE.search(v))
            raise MessageError(
                f"text {line} holds a lone surrogate (half of an emoji, cut off): fix the text",
                rule=RULE_SURROGATE,
                field="texts",
                line=line,
            ) from None
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as exc:
            line = next((i + 1 for i, v in enumerate(values) if not isinstance(v, str) and not pd.isna(v)), None)
            raise MessageError(
                f"every text must be a str; item {line} is not ({exc})", rule="text-type", field="texts", line=line
            ) from None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        raise MessageError(f"texts must be strings, not {arr.type}", rule="text-type", field="texts")
    return arr


def count_segments(texts: Iterable[str] | pd.Series) -> pd.DataFrame:
    """Encoding, length and number of SMS of each text, vectorised and exact.

    Parameters
    ----------
    texts : iterable of str or pandas.Series
        The messages, as sent (already personalised). A single ``str`` counts as
        one message. Missing values give missing counts.

    Returns
    -------
    pandas.DataFrame
        ``encoding`` (category ``GSM-7``/``UCS-2``), ``length`` (Int32: septets
        for GSM-7, UTF-16 units for UCS-2) and ``segments`` (Int32), aligned with
        the index of a Series input.

    Examples
    --------
    >>> count_segments(["Bonjour", "€" * 80, "€" * 81, "Leçon"])
      encoding  length  segments
    0    GSM-7       7         1
    1    GSM-7     160         1
    2    GSM-7     162         2
    3    UCS-2       5         1
    """
    index = texts.index if isinstance(texts, pd.Series) else None
    if isinstance(texts, str):
        texts = [texts]
    is_gsm, length, segments, valid = count_arrow(_as_arrow(texts))
    return _counts_frame(is_gsm, length, segments, valid, index)


def _counts_frame(is_gsm, length, segments, valid, index) -> pd.DataFrame:
    codes = np.where(valid, np.where(is_gsm, 0, 1), -1).astype(np.int8)
    return pd.DataFrame(
        {
            "encoding": pd.Categorical.from_codes(codes, categories=["GSM-7", "UCS-2"]),
            "length": pd.arrays.IntegerArray(length.astype(np.int32), ~valid),
            "segments": pd.arrays.IntegerArray(segments.astype(np.int32), ~valid),
        },
        index=index,
    )


# --------------------------------------------------------------------------
# the message
def _recipients_frame(recipients) -> pd.DataFrame:
    if isinstance(getattr(recipients, "recipients", None), pd.DataFrame):
        return recipients.recipients  # the result of clean_recipients
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


def _lookup(name: str, keys) -> object | None:
    keys = list(keys)
    if name in keys:
        return name
    folded = [k for k in keys if str(k).casefold() == name.casefold()]
    return folded[0] if folded else None


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
        self.text = _check_text(text, "msg")
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

    def render(self, recipients: pd.DataFrame | list[dict], *, max_segments: int = 1) -> pd.DataFrame:
        """Personalise the message for every recipient and count each SMS.

        Returns a frame aligned with the recipients' index: ``text`` (string),
        ``encoding``, ``length``, ``segments``, ``error_code`` (Int16: NA, 5
        personalisation error, 6 character outside GSM-7 with allow_ucs2 false,
        7 too long for ``max_segments``) and ``error`` (what went wrong, NA when
        the row is fine). A field is looked up by exact column name, then
        case-insensitively; an empty value falls back to ``defaults``.
        """
        limits = {enc: max_length(enc, max_segments) for enc in ("GSM-7", "UCS-2")}
        frame = _recipients_frame(recipients)
        n = len(frame)
        code5 = np.zeros(n, dtype=bool)
        err5 = np.full(n, None, dtype=object)
        err6 = np.full(n, None, dtype=object)
        values: dict[str, pa.Array | str] = {}
        for name in self.fields:
            column, default = _lookup(name, frame.columns), self._default(name)
            if column is None:
                values[name] = default or ""
                if default is None:
                    err5[~code5] = f"field {name!r} is neither a column of the recipients nor in defaults"
                    code5[:] = True
                continue
            series = frame[column].astype("string")
            empty = (series.isna() | (series == "")).to_numpy(dtype=bool, na_value=True)
            if default is not None:
                series = series.mask(empty, default)
            else:
                err5[empty & ~code5] = f"field {name!r} is empty and has no default"
                code5 |= empty
                series = series.fillna("")
            codes, uniques = pd.factorize(series)
            uniques = [to_gsm7(u) if self.auto_replace_gsm7 else u for u in uniques]
            said = [
                f"character(s) outside GSM-7 {''.join(bad)!r} in field {name!r}" if (bad := non_gsm_chars(u)) else None
                for u in uniques
            ]
            said = np.array(said + [None], dtype=object)[codes]  # per distinct value, not per row
            hit = pd.notna(said) & pd.isna(err6)
            err6[hit] = said[hit]
            values[name] = (uniques, pa.array(codes))
        pieces = []
        escape = self._renderer.escape
        for piece, part in self._parts:
            value = piece if part.field is None else values.get(part.field, self._fill(piece, part))
            if isinstance(value, tuple):  # (distinct values, codes): escape per distinct value
                uniques, codes = value
                if part.escape and escape is not None:
                    uniques = [escape(u) for u in uniques]
                value = pa.array(uniques, type=pa.large_string()).take(codes)
            elif part.escape and escape is not None and part.field is not None and part.track is None:
                value = escape(value)
            pieces.append(value if isinstance(value, pa.Array) else pa.scalar(value, pa.large_string()))
        if any(isinstance(p, pa.Array) for p in pieces):
            text = pc.binary_join_element_wise(*pieces, pa.scalar("", pa.large_string()))
        else:
            text = pa.repeat(pa.scalar("".join(p.as_py() for p in pieces), pa.large_string()), n)
        is_gsm, length, segments, _ = count_arrow(text)
        code6 = ~is_gsm & (not self.allow_ucs2)
        if self._literal_non_gsm:
            err6[:] = f"character(s) outside GSM-7 {''.join(self._literal_non_gsm)!r} in the message text"
        limit = np.where(is_gsm, limits["GSM-7"], limits["UCS-2"])
        code7 = (segments > max_segments) | (length > limit)
        code = np.select([code5, code6, code7], [5, 6, 7], 0).astype(np.int16)
        error = np.where(code5, err5, np.where(code6, err6, None))
        if code7.any():
            only7 = np.flatnonzero(code == 7)
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
        counts = _counts_frame(is_gsm, length, segments, np.ones(n, dtype=bool), frame.index)
        counts.insert(0, "text", pd.arrays.ArrowStringArray(text))
        counts["error_code"] = pd.arrays.IntegerArray(code, code == 0)
        counts["error"] = pd.array(error, dtype="string")
        return counts

    def _limit(self) -> int:
        return max_length(self.encoding, min(max(self.segments, 1), _MAX_SEGMENTS))

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


@dataclass(frozen=True, repr=False)
class CreditEstimate:
    """What a campaign would cost: one credit per SMS segment per sendable recipient."""

    recipients: int
    sendable: int
    credits: int
    segments: dict[int, int] = dc_field(default_factory=dict)  # segments -> recipients
    errors: dict[int, int] = dc_field(default_factory=dict)  # error code -> recipients
    encoding: str = "GSM-7"  # "GSM-7", "UCS-2" or "mixed" (per recipient)
    estimate_reason: str | None = None  # why the figures are estimates (renderer logic), or None

    @property
    def is_estimate(self) -> bool:
        """True when the message uses renderer logic that was not evaluated."""
        return self.estimate_reason is not None

    def __repr__(self) -> str:
        parts = [
            f"{self.recipients:,} recipients",
            f"{self.sendable:,} sendable",
            f"{self.credits:,} credits",
            self.encoding,
        ]
        if self.estimate_reason:
            parts.append("estimate: renderer logic not evaluated")
        if self.segments:
            parts.append(", ".join(f"{c:,} × {s} SMS" for s, c in self.segments.items()))
        if self.errors:
            parts.append("errors " + ", ".join(f"code {k}: {v:,}" for k, v in self.errors.items()))
        return "CreditEstimate(" + " · ".join(parts) + ")"


def estimate_credits(message: Message | str, recipients, *, max_segments: int = 1) -> CreditEstimate:
    """Estimate the credits a campaign costs before sending it.

    Parameters
    ----------
    message : Message or str
    recipients : int, DataFrame, list of dict, or the result of clean_recipients
        With a count only, every recipient gets the message as counted by
        :class:`Message` (fields as their default, empty without: a lower bound).
    max_segments : int
        The account's maximum number of SMS per message (1 to 6).

    Examples
    --------
    >>> estimate_credits("a" * 200, 1000, max_segments=2)
    CreditEstimate(1,000 recipients · 1,000 sendable · 2,000 credits · GSM-7 · 1,000 × 2 SMS)
    >>> estimate_credits("a" * 200, 1000)
    CreditEstimate(1,000 recipients · 0 sendable · 0 credits · GSM-7 · errors code 7: 1,000)
    """
    msg = message if isinstance(message, Message) else Message(message)
    max_length(msg.encoding, max_segments)
    if isinstance(recipients, (int, np.integer)) and not isinstance(recipients, bool):
        n = int(recipients)
        if n < 0:
            raise ValidationError(
                f"the number of recipients cannot be negative ({n})", rule="recipients", field="recipients"
            )
        try:
            msg.check(max_segments=max_segments)
        except MessageError as exc:
            if exc.rule == "empty":
                raise
            code = 6 if exc.rule == "non-gsm-characters" else 7
            return CreditEstimate(n, 0, 0, {}, {code: n} if n else {}, msg.encoding, msg.estimate_reason)
        return CreditEstimate(
            n, n, n * msg.segments, {msg.segments: n} if n else {}, {}, msg.encoding, msg.estimate_reason
        )
    rendered = msg.render(recipients, max_segments=max_segments)
    ok = rendered["error_code"].isna().to_numpy()
    segs = rendered["segments"].to_numpy(dtype=np.int64)[ok]
    encs = set(rendered["encoding"][ok].astype(str).unique())
    per = pd.Series(segs).value_counts().sort_index()
    errs = rendered["error_code"].dropna().astype(int).value_counts().sort_index()
    return CreditEstimate(
        recipients=len(rendered),
        sendable=int(ok.sum()),
        credits=int(segs.sum()),
        segments={int(k): int(v) for k, v in per.items()},
        errors={int(k): int(v) for k, v in errs.items()},
        encoding=encs.pop() if len(encs) == 1 else ("mixed" if encs else msg.encoding),
        estimate_reason=msg.estimate_reason,
    )
