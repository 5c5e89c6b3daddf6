"""lists/cleaning.py: clean_recipients and the upload analysis (the guide's 2.9.1)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from mfanalytics.errors import RecipientListError, ValidationError
from mfanalytics.lists.cleaning import CleanResult, analyze_list, clean_recipients
from mfanalytics.lists.reading import find_mobile_column, parse_list, read_list

ROOT = Path(__file__).resolve().parents[2]
LISTS = Path(__file__).resolve().parents[1] / "data" / "lists"
SAMPLES = ROOT / "data_samples"

# What every good list file in tests/data/lists holds (written by hand).
EXPECTED_ROWS = [
    ["Dupont", "Hélène", "Orléans", "06 12 34 56 78", "01000"],
    ["Lefèvre", "François", "Nîmes", "+33 7 81 22 33 44", "75017"],
    ["Gaillard", "Zoé", "Saint-Étienne", "0692 12 34 56", "42000"],
]


# ------------------------------------------------------------------ cleaning rules
def test_duplicates_first_occurrence_and_blacklist():
    data = pd.DataFrame(
        {
            "NOM": ["a", "b", "c", "d", "e", "f", "g"],
            "mobile": [
                "06 12 34 56 78",  # 1 kept
                "+33612345678",  # 2 duplicate of 1
                "07 81 22 33 44",  # 3 blacklisted (given as +33...)
                "0781223344",  # 4 blacklisted too, not "duplicate"
                "01 42 68 53 00",  # 5 fixed line
                "",  # 6 empty
                "0692 12 34 56",  # 7 kept (Réunion)
            ],
        }
    )
    result = clean_recipients(data, blacklist=["+33 7 81 22 33 44"])
    issues = result.frame["mobile_issue"]
    assert issues.isna().tolist() == [True, False, False, False, False, False, True]
    assert issues.dropna().tolist() == ["duplicate", "blacklisted", "blacklisted", "not_mobile", "empty"]
    assert result.recipients["NOM"].tolist() == ["a", "g"]
    assert result.recipients["mobile_e164"].tolist() == ["+33612345678", "+262692123456"]
    # The analysis is the upload's: it knows nothing of the blacklist.
    a = result.analysis
    assert a["validNumberMOBILE"] == 5
    assert a["invalidNumberMOBILE"] == 2
    assert a["invalidLineList"] == [5, 6]
    assert a["lineDuplicateMobile"] == ["2", "4"]
    assert a["validCountryCounter"] == {"FR": 4, "RE": 1}
    assert a["emptyKeys"] == []
    # the input frame is not modified
    assert list(data.columns) == ["NOM", "mobile"]


@pytest.mark.parametrize(
    "blacklist",
    [
        pd.DataFrame({"item": ["0781223344"], "typeItem": ["MOBILE"]}),
        pd.DataFrame({"Mobile": ["+33781223344"]}),
        pd.Series(["0033 7 81 22 33 44"]),
        ("33781223344",),
    ],
)
def test_blacklist_forms(blacklist):
    result = clean_recipients(b"mobile\n0781223344\n0612345678\n", blacklist=blacklist)
    assert result.recipients["mobile_e164"].tolist() == ["+33612345678"]
    assert result.frame["mobile_issue"].iloc[0] == "blacklisted"


def test_inputs_bytes_buffer_path_str_and_frame_agree():
    path = LISTS / "cp1252_semicolon.csv"
    raw = path.read_bytes()
    results = [
        clean_recipients(raw),
        clean_recipients(io.BytesIO(raw)),
        clean_recipients(path),
        clean_recipients(str(path)),
    ]
    for r in results:
        assert r.frame["mobile_e164"].tolist() == ["+33612345678", "+33781223344", "+262692123456"]
        assert r.charset == "WINDOWS-1252"
    plain = pd.DataFrame({"NOM": ["Dupont", "Lefèvre", "Gaillard"], "mobile": [r[3] for r in EXPECTED_ROWS]})
    frame_result = clean_recipients(plain)
    assert frame_result.frame["mobile_e164"].tolist() == ["+33612345678", "+33781223344", "+262692123456"]
    assert frame_result.charset == ""


def test_bad_input_type():
    with pytest.raises(RecipientListError) as info:
        clean_recipients(12)
    assert info.value.rule == "input-type"


def test_missing_file_is_a_recipient_list_error():
    with pytest.raises(RecipientListError, match="cannot read"):
        read_list(LISTS / "does_not_exist.csv")


def test_analyze_list_standalone_counts():
    df = parse_list("Nom;Tél;GSM\nA;;0612345678\nBé;x;+33612345678\n;y;junk\n".encode())
    a = analyze_list(df)
    assert a["size"] == 3
    assert a["validNumberMOBILE"] == 2 and a["invalidNumberMOBILE"] == 1
    assert a["invalidLineList"] == [3]
    assert a["lineDuplicateMobile"] == ["2"] and a["countDuplicateMobile"] == 1
    assert a["emptyKeys"] == ["Nom", "Tél"]
    assert a["computedHeaderSize"]["Nom"] == {"0": 1, "1": 1, "2": 1}
    assert a["maxDatasMap"] == {"Nom": "Bé", "Tél": "x", "GSM": "+33612345678"}
    assert a["maxSizeDataLine"] == len("Bé") + len("x") + len("+33612345678")
    assert a["charsetDetected"] == "UTF-8"


def test_repr_and_html_summary():
    result = clean_recipients(SAMPLES / "liste_demo.csv")
    assert isinstance(result, CleanResult)
    text = repr(result)
    assert "rows=11" in text and "recipients=9" in text and "duplicate=1" in text
    html = result._repr_html_()
    assert "<table>" in html and "Recipients to send" in html and "FR: 10" in html
    assert "WINDOWS-1252" in html


def test_error_is_a_validation_error_with_rule():
    with pytest.raises(ValidationError) as info:
        find_mobile_column(["a", "b"])
    assert "[mobile-column" in str(info.value)
