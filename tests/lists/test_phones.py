"""Tests of mfanalytics.lists.phones against a plain per-row phonenumbers reference."""

from __future__ import annotations

import random

import pandas as pd
import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

import mfanalytics.lists.phones as phones
import mfanalytics.threads as threads
from mfanalytics.lists.phones import normalize_mobiles, to_e164

OVERSEAS = ("GP", "MQ", "GF", "RE", "YT")


# ----------------------------------------------------------------- the reference
def reference(raw, region="FR"):
    """What a user would write with phonenumbers, row by row (the spec)."""
    if raw is None or raw.strip(" \t\n\r\f\v") == "":
        return (None, False, None, "empty")

    def is_mobile(num):
        return phonenumbers.is_valid_number(num) and phonenumbers.number_type(num) in (
            PhoneNumberType.MOBILE,
            PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )

    try:
        num = phonenumbers.parse(raw, region)
    except NumberParseException:
        num = None
    ascii_digits = "".join(c for c in raw if c in "0123456789")
    if (
        region == "FR"
        and not (num is not None and is_mobile(num))
        and len(ascii_digits) == 10
        and ascii_digits[0] == "0"
    ):
        for other in OVERSEAS:
            try:
                cand = phonenumbers.parse(raw, other)
            except NumberParseException:
                continue
            if is_mobile(cand):
                num = cand
                break
    if num is None:
        return (None, False, None, "invalid")
    e164 = phonenumbers.format_number(num, PhoneNumberFormat.E164)
    if is_mobile(num):
        return (e164, True, phonenumbers.region_code_for_number(num), None)
    if phonenumbers.is_valid_number(num):
        return (e164, False, None, "not_mobile")
    return (e164, False, None, "invalid")


def rows_of(frame):
    out = []
    for e, v, c, i in frame.itertuples(index=False):
        out.append((None if e is pd.NA else e, bool(v), None if c is pd.NA else c, None if pd.isna(i) else i))
    return out


def assert_same_as_reference(values, region="FR"):
    got = rows_of(normalize_mobiles(values, region=region))
    for raw, g in zip(values, got):
        assert g == reference(raw, region), raw


# ----------------------------------------------------------------- generators
def _digits(draw, n):
    return "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=n, max_size=n)))


@st.composite
def national_numbers(draw):
    """(country code, national significant number) in plausible families."""
    kind = draw(st.sampled_from(["fr_mobile", "fr_any", "overseas", "be", "ch", "lu", "mc", "uk", "us", "random"]))
    if kind == "fr_mobile":
        return "33", draw(st.sampled_from(["6", "7"])) + _digits(draw, 8)
    if kind == "fr_any":
        return "33", draw(st.sampled_from("123456789")) + _digits(draw, 8)
    if kind == "overseas":
        cc = draw(st.sampled_from(["590", "596", "594", "262", "262"]))
        return cc, draw(
            st.sampled_from(["690", "691", "696", "697", "694", "692", "693", "639", "590", "262"])
        ) + _digits(draw, 6)
    if kind == "be":
        return "32", "4" + _digits(draw, 8)
    if kind == "ch":
        return "41", "7" + _digits(draw, 8)
    if kind == "lu":
        return "352", "6" + _digits(draw, 8)
    if kind == "mc":
        return "377", draw(st.sampled_from(["6", "4", "9"])) + _digits(draw, draw(st.integers(7, 8)))
    if kind == "uk":
        return "44", draw(st.sampled_from(["7", "20", "1"])) + _digits(draw, 9)
    if kind == "us":
        return "1", draw(st.sampled_from("23456789")) + _digits(draw, 9)
    return draw(st.sampled_from(["33", "1", "44", "262", "999", "0"])), _digits(draw, draw(st.integers(0, 14)))


def _separate(draw, text):
    out = []
    for ch in text:
        out.append(ch)
        if ch.isdigit() and draw(st.integers(0, 4)) == 0:
            out.append(draw(st.sampled_from([" ", ".", "-", "  ", " - ", "(", ")", "/", "\t"])))
    return "".join(out)


