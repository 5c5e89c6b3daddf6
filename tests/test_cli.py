"""``mfanalytics`` command line: clean, report, fetch, demo (``sandbox`` is in
``test_sandbox_cli.py``).

Problems a user can fix print one line on stderr and exit 2, never a
traceback; passwords and tokens never appear in the output. Network: only
an in-process sandbox on loopback.
"""

from __future__ import annotations

import pathlib
import re
import socket

import pandas as pd
import phonenumbers
import pytest
from cli_helpers import cli_fixtures, one_line_error

from mfanalytics.cli import main

ROOT = pathlib.Path(__file__).resolve().parent.parent
SECRET = "Sup3r-s3cret-pw!"  # a wrong password: must never be echoed
# Guide section 3: the codes that mean "delivered" (16/21 Délivré, 17 Délivré + STOP demandé)
DELIVERED = {16, 21, 17}


def _read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _summary(out: str) -> dict[str, float]:
    """The KPI table printed by ``report``: a header line, then one line per campaign (the first here).

    Columns are separated by two spaces or more; counts have thousands separators, rates end in " %".
    """
    lines = out.splitlines()
    i = next(k for k, line in enumerate(lines) if "recipients" in line.split())
    header = re.split(r"\s{2,}", lines[i].strip())
    values = re.split(r"\s{2,}", lines[i + 1].strip())
    assert len(header) == len(values), (lines[i], lines[i + 1])
    parsed = {}
    for k, v in zip(header[1:], values[1:]):
        parsed[k] = float(v[:-2]) / 100 if v.endswith(" %") else float(v.replace(",", "")) if v != "–" else float("nan")
    return parsed


# -- no command ----------------------------------------------------------------
def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "clean" in capsys.readouterr().out


# -- clean ---------------------------------------------------------------------
LIST = (
    "mobile;PRENOM\n"
    "06 12 34 56 78;Ana\n"  # valid
    "+33612345678;Bob\n"  # duplicate of line 1
    "0142685300;Cy\n"  # a landline: not a mobile
    "12;Dee\n"  # invalid
    "07 56 00 00 00;Eve\n"  # blacklisted below
    '=HYPERLINK("x");Fred\n'  # invalid, and a formula
    "0611223344;=cmd\n"  # valid, with a formula in a field
)


@pytest.fixture
def messy(tmp_path):
    src = tmp_path / "list.csv"
    src.write_text(LIST, encoding="utf-8")
    black = tmp_path / "stop.csv"
    black.write_text("item\n0756000000\n", encoding="utf-8")
    return src, black


def test_clean_writes_recipients_and_rejected_lines(messy, tmp_path, capsys):
    src, black = messy
    out, rejected = tmp_path / "out" / "ok.csv", tmp_path / "rej.csv"
    code = main(["clean", str(src), "--out", str(out), "--rejected", str(rejected), "--blacklist", str(black)])
    stdout = capsys.readouterr().out
    assert code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    ok = _read_csv(out)
    assert ok["mobile_e164"].tolist() == ["+33612345678", "+33611223344"]
    assert ok["PRENOM"].tolist() == ["Ana", "'=cmd"]  # neutralised for spreadsheets
    bad = _read_csv(rejected)
    assert dict(zip(bad["PRENOM"], bad["mobile_issue"])) == {
        "Bob": "duplicate",
        "Cy": "not_mobile",
        "Dee": "invalid",
        "Eve": "blacklisted",
        "Fred": "invalid",
    }
    assert bad.loc[bad["PRENOM"] == "Fred", "mobile"].tolist() == ['\'=HYPERLINK("x")']
    assert "wrote 2 recipients" in stdout and "wrote 5 rejected" in stdout
    assert "7 lines" in stdout


def test_clean_without_blacklist_keeps_the_blacklisted_number(messy, tmp_path, capsys):
    src, _ = messy
    out = tmp_path / "ok.csv"
    assert main(["clean", str(src), "--out", str(out)]) == 0
    assert _read_csv(out)["mobile_e164"].tolist() == ["+33612345678", "+33756000000", "+33611223344"]


def test_clean_with_column_and_region(tmp_path, capsys):
    src = tmp_path / "be.csv"
    src.write_text("numero;nom\n0470 12 34 56;A\n0499 87 65 43;B\n02 512 34 56;C\n", encoding="utf-8")
    out = tmp_path / "ok.csv"
    assert main(["clean", str(src), "--out", str(out), "--column", "numero", "--region", "BE"]) == 0
    expected = []
    for raw in ("0470 12 34 56", "0499 87 65 43", "02 512 34 56"):
        n = phonenumbers.parse(raw, "BE")
        if phonenumbers.is_valid_number(n) and phonenumbers.number_type(n) == phonenumbers.PhoneNumberType.MOBILE:
            expected.append(phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164))
    assert expected == ["+32470123456", "+32499876543"]  # the hand-worked answer, checked by phonenumbers
    assert _read_csv(out)["mobile_e164"].tolist() == expected


