"""A sandbox campaign: its parameters, its recipients (columnar) and the
screening that decides the not-sent codes.

The recipients of a campaign are one DataFrame: internal columns ``__ref``
(REF_LIST), ``__line`` (ID_LINE), ``__raw`` (the number as given), ``__e164``,
``__valid``, ``__country``, then the recipient's own fields (string columns, in
the order first seen). Screening uses the project's rule modules
(:mod:`mfanalytics.lists.phones`, :mod:`mfanalytics.messages.message`): never a second copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mfanalytics.charsets import category_strings
from mfanalytics.errors import RecipientListError, ValidationError
from mfanalytics.sandbox.engine import MAGIC_PREFIX, magic_e164

if TYPE_CHECKING:
    from mfanalytics.lists.phones import Normalized
    from mfanalytics.messages.message import Message

__all__ = [
    "SimCampaign",
    "MOBILE_KEYS",
    "INTERNAL",
    "recipients_from_json",
    "frame_from_list",
    "screen",
    "make_message",
    "flag",
]

#: Keys that hold the number in ``listRecipient`` items and list headers.
MOBILE_KEYS: tuple[str, ...] = ("mobile", "sms", "portable", "gsm")
INTERNAL: tuple[str, ...] = ("__ref", "__line", "__raw", "__e164", "__valid", "__country")
#: Destinations the sandbox has a price for; a recipient the account may reach
#: elsewhere gets code 19 (missing price), as does the magic number +33 6 39 98 00 19.
PRICED_COUNTRIES: frozenset[str] = frozenset(
    {
        "FR",
        "GP",
        "MQ",
        "GF",
        "RE",
        "YT",
        "PM",
        "BL",
        "MF",
        "WF",
        "PF",
        "NC",  # France and overseas
        "BE",
        "CH",
        "LU",
        "MC",
        "AD",
        "DE",
        "AT",
        "NL",
        "IT",
        "ES",
        "PT",
        "IE",
        "GB",
        "DK",
        "SE",
        "FI",
        "NO",
        "IS",
        "PL",
        "CZ",
        "SK",
        "HU",
        "SI",
        "HR",
        "RO",
        "BG",
        "GR",
        "CY",
        "MT",
        "EE",
        "LV",
        "LT",
        "LI",
        "SM",
        "MA",
        "TN",
        "DZ",
        "SN",
        "CI",
        "CM",
        "CA",
    }
)
#: The magic number that has no price (code 19).
MAGIC_NO_PRICE = "+33639980019"
_SKIP_KEYS = {"groupid", "userownerid", "id", "extendedkeys"}


@dataclass
class SimCampaign:
    """The sandbox's record of one campaign (not :class:`mfanalytics.Campaign`, the client's view of
    an answer); ``params`` holds the guide's parameter names."""

    id: int
    owner_id: str
    owner_name: str
    params: dict[str, Any]
    frame: pd.DataFrame
    status: str = "DRAFT"
    created: float = 0.0
    updated: float = 0.0
    schedule_on: float | None = None
    injected_at: float | None = None
    codes: np.ndarray | None = None  # int16 per row, 0 = sent
    segments: np.ndarray | None = None  # int16 per row
    sim: dict[str, np.ndarray] = field(default_factory=dict)  # arrays over sent rows
    stops_applied: float = -1.0  # dt up to which STOP replies reached the blacklist
    counts: dict[str, Any] = field(default_factory=dict)
    #: the last rendering of the message (see :func:`rendering`): its key and its codes and segments
    _rendering: tuple[Any, tuple[np.ndarray, np.ndarray]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def fields(self) -> list[str]:
        """The recipients' own columns."""
        return [c for c in self.frame.columns if c not in INTERNAL]

    @property
    def n_tracks(self) -> int:
        return _n_tracks(self.params.get("tinyList") or [])

    @property
    def preview(self) -> bool:
        return any(bool(flag(t.get("isOG"))) for t in (self.params.get("tinyList") or []) if isinstance(t, dict))

    @property
    def sent_index(self) -> np.ndarray:
        """Row positions of the recipients that were sent, in send order."""
        if self.codes is None:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(self.codes == 0)


def flag(value: Any, default: bool = False) -> bool:
    """A yes/no parameter as the sandbox reads it, everywhere: absent (None) is ``default``;
    text is true when it says ``true``, ``1``, ``yes`` or ``oui`` (any case, spaces ignored).

    >>> flag(" TRUE "), flag("non"), flag(None, True), flag(0)
    (True, False, True, False)
    """
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "oui")
    return bool(value)


