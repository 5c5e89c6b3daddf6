"""Tests of mfanalytics.messages.gsm7 (tables and the scalar reference) and messages.segments (the fast counter).

The tables are checked against GSM 03.38 (3GPP TS 23.038, 6.2.1: the default
alphabet and its extension table), written out here by code point; segment
sizes against the standard's 160/153 septets and 70/67 UTF-16 units.
"""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from mfanalytics.messages.gsm7 import (
    GSM7_BASIC,
    GSM7_CHARS,
    GSM7_EXTENSION,
    reference_count,
    split_graphemes,
    transliterate_char,
    utf16_units,
)
from mfanalytics.messages.segments import count_arrow, count_one

# 3GPP TS 23.038, default alphabet: position -> character (a sample across the table)
TS_23_038 = {
    0x00: "@",
    0x01: "£",
    0x02: "$",
    0x03: "¥",
    0x09: "Ç",
    0x0A: "\n",
    0x0D: "\r",
    0x10: "Δ",
    0x11: "_",
    0x1C: "Æ",
    0x1E: "ß",
    0x1F: "É",
    0x20: " ",
    0x24: "¤",
    0x40: "¡",
    0x5B: "Ä",
    0x5F: "§",
    0x60: "¿",
    0x7B: "ä",
    0x7F: "à",
}


def test_basic_table_is_the_standard_one_without_the_escape():
    assert len(GSM7_BASIC) == 127 and len(set(GSM7_BASIC)) == 127
    table = GSM7_BASIC[:0x1B] + "\x1b" + GSM7_BASIC[0x1B:]  # the escape sits at 0x1B
    for code, char in TS_23_038.items():
        assert table[code] == char, hex(code)
    assert set(GSM7_EXTENSION) == set("\f^{}\\[~]|€")
    assert "ç" not in GSM7_CHARS and "Ç" in GSM7_CHARS


def test_segment_sizes_of_the_standard():
    assert reference_count("a" * 160) == ("GSM-7", 160, 1)
    assert reference_count("a" * 161) == ("GSM-7", 161, 2)
    assert reference_count("a" * 306) == ("GSM-7", 306, 2)  # 2 x 153
    assert reference_count("a" * 307)[2] == 3
    assert reference_count("€" * 80) == ("GSM-7", 160, 1)  # two septets each
    assert reference_count("€" * 81)[2] == 2
    assert reference_count("é" * 70)[0] == "GSM-7"
    assert reference_count("ç" * 70) == ("UCS-2", 70, 1)
    assert reference_count("ç" * 71) == ("UCS-2", 71, 2)
    assert reference_count("ç" * 134)[2] == 2 and reference_count("ç" * 135)[2] == 3  # 2 x 67


def test_graphemes_and_utf16_units():
    assert split_graphemes("e\u0301") == ["e\u0301"]
    assert split_graphemes("🇫🇷🇧🇪") == ["🇫🇷", "🇧🇪"]
    assert split_graphemes("👨‍👩‍👧a") == ["👨‍👩‍👧", "a"]
    assert utf16_units("😀") == 2 and utf16_units("a€") == 2


def test_transliteration_falls_back_to_the_letter_without_its_accent():
    assert transliterate_char("â") == "a" and transliterate_char("ő") == "o"
    assert transliterate_char("é") == "é"  # in GSM-7 already


texts = st.text(st.sampled_from("aé€ç😀\r\n🇫🇷\u0301 ^"), max_size=400)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.lists(texts, max_size=8))
def test_the_fast_counter_agrees_with_the_reference(batch):
    assert [count_one(t) for t in batch] == [reference_count(t) for t in batch]
    is_gsm, lengths, segments, valid = count_arrow(pa.array([*batch, None], pa.large_string()))
    assert [(bool(g), int(n), int(k)) for g, n, k in zip(is_gsm[:-1], lengths[:-1], segments[:-1])] == [
        (e == "GSM-7", n, k) for e, n, k in (reference_count(t) for t in batch)
    ]
    assert valid.tolist() == [True] * len(batch) + [False]