@pytest.mark.parametrize(
    "args",
    [
        ["clean", "{tmp}/missing.csv", "--out", "{tmp}/o.csv"],
        ["clean", "{src}", "--out", "{tmp}/o.csv", "--column", "nope"],
        ["clean", "{src}", "--out", "{tmp}/o.csv", "--blacklist", "{tmp}/missing_stop.csv"],
        ["clean", "{garbage}", "--out", "{tmp}/o.csv"],
        ["clean", "{nomobile}", "--out", "{tmp}/o.csv"],
    ],
    ids=["missing-file", "unknown-column", "missing-blacklist", "binary-file", "no-mobile-column"],
)
def test_clean_user_errors_exit_2_with_one_line(args, messy, tmp_path, capsys):
    src, _ = messy
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(128, 256)) * 3)
    nomobile = tmp_path / "nomobile.csv"
    nomobile.write_text("nom;ville\nA;Paris\n", encoding="utf-8")
    argv = [a.format(tmp=tmp_path, src=src, garbage=garbage, nomobile=nomobile) for a in args]
    assert main(argv) == 2
    one_line_error(capsys.readouterr().err)
    assert not (tmp_path / "o.csv").exists()


def test_clean_output_path_under_a_file_exits_2_with_one_line(messy, tmp_path, capsys):
    # --out below an existing file cannot be written: a user-fixable problem
    src, _ = messy
    code = main(["clean", str(src), "--out", str(src / "ok.csv")])
    assert code == 2
    one_line_error(capsys.readouterr().err)


# -- report FILE ---------------------------------------------------------------
def test_report_from_a_csv_file(tmp_path, capsys):
    source = ROOT / "tests" / "data" / "reports" / "comma.csv"
    raw = pd.read_csv(source, sep=",", encoding="utf-8", dtype=str, keep_default_na=False)
    expected_delivered = int(raw["STATUS_CODE"].astype(int).isin(DELIVERED).sum())
    expected_clicked = int((pd.to_numeric(raw["TRACK_1_COUNTER"], errors="coerce").fillna(0) > 0).sum())
    out = tmp_path / "r" / "report.html"
    code = main(["report", str(source), "--out", str(out), "--title", "Bilan VIP", "--lang", "en"])
    stdout = capsys.readouterr().out
    assert code == 0
    summary = _summary(stdout)
    assert summary["recipients"] == len(raw) == 6
    assert summary["delivered"] == expected_delivered == 4
    assert summary["clicked"] == expected_clicked == 2
    html = out.read_text(encoding="utf-8")
    assert "Bilan VIP" in html
    assert f"wrote {out}" in stdout


@pytest.mark.parametrize("kind", ["garbage", "directory", "neither-file-nor-id"])
def test_report_unreadable_source_exits_2(kind, tmp_path, capsys):
    if kind == "garbage":
        source = tmp_path / "garbage.csv"
        source.write_bytes(bytes(range(128, 256)) * 3)
    elif kind == "directory":
        source = tmp_path / "adir"
        source.mkdir()
    else:
        source = tmp_path / "missing-report.csv"
    assert main(["report", str(source), "--out", str(tmp_path / "x.html")]) == 2
    one_line_error(capsys.readouterr().err)
    assert not (tmp_path / "x.html").exists()


# -- report ID and fetch, on a sandbox over loopback ---------------------------
# Magic numbers (DESIGN: "+33 6 39 98 00 CC" ends in its final status code)
MAGIC = {"+33639980016": 16, "+33639980017": 17, "+33639980020": 20}


PEOPLE = [{"mobile": "0" + m[3:], "PRENOM": p} for m, p in zip(MAGIC, ("Ana", "=Bob", "Cy"))]
_no_credentials, served, env = cli_fixtures(PEOPLE)


def test_report_by_campaign_id(env, tmp_path, capsys):
    _, cid = env
    out = tmp_path / "r.html"
    assert main(["report", str(cid), "--out", str(out), "--title", "Campagne test", "--lang", "fr"]) == 0
    stdout = capsys.readouterr().out
    summary = _summary(stdout)
    assert summary["recipients"] == 3
    assert summary["delivered"] == sum(code in DELIVERED for code in MAGIC.values()) == 2
    assert summary["STOP"] == 1  # code 17: delivered + STOP
    assert "Campagne test" in out.read_text(encoding="utf-8")


