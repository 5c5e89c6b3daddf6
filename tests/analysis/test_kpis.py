"""Deliverability KPIs: values on small hand-counted frames, properties on any frame."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfanalytics.analysis import kpis as analysis
from mfanalytics.errors import ValidationError
from mfanalytics.reports.status_codes import STATUS_GROUPS

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
from report_frames import make_report, realistic_report

D = "2026-03-02"  # a Monday


def known_rows(campaign=1):
    """12 rows of campaign 1, one per interesting case (counts worked out in the tests)."""
    return [
        {"campaign": campaign, "code": 16, "delivered_at": f"{D} 10:01:00"},
        {
            "campaign": campaign,
            "code": 16,
            "delivered_at": f"{D} 10:03:00",
            "track_1_at": f"{D} 10:30:00",
            "track_1_clicks": 2,
        },
        {
            "campaign": campaign,
            "code": 21,
            "delivered_at": f"{D} 10:05:00",
            "track_1_at": f"{D} 11:00:00",
            "track_1_clicks": 1,
        },
        {"campaign": campaign, "code": 17, "delivered_at": f"{D} 10:02:00", "reply": "STOP"},
        {"campaign": campaign, "code": 20, "delivered_at": f"{D} 12:00:00"},
        {"campaign": campaign, "code": 29},
        {"campaign": campaign, "code": 2},
        {"campaign": campaign, "code": 14},
        {"campaign": campaign, "code": 8},
        {"campaign": campaign, "code": 1},
        {"campaign": campaign, "code": 99},
        {"campaign": campaign, "code": 27},
    ]


@pytest.fixture
def known():
    return make_report(known_rows())


# ---------------------------------------------------------------- summarize
def test_summarize_counts_on_known_frame(known):
    s = analysis.summarize(known).loc[1]
    # sent = 12 - (code 2, blocked 14, not sent 8); code 29 was sent
    expected = {
        "recipients": 12,
        "sent": 9,
        "delivered": 4,
        "pending": 1,
        "undelivered": 2,
        "invalid": 2,
        "blocked": 1,
        "not_sent": 1,
        "unknown": 1,
        "stops": 1,
        "clicked": 2,
        "clicks": 3,
        "credits": 9,
    }
    assert {k: int(s[k]) for k in expected} == expected
    assert s["delivery_rate"] == pytest.approx(4 / 9)
    assert s["stop_rate"] == pytest.approx(1 / 4)
    assert s["click_rate"] == pytest.approx(2 / 4)


def test_summarize_times_from_first_delivery(known):
    s = analysis.summarize(known).loc[1]
    # deliveries 0, 60, 120, 240 s after the first (10:01); clicks 29 and 59 min after it
    assert s["deliver_time_median"] == pd.Timedelta(seconds=90)
    assert s["deliver_time_p90"] == pd.Timedelta(seconds=120 + 0.7 * 120)
    assert s["click_time_median"] == pd.Timedelta(seconds=(1740 + 3540) / 2)
    assert s["click_time_p90"] == pd.Timedelta(seconds=1740 + 0.9 * 1800)


def test_summarize_times_from_send_time(known):
    for send in (
        {1: f"{D} 10:00:00"},
        pd.Timestamp(f"{D} 10:00:00", tz="Europe/Paris"),
        pd.Series({1: pd.Timestamp(f"{D} 09:00:00", tz="UTC")}),
    ):
        s = analysis.summarize(known, send_times=send).loc[1]
        # deliveries 60, 120, 180, 300 s after 10:00 Paris (= 09:00 UTC)
        assert s["deliver_time_median"] == pd.Timedelta(seconds=150)
        assert s["deliver_time_p90"] == pd.Timedelta(seconds=180 + 0.7 * 120)
        assert s["click_time_median"] == pd.Timedelta(seconds=2700)


def test_summarize_credits_from_segments(known):
    assert analysis.summarize(known, segments=2).loc[1, "credits"] == 18
    seg = pd.Series([3] + [1] * 11, index=known.index)  # row 0 is delivered, so sent
    assert analysis.summarize(known, segments=seg).loc[1, "credits"] == 9 + 2
    with_col = known.assign(segments=[1] * 6 + [5] * 6)  # rows 6..8 (codes 2, 14, 8) not sent
    assert analysis.summarize(with_col).loc[1, "credits"] == 6 + 5 * 3


@pytest.mark.parametrize("bad", [0, 1.5, "2", pd.Series([1, 2])])
def test_summarize_rejects_bad_segments(known, bad):
    with pytest.raises(ValidationError) as err:
        analysis.summarize(known, segments=bad)
    assert err.value.field == "segments"


def test_summarize_by_other_columns_and_by_none():
    rows = known_rows(1) + [
        {"campaign": 2, "code": 16, "delivered_at": f"{D} 11:00:00", "AG": "b"},
        {"campaign": 2, "code": 31, "AG": "b"},
    ]
    for r in rows[:12]:
        r["AG"] = "a"
    frame = make_report(rows, list_columns=("AG",))
    by_campaign = analysis.summarize(frame)
    assert by_campaign.index.tolist() == [1, 2]
    assert by_campaign.loc[2, ["recipients", "sent", "delivered", "undelivered"]].tolist() == [2, 2, 1, 1]
    assert by_campaign.loc[2, "delivery_rate"] == 0.5
    total = analysis.summarize(frame, by=None)
    assert total.index.tolist() == ["all"] and total.loc["all", "recipients"] == 14
    assert total.loc["all", "delivered"] == 5
    both = analysis.summarize(frame, by=["campaign_id", "AG"])
    assert both.loc[(2, "b"), "recipients"] == 2
    assert list(analysis.summarize(frame, by="AG").columns) == list(analysis.SUMMARY_COLUMNS)


def test_summarize_click_rate_unknown_without_tracking(known):
    untracked = known.assign(
        clicked=pd.array([pd.NA] * len(known), dtype="boolean"), clicks=pd.array([pd.NA] * len(known), dtype="Int32")
    )
    s = analysis.summarize(untracked).loc[1]
    assert s["clicked"] == 0 and math.isnan(s["click_rate"])


def test_summarize_empty_frame_keeps_columns(known):
    out = analysis.summarize(known.iloc[:0])
    assert len(out) == 0 and list(out.columns) == list(analysis.SUMMARY_COLUMNS)
    assert len(analysis.summarize(known.iloc[:0], by=None)) == 0


def test_summarize_rate_nan_when_nothing_sent():
    frame = make_report([{"code": 14}, {"code": 8}])
    s = analysis.summarize(frame).loc[1]
    assert s["sent"] == 0 and math.isnan(s["delivery_rate"]) and math.isnan(s["click_rate"])


def test_bad_input_names_rule_and_column(known):
    with pytest.raises(ValidationError) as err:
        analysis.summarize([1, 2, 3])
    assert err.value.rule == "not-a-report-frame"
    with pytest.raises(ValidationError) as err:
        analysis.summarize(known, by="AGENCE")
    assert (err.value.rule, err.value.field) == ("missing-column", "AGENCE")
    with pytest.raises(ValidationError) as err:
        analysis.summarize(known.drop(columns=["status_code", "status_group"]))
    assert err.value.field == "status_code"
    with pytest.raises(ValidationError) as err:
        analysis.by_country(known.drop(columns=["mobile"]))
    assert err.value.field == "mobile"


# ------------------------------------------------------ breakdown / failures
def test_status_breakdown_groups(known):
    g = analysis.status_breakdown(known, level="group")
    assert g.index.tolist() == list(STATUS_GROUPS)
    expected = {
        "delivered": 3,
        "delivered_stop": 1,
        "pending": 1,
        "in_flight": 0,
        "undelivered": 1,
        "invalid_number": 2,
        "rejected": 1,
        "blocked": 1,
        "not_sent": 1,
        "unknown": 1,
    }
    assert g["count"].to_dict() == expected
    assert g.loc["invalid_number", "share"] == pytest.approx(2 / 12)
    assert g.loc["blocked", "label_fr"] == "Bloqué (blacklist)"
    assert g.loc["blocked", "label_en"] == "Blocked (blacklist)"


def test_status_breakdown_codes(known):
    c = analysis.status_breakdown(known)
    assert len(c) == 11 and c["count"].sum() == 12  # 11 distinct codes, 16 twice
    row16 = c[c["status_code"] == 16].iloc[0]
    assert (row16["count"], row16["group_count"], row16["label_fr"], row16["label_en"]) == (
        2,
        3,
        "Délivré",
        "Delivered",
    )
    assert row16["share"] == pytest.approx(2 / 12) and row16["group_share"] == pytest.approx(3 / 12)
    row99 = c[c["status_code"] == 99].iloc[0]
    assert (row99["status_group"], row99["label_en"], row99["label_fr"]) == ("unknown", "Unknown (99)", "Inconnu (99)")
    # group order first: delivered codes come before the blocked one
    assert c.index[c["status_code"] == 16][0] < c.index[c["status_code"] == 14][0]
    with pytest.raises(ValidationError):
        analysis.status_breakdown(known, level="bogus")


def test_status_breakdown_missing_code_is_unknown():
    c = analysis.status_breakdown(make_report([{"code": None}, {"code": 16}]))
    na = c[c["status_code"].isna()].iloc[0]
    assert (na["status_group"], na["label_en"], na["count"]) == ("unknown", "Unknown", 1)


def test_failure_reasons_ranked_with_advice():
    codes = [20, 20, 20, 14, 14, 2, 99, 1, 16, 24]
    f = analysis.failure_reasons(make_report([{"code": c} for c in codes]))
    assert f["status_code"].tolist() == [20, 14, 2, 99]  # pending 1, in flight 24, delivered 16 are no failures
    assert f.index.tolist() == [1, 2, 3, 4] and f.index.name == "rank"
    assert f["count"].tolist() == [3, 2, 1, 1]
    assert f["share"].tolist() == pytest.approx([3 / 7, 2 / 7, 1 / 7, 1 / 7])
    assert f["share_of_recipients"].tolist() == pytest.approx([0.3, 0.2, 0.1, 0.1])
    assert f["action"].tolist() == ["retry_later", "remove_blacklisted", "clean_list", "contact_support"]
    assert f.loc[2, "action_en"] == "Remove blacklisted numbers"
    assert "blacklist" in f.loc[2, "advice_fr"] and "blacklist" in f.loc[2, "advice_en"]


def test_failure_reasons_advice_for_the_issue_examples():
    f = analysis.failure_reasons(make_report([{"code": c} for c in (6, 8, 29, 15)])).set_index("status_code")
    assert f.loc[6, "action"] == "switch_ucs2" and "UCS-2" in f.loc[6, "advice_en"]
    assert f.loc[8, "action"] == "buy_credit"
    assert f.loc[29, "action"] == "remove_number"
    assert f.loc[15, "action"] == "remove_blacklisted"


def test_failure_reasons_none():
    f = analysis.failure_reasons(make_report([{"code": 16}]))
    assert len(f) == 0 and "advice_fr" in f.columns


# ------------------------------------------------------------- by_country
def test_by_country():
    mobiles = [
        "+33612345678",
        "33612345679",
        "0033612345670",
        "+32470123456",
        "+14165550123",
        "+262692123456",
        "+590690001122",
        "not a number",
        None,
    ]
    frame = make_report([{"code": 16, "mobile": m} for m in mobiles])
    out = analysis.by_country(frame)
    assert out["recipients"].to_dict() == {"FR": 3, "ZZ": 2, "BE": 1, "CA": 1, "RE": 1, "GP": 1}
    assert out.index[0] == "FR" and out.index.name == "country"
    assert out.loc["FR", "share"] == pytest.approx(3 / 9)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.from_regex(r"\+?(1|7|33|44|262|590|599|800|882|32|41|49|212|999)[0-9]{4,13}", fullmatch=True),
            st.text(alphabet="+0123456789 ()-.a", max_size=18),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_regions_match_phonenumbers_per_number(values):
    import phonenumbers

    def reference(v):
        v = v.strip()
        v = "+" + v[2:] if v.startswith("00") else v
        v = v if v.startswith("+") else "+" + v
        try:
            return phonenumbers.region_code_for_number(phonenumbers.parse(v)) or "ZZ"
        except phonenumbers.NumberParseException:
            return "ZZ"

    got = analysis.regions(pd.Series(values, dtype="string")).tolist()
    assert got == [reference(v) for v in values]


# ---------------------------------------------------------------- by_hour
def test_by_hour():
    frame = make_report(
        [
            {"code": 16, "delivered_at": f"{D} 10:01:00", "track_1_at": f"{D} 10:30:00", "track_1_clicks": 1},
            {"code": 16, "delivered_at": f"{D} 10:03:00"},
            {
                "code": 16,
                "delivered_at": "2026-03-03 14:00:00",
                "track_1_at": "2026-03-04 20:15:00",
                "track_1_clicks": 4,
            },
            {"code": 20, "delivered_at": f"{D} 10:05:00"},
            {"code": 14},
        ]
    )
    out = analysis.by_hour(frame)
    assert len(out) == 168 and out.index.names == ["weekday", "hour"]
    assert out.loc[(0, 10), "deliveries"] == 2 and out.loc[(1, 14), "deliveries"] == 1
    assert out["deliveries"].sum() == 3  # code 20 has a date but is not a delivery
    assert out.loc[(0, 10), "clicks"] == 1 and out.loc[(2, 20), "clicks"] == 1 and out["clicks"].sum() == 2
    assert out.loc[(0, 10), "sends"] == 4 and out["sends"].sum() == 4  # 4 sent, at the first delivery
    sent_at = analysis.by_hour(frame, send_times="2026-03-01 23:30:00")  # a Sunday
    assert sent_at.loc[(6, 23), "sends"] == 4


# ---------------------------------------------------------------- compare
def test_compare_campaigns_inputs():
    a = make_report([{"campaign": 1, "code": 16, "delivered_at": f"{D} 10:00:00"}, {"campaign": 1, "code": 20}])
    b = make_report([{"campaign": 2, "code": 16, "delivered_at": f"{D} 11:00:00"}] * 3 + [{"campaign": 2, "code": 20}])
    named = analysis.compare_campaigns({"Soldes": a, "Rentrée": b})
    assert named.index.tolist() == ["Soldes", "Rentrée"]
    assert named["delivery_rate"].tolist() == [0.5, 0.75]
    assert named["delivery_rate_vs_all"].tolist() == pytest.approx([0.5 - 4 / 6, 0.75 - 4 / 6])
    listed = analysis.compare_campaigns([a, b])
    assert listed.index.tolist() == [1, 2] and listed["recipients"].tolist() == [2, 4]
    one = analysis.compare_campaigns(pd.concat([a, b], ignore_index=True))
    assert one["delivered"].tolist() == [1, 3]
    with pytest.raises(ValidationError):
        analysis.compare_campaigns("nope")


def test_realistic_report_is_consistent_across_functions():
    r = realistic_report()
    total = analysis.summarize(r, by=None).loc["all"]
    assert total["recipients"] == 3100
    per = analysis.summarize(r)
    assert per["recipients"].tolist() == [900, 1100, 700, 400]
    assert per["delivered"].sum() == total["delivered"]
    assert analysis.by_country(r)["recipients"].sum() == 3100
    assert analysis.by_hour(r)["deliveries"].sum() == total["delivered"]
    fails = analysis.failure_reasons(r)["count"].sum()
    assert fails == total["recipients"] - total["delivered"] - total["pending"]


# ------------------------------------------------------------- properties
CODES = [1, 2, 4, 8, 9, 10, 13, 14, 15, 16, 17, 20, 21, 22, 24, 27, 29, 31, 32, 99, None]


@st.composite
def report_frames(draw):
    n = draw(st.integers(0, 40))
    rows = []
    for _ in range(n):
        code = draw(st.sampled_from(CODES))
        row = {"campaign": draw(st.integers(1, 3)), "code": code}
        if code in (16, 17, 21):
            row["delivered_at"] = f"{D} 10:{draw(st.integers(0, 59)):02d}:00"
            if draw(st.booleans()):
                row["track_1_at"] = f"{D} 11:{draw(st.integers(0, 59)):02d}:00"
                row["track_1_clicks"] = draw(st.integers(1, 5))
        rows.append(row)
    return make_report(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_frames(), st.sampled_from(["campaign_id", None]))
def test_summarize_counts_add_up_and_rates_are_shares(frame, by):
    out = analysis.summarize(frame, by=by)
    parts = ["delivered", "pending", "undelivered", "invalid", "blocked", "not_sent", "unknown"]
    assert (out[parts].sum(axis=1) == out["recipients"]).all()
    assert out["recipients"].sum() == len(frame)
    assert (out["delivered"] <= out["sent"]).all() and (out["sent"] <= out["recipients"]).all()
    assert (out["clicked"] <= out["delivered"]).all()
    for rate in ("delivery_rate", "click_rate", "stop_rate"):
        values = out[rate].dropna()
        assert ((values >= 0) & (values <= 1)).all()
    assert (out["deliver_time_median"].dropna() >= pd.Timedelta(0)).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_frames())
def test_breakdowns_cover_every_row(frame):
    groups = analysis.status_breakdown(frame, level="group")
    codes = analysis.status_breakdown(frame)
    assert groups["count"].sum() == len(frame) == codes["count"].sum()
    if len(frame):
        assert groups["share"].sum() == pytest.approx(1.0)
    summary = analysis.summarize(frame, by=None)
    failures = analysis.failure_reasons(frame)["count"].sum()
    if len(frame):
        s = summary.iloc[0]
        assert failures == s["recipients"] - s["delivered"] - s["pending"]
    hours = analysis.by_hour(frame)
    assert hours["deliveries"].sum() == int(summary["delivered"].sum())


def test_vectorised_on_many_rows():
    """A 200k-row frame goes through every function (no per-row Python path)."""
    base = realistic_report((500,), seed=3)
    big = pd.concat([base] * 400, ignore_index=True)
    assert analysis.summarize(big)["recipients"].sum() == 200_000
    assert analysis.by_country(big)["recipients"].sum() == 200_000
    assert analysis.by_hour(big)["deliveries"].sum() == 400 * analysis.summarize(base)["delivered"].sum()


# --------------------------------------------------- frames from the parser
def test_on_frames_parsed_from_csv():
    from mfanalytics.reports import parsing as reports

    csv = (
        "REF_LIST;ID_LINE;INT_MOBILE;STATUS_CODE;STATUS_TEXT;DELIVERYDATE;REPLY;TRACK_1;TRACK_1_COUNTER;AGENCE\n"
        "l.csv;1;+33612345678;16;Délivré;02/03/2026 10:01:00;;02/03/2026 10:30:00;2;Lyon\n"
        "l.csv;2;+33612345679;17;Délivré + STOP demandé;02/03/2026 10:03:00;STOP;;;Lyon\n"
        "l.csv;3;+32470123456;29;Numéro non attribué;02/03/2026 10:04:00;;;;Paris\n"
        "l.csv;4;+33612345670;14;Destinataire dans votre blacklist;;;;;Paris\n"
        "l.csv;5;+33612345671;2;Numéro mal formaté;;;;;Paris\n"
    )
    frame = reports.parse_report(csv, campaign_id=7)
    s = analysis.summarize(frame).loc[7]
    assert [s[k] for k in ("recipients", "sent", "delivered", "invalid", "blocked", "stops", "clicked", "clicks")] == [
        5,
        3,
        2,
        2,
        1,
        1,
        1,
        2,
    ]
    assert s["delivery_rate"] == pytest.approx(2 / 3)
    assert s["deliver_time_median"] == pd.Timedelta(minutes=1)  # 0 and 2 min after the first delivery
    assert s["click_time_median"] == pd.Timedelta(minutes=29)
    assert analysis.by_country(frame)["recipients"].to_dict() == {"FR": 4, "BE": 1}
    assert analysis.failure_reasons(frame)["status_code"].tolist() == [2, 14, 29]
    assert analysis.summarize(frame, by="AGENCE")["recipients"].to_dict() == {"Lyon": 2, "Paris": 3}
    assert analysis.by_hour(frame).loc[(0, 10), "deliveries"] == 2


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.sampled_from([16, 21, 20, 14, 24, 2, 99, 5000]), st.none()), min_size=1, max_size=60))
def test_status_breakdown_by_code_counts_as_pandas_groupby(codes):
    """The counts per (group, code) of one histogram, against pandas' groupby of the rows (codes
    missing, unknown to the guide, and past the histogram's width included)."""
    from mfanalytics.analysis import statuses
    from mfanalytics.analysis.facts import facts_of

    frame = make_report([{"code": c} for c in codes])
    facts = facts_of(frame)
    want = (
        pd.DataFrame({"code": pd.array(facts.codes, dtype="Float64"), "g": facts.group_index})
        .groupby(["g", "code"], dropna=False)
        .size()
        .rename("count")
        .reset_index()
    )
    got = statuses._code_counts(facts.codes, facts.group_index)
    key = ["g", "code"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True), want.sort_values(key).reset_index(drop=True), check_dtype=False
    )
    assert got["code"].dtype == "Float64" and got["count"].dtype == "int64"
    table = analysis.status_breakdown(frame)
    assert table["count"].sum() == len(codes)
    assert table["status_code"].isna().sum() == (1 if None in codes else 0)


def test_an_empty_report_is_summarised_even_as_the_first_frame_of_its_shape(monkeypatch):
    """A report with a header and no line (a campaign not sent yet), read before any other frame of
    its columns: its campaigns' table has no row, and its query is built from it (the kept SQL of
    the frames' shapes emptied, as in a fresh process)."""
    from mfanalytics.analysis import facts
    from mfanalytics.analysis.cost import cost_breakdown
    from mfanalytics.reports.parsing import parse_report

    head = (Path(__file__).parents[1] / "data" / "reports" / "semicolon_utf8.csv").read_bytes().split(b"\n")[0]
    report = parse_report(head + b"\n")
    assert len(report) == 0
    monkeypatch.setattr(facts, "_QUERIES", {})
    assert analysis.summarize(report).empty
    assert analysis.summarize(report, by=None).empty
    assert cost_breakdown(report).table.empty
