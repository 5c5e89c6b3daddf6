"""Tests of mfanalytics.messages.message: Message, its counts and render.

Segment counts are checked against tests/data/segments_oracle.json, produced by
Twilio's calculator (npm sms-segments-calculator, smart encoding off) with
tests/data/make_segments_oracle.mjs. Other expectations are worked by hand from
the API guide (section 2.1) or computed by independent implementations below.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfanalytics.errors import MessageError
from mfanalytics.messages.gsm7 import (
    reference_count,
)
from mfanalytics.messages.message import (
    TRACK_PLACEHOLDER,
    Message,
    estimate_credits,
)

ORACLE = json.loads((Path(__file__).parents[1] / "data" / "segments_oracle.json").read_text("utf-8"))
MESSAGES = ORACLE["messages"]


def expected(entry):
    # The oracle's numberOfCharacters counts septets for GSM-7 but grapheme
    # clusters for UCS-2; our length is UTF-16 units (what carriers bill), which
    # the generator records as utf16Units (JavaScript's String.length).
    length = entry["numberOfCharacters"] if entry["encoding"] == "GSM-7" else entry["utf16Units"]
    return entry["encoding"], length, entry["segments"]


def test_message_counts_match_oracle():
    plain = [m for m in MESSAGES if "${" not in m["text"] and "$$[" not in m["text"]]
    assert len(plain) >= len(MESSAGES) - 5
    for m in plain:
        msg = Message(m["text"], allow_ucs2=True)
        assert (msg.encoding, msg.length, msg.segments) == expected(m), m["text"][:40]


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


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Zoé", "", None, "Ana", "François", "x" * 150, "€"]), st.sampled_from(["Lyon", "", "ç"])
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(1, 9),
    st.sampled_from(["Bonjour ${PRENOM} de ${Ville} ${track_1}", "Code 1234", "€ ${PRENOM}", "${VILLE}"]),
)
def test_a_list_rendered_in_chunks_is_rendered_as_in_one(rows, chunk, template):
    import mfanalytics.messages.message as message

    recipients = pd.DataFrame(rows, columns=["PRENOM", "VILLE"], index=[3 * i + 1 for i in range(len(rows))])
    m = Message(template, defaults={"Ville": "?"})
    whole = m.render(recipients, max_segments=1)
    saved, message.RENDER_ROWS = message.RENDER_ROWS, chunk
    try:
        chunked = m.render(recipients, max_segments=1)
    finally:
        message.RENDER_ROWS = saved
    pd.testing.assert_frame_equal(chunked, whole)