def _n_tracks(tiny: list[Any]) -> int:
    n = 0
    for pos, entry in enumerate(tiny):
        index: Any = entry.get("index", pos) if isinstance(entry, dict) else pos
        if isinstance(index, (list, set, tuple)) and index:
            index = next(iter(index))
        try:
            n = max(n, int(index) + 1)
        except (TypeError, ValueError):
            n = max(n, pos + 1)
    return n


def recipients_from_json(items: Any) -> pd.DataFrame:
    """The ``listRecipient`` of a request as a recipients frame.

    Each item holds its number under ``mobile``, ``sms``, ``portable`` or
    ``gsm``; other scalar keys and ``extendedKeys`` (``[{"keyName", "keyValue"}]``
    or ``[{"NAME": value}]``) become fields. A bare string is a number.

    Raises
    ------
    RecipientListError
        An item with no number (rule ``no-mobile``, 1-based ``line``).
    """
    if isinstance(items, (dict, str)):
        items = [items]
    if not isinstance(items, list):
        raise RecipientListError("listRecipient must be a list", rule="type", field="listRecipient")
    mobiles: list[str] = []
    rows: list[dict[str, str]] = []
    for line, item in enumerate(items, start=1):
        if isinstance(item, (str, int)):
            mobiles.append(str(item))
            rows.append({})
            continue
        if not isinstance(item, dict):
            raise RecipientListError("each recipient must be an object", rule="type", field="listRecipient", line=line)
        number = None
        row: dict[str, str] = {}
        for key, value in item.items():
            low = str(key).lower()
            if low in MOBILE_KEYS and number is None and value not in (None, ""):
                number = str(value)
            elif low in _SKIP_KEYS or isinstance(value, (dict, list)) or value in (None, ""):
                continue
            else:
                row[str(key)] = str(value)
        for ext in item.get("extendedKeys") or []:
            if not isinstance(ext, dict):
                continue
            if "keyName" in ext:
                row[str(ext["keyName"])] = "" if ext.get("keyValue") is None else str(ext.get("keyValue"))
            else:
                row.update({str(k): "" if v is None else str(v) for k, v in ext.items()})
        if number is None:
            raise RecipientListError(
                "a recipient has no number under mobile, sms, portable or gsm",
                rule="no-mobile",
                field="listRecipient",
                line=line,
            )
        mobiles.append(number)
        rows.append(row)
    fields = pd.DataFrame(rows, dtype="string") if rows else pd.DataFrame()
    frame = pd.DataFrame(
        {
            "__ref": pd.array(["listRecipient"] * len(mobiles), dtype="string"),
            "__line": np.arange(1, len(mobiles) + 1, dtype=np.int64),
            "__raw": pd.array(mobiles, dtype="string"),
        }
    )
    return pd.concat([frame, fields.reset_index(drop=True)], axis=1) if len(fields.columns) else frame


def frame_from_list(data: pd.DataFrame, mobile_column: str, name: str) -> pd.DataFrame:
    """A stored uploaded list as a recipients frame (the number column moves to
    ``__raw``; the normalisation made at upload, ``__e164`` ..., is kept)."""
    n = len(data)
    data = data.reset_index(drop=True)
    out = pd.DataFrame(
        {
            "__ref": pd.Categorical.from_codes(  # type: ignore[call-overload]  # the stubs want int64 codes
                np.zeros(n, dtype=np.int8), categories=[name]
            ),
            "__line": np.arange(1, n + 1, dtype=np.int64),
            "__raw": data[mobile_column].astype("string"),
        }
    )
    for col in ("__e164", "__valid", "__country"):
        if col in data.columns:
            out[col] = data[col]
    others = data.drop(columns=[mobile_column, "__e164", "__valid", "__country"], errors="ignore")
    return pd.concat([out, others], axis=1)


