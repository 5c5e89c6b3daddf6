"""send_campaign and send_now check the French sending rules before any request that may send."""

from __future__ import annotations

import warnings
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import mfanalytics
from mfanalytics.errors import ComplianceError, ComplianceWarning, ValidationError

pytestmark = pytest.mark.enforce_compliance

PARIS = ZoneInfo("Europe/Paris")
PEOPLE = ["0612345601", "0612345602"]
TUESDAY_10 = "2026-12-08T09:00:00Z"  # 10:00 in Paris
SUNDAY_10 = "2026-12-06T09:00:00Z"


def posts(sb) -> int:
    """Campaigns the sandbox holds: anything that reached /campaigns/inject."""
    return len(sb.state.campaigns)


@pytest.mark.parametrize("method", ["send_campaign", "send_now"])
def test_a_marketing_message_without_stop_is_refused_before_any_request(method):
    with mfanalytics.sandbox(seed=0, start=TUESDAY_10) as sb:
        client = sb.client()
        with pytest.raises(ComplianceError) as err:
            getattr(client, method)("Soldes -20% ce week-end", recipients=PEOPLE)
        assert err.value.rule == "stop-mention" and "Nothing was sent" in str(err.value)
        assert [f.rule for f in err.value.findings] == ["stop-mention"]
        assert posts(sb) == 0


@pytest.mark.parametrize("method", ["send_campaign", "send_now"])
def test_a_send_now_on_sunday_is_refused_by_the_client_clock(method):
    with mfanalytics.sandbox(seed=0, start=SUNDAY_10) as sb:
        client = sb.client()
        with pytest.raises(ComplianceError) as err:
            getattr(client, method)("Soldes STOP 36184", recipients=PEOPLE)
        assert err.value.rule == "sending-day" and "Sunday 06 Dec 2026" in str(err.value)
        assert posts(sb) == 0


def test_a_schedule_outside_the_window_for_reunion_is_refused():
    with mfanalytics.sandbox(seed=0, start=TUESDAY_10) as sb:
        client = sb.client()
        evening = datetime(2026, 12, 8, 19, 30, tzinfo=PARIS)  # 22:30 in Réunion
        with pytest.raises(ComplianceError) as err:
            client.send_campaign("Soldes STOP 36184", recipients=[*PEOPLE, "0692123456"], schedule_on=evening)
        assert err.value.rule == "sending-hours" and "Indian/Reunion" in str(err.value)
        assert posts(sb) == 0
        campaign = client.send_campaign("Soldes STOP 36184", recipients=PEOPLE, schedule_on=evening)
        assert campaign.id in sb.state.campaigns


def test_christmas_is_refused_and_a_clean_tuesday_sends_without_a_warning():
    with mfanalytics.sandbox(seed=0, start="2026-12-25T10:00:00Z") as sb, pytest.raises(ComplianceError):
        sb.client().send_campaign("Joyeux Noël STOP 36184", recipients=PEOPLE)
    with mfanalytics.sandbox(seed=0, start=TUESDAY_10) as sb, warnings.catch_warnings():
        warnings.simplefilter("error", ComplianceWarning)
        campaign = sb.client().send_campaign("Soldes STOP 36184", recipients=PEOPLE)
        assert campaign["status"] in ("INJECTED", "INPROGRESS", "INJECTING", "SENT") and posts(sb) == 1


def test_compliance_warn_sends_and_says_what_was_broken():
    with mfanalytics.sandbox(seed=0, start=SUNDAY_10) as sb:
        client = sb.client()
        with pytest.warns(ComplianceWarning) as caught:
            campaign = client.send_now("Soldes", recipients=PEOPLE, compliance="warn")
        assert campaign.id in sb.state.campaigns
        texts = [str(w.message) for w in caught]
        assert any("[stop-mention]" in t and "Sent anyway" in t for t in texts)
        assert any("[sending-day]" in t for t in texts)


def test_the_client_default_can_be_set_once_and_a_wrong_mode_is_refused():
    with mfanalytics.sandbox(seed=0, start=SUNDAY_10) as sb:
        client = sb.client()
        assert client.compliance == "error"
        client.compliance = "warn"
        with pytest.warns(ComplianceWarning):
            client.send_campaign("Soldes", recipients=PEOPLE)
        with pytest.raises(ComplianceError):
            client.send_campaign("Soldes", recipients=PEOPLE, compliance="error")
        with pytest.raises(ValidationError) as err:
            client.send_campaign("Soldes", recipients=PEOPLE, compliance="off")
        assert err.value.rule == "compliance-mode"
        assert posts(sb) == 1


def test_notifications_are_not_held_to_the_marketing_rules():
    with mfanalytics.sandbox(seed=0, start=SUNDAY_10) as sb, warnings.catch_warnings():
        warnings.simplefilter("error", ComplianceWarning)
        campaign = sb.client().send_campaign("Votre code : 123456", recipients=PEOPLE, type_select="NOTIFICATION")
        assert campaign.id in sb.state.campaigns


def test_a_list_send_is_checked_in_paris_with_a_warning():
    with mfanalytics.sandbox(seed=0, start=TUESDAY_10) as sb:
        client = sb.client()
        list_id = client.upload_list(b"mobile\n0612345601\n", filename="a.csv")["id"]
        with pytest.warns(ComplianceWarning, match="recipients-unknown"):
            client.send_campaign("Soldes STOP 36184", list_id=list_id)
        assert posts(sb) == 1
