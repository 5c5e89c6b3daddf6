"""The metadata patterns as ranges, against Python's ``re`` and phonenumbers' own type helper."""

from __future__ import annotations

import bisect
import itertools
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import _number_type_helper

from mfanalytics.lists import numbering, ranges
from mfanalytics.lists.ranges import MAX_DIGITS, language, type_table

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
DESCS = ("general_desc", "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "voip",
         "personal_number", "pager", "uan", "voicemail")  # fmt: skip
PATTERNS = sorted(
    {
        getattr(PhoneMetadata.metadata_for_region(r), d).national_number_pattern
        for r in REGIONS
        for d in DESCS
        if getattr(PhoneMetadata.metadata_for_region(r), d) is not None
        and getattr(PhoneMetadata.metadata_for_region(r), d).national_number_pattern
    }
)


def member(lang: dict[int, list[tuple[int, int]]], digits: str) -> bool:
    spans = lang.get(len(digits), [])
    at = bisect.bisect_right(spans, (int(digits), float("inf"))) - 1
    return at >= 0 and spans[at][0] <= int(digits) <= spans[at][1]


def edges(lang: dict[int, list[tuple[int, int]]], rng: np.random.Generator, per_length: int = 60) -> list[str]:
    """Strings at and just beside the ends of (a sample of) the ranges."""
    out = []
    for n, spans in lang.items():
        if n == 0:
            continue
        pick = spans if len(spans) <= per_length else [spans[i] for i in rng.choice(len(spans), per_length)]
        for lo, hi in pick:
            for v in (lo - 1, lo, hi, hi + 1):
                if 0 <= v < 10**n:
                    out.append(str(v).zfill(n))
    return out


def test_every_metadata_pattern_has_ranges():
    assert len(PATTERNS) > 1000
    assert [p for p in PATTERNS if language(p) is None] == []


def test_ranges_are_sorted_disjoint_and_apart():
    for pattern in PATTERNS:
        for n, spans in language(pattern).items():
            assert 0 <= n <= MAX_DIGITS
            assert all(0 <= lo <= hi < 10**n for lo, hi in spans), pattern
            assert all(a[1] + 1 < b[0] for a, b in itertools.pairwise(spans)), pattern


def test_ranges_are_the_patterns_full_matches_at_their_edges():
    """Every pattern of the metadata: the ends of its ranges and the numbers beside them, against ``re``."""
    rng = np.random.default_rng(17)
    checked = 0
    for pattern in PATTERNS:
        lang = language(pattern)
        compiled = re.compile(pattern)
        for digits in edges(lang, rng):
            assert member(lang, digits) == bool(compiled.fullmatch(digits)), (pattern, digits)
            checked += 1
    assert checked > 40_000


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATTERNS), st.data())
def test_strings_a_pattern_matches_are_in_its_ranges(pattern, data):
    digits = data.draw(st.from_regex(re.compile(pattern, re.ASCII), fullmatch=True))
    if len(digits) <= MAX_DIGITS:
        assert member(language(pattern), digits)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATTERNS), st.text("0123456789", min_size=1, max_size=MAX_DIGITS))
def test_random_digits_are_in_the_ranges_exactly_when_they_match(pattern, digits):
    assert member(language(pattern), digits) == bool(re.fullmatch(pattern, digits))


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"6[0-5]\d|7", {1: [(7, 7)], 3: [(600, 659)]}),
        (r"(?:0|12)?3", {1: [(3, 3)], 2: [(3, 3)], 3: [(123, 123)]}),
        (r"[13-5]\d{0,1}", {1: [(1, 1), (3, 5)], 2: [(10, 19), (30, 59)]}),
        (r"9\d{16,}", {17: [(9 * 10**16, 10**17 - 1)]}),
        (r"x\d", {}),
    ],
)
def test_small_patterns(pattern, expected):
    assert language(pattern) == expected


@pytest.mark.parametrize("pattern", [r"[^5]\d", r"\w{3}", r"\D", r"(?i)a"])
def test_patterns_outside_digits_have_no_ranges(pattern):
    assert language(pattern) is None


def test_a_pattern_needing_too_many_ranges_has_none(monkeypatch):
    monkeypatch.setattr(ranges, "_CAP", 50)
    assert language.__wrapped__(r"\d{3}[2-9]") is None
    assert language.__wrapped__(r"[2-9]\d{3}") == {4: [(2000, 9999)]}


def lookup(region: str, strings: list[str]) -> np.ndarray:
    table = type_table(region)
    assert table is not None
    return table.lookup(pa.array(strings, pa.string()), np.array([len(s) for s in strings], dtype=np.int64))


