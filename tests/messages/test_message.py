"""Tests of mfanalytics.messages.message and mfanalytics.messages.gsm7.

Segment counts are checked against tests/data/segments_oracle.json, produced by
Twilio's calculator (npm sms-segments-calculator, smart encoding off) with
tests/data/make_segments_oracle.mjs. Other expectations are worked by hand from
the API guide (section 2.1) or computed by independent implementations below.
"""

from __future__ import annotations

import json
import math
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfanalytics.errors import MessageError, ValidationError
from mfanalytics.messages.gsm7 import (
    GSM7_BASIC,
    GSM7_CHARS,
    GSM7_EXTENSION,
    TRANSLITERATION,
    reference_count,
    split_graphemes,
    transliterate_char,
)
from mfanalytics.messages.message import (
    TRACK_PLACEHOLDER,
    CreditEstimate,
    Message,
    count_segments,
    estimate_credits,
    max_length,
    non_gsm_chars,
    replace_emoji,
    to_gsm7,
)
from mfanalytics.messages.segments import count_one

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


@pytest.mark.parametrize("counter", [reference_count, count_one], ids=["reference", "scalar"])
def test_scalar_counts_match_oracle(counter):
    assert [counter(m["text"]) for m in MESSAGES] == [expected(m) for m in MESSAGES]


def test_message_counts_match_oracle():
    plain = [m for m in MESSAGES if "${" not in m["text"] and "$$[" not in m["text"]]
    assert len(plain) >= len(MESSAGES) - 5
    for m in plain:
        msg = Message(m["text"], allow_ucs2=True)
        assert (msg.encoding, msg.length, msg.segments) == expected(m), m["text"][:40]


def test_grapheme_split_matches_oracle():
    assert [len(split_graphemes(m["text"])) for m in MESSAGES] == [m["graphemes"] for m in MESSAGES]


def test_non_gsm_chars_agree_with_oracle():
    for m in MESSAGES:
        from_oracle = {c for g in m["nonGsm"] for c in g if c not in GSM7_CHARS}
        assert set(non_gsm_chars(m["text"])) == from_oracle
        assert (non_gsm_chars(m["text"]) == ()) == (m["encoding"] == "GSM-7")


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


# ---------------------------------------------------------------- Message
def test_message_fields_content_and_counts():
    m = Message("Bonjour ${PRENOM} ${NOM}, info : ${track_1} ${PRENOM}")
    assert m.fields == ("PRENOM", "NOM")
    assert m.content == m.text
    # fixed text: "Bonjour  , info : " + 22-char link + " " (fields empty without defaults)
    assert m.length == len("Bonjour  , info :  ") + 22 and m.encoding == "GSM-7" and m.segments == 1
    assert len(TRACK_PLACEHOLDER) == 22 and TRACK_PLACEHOLDER.startswith("https://1mf.eu/")
    d = Message("Bonjour ${PRENOM}", defaults={"prenom": "cher client"})
    assert d.length == len("Bonjour cher client")


def test_message_auto_replacements():
    m = Message("Leçon ${Ville} :-)", auto_replace_gsm7=True, auto_replace_emoji=True)
    assert m.content == "Lecon ${Ville} :-)"  # emoji replacement needs allow_ucs2
    assert m.encoding == "GSM-7" and m.non_gsm_chars == ()
    u = Message("Leçon ${Ville} :-)", allow_ucs2=True, auto_replace_emoji=True)
    assert u.content == "Leçon ${Ville} 😊" and u.encoding == "UCS-2"
    assert Message("Rôle ${Rôle}", auto_replace_gsm7=True).content == "Role ${Rôle}"  # field names kept


def test_message_check_rules():
    with pytest.raises(MessageError, match="'ç'") as err:
        Message("Leçon de français").check()
    assert err.value.rule == "non-gsm-characters" and "auto_replace_gsm7" in str(err.value)
    assert Message("Leçon", auto_replace_gsm7=True).check().content == "Lecon"
    assert Message("Leçon", allow_ucs2=True).check().encoding == "UCS-2"
    with pytest.raises(MessageError) as err:
        Message("a" * 161).check()
    assert err.value.rule == "too-long" and "161" in str(err.value)
    assert Message("a" * 161).check(max_segments=2).segments == 2
    with pytest.raises(MessageError) as err:
        Message("ê" * 71, allow_ucs2=True).check()
    assert err.value.rule == "too-long"
    with pytest.raises(MessageError) as err:
        Message("  ").check()
    assert err.value.rule == "empty"


