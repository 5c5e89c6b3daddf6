"""``zones_of_foreign`` (vectorised) against phonenumbers itself, number by number (the oracle)."""

from __future__ import annotations

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from phonenumbers import timezone as pn_timezone

from mfanalytics.messages.sending_window import zones_of_foreign


def _oracle(numbers: list[str]) -> set[str]:
    zones: set[str] = set()
    for number in numbers:
        try:
            parsed = phonenumbers.parse(number)
        except phonenumbers.NumberParseException:
            continue
        zones.update(z for z in pn_timezone.time_zones_for_number(parsed) if z != "Etc/Unknown")
    return zones


_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE, PhoneNumberType.VOIP)
#: phonenumbers' example numbers of every region and type, as E.164
_EXAMPLES = sorted(
    {
        phonenumbers.format_number(ex, PhoneNumberFormat.E164)
        for region in phonenumbers.SUPPORTED_REGIONS
        for kind in _TYPES
        if (ex := phonenumbers.example_number_for_type(region, kind)) is not None
    }
)


def test_every_example_number_has_the_zones_phonenumbers_gives_it():
    for number in _EXAMPLES:
        assert zones_of_foreign([number]) == _oracle([number]), number
    assert zones_of_foreign(_EXAMPLES) == _oracle(_EXAMPLES)


_number = st.builds(
    lambda example, i, digit, cut, extra, junk: (
        junk + (example[:i] + digit + example[i + 1 :])[: len(example) - cut] + extra
    ),
    st.sampled_from(_EXAMPLES),
    st.integers(1, 12),
    st.sampled_from("0123456789"),
    st.integers(0, 2),
    st.sampled_from(["", "0", "12"]),
    st.sampled_from(["", "", "", " ", "00", "tel:"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_number, min_size=1, max_size=6))
def test_property_changed_numbers_have_the_zones_phonenumbers_gives_them(numbers):
    import pandas as pd
    import pyarrow as pa

    assert zones_of_foreign(numbers) == _oracle(numbers)
    # the same numbers as a Series of strings (with a missing one) and as an Arrow array
    assert zones_of_foreign(pd.Series([*numbers, None], dtype="string")) == _oracle(numbers)
    assert zones_of_foreign(pa.array(numbers)) == _oracle(numbers)


def test_no_number_no_zone():
    assert zones_of_foreign([]) == set()
    assert zones_of_foreign(["hello", "+269639123"]) == _oracle(["hello", "+269639123"])


# -- received_outside_window (whole columns) against each row's own wall clock ----------
_MOBILES = {
    "FR": "+33612345678",
    "RE": "+262692123456",
    "GP": "+590690123456",
    "BE": "+32470123456",
    "CA": "+14165550123",
}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(_MOBILES)),
            st.one_of(  # seconds from 2026-01-01 (Paris), two years of holidays
                st.integers(0, 2 * 365 * 24 * 3600),
                # a few seconds either side of 08:00 and 20:00 in Paris, on any day of the two years
                st.tuples(st.integers(0, 729), st.sampled_from([8, 20]), st.integers(-90, 90)).map(
                    lambda d: d[0] * 86400 + d[1] * 3600 + d[2]
                ),
            ),
            st.integers(1, 3),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_property_each_row_is_judged_by_its_own_local_wall_clock(rows):
    """To the second, either side of the window's edges too."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    import holidays
    import pandas as pd

    from mfanalytics.messages.sending_window import received_outside_window

    paris = ZoneInfo("Europe/Paris")
    start = datetime(2026, 1, 1, tzinfo=paris)
    moments = [start + timedelta(seconds=m) for _, m, _ in rows]
    report = pd.DataFrame(
        {
            "campaign_id": pd.array([c for _, _, c in rows], dtype="Int64"),
            "mobile": [_MOBILES[r] for r, _, _ in rows],
            "delivered_at": pd.to_datetime([m.astimezone(ZoneInfo("UTC")) for m in moments]).tz_convert(paris),
        }
    )
    out = received_outside_window(report)
    zones = {"FR": "Europe/Paris", "RE": "Indian/Reunion", "GP": "America/Guadeloupe", "BE": "Europe/Brussels"}
    zones["CA"] = "America/Toronto"
    expected: dict[int, list[int]] = {}
    for (region, _, campaign), moment in zip(rows, moments, strict=True):
        local = moment.astimezone(ZoneInfo(zones[region]))
        closed = local.weekday() == 6 or local.date() in holidays.country_holidays(region, years=local.year)
        late = not closed and not (8 <= local.hour < 20)
        counts = expected.setdefault(campaign, [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += closed or late
        counts[2] += late
        counts[3] += closed
    assert {int(k): v.tolist() for k, v in out.iterrows()} == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-(2**40), 2**40), max_size=50), st.integers(0, 3), st.integers(0, 2**30))
def test_distinct_ticks_are_numpy_unique(values, spread, base):
    """The table of distinct minutes or seconds (and the sorted fallback for wide spans) is np.unique's."""
    import numpy as np

    from mfanalytics.times import distinct_ticks

    minutes = np.array([base + v // 10 ** (12 - 3 * spread) for v in values], dtype=np.int64)
    got, where = distinct_ticks(minutes)
    want, inverse = np.unique(minutes, return_inverse=True)
    assert np.array_equal(got, want) and np.array_equal(where, inverse)
    assert np.array_equal(got[where], minutes)


def test_a_zone_whose_offset_has_seconds_is_judged_row_by_row():
    """Paris kept its local mean time (+0:09:21) until 1911: 07:50:38 UTC is 07:59:59 there, after
    hours, and 07:50:40 UTC is 08:00:01, inside; a whole-minute cut of the UTC times would judge
    both alike."""
    from zoneinfo import ZoneInfo

    import pandas as pd

    from mfanalytics.messages.sending_window import received_outside_window

    at = pd.Series(pd.to_datetime(["1850-06-03 07:50:38", "1850-06-03 07:50:40"])).dt.tz_localize("UTC")
    local = [t.to_pydatetime().astimezone(ZoneInfo("Europe/Paris")) for t in at]
    assert [t.strftime("%H:%M:%S") for t in local] == ["07:59:59", "08:00:01"]
    report = pd.DataFrame(
        {
            "campaign_id": pd.array([1, 1], dtype="Int64"),
            "mobile": pd.array(["+33612345678"] * 2, dtype="string"),
            "delivered_at": at,
        }
    )
    assert received_outside_window(report).loc[1].tolist() == [2, 1, 1, 0]
