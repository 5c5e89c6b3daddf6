"""lists/numbering.py: phonenumbers' parsing replayed on Arrow arrays, checked against phonenumbers itself."""

from __future__ import annotations

import numpy as np
import phonenumbers
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from mfanalytics.lists.numbering import _Digits, digits_and_plus, digits_only, regions_of_international

codes = st.sampled_from(["33", "262", "590", "594", "596", "1", "44", "32", "41", "352", "377", "49", "7", "999", "0"])
digits = st.text(alphabet="0123456789", min_size=0, max_size=13)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(codes, digits), min_size=1, max_size=30))
def test_regions_of_international_numbers_are_those_of_phonenumbers(numbers):
    """Shared country codes (+1, +262, +590, +7) included: where it says settled, phonenumbers agrees."""
    texts = [cc + rest for cc, rest in numbers]
    settled, region = regions_of_international(pa.array(texts, pa.string()))
    for text, ok, got in zip(texts, settled.tolist(), region.to_pylist()):
        if not ok:
            continue
        num = phonenumbers.parse("+" + text, None)
        expected = phonenumbers.region_code_for_number(num)
        assert got == expected, text


def test_numbers_of_shared_country_codes_are_settled_without_phonenumbers():
    texts = ["33612345678", "262692123456", "262639123456", "590690123456", "16502530000", "447400123456"]
    settled, region = regions_of_international(pa.array(texts))
    assert settled.all()
    expected = [phonenumbers.region_code_for_number(phonenumbers.parse("+" + t, None)) for t in texts]
    assert region.to_pylist() == expected
    assert [expected[i] for i in (0, 1, 3)] == ["FR", "RE", "GP"]  # the shared codes are told apart


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=20))
def test_digits_only_keeps_the_ascii_digits(values):
    got = digits_only(pa.array(values, pa.string())).to_pylist()
    assert got == ["".join(c for c in (v or "") if "0" <= c <= "9") for v in values]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="0123456789+ -.()telé٣", max_size=14)), max_size=25), st.data())
def test_digits_and_plus_on_slices(values, data):
    """Digits and '+' of each value, also on an array that is a slice of a larger one (offsets not from 0)."""
    start = data.draw(st.integers(0, len(values)))
    arr = pa.array(values, pa.string()).slice(start)
    digits, plus = digits_and_plus(arr)
    kept = values[start:]
    assert digits.to_pylist() == ["".join(c for c in (v or "") if "0" <= c <= "9") for v in kept]
    assert plus.tolist() == ["+" in (v or "") for v in kept]


@settings(max_examples=300, deadline=None)
@given(st.lists(digits, min_size=1, max_size=25), st.data())
def test_digit_suffixes_are_python_slices(values, data):
    """_Digits.suffixes(rows, skip, valid): each row's digits without the first ``skip``, null where not valid."""
    start = data.draw(st.integers(0, len(values) - 1))
    d = _Digits(pa.array(values, pa.string()).slice(start))
    kept = values[start:]
    rows = data.draw(st.one_of(st.none(), st.lists(st.integers(0, len(kept) - 1), max_size=30)))
    picked = kept if rows is None else [kept[r] for r in rows]
    skip = data.draw(st.lists(st.integers(0, 15), min_size=len(picked), max_size=len(picked)))
    valid = data.draw(st.one_of(st.none(), st.lists(st.booleans(), min_size=len(picked), max_size=len(picked))))
    got = d.suffixes(
        None if rows is None else np.asarray(rows, dtype=np.int64),
        np.asarray(skip, dtype=np.int64),
        None if valid is None else np.asarray(valid, dtype=bool),
    )
    expected = [v[k:] if valid is None or valid[i] else None for i, (v, k) in enumerate(zip(picked, skip))]
    assert got.to_pylist() == expected
    got.validate(full=True)


def test_types_of_international_are_phonenumbers_own_types_on_every_example_number():
    """phonenumbers is the oracle: its example number of every type in every region, typed as
    ``number_type`` types it. ``FIXED_LINE_OR_MOBILE`` stays itself (a US number's time zone is its
    area code's only for that type: a merge once made it ``MOBILE``, and the sending window then saw
    every NANP zone)."""
    import phonenumbers
    import pyarrow as pa
    from phonenumbers import PhoneNumberType

    from mfanalytics.lists.numbering import types_of_international

    examples = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for typ in range(12):
            number = phonenumbers.example_number_for_type(region, typ)
            if number is not None:
                examples.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    examples = sorted(set(examples))
    assert len(examples) > 900
    settled, _, _, typ = types_of_international(pa.array([e[1:] for e in examples]))
    assert settled.mean() > 0.9  # what is not settled goes to phonenumbers itself
    kinds = set()
    for e164, ok, got in zip(examples, settled, typ, strict=True):
        if ok:
            expected = phonenumbers.number_type(phonenumbers.parse(e164))
            assert got == expected, (e164, got, expected)
            kinds.add(int(expected))
    assert {PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE} <= kinds