def test_message_renderers():
    with pytest.raises(MessageError) as err:
        Message("{{name}}", renderer="MUSTACHE")
    assert err.value.rule == "renderer" and err.value.field == "renderer" and "HANDLEBARS" in str(err.value)
    m = Message("Bonjour $$[PRENOM] ${NOM}", renderer="MEDIASFLOW")
    assert m.fields == ("PRENOM",)
    out = m.render([{"PRENOM": "Zoé", "NOM": "X"}])
    assert out["text"].tolist() == ["Bonjour Zoé ${NOM}"]
    with pytest.raises(MessageError) as err:
        Message(42)
    assert err.value.rule == "text-type"


def test_message_repr_and_html():
    assert repr(Message("a" * 134)).endswith("# 134 / 160 · GSM-7 · 1 SMS")
    assert "200 / 306 · GSM-7 · 2 SMS" in repr(Message("a" * 200))
    assert "not sendable" in repr(Message("Leçon"))
    assert "<mark>ç</mark>" in Message("Leçon <b>")._repr_html_()
    assert "&lt;b&gt;" in Message("Leçon <b>")._repr_html_()


# ---------------------------------------------------------------- render
def test_render_codes_defaults_and_case_insensitive_lookup():
    recipients = pd.DataFrame(
        {
            "mobile": ["0601", "0602", "0603", "0604", "0605"],
            "prenom": ["Zoé", None, "", "François", "Anne"],
            "VILLE": ["Paris", "Lyon", "Nice", "Brest", "x" * 150],
        },
        index=[11, 12, 13, 14, 15],
    )
    m = Message("Bonjour ${PRENOM} de ${Ville} ${track_1}", defaults={"Ville": "?"})
    out = m.render(recipients)
    assert list(out.index) == [11, 12, 13, 14, 15]
    assert list(out.columns) == ["text", "encoding", "length", "segments", "error_code", "error"]
    assert str(out["error_code"].dtype) == "Int16" and str(out["text"].dtype) == "string"
    assert out.loc[11, "text"] == "Bonjour Zoé de Paris " + TRACK_PLACEHOLDER
    assert out["error_code"].tolist() == [pd.NA, 5, 5, 6, 7]
    assert "PRENOM" in out.loc[12, "error"] and "no default" in out.loc[12, "error"]
    assert "'ç'" in out.loc[14, "error"] and "PRENOM" in out.loc[14, "error"]
    expected_len = len("Bonjour Anne de ") + 150 + 1 + 22
    assert out.loc[15, "length"] == expected_len and "160" in out.loc[15, "error"]
    assert pd.isna(out.loc[11, "error"])
    assert m.render(recipients, max_segments=2).loc[15, "error_code"] is pd.NA


def test_render_defaults_fill_empty_values_and_transliterate():
    m = Message("Bonjour ${PRENOM}", defaults={"PRENOM": "client"}, auto_replace_gsm7=True)
    out = m.render([{"PRENOM": None}, {"PRENOM": ""}, {"PRENOM": "François"}])
    assert out["text"].tolist() == ["Bonjour client", "Bonjour client", "Bonjour Francois"]
    assert out["error_code"].isna().all()


def test_render_missing_column_and_exact_match_first():
    out = Message("Hi ${CODE}").render([{"mobile": "1"}, {"mobile": "2"}])
    assert out["error_code"].tolist() == [5, 5] and "neither" in out.loc[0, "error"]
    both = pd.DataFrame({"Nom": ["exact"], "NOM": ["upper"]})
    assert Message("${NOM}").render(both)["text"].tolist() == ["upper"]
    assert Message("${nom}").render(both)["text"].tolist() == ["exact"]  # first case-insensitive match


def test_render_literal_non_gsm_fails_every_row_and_ucs2_rows_counted():
    out = Message("Leçon ${X}").render([{"X": "a"}, {"X": "b"}])
    assert out["error_code"].tolist() == [6, 6] and "message text" in out.loc[0, "error"]
    ok = Message("${X}", allow_ucs2=True).render([{"X": "ê" * 70}, {"X": "ê" * 71}])
    assert ok["segments"].tolist() == [1, 2] and ok["error_code"].tolist() == [pd.NA, 7]


