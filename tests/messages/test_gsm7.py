"""Tests of mfanalytics.messages.gsm7: the tables, transliteration and the slow scalar reference.

The tables are checked against GSM 03.38 (3GPP TS 23.038, 6.2.1: the default
alphabet and its extension table), written out here by code point; segment
sizes against the standard's 160/153 septets and 70/67 UTF-16 units.
"""

from __future__ import annotations

from mfanalytics.messages.gsm7 import (
    GSM7_BASIC,
    GSM7_CHARS,
    GSM7_EXTENSION,
    reference_count,
    transliterate_char,
)

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


def test_transliteration_falls_back_to_the_letter_without_its_accent():
    assert transliterate_char("â") == "a" and transliterate_char("ő") == "o"
    assert transliterate_char("é") == "é"  # in GSM-7 already
