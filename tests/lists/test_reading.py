"""lists/reading.py: list files read (charsets, separators, quotes, limits, blocks) and the guide's example."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from mfanalytics.errors import RecipientListError
from mfanalytics.lists.cleaning import clean_recipients
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


@pytest.mark.parametrize(
    "name, charset, sep",
    [
        ("utf8_semicolon.csv", "UTF-8", ";"),
        ("utf8_bom_comma.csv", "UTF-8", ","),
        ("cp1252_semicolon.csv", "WINDOWS-1252", ";"),
        ("utf16_bom_semicolon.csv", "UTF-16", ";"),
    ],
)
def test_every_encoding_keeps_accents_and_leading_zeros(name, charset, sep):
    df = read_list(LISTS / name)
    assert df.attrs["charset"] == charset
    assert df.attrs["separator"] == sep
    assert list(df.columns) == ["NOM", "PRENOM", "VILLE", "mobile", "CP"]
    assert df.to_numpy().tolist() == EXPECTED_ROWS
    assert all(str(df[c].dtype) == "string" for c in df.columns)


def test_quoted_fields_with_separator_and_doubled_quotes():
    df = read_list(LISTS / "utf8_quoted_comma.csv")
    assert df["NOM"].tolist() == ["Dupont, Jr", "Lefèvre", "Gaillard"]
    assert df["PRENOM"].tolist() == ["Hélène", 'François "Fanfan"', "Zoé"]
    assert df["CP"].tolist() == ["01000", "75017", "42000"]


def test_header_variants_are_found_and_kept_verbatim():
    df = read_list(LISTS / "header_variants.csv")
    assert list(df.columns) == ["Nom", " Prénom ", "Ville", " Portable ", "CP"]
    assert find_mobile_column(df.columns) == " Portable "
    result = clean_recipients(LISTS / "header_variants.csv")
    assert result.column == " Portable "
    assert result.frame["mobile_e164"].tolist() == ["+33612345678", "+33781223344", "+262692123456"]


@pytest.mark.parametrize("name", ["mobile", "SMS", " gsm ", "Portable"])
def test_find_mobile_column_names(name):
    assert find_mobile_column(["NOM", name, "CP"]) == name


def test_no_mobile_column_names_the_header():
    with pytest.raises(RecipientListError) as info:
        clean_recipients(LISTS / "no_mobile_column.csv")
    assert info.value.rule == "mobile-column"
    assert "TELEPHONE" in str(info.value) and "NOM" in str(info.value)
    # an explicit column works, and a wrong one names the header
    assert clean_recipients(LISTS / "no_mobile_column.csv", column="TELEPHONE").analysis["validNumberMOBILE"] == 1
    with pytest.raises(RecipientListError, match="TELEPHONE"):
        clean_recipients(LISTS / "no_mobile_column.csv", column="tel")


def test_empty_file():
    with pytest.raises(RecipientListError) as info:
        read_list(LISTS / "empty.csv")
    assert info.value.rule == "empty-file"
    assert isinstance(info.value, ValueError)


def test_header_only_file():
    df = read_list(LISTS / "header_only.csv")
    assert list(df.columns) == ["NOM", "PRÉNOM", "GSM"]
    assert len(df) == 0
    result = clean_recipients(LISTS / "header_only.csv")
    assert len(result.recipients) == 0
    a = result.analysis
    assert (a["size"], a["validNumberMOBILE"], a["invalidNumberMOBILE"], a["maxSizeDataLine"]) == (0, 0, 0, 0)
    assert a["header"] == ["NOM", "PRÉNOM", "GSM"]


def test_wrong_field_count_names_the_line():
    with pytest.raises(RecipientListError) as info:
        read_list(LISTS / "bad_field_count.csv")
    err = info.value
    assert err.rule == "field-count"
    assert err.line == 2  # "Martin;0712345678" is the second data line
    assert "line 2 has 2" in str(err) and "3 fields" in str(err)


def test_several_bad_lines_are_all_reported():
    data = b"a;mobile\n1;0612345678\n2\n3;0612345679\n4;5;6\n"
    with pytest.raises(RecipientListError) as info:
        parse_list(data)
    assert info.value.line == 2
    assert "line 2 has 1" in str(info.value) and "line 4 has 3" in str(info.value)


def test_duplicate_header_is_refused():
    with pytest.raises(RecipientListError) as info:
        parse_list(b"mobile;NOM;NOM\n0612345678;a;b\n")
    assert info.value.rule == "duplicate-header"


def test_values_are_not_coerced():
    df = parse_list(b"CP;mobile;N\n01000;0612345678;NA\n;+33612345679;nan\n")
    assert df["CP"].tolist() == ["01000", ""]
    assert df["N"].tolist() == ["NA", "nan"]
    assert df["mobile"].tolist() == ["0612345678", "+33612345679"]


def test_windows_1252_is_not_read_as_another_code_page():
    text = "Nom;Ville;mobile\nHélène;Orléans;0612345678\nChloë;Besançon;0612345679\nÀ€;Œuvre;0612345670\n"
    df = parse_list(text.encode("cp1252"))
    assert df.attrs["charset"] == "WINDOWS-1252"
    assert df["Nom"].tolist() == ["Hélène", "Chloë", "À€"]
    assert df["Ville"].tolist() == ["Orléans", "Besançon", "Œuvre"]


# The documented blind spot of the charset rule (mfanalytics.charsets): in Windows-1252,
# "é", "è" or "ç" followed by two of "€", "œ" is the UTF-8 of one CJK ideograph, and
# alone between separators or spaces it reads as one (as a one-character Chinese name).
_CJK_ACCIDENT = re.compile("(?<![a-zA-Z])[çèé][€œ]{2}(?![a-zA-Z])")


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("abcéèàçœ€ÉÔ '-0123456789"), max_size=12),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    st.sampled_from([";", ","]),
)
@example(["Éœ"], "cp1252", ";")  # found by this test: "Éœ" is also the UTF-8 of "ɜ"
@example(["É€", "Ôœ"], "cp1252", ",")
@example(["Sé€œur"], "cp1252", ";")
def test_round_trip_any_encoding(names, encoding, sep):
    if encoding == "cp1252":
        assume(not any(_CJK_ACCIDENT.search(n) for n in names))
    text = sep.join(["NOM", "mobile"]) + "\r\n" + "".join(f"{n}{sep}0612345678\r\n" for n in names)
    df = parse_list(text.encode(encoding))
    assert df["NOM"].tolist() == names
    assert df.attrs["separator"] == sep


@pytest.mark.parametrize(
    "name, charset, expected",
    [
        # Windows-1252 whose every accent happens to be valid UTF-8 ("Éœ" is the UTF-8 of "ɜ")
        ("cp1252_valid_utf8.csv", "WINDOWS-1252", [["Éœ", "Ô€"], ["Dupont", "É€"]]),
        # UTF-8 without one French accent: other scripts, in words, stay UTF-8
        ("utf8_no_french_accent.csv", "UTF-8", [["Иванова", "Ольга"], ["Παπαδόπουλος", "Σοφία"], ["王", "伟伟"]]),
    ],
)
def test_bytes_valid_in_both_encodings_follow_the_documented_rule(name, charset, expected):
    data = (LISTS / name).read_bytes()
    data.decode("utf-8"), data.decode("cp1252")  # both readings exist: the ambiguous case
    df = read_list(LISTS / name)
    assert df.attrs["charset"] == charset
    assert df[["NOM", "PRENOM"]].to_numpy().tolist() == expected


@pytest.mark.parametrize(
    "text, encoding, charset",
    [
        ("NOM;mobile\nÉœ;0612345678\n", "cp1252", "WINDOWS-1252"),  # "ɜ": an IPA letter
        ("NOM;mobile\nÂ€;0612345678\n", "cp1252", "WINDOWS-1252"),  # a C1 control
        ("NOM;mobile\nSé€œur;0612345678\n", "cp1252", "WINDOWS-1252"),  # a CJK ideograph inside a Latin word
        ("NOM;mobile\nBΩb;0612345678\n", "utf-8", "WINDOWS-1252"),  # Greek inside a Latin word: "BÎ©b"
        ("NOM;mobile\nΩ;0612345678\nHélène;0612345679\n", "utf-8", "UTF-8"),  # a French accent decides
        ("NOM;mobile\n王;0612345678\n", "utf-8", "UTF-8"),  # one ideograph is a name
        ("NOM;mobile\nЖанна;0612345678\n", "utf-8", "UTF-8"),
        ("NOM;mobile\nAlan 😀;0612345678\n", "utf-8", "UTF-8"),
        ("NOM;mobile\n\u0441x;0612345678\n", "utf-8", "UTF-8"),  # 0x81 is not Windows-1252: UTF-8
    ],
)
def test_ambiguous_bytes_fixed_examples(text, encoding, charset):
    df = parse_list(text.encode(encoding))
    assert df.attrs["charset"] == charset
    if charset == encoding.upper().replace("CP", "WINDOWS-"):
        assert df["NOM"].tolist() == [line.split(";")[0] for line in text.splitlines()[1:]]


def test_reports_and_lists_decode_with_the_same_rule():
    from mfanalytics.reports.parsing import parse_report

    body = "INT_MOBILE;STATUS_CODE;NOM\n+33612345678;16;Éœ\n".encode("cp1252")
    assert parse_report(body)["NOM"].astype(str).tolist() == ["Éœ"]
    body = "INT_MOBILE;STATUS_CODE;NOM\n+33612345678;16;Сергей\n".encode()
    assert parse_report(body)["NOM"].astype(str).tolist() == ["Сергей"]


# ------------------------------------------------------------------ the guide's example
def test_liste_demo_analysis_matches_the_guide():
    guide = json.loads((SAMPLES / "upload_analysis_2.9.1.json").read_text(encoding="utf-8"))
    result = clean_recipients(SAMPLES / "liste_demo.csv")
    a = result.analysis
    same = [
        "size",
        "header",
        "charsetDetected",
        "type",
        "validNumberMOBILE",
        "invalidNumberMOBILE",
        "validNumberEMAIL",
        "invalidNumberEMAIL",
        "invalidLineList",
        "globalInvalidLine",
        "lineDuplicateMobile",
        "countDuplicateMobile",
        "lineDuplicateEmail",
        "countDuplicateEmail",
        "validCountryCounter",
        "invalidCountryCounter",
        "computedHeaderSize",
        "maxDatasMap",
        "maxSizeDataLine",
        "listName",
    ]
    for key in same:
        assert a[key] == guide[key], key
    # The guide lists emptyKeys in its (hash map) order; the set is what matters.
    assert set(a["emptyKeys"]) == set(guide["emptyKeys"])
    assert json.loads(json.dumps(a)) == a  # JSON-ready, as the sandbox sends it


def test_liste_demo_frame_and_recipients():
    result = clean_recipients(SAMPLES / "liste_demo.csv")
    assert result.charset == "WINDOWS-1252"
    assert result.column == "SMS"
    frame = result.frame
    assert frame["Prénom"].tolist()[:3] == ["Hélène", "François", "Jacqueline"]
    assert frame["Prix"].iloc[0] == "17 €"
    assert frame["CP"].iloc[5] == "03200"
    assert frame["mobile_issue"].astype(object).tolist()[9:] == ["empty", "duplicate"]
    assert len(result.recipients) == 9
    assert result.recipients["mobile_e164"].is_unique


# ------------------------------------------------------------------ data samples
def test_messy_sample_is_read_and_every_row_accounted_for():
    result = clean_recipients(SAMPLES / "recipients_messy.csv")
    assert result.charset == "WINDOWS-1252"
    n = len(result.frame)
    assert n >= 150
    counts = result.frame["mobile_issue"].value_counts(dropna=False)
    assert counts.sum() == n
    for issue in ["empty", "invalid", "not_mobile", "duplicate"]:
        assert counts.get(issue, 0) > 0, issue
    countries = result.analysis["validCountryCounter"]
    assert {"FR", "RE", "GP"} <= set(countries)


def test_campaign_5000_sample():
    result = clean_recipients(SAMPLES / "campaign_5000.csv")
    assert result.charset == "UTF-8"
    assert len(result.frame) >= 5000
    assert len(result.recipients) >= 4900
    assert result.recipients["mobile_e164"].is_unique
    assert {"PRENOM", "NOM", "VILLE", "REF"} <= set(result.frame.columns)


# ------------------------------------------------------------------ reading in blocks
_TRICKY = [
    b'"NOM\nCOMPLET";mobile\r\n"Dupont\r\nJr";0612345678\r\n',  # a header and a field spanning lines
    "NOM;mobile\rHélène;0612345678\rZoé;0612345679".encode("cp1252"),  # CR-only, no final line end
    "\ufeffNOM,mobile\nŒuvre €,0612345678\n".encode("utf-8"),  # BOM
    "NOM;mobile\nÉœ;0612345678\n".encode("utf-16"),
    "NOM;mobile\nИванова;0612345678\n".encode(),
    "NOM;mobile\nÉœ;0612345678\n".encode("cp1252"),
    b"NOM;mobile\n\n\nA;0612345678\n\n",
]


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64])
@pytest.mark.parametrize("source", [*sorted(p.name for p in LISTS.glob("*.csv")), *range(len(_TRICKY))])
def test_reading_in_tiny_blocks_gives_the_same_frame_or_error(source, block, monkeypatch, tmp_path):
    import mfanalytics.charsets as charsets
    import mfanalytics.lists.reading as recipients

    if isinstance(source, int):
        path = tmp_path / "tricky.csv"
        path.write_bytes(_TRICKY[source])
    else:
        path = LISTS / source

    def read():
        try:
            frame = read_list(path)
        except RecipientListError as exc:
            return (exc.rule, exc.line, str(exc))
        return frame, frame.attrs

    whole = read()
    monkeypatch.setattr(charsets, "_BLOCK", block)
    monkeypatch.setattr(recipients, "MAX_HEADER_CHARS", max(block, 64))
    small = read()
    if isinstance(whole[0], pd.DataFrame):
        pd.testing.assert_frame_equal(small[0], whole[0])
        assert small[1] == whole[1]
    else:
        assert small == whole
