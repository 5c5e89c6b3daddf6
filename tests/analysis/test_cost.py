"""cost_breakdown: credits by hand, against the platform's own creditCount (sandbox), UCS-2 and to_gsm7."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mfanalytics
from mfanalytics.analysis.campaign_costs import campaign_costs, messages_by_campaign
from mfanalytics.analysis.cost import cost_breakdown, message_of
from mfanalytics.errors import ValidationError

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
sys.path.insert(0, str(Path(__file__).parent))
from report_frames import make_report
from stats_sandbox import period


def _frame():
    """6 lines: names of 5 letters (x3), 150 letters (x2), and a blacklisted line (not posted)."""
    rows = [{"code": 16, "delivered_at": "2026-03-02 10:00:00", "PRENOM": "Alice"} for _ in range(3)]
    rows += [{"code": 16, "delivered_at": "2026-03-02 10:00:00", "PRENOM": "A" * 150, "reply": "STOP"}]
    rows += [{"code": 20, "PRENOM": "B" * 150}, {"code": 14, "PRENOM": "Alice"}]
    rows[0] |= {"track_1_at": "2026-03-02 10:05:00", "track_1_clicks": 1}
    return make_report(rows, list_columns=("PRENOM",))


def test_credits_by_hand():
    """'Bonjour ' + name: 13 GSM-7 characters = 1 SMS; 158 = 1 SMS; with ', à bientôt' (ô: UCS-2)
    13 + 11 = 24 (1 SMS of 70), 169 (3 SMS of 67)."""
    gsm = cost_breakdown(_frame(), message="Bonjour ${PRENOM}", price_per_sms=0.05, by=None).table.loc["all"]
    assert (gsm["recipients"], gsm["posted"], gsm["credits"]) == (6, 5, 5)
    assert gsm["cost"] == pytest.approx(0.25)
    assert gsm["credits_per_delivered"] == pytest.approx(5 / 4) and gsm["cost_per_click"] == pytest.approx(0.25)
    assert gsm["cost_per_stop"] == pytest.approx(0.25) and gsm["credits_saved"] == 0
    cost = cost_breakdown(_frame(), message="Bonjour ${PRENOM}, à bientôt", by=None)
    row = cost.table.loc["all"]
    assert row["credits"] == 3 * 1 + 2 * 3  # posted: 3 short ones (1 SMS), 2 long ones (3 SMS of 67)
    assert row["credits_gsm7"] == 3 * 1 + 2 * 2  # 'bientot': 169 GSM-7 characters = 2 SMS of 153
    assert row["credits_saved"] == 2
    assert cost.segments.loc["all", [1, 3]].tolist() == [3, 2]
    assert (cost.segments.loc["all", "min"], cost.segments.loc["all", "max"]) == (1, 3)
    assert cost.ucs2[["char", "recipients", "gsm7"]].to_dict("records") == [{"char": "ô", "recipients": 5, "gsm7": "o"}]
    assert cost.ucs2["name"].tolist() == ["LATIN SMALL LETTER O WITH CIRCUMFLEX"]
    assert cost.per_row["credits"].tolist() == [1, 1, 1, 3, 3, 0]


def test_without_a_message_the_segments_option_or_one():
    assert cost_breakdown(_frame(), by=None).table.loc["all", "credits"] == 5
    assert cost_breakdown(_frame(), by=None, segments=2).table.loc["all", "credits"] == 10
    assert np.isnan(cost_breakdown(_frame(), by=None).table.loc["all", "cost"])  # no price
    with pytest.raises(ValidationError):
        cost_breakdown(_frame(), price_per_sms=-1)
    with pytest.raises(ValidationError):
        message_of(42)


def test_matches_count_segments_on_the_texts_rendered_by_hand():
    frame = _frame()
    texts = [f"Bonjour {p} !" for p in frame["PRENOM"]]
    posted = np.array([1, 1, 1, 1, 1, 0])  # the blacklisted line is not posted
    expected = mfanalytics.count_segments(texts)["segments"].to_numpy() * posted
    got = cost_breakdown(frame, message="Bonjour ${PRENOM} !").per_row["credits"].to_numpy()
    assert got.tolist() == expected.tolist()


def test_sandbox_credits_are_the_platform_credit_count():
    """The API's creditCount, counted by the sandbox, for each campaign of two message variants."""
    p = period()
    cost = cost_breakdown(p["report"], message=p["campaigns"], price_per_sms=0.045)
    for cid, campaign in p["campaigns"].items():
        assert cost.table.loc[cid, "credits"] == campaign["creditCount"], cid
        assert cost.table.loc[cid, "posted"] == campaign["countPosted"], cid  # blacklisted lines are not posted
    b = [cid for cid, v in p["variant"].items() if v == "B"]
    assert (cost.table.loc[b, "credits_saved"] > 0).all()  # « » cost UCS-2 for the long names
    assert set(cost.ucs2["char"]) == {"«", "»"} and set(cost.ucs2["gsm7"]) == {'"'}
    assert cost.segments["max"].max() > 1 and cost.segments["min"].min() == 1


