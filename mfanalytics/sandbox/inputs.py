"""What the sandbox accepts from a client before any route looks at it: JSON
bodies of bounded depth with finite numbers, whole-number ids, and the
checked options of the ``/_sandbox/`` controls.

Every refusal is a :class:`mfanalytics.errors.ValidationError` naming the
field and the rule, which the app answers as a JSON 400.

Examples
--------
>>> loads('{"campaignId": 1001}')
{'campaignId': 1001}
>>> loads('[' * 40 + ']' * 40)
Traceback (most recent call last):
...
mfanalytics.errors.ValidationError: the JSON nests 40 levels deep; the sandbox reads at most 20 [json-depth; field 'body']
>>> whole_number(1001.0, "campaignId")
1001
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

import numpy as np

from mfanalytics.errors import ValidationError

__all__ = [
    "MAX_JSON_DEPTH",
    "MAX_ID",
    "loads",
    "json_depth",
    "whole_number",
    "optional_string",
    "finite_number",
    "string_list",
]

#: Deepest JSON nesting read (the guide's deepest structure,
#: ``listRecipient`` > recipient > ``extendedKeys`` > key, is 4 levels).
MAX_JSON_DEPTH = 20

#: Largest id a client may send (the guide's ``integer($int64)``).
MAX_ID = 2**63 - 1


def json_depth(text: str | bytes) -> int:
    """How deep ``[`` and ``{`` nest in a JSON text (brackets inside strings
    do not count); vectorised with numpy, so a megabyte body costs little.

    Examples
    --------
    >>> json_depth('{"a": [1, "[[["]}')
    2
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    if b"[" not in data and b"{" not in data:
        return 0
    codes = np.frombuffer(data, dtype=np.uint8)
    steps = _STEP[codes]  # +1 for [ {, -1 for ] }, 0 otherwise: one pass over the text
    brackets = np.flatnonzero(steps)
    quotes = np.flatnonzero(codes == ord('"'))
    if len(quotes) and b"\\" in data:
        # a quote is escaped when an odd run of backslashes ends just before it
        slashes = np.flatnonzero(codes == ord("\\"))
        starts = np.r_[True, np.diff(slashes) != 1]
        run_start = slashes[starts]
        run_end = np.r_[slashes[np.flatnonzero(starts)[1:] - 1], slashes[-1]]
        k = np.searchsorted(run_end, quotes - 1)
        k_ok = k < len(run_end)
        ends_before = np.zeros(len(quotes), dtype=bool)
        ends_before[k_ok] = run_end[k[k_ok]] == quotes[k_ok] - 1
        length = np.zeros(len(quotes), dtype=np.int64)
        length[ends_before] = run_end[k[ends_before]] - run_start[k[ends_before]] + 1
        quotes = quotes[length % 2 == 0]
    outside = np.searchsorted(quotes, brackets) % 2 == 0  # an even number of quotes before it
    return int(np.cumsum(steps[brackets][outside], dtype=np.int64).max(initial=0))


_STEP = np.zeros(256, dtype=np.int8)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1


def _constant(name: str) -> NoReturn:
    raise ValidationError(
        f"{name} is not a JSON number (JSON has no NaN or Infinity)", rule="json-number", field="body"
    )


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValidationError(
            f"the number {text} is out of range (it is not a finite double)", rule="json-number", field="body"
        )
    return value


def loads(text: str, field: str = "body") -> Any:
    """``json.loads`` that refuses what would crash or poison the sandbox:
    nesting deeper than :data:`MAX_JSON_DEPTH`, ``NaN``/``Infinity`` and
    numbers too large for a double (``1e400``).

    Raises ``ValueError`` for text that is not JSON at all (the caller decides
    whether it was meant to be JSON) and :class:`ValidationError` for JSON the
    sandbox refuses.
    """
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ValidationError(
            f"the JSON nests {depth} levels deep; the sandbox reads at most {MAX_JSON_DEPTH}",
            rule="json-depth",
            field=field,
        )
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_float)
    except ValidationError as exc:
        raise ValidationError(str(exc.args[0]), rule=exc.rule, field=field) from None


def whole_number(value: Any, field: str, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """An id as the guide types it (``integer($int64)``): a JSON integer (or a
    number with no fraction, ``1001.0``), or a string of digits (form bodies).
    Booleans, fractions, lists and anything else are refused, never guessed.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValidationError(f"{field} must be a whole number, not {_show(value)}", rule="integer", field=field)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError(f"{field} must be a whole number, not {value!r}", rule="integer", field=field)
        value = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[0-9]{1,19}", text):
            raise ValidationError(f"{field} must be a whole number, not {value[:40]!r}", rule="integer", field=field)
        value = int(text)
    if not minimum <= value <= maximum:
        raise ValidationError(
            f"{field} must be between {minimum} and {maximum}, not {value}", rule="range", field=field
        )
    return int(value)


def finite_number(value: Any, field: str, *, minimum: float, maximum: float) -> float:
    """A JSON number (not a boolean, not a string) in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"{field} must be a number, not {_show(value)}", rule="number", field=field)
    number = float(value)
    if not math.isfinite(number) or not minimum <= number <= maximum:
        raise ValidationError(
            f"{field} must be a number between {minimum:g} and {maximum:g}, not {value!r}", rule="range", field=field
        )
    return number


def optional_string(value: Any, field: str) -> str | None:
    """None or a string; anything else is refused."""
    if value is None or isinstance(value, str):
        return value
    raise ValidationError(f"{field} must be a string, not {_show(value)}", rule="string", field=field)


def string_list(value: Any, field: str) -> list[str]:
    """A list of strings (a single string counts as a list of one)."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"{field} must be a list of strings, not {_show(value)}", rule="string-list", field=field)
    return list(value)


def _show(value: Any) -> str:
    kind = {bool: "a boolean", list: "a list", dict: "an object", type(None): "null"}.get(type(value))
    if kind:
        return kind
    return f"{type(value).__name__} {str(value)[:40]!r}"