def normalize_numbers(raw: Iterable[Any] | np.ndarray) -> pd.DataFrame:
    """:func:`mfanalytics.lists.phones.normalize_mobiles`, plus the sandbox's magic range.

    Numbers in the magic range (ARCEP fiction numbers, which phonenumbers
    rightly calls invalid) count as valid French mobiles. Same columns as
    ``normalize_mobiles``, with a RangeIndex.
    """
    norm = normalized_numbers(raw)
    return norm.frame(pd.RangeIndex(len(norm.valid)))


def normalized_numbers(raw: Iterable[Any] | np.ndarray) -> Normalized:
    """:func:`normalize_numbers` as :class:`mfanalytics.lists.phones.Normalized` (numbers as integers):
    what :func:`mfanalytics.lists.cleaning.analyze_list` reads, without a frame made and read back."""
    from mfanalytics.lists.phones import normalized

    # Kept as Arrow strings: a Python object per number costs more than the normalisation at millions of rows.
    if isinstance(raw, pd.Series) and isinstance(raw.dtype, pd.StringDtype):
        series = raw.reset_index(drop=True)
    else:
        series = pd.Series(raw if isinstance(raw, np.ndarray) else list(raw), dtype="string")
    norm = normalized(series, region="FR")  # a missing value is "empty", as "" is
    invalid = np.flatnonzero(~norm.valid)
    if len(invalid):  # fiction numbers are invalid for phonenumbers: look only there
        magic = magic_e164(series.iloc[invalid].fillna(""))
        found = pd.notna(magic)
        if found.any():
            numbers = np.array([int(m[1:]) for m in magic[found]], dtype=np.int64)
            norm.mark_mobiles(invalid[found], numbers, "FR")
    return norm