# ---------------------------------------------------------------- campaign_costs: a period, on the sandbox
ORACLE = json.loads((Path(__file__).parents[1] / "data" / "segments_oracle.json").read_text("utf-8"))["messages"]
#: Texts of Twilio's calculator that a list cell and a literal message carry unchanged, 1 to 4 SMS.
TEXTS = [
    m
    for m in ORACLE
    if m["text"]
    and "$" not in m["text"]
    and m["text"] == m["text"].strip()
    and not any(ord(c) < 32 for c in m["text"])
    and m["segments"] <= 4
]
#: Magic numbers of the sandbox: +33 6 39 98 01 NN is delivered (and clicks every link), 00 17 replies STOP.
DELIVERED = [f"06399801{n:02d}" for n in range(100)]
STOP = "0639980017"


@pytest.fixture(scope="module")
def sent_period():
    """Four campaigns on a sandbox over loopback, their answers and the period report:
    ``literal`` (one oracle text, 5 delivered + 1 STOP), ``merged`` (``${TXT}``, each recipient an oracle
    text), ``linked`` (a tracked link, hand-counted) and ``forgotten`` (its answer is not given)."""
    from datetime import timedelta

    literal = next(m for m in TEXTS if m["encoding"] == "UCS-2" and m["segments"] == 3)
    merged = [m for m in TEXTS if m["text"] != literal["text"]][::9][:40]
    with mfanalytics.sandbox(seed=5, start="2026-03-03T09:00:00Z") as sb:
        sb.add_user("analyst", "analyst-pass", max_segments=4)
        client = sb.client("analyst", "analyst-pass", max_segments=4)
        send = lambda text, people, **kw: client.send_campaign(  # noqa: E731
            text, recipients=people, type_select="NOTIFICATION", allow_ucs2=True, **kw
        )
        answers = {
            "literal": send(literal["text"], [*DELIVERED[:5], STOP]),
            "merged": send("${TXT}", [{"mobile": n, "TXT": m["text"]} for n, m in zip(DELIVERED, merged)]),
            "linked": send(
                "Offre : ${track_1}",
                DELIVERED[:8],
                tiny_list=[
                    {
                        "type": "REDIRECT",
                        "index": 0,
                        "host": "1mf.eu",
                        "associateToDomain": "1mf.eu",
                        "urlToRedirect": "https://example.com/",
                    }
                ],
            ),
            "forgotten": send("Bonjour, à demain", DELIVERED[:3]),
        }
        sb.advance(6 * 3600)
        report = client.get_reports(sb.now - timedelta(days=1), progress=False)
        client.close()
    return {"answers": answers, "report": report, "literal": literal, "merged": merged}


