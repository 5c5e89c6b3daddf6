"""A period fetch at a whole minute: a send of that very instant (``make soak``, rows family).

The model-based test once called such a line "a row from elsewhere": its oracle
read a fetch with no end as ``[start, now)``. The guide's ``from`` (section 2.4)
is "requête effectuée sur tous les envois effectués depuis le" that date, and a
send made at ``now`` is one of them, so with no end it is in; an explicit end
is exclusive (``[start, end)``, :func:`mfanalytics.api.periods.split_period`).
The oracle here is each campaign's own report, over real HTTP on loopback.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

import mfanalytics


def _lines(frame: pd.DataFrame) -> list[tuple]:
    return sorted(zip(frame["campaign_id"], frame["ref_list"].astype(str), frame["line"]))


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_send_at_the_whole_minute_of_the_fetch_is_in_a_period_with_no_end_and_not_before_an_explicit_end(fmt):
    with mfanalytics.sandbox(seed=0, start="2026-10-27T01:40:30Z") as sb:
        c = sb.client()
        earlier = c.send_campaign("Bonjour", recipients=["0612345601"]).id
        sb.set_clock("2026-10-27T01:41:00Z")  # the failing fetch's instant, a whole minute
        now_id = c.send_campaign("Bonjour", recipients=["0612345603", "0639980020"]).id
        start = sb.now - timedelta(hours=3)
        own = {cid: _lines(c.get_report(cid, format=fmt)) for cid in (earlier, now_id)}
        assert _lines(c.get_reports(start, format=fmt, progress=False)) == sorted(own[earlier] + own[now_id])
        assert _lines(c.get_reports(start, sb.now, format=fmt, progress=False)) == own[earlier]