def test_render_api_list_recipient_with_extended_keys():
    recipients = [
        {
            "mobile": "0632545311",
            "extendedKeys": [{"keyName": "NOM_DU_CHAMP_DE_MA_LISTE_1", "keyValue": "VEEPEE"}, {"CP": "92200"}],
        }
    ]
    out = Message("Colis ${NOM_DU_CHAMP_DE_MA_LISTE_1} ${CP}").render(recipients)
    assert out["text"].tolist() == ["Colis VEEPEE 92200"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz .,!éà€", max_size=20), min_size=1, max_size=4),
    st.lists(
        st.lists(
            st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZéè0123456789 -", min_size=1, max_size=15),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_render_is_literal_concatenation(literals, rows):
    fields = ["F1", "F2", "F3"]
    template, pieces = "", []
    for i, lit in enumerate(literals):
        template += lit
        pieces.append(("lit", lit))
        f = fields[i % 3]
        template += "${" + f + "}"
        pieces.append(("field", f))
    recipients = pd.DataFrame(rows, columns=fields)
    out = Message(template).render(recipients, max_segments=6)
    expected = ["".join(p if kind == "lit" else row[int(p[1]) - 1] for kind, p in pieces) for row in rows]
    assert out["text"].tolist() == expected
    assert out["segments"].tolist() == [reference_count(t)[2] for t in expected]
    assert out["error_code"].isna().all()


# ---------------------------------------------------------------- credits
def test_estimate_credits_with_a_count():
    est = estimate_credits("a" * 200, 1000, max_segments=2)
    assert (est.recipients, est.sendable, est.credits) == (1000, 1000, 2000)
    assert est.segments == {2: 1000} and est.errors == {} and est.encoding == "GSM-7"
    assert estimate_credits("a" * 200, 10).errors == {7: 10}
    assert estimate_credits("Leçon", 3).errors == {6: 3}
    assert "2,000 credits" in repr(est)
    with pytest.raises(ValidationError):
        estimate_credits("a", -1)


def test_estimate_credits_with_recipients():
    frame = pd.DataFrame({"PRENOM": ["Zoé", "x" * 160, None, "Anne"]})
    msg = Message("Bonjour ${PRENOM}")
    est = estimate_credits(msg, frame, max_segments=2)
    # rows: 12 chars -> 1; 168 chars -> 2; empty field without default -> code 5; 12 chars -> 1
    assert (est.recipients, est.sendable, est.credits) == (4, 3, 4)
    assert est.segments == {1: 2, 2: 1} and est.errors == {5: 1}
    cleaned = SimpleNamespace(recipients=frame)  # the result of clean_recipients
    assert estimate_credits(msg, cleaned, max_segments=2) == est
    assert isinstance(est, CreditEstimate)
    mixed = estimate_credits(Message("${P}", allow_ucs2=True), [{"P": "a"}, {"P": "ê"}])
    assert mixed.encoding == "mixed" and mixed.credits == 2
    with pytest.raises(ValidationError) as err:
        estimate_credits(msg, "not recipients")
    assert err.value.rule == "recipients"


def test_estimate_credits_costs_segments_not_characters():
    # 66 x + emoji + 66 y = 134 UTF-16 units, but 3 SMS (the pair cannot be split)
    est = estimate_credits(Message("x" * 66 + "😀" + "y" * 66, allow_ucs2=True), 5, max_segments=3)
    assert est.credits == 15 and math.isclose(est.credits / est.sendable, 3)


def test_render_edge_cases():
    assert Message("a ${ } b ${X}").fields == ("X",)  # "${ }" names no field: kept as text
    assert Message("a ${ } b").render([{}])["text"].tolist() == ["a ${ } b"]
    empty = Message("Hi ${X}").render(pd.DataFrame({"X": pd.Series([], dtype="string")}))
    assert len(empty) == 0 and str(empty["segments"].dtype) == "Int32"
    no_fields = Message("Hi").render(pd.DataFrame(index=[5, 6]))
    assert no_fields["text"].tolist() == ["Hi", "Hi"] and list(no_fields.index) == [5, 6]
    numbers = Message("CP ${CP}").render(pd.DataFrame({"CP": [92200, 75001]}))
    assert numbers["text"].tolist() == ["CP 92200", "CP 75001"]
    with pytest.raises(MessageError) as err:
        estimate_credits("Hi", 10, max_segments=7)
    assert err.value.rule == "max-segments"
