"""The sandbox streams a campaign's CSV report from a temporary file: the answer is the bytes
:func:`views.campaign_report` builds (its Content-Length and X-Content-SHA256 are those of the whole
body), and ``write_csv`` writes a table that Python's own ``csv`` reader reads back value for value,
whichever writer (Arrow's, or pandas' when a value needs quotes) wrote it."""

from __future__ import annotations

import csv
import hashlib
import io

import pyarrow as pa
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

import mfanalytics
from mfanalytics.sandbox import views
from mfanalytics.sandbox.reports import to_csv_bytes, write_csv


def _auth(sb) -> dict[str, str]:
    login = requests.post(sb.url + "/auth/login", json={"username": "demo", "password": "demo"}, timeout=30)
    return {"Authorization": login.headers["Authorization"]}


def test_the_streamed_answer_is_the_report_body_with_its_length_and_digest():
    with mfanalytics.sandbox(seed=2, start="2026-03-03T09:00:00Z") as sb:
        client = sb.client()
        recipients = [{"mobile": f"06123456{i:02d}", "NOM": f"Diaz; {i}"} for i in range(80)]  # a ; to quote
        sent = client.send_campaign("Votre code : 1234", recipients=recipients, type_select="NOTIFICATION")
        sb.advance(7200)
        account = sb.state.accounts.users["demo"]
        for status, details in ((None, None), ("16", "NOM")):
            expected = views.campaign_report(sb.state, account, sent.id, status, details, "csv")
            params = {k: v for k, v in (("status", status), ("details", details)) if v}
            answer = requests.get(
                f"{sb.url}/campaigns/report/{sent.id}",
                params=params,
                headers=_auth(sb),
                timeout=30,
            )
            assert answer.status_code == 200
            assert answer.content == expected
            assert answer.headers["Content-Length"] == str(len(expected))
            assert answer.headers["X-Content-SHA256"] == hashlib.sha256(expected).hexdigest()
            assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
            assert answer.headers["Content-Disposition"] == f'attachment; filename="report_{sent.id}.csv"'
        assert b'"Diaz; ' in expected  # the quoting writer wrote it


def test_a_report_before_injection_is_still_refused_with_409():
    with mfanalytics.sandbox(seed=2, start="2026-03-03T09:00:00Z") as sb:
        client = sb.client()
        draft = client.prepare_campaign("Votre code : 1234", recipients=["0612345678"], type_select="NOTIFICATION")
        answer = requests.get(
            f"{sb.url}/campaigns/report/{draft.id}",
            headers=_auth(sb),
            timeout=30,
        )
        assert answer.status_code == 409 and "no report before it is injected" in answer.json()["message"]


_TEXT = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list('ab;"\r\n é,')), max_size=6))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT), min_size=0, max_size=8), st.binary(max_size=5))
def test_write_csv_reads_back_value_for_value_and_only_after_what_the_file_held(rows, before):
    table = pa.table(
        {"A": pa.array([r[0] for r in rows], pa.string()), "B": pa.array([r[1] for r in rows], pa.string())}
    )
    sink = io.BytesIO()
    sink.write(before)  # what a file held before the report: kept, even when the first writer gave up
    write_csv(table, sink)
    written = sink.getvalue()
    assert written[: len(before)] == before
    assert written[len(before) :] == to_csv_bytes(table)
    back = list(csv.reader(io.StringIO(written[len(before) :].decode("utf-8"), newline=""), delimiter=";"))
    assert back[0] == ["A", "B"]
    assert back[1:] == [["" if v is None else v for v in r] for r in rows]
