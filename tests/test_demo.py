"""``run_demo``: the main job end to end on an embedded sandbox.

It runs once for the module (10-20 s). Expectations are computed here from
the sample files, not taken from the demo.
"""

from __future__ import annotations

import contextlib
import io
import os
import pathlib
import re

import pandas as pd
import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

import mfanalytics
from mfanalytics.demo import run_demo

ROOT = pathlib.Path(__file__).resolve().parent.parent
LIST = ROOT / "data_samples" / "campaign_5000.csv"
STOPS = ROOT / "data_samples" / "blacklist_stop.csv"
# Guide section 3: codes of SMS that were never sent (bad number, not allowed,
# duplicates, personalisation, UCS-2, too long, credit, processing error,
# blacklists, missing tariff).
NOT_SENT = {2, 3, 4, 5, 6, 7, 8, 12, 14, 15, 18, 19}
DELIVERED = {16, 21, 17}
MOBILE, FIXED_LINE_OR_MOBILE = PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    buffer = io.StringIO()
    here = os.getcwd()
    os.chdir(ROOT)  # the defaults are relative to the repository root
    try:
        with contextlib.redirect_stdout(buffer):
            result = run_demo(out, seed=0, lang="fr")
    finally:
        os.chdir(here)
    return result, buffer.getvalue(), out


@pytest.fixture(scope="module")
def csv_rows(demo):
    result, _, _ = demo
    return pd.read_csv(result["csv"], sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _e164(raw: str) -> str | None:
    """A mobile in E.164 by phonenumbers alone: a French number, else one of
    the overseas departments that share the 06/07 national format."""
    for region in ("FR", "GP", "MQ", "GF", "RE", "YT"):
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            return None
        kind = phonenumbers.number_type(number)
        if phonenumbers.is_valid_number(number) and kind in (MOBILE, FIXED_LINE_OR_MOBILE):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


@pytest.fixture(scope="module")
def stop_numbers() -> set[str]:
    stops = pd.read_csv(STOPS, dtype=str)["item"]
    assert len(stops) == 10
    numbers = {_e164(s) for s in stops}
    assert None not in numbers
    return numbers


@pytest.fixture(scope="module")
def expected_sent(stop_numbers) -> set[str]:
    """Mobiles to send: the valid, distinct mobiles of the list, minus the STOP file."""
    raw = pd.read_csv(LIST, sep=";", dtype=str, keep_default_na=False)["mobile"]
    valid = set(raw.map(_e164).dropna())
    return valid - stop_numbers


@pytest.fixture(scope="module")
def expected_recipients(expected_sent) -> int:
    stops = pd.read_csv(STOPS, dtype=str)["item"].tolist()
    cleaned = len(mfanalytics.clean_recipients(LIST, blacklist=stops).recipients)
    assert cleaned == len(expected_sent)  # the cleaner agrees with phonenumbers
    return cleaned


def test_files_written_where_asked(demo):
    result, _, out = demo
    assert pathlib.Path(result["html"]) == out / "deliverability_report.html"
    assert pathlib.Path(result["csv"]) == out / "report.csv"
    assert pathlib.Path(result["csv"]).read_bytes().startswith(b"\xef\xbb\xbf")


def test_html_is_self_contained_with_plots(demo):
    result, _, _ = demo
    path = pathlib.Path(result["html"])
    assert path.stat().st_size >= 20 * 1024
    html = path.read_text(encoding="utf-8")
    images = re.findall(r'<img[^>]*\ssrc="data:image/png;base64,[A-Za-z0-9+/=]{100,}"', html)
    assert len(images) >= 5
    links = re.findall(r'\s(?:src|href)\s*=\s*["\']?([^"\'\s>]*)', html, flags=re.IGNORECASE)
    assert not [u for u in links if u.lower().startswith(("http://", "https://", "//"))]
    assert "Démo : campagne soldes" in html


def test_one_row_per_recipient_sent(csv_rows, expected_recipients):
    codes = csv_rows["status_code"].astype(int)
    sent = csv_rows[~codes.isin(NOT_SENT)]
    assert len(sent) == expected_recipients
    assert sent["mobile"].is_unique
    # the demo sends the raw list: every line has a row, the unsent ones with their code
    raw_lines = len(pd.read_csv(LIST, sep=";", dtype=str))
    assert len(csv_rows) == raw_lines


def test_sent_rows_are_exactly_the_expected_mobiles(csv_rows, expected_sent):
    codes = csv_rows["status_code"].astype(int)
    assert set(csv_rows.loc[~codes.isin(NOT_SENT), "mobile"]) == expected_sent


def test_blacklisted_numbers_were_not_sent(csv_rows, stop_numbers):
    rows = csv_rows[csv_rows["mobile"].isin(stop_numbers)]
    assert rows["status_code"].astype(int).isin(NOT_SENT).all()


def _guide_labels() -> dict[int, str]:
    """Code -> label of the guide's section 3, from the verbatim extraction (not the package's table)."""
    labels = {}
    for line in (ROOT / "tests" / "data" / "guide_section3_status_codes.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        codes, label = line.split("\t", 1)
        for code in codes.split(","):
            labels[int(code)] = label.strip()
    return labels


def test_status_counts_agree_with_the_csv(demo, csv_rows):
    result, stdout, _ = demo
    from_csv = csv_rows["status_code"].astype(int).value_counts().to_dict()
    assert result["status_counts"] == from_csv
    printed = [
        ([int(c) for c in m.group(1).split(", ")], int(m.group(2).replace(",", "")))
        for m in re.finditer(r"^\s+(\d{1,3}(?:, \d{1,3})*)\s{2}\S.*?\s([\d,]+)$", stdout, flags=re.MULTILINE)
    ]
    # each code once, and each line counts the rows of its codes
    assert sorted(c for codes, _ in printed for c in codes) == sorted(from_csv)
    for codes, n in printed:
        assert n == sum(from_csv[c] for c in codes), codes
    # codes that share a label in the guide share a line (16 and 21: "Délivré")
    labels = _guide_labels()
    line_of = {c: i for i, (codes, _) in enumerate(printed) for c in codes}
    for a in from_csv:
        for b in from_csv:
            if a in labels and b in labels and labels[a] == labels[b]:
                assert line_of[a] == line_of[b], (a, b, labels[a])
    # every row has a final status after the simulated days
    assert not set(from_csv) & {1, 9, 10, 24, 28}


def test_status_lines_group_the_codes_of_one_label():
    from mfanalytics.demo import status_lines

    text = "INT_MOBILE;STATUS_CODE\n" + "".join(f"+3360000{i:04d};{c}\n" for i, c in enumerate([16, 21, 21, 20, 999]))
    lines = status_lines(mfanalytics.parse_report(text))
    labels = _guide_labels()
    assert labels[16] == labels[21]
    assert lines[0] == ("16, 21", labels[16], 3)
    assert {codes for codes, _, _ in lines} == {"16, 21", "20", "999"}


def test_summary_agrees_with_the_csv(demo, csv_rows, expected_recipients):
    result, stdout, _ = demo
    codes = csv_rows["status_code"].astype(int)
    delivered = int(codes.isin(DELIVERED).sum())
    summary = result["summary"]
    assert int(summary["delivered"]) == delivered
    assert int(summary["sent"]) == expected_recipients
    assert f"delivered {delivered:,} of {expected_recipients:,} sent" in stdout
    assert int(summary["stops"]) == int((codes == 17).sum())


def test_stdout_says_no_real_sms(demo):
    result, stdout, _ = demo
    assert "no real SMS" in stdout
    assert f"campaign {result['campaign_id']}" in stdout
