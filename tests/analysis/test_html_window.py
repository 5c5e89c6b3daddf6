"""The HTML report says how many recipients of marketing campaigns received them outside the window."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

import mfanalytics
from mfanalytics.analysis.facts import ReportFacts
from mfanalytics.analysis.html_window import window_section

pytestmark = pytest.mark.enforce_compliance


def frame(rows):
    at = pd.to_datetime([r[2] for r in rows]).tz_localize("Europe/Paris")
    return pd.DataFrame(
        {
            "campaign_id": pd.array([r[0] for r in rows], dtype="Int64"),
            "mobile": pd.array([r[1] for r in rows], dtype="string"),
            "delivered_at": at,
            "status_code": pd.array([13] * len(rows), dtype="Int16"),
        }
    )


def test_counts_by_reason_and_campaign_in_both_languages():
    report = frame(
        [
            (1, "+33612345678", "2026-12-08 10:00"),  # inside
            (1, "+33612345679", "2026-12-08 21:00"),  # after hours
            (2, "+33612345678", "2026-12-06 10:00"),  # Sunday
            (2, "+262692123456", "2026-12-08 19:30"),  # 22:30 in Réunion
        ]
    )
    section = window_section(ReportFacts(report), "en")
    text = re.sub(r"<[^>]+>", " ", section.body)
    assert "3 of the 4 recipients of marketing campaigns received them outside" in text
    assert "2 after hours, 1 on a Sunday or a public holiday" in text
    assert section.body.count("<tr>") == 3  # header + the two campaigns
    fr = re.sub(r"<[^>]+>", " ", window_section(ReportFacts(report), "fr").body)
    assert "3 des 4 destinataires" in fr
    notif = window_section(ReportFacts(report), "en", campaign_types={1: "NOTIFICATION", 2: "NOTIFICATION"})
    assert notif is None


def test_in_the_report_from_the_sandbox():
    with mfanalytics.sandbox(seed=0, start="2026-12-05T20:30:00Z") as sb, warnings.catch_warnings():
        warnings.simplefilter("ignore", mfanalytics.ComplianceWarning)
        client = sb.client()
        cid = client.send_campaign("Promo STOP 36184", recipients=["0612345601", "0612345602"], compliance="warn").id
        sb.advance(3600)
        page = mfanalytics.deliverability_report(client.get_report(cid), lang="en")
    assert 'id="sending-rules"' in page
    assert "2 of the 2 recipients of marketing campaigns received them outside" in page
