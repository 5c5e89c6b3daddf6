"""Tests of mfanalytics.messages.characters: GSM-7 or not, look-alike replacements, emoticons."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mfanalytics.messages.characters import non_gsm_chars, replace_emoji, to_gsm7
from mfanalytics.messages.gsm7 import GSM7_BASIC, GSM7_CHARS, TRANSLITERATION, transliterate_char

ORACLE = json.loads((Path(__file__).parents[1] / "data" / "segments_oracle.json").read_text("utf-8"))
MESSAGES = ORACLE["messages"]


def test_non_gsm_chars_agree_with_oracle():
    for m in MESSAGES:
        from_oracle = {c for g in m["nonGsm"] for c in g if c not in GSM7_CHARS}
        assert set(non_gsm_chars(m["text"])) == from_oracle
        assert (non_gsm_chars(m["text"]) == ()) == (m["encoding"] == "GSM-7")


# ---------------------------------------------------------------- transliteration and emoji
def test_to_gsm7_guide_examples():
    assert to_gsm7("ç,â,ê,ë") == "c,a,e,e"  # section 2.1, autoREPLACETOGSM7
    assert to_gsm7("Leçon « crème brûlée » – l’œuf…\u00a0!") == 'Lecon " crème brulée " - l\'oeuf... !'
    assert to_gsm7("Ça été à Noël, où ?") == "Ça été à Noel, où ?"  # é à Ç ù stay: they are GSM-7
    assert to_gsm7("e\u0301") == "é"  # decomposed accent recomposed, not dropped
    assert to_gsm7("Prix 5€ 😀 中") == "Prix 5€ 😀 中"  # no GSM-7 equivalent: kept
    assert to_gsm7("ÂÊÎÔÛ ŒUVRE") == "AEIOU OEUVRE"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_to_gsm7_is_idempotent_and_only_leaves_unmappable_chars(text):
    once = to_gsm7(text)
    assert to_gsm7(once) == once
    assert all(c in GSM7_CHARS or transliterate_char(c) == c for c in once)


LATIN = [
    c for c in map(chr, range(0xC0, 0x250)) if unicodedata.category(c).startswith("L") and transliterate_char(c) != c
]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(sorted(TRANSLITERATION) + LATIN + list(GSM7_BASIC)), max_size=60))
def test_to_gsm7_output_is_gsm_for_mapped_characters(text):
    assert non_gsm_chars(to_gsm7(text)) == ()


def test_replace_emoji():
    assert replace_emoji(":-)") == "😊"  # the guide's example
    assert replace_emoji("Merci :) à bientôt ;-) <3") == "Merci 😊 à bientôt 😉 ❤️"
    assert replace_emoji("RDV 10:30 sur https://x.fr/:p") == "RDV 10:30 sur https://x.fr/:p"
    assert replace_emoji("(:-D)") == "(😃)"
    assert replace_emoji(replace_emoji("a :-) b :( c")) == "a 😊 b 😞 c"


def test_non_gsm_chars_order_and_distinct():
    assert non_gsm_chars("çaêçë😀ê") == ("ç", "ê", "ë", "😀")
    assert non_gsm_chars("Ça é à €") == ()
