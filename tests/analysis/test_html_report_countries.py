"""The report's countries: ``facts.countries`` (Arrow kernels) gives phonenumbers' region of every
number, as ``kpis.regions`` does, without asking phonenumbers number by number."""

from __future__ import annotations

import pandas as pd
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfanalytics.analysis.facts import countries
from mfanalytics.analysis.kpis import regions

# single-region codes, shared ones (+1, +7, +262, +590, +44) and odd shapes
PREFIXES = ["33", "32", "41", "49", "262", "590", "594", "596", "269", "1", "7", "44", "212", "999", "0"]
ODD = [" +33612345678 ", "0033612345678", "+1 415 555 0100", "abc", "", "12", "+", "++33612345678", "+33-6-12"]
ODD += [
    "\t0032470123456\n",
    "00",
    "0000",
    "+33٦12345678",
    "+３３612345678",
    "33612345678",
    "+336123",
    "+33612345678901234",
]


def oracle(value) -> str:
    """phonenumbers itself, on the number as the report reads it (00 and no + read as international)."""
    if value is None or pd.isna(value):
        return "ZZ"
    text = str(value).strip()
    text = "+" + text[2:] if text.startswith("00") else text if text.startswith("+") else "+" + text
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(text)) or "ZZ"
    except phonenumbers.NumberParseException:
        return "ZZ"


numbers = st.one_of(
    st.tuples(st.sampled_from(["+", "00", ""]), st.sampled_from(PREFIXES), st.text("0123456789", max_size=16)).map(
        "".join
    ),
    st.sampled_from(ODD),
    st.none(),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(numbers, min_size=1, max_size=40))
def test_countries_are_phonenumbers_regions(values):
    series = pd.Series(values, dtype="string")
    got = countries(series)
    assert got.tolist() == [oracle(v) for v in values]
    assert got.tolist() == regions(series).tolist()
    assert got.index.equals(series.index)


def test_no_per_number_phonenumbers_call_for_well_formed_numbers(monkeypatch):
    calls = []
    parse = phonenumbers.parse
    monkeypatch.setattr(phonenumbers, "parse", lambda *a, **k: calls.append(a) or parse(*a, **k))
    series = pd.Series([f"+262692{i:06d}" for i in range(500)] + [f"+336{i:08d}" for i in range(500)], dtype="string")
    got = countries(series)
    assert calls == []
    assert set(got) <= {"RE", "YT", "FR", "ZZ"} and (got.iloc[500:] == "FR").all()


@pytest.mark.parametrize("value", ODD)
def test_odd_strings(value):
    assert countries(pd.Series([value], dtype="string")).tolist() == [oracle(value)]
