"""``mfanalytics`` for people (issue 16): what it prints, and one mistake per command.

KPIs in percentages and counts; a missing file, a day that does not exist and a
period backwards said in the user's words; ``--out`` checked before any
download; the sandbox's one-line refusals (a missing ``--db`` folder, a port in
use) before it says it serves; the same sample history as ``connect()``; the
help and the README say how to point the commands at a local sandbox; and
``--out FILE.xlsx`` on ``clean``, ``report`` and ``fetch`` (read back by openpyxl).
"""

from __future__ import annotations

import calendar
import inspect
import pathlib
import re
import socket
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from cli_helpers import START, cli_fixtures, one_line_error

import mfanalytics
from mfanalytics.cli import build_parser, main

ROOT = pathlib.Path(__file__).resolve().parent.parent
COMMA = ROOT / "tests" / "data" / "reports" / "comma.csv"
UNREACHABLE = "http://127.0.0.1:9/api/v1"


PEOPLE = [{"mobile": m, "PRENOM": p} for m, p in (("0639980016", "=Ana"), ("0639980020", "Bob"))]
_no_credentials, served, env = cli_fixtures(PEOPLE)


# -- KPIs for people -------------------------------------------------------------
def test_report_kpis_are_percentages_and_counts(tmp_path, capsys):
    raw = pd.read_csv(COMMA, dtype=str, keep_default_na=False)
    codes = raw["STATUS_CODE"].astype(int)
    # guide section 3: 16/21 and 17 are delivered; every line of this file was sent
    delivered = int(codes.isin([16, 21, 17]).sum())
    assert main(["report", str(COMMA), "--out", str(tmp_path / "r.html")]) == 0
    out = capsys.readouterr().out
    assert "<NA>" not in out and "campaign_id" not in out
    assert not re.search(r"\d\.\d{4,}", out), out  # no 0.666667
    assert f"{100 * delivered / len(raw):.1f} %" in out
    assert "delivery rate: of sent" in out


def test_clean_prints_counts_and_lines_for_people(tmp_path, capsys):
    src = tmp_path / "list.csv"
    src.write_text("mobile\n06 12 34 56 78\n+33612345678\n12\n07 81 22 33 44\n", encoding="utf-8")
    assert main(["clean", str(src), "--out", str(tmp_path / "ok.csv")]) == 0
    out = capsys.readouterr().out
    assert not re.search(r"[\[\]{}]", out), out  # no Python list or dict
    # the platform counts a duplicate among the valid (3 valid numbers, one of them twice)
    assert "valid mobiles 3 (FR 3)" in out and "invalid 1 (line 3)" in out and "duplicates 1 (line 2)" in out