def test_types_are_phonenumbers_own_on_every_region_at_every_edge():
    rng = np.random.default_rng(5)
    checked = 0
    for region in REGIONS:
        table, md = type_table(region), PhoneMetadata.metadata_for_region(region)
        keys = np.concatenate([table.bounds - 1, table.bounds, table.bounds + 1])
        strings = [s[1:] for s in map(str, keys.tolist()) if s[0] == "1" and len(s) > 1]
        for n in md.general_desc.possible_length or range(1, MAX_DIGITS + 1):
            if 0 < n <= MAX_DIGITS:
                strings += ["".join(map(str, row)) for row in rng.integers(0, 10, (200, n))]
        expected = [int(_number_type_helper(s, md)) for s in strings]
        assert lookup(region, strings).tolist() == expected, region
        checked += len(strings)
    assert checked > 100_000


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(REGIONS), st.lists(st.text("0123456789", min_size=1, max_size=MAX_DIGITS), min_size=1))
def test_types_of_random_numbers_are_phonenumbers_own(region, strings):
    md = PhoneMetadata.metadata_for_region(region)
    assert lookup(region, strings).tolist() == [int(_number_type_helper(s, md)) for s in strings]


def test_numbers_beyond_seventeen_digits_and_nulls_are_unknown():
    table = type_table("FR")
    values = pa.array(["612345678", None, "6" * 18, ""], pa.string())
    lengths = np.array([9, np.nan, 18, 0])
    assert table.lookup(values, lengths).tolist() == [1, 99, 99, 99]


def test_the_patterns_themselves_give_the_same_types(monkeypatch):
    """The regex path (used when a region has no table) against the tables."""
    rng = np.random.default_rng(9)
    samples = {}
    for region in ("FR", "DE", "US", "GB", "IT", "RE", "IN", "BR", "CN", "AR"):
        md = PhoneMetadata.metadata_for_region(region)
        strings = [
            "".join(map(str, row)) for n in md.general_desc.possible_length for row in rng.integers(0, 10, (400, n))
        ]
        ex = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        strings.append(phonenumbers.national_significant_number(ex))
        samples[region] = (md, pa.array(strings, pa.string()))
    for region in samples:
        assert type_table(region) is not None  # built: used whatever the number of rows
    with_tables = {
        (r, exact): numbering._type_of(v, md, exact=exact) for r, (md, v) in samples.items() for exact in (False, True)
    }
    monkeypatch.setattr(numbering, "type_table", lambda region, rows=None: None)
    for (region, exact), typ in with_tables.items():
        md, values = samples[region]
        assert numbering._type_of(values, md, exact=exact).tolist() == typ.tolist(), (region, exact)
    assert any((typ == 1).any() for typ in with_tables.values())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 999), st.text("0123456789", min_size=1, max_size=17), st.booleans()),
        min_size=1,
    )
)
def test_e164_keys_are_the_digits_of_the_e164_strings(rows):
    cc = np.array([r[0] for r in rows], dtype=np.int64)
    nsn = pa.array([r[1] for r in rows], pa.string())
    settled = np.array([r[2] for r in rows])
    key, long = numbering.e164_keys(cc, nsn, settled)
    for i, (c, n, ok) in enumerate(rows):
        text = f"+{c}{n}"
        if not ok:
            assert key[i] == -1 and i not in long
        elif len(text) <= 19:
            assert key[i] > 0 and f"+{key[i]}" == text and i not in long
        else:
            assert key[i] == -1 and long[i] == text


# Synthetic metadata: phonenumbers' helper reads only the descs' attributes, so any object will do.
_PIECE = st.sampled_from([r"\d", "[0-4]", "[5-9]", "[13579]", "0", "1", "9", "(?:2|3)", "(?:12|4)", "[2-8]?"])


@st.composite
def descs(draw):
    pattern = "|".join("".join(draw(st.lists(_PIECE, min_size=1, max_size=4))) for _ in range(draw(st.integers(1, 3))))
    lengths = tuple(sorted(draw(st.sets(st.integers(1, 4), max_size=3))))
    return SimpleNamespace(national_number_pattern=pattern, possible_length=lengths)


@st.composite
def metadata(draw):
    names = ["general_desc", "fixed_line", "mobile"] + [name for name, _ in ranges.SPECIAL_TYPES]
    md = SimpleNamespace(same_mobile_and_fixed_line_pattern=draw(st.booleans()))
    for name in names:
        setattr(md, name, draw(st.one_of(st.none(), descs())))
    return md


ALL_SHORT = ["".join(map(str, digits)) for n in range(1, 5) for digits in np.ndindex(*(10,) * n)]


