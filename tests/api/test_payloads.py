"""Tests of mfanalytics.api.payloads: the recipients and list files the POST bodies carry.

Expected bodies are the guide's example 2.1.2 (``mobile`` plus ``extendedKeys``
``keyName``/``keyValue``), written by hand.
"""

from __future__ import annotations

import pandas as pd
import pytest

import mfanalytics
from mfanalytics.api.payloads import list_bytes, recipient_payload
from mfanalytics.errors import ValidationError
from mfanalytics.lists.reading import parse_list


def test_numbers_travel_alone_and_other_columns_as_extended_keys():
    assert recipient_payload(["0612345678", 33612345679]) == [{"mobile": "0612345678"}, {"mobile": "33612345679"}]
    frame = pd.DataFrame({"NOM": ["Dupont", None], "Mobile": ["0612345678", "0612345679"]})
    assert recipient_payload(frame) == [
        {"mobile": "0612345678", "extendedKeys": [{"keyName": "NOM", "keyValue": "Dupont"}]},
        {"mobile": "0612345679", "extendedKeys": [{"keyName": "NOM", "keyValue": ""}]},  # defaultForHeader applies
    ]


def test_a_cleaned_list_travels_in_e164_without_the_added_columns():
    cleaned = mfanalytics.clean_recipients(b"NOM;mobile\nDupont;06 12 34 56 78\n")
    assert recipient_payload(cleaned) == [
        {"mobile": "+33612345678", "extendedKeys": [{"keyName": "NOM", "keyValue": "Dupont"}]}
    ]
    back = parse_list(list_bytes(cleaned))
    assert back.to_dict("records") == [{"NOM": "Dupont", "mobile": "+33612345678"}]


@pytest.mark.parametrize("bad", ["0612345678", b"0612345678", 612345678, ["0612345678", {"mobile": "0612345679"}]])
def test_recipients_of_no_single_kind_are_refused(bad):
    with pytest.raises(ValidationError) as info:
        recipient_payload(bad)
    assert (info.value.rule, info.value.field) == ("recipients-type", "recipients")


def test_a_lone_surrogate_names_its_column_and_line():
    with pytest.raises(ValidationError) as info:
        recipient_payload([{"mobile": "0612345678", "NOM": "ok"}, {"mobile": "0612345679", "NOM": "A\ud83d"}])
    assert (info.value.rule, info.value.field, info.value.line) == ("surrogate", "NOM", 2)


def test_list_files_bytes_paths_and_text(tmp_path):
    raw = "mobile;NOM\r\n0612345678;Zoé\r\n".encode("cp1252")
    assert list_bytes(raw) is raw  # sent as it is, whatever its charset
    path = tmp_path / "list.csv"
    path.write_bytes(raw)
    assert list_bytes(path) == raw and list_bytes(str(path)) == raw
    assert list_bytes("mobile\n0612345678\n") == b"mobile\n0612345678\n"
    with pytest.raises(ValidationError) as info:
        list_bytes(tmp_path / "missing.csv")
    assert info.value.rule == "file-not-found"
    with pytest.raises(ValidationError) as info:
        list_bytes(42)
    assert info.value.rule == "list-type"


def test_a_frame_becomes_semicolon_csv_that_reads_back_the_same():
    frame = pd.DataFrame({"mobile": ["0612345678"], "NOTE": ["a;b\rc"]})  # a separator and a lone CR in a cell
    data = list_bytes(frame)
    assert data.startswith(b"mobile;NOTE\r\n")
    assert parse_list(data).to_dict("records") == [{"mobile": "0612345678", "NOTE": "a;b\rc"}]