def test_period_credits_are_twilio_segments_times_posted(sent_period):
    """Twilio's calculator (tests/data/segments_oracle.json), not our counter, gives the segments."""
    a, report = sent_period["answers"], sent_period["report"]
    given = [a["literal"], a["merged"], a["linked"]]
    costs = campaign_costs(report, given, price_per_sms=0.05)
    t = costs.table
    lit, mer, lnk = (a[k].id for k in ("literal", "merged", "linked"))
    assert t.loc[lit, "credits"] == 6 * sent_period["literal"]["segments"] == 18
    assert t.loc[mer, "credits"] == sum(m["segments"] for m in sent_period["merged"])
    assert t.loc[lnk, "credits"] == 8  # 'Offre : ' + a 22-character link: 30 GSM-7 characters, 1 SMS each
    for answer in given:  # and the platform's own count (the sandbox's creditCount)
        assert t.loc[answer.id, "credits"] == answer["creditCount"], answer.id
    assert t.loc[[lit, mer, lnk], "basis"].tolist() == ["exact"] * 3
    assert (t.loc[mer, "segments_min"], t.loc[mer, "segments_max"]) == (
        1,
        max(m["segments"] for m in sent_period["merged"]),
    )
    # what the credits bought
    assert t.loc[lit, "stops"] == 1 and t.loc[lit, "credits_per_stop"] == 18
    assert t.loc[lit, "delivered"] == 6  # the STOP reply came from a delivered SMS (code 17)
    assert t.loc[lit, "credits_per_delivered"] == pytest.approx(18 / 6)
    assert t.loc[lnk, "clicked"] == 8 and t.loc[lnk, "cost_per_click"] == pytest.approx(0.05)
    assert pd.isna(t.loc[mer, "credits_per_click"])  # no link, no click: nothing to divide by
    # the forgotten campaign: unknown, not 0, and left out of the total, which says so
    f = a["forgotten"].id
    assert t.loc[f, "basis"] == "unknown" and pd.isna(t.loc[f, "credits"]) and pd.isna(t.loc[f, "cost"])
    assert t.loc[f, "posted"] == 3
    assert costs.excluded == [f] and costs.total["excluded_posted"] == 3
    known = t.loc[[lit, mer, lnk]]
    assert costs.total["credits"] == known["credits"].sum() and costs.total["campaigns"] == 3
    assert costs.total["delivered"] == known["delivered"].sum()  # the same campaigns on both sides
    assert costs.total["cost_per_delivered"] == pytest.approx(0.05 * known["credits"].sum() / known["delivered"].sum())
    assert not costs.lower_bound


def test_merge_fields_missing_from_the_report_give_a_lower_bound(sent_period):
    a = sent_period["answers"]
    report = sent_period["report"].drop(columns=["TXT"])
    costs = campaign_costs(report, {a["merged"].id: a["merged"], a["literal"].id: a["literal"]["message"]})
    row = costs.table.loc[a["merged"].id]
    assert row["basis"] == "lower bound" and row["missing_fields"] == "TXT"
    assert row["credits"] == 40 <= sum(m["segments"] for m in sent_period["merged"])  # empty: 1 SMS each
    assert costs.lower_bound and costs.total["basis"] == "lower bound"
    assert costs.table.loc[a["literal"].id, "basis"] == "exact"  # a text alone, no field: exact
    assert sorted(costs.excluded) == sorted([a["linked"].id, a["forgotten"].id])


def test_campaigns_are_read_from_answers_or_a_mapping():
    assert messages_by_campaign({"id": 3, "message": "x"}) == {3: {"id": 3, "message": "x"}}
    assert messages_by_campaign({" 4 ": "Salut"}) == {4: "Salut"}
    with pytest.raises(ValidationError) as err:
        messages_by_campaign({"abc": "Salut"})
    assert (err.value.rule, err.value.field) == ("campaign-id", "campaigns")
    with pytest.raises(ValidationError) as err:
        messages_by_campaign(["Salut"])
    assert (err.value.rule, err.value.field) == ("campaign-answer", "campaigns")
    with pytest.raises(ValidationError):
        messages_by_campaign({5: 42})  # not a message


