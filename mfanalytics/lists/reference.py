"""The reference: one value at a time, by the `phonenumbers <https://pypi.org/project/phonenumbers/>`_ library.

What :func:`mfanalytics.lists.phones.normalize_mobiles` must give for every value, and what it
calls for the values its fast path does not settle (letters, extensions, full-width digits...)::

    num = phonenumbers.parse(raw, region)
    valid mobile = is_valid_number(num) and number_type(num) in (MOBILE, FIXED_LINE_OR_MOBILE)
    mobile_e164 = format_number(num, E164)

plus the overseas rule for France (:func:`overseas_candidate`).
"""

from __future__ import annotations

import re

import pandas as pd
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from mfanalytics.lists.numbering import EMPTY, INVALID, MOBILE_TYPES, NOT_MOBILE

__all__ = ["OVERSEAS_REGIONS", "is_mobile", "overseas_candidate", "parse_one", "to_e164"]

#: Regions tried, in order, for a 10-digit ``0...`` number that is not a FR mobile.
OVERSEAS_REGIONS: tuple[str, ...] = ("GP", "MQ", "GF", "RE", "YT")

_EMPTY_RE = re.compile("[ \t\n\r\f\v]*")


def is_mobile(num: phonenumbers.PhoneNumber) -> bool:
    """Whether a parsed number is a valid mobile (MOBILE or FIXED_LINE_OR_MOBILE)."""
    return phonenumbers.is_valid_number(num) and phonenumbers.number_type(num) in MOBILE_TYPES


def overseas_candidate(raw: str) -> bool:
    """Whether the overseas rule applies to a value: its ASCII digits (all else ignored) are ten, ``0`` first.

    Such a value that is not a valid FR mobile is parsed again with :data:`OVERSEAS_REGIONS`,
    in order, and the first valid mobile wins.

    Examples
    --------
    >>> overseas_candidate("0692 12 34 56"), overseas_candidate("+262 692 12 34 56")
    (True, False)
    """
    digits = "".join(ch for ch in raw if "0" <= ch <= "9")
    return len(digits) == 10 and digits[0] == "0"


def parse_one(raw: object, region: str) -> tuple[str | None, bool, str | None, int]:
    """The reference for one value: (E.164, valid mobile, country, issue code).

    The issue code is one of :mod:`mfanalytics.lists.numbering`'s (``EMPTY``, ``INVALID``,
    ``NOT_MOBILE``), or -1 for a valid mobile; ``region`` is upper case.

    Examples
    --------
    >>> parse_one("0692 12 34 56", "FR")
    ('+262692123456', True, 'RE', -1)
    """
    if raw is None or raw is pd.NA or (isinstance(raw, float) and raw != raw):
        return None, False, None, EMPTY
    raw = str(raw)
    if _EMPTY_RE.fullmatch(raw):
        return None, False, None, EMPTY
    try:
        num = phonenumbers.parse(raw, region)
    except NumberParseException:
        num = None
    if region == "FR" and not (num is not None and is_mobile(num)) and overseas_candidate(raw):
        for other in OVERSEAS_REGIONS:
            try:
                cand = phonenumbers.parse(raw, other)
            except NumberParseException:
                continue
            if is_mobile(cand):
                num = cand
                break
    if num is None:
        return None, False, None, INVALID
    e164 = phonenumbers.format_number(num, PhoneNumberFormat.E164)
    if is_mobile(num):
        return e164, True, phonenumbers.region_code_for_number(num), -1
    if phonenumbers.is_valid_number(num):
        return e164, False, None, NOT_MOBILE
    return e164, False, None, INVALID


def to_e164(value: str, *, region: str = "FR") -> str | None:
    """E.164 form of one number if it is a valid mobile, else ``None``.

    Same semantics as :func:`mfanalytics.lists.phones.normalize_mobiles` (including the
    overseas rule for France), for one value.

    Examples
    --------
    >>> to_e164("06 12 34 56 78")
    '+33612345678'
    >>> to_e164("0692 12 34 56")
    '+262692123456'
    >>> to_e164("01 42 68 53 00") is None   # a Paris fixed line
    True
    """
    e164, valid, _, _ = parse_one(value, region.upper())
    return e164 if valid else None
