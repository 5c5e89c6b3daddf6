"""The sandbox's simulation, clock, accounts and report helpers, without HTTP."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfanalytics.errors import ValidationError
from mfanalytics.sandbox import engine
from mfanalytics.sandbox.auth import Accounts
from mfanalytics.sandbox.clock import SimClock
from mfanalytics.sandbox.reports import paris_strings, parse_fiql, parse_period
from mfanalytics.sandbox.views import short_link

FINAL_CODES = {16, 21, 17, 20, 25, 22, 29, 30, 13, 27, 32, 26}
# the order in which a recipient's status moves (10 and 28 are one stage)
STAGE = {1: 0, 9: 1, 24: 2, 10: 3, 28: 3, 31: 4}


def _sim(numbers, n_tracks=2, preview=True, seed=0, cid=1):
    return engine.simulate(
        np.array(numbers, dtype=object), seed=seed, campaign_id=cid, n_tracks=n_tracks, preview=preview
    )


def _random_numbers(n, seed=0):
    rng = np.random.default_rng(seed)
    return np.array([f"+3361{x:07d}" for x in rng.integers(0, 10**7, n)], dtype=object)


# -- a long campaign is simulated in blocks --------------------------------------
def test_a_campaign_longer_than_a_block_is_simulated_in_blocks_that_keep_every_row_in_its_place(monkeypatch):
    import pandas as pd

    numbers = _random_numbers(300, seed=3)
    numbers[[70, 200, 299]] = ["+33639980016", "+33639980029", "+33639980117"]  # magic, in later blocks
    whole = _sim(numbers, seed=5, cid=9)
    monkeypatch.setattr(engine, "_BLOCK", 64)
    blocks = _sim(numbers, seed=5, cid=9)
    assert {k: (v.dtype, len(v)) for k, v in blocks.items()} == {k: (v.dtype, len(v)) for k, v in whole.items()}
    for key, value in _sim(numbers, seed=5, cid=9).items():  # replays identically
        np.testing.assert_array_equal(value, blocks[key])
    series = engine.simulate(pd.Series(numbers, dtype="string"), seed=5, campaign_id=9, n_tracks=2, preview=True)
    for key, value in series.items():  # the campaign's Arrow strings give the same draws
        np.testing.assert_array_equal(value, blocks[key])
    # each row is handed over at its own place in the campaign's send order, not its block's
    send = np.arange(300) / engine.THROUGHPUT
    assert (blocks["t9"] >= send.astype(np.float32)).all()
    assert (blocks["tfinal"] >= blocks["t9"]).all()
    # the magic numbers of later blocks keep their documented timelines
    lone = {cc: _sim([number]) for cc, number in ((16, "+33639980016"), (29, "+33639980029"), (17, "+33639980117"))}
    for row, cc in ((70, 16), (200, 29), (299, 17)):
        for t in (0.5, 1.5, 2.5, 3.5, 29.9, 30.0, 10**6):
            assert engine.current_codes(blocks, t)[row] == engine.current_codes(lone[cc], t)[0], (row, t)
    # a campaign of one block draws what it drew before there were blocks
    monkeypatch.setattr(engine, "_BLOCK", 300)
    for key, value in _sim(numbers, seed=5, cid=9).items():
        np.testing.assert_array_equal(value, whole[key])


# -- magic numbers: the documented timeline -------------------------------------
@pytest.mark.parametrize("cc", sorted(engine.MAGIC_FINAL_CODES - {12, 17, 22, 23, 31}))
def test_magic_final_code_at_30_seconds(cc):
    sim = _sim([f"+336399800{cc:02d}"])
    timeline = [(0.5, 1), (1.5, 9), (2.5, 24), (3.5, 10), (29.9, 10), (30.0, cc), (10**6, cc)]
    assert [(t, int(engine.current_codes(sim, t)[0])) for t, _ in timeline] == timeline


@pytest.mark.parametrize("cc", [12, 23])
def test_magic_12_and_23_end_before_the_operator(cc):
    # 12 processing error and 23 deleted before sending: 1 -> 9 at +1 s -> final at +2 s, never 24 (sent) or 10
    sim = _sim([f"+336399800{cc:02d}"])
    timeline = [(0.5, 1), (1.5, 9), (1.99, 9), (2.0, cc), (3.5, cc), (10**6, cc)]
    assert [(t, int(engine.current_codes(sim, t)[0])) for t, _ in timeline] == timeline
    assert engine.status_times(sim, 5.0).tolist() == [2.0]


def test_magic_31_is_delivered_after_an_hour_and_22_expires_at_48_hours():
    sim = _sim(["+33639980031", "+33639980022"])
    assert engine.current_codes(sim, 4.9).tolist() == [10, 10]
    assert engine.current_codes(sim, 5.0).tolist() == [31, 31]
    assert engine.current_codes(sim, 3599).tolist() == [31, 31]
    assert engine.current_codes(sim, 3600).tolist() == [16, 31]
    assert engine.current_codes(sim, 48 * 3600 - 1).tolist() == [16, 31]
    assert engine.current_codes(sim, 48 * 3600).tolist() == [16, 22]


def test_magic_17_delivered_then_stop_at_60_seconds():
    sim = _sim(["+33639980017"])
    assert int(engine.current_codes(sim, 30)[0]) == 16 and int(engine.reply_state(sim, 59)[0]) == 0
    assert int(engine.current_codes(sim, 60)[0]) == 17
    assert engine.REPLY_TEXTS[int(engine.reply_state(sim, 60)[0])] == "STOP"


@pytest.mark.parametrize("cd", ["00", "01", "99", "14"])
def test_magic_other_last_digits_mean_delivered(cd):
    assert int(engine.current_codes(_sim([f"+336399800{cd}"]), 30)[0]) == 16


def test_magic_clicker_previews_and_clicks_every_link():
    sim = _sim(["+33639980142"], n_tracks=3)
    assert engine.preview_state(sim, 59)[1].tolist() == [0]
    assert engine.preview_state(sim, 60)[1].tolist() == [1]
    for k in (1, 2, 3):
        t, n = engine.click_state(sim, k, 60 + 60 * k - 1)
        assert np.isnan(t[0]) and n[0] == 0
        t, n = engine.click_state(sim, k, 60 + 60 * k)
        assert t[0] == 60 + 60 * k and n[0] == 1


def test_magic_e164_forms():
    forms = ["0639980016", "06 39 98 00 16", "+33 6 39 98 00 16", "33639980016", "0033639980016", "06.39.98.00.16"]
    assert engine.magic_e164(forms).tolist() == ["+33639980016"] * len(forms)
    assert engine.magic_e164(["0612345678", "063998001", "", None]).tolist() == [None] * 4


# -- random outcomes ----------------------------------------------------------------
def test_same_seed_same_campaign_same_draws():
    numbers = _random_numbers(500)
    a, b = _sim(numbers, seed=5, cid=9), _sim(numbers, seed=5, cid=9)
    assert all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)
    c = _sim(numbers, seed=5, cid=10)
    assert not np.array_equal(a["tfinal"], c["tfinal"])


def test_outcome_proportions_and_time_order():
    n = 50_000
    sim = _sim(_random_numbers(n, seed=1), n_tracks=2)
    final = engine.current_codes(sim, 10**7)
    assert set(np.unique(final)) <= FINAL_CODES
    delivered = np.isin(final, [16, 21, 17]).mean()
    assert 0.88 < delivered < 0.95  # the platform delivers about 90 %
    assert 0.003 < (final == 17).mean() < 0.01
    assert 0.005 < (final == 22).mean() < 0.02
    assert (
        np.all(sim["t9"] <= sim["t24"]) and np.all(sim["t24"] <= sim["tpost"]) and np.all(sim["tpost"] <= sim["tfinal"])
    )
    expired = final == 22
    send = np.arange(n) / engine.THROUGHPUT
    assert np.allclose(sim["tfinal"][expired], send[expired] + 48 * 3600, atol=0.1)
    lag = sim["tfinal"] - sim["tpost"]
    assert 5 < np.median(lag[~np.isin(final, [22]) & np.isnan(sim["t31"])]) < 60  # seconds to minutes...
    assert np.quantile(lag, 0.99) > 600  # ...with a long tail
    for k in (1, 2):
        t, c = engine.click_state(sim, k, 10**7)
        clicked = c > 0
        assert np.all(np.isin(final[clicked], [16, 21, 17]))
        assert np.all(t[clicked] >= sim["tfinal"][clicked])
    rate1, rate2 = (engine.click_state(sim, 1, 10**7)[1] > 0).mean(), (engine.click_state(sim, 2, 10**7)[1] > 0).mean()
    assert 0.05 < rate1 < 0.2 and rate2 < rate1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 4 * 86400), min_size=2, max_size=6), st.integers(0, 2**31))
def test_status_never_goes_back(times, seed):
    sim = _sim(_random_numbers(300, seed=seed % 1000), seed=seed)
    previous = None
    for t in sorted(times):
        codes = engine.current_codes(sim, t)
        stage = np.array([STAGE.get(int(c), 5) for c in codes])
        if previous is not None:
            assert np.all(stage >= previous)
        previous = stage
    final = engine.current_codes(sim, 10**7)
    assert np.array_equal(engine.current_codes(sim, 10**8), final)


# -- report helpers ---------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(st.integers(0, 4_000_000_000))
def test_paris_strings_match_zoneinfo(seconds):
    expected = datetime.fromtimestamp(seconds, ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y %H:%M:%S")
    assert paris_strings(np.array([seconds + 0.7]))[0] == expected


def test_paris_strings_winter_summer_and_missing():
    winter = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC).timestamp()
    assert paris_strings(np.array([winter, summer, np.nan])).tolist() == [
        "02/03/2026 10:00:00",
        "01/07/2026 14:00:00",
        "",
    ]


def test_parse_period_rules():
    lo, hi = parse_period("2026-03-25", "2026-03-28")
    assert datetime.fromtimestamp(lo, ZoneInfo("Europe/Paris")).isoformat() == "2026-03-25T00:00:00+01:00"
    assert (
        datetime.fromtimestamp(hi, ZoneInfo("Europe/Paris")).isoformat() == "2026-03-29T00:00:00+01:00"
    )  # end of the 28th (summer time starts at 02:00)
    lo, hi = parse_period("2026-03-02 10:30", None)
    assert hi - lo == 7 * 86400
    with pytest.raises(ValidationError, match="7"):
        parse_period("2026-03-02", "2026-03-09")
    with pytest.raises(ValidationError):
        parse_period("02/03/2026", None)
    with pytest.raises(ValidationError):
        parse_period("2026-03-05", "2026-03-02")
    with pytest.raises(ValidationError):
        parse_period(None, None)


def test_parse_fiql_precedence_and_errors():
    assert parse_fiql("fields.REF==DRAFT;fields.REF==value") == [
        [("fields.REF", "==", "DRAFT"), ("fields.REF", "==", "value")]
    ]
    assert parse_fiql("item==1,item==2;status==16") == [
        [("item", "==", "1")],
        [("item", "==", "2"), ("status", "==", "16")],
    ]
    for bad in ("item=1", "color==red", "item==", "(item==1)"):
        with pytest.raises(ValidationError):
            parse_fiql(bad)


def test_short_links_have_the_placeholder_length():
    from mfanalytics.messages.message import TRACK_PLACEHOLDER

    links = {short_link(1001, line, k) for line in range(1, 200) for k in (1, 2)}
    assert len(links) == 398
    assert {len(x) for x in links} == {len(TRACK_PLACEHOLDER)}
    assert all(x.startswith("https://1mf.eu/") for x in links)


# -- clock and accounts ---------------------------------------------------------------
def test_clock_jumps_never_back_and_runs_at_speed():
    clock = SimClock(start="2026-03-02T09:00:00Z", speed=0)
    clock.advance(61)
    assert clock.isoformat() == "2026-03-02T09:01:01Z"
    with pytest.raises(ValueError):
        clock.set("2026-03-02T09:00:00Z")
    with pytest.raises(ValueError):
        clock.advance(-1)
    fast = SimClock(start=0, speed=1000)
    time.sleep(0.05)
    assert fast.now() >= 50  # at least 50 simulated seconds in 0.05 s of wall time


def test_tokens_expire_and_passwords_are_hashed():
    accounts = Accounts()
    account = accounts.add_user("ana", "secret")
    assert "secret" not in repr(account) and "secret" not in str(account.public())
    assert accounts.login("ana", "wrong", now=0) is None
    token = accounts.login("ana", "secret", now=0)
    assert accounts.check_token(token, now=3599.9).name == "ana"
    assert accounts.check_token(token, now=3600) is None
    assert accounts.check_token("forged", now=0) is None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-1, 40) | st.integers(33600000000, 33600000100), st.booleans()), max_size=60),
    st.sampled_from([1 << 16, 4, 1]),
)
def test_repeated_marks_eligible_rows_whose_number_came_on_an_earlier_eligible_row(rows, bucket_rows):
    """Code 4 (duplicate): a seen-set walk in list order is the oracle; ineligible rows neither count nor are
    marked. Small buckets (1 or 4 rows each) make many of them, as a list of millions does."""
    from unittest import mock

    from mfanalytics.sandbox import campaign
    from mfanalytics.sandbox.campaign import _repeated

    numbers = np.array([n for n, _ in rows], dtype=np.int64)
    eligible = np.array([e for _, e in rows], dtype=bool)
    seen: set[int] = set()
    expected = []
    for n, e in rows:
        expected.append(e and n in seen)
        if e:
            seen.add(n)
    with mock.patch.object(campaign, "_BUCKET_ROWS", bucket_rows):
        assert _repeated(numbers, eligible).tolist() == expected


_MAGIC_MIX = st.lists(
    st.sampled_from(
        [
            "06 39 98 00 16",
            "+33639980015",
            "0033 6 39 98 00 19",
            "0639980099",
            "06 12 34 56 78",
            "0692123456",
            "",
            "  ",
            "n/a",
            "1" * 25,
            "+33 1 42 68 53 00",
            "tel:+33612345678",
            "0612345678",
        ]
    ),
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(_MAGIC_MIX)
def test_fiction_numbers_are_valid_french_mobiles_and_the_rest_is_normalize_mobiles(values):
    """normalize_numbers: phonenumbers' answer (normalize_mobiles) row by row, except the magic range,
    which is a valid FR mobile; and the list analysis reads the compact form as it reads the frame."""
    import pandas as pd

    from mfanalytics.lists.cleaning import analyze_list
    from mfanalytics.lists.phones import normalize_mobiles
    from mfanalytics.sandbox.campaign import normalize_numbers, normalized_numbers

    got = normalize_numbers(values)
    plain = normalize_mobiles(values)
    magic = engine.magic_e164(values)
    for i, value in enumerate(values):
        row = got.iloc[i]
        if magic[i] is not None and not plain["mobile_valid"].iloc[i]:
            assert (row["mobile_e164"], row["mobile_valid"], row["mobile_country"]) == (magic[i], True, "FR"), value
            assert pd.isna(row["mobile_issue"])
        else:
            assert row.equals(plain.iloc[i]), value
    frame = pd.DataFrame({"mobile": pd.array(values, dtype="string"), "NOM": "x"})
    assert analyze_list(frame, normalized=normalized_numbers(frame["mobile"])) == analyze_list(
        frame, normalized=normalize_numbers(frame["mobile"])
    )


def test_normalizing_a_campaigns_recipients_leaves_the_stored_list_as_it_was():
    # campaign.normalize copies the frame shallowly (copy on write): the stored list must not change
    import pandas as pd

    from mfanalytics.sandbox.campaign import frame_from_list, normalize

    stored = pd.DataFrame(
        {
            "mobile": ["0612345678", "0611111111", "bad"],
            "NOM": ["a", "b", "c"],
            "__e164": pd.array(["+33612345678", None, None], dtype="str"),
            "__valid": pd.array([True, None, False], dtype="boolean"),
            "__country": ["FR", "", ""],
        }
    )
    before = stored.copy(deep=True)
    out = normalize(frame_from_list(stored, "mobile", "l"))
    assert out["__valid"].tolist() == [True, True, False]
    assert out["__e164"].tolist()[:2] == ["+33612345678", "+33611111111"]
    out.loc[0, "NOM"] = "changed"
    pd.testing.assert_frame_equal(stored, before)
    whole = stored.assign(__valid=pd.array([True, True, False], dtype="boolean"))
    snapshot = whole.copy(deep=True)
    done = normalize(frame_from_list(whole, "mobile", "l"))  # nothing to do: only __valid as bool
    assert done["__valid"].dtype == bool
    pd.testing.assert_frame_equal(whole, snapshot)