def test_report_unknown_campaign_exits_2(env, tmp_path, capsys):
    assert main(["report", "987654", "--out", str(tmp_path / "x.html")]) == 2
    captured = capsys.readouterr()
    one_line_error(captured.err)
    assert "987654" in captured.err
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("command", ["report", "fetch"])
def test_wrong_password_exits_2_without_echoing_it(command, env, monkeypatch, tmp_path, capsys):
    _, cid = env
    monkeypatch.setenv("MEDIASFLOW_PASSWORD", SECRET)
    argv = (
        ["report", str(cid), "--out", str(tmp_path / "x.html")]
        if command == "report"
        else ["fetch", "--from", "2026-03-01", "--to", "2026-03-03", "--out", str(tmp_path / "x.csv")]
    )
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    assert "Traceback" not in captured.err
    assert captured.err.strip().splitlines()[-1].startswith(f"mfanalytics {command}: ")


def test_invalid_token_exits_2_without_echoing_it(served, monkeypatch, tmp_path, capsys):
    sb, cid = served
    token = "not-a-real-token-0123456789abcdef"
    monkeypatch.setenv("MEDIASFLOW_BASE_URL", sb.url)
    monkeypatch.setenv("MEDIASFLOW_TOKEN", token)
    assert main(["report", str(cid), "--out", str(tmp_path / "x.html")]) == 2
    captured = capsys.readouterr()
    assert token not in captured.out + captured.err
    one_line_error(captured.err)


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "1001", "--out", "{tmp}/x.html"],
        ["fetch", "--from", "2026-03-01", "--out", "{tmp}/x.csv"],
    ],
)
def test_missing_credentials_exit_2(argv, tmp_path, capsys):
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    captured = capsys.readouterr()
    one_line_error(captured.err)
    assert "MEDIASFLOW_" in captured.err


def test_password_never_in_successful_output(env, monkeypatch, tmp_path, capsys):
    sb, cid = env
    sb.add_user("ana", SECRET)
    monkeypatch.setenv("MEDIASFLOW_USERNAME", "ana")
    monkeypatch.setenv("MEDIASFLOW_PASSWORD", SECRET)
    # ana has no campaign: an unknown one for her, and an empty period
    assert main(["report", str(cid), "--out", str(tmp_path / "x.html")]) == 2
    assert main(["fetch", "--from", "2026-03-01", "--to", "2026-03-03", "--out", str(tmp_path / "x.csv")]) == 0
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err


def test_unreachable_server_exits_2(monkeypatch, tmp_path, capsys):
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("MEDIASFLOW_BASE_URL", f"http://127.0.0.1:{port}/api/v1")
    monkeypatch.setenv("MEDIASFLOW_TOKEN", "tok")
    assert main(["report", "12", "--out", str(tmp_path / "x.html")]) == 2
    one_line_error(capsys.readouterr().err)


def test_fetch_to_csv(env, tmp_path, capsys):
    out = tmp_path / "period.csv"
    assert main(["fetch", "--from", "2026-03-01", "--to", "2026-03-03", "--out", str(out), "--workers", "2"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    rows = _read_csv(out)
    assert dict(zip(rows["mobile"], rows["status_code"].astype(int))) == MAGIC
    assert sorted(rows["PRENOM"]) == sorted(["Ana", "'=Bob", "Cy"])  # neutralised
    # sent at 09:00 UTC on 2 March: 10:00 and a little more, Paris time
    assert all(d.startswith("02/03/2026 10:") for d in rows["delivered_at"]), rows["delivered_at"].tolist()


def test_fetch_to_parquet_with_status_filter(env, tmp_path, capsys):
    out = tmp_path / "period.parquet"
    assert main(["fetch", "--from", "2026-03-01", "--to", "2026-03-03", "--out", str(out), "--status", "16,17"]) == 0
    frame = pd.read_parquet(out)
    assert sorted(frame["mobile"].astype(str)) == sorted(m for m, c in MAGIC.items() if c in (16, 17))
    assert "wrote 2 rows" in capsys.readouterr().out


def test_fetch_with_search(env, tmp_path, capsys):
    out = tmp_path / "one.csv"
    code = main(
        ["fetch", "--from", "2026-03-01", "--to", "2026-03-03", "--out", str(out), "--search", "item==+33639980020"]
    )
    assert code == 0
    assert _read_csv(out)["mobile"].tolist() == ["+33639980020"]


def test_fetch_outside_the_campaign_period_is_empty(env, tmp_path, capsys):
    out = tmp_path / "none.csv"
    assert main(["fetch", "--from", "2026-02-01", "--to", "2026-02-10", "--out", str(out)]) == 0
    assert len(_read_csv(out)) == 0
    assert "wrote 0 rows" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["fetch", "--from", "2026-03-01", "--out", "{tmp}/x.xls"],
        ["fetch", "--from", "yesterday", "--out", "{tmp}/x.csv"],
    ],
    ids=["bad-format", "bad-date"],
)
def test_fetch_user_errors_exit_2(argv, env, tmp_path, capsys):
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    one_line_error(capsys.readouterr().err)
    assert not list(tmp_path.iterdir())


