"""The French sending rules of check_compliance, against oracles written here.

The local times come from the offsets the rules name (Réunion UTC+4, Mayotte UTC+3, Guadeloupe and
Martinique UTC-4, Guyane UTC-3: none of them has daylight saving) or, for metropolitan France,
from the standard library's zoneinfo; the overseas holidays are the dates of law 83-550 and its
decrees, typed here, and the `holidays` package for the rest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mfanalytics.errors import ComplianceError, ValidationError
from mfanalytics.messages.compliance import (
    STRICT_WINDOW,
    SendingWindow,
    check_compliance,
    compliance_error,
    next_allowed,
    received_outside_window,
)

pytestmark = pytest.mark.enforce_compliance

PARIS = ZoneInfo("Europe/Paris")
STOP = "Soldes d'hiver -20% STOP 36184"
# One mobile number per territory (valid for phonenumbers), with the fixed UTC offset the issue gives.
TERRITORIES = {
    "RE": ("0692123456", timezone(timedelta(hours=4))),
    "YT": ("+262639012345", timezone(timedelta(hours=3))),
    "GP": ("0690123456", timezone(timedelta(hours=-4))),
    "MQ": ("0696123456", timezone(timedelta(hours=-4))),
    "GF": ("0694123456", timezone(timedelta(hours=-3))),
}
METRO = "0612345678"
# Law 83-550 (abolition of slavery), one public holiday per territory: a weekday in 2026.
ABOLITION_2026 = {"MQ": date(2026, 5, 22), "GP": date(2026, 5, 27), "GF": date(2026, 6, 10), "YT": date(2026, 4, 27)}


def rules(findings):
    return [f.rule for f in findings]


# -- the dates of the issue --------------------------------------------------
def test_sunday_6_december_is_an_error():
    findings = check_compliance(STOP, schedule_on=datetime(2026, 12, 6, 10, tzinfo=PARIS), recipients=[METRO])
    assert rules(findings) == ["sending-day"]
    assert not findings.ok and findings[0].severity == "error"
    assert "Sunday 06 Dec 2026 10:00" in findings[0].found


def test_christmas_day_is_an_error():
    findings = check_compliance(STOP, schedule_on=datetime(2026, 12, 25, 10, tzinfo=PARIS), recipients=[METRO])
    assert rules(findings) == ["sending-day"]
    assert "Christmas" in findings[0].found


def test_tuesday_8_december_at_ten_with_stop_is_clean():
    findings = check_compliance(STOP, schedule_on=datetime(2026, 12, 8, 10, tzinfo=PARIS), recipients=[METRO])
    assert list(findings) == [] and findings.ok
    assert "no finding" in str(findings)


def test_without_recipients_the_window_is_checked_in_paris_and_a_warning_says_so():
    findings = check_compliance(STOP, schedule_on=datetime(2026, 12, 8, 10, tzinfo=PARIS))
    assert findings.ok and rules(findings) == ["recipients-unknown"]
    assert rules(check_compliance(STOP, schedule_on=datetime(2026, 12, 8, 21, tzinfo=PARIS))) == [
        "sending-hours",
        "recipients-unknown",
    ]


def test_a_naive_schedule_is_paris_wall_time_and_a_string_is_read_too():
    assert rules(check_compliance(STOP, schedule_on=datetime(2026, 12, 8, 7, 59), recipients=[METRO])) == [
        "sending-hours"
    ]
    assert check_compliance(STOP, schedule_on="2026-12-08T07:00:00Z", recipients=[METRO]).ok  # 08:00 Paris
    with pytest.raises(ValidationError) as err:
        check_compliance(STOP, schedule_on="mardi 10h", recipients=[METRO])
    assert err.value.rule == "schedule-format"


def test_send_now_uses_the_given_clock():
    sunday = datetime(2026, 12, 6, 9, tzinfo=UTC)
    assert rules(check_compliance(STOP, now=sunday, recipients=[METRO])) == ["sending-day"]
    assert check_compliance(STOP, now=sunday + timedelta(days=1), recipients=[METRO]).ok


# -- each overseas territory -------------------------------------------------
@pytest.mark.parametrize("territory", sorted(TERRITORIES))
def test_each_territory_is_checked_in_its_own_time(territory):
    number, offset = TERRITORIES[territory]
    tuesday = date(2026, 12, 8)
    for hour in range(24):
        moment = datetime.combine(tuesday, time(hour), tzinfo=offset)  # local hour in the territory
        findings = check_compliance(STOP, schedule_on=moment, recipients=[number])
        expected = [] if 8 <= hour < 20 else ["sending-hours"]
        assert rules(findings) == expected, (territory, hour, str(findings))
        if expected:
            assert findings[0].regions == (territory,) and findings[0].recipients == 1


@pytest.mark.parametrize("territory", sorted(ABOLITION_2026))
def test_each_territory_has_its_own_public_holidays(territory):
    number, offset = TERRITORIES[territory]
    day = ABOLITION_2026[territory]
    moment = datetime.combine(day, time(11), tzinfo=offset)
    assert rules(check_compliance(STOP, schedule_on=moment, recipients=[number])) == ["sending-day"]
    # the same instant is an ordinary weekday in metropolitan France (at whatever Paris hour it is there)
    paris_hour = moment.astimezone(PARIS).hour
    metro = check_compliance(STOP, schedule_on=moment, recipients=[METRO])
    assert rules(metro) == ([] if 8 <= paris_hour < 20 else ["sending-hours"])


def test_mixed_recipients_count_and_name_each_territory():
    moment = datetime(2026, 12, 8, 19, 30, tzinfo=PARIS)  # 22:30 in Réunion, 21:30 in Mayotte, 14:30 in Guadeloupe
    recipients = [METRO, "+33612345679", TERRITORIES["RE"][0], "+262692123457", TERRITORIES["YT"][0], "0690123456"]
    (finding,) = check_compliance(STOP, schedule_on=moment, recipients=recipients)
    assert finding.rule == "sending-hours" and finding.recipients == 3
    assert set(finding.regions) == {"RE", "YT"}
    assert "22:30 (Indian/Reunion)" in finding.found and "21:30 (Indian/Mayotte)" in finding.found


def test_a_foreign_number_is_checked_in_its_zone():
    moment = datetime(2026, 12, 8, 10, tzinfo=PARIS)  # 01:00 in San Francisco
    (finding,) = check_compliance(STOP, schedule_on=moment, recipients=["+14155550123"])
    assert finding.rule == "sending-hours" and finding.regions == ("US",)
    assert check_compliance(STOP, schedule_on=moment, recipients=["+4915123456789"]).ok  # Berlin, 10:00


def test_alsace_moselle_holidays_are_a_warning():
    # 26 December 2026 is a Saturday: a working day in France, a holiday in Moselle and Alsace.
    findings = check_compliance(STOP, schedule_on=datetime(2026, 12, 26, 10, tzinfo=PARIS), recipients=[METRO])
    assert findings.ok and rules(findings) == ["local-holiday"]
    assert rules(check_compliance(STOP, schedule_on=datetime(2026, 4, 3, 10, tzinfo=PARIS), recipients=[METRO])) == [
        "local-holiday"
    ]  # Good Friday


def test_recipients_in_every_shape():
    import pandas as pd

    from mfanalytics.lists import clean_recipients

    moment = datetime(2026, 12, 8, 19, 30, tzinfo=PARIS)
    frame = pd.DataFrame({"mobile": [METRO, TERRITORIES["RE"][0]], "prenom": ["A", "B"]})
    cleaned = clean_recipients(frame)
    for shape in (frame, frame["mobile"], [{"mobile": METRO}, {"mobile": TERRITORIES["RE"][0]}], cleaned):
        (finding,) = check_compliance(STOP, schedule_on=moment, recipients=shape)
        assert finding.regions == ("RE",) and finding.recipients == 1
    # dicts name their mobile column as a list file would ("Portable"), never silently unchecked
    (finding,) = check_compliance(STOP, schedule_on=moment, recipients=[{"Portable": TERRITORIES["RE"][0]}])
    assert finding.regions == ("RE",) and finding.recipients == 1
    with pytest.raises(ValidationError) as err:
        check_compliance(STOP, schedule_on=moment, recipients="0612345678")
    assert err.value.rule == "recipients-type"


# -- a property over instants, against the oracle -----------------------------
def expected_rule(local: datetime, territory: str) -> str | None:
    table = holidays.country_holidays(territory, years=local.year)
    if local.date() in table or local.weekday() == 6:
        return "sending-day"
    if not 8 <= local.hour < 20:
        return "sending-hours"
    return None


@given(
    minutes=st.integers(0, 2 * 366 * 24 * 60),
    territory=st.sampled_from(["FR", *sorted(TERRITORIES)]),
)
def test_property_the_rule_broken_is_the_one_local_time_says(minutes, territory):
    moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    number, offset = TERRITORIES.get(territory, (METRO, PARIS))
    local = moment.astimezone(offset)
    expected = expected_rule(local, territory)
    found = [r for r in rules(check_compliance(STOP, schedule_on=moment, recipients=[number])) if r != "local-holiday"]
    assert found == ([expected] if expected else [])


# -- the message and the sender ----------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Promo -20%", ["stop-mention"]),
        ("Promo -20% STOPPER la crise", ["stop-mention"]),
        ("Promo -20% STOP 36184", []),
        ("Promo -20% stop au 36184", []),
        ("Promo -20% STOP SMS 36184", []),
        ("Promo -20% Stop: 36184", []),
        ("Promo -20%, répondez STOP", ["stop-number"]),
    ],
)
def test_the_stop_mention(text, expected):
    findings = check_compliance(text, schedule_on=datetime(2026, 12, 8, 10, tzinfo=PARIS), recipients=[METRO])
    assert rules(findings) == expected
    if expected == ["stop-number"]:
        assert findings.ok  # a warning, not an error


@given(st.text(st.characters(codec="utf-8", exclude_characters="sStToOpP"), max_size=200))
def test_property_a_marketing_text_without_stop_is_always_refused(text):
    findings = check_compliance(text, schedule_on=datetime(2026, 12, 8, 10, tzinfo=PARIS), recipients=[METRO])
    assert rules(findings) == ["stop-mention"]
    note = check_compliance(
        text, type_select="NOTIFICATION", schedule_on=datetime(2026, 12, 6, 3, tzinfo=PARIS), recipients=[METRO]
    )
    assert list(note) == []  # notifications: no STOP, no window


def test_the_sender_rule_of_the_guide():
    # the guide's own example sender breaks the guide's rule (no underscore)
    findings = check_compliance(STOP, sender="Emetteur_du_SMS", schedule_on=datetime(2026, 12, 8, 10, tzinfo=PARIS))
    assert findings.errors[0].rule == "sender-charset"
    assert "'_'" in findings.errors[0].found
    assert rules(check_compliance(STOP, sender="36184", type_select="NOTIFICATION")) == ["sender-all-digits"]


def test_findings_read_well_and_make_an_error_that_names_them():
    findings = check_compliance("Promo", schedule_on=datetime(2026, 12, 25, 10, tzinfo=PARIS), recipients=[METRO])
    assert [f.severity for f in findings] == ["error", "error"]
    error = compliance_error(findings)
    assert isinstance(error, ComplianceError) and isinstance(error, ValidationError)
    assert error.rule == "stop-mention" and error.findings == list(findings)
    assert "Nothing was sent" in str(error) and "compliance='warn'" in str(error)
    html = findings._repr_html_()
    assert html.count("<tr>") == 3 and "stop-mention" in html


# -- the window --------------------------------------------------------------
def test_a_configured_window():
    weekdays = SendingWindow(days=(0, 1, 2, 3, 4), start=time(9), end=time(19), holidays=False)
    saturday = datetime(2026, 12, 5, 10, tzinfo=PARIS)
    assert rules(check_compliance(STOP, schedule_on=saturday, recipients=[METRO], window=weekdays)) == ["sending-day"]
    assert check_compliance(STOP, schedule_on=saturday, recipients=[METRO]).ok
    christmas = datetime(2026, 12, 25, 10, tzinfo=PARIS)
    assert check_compliance(STOP, schedule_on=christmas, recipients=[METRO], window=weekdays).ok
    assert STRICT_WINDOW.describe() == "Monday to Saturday, 08:00-20:00, no public holidays"
    with pytest.raises(ValidationError):
        SendingWindow(start=time(20), end=time(8))
    with pytest.raises(ValidationError):
        SendingWindow(days=(7,))


def test_next_allowed():
    sunday = datetime(2026, 12, 6, 10, tzinfo=PARIS)
    assert next_allowed(sunday) == datetime(2026, 12, 7, 8, tzinfo=PARIS)
    assert next_allowed(datetime(2026, 12, 24, 21, tzinfo=PARIS)) == datetime(2026, 12, 26, 8, tzinfo=PARIS)
    evening = datetime(2026, 12, 8, 19, 30, tzinfo=PARIS)
    reunion = next_allowed(evening, zone="Indian/Reunion")
    assert reunion.astimezone(TERRITORIES["RE"][1]).replace(tzinfo=None) == datetime(2026, 12, 9, 8)
    assert next_allowed(datetime(2026, 12, 8, 7, tzinfo=PARIS)) == datetime(2026, 12, 8, 8, tzinfo=PARIS)


# -- received outside the window, on a report -----------------------------------
def test_received_outside_window_on_a_report_frame():
    import pandas as pd

    at = pd.to_datetime(
        [
            "2026-12-08 10:00",  # Tuesday, inside
            "2026-12-08 21:00",  # after 20:00
            "2026-12-06 10:00",  # Sunday
            "2026-12-25 11:00",  # Christmas
            "2026-12-08 19:30",  # 22:30 in Réunion
            None,  # not delivered
        ]
    ).tz_localize("Europe/Paris")
    report = pd.DataFrame(
        {
            "campaign_id": pd.array([1, 1, 1, 2, 2, 2], dtype="Int64"),
            "mobile": ["+33612345678"] * 4 + ["+262692123456", "+33612345678"],
            "delivered_at": at,
        }
    )
    out = received_outside_window(report)
    assert out.loc[1].tolist() == [3, 2, 1, 1]  # delivered, outside, hours, closed day
    assert out.loc[2].tolist() == [2, 2, 1, 1]
    only_marketing = received_outside_window(report, campaign_types={2: "NOTIFICATION"})
    assert list(only_marketing.index) == [1]
