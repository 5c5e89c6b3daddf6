"""The sending window of marketing SMS, in each recipient's own time, and who was reached outside it.

:class:`SendingWindow` (default :data:`STRICT_WINDOW`: Monday to Saturday,
08:00-20:00, no public holidays), the time zone of each French territory
(:data:`TERRITORY_ZONES`), their public holidays (the ``holidays`` package),
:func:`next_allowed` and :func:`received_outside_window`. The rules and their
sources are in :mod:`mfanalytics.messages.compliance`.

Examples
--------
>>> from datetime import datetime
>>> from mfanalytics.times import PARIS
>>> next_allowed(datetime(2026, 12, 25, 10, tzinfo=PARIS)).astimezone(PARIS).isoformat()
'2026-12-26T08:00:00+01:00'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from mfanalytics.errors import ValidationError
from mfanalytics.times import distinct_ticks

__all__ = [
    "SendingWindow",
    "STRICT_WINDOW",
    "TERRITORY_ZONES",
    "DAYS_EN",
    "holidays_of",
    "alsace_moselle_holidays",
    "zones_of_foreign",
    "local_check",
    "next_allowed",
    "received_outside_window",
]

#: The time zone of each French territory (ISO region of the number).
TERRITORY_ZONES: dict[str, str] = {
    "FR": "Europe/Paris",
    "MC": "Europe/Monaco",
    "RE": "Indian/Reunion",
    "YT": "Indian/Mayotte",
    "GP": "America/Guadeloupe",
    "MQ": "America/Martinique",
    "BL": "America/St_Barthelemy",
    "MF": "America/Marigot",
    "GF": "America/Cayenne",
    "PM": "America/Miquelon",
    "NC": "Pacific/Noumea",
    "PF": "Pacific/Tahiti",
    "WF": "Pacific/Wallis",
}
DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class SendingWindow:
    """When marketing SMS may reach a recipient, in their local time.

    Parameters
    ----------
    days : tuple of int
        Allowed weekdays, Monday = 0. Default Monday to Saturday.
    start, end : datetime.time
        Allowed from ``start`` (included) to ``end`` (excluded).
    holidays : bool
        Whether public holidays are excluded.

    Examples
    --------
    >>> from datetime import time
    >>> SendingWindow(days=(0, 1, 2, 3, 4), start=time(9), end=time(19)).describe()
    'Monday to Friday, 09:00-19:00, no public holidays'
    """

    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
    start: time = time(8)
    end: time = time(20)
    holidays: bool = True

    def __post_init__(self) -> None:
        if not self.days or any(d not in range(7) for d in self.days):
            raise ValidationError(
                f"window days must be weekdays 0 (Monday) to 6 (Sunday), got {self.days!r}",
                rule="window",
                field="days",
            )
        if not self.start < self.end:
            raise ValidationError(
                f"the window must start before it ends ({self.start:%H:%M} to {self.end:%H:%M})",
                rule="window",
                field="start",
            )

    def describe(self) -> str:
        """The window in words."""
        days = sorted(set(self.days))
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            when = f"{DAYS_EN[days[0]]} to {DAYS_EN[days[-1]]}"
        else:
            when = ", ".join(DAYS_EN[d] for d in days)
        text = f"{when}, {self.start:%H:%M}-{self.end:%H:%M}"
        return text + (", no public holidays" if self.holidays else "")


STRICT_WINDOW = SendingWindow()


#: Monday to Saturday, 08:00-20:00, no public holidays: the strictest window the aggregators publish.
STRICT_WINDOW = SendingWindow()


@cache
def holidays_of(region: str, year: int) -> Mapping[date, str] | None:
    import holidays

    try:
        return holidays.country_holidays(region, years=year)
    except NotImplementedError:
        return None


@cache
def alsace_moselle_holidays(year: int) -> dict[date, str]:
    import holidays

    national = holidays.country_holidays("FR", years=year)
    local = holidays.country_holidays("FR", subdiv="57", years=year)
    return {d: name for d, name in local.items() if d not in national}


def _zones_of_one(number: str) -> set[str]:
    """The time zones of one number, as phonenumbers gives them (none when it cannot be parsed)."""
    import phonenumbers
    from phonenumbers import timezone as pn_timezone

    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return set()
    return {z for z in pn_timezone.time_zones_for_number(parsed) if z != "Etc/Unknown"}


def _zones_of_prefix(digits: str, *, country_level: bool = False) -> tuple[str, ...]:
    """``phonenumbers.timezone``'s longest-prefix lookup of the E.164 digits of a geographical number,
    or (``country_level``) of a country code, as ``_country_level_time_zones_for_number`` reads it."""
    from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

    for width in range(TIMEZONE_LONGEST_PREFIX, 0, -1):
        found = TIMEZONE_DATA.get(digits[: width + 1 if country_level else width])
        if found is not None:
            return tuple(found)
    return ()


def zones_of_foreign(numbers: Iterable[str] | pd.Series) -> set[str]:
    """Every time zone phonenumbers gives the numbers (``time_zones_for_number(parse(number))``).

    The numbers of the plain shape ``+`` and digits are parsed and typed by the vectorised replay of
    phonenumbers (:mod:`mfanalytics.lists.numbering`); a number's zones only depend on its type
    and on the first digits of its E.164 form, so phonenumbers' zone table is read once per
    distinct prefix, not once per number. Other shapes are asked to phonenumbers, one by one.
    A Series or an Arrow array of strings is read as it is, without a Python string per number.
    """
    import phonenumbers
    import pyarrow as pa
    import pyarrow.compute as pc
    from phonenumbers import PhoneNumberType
    from phonenumbers.tzdata import TIMEZONE_LONGEST_PREFIX

    from mfanalytics.lists.numbering import types_of_international

    if isinstance(numbers, pd.Series):
        numbers = numbers.array
    if isinstance(numbers, (pa.Array, pa.ChunkedArray, pd.api.extensions.ExtensionArray)):
        values = pc.cast(pa.array(numbers), pa.string())  # strings already: no Python object per number
        values = pc.drop_null(values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values)
    else:
        values = pa.array([str(n) for n in numbers], pa.string())
    plain = pc.fill_null(pc.match_substring_regex(values, r"^\+[0-9]{3,17}$"), False).to_numpy(zero_copy_only=False)
    zones: set[str] = set()
    for number in values.filter(pa.array(~plain)).to_pylist():
        zones |= _zones_of_one(number)
    digits = pc.utf8_slice_codeunits(values.filter(pa.array(plain)), 1)
    settled, cc, nsn, typ = types_of_international(digits)
    for number in pc.binary_join_element_wise("+", digits.filter(pa.array(~settled)), "").to_pylist():
        zones |= _zones_of_one(number)  # what the replay does not settle: phonenumbers itself
    cc, typ = cc[settled], typ[settled]
    e164 = pc.binary_join_element_wise(pa.array(cc.astype(str)), nsn.filter(pa.array(settled)), "")
    head = pc.utf8_slice_codeunits(e164, 0, TIMEZONE_LONGEST_PREFIX).to_numpy(zero_copy_only=False)
    # the distinct (type, country code) pairs: codes have at most 3 digits
    pairs = pd.unique(np.asarray(typ, dtype=np.int64) * 1000 + np.asarray(cc, dtype=np.int64))
    for t, c in (divmod(int(p), 1000) for p in pairs):
        if t == PhoneNumberType.UNKNOWN:
            continue
        if not phonenumbers.is_number_type_geographical(t, c):
            zones.update(_zones_of_prefix(str(c), country_level=True))
            continue
        for prefix in np.unique(head[(typ == t) & (cc == c)]):
            zones.update(_zones_of_prefix(str(prefix)))
    zones.discard("Etc/Unknown")
    return zones


def local_check(moment: datetime, zone: str, region: str | None, window: SendingWindow) -> tuple[str | None, str]:
    """(rule broken or None, local description) for one zone."""
    local = moment.astimezone(ZoneInfo(zone))
    text = f"{DAYS_EN[local.weekday()]} {local:%d %b %Y %H:%M} ({zone})"
    holiday = None
    if window.holidays and region is not None:
        table = holidays_of(region, local.year)
        holiday = table.get(local.date()) if table is not None else None
    if holiday is not None:
        return "sending-day", f"{text}, {holiday}"
    if local.weekday() not in window.days:
        return "sending-day", text
    if not window.start <= local.time().replace(tzinfo=None) < window.end:
        return "sending-hours", text
    return None, text


def _wall_minutes(instants: np.ndarray, zone: str) -> tuple[np.ndarray, bool]:
    """The local wall clock in ``zone`` of UTC ``instants`` (``datetime64``), as whole minutes since
    1970-01-01, and whether every offset from UTC there is a whole number of minutes."""
    utc = pd.DatetimeIndex(instants).tz_localize(UTC)
    local = utc.tz_convert(zone).tz_localize(None).as_unit("ns")
    offsets = local.asi8 - utc.tz_localize(None).as_unit("ns").asi8
    return local.to_numpy().astype("datetime64[m]").view(np.int64), bool((offsets % 60_000_000_000 == 0).all())


def _verdicts(wall: np.ndarray, region: str | None, window: SendingWindow) -> np.ndarray:
    """For local wall-clock minutes since 1970-01-01 (holidays of ``region``): 0 inside ``window``,
    1 outside its hours, 2 on a closed day (outside ``window.days``, or a public holiday)."""
    day, clock = np.divmod(wall, 24 * 60)  # days since 1970-01-01 (a Thursday), minutes of the day
    closed = ~np.isin((day + 3) % 7, window.days)
    if window.holidays and region is not None:
        years = np.unique(day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970)
        closed_days = [(d - date(1970, 1, 1)).days for y in years for d in (holidays_of(region, int(y)) or {})]
        closed |= np.isin(day, closed_days)
    start = window.start.hour * 60 + window.start.minute
    end = window.end.hour * 60 + window.end.minute
    late = (clock < start) | (clock >= end)
    return np.where(closed, 2, np.where(late, 1, 0)).astype(np.int8)


def received_outside_window(
    report: pd.DataFrame,
    *,
    campaign_types: Mapping[int, str] | None = None,
    window: SendingWindow = STRICT_WINDOW,
    regions: pd.Series | None = None,
) -> pd.DataFrame:
    """Recipients of marketing campaigns who received them outside the window.

    "Received" is the delivery time of the report (``delivered_at``), in the
    recipient's local time (see the module docstring).

    Parameters
    ----------
    report : DataFrame
        A report frame.
    campaign_types : mapping of campaign id to "MKG" or "NOTIFICATION", optional
        Campaigns missing from it are marketing, the API's default type.
    window : SendingWindow
        The allowed window.
    regions : Series, optional
        The ISO region of each row's number, when already known (aligned on
        the report's index); computed with
        :func:`~mfanalytics.lists.phones.normalize_mobiles` otherwise.

    Returns
    -------
    DataFrame
        Per marketing campaign (index ``campaign_id``): ``delivered``,
        ``outside_window`` (recipients, any reason), ``outside_hours`` and
        ``on_closed_day`` (Sundays, other days outside ``window.days`` and
        public holidays).

    Examples
    --------
    >>> import mfanalytics
    >>> import warnings
    >>> with mfanalytics.sandbox(seed=0, start="2026-12-05T20:30:00Z") as sb, warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # the send is at 21:30 in Paris: compliance="warn" sends with a warning
    ...     c = sb.client()
    ...     cid = c.send_campaign("Promo STOP 36184", recipients=["0612345601", "0612345602"], compliance="warn").id
    ...     sb.advance(3600)
    ...     received_outside_window(c.get_report(cid))["outside_window"].tolist()
    [2]
    """
    columns = ["delivered", "outside_window", "outside_hours", "on_closed_day"]
    types = {int(k): str(v).upper() for k, v in (campaign_types or {}).items()}
    if report.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="campaign_id"), dtype="int64")
    campaign = report["campaign_id"].astype("Int64")
    # one look-up per campaign, not per row (a row without a campaign id is marketing)
    others = [c for c in campaign.dropna().unique() if types.get(int(c), "MKG") != "MKG"]
    marketing = ~campaign.isin(others).to_numpy(dtype=bool, na_value=False)
    keep = marketing & report["delivered_at"].notna().to_numpy(dtype=bool)
    if not keep.any():
        empty = pd.Index(sorted(campaign[marketing].dropna().unique()), name="campaign_id")
        return pd.DataFrame(0, columns=columns, index=empty, dtype="int64")
    rows = report[["campaign_id", "mobile", "delivered_at"]][keep]  # the three columns read, not the whole frame
    if regions is None:
        from mfanalytics.lists.phones import normalize_mobiles

        regions = normalize_mobiles(rows["mobile"])["mobile_country"]
    # aligned on the rows: by position when the regions are indexed as the report (the usual case)
    same = regions.index is report.index or regions.index.equals(report.index)
    region_of_row = regions[keep] if same and len(regions) == len(report) else regions.reindex(rows.index)
    # one code per territory (in the order they appear), compared as integers rather than as strings
    # (factorized as strings: an object array would hold a Python string per row, ~60 MB a million)
    territory, places = pd.factorize(region_of_row.astype("string").fillna("ZZ"))
    # each row's minute (UTC): the rules are judged once per distinct minute and territory, and each
    # row takes its verdict (where the zone's offsets are whole minutes, as they all are since the
    # 1950s, the local minute of a row is the local minute of its UTC minute)
    utc = rows["delivered_at"].dt.tz_convert(UTC).dt.tz_localize(None).to_numpy()
    minute, inverse = distinct_ticks(utc.astype("datetime64[m]").view(np.int64))
    verdict = np.zeros(len(rows), dtype=np.int8)  # 0 inside the window, 1 after hours, 2 closed day
    for i, place in enumerate(places):
        zone = TERRITORY_ZONES.get(str(place), "Europe/Paris" if place == "ZZ" else None)
        mask = territory == i if len(places) > 1 else slice(None)
        if zone is None:
            zones = sorted(zones_of_foreign(rows["mobile"][mask].dropna().unique()))
            zone = zones[0] if zones else "Europe/Paris"
        region = None if place == "ZZ" else str(place)
        seen = inverse[mask]
        used = np.zeros(len(minute), dtype=bool)
        used[seen] = True  # judge only the minutes this territory's rows fall in
        wall, whole = _wall_minutes(minute[used].astype("datetime64[m]"), zone)
        if whole:
            judged = np.zeros(len(minute), dtype=np.int8)
            judged[used] = _verdicts(wall, region, window)
            verdict[mask] = judged[seen]
        else:  # an offset with seconds (local mean time, before the 1950s): each row's own instant
            verdict[mask] = _verdicts(_wall_minutes(utc[mask], zone)[0], region, window)
    hours, closed = verdict == 1, verdict == 2
    key = rows["campaign_id"].astype("Int64")
    out = pd.DataFrame(
        {
            "delivered": key.groupby(key).size(),
            "outside_hours": pd.Series(hours, index=rows.index).groupby(key).sum(),
            "on_closed_day": pd.Series(closed, index=rows.index).groupby(key).sum(),
        }
    )
    out["outside_window"] = out["outside_hours"] + out["on_closed_day"]
    out.index.name = "campaign_id"
    return out[columns].astype("int64")


def next_allowed(moment: datetime, *, zone: str = "Europe/Paris", window: SendingWindow = STRICT_WINDOW) -> datetime:
    """The first instant at or after ``moment`` inside ``window`` in ``zone``.

    Examples
    --------
    >>> from mfanalytics.times import PARIS
    >>> next_allowed(datetime(2026, 12, 6, 10, tzinfo=PARIS)).astimezone(PARIS).isoformat()
    '2026-12-07T08:00:00+01:00'
    """
    tz = ZoneInfo(zone)
    region = next((r for r, z in TERRITORY_ZONES.items() if z == zone), None)
    local = moment.astimezone(tz)
    for _ in range(370 * 2):
        rule, _where = local_check(local, zone, region, window)
        if rule is None:
            return local
        if rule == "sending-hours" and local.time().replace(tzinfo=None) < window.start:
            local = local.replace(hour=window.start.hour, minute=window.start.minute, second=0, microsecond=0)
        else:
            nxt = (local + timedelta(days=1)).date()
            local = datetime.combine(nxt, window.start, tzinfo=tz)
    raise ValidationError("no allowed time within two years", rule="window", field="window")