# -- demo ------------------------------------------------------------------------
def test_demo_command_on_a_small_list(tmp_path, capsys):
    src = tmp_path / "small.csv"
    src.write_text(
        "mobile;PRENOM;VILLE\n06 39 98 00 16;Ana;Lyon\n06 39 98 00 17;Bob;Nice\n06 39 98 00 20;Cy;Paris\n"
        "0639980016;Ana bis;Lyon\n06 39 98 00 21;Dee;Lille\n",
        encoding="utf-8",
    )
    black = tmp_path / "stop.csv"
    black.write_text("item\n+33639980021\n", encoding="utf-8")
    out = tmp_path / "demo"
    code = main(
        ["demo", "--list", str(src), "--blacklist", str(black), "--out", str(out), "--lang", "en", "--seed", "1"]
    )
    stdout = capsys.readouterr().out
    assert code == 0
    assert "no real SMS" in stdout
    assert (out / "deliverability_report.html").stat().st_size > 0
    rows = _read_csv(out / "report.csv")
    codes = rows.assign(code=rows["status_code"].astype(int)).groupby("mobile")["code"].agg(list).to_dict()
    # each distinct, non-blacklisted magic number is sent once and ends in its code
    for mobile, code in MAGIC.items():
        sent = [c for c in codes.get(mobile, []) if c in DELIVERED | {20, 25}]
        assert sent == [code], (mobile, codes.get(mobile))
    # the duplicate line was not sent twice, the blacklisted number not at all
    assert len(codes["+33639980016"]) in (1, 2)
    assert not [c for c in codes.get("+33639980021", []) if c in DELIVERED | {20, 25}]


# -- every command, one bad argument: one line, exit 2, nothing written -----------
@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--seed", "abc", "--out", "{tmp}/demo"],
        ["demo", "--list", "{tmp}/missing.csv", "--out", "{tmp}/demo"],
        ["sandbox", "--port", "abc"],
        ["sandbox", "--start", "nonsense"],
        ["sandbox", "--samples", "-1", "--port", "0"],
        ["sandbox", "--speed", "nan", "--port", "0"],
        ["sandbox", "--speed", "-1", "--port", "0"],
        ["clean", "--out", "{tmp}/o.csv"],
        ["clean", "{wide}", "--out", "{tmp}/o.csv"],
        ["report", "{wide}", "--out", "{tmp}/x.html", "--lang", "de"],
        ["report", "{wide}", "--out", "{tmp}/x.html"],
        ["fetch", "--from", "2026-03-01", "--status", "abc", "--out", "{tmp}/x.csv"],
        ["fetch", "--from", "2026-03-01", "--workers", "0", "--out", "{tmp}/x.csv"],
        ["nosuchcommand"],
    ],
    ids=[
        "demo-seed",
        "demo-list",
        "sandbox-port",
        "sandbox-start",
        "sandbox-samples",
        "sandbox-speed-nan",
        "sandbox-speed-negative",
        "clean-no-file",
        "clean-30000-columns",
        "report-lang",
        "report-30000-columns",
        "fetch-status",
        "fetch-workers",
        "unknown",
    ],
)
def test_every_command_with_a_bad_argument_exits_2_with_one_line(argv, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MEDIASFLOW_BASE_URL", "http://127.0.0.1:9/api/v1")  # never reached
    monkeypatch.setenv("MEDIASFLOW_TOKEN", "tok")
    wide = tmp_path / "inputs" / "wide.csv"
    wide.parent.mkdir()
    wide.write_text(";".join(f"c{i}" for i in range(30_000)) + "\n" + ";" * 29_999 + "\n", encoding="utf-8")
    assert main([a.format(tmp=tmp_path, wide=wide) for a in argv]) == 2
    captured = capsys.readouterr()
    one_line_error(captured.err)
    assert [p.name for p in tmp_path.iterdir()] == ["inputs"]


def test_help_still_exits_0(capsys):
    assert main(["fetch", "--help"]) == 0
    assert "--status" in capsys.readouterr().out


def test_report_reads_the_demo_export(tmp_path, capsys):
    # `mfanalytics report out/demo/report.csv` said "no INT_MOBILE column"
    src = tmp_path / "small.csv"
    src.write_text("mobile;PRENOM\n06 39 98 00 16;=Ana\n06 39 98 00 17;Bob\n", encoding="utf-8")
    black = tmp_path / "stop.csv"
    black.write_text("item\n+33639980021\n", encoding="utf-8")
    out = tmp_path / "demo"
    assert main(["demo", "--list", str(src), "--blacklist", str(black), "--out", str(out), "--seed", "1"]) == 0
    capsys.readouterr()
    assert main(["report", str(out / "report.csv"), "--out", str(tmp_path / "again.html")]) == 0
    assert _summary(capsys.readouterr().out)["recipients"] == 2
