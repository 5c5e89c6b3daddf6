"""Generated texts that put escapes, surrogate pairs, combining marks and ZWJ sequences exactly at, or
a few characters around, the ends of SMS parts (153 / 160 septets, 67 / 70 UTF-16 units): shared by
the tests of the exact count (test_parts) and of the column counter (test_segments)."""

from __future__ import annotations

from hypothesis import strategies as st

from mfanalytics.messages.gsm7 import GSM7_CHARS, GSM7_EXTENSION

#: What a part must not split: escapes, surrogate pairs (emoji), combining marks, ZWJ sequences, skin
#: tones, flags, variation selectors, Hangul jamo, a Prepend, a spacing mark, CR LF.
HAZARDS = [
    *GSM7_EXTENSION,
    "😀",
    "🎉",
    "𝔸",
    "e\u0301",
    "a\u0308\u0323",
    "\u0301",
    "👨\u200d👩\u200d👧",
    "👍🏼",
    "🇫🇷",
    "🇫🇷🇧",
    "❤️",
    "1️⃣",
    "🏳️\u200d🌈",
    "\u200d",
    "\U0001f3fb",
    "각",
    "\u1100\u1161\u11a8",
    "\u0600a",
    "\u0915\u0903",
    "\r\n",
]
BASES = ["a", "é", " ", "ç", "Ж"]  # one septet or one unit each; ç and Ж are outside GSM-7


def _units(text: str, gsm: bool) -> int:
    if gsm:
        return len(text) + sum(c in GSM7_EXTENSION for c in text)
    return len(text.encode("utf-16-le")) // 2


@st.composite
def boundary_texts(draw: st.DrawFn) -> str:
    """A run of one base character with hazards whose first unit is at, or a few units before or after,
    the end of a part, and a total length at or around a whole number of parts (or one SMS)."""
    base = draw(st.sampled_from(BASES))
    hazards = draw(st.lists(st.sampled_from(HAZARDS), min_size=1, max_size=4))
    gsm = all(c in GSM7_CHARS for c in base + "".join(hazards))
    part, single = (153, 160) if gsm else (67, 70)
    targets = sorted(part * draw(st.integers(1, 4)) - draw(st.integers(-2, 3)) for _ in hazards)
    pieces, pos = [], 0
    for hazard, target in zip(hazards, targets):
        pieces.append(base * max(target - pos, 0))
        pieces.append(hazard)
        pos = max(target, pos) + _units(hazard, gsm)
    parts = max(-(-pos // part), 1) + draw(st.integers(0, 1))
    total = draw(st.sampled_from([single, part * parts])) + draw(st.integers(-3, 3))
    pieces.append(base * max(total - pos, 0))
    return "".join(pieces)