@st.composite
def messy_numbers(draw):
    cc, nsn = draw(national_numbers())
    fmt = draw(
        st.sampled_from(
            ["national", "plus", "idd", "cc_no_plus", "plus_0", "tel", "tel_plus", "bare", "plus_plus", "space_plus"]
        )
    )
    text = {
        "national": "0" + nsn,
        "plus": "+" + cc + nsn,
        "idd": "00" + cc + nsn,
        "cc_no_plus": cc + nsn,
        "plus_0": "+" + cc + " (0)" + nsn,
        "tel": "tel:0" + nsn,
        "tel_plus": "tel:+" + cc + nsn,
        "bare": nsn,
        "plus_plus": "++" + cc + nsn,
        "space_plus": " + " + cc + nsn,
    }[fmt]
    text = _separate(draw, text)
    tweak = draw(st.integers(0, 19))
    if tweak == 0:
        text += draw(st.sampled_from([" ext 12", " x3", "#", ";ext=5", ",,22", " poste 4"]))
    elif tweak == 1:
        text = draw(st.sampled_from(["Tel: ", "TEL:", "mobile ", "n°", "("])) + text
    elif tweak == 2:
        text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    elif tweak == 3:
        text = text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    elif tweak == 4:
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(st.sampled_from(["ABC", "o", "O", "l", "x", "FLOWERS", "é"])) + text[pos:]
    elif tweak == 5:
        text = draw(st.sampled_from(["", " ", "\t", "  \n", "n/a", "-", "+", "inconnu", "0", "00", "+33", "?"]))
    elif tweak == 6:
        text = " " + text + " \t"
    return text


# ----------------------------------------------------------------- properties
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(messy_numbers(), min_size=1, max_size=40))
def test_matches_reference_row_for_row(values):
    assert_same_as_reference(values)


@settings(max_examples=40, deadline=None)
@given(st.lists(messy_numbers(), min_size=1, max_size=30), st.sampled_from(["BE", "GB", "US", "RE", "CH"]))
def test_matches_reference_in_other_regions(values, region):
    assert_same_as_reference(values, region)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789 +-.()tel:xX#/\t0٣６"), max_size=25))
def test_arbitrary_short_strings(text):
    assert_same_as_reference([text])


def test_seeded_bulk_sample_matches_reference():
    rng = random.Random(12345)
    prefixes = ["", "+", "00", "tel:", "+33 (0)", "0033", "33", "+0", "000", "+00", "0", " "]
    values = []
    for _ in range(4000):
        body = rng.choice(
            [
                "0" + rng.choice("67") + "".join(rng.choices("0123456789", k=8)),
                "0" + rng.choice("123459") + "".join(rng.choices("0123456789", k=8)),
                "0"
                + rng.choice(["690", "691", "696", "694", "692", "693", "639", "699"])
                + "".join(rng.choices("0123456789", k=6)),
                "".join(rng.choices("0123456789", k=rng.randint(1, 16))),
            ]
        )
        text = rng.choice(prefixes) + body
        text = "".join(c + (rng.choice([" ", ".", "-", ""]) if rng.random() < 0.2 else "") for c in text)
        values.append(text)
    assert_same_as_reference(values)


# ----------------------------------------------------------------- hand-worked examples
@pytest.mark.parametrize(
    "raw",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "+33 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "0033 6 12 34 56 78",
        "33612345678",
        "612345678",
        "tel:0612345678",
        "tel:+33612345678",
        " 06 12 34 56 78 ",
    ],
)
def test_french_mobile_formats(raw):
    out = normalize_mobiles([raw])
    assert out["mobile_e164"].tolist() == ["+33612345678"]
    assert out["mobile_valid"].tolist() == [True]
    assert out["mobile_country"].tolist() == ["FR"]
    assert out["mobile_issue"].isna().all()


