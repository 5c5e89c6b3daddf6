"""Tests of mfanalytics.messages.graphemes: clusters as the oracle splits them, UTF-16 lengths."""

from __future__ import annotations

import json
from pathlib import Path

from mfanalytics.messages.graphemes import split_graphemes, utf16_units

ORACLE = json.loads((Path(__file__).parents[1] / "data" / "segments_oracle.json").read_text("utf-8"))
MESSAGES = ORACLE["messages"]


def test_grapheme_split_matches_oracle():
    assert [len(split_graphemes(m["text"])) for m in MESSAGES] == [m["graphemes"] for m in MESSAGES]


def test_graphemes_and_utf16_units():
    assert split_graphemes("e\u0301") == ["e\u0301"]
    assert split_graphemes("🇫🇷🇧🇪") == ["🇫🇷", "🇧🇪"]
    assert split_graphemes("👨‍👩‍👧a") == ["👨‍👩‍👧", "a"]
    assert split_graphemes("a\r\nb") == ["a", "\r", "\n", "b"]  # the oracle counts CR LF as two
    assert utf16_units("😀") == 2 and utf16_units("a€") == 2 and utf16_units("") == 0