_CHARS = st.sampled_from(list("abcXYZ 019,.!?€[]^{}éèàçÇœ«»ü😀\u00a0"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.text(_CHARS, max_size=200),
    values=st.lists(st.text(_CHARS, max_size=120), min_size=1, max_size=6),
    default=st.text(_CHARS, max_size=40),
    auto=st.booleans(),
)
def test_a_report_without_the_merge_column_never_counts_more(prefix, values, default, auto):
    """Whatever the text, the values and the default: counted without the column, the credits are at most
    those counted from each recipient's value (a lower bound), and the campaign says 'lower bound'."""
    message = {
        "message": prefix + "${PRENOM}",
        "allowUCS2": True,
        "autoREPLACETOGSM7": auto,
        "defaultForHeader": {"PRENOM": default} if default else {},
    }
    frame = make_report([{"code": 16, "PRENOM": v} for v in values], list_columns=("PRENOM",))
    exact = campaign_costs(frame, {1: message}).table.loc[1]
    lower = campaign_costs(frame.drop(columns=["PRENOM"]), {1: message}).table.loc[1]
    assert exact["basis"] == "exact" and lower["basis"] == "lower bound"
    assert lower["credits"] <= exact["credits"]


_CODES = [16, 16, 16, 20, 14, 21, 2, None]


@given(
    st.lists(
        st.tuples(
            st.sampled_from([1, 2, 3, None]),
            st.sampled_from(_CODES),
            st.one_of(st.integers(1, 8), st.integers(1, 5000), st.integers(2**50, 2**52)),
            st.booleans(),
        ),
        min_size=0,
        max_size=40,
    ),
    st.sampled_from(["campaign_id", None, "agency", "number"]),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_tables_equal_pandas_groupby_of_the_rows(rows, by):
    """The per-campaign sums and the spread of segments (histograms of group x segments, with a
    fallback past 1024 segments) against pandas' own groupby sum, value_counts and median over
    the rows, whatever the mix of campaigns (some without an id), statuses, segments (sums past
    2**53 included) and clicks, grouped by the campaign, by nothing, or by a column of Python
    objects (strings, or integers with a None: groupby infers the index's dtype)."""
    frame = make_report(
        [
            {"campaign": c or 9, "code": code, "delivered_at": "2026-03-02 10:00:00" if code == 16 else None}
            | ({"track_1_at": "2026-03-02 10:05:00", "track_1_clicks": 1} if clicked and code == 16 else {})
            for c, code, _, clicked in rows
        ]
    )
    frame["campaign_id"] = pd.array([c for c, *_ in rows], dtype="Int64")
    frame["agency"] = pd.Series([None if c is None else f"A{c}" for c, *_ in rows], index=frame.index, dtype=object)
    frame["number"] = pd.Series([c for c, *_ in rows], index=frame.index, dtype=object)
    segments = pd.Series([s for _, _, s, _ in rows], index=frame.index, dtype="int64")
    cost = cost_breakdown(frame, by=by, segments=segments)
    key = frame[by] if by else pd.Series("all", index=frame.index, name="group")
    facts = mfanalytics.analysis.facts.facts_of(frame)
    posted = np.asarray(facts.sent, dtype=bool)
    ind = facts.indicators
    want = (
        pd.DataFrame(
            {
                "recipients": 1,
                "posted": posted.astype(int),
                "credits": segments.to_numpy() * posted,
                "delivered": np.asarray(ind["delivered"], dtype=int),
                "clicked": np.asarray(ind["clicked"], dtype=int),
                "stops": np.asarray(ind["stops"], dtype=int),
            },
            index=frame.index,
        )
        .groupby(key, dropna=False, sort=True)
        .sum()
    )
    got = cost.table[want.columns]
    pd.testing.assert_frame_equal(got, want.astype(np.int64), check_index_type=True)
    assert (cost.table["posted_no_message"] == cost.table["posted"]).all()
    basis = pd.Series("no message", index=frame.index, dtype="object").astype("category")
    pd.testing.assert_series_equal(cost.per_row["basis"], basis, check_names=False)
    assert (cost.table[["posted_lower_bound", "posted_estimate"]] == 0).all().all()
    seg_posted = segments[posted]
    if not len(seg_posted):
        assert cost.segments.empty
        return
    counts = seg_posted.groupby(key[posted], dropna=False, sort=True).value_counts().unstack(fill_value=0)
    stats = seg_posted.groupby(key[posted], dropna=False, sort=True).agg(["min", "median", "max"])
    want_spread = counts.reindex(columns=sorted(counts.columns)).astype(np.int64).join(stats)
    pd.testing.assert_frame_equal(cost.segments, want_spread, check_names=True, check_column_type=False)
    assert list(cost.segments.columns) == list(want_spread.columns)