def normalize(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``__e164``, ``__valid``, ``__country`` from :func:`normalize_numbers`
    (rows that already have them, from an uploaded list, keep theirs)."""
    if "__valid" in frame.columns:
        todo = frame["__valid"].isna().to_numpy(dtype=bool)
    else:
        todo = np.ones(len(frame), dtype=bool)
    frame = frame.copy(deep=False)  # copy on write: the caller's frame is never changed
    if not todo.any():
        frame["__valid"] = frame["__valid"].astype(bool)
        return frame
    raw = frame["__raw"].astype("string")
    norm = normalize_numbers(raw if todo.all() else raw[todo])
    valid = norm["mobile_valid"].fillna(False).to_numpy(dtype=bool)
    if todo.all():
        frame["__e164"] = norm["mobile_e164"].astype("string").array
        frame["__valid"] = valid
        frame["__country"] = category_strings(norm["mobile_country"])
        return frame
    e164 = norm["mobile_e164"].astype("string").to_numpy(dtype=object)
    country = np.asarray(category_strings(norm["mobile_country"]), dtype=object)
    # copies: to_numpy may hand back a read-only view of the frame (listsId and listRecipient together)
    out_e164 = np.array(frame["__e164"].astype("string").to_numpy(dtype=object), dtype=object)
    out_valid = np.array(frame["__valid"].to_numpy(dtype=object), dtype=object)
    out_country = np.array(frame["__country"].astype("string").to_numpy(dtype=object), dtype=object)
    out_e164[todo], out_valid[todo], out_country[todo] = e164, valid, country
    frame["__e164"] = pd.array(out_e164, dtype="string")
    frame["__valid"] = out_valid.astype(bool)
    frame["__country"] = pd.array(out_country, dtype="string")
    return frame


def make_message(params: dict[str, Any]) -> Message:
    """The :class:`mfanalytics.messages.message.Message` of a campaign's parameters."""
    from mfanalytics.messages import message as sms

    defaults = params.get("defaultForHeader") or {}
    if not isinstance(defaults, dict):
        raise ValidationError(
            "defaultForHeader must be an object of field: value", rule="type", field="defaultForHeader"
        )
    return sms.Message(
        params.get("msg") or "",
        allow_ucs2=bool(params.get("allowUCS2")),
        auto_replace_gsm7=bool(params.get("autoREPLACETOGSM7")),
        auto_replace_emoji=bool(params.get("autoREPLACEEMOJI")),
        renderer=params.get("renderer") or "BASIC",
        defaults={str(k): str(v) for k, v in defaults.items()},
    )


def screen(
    campaign: SimCampaign,
    *,
    max_segments: int,
    countries: list[str],
    credit: float,
    blacklist: pd.DataFrame,
    global_blacklist: set[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Not-sent code of each recipient (0 = sendable) and its segments.

    Precedence: 2 malformed, 3 destination not allowed, 19 no price for the
    destination (:data:`PRICED_COUNTRIES`, and the magic ``+33 6 39 98 00 19``),
    4 duplicate, 14 account blacklist, 18 brand blacklist, 15 global blacklist,
    5/6/7 from rendering, 8 credit exhausted (in list order).

    Parameters
    ----------
    blacklist : DataFrame
        The owner's MOBILE entries (``item`` in E.164, ``brand``).
    """
    frame = campaign.frame
    n = len(frame)
    codes = np.zeros(n, dtype=np.int16)
    valid = frame["__valid"].to_numpy(dtype=bool)
    numbers = e164_numbers(frame["__e164"], valid)
    codes[~valid] = 2
    allowed = frame["__country"].fillna("").isin(countries).to_numpy(dtype=bool)
    codes[(codes == 0) & ~allowed] = 3
    no_price = ~frame["__country"].fillna("").isin(PRICED_COUNTRIES).to_numpy(dtype=bool)
    no_price |= numbers == int(MAGIC_NO_PRICE[1:])
    codes[(codes == 0) & no_price] = 19
    if flag(campaign.params.get("checkDuplicate", True)):
        codes[(codes == 0) & _repeated(numbers, codes == 0)] = 4
    brand = campaign.params.get("brand") or ""
    if len(blacklist):
        no_brand = blacklist["brand"].fillna("") == ""
        account = e164_numbers(blacklist.loc[no_brand, "item"])
        codes[(codes == 0) & np.isin(numbers, account)] = 14
        if brand:
            branded = e164_numbers(blacklist.loc[blacklist["brand"].fillna("") == brand, "item"])
            codes[(codes == 0) & np.isin(numbers, branded)] = 18
    is_global = (
        np.isin(numbers, e164_numbers(sorted(global_blacklist))) if global_blacklist else np.zeros(n, dtype=bool)
    )
    is_global |= (numbers // 100) == int(MAGIC_PREFIX[1:] + "15")  # +33 6 39 98 15 xx
    codes[(codes == 0) & is_global] = 15
    error, segments = rendering(campaign, max_segments)
    codes[(codes == 0) & (error != 0)] = error[(codes == 0) & (error != 0)]
    sendable = codes == 0
    spent = np.cumsum(np.where(sendable, segments, 0), dtype=np.float64)
    codes[sendable & (spent > credit + 1e-9)] = 8
    return codes, segments


def rendering(campaign: SimCampaign, max_segments: int) -> tuple[np.ndarray, np.ndarray]:
    """(error code 0/5/6/7, segments) of each recipient, from :meth:`mfanalytics.messages.message.Message.render`.

    Cached on the campaign: the text and the fields do not change between
    preparation and injection.
    """
    key = (campaign.params.get("msg"), max_segments)
    cached = campaign._rendering
    if cached is not None and cached[0] == key:
        return cached[1]
    rendered = make_message(campaign.params).render(campaign.frame[campaign.fields], max_segments=max_segments)
    result = (
        rendered["error_code"].fillna(0).to_numpy(dtype=np.int16),
        rendered["segments"].fillna(0).to_numpy(dtype=np.int16),
    )
    campaign._rendering = (key, result)
    return result


def e164_numbers(values: Iterable[Any] | np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """E.164 strings as int64 (``+33612345678`` -> 33612345678); -1 where missing or invalid."""
    arr = pa.array(pd.Series(values, dtype="string").reset_index(drop=True), from_pandas=True, type=pa.string())
    digits = pc.replace_substring(arr, "+", "")
    ok = pc.fill_null(pc.utf8_is_digit(digits), False)
    as_int = pc.cast(pc.if_else(ok, digits, pa.scalar("-1")), pa.int64())
    out: np.ndarray = as_int.to_numpy(zero_copy_only=False)
    if valid is not None:
        out = np.where(valid, out, -1)
    return out


#: Eligible rows per bucket of :func:`_repeated` (the buckets grow in number with the list, by powers of 2).
_BUCKET_ROWS = 1 << 16


def _repeated(numbers: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """True on every eligible row whose number appeared on an earlier eligible row."""
    idx = np.flatnonzero(eligible)
    values = numbers[idx]
    out = np.zeros(len(numbers), dtype=bool)
    # Equal numbers share their low bits: in buckets of them (kept in row order by a stable radix sort of
    # 16-bit bucket numbers), pandas' hash table is the size of a bucket, not of the list (5M rows: 0.25 s
    # against 0.52 s for one table, 0.83 s for the stable argsort of the numbers this replaced).
    buckets = min(1 << 16, 1 << max(0, int(np.ceil(np.log2(max(1, len(values)) / _BUCKET_ROWS)))))
    if buckets == 1:
        out[idx] = pd.Series(values).duplicated(keep="first").to_numpy()
        return out
    bucket = (values & (buckets - 1)).astype(np.uint16)
    order = np.argsort(bucket, kind="stable")
    starts = np.zeros(buckets + 1, dtype=np.int64)
    np.cumsum(np.bincount(bucket, minlength=buckets), out=starts[1:])
    ordered = values[order]
    again = np.zeros(len(values), dtype=bool)
    for lo, hi in zip(starts[:-1].tolist(), starts[1:].tolist()):
        if hi - lo > 1:
            again[lo:hi] = pd.Series(ordered[lo:hi]).duplicated(keep="first").to_numpy()
    out[idx[order]] = again
    return out


def count_fields(codes: np.ndarray, segments: np.ndarray, lines: np.ndarray | None = None) -> dict[str, Any]:
    """The counters of the guide's 2.1.3.1 answer, from the screening.

    With ``lines`` (the line of each recipient in the campaign's list: 1-based,
    the lists of ``listsId`` first, then ``listRecipient``; for one list, its
    ID_LINE), ``lineDuplicateMobile`` lists the lines of the duplicates (code 4).
    """

    def c(*values: int) -> int:
        return int(np.isin(codes, values).sum())

    sendable = codes == 0
    return {
        "countRecipient": len(codes),
        "countValid": int(sendable.sum()),
        "countInvalidRecipient": c(2),
        "countInBlackListRecipient": c(14, 15, 18),
        "countDuplicateRecipient": c(4),
        "countDuplicate": c(4),
        "countNotAllow": c(3),
        "countNotValid": c(2),
        "countErrorRendering": c(5, 6, 7),
        "countMaxCrediteOver": c(8),
        "countMaxCreditFound": int(sendable.sum()),
        "countBlackList": c(14, 15, 18),
        "countBlackListMEDIASFLOW": c(15),
        "countBlackListCUSTOMER": c(14),
        "countBlackListBRAND": c(18),
        "globalCounter": len(codes),
        "creditCount": float(segments[sendable].sum()),
        "notSentByCode": {str(k): int(v) for k, v in zip(*np.unique(codes[~sendable], return_counts=True))},
        "lineDuplicateMobile": []
        if lines is None
        else np.asarray(lines)[codes == 4].astype(np.int64).astype(str).tolist(),
    }
