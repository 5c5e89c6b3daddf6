"""``mfanalytics.export``: spreadsheet-safe exports (CSV/formula injection).

The rule under test (module docstring and OWASP "CSV injection"): a text cell
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets
one leading apostrophe, unless it is a plain number (``-12.5``,
``+33612345678``, ``1 234,5``); so does such a character after a character
that may end a cell when the file is opened another way (``,`` ``;`` tab
``|`` CR LF ``"``), and apostrophes already before one get one more, so that
the export reads back exactly. Files are UTF-8 with a BOM, ``;`` separated,
every field quoted, dates ``DD/MM/YYYY HH:MM:SS`` in Paris time.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfanalytics.export import neutralize_formulas, restore_formulas, to_safe_csv

RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r")
# A plain number: optional sign, a digit, then only digits, spaces and dots
# (grouping or decimals), optionally a decimal comma part. Nothing else, and in
# particular no line break: such a cell cannot form a formula that does anything.
PLAIN = re.compile(r"[+-]?[0-9][0-9 .]*(?:,[0-9]+)?")


def is_plain_number(s: str) -> bool:
    return PLAIN.fullmatch(s) is not None


def must_neutralize(s: str) -> bool:
    return s[:1] in RISKY_FIRST and not is_plain_number(s)


ENDS_CELL = ',;\t|\r\n"'


def expected_escape(s: str) -> str:
    """The rule written out position by position (the code uses regular expressions)."""
    if is_plain_number(s):
        return s
    out = []
    for i, ch in enumerate(s):
        if i == 0 or s[i - 1] in ENDS_CELL:
            j = i
            while j < len(s) and s[j] == "'":
                j += 1
            if j < len(s) and s[j] in RISKY_FIRST:
                out.append("'")
        out.append(ch)
    return "".join(out)


# -- strategies -------------------------------------------------------------
plain_numbers = st.builds(
    lambda sign, digits, frac: f"{sign}{digits}{frac}",
    st.sampled_from(["", "+", "-"]),
    st.from_regex(r"[0-9][0-9 .]{0,12}", fullmatch=True),
    st.one_of(st.just(""), st.from_regex(r",[0-9]{1,4}", fullmatch=True)),
)
risky_text = st.builds(
    lambda c, rest: c + rest,
    st.sampled_from(RISKY_FIRST),
    st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=15),
)
_text = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=15)
cells = st.one_of(_text, risky_text, plain_numbers, st.sampled_from(["=1+1", "@SUM(A1)", "-", "+", "'=x"]))
text_columns = st.lists(st.one_of(cells, st.none()), min_size=1, max_size=12)


def _frame(values: list, dtype: str) -> pd.DataFrame:
    return pd.DataFrame({"reply": pd.Series(values, dtype=dtype)})


# -- neutralize_formulas: hand-worked examples -------------------------------
def test_hand_worked_examples():
    frame = pd.DataFrame(
        {
            "reply": [
                "=1+1",
                "+33612345678",
                "-5",
                "@SUM(A1)",
                "\tTAB",
                "\rCR",
                "-12.5",
                "1 234,5",
                "+33 6 12 34 56 78",
                "Bonjour",
                "a=b",
                "-",
                "+",
                "-x",
                "'=déjà",
                '=HYPERLINK("http://x";"clic")',
                "",
                "a,=cmd",
                "x;-1",
                "ok\n@SUM(A1)",
                "n'=x",
            ],
        }
    )
    got = neutralize_formulas(frame)["reply"].tolist()
    assert got == [
        "'=1+1",
        "+33612345678",
        "-5",
        "'@SUM(A1)",
        "'\tTAB",
        "'\rCR",
        "-12.5",
        "1 234,5",
        "+33 6 12 34 56 78",
        "Bonjour",
        "a=b",
        "'-",
        "'+",
        "'-x",
        "''=déjà",
        '\'=HYPERLINK("http://x";"clic")',
        "",
        "a,'=cmd",
        "x;'-1",
        "ok\n'@SUM(A1)",
        "n'=x",
    ]


def test_input_frame_is_not_modified():
    frame = pd.DataFrame({"reply": ["=1+1", "ok"]})
    neutralize_formulas(frame)
    assert frame["reply"].tolist() == ["=1+1", "ok"]


def test_missing_values_stay_missing():
    out = neutralize_formulas(pd.DataFrame({"reply": pd.array(["=x", None, "ok"], dtype="string")}))
    assert out["reply"].isna().tolist() == [False, True, False]
    assert out["reply"][0] == "'=x"


def test_number_with_a_trailing_line_break_is_not_a_plain_number():
    # "-5\n" is not a plain number (the rule's own examples are -12.5 and
    # +33612345678); it starts with "-" so it must be neutralised.
    out = neutralize_formulas(pd.DataFrame({"reply": ["-5\n", "+33612345678\n"]}))
    assert out["reply"].tolist() == ["'-5\n", "'+33612345678\n"]


def test_categorical_column_is_neutralised():
    frame = pd.DataFrame({"city": pd.Categorical(["=cmd", "Paris", "=cmd", "-Lyon"])})
    out = neutralize_formulas(frame)
    assert out["city"].astype(str).tolist() == ["'=cmd", "Paris", "'=cmd", "'-Lyon"]


def test_non_text_columns_are_untouched():
    ts = pd.to_datetime(["2026-03-02 09:00:00", None], utc=True)
    frame = pd.DataFrame(
        {
            "n": pd.array([-5, 12], dtype="Int64"),
            "x": [-1.5, float("nan")],
            "i": [-3, 4],
            "b": pd.array([True, None], dtype="boolean"),
            "at": ts,
            "reply": ["=1", "ok"],
        }
    )
    out = neutralize_formulas(frame)
    for name in ("n", "x", "i", "b", "at"):
        pd.testing.assert_series_equal(out[name], frame[name])
    assert out["reply"].tolist() == ["'=1", "ok"]


# -- neutralize_formulas: properties ----------------------------------------
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(values=text_columns, dtype=st.sampled_from(["string", "object"]))
def test_no_output_cell_can_run_as_a_formula(values, dtype):
    out = neutralize_formulas(_frame(values, dtype))["reply"]
    for cell in out:
        if cell is None or cell is pd.NA:
            continue
        assert not (cell[:1] in RISKY_FIRST and not is_plain_number(cell)), repr(cell)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(values=text_columns, dtype=st.sampled_from(["string", "object"]))
def test_changed_cells_get_the_apostrophes_of_the_rule_and_only_risky_ones_change(values, dtype):
    out = neutralize_formulas(_frame(values, dtype))["reply"].tolist()
    assert len(out) == len(values)
    for before, after in zip(values, out):
        if before is None:
            assert after is None or after is pd.NA
            continue
        assert after == expected_escape(before)
        if must_neutralize(before):
            assert after == "'" + expected_escape(before)[1:] and after.startswith("'")


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(values=text_columns, dtype=st.sampled_from(["string", "object", "category"]))
def test_restore_undoes_neutralize_exactly(values, dtype):
    once = neutralize_formulas(_frame(values, dtype))["reply"].astype("string")
    assert restore_formulas(once).tolist() == pd.Series(values, dtype="string").tolist()


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(
    ints=st.lists(st.integers(-(10**9), 10**9), min_size=3, max_size=3),
    floats=st.lists(st.floats(allow_nan=True, allow_infinity=False), min_size=3, max_size=3),
    texts=st.lists(cells, min_size=3, max_size=3),
)
def test_numbers_untouched_property(ints, floats, texts):
    frame = pd.DataFrame({"i": ints, "f": floats, "n": pd.array(ints, dtype="Int64"), "t": texts})
    out = neutralize_formulas(frame)
    for name in ("i", "f", "n"):
        pd.testing.assert_series_equal(out[name], frame[name])


# -- to_safe_csv -------------------------------------------------------------
def _read_back(path, sep=";") -> pd.DataFrame:
    return pd.read_csv(path, sep=sep, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _unneutralize(cell: str, original: str) -> str:
    # strip the apostrophe only where one had to be added
    return cell[1:] if must_neutralize(original) else cell


def test_file_is_utf8_with_bom_semicolon_and_paris_dates(tmp_path):
    frame = pd.DataFrame(
        {
            "mobile": ["+33612345678", "+33612345679", "+33612345680"],
            "PRENOM": ["Hélène", "Zoé", "François"],
            # winter (UTC+1), summer (UTC+2), missing
            "delivered_at": pd.to_datetime(["2026-03-02T09:00:30Z", "2026-07-14T12:05:09Z", None], utc=True),
            "clicks": pd.array([3, 0, None], dtype="Int32"),
        }
    )
    path = to_safe_csv(frame, tmp_path / "sub" / "dir" / "export.csv")
    assert path == tmp_path / "sub" / "dir" / "export.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw[3:].decode("utf-8").splitlines()
    assert lines == [
        '"mobile";"PRENOM";"delivered_at";"clicks"',
        # plain numbers, phone numbers included, keep their + in every column (the list can be uploaded)
        '"+33612345678";"Hélène";"02/03/2026 10:00:30";"3"',
        '"+33612345679";"Zoé";"14/07/2026 14:05:09";"0"',
        '"+33612345680";"François";"";""',
    ]


def test_dates_in_another_zone_are_converted_to_paris(tmp_path):
    frame = pd.DataFrame({"at": pd.to_datetime(["2026-01-15 08:00:00"]).tz_localize("America/New_York")})
    path = to_safe_csv(frame, tmp_path / "x.csv")
    assert _read_back(path)["at"].tolist() == ["15/01/2026 14:00:00"]


def test_other_separator(tmp_path):
    frame = pd.DataFrame({"a": ["x;y", "=1"], "b": [1, 2]})
    path = to_safe_csv(frame, tmp_path / "x.csv", sep=",")
    back = _read_back(path, sep=",")
    assert back.to_dict("list") == {"a": ["x;y", "'=1"], "b": ["1", "2"]}


def test_round_trip_of_a_report_like_frame(tmp_path):
    frame = pd.DataFrame(
        {
            "mobile": ["+33612345678", "+33756000000", "+262692000001", "+33612345600"],
            "reply": ['=HYPERLINK("http://evil";"x")', "Merci; à bientôt", "STOP", "-2+3"],
            "NOM": ["@Martin", 'O\'Neil "Jr"', "ligne1\nligne2", "-12,5"],
            "status_code": pd.array([16, 17, 16, 20], dtype="Int16"),
        }
    )
    path = to_safe_csv(frame, tmp_path / "r.csv")
    back = _read_back(path)
    assert list(back.columns) == list(frame.columns)
    assert len(back) == len(frame)
    for name in ("mobile", "reply", "NOM"):
        assert restore_formulas(back[name].astype("string")).tolist() == frame[name].tolist()
    assert back["mobile"].tolist()[0] == "+33612345678"  # a phone number keeps its + in the first column
    assert back["reply"].tolist()[0].startswith("'=")
    assert back["NOM"].tolist()[0] == "'@Martin"
    assert back["NOM"].tolist()[3] == "-12,5"
    assert back["status_code"].tolist() == ["16", "17", "16", "20"]


def test_a_carriage_return_inside_a_cell_does_not_start_a_new_row(tmp_path):
    # An SMS reply may contain a bare CR. Written unquoted, spreadsheets and
    # CSV readers start a new row there, and the text after it becomes a cell
    # of its own: "=cmd..." would then be a live formula.
    frame = pd.DataFrame({"reply": ["ok\r=cmd|' /C calc'!A0", "fine"], "n": [1, 2]})
    path = to_safe_csv(frame, tmp_path / "cr.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows == [["reply", "n"], ["ok\r'=cmd|' /C calc'!A0", "1"], ["fine", "2"]]
    back = _read_back(path)["reply"]
    assert back.tolist() == ["ok\r'=cmd|' /C calc'!A0", "fine"]
    assert restore_formulas(back.astype("string")).tolist() == ["ok\r=cmd|' /C calc'!A0", "fine"]


def test_header_cells_are_neutralised_too(tmp_path):
    # The report frame keeps the list's own column names: a header cell
    # written by someone else is a spreadsheet cell like any other.
    frame = pd.DataFrame({"mobile": ["+33612345678"], '=HYPERLINK("http://evil")': ["x"]})
    path = to_safe_csv(frame, tmp_path / "h.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh, delimiter=";"))
    assert header == ["mobile", '\'=HYPERLINK("http://evil")']


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(values=st.lists(cells.filter(lambda s: s != ""), min_size=1, max_size=8))
def test_round_trip_property(tmp_path, values):
    frame = pd.DataFrame({"reply": values, "n": range(len(values))})
    path = to_safe_csv(frame, tmp_path / "p.csv")
    back = _read_back(path)
    assert len(back) == len(frame), repr(values)
    assert restore_formulas(back["reply"].astype("string")).tolist() == values
    assert back["n"].tolist() == [str(i) for i in range(len(values))]
    for cell in back["reply"]:
        assert not must_neutralize(cell), repr(cell)


# -- OWASP: opened with another separator, no cell can start a formula ---------
PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "a,=cmd|' /C calc'!A0",
    "x;+1+1",
    "t\t@SUM(A1)",
    'q"=1+1',
    "l|-2+3",
    "r\r=cmd",
    "n\n=cmd",
    '=1+2";=1+2',
    "=1+2'\" ;,=1+2",
]


def _cells_with_every_separator(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        text = fh.read()
    for delimiter in (",", ";", "\t", "|", ":"):
        for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_NONE):
            yield from (
                cell for row in csv.reader(text.splitlines(), delimiter=delimiter, quoting=quoting) for cell in row
            )
        yield from (cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row)


def _runnable(cell: str) -> bool:
    return cell[:1] in RISKY_FIRST and not is_plain_number(cell)


@pytest.mark.parametrize("sep", [";", ","])
def test_owasp_payloads_never_become_a_cell_whatever_the_separator(tmp_path, sep):
    frame = pd.DataFrame({"reply": PAYLOADS, "mobile": ["+33612345678"] * len(PAYLOADS)})
    path = to_safe_csv(frame, tmp_path / "x.csv", sep=sep)
    cells = list(_cells_with_every_separator(path))
    assert cells and not [c for c in cells if _runnable(c)]
    # and with its own separator it reads back, every field quoted as OWASP asks
    with open(path, encoding="utf-8-sig", newline="") as fh:
        raw = fh.read()
    assert all(line.startswith('"') and line.endswith('"') for line in raw.split("\r\n") if line)
    assert restore_formulas(_read_back(path, sep)["reply"].astype("string")).tolist() == PAYLOADS


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(values=st.lists(cells, min_size=1, max_size=6))
def test_no_cell_can_run_whatever_the_separator_property(tmp_path, values):
    frame = pd.DataFrame({"reply": values})
    path = to_safe_csv(frame, tmp_path / "p.csv")
    assert not [c for c in _cells_with_every_separator(path) if _runnable(c)]


def test_restore_formulas_on_a_categorical_column_restores_its_categories():
    # read_list keeps a column of repeated values as a category: an export's escapes are in its categories
    text = pd.Series(["'=1+1", "a", "''=x", "'=1+1", None], dtype="category")
    back = restore_formulas(text)
    assert isinstance(back.dtype, pd.CategoricalDtype)
    assert back.astype(object).where(back.notna(), None).tolist() == ["=1+1", "a", "'=x", "=1+1", None]
    plain = pd.Series(["a", "b", "a"], dtype="category")
    assert restore_formulas(plain) is plain
