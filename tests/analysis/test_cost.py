"""cost_breakdown: credits by hand, against the platform's own creditCount (sandbox), UCS-2 and to_gsm7."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import mfanalytics
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
