"""Tests of mfanalytics.api.payloads: the recipients and list files the POST bodies carry.

Expected bodies are the guide's example 2.1.2 (``mobile`` plus ``extendedKeys``
``keyName``/``keyValue``), written by hand.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mfanalytics
from mfanalytics.api.payloads import _csv_bytes, list_bytes, recipient_payload
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


# --- the CSV bytes of a frame: Arrow's writer where it gives pandas' bytes, pandas' otherwise ---------------------

_SPECIAL = [";", '"', "\r", "\n", "\r\n", " ", ",", "\t", "é", "Zoé", "😀", "👩‍👩‍👧", "'", "\\", "\x00"]
_SAFE_TEXT = st.text(st.sampled_from(["a", "B", "0", " ", ",", "é", "😀", "-", "+"]), max_size=6)
_ANY_TEXT = st.lists(st.one_of(st.sampled_from(_SPECIAL), st.characters(codec="utf-8")), max_size=5).map("".join)
_TEXT_KINDS = ["string[pyarrow]", "str", "string[python]", "str-python", "object", "category", "category-object"]
_OTHER_KINDS = ["int64", "float", "bool", "object-mixed", "category-int"]


def _pandas_csv(frame: pd.DataFrame) -> bytes:
    """The oracle: what _csv_bytes wrote before it had a fast path."""
    return frame.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8")


@st.composite
def _column(draw, rows: int, text, kinds: list[str]) -> pd.Series:
    kind = draw(st.sampled_from(kinds))
    if kind == "int64":
        return pd.Series(draw(st.lists(st.integers(-(2**40), 2**40), min_size=rows, max_size=rows)), dtype="int64")
    if kind == "float":
        floats = st.one_of(st.floats(allow_infinity=False), st.just(float("nan")))
        return pd.Series(draw(st.lists(floats, min_size=rows, max_size=rows)), dtype="float64")
    if kind == "bool":
        return pd.Series(draw(st.lists(st.booleans(), min_size=rows, max_size=rows)), dtype="bool")
    if kind == "category-int":
        return pd.Series(
            draw(st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=rows, max_size=rows)), dtype="category"
        )
    missing = st.sampled_from([None, np.nan, pd.NA])
    if kind == "object-mixed":
        values = draw(
            st.lists(st.one_of(text, missing, st.integers(), st.booleans(), st.floats()), min_size=rows, max_size=rows)
        )
        return pd.Series(values, dtype=object)
    values = draw(st.lists(st.one_of(text, missing), min_size=rows, max_size=rows))
    if kind == "object":
        return pd.Series(values, dtype=object)
    values = [None if v is not None and not isinstance(v, str) else v for v in values]
    if kind == "category":
        return pd.Series(values, dtype="category")
    if kind == "category-object":
        return pd.Series(
            pd.Categorical(values, categories=pd.Index(sorted({v for v in values if v is not None}), dtype=object))
        )
    dtype = pd.StringDtype("python", na_value=np.nan) if kind == "str-python" else kind
    return pd.Series(values, dtype=dtype)


@st.composite
def _frames(draw) -> pd.DataFrame:
    rows = draw(st.integers(0, 30))
    # often a frame Arrow can write: text columns only, no value or name to quote, names that are str
    text = draw(st.sampled_from([_SAFE_TEXT, _ANY_TEXT]))
    kinds = draw(st.sampled_from([_TEXT_KINDS, _TEXT_KINDS + _OTHER_KINDS]))
    name = draw(st.sampled_from([_SAFE_TEXT, _SAFE_TEXT, text, st.one_of(text, st.integers(0, 3))]))
    names = draw(st.lists(name, min_size=1, max_size=4, unique=draw(st.sampled_from([True, True, True, False]))))
    columns = [draw(_column(rows, text, kinds)) for _ in names]
    frame = pd.concat(columns, axis=1, ignore_index=True)
    frame.columns = names  # names may repeat
    if draw(st.booleans()):
        frame.index = draw(st.permutations(range(10, 10 + rows)))
    return frame


@settings(max_examples=300, deadline=None)
@given(_frames())
def test_a_frame_becomes_the_bytes_pandas_writes(frame):
    assert _csv_bytes(frame) == _pandas_csv(frame)


def _no_pandas_csv(*args, **kwargs):
    raise AssertionError("DataFrame.to_csv called: the Arrow path was not taken")


def test_a_frame_of_text_is_written_by_arrow_not_pandas():
    frame = pd.DataFrame(
        {
            "mobile": pd.Series(["+33612345678", "+33612345679", None], dtype="string[pyarrow]"),
            "PRENOM": pd.Categorical(["Zoé", None, "Ana"]),
            "VILLE": pd.Series(["Paris", "Saint-Étienne", ""], dtype="str"),
            "NOTE": pd.Series(["😀", np.nan, "a, b"], dtype=object),
            "REF": pd.Series(["C1", pd.NA, "C3"], dtype="string[python]"),
        }
    )
    frame.index = [7, 3, 5]  # not written
    expected = _pandas_csv(frame)
    assert expected == (
        b"mobile;PRENOM;VILLE;NOTE;REF\r\n"
        b"+33612345678;Zo\xc3\xa9;Paris;\xf0\x9f\x98\x80;C1\r\n"
        b"+33612345679;;Saint-\xc3\x89tienne;;\r\n"
        b";Ana;;a, b;C3\r\n"
    )
    with mock.patch.object(pd.DataFrame, "to_csv", _no_pandas_csv):
        assert _csv_bytes(frame) == expected
        assert list_bytes(frame) == expected
        cleaned = mfanalytics.clean_recipients(b"mobile;PRENOM\n06 12 34 56 78;Zo\xc3\xa9\n0612345679;\n")
        assert list_bytes(cleaned) == "mobile;PRENOM\r\n+33612345678;Zoé\r\n+33612345679;\r\n".encode()


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"mobile": ["0612345678"], "NOTE": ["a;b"]}),  # a value to quote
        pd.DataFrame({"mobile": ["0612345678"], "NO;TE": ["ab"]}),  # a name to quote
        pd.DataFrame({"mobile": ["0612345678", ""]}),  # a single column's empty line is written ""
        pd.DataFrame({"mobile": ["0612345678"], "N": [1.5]}),  # pandas formats the float
    ],
)
def test_a_frame_arrow_cannot_write_as_pandas_does_is_written_by_pandas(frame):
    expected = _pandas_csv(frame)
    with mock.patch.object(pd.DataFrame, "to_csv", autospec=True, side_effect=pd.DataFrame.to_csv) as to_csv:
        assert _csv_bytes(frame) == expected
    assert to_csv.call_count == 1


def test_a_string_pyarrow_column_cannot_hold_a_lone_surrogate():
    # so a frame holding one holds it in an object, string[python] or object-categories column
    for dtype in ("string[pyarrow]", "str", "category"):
        with pytest.raises(UnicodeEncodeError):
            pd.Series(["ok", "A\ud83d"], dtype=dtype)


_HALF_EMOJI = np.array(["ok", "A\ud83d"], dtype=object)


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(_HALF_EMOJI, dtype=object),
        pd.Series(pd.array(_HALF_EMOJI, dtype="string[python]")),
        pd.Series(pd.Categorical.from_codes([0, 1], categories=pd.Index(_HALF_EMOJI, dtype=object))),
    ],
    ids=["object", "string[python]", "category"],
)
def test_a_lone_surrogate_in_a_list_file_names_its_column_and_line(column):
    frame = pd.DataFrame({"mobile": pd.Series(["0612345678", "0612345679"], dtype="string[pyarrow]"), "NOM": column})
    with pytest.raises(ValidationError) as info:
        list_bytes(frame)
    assert (info.value.rule, info.value.field, info.value.line) == ("surrogate", "NOM", 2)
