"""Tests of mfanalytics.messages.parts: count_one, the exact per-message count, and its pieces.

count_one must give the results of the slow bit-for-bit port of the oracle (gsm7.reference_count) and
of Twilio's calculator (tests/data/segments_oracle.json); wide_clusters must find the clusters that a
full grapheme split of the text finds; greedy_parts must cut where an independent septet splitter cuts.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from part_ends import HAZARDS, boundary_texts

from mfanalytics.messages.graphemes import split_graphemes, utf16_units
from mfanalytics.messages.gsm7 import GSM7_BASIC, GSM7_EXTENSION, reference_count
from mfanalytics.messages.parts import count_one, greedy_parts, gsm_escapes, wide_clusters

ORACLE = json.loads((Path(__file__).parents[1] / "data" / "segments_oracle.json").read_text("utf-8"))
MESSAGES = ORACLE["messages"]


def expected(entry: dict) -> tuple[str, int, int]:
    length = entry["numberOfCharacters"] if entry["encoding"] == "GSM-7" else entry["utf16Units"]
    return entry["encoding"], length, entry["segments"]


def test_count_one_matches_the_oracle_and_the_reference():
    assert [count_one(m["text"]) for m in MESSAGES] == [expected(m) for m in MESSAGES]
    assert [reference_count(m["text"]) for m in MESSAGES] == [expected(m) for m in MESSAGES]


def test_hand_worked_part_ends():
    # 152 a + € : the escape pair would take septets 153 and 154, so it opens the second part
    assert count_one("a" * 152 + "€" + "a" * 10) == ("GSM-7", 164, 2)
    assert count_one("a" * 152 + "€" * 77) == ("GSM-7", 306, 3)  # 152 + 152 + 2: each end loses one
    assert count_one("a" * 153 + "€" * 76 + "a") == ("GSM-7", 306, 2)
    # 66 x then an emoji (2 units): the pair cannot be split, so 66 + 67 + 1
    assert count_one("x" * 66 + "😀" + "y" * 66) == ("UCS-2", 134, 3)
    assert count_one("x" * 65 + "😀" + "y" * 67) == ("UCS-2", 134, 2)
    assert count_one("ç" * 70) == ("UCS-2", 70, 1)


@settings(max_examples=300, deadline=None)
@given(boundary_texts())
def test_count_one_equals_the_reference_around_the_ends_of_parts(text):
    assert count_one(text) == reference_count(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", " ", *HAZARDS]), max_size=60).map("".join))
def test_wide_clusters_are_those_of_the_whole_split(text):
    spans, unit = [], 0
    for cluster in split_graphemes(text):
        size = utf16_units(cluster)
        if size > 1:
            spans.append((unit, size))
        unit += size
    assert wide_clusters(text) == (spans if all(s <= 32 for _, s in spans) else None)


def _septet_parts(text: str) -> int:
    # Independent: the septets one by one, 153 to a part, never ending a part on an ESC.
    septets = []
    for c in text:
        septets += ["ESC", c] if c in GSM7_EXTENSION else [c]
    if len(septets) <= 160:
        return 1
    parts, i = 0, 0
    while i < len(septets):
        cut = min(i + 153, len(septets))
        if cut < len(septets) and septets[cut - 1] == "ESC":
            cut -= 1
        parts, i = parts + 1, cut
    return parts


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(list(GSM7_BASIC[:40] + GSM7_EXTENSION)), min_size=150, max_size=700))
def test_greedy_parts_cut_where_the_septet_splitter_cuts(text):
    length = len(text) + sum(c in GSM7_EXTENSION for c in text)
    if length > 160:
        assert greedy_parts(length, 153, gsm_escapes(text)) == _septet_parts(text)