@pytest.mark.parametrize(
    "raw, e164, country",
    [
        ("0692 12 34 56", "+262692123456", "RE"),  # Réunion mobile written nationally
        ("0639 01 23 45", "+262639012345", "YT"),  # Mayotte shares +262
        ("0690 12 34 56", "+590690123456", "GP"),
        ("0696 12 34 56", "+596696123456", "MQ"),
        ("0694 12 34 56", "+594694123456", "GF"),
        ("+262 692 12 34 56", "+262692123456", "RE"),
        ("+32 470 12 34 56", "+32470123456", "BE"),
        ("+44 7400 123456", "+447400123456", "GB"),
        ("+1 650 253 0000", "+16502530000", "US"),  # FIXED_LINE_OR_MOBILE counts as mobile
    ],
)
def test_overseas_and_foreign_mobiles(raw, e164, country):
    out = normalize_mobiles([raw])
    assert out["mobile_e164"].tolist() == [e164]
    assert out["mobile_country"].tolist() == [country]
    assert out["mobile_valid"].tolist() == [True]


def test_fixed_line_toll_free_unallocated_empty_and_junk():
    out = normalize_mobiles(["01 42 68 53 00", "0800 123 456", "07 00 00 00 00", "", "   ", None, "abc", "12"])
    assert out["mobile_issue"].astype(object).tolist() == [
        "not_mobile",  # Paris fixed line
        "not_mobile",  # toll free
        "invalid",  # 07 00 is not an allocated mobile range
        "empty",
        "empty",
        "empty",
        "invalid",
        "invalid",
    ]
    assert out["mobile_e164"].astype(object).tolist()[:3] == ["+33142685300", "+33800123456", "+33700000000"]
    assert out["mobile_e164"].isna().tolist()[3:7] == [True, True, True, True]
    assert out["mobile_e164"].iloc[7] == "+3312"  # phonenumbers parses "12" as a (invalid) short number
    assert not out["mobile_valid"].any()
    assert out["mobile_country"].isna().all()


def test_dtypes_and_index_are_kept():
    s = pd.Series(["0612345678", None, "x"], index=[10, 20, 30], dtype="string")
    out = normalize_mobiles(s)
    assert list(out.index) == [10, 20, 30]
    assert str(out["mobile_e164"].dtype) == "string"
    assert out["mobile_e164"].dtype.storage == "pyarrow"
    assert str(out["mobile_valid"].dtype) == "boolean"
    assert out["mobile_issue"].dtype == phones.ISSUE_DTYPE
    assert list(out.columns) == ["mobile_e164", "mobile_valid", "mobile_country", "mobile_issue"]


def test_empty_input():
    out = normalize_mobiles([])
    assert len(out) == 0
    assert list(out.columns) == ["mobile_e164", "mobile_valid", "mobile_country", "mobile_issue"]


def test_non_string_values_are_converted():
    out = normalize_mobiles(pd.Series([612345678, 33781223344]))
    assert out["mobile_e164"].tolist() == ["+33612345678", "+33781223344"]


def test_simple_shapes_do_not_need_the_per_value_reference(monkeypatch):
    def boom(raw, region):
        raise AssertionError(f"reference called for {raw!r}")

    monkeypatch.setattr(phones, "parse_one", boom)
    out = normalize_mobiles(["06 12 34 56 78", "+33 7 81 22 33 44", "0692 12 34 56", "01 42 68 53 00", "0033612345678"])
    assert out["mobile_e164"].tolist() == [
        "+33612345678",
        "+33781223344",
        "+262692123456",
        "+33142685300",
        "+33612345678",
    ]


def test_to_e164():
    assert to_e164("06 12 34 56 78") == "+33612345678"
    assert to_e164("0692 12 34 56") == "+262692123456"
    assert to_e164("01 42 68 53 00") is None
    assert to_e164("") is None
    assert to_e164("0470 12 34 56", region="BE") == "+32470123456"


