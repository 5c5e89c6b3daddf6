"""lists/cleaning.py: clean_recipients and the upload analysis (the guide's 2.9.1)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
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


# ------------------------------------------------------------------ in chunks
def _messy_list(n: int, seed: int = 17) -> pd.DataFrame:
    """Numbers in several formats, repeated (duplicates across chunks), a few empty, invalid and foreign."""
    rng = np.random.default_rng(seed)
    base = [f"06{d:08d}" for d in rng.integers(0, 10**8, n // 3)]
    forms = ["{}", "+33{}", "{} ", "0033{}"]
    values = []
    for i in range(n):
        raw = base[int(rng.integers(0, len(base)))]
        values.append(forms[i % 4].format(raw[1:] if i % 4 in (1, 3) else raw))
    for i in rng.integers(0, n, n // 20):
        values[int(i)] = str(rng.choice(["", " ", "n/a", "0142685300", "+32470123456", "0692123456", "abc"]))
    return pd.DataFrame({"NOM": [f"n{i % 7}" for i in range(n)], "mobile": pd.array(values, dtype="string")})


@pytest.mark.parametrize("categorical", [False, True])
def test_chunks_and_buckets_give_the_frame_and_analysis_of_one_pass(monkeypatch, categorical):
    """Rows read in chunks (three at once, in threads) and duplicates keyed in buckets: the same frame,
    analysis and counts as in one pass."""
    import mfanalytics.lists.cleaning as cleaning
    import mfanalytics.lists.phones as phones
    import mfanalytics.threads as threads

    data = _messy_list(3_000)
    if categorical:
        data["mobile"] = data["mobile"].astype("category")
    whole = clean_recipients(data, blacklist=["+33600000001", data["mobile"].iloc[5]])
    monkeypatch.setattr(phones, "_ROW_CHUNK", 257)
    monkeypatch.setattr(threads, "WORKERS", 3)
    monkeypatch.setattr(threads.pa, "cpu_count", lambda: 4)  # threads on any machine
    monkeypatch.setattr(cleaning, "_ROWS", 101)
    monkeypatch.setattr(cleaning, "_BUCKET_ROWS", 64)
    parts = clean_recipients(data, blacklist=["+33600000001", data["mobile"].iloc[5]])
    pd.testing.assert_frame_equal(parts.frame, whole.frame)
    pd.testing.assert_frame_equal(parts.recipients, whole.recipients)
    assert parts.analysis == whole.analysis
    assert parts.counts == whole.counts
    # The oracle of duplicates: pandas on the whole E.164 column, first occurrence kept.
    valid = whole.frame["mobile_valid"].to_numpy(dtype=bool)
    e164 = whole.frame["mobile_e164"][valid]
    expected = e164.index[e164.duplicated(keep="first")] + 1
    assert parts.analysis["lineDuplicateMobile"] == [str(i) for i in expected]
    assert parts.counts["duplicate"] + parts.counts["blacklisted"] >= 1


def test_recipients_are_the_rows_to_send_selected_once():
    result = clean_recipients(_messy_list(300))
    assert result.recipients is result.recipients
    pd.testing.assert_frame_equal(result.recipients, result.frame[result.frame["mobile_issue"].isna()])
    assert len(result.recipients) == result.counts["recipients"]


def test_the_lists_of_lines_are_made_when_the_analysis_is_first_read():
    """A list of 12M lines with 2,000 numbers has 12M duplicates: as Python strings, 800 MB that
    clean_recipients does not make unless ``analysis`` is read. Read, it is analyze_list's, keys in order."""
    data = _messy_list(3_000)
    result = clean_recipients(data)
    repr(result), result._repr_html_(), result.recipients, result.counts
    assert vars(result)["_analysis"] is None  # not made yet: its lists are not made
    expected = analyze_list(data, column="mobile")
    assert list(result.analysis) == list(expected)
    assert result.analysis == expected
    assert result.analysis is result.analysis
    assert result.analysis["countDuplicateMobile"] == len(result.analysis["lineDuplicateMobile"]) > 0
    assert len(result.analysis["invalidLineList"]) == result.analysis["invalidNumberMOBILE"] > 0
    # An edit of the frame after cleaning does not change the analysis of the list as read.
    later = clean_recipients(data)
    later.frame.loc[0, "mobile_valid"] = not later.frame.loc[0, "mobile_valid"]
    later.frame = later.frame.drop(index=[1, 2])
    assert later.analysis == expected


def test_a_cleaned_list_exported_reads_back_as_it_was(tmp_path):
    from mfanalytics.export import to_safe_csv

    data = _messy_list(2_500)
    data.loc[3, "NOM"] = "=HYPERLINK(1)"  # neutralised on the way out, restored on the way in
    result = clean_recipients(data)
    back = read_list(to_safe_csv(result.frame, tmp_path / "cleaned.csv"))
    expected = result.frame.copy()
    for name in ("NOM", "mobile"):  # the list's own columns come back as read_list types them
        expected[name] = expected[name].astype(back[name].dtype)
    pd.testing.assert_frame_equal(back, expected, check_index_type=False)
    assert isinstance(back["mobile_country"].dtype, pd.CategoricalDtype)


def test_a_clean_result_is_still_a_dataclass_of_its_fields():
    import dataclasses

    result = clean_recipients(_messy_list(300))
    analysis = dict(result.analysis)
    again = dataclasses.replace(result, column="other")
    assert again.column == "other" and again.analysis == analysis and again.counts == result.counts
    assert dataclasses.asdict(result)["analysis"] == analysis
    given = CleanResult(result.frame, {"validCountryCounter": {"FR": 1}}, "mobile", "", result.counts)
    assert given.analysis == {"validCountryCounter": {"FR": 1}} and "FR: 1" in given._repr_html_()
    with pytest.raises(AttributeError, match="no analysis"):
        CleanResult(frame=result.frame).analysis
