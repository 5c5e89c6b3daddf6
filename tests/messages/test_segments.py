"""Tests of mfanalytics.messages.segments: count_segments / count_arrow, the column counter.

Counts are checked against tests/data/segments_oracle.json, produced by Twilio's calculator
(npm sms-segments-calculator, smart encoding off) with tests/data/make_segments_oracle.mjs, against
the slow bit-for-bit reference (gsm7.reference_count) and against independent splitters written here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from part_ends import HAZARDS, boundary_texts

from mfanalytics.errors import MessageError
from mfanalytics.messages.gsm7 import GSM7_BASIC, GSM7_CHARS, GSM7_EXTENSION, reference_count
from mfanalytics.messages.parts import count_one
from mfanalytics.messages.segments import count_arrow, count_segments, max_length

ORACLE = json.loads((Path(__file__).parents[1] / "data" / "segments_oracle.json").read_text("utf-8"))
MESSAGES = ORACLE["messages"]


def expected(entry):
    # The oracle's numberOfCharacters counts septets for GSM-7 but grapheme
    # clusters for UCS-2; our length is UTF-16 units (what carriers bill), which
    # the generator records as utf16Units (JavaScript's String.length).
    length = entry["numberOfCharacters"] if entry["encoding"] == "GSM-7" else entry["utf16Units"]
    return entry["encoding"], length, entry["segments"]


# ---------------------------------------------------------------- the oracle
def test_oracle_file_is_substantial():
    assert ORACLE["count"] == len(MESSAGES) >= 500
    assert "smartEncoding=false" in ORACLE["library"]
    kinds = {(m["encoding"], min(m["segments"], 3)) for m in MESSAGES}
    assert kinds == {("GSM-7", 1), ("GSM-7", 2), ("GSM-7", 3), ("UCS-2", 1), ("UCS-2", 2), ("UCS-2", 3)}


def test_count_segments_matches_oracle_for_every_message():
    frame = count_segments([m["text"] for m in MESSAGES])
    got = list(zip(frame["encoding"].astype(str), frame["length"].astype(int), frame["segments"].astype(int)))
    mismatches = [(m["text"][:40], g, expected(m)) for m, g in zip(MESSAGES, got) if g != expected(m)]
    assert mismatches == []


def test_gsm7_tables():
    assert len(GSM7_BASIC) == 127 and len(set(GSM7_BASIC)) == 127  # 128 codes minus ESC
    assert len(GSM7_EXTENSION) == 10
    assert "Ç" in GSM7_CHARS and "ç" not in GSM7_CHARS
    assert "`" not in GSM7_CHARS and "€" in GSM7_EXTENSION


# ---------------------------------------------------------------- hand-worked boundaries
@pytest.mark.parametrize(
    ("text", "encoding", "length", "segments"),
    [
        ("", "GSM-7", 0, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("a" * 918, "GSM-7", 918, 6),
        ("€" * 80, "GSM-7", 160, 1),
        ("€" * 81, "GSM-7", 162, 2),
        # 152 + escape: the euro cannot straddle septets 153/154, so part 1 holds
        # 152 septets, part 2 the euro + 151 a, part 3 the last a (naive: 2)
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),
        ("a" * 153 + "€" + "a" * 151, "GSM-7", 306, 2),
        ("ç", "UCS-2", 1, 1),
        ("Ç", "GSM-7", 1, 1),
        ("ê" * 70, "UCS-2", 70, 1),
        ("ê" * 71, "UCS-2", 71, 2),
        ("x" * 68 + "😀", "UCS-2", 70, 1),
        ("x" * 69 + "😀", "UCS-2", 71, 2),
        # surrogate pair at units 67/68: part 1 = 66 x, part 2 = 😀 + 65 y, part 3 = y
        ("x" * 66 + "😀" + "y" * 66, "UCS-2", 134, 3),
        ("x" * 67 + "😀" + "y" * 65, "UCS-2", 134, 2),
        # a flag (4 units) cannot be split either: 65 + 🇫🇷 would end at 69
        ("x" * 65 + "🇫🇷" + "y" * 65, "UCS-2", 134, 3),
        ("{}" * 40, "GSM-7", 160, 1),
        ("a\r\nb", "GSM-7", 4, 1),
    ],
)
def test_hand_worked_counts(text, encoding, length, segments):
    row = count_segments([text]).iloc[0]
    assert (row["encoding"], row["length"], row["segments"]) == (encoding, length, segments)
    assert count_one(text) == (encoding, length, segments)


def test_count_segments_frame_shape_index_and_missing():
    s = pd.Series(["Bonjour", None, "Leçon"], index=[10, 20, 30], dtype="object")
    out = count_segments(s)
    assert list(out.index) == [10, 20, 30]
    assert list(out.columns) == ["encoding", "length", "segments"]
    assert isinstance(out["encoding"].dtype, pd.CategoricalDtype)
    assert list(out["encoding"].cat.categories) == ["GSM-7", "UCS-2"]
    assert str(out["length"].dtype) == "Int32" and str(out["segments"].dtype) == "Int32"
    assert out.loc[20].isna().all()
    assert out.loc[30, "encoding"] == "UCS-2"
    arrow = count_segments(pd.Series(["a" * 161, "b"], dtype="string[pyarrow]"))
    assert arrow["segments"].tolist() == [2, 1]
    assert count_segments("a" * 161)["segments"].tolist() == [2]  # one str = one message
    assert len(count_segments([])) == 0


def test_count_segments_rejects_non_text():
    with pytest.raises(MessageError) as err:
        count_segments(["ok", 42])
    assert err.value.rule == "text-type" and err.value.line == 2


# ---------------------------------------------------------------- hypothesis properties
INTERESTING = (
    list(GSM7_BASIC + GSM7_EXTENSION)
    + list("çêâœ’…\u00a0中한Ж")
    + [
        "😀",
        "🎉",
        "\u0301",
        "\u200d",
        "\ufe0f",
        "🏽",
        "🇫",
        "🇷",
        "👩",
        "👍",
        "❤",
        "\u0600",
        "\u1100",
        "\u1161",
        "\u11a8",
        "\u0903",
        "\r",
        "\n",
    ]
)
any_text = st.one_of(
    st.text(alphabet=st.sampled_from(INTERESTING), max_size=420),
    st.text(max_size=300),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(any_text, max_size=12))
def test_count_segments_equals_reference_on_arbitrary_text(texts):
    frame = count_segments(texts)
    got = list(zip(frame["encoding"].astype(str), frame["length"].astype(int), frame["segments"].astype(int)))
    assert got == [reference_count(t) for t in texts]
    assert [count_one(t) for t in texts] == got


def _gsm_septets(text):
    out = []
    for c in text:
        out += ["ESC", c] if c in GSM7_EXTENSION else [c]
    return out


def _naive_gsm_parts(text):
    # Independent: encode to septets, cut 153 at a time, never after an ESC.
    septets = _gsm_septets(text)
    if len(septets) <= 160:
        return [septets]
    parts, i = [], 0
    while i < len(septets):
        cut = min(i + 153, len(septets))
        if cut < len(septets) and septets[cut - 1] == "ESC":
            cut -= 1
        parts.append(septets[i:cut])
        i = cut
    return parts


def _naive_ucs2_parts(text):
    units = []
    for c in text.encode("utf-16-le").hex(" ", 2).split():
        units.append(int.from_bytes(bytes.fromhex(c), "little"))
    if len(units) <= 70:
        return [units]
    parts, i = [], 0
    while i < len(units):
        cut = min(i + 67, len(units))
        if cut < len(units) and 0xD800 <= units[cut - 1] <= 0xDBFF:  # high surrogate
            cut -= 1
        parts.append(units[i:cut])
        i = cut
    return parts


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(GSM7_BASIC + GSM7_EXTENSION)), max_size=1000))
def test_gsm_split_never_breaks_escape_and_is_monotone(text):
    parts = _naive_gsm_parts(text)
    assert all(p[-1] != "ESC" for p in parts if p)
    assert all(len(p) <= 153 for p in parts) or len(parts) == 1
    assert count_segments([text])["segments"].iloc[0] == len(parts)
    prefixes = [text[:k] for k in range(0, len(text) + 1, 7)] + [text]
    counted = count_segments(prefixes)
    seg = counted["segments"].tolist()
    assert seg == sorted(seg)  # monotone in length
    lengths = [len(_gsm_septets(p)) for p in prefixes]
    assert counted["length"].tolist() == lengths
    assert [s == 1 for s in seg] == [n <= 160 for n in lengths]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcê中Ж ") + ["😀", "🎉", "𝔸"]), max_size=500))
def test_ucs2_split_never_breaks_surrogate_pair(text):
    parts = _naive_ucs2_parts(text)
    assert all(not 0xD800 <= p[-1] <= 0xDBFF for p in parts if p)
    row = count_segments([text]).iloc[0]
    if row["encoding"] == "UCS-2":
        assert row["segments"] == len(parts)
        assert row["length"] == len(text.encode("utf-16-le")) // 2
        assert (row["segments"] == 1) == (row["length"] <= 70)


def test_max_length_table_from_the_guide():
    assert [max_length("GSM-7", n) for n in range(1, 7)] == [160, 306, 459, 612, 765, 918]
    assert [max_length("UCS-2", n) for n in range(1, 7)] == [70, 134, 201, 268, 335, 402]
    assert max_length("ucs2") == 70
    for bad in (0, 7, 1.5, True):
        with pytest.raises(MessageError) as err:
            max_length("GSM-7", bad)
        assert err.value.rule == "max-segments"
    with pytest.raises(MessageError):
        max_length("latin-1")


# ---------------------------------------------------------------- the fast path against the exact counts


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(boundary_texts(), min_size=1, max_size=6))
def test_the_fast_path_equals_count_one_and_the_reference_around_the_ends_of_parts(texts):
    frame = count_segments(texts)
    got = list(zip(frame["encoding"].astype(str), frame["length"].astype(int), frame["segments"].astype(int)))
    assert got == [count_one(t) for t in texts] == [reference_count(t) for t in texts]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(boundary_texts() | st.lists(st.sampled_from(["a", "ç", *HAZARDS]), max_size=150).map("".join), max_size=8)
)
def test_the_counts_do_not_depend_on_the_arrow_layout(texts):
    counts = count_arrow(pa.array(texts, pa.large_string()))
    padded = pa.array(["x", *texts, "😀"], pa.string()).slice(1, len(texts))  # 32-bit offsets, not from 0
    assert all(np.array_equal(a, b) for a, b in zip(counts, count_arrow(padded)))
    chunked = pa.chunked_array([texts[:2], texts[2:]], pa.large_string())
    assert count_segments(chunked).equals(count_segments(texts))


def test_every_ascii_character_and_every_gsm_character_is_classified_as_the_reference_does():
    chars = [chr(b) for b in range(128)] + sorted(c for c in GSM7_CHARS if ord(c) > 127) + list("çœ€ʼ\u00a0中😀\u0301")
    texts = [c * k for c in chars for k in (1, 80, 81, 153, 161)]
    frame = count_segments(texts)
    got = list(zip(frame["encoding"].astype(str), frame["length"].astype(int), frame["segments"].astype(int)))
    assert got == [reference_count(t) for t in texts]


few_texts = st.text(st.sampled_from("aé€ç😀\r\n🇫🇷\u0301 ^"), max_size=400)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.lists(few_texts, max_size=8))
def test_the_fast_counter_agrees_with_the_reference(batch):
    assert [count_one(t) for t in batch] == [reference_count(t) for t in batch]
    is_gsm, lengths, segments, valid = count_arrow(pa.array([*batch, None], pa.large_string()))
    assert [(bool(g), int(n), int(k)) for g, n, k in zip(is_gsm[:-1], lengths[:-1], segments[:-1])] == [
        (e == "GSM-7", n, k) for e, n, k in (reference_count(t) for t in batch)
    ]
    assert valid.tolist() == [True] * len(batch) + [False]


def test_empty_inputs_and_missing_only():
    for empty in (
        [],
        pa.chunked_array([], pa.string()),
        pd.Series([], dtype="string"),
        pa.array([], pa.large_string()),
    ):
        assert count_segments(empty).shape == (0, 3)
    frame = count_segments(pd.Series([None, None], dtype="string"))
    assert frame["segments"].isna().all() and frame["encoding"].isna().all()
    assert count_segments([""]).values.tolist() == [["GSM-7", 0, 1]] == [list(reference_count(""))]


def test_a_long_list_is_counted_alike_and_its_errors_name_the_right_item():
    texts = [("a" * (i % 400)) + ("€" if i % 7 == 0 else "") + ("😀" if i % 11 == 0 else "") for i in range(70_000)]
    listed = count_segments(texts)
    assert listed.equals(count_segments(pd.Series(texts, dtype="string[pyarrow]")))
    sample = range(0, 70_000, 997)
    got = listed.iloc[list(sample)]
    assert list(zip(got["encoding"].astype(str), got["length"], got["segments"])) == [
        count_one(texts[i]) for i in sample
    ]
    with pytest.raises(MessageError) as err:
        count_segments([*texts, 12])
    assert err.value.line == 70_001 and err.value.rule == "text-type"
    with pytest.raises(MessageError) as err:
        count_segments([*texts, "a\ud800"])
    assert err.value.line == 70_001