def test_national_prefix_kept_when_stripping_would_break_a_viable_number():
    # In RU the national prefix 8 can also start a national number: "8123456789"
    # is a viable 10-digit number, so phonenumbers keeps the 8.
    values = ["8123456789", "8 912 345 67 89", "8 (800) 555-35-35", "+7 912 345 67 89"]
    assert_same_as_reference(values, "RU")
    assert normalize_mobiles(["8123456789"], region="RU")["mobile_e164"].tolist() == ["+78123456789"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(messy_numbers(), min_size=1, max_size=40), st.integers(1, 5))
def test_a_categorical_column_and_small_batches_give_the_reference(values, batch):
    """The fast path works on distinct values (a category's own, or Arrow's dictionary), in batches."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(phones, "_DISTINCT_BATCH", batch)
        as_category = rows_of(normalize_mobiles(pd.Series(values + values[:3], dtype="category")))
    for raw, got in zip(values + values[:3], as_category):
        assert got == reference(raw, "FR"), raw


#: Regions that share their country code with another, its main region (CA with US, GG with GB, ...).
SECONDARY_REGIONS = sorted(
    region for regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.values() for region in regions[1:] if region != "001"
)


@pytest.mark.parametrize("region", SECONDARY_REGIONS)
def test_regions_sharing_a_country_code_read_national_numbers_by_their_own_rules(region):
    # phonenumbers strips a national number's prefix by the metadata of the default region, even
    # where its country code's main region has other rules: "15219023" in CA is +1 5219023 (CA
    # keeps 7 digits as a whole number), where US metadata, which calls 7 digits local only, would
    # keep the 1. A number written with its country code takes the main region's rules.
    rng = random.Random(region)
    cc = str(phonenumbers.country_code_for_region(region))
    values = []
    for length in range(18):
        for _ in range(8):
            digits = "".join(rng.choice("0123456789") for _ in range(length))
            values += [lead + digits for lead in ("", "0", "1", "8", "00", "+", cc, "+" + cc)]
    assert_same_as_reference(values, region)


def test_a_canadian_national_number_of_eight_digits_keeps_its_seven_digit_rest():
    assert normalize_mobiles(["15219023"], region="CA")["mobile_e164"].tolist() == ["+15219023"]


@pytest.mark.parametrize("chunk", [3, 7, 1 << 18])
def test_numbers_over_18_digits_across_chunks_give_the_reference(monkeypatch, chunk):
    # E.164 numbers of 19-20 digits do not fit the int64 keys: kept aside, put back chunk by chunk.
    monkeypatch.setattr(phones, "_ROW_CHUNK", chunk)
    rng = random.Random(chunk)
    values = []
    for i in range(60):
        digits = "".join(rng.choice("0123456789") for _ in range(17))
        values.append(rng.choice(["+33" + digits, "+262" + digits[:16], f"06{i:08d}", None, "", " x", "0692123456"]))
    assert any(v and len(v) >= 20 for v in values)
    assert_same_as_reference(values)
    assert_same_as_reference(values[:10] * 6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(messy_numbers(), min_size=1, max_size=60), st.integers(1, 9), st.integers(1, 4), st.booleans())
def test_chunks_in_threads_give_what_one_thread_gives(values, chunk, workers, category):
    """Chunks (batches of categories) normalised in threads come back in order: the frame of one thread."""
    series = pd.Series(values + values[::2], dtype="category" if category else "string")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(phones, "_ROW_CHUNK", chunk)
        mp.setattr(phones, "_DISTINCT_BATCH", chunk)
        mp.setattr(threads, "WORKERS", 1)
        alone = normalize_mobiles(series)
        mp.setattr(threads, "WORKERS", workers)
        mp.setattr(threads.pa, "cpu_count", lambda: 4)
        threaded = normalize_mobiles(series)
    pd.testing.assert_frame_equal(threaded, alone)  # the categories of mobile_country too, in order