# -- report: a file that does not exist ---------------------------------------------
def test_report_of_a_missing_file_says_it_does_not_exist(tmp_path, capsys):
    missing = tmp_path / "missing.csv"
    assert main(["report", str(missing), "--out", str(tmp_path / "r.html")]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert f"{missing}: the file does not exist" in line


# -- fetch: dates -------------------------------------------------------------------
def test_fetch_from_a_day_that_does_not_exist(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MEDIASFLOW_BASE_URL", UNREACHABLE)
    monkeypatch.setenv("MEDIASFLOW_TOKEN", "tok")
    assert main(["fetch", "--from", "2026-11-31", "--out", str(tmp_path / "x.csv")]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert "'2026-11-31'" in line and "does not exist" in line
    assert f"has {calendar.monthrange(2026, 11)[1]} days" in line  # 30
    assert "connection" not in line.lower()


def test_fetch_to_before_from_quotes_the_dates_typed(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MEDIASFLOW_BASE_URL", UNREACHABLE)
    monkeypatch.setenv("MEDIASFLOW_TOKEN", "tok")
    argv = ["fetch", "--from", "2026-11-20", "--to", "2026-11-02 08:30", "--out", str(tmp_path / "x.csv")]
    assert main(argv) == 2
    line = one_line_error(capsys.readouterr().err)
    assert "'2026-11-02 08:30'" in line and "'2026-11-20'" in line
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("kind", ["under-a-file", "a-folder"])
def test_fetch_checks_out_before_downloading(kind, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MEDIASFLOW_BASE_URL", UNREACHABLE)  # reaching it would say "connection"
    monkeypatch.setenv("MEDIASFLOW_TOKEN", "tok")
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir.csv").mkdir()
    out = tmp_path / "afile" / "x.csv" if kind == "under-a-file" else tmp_path / "adir.csv"
    assert main(["fetch", "--from", "2026-03-01", "--out", str(out)]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert "cannot read or write" in line and str(out.parent if kind == "under-a-file" else out) in line
    assert "connection" not in line.lower()


# -- sandbox -------------------------------------------------------------------------
def test_sandbox_db_in_a_missing_folder_isone_line_error(capsys):
    assert main(["sandbox", "--db", "/missing/dir/x.db", "--port", "0", "--samples", "0"]) == 2
    captured = capsys.readouterr()
    assert "/missing/dir does not exist" in one_line_error(captured.err)
    assert captured.out == ""


def test_sandbox_on_a_port_in_use_does_not_say_it_serves(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["sandbox", "--port", str(port), "--samples", "0", "--speed", "0"]) == 2
    captured = capsys.readouterr()
    assert f"127.0.0.1:{port}" in one_line_error(captured.err)
    assert "serv" not in captured.out and "http://" not in captured.out


def test_sandbox_starts_with_the_sample_history_of_connect():
    days = inspect.signature(mfanalytics.connect).parameters["days"].default
    assert days > 0
    assert build_parser().parse_args(["sandbox"]).samples == days
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = make[make.index("\nsandbox:") :].split("\n\n")[0]
    assert "mfanalytics sandbox" in recipe and "--samples 0" not in recipe


def _exports(text: str) -> dict[str, str]:
    found = re.findall(r"export (MEDIASFLOW_BASE_URL)=(\S+)", text)
    found += re.findall(r"(MEDIASFLOW_(?:USERNAME|PASSWORD))=(\S+)", text)
    return dict(found)


def test_help_and_readme_say_how_to_use_a_local_sandbox(served, tmp_path, capsys, monkeypatch):
    assert main(["--help"]) == 0
    help_text = capsys.readouterr().out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    told = _exports(help_text)
    assert told == _exports(readme) and set(told) == {
        "MEDIASFLOW_BASE_URL",
        "MEDIASFLOW_USERNAME",
        "MEDIASFLOW_PASSWORD",
    }
    port = re.search(r"mfanalytics sandbox --port (\d+)", help_text)[1]
    assert f"127.0.0.1:{port}/api/v1" in told["MEDIASFLOW_BASE_URL"]
    # doing what they say, on a sandbox served here (on its own port), works
    sb, _ = served
    for key, value in told.items():
        monkeypatch.setenv(key, value.replace(f"127.0.0.1:{port}", sb.url.split("//")[1].split("/")[0]))
    assert main(["fetch", "--from", "2026-03-01", "--to", "2026-03-03", "--out", str(tmp_path / "x.csv")]) == 0
    assert "wrote 2 rows" in capsys.readouterr().out


# -- --out FILE.xlsx --------------------------------------------------------------------
def _no_formula(book) -> None:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_fetch_to_excel(env, tmp_path, capsys):
    out = tmp_path / "period.xlsx"
    assert main(["fetch", "--from", "2026-03-01", "--to", "2026-03-03", "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["rows", "kpis", "failures"]
    rows = book["rows"]
    header = [c.value for c in rows[1]]
    got = {rows.cell(r, header.index("mobile") + 1).value: r for r in range(2, rows.max_row + 1)}
    assert set(got) == {"+33639980016", "+33639980020"}
    code = rows.cell(got["+33639980016"], header.index("status_code") + 1)
    assert code.value == 16 and code.data_type == "n"
    when = rows.cell(got["+33639980016"], header.index("delivered_at") + 1)
    assert when.is_date
    # sent at 09:00 UTC on 2 March, delivered within the hour: 10:xx Paris wall time
    sent = datetime.fromisoformat(START.replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/Paris"))
    assert when.value.date() == sent.date() and when.value.hour == sent.hour
    assert rows.cell(got["+33639980016"], header.index("PRENOM") + 1).value == "'=Ana"
    kpis = book["kpis"]
    kh = [c.value for c in kpis[1]]
    rate = kpis.cell(2, kh.index("delivery_rate") + 1)
    assert rate.value == pytest.approx(0.5) and "%" in rate.number_format  # 16 delivered, 20 not
    failures = book["failures"]
    fh = [c.value for c in failures[1]]
    assert failures.max_row == 2 and failures.cell(2, fh.index("status_code") + 1).value == 20
    _no_formula(book)


def test_report_to_excel(tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    assert main(["report", str(COMMA), "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["rows", "kpis", "failures"]
    assert book["rows"].max_row == len(pd.read_csv(COMMA)) + 1
    assert book["rows"].freeze_panes == "A2" and book["rows"].auto_filter.ref
    _no_formula(book)


def test_clean_to_excel(tmp_path, capsys):
    src = tmp_path / "list.csv"
    src.write_text("mobile;PRENOM\n06 12 34 56 78;=cmd|' /C calc'!A0\n12;Bob\n", encoding="utf-8")
    assert main(["clean", str(src), "--out", str(tmp_path / "ok.xlsx"), "--rejected", str(tmp_path / "ko.xlsx")]) == 0
    ok = openpyxl.load_workbook(tmp_path / "ok.xlsx")["rows"]
    header = [c.value for c in ok[1]]
    assert ok.max_row == 2
    assert ok.cell(2, header.index("PRENOM") + 1).value == "'=cmd|' /C calc'!A0"
    ko = openpyxl.load_workbook(tmp_path / "ko.xlsx")["rows"]
    assert ko.max_row == 2
    _no_formula(openpyxl.load_workbook(tmp_path / "ok.xlsx"))
