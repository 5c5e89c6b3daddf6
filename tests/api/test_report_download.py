"""The CSV report of a campaign streams to a file: ``download_report`` writes the body as it arrives,
checked against its digest (a repeat starts the file again; a failure leaves no file), and
``get_report`` reads the frame from such a file. The oracle is the bytes path: the body as
``get_bytes`` returns it, parsed by ``parse_report``."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from loopback import Answer, Loopback

import mfanalytics
from mfanalytics import errors
from mfanalytics.reports.parsing import parse_report

BODY = (
    "REF_LIST;ID_LINE;INT_MOBILE;STATUS_CODE;STATUS_TEXT;DELIVERYDATE;PRENOM\n"
    + "".join(f"L;{i};+336123456{i % 100:02d};16;Délivré;05/03/2026 10:00:00;Zoé\n" for i in range(1, 30_001))
).encode("utf-8")


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _client(url: str) -> mfanalytics.Client:
    policy = mfanalytics.RetryPolicy(sleep=lambda s: None, random=lambda: 0.5)
    return mfanalytics.Client(url + "/api/v1", token="t", policy=policy)


def test_a_sandbox_report_downloaded_is_the_body_and_reads_as_the_frame_of_the_body(tmp_path):
    with mfanalytics.sandbox(seed=3, start="2026-03-03T09:00:00Z") as sb:
        client = sb.client()
        recipients = [{"mobile": f"06123456{i:02d}", "PRENOM": n} for i, n in enumerate(["Ana", "Zoé", "Léo"] * 30)]
        sent = client.send_campaign("Votre code : 1234", recipients=recipients, type_select="NOTIFICATION")
        sb.advance(3 * 86400)
        body = client.get_bytes(f"/campaigns/report/{sent.id}", {})
        saved = client.download_report(sent.id, tmp_path / "r.csv")
        assert saved == tmp_path / "r.csv" and saved.read_bytes() == body
        assert list(tmp_path.iterdir()) == [saved]  # no .part left
        oracle = parse_report(body, campaign_id=sent.id)
        pd.testing.assert_frame_equal(client.get_report(sent.id), oracle)
        only = client.get_report(sent.id, status=[16], details=["PRENOM"])
        pd.testing.assert_frame_equal(
            only,
            parse_report(
                client.get_bytes(f"/campaigns/report/{sent.id}", {"status": "16", "details": "PRENOM"}),
                campaign_id=sent.id,
            ),
        )
        assert set(only["status_code"]) == {16}


def test_a_repeat_after_a_truncated_body_starts_the_file_again(tmp_path):
    with mfanalytics.sandbox(seed=1, start="2026-03-03T09:00:00Z") as sb:
        client = sb.client(policy=mfanalytics.RetryPolicy(sleep=lambda s: None))
        sent = client.send_campaign(
            "Votre code : 1234", recipients=[f"06123456{i:02d}" for i in range(60)], type_select="NOTIFICATION"
        )
        sb.advance(3600)
        body = client.get_bytes(f"/campaigns/report/{sent.id}", {})
        sb.set_faults(rate=1.0, kinds=["truncated"], methods=["GET"], after_processing=True, count=1)
        saved = client.download_report(sent.id, tmp_path / "r.csv")
        assert sb.state.faults.injected == 1  # the first attempt was cut halfway
        assert saved.read_bytes() == body  # the file holds one whole body, not half a body and a body


def test_a_body_that_does_not_match_its_digest_is_retried_then_refused_leaving_no_file(tmp_path):
    bad = Answer(200, {"Content-Type": "text/csv", "X-Content-SHA256": _digest(b"other")}, BODY)
    with Loopback(lambda req, n: bad) as srv:
        with pytest.raises(errors.IntegrityError, match="X-Content-SHA256"):
            _client(srv.url).download_report(7, tmp_path / "r.csv")
        assert len(srv.received) == 4  # the first attempt and the policy's 3 repeats
    assert list(tmp_path.iterdir()) == []
    good = Answer(200, {"Content-Type": "text/csv", "X-Content-SHA256": _digest(BODY)}, BODY)
    with Loopback(lambda req, n: bad if n == 1 else good) as srv:
        saved = _client(srv.url).download_report(7, tmp_path / "r.csv")
        assert saved.read_bytes() == BODY
        pd.testing.assert_frame_equal(_client(srv.url).get_report(7), parse_report(BODY, campaign_id=7))


def test_the_streamed_body_is_never_kept_on_the_answer_but_an_error_body_is(tmp_path):
    good = Answer(200, {"Content-Type": "text/csv", "X-Content-SHA256": _digest(BODY)}, BODY)
    with Loopback(lambda req, n: good) as srv:
        client = _client(srv.url)
        with open(tmp_path / "r.csv", "wb") as sink:
            answer = client._call("GET", "/campaigns/report/7", verify_digest=True, sink=sink)
        assert answer.content == b"" and answer.body_sha256 == _digest(BODY)
        assert (tmp_path / "r.csv").read_bytes() == BODY
    missing = Answer(404, {"Content-Type": "application/json"}, b'{"status": 404, "message": "campaign 7 not found"}')
    with (
        Loopback(lambda req, n: missing) as srv,
        pytest.raises(errors.InvalidRequestError, match="campaign 7 not found"),
    ):
        _client(srv.url).download_report(7, tmp_path / "gone.csv")
    assert not (tmp_path / "gone.csv").exists() and not (tmp_path / "gone.csv.part").exists()


def test_get_into_writes_after_what_the_file_held_and_a_repeat_restarts_only_its_own_part():
    """``get_into`` appends to a sink: two reports in one file both stay, and a repeat after a cut body
    goes back to where this request began, not to the start of the file (the review of session 4 found
    every attempt, the first included, emptied the whole sink)."""
    import io

    with mfanalytics.sandbox(seed=1, start="2026-03-03T09:00:00Z") as sb:
        client = sb.client(policy=mfanalytics.RetryPolicy(sleep=lambda s: None))
        ids = [
            client.send_campaign(
                "Votre code : 1234",
                recipients=[f"06123456{i:02d}" for i in range(k, k + 30)],
                type_select="NOTIFICATION",
            ).id
            for k in (0, 40)
        ]
        sb.advance(3600)
        bodies = [client.get_bytes(f"/campaigns/report/{i}", {}) for i in ids]
        sink = io.BytesIO()
        sink.write(b"# two reports\n")
        client.get_into(f"/campaigns/report/{ids[0]}", {}, sink)
        sb.set_faults(rate=1.0, kinds=["truncated"], methods=["GET"], after_processing=True, count=1)
        client.get_into(f"/campaigns/report/{ids[1]}", {}, sink)
        assert sb.state.faults.injected == 1  # the second report's first attempt was cut halfway
        assert sink.getvalue() == b"# two reports\n" + bodies[0] + bodies[1]