@settings(max_examples=150, deadline=None)
@given(metadata())
def test_types_of_synthetic_metadata_are_those_of_phonenumbers_helper(md):
    """Overlapping special types, lengths outside a pattern's possible lengths, shared patterns."""
    table = ranges.table_of(md)
    got = table.lookup(pa.array(ALL_SHORT), np.array([len(s) for s in ALL_SHORT]))
    assert got.tolist() == [int(_number_type_helper(s, md)) for s in ALL_SHORT]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_the_direct_table_reads_any_partition_as_a_search_would(data):
    """Pieces that start anywhere, block edges included, for numbers of 1 to 17 digits."""
    n = data.draw(st.integers(1, MAX_DIGITS))
    block = 10 ** max(n - ranges._PREFIX, 0)
    anchors = st.integers(0, 10**n - 1) | st.integers(0, 10 ** min(n, ranges._PREFIX) - 1).map(
        lambda b: b * block + block - 1
    )
    starts = sorted(set(data.draw(st.lists(anchors, max_size=12))))
    types = data.draw(st.lists(st.sampled_from([0, 1, 2, 3, 99]), min_size=len(starts) + 1, max_size=len(starts) + 1))
    bounds = np.array([1] + [10**n + s for s in starts] + [2 * 10**n], dtype=np.int64)
    table = ranges.TypeTable(np.unique(bounds), np.array(types + [99], dtype=np.int16)[: len(np.unique(bounds))])
    values = sorted({v for s in starts for v in (s - 1, s, s + 1) if 0 <= v < 10**n} | {0, 10**n - 1})
    strings = [str(v).zfill(n) for v in values]
    keys = np.array([10**n + v for v in values], dtype=np.int64)
    expected = table.types[np.searchsorted(table.bounds, keys, side="right") - 1]
    assert table.lookup(pa.array(strings), np.full(len(strings), n)).tolist() == expected.tolist()


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([r"\d{0,3}", r"\d{16,20}", r"9\d{16,}", r"(?:12)?", *PATTERNS]),
    st.lists(st.text("0123456789", max_size=22), min_size=1, max_size=30),
)
def test_pattern_matches_through_the_tables_are_those_of_re(pattern, strings):
    """``_pattern_match`` (national prefix stripping): the tables up to 17 digits, the pattern beyond."""
    desc = SimpleNamespace(national_number_pattern=pattern, possible_length=())
    got = numbering._pattern_match(pa.array(strings, pa.string()), desc)
    assert got.tolist() == [bool(re.fullmatch(pattern, s)) for s in strings]


def test_pattern_matches_at_the_edges_of_every_general_pattern():
    rng = np.random.default_rng(3)
    for region in REGIONS:
        pattern = PhoneMetadata.metadata_for_region(region).general_desc.national_number_pattern
        strings = edges(language(pattern), rng, per_length=30) + ["", "0" * 18, "9" * 20]
        desc = SimpleNamespace(national_number_pattern=pattern, possible_length=())
        got = numbering._pattern_match(pa.array(strings, pa.string()), desc)
        assert got.tolist() == [bool(re.fullmatch(pattern, s)) for s in strings], region


@pytest.mark.parametrize("pattern", [r"\d{16,20}", r"9\d{16,}", r"\d{0,3}"])
def test_pattern_matches_beyond_the_tables_ask_the_pattern(pattern):
    strings = ["9" * n for n in range(25)] + ["0" * n for n in range(25)]
    desc = SimpleNamespace(national_number_pattern=pattern, possible_length=())
    got = numbering._pattern_match(pa.array(strings, pa.string()), desc)
    assert got.tolist() == [bool(re.fullmatch(pattern, s)) for s in strings]


def test_full_matches_of_a_pattern_without_ranges_ask_re2():
    values = pa.array(["15", "55", "1" * 20 + "5", None], pa.string())
    assert ranges.full_matches(values, r"[^5]+5").tolist() == [True, False, True, False]
    assert ranges.full_matches(values, r"\d+5").tolist() == [True, True, True, False]


def test_tables_are_built_for_many_numbers_and_the_results_do_not_depend_on_it(monkeypatch):
    from mfanalytics.lists.phones import normalize_mobiles

    rng = np.random.default_rng(11)
    values = [f"0{d}{n:08d}" for d, n in zip(rng.choice(list("1234567"), 3000), rng.integers(0, 10**8, 3000))]
    values += ["+32 470 12 34 56", "0692 12 34 56", "0696 12 34 56", "+1 650 253 0000", "+44 7400 123456"]
    values += ["+49 1512 3456789", "00 41 79 123 45 67", "33612345678", "612345678", "tel:+262 692 12 34 56"]
    frames = []
    for build_rows in (0, 10**9):
        monkeypatch.setattr(ranges, "BUILD_ROWS", build_rows)
        monkeypatch.setattr(ranges, "_TYPE_TABLES", {})
        monkeypatch.setattr(ranges, "_PATTERN_TABLES", {})
        frames.append(normalize_mobiles(values))
        assert bool(ranges._TYPE_TABLES) == (build_rows == 0)
        assert bool(ranges._PATTERN_TABLES) == (build_rows == 0)
    pd.testing.assert_frame_equal(frames[0], frames[1])
    assert frames[0]["mobile_valid"].sum() > 500
