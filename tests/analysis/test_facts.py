"""The per-row facts (mfanalytics.analysis.facts): built once per report, KPIs equal to pandas by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfanalytics.analysis import facts, html_report, plots, trends
from mfanalytics.analysis import kpis as analysis
from mfanalytics.analysis.facts import ReportFacts, facts_of
from mfanalytics.errors import ValidationError

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
from report_frames import make_report, realistic_report

D = "2026-03-02"
CODES = [16, 21, 17, 20, 22, 31, 29, 2, 13, 27, 14, 4, 8, 24, 1, 99, 5, None]


# ------------------------------------------------------------ the oracle
def by_hand(frame: pd.DataFrame) -> pd.DataFrame:
    """summarize(frame) (by campaign_id) written again with plain pandas expressions,
    from the definitions of the analysis module docstring (not from its code)."""
    g = frame["status_group"].astype("object").fillna("unknown")
    code = frame["status_code"].astype("float64")
    delivered = g.isin(["delivered", "delivered_stop"])
    sent = ~g.isin(["not_sent", "blocked"]) & (code != 2)
    tracked = frame["clicked"].notna()
    trace = (
        frame["clicked"].fillna(False).astype(bool)
        | frame["first_click_at"].notna()
        | frame["preview_at"].notna()
        | (frame["preview_count"].fillna(0) > 0)
        | (frame["clicks"].fillna(0) > 0)
        | frame["track_1_at"].notna()
        | (frame["track_1_clicks"].fillna(0) > 0)
    )
    campaign = frame["campaign_id"]
    if campaign.nunique() > 1:
        link = tracked & trace.groupby(campaign).transform("any")
    else:
        link = tracked
    first = frame["delivered_at"].where(delivered).groupby(campaign).transform("min")
    rows = pd.DataFrame(
        {
            "recipients": 1,
            "sent": sent,
            "delivered": delivered,
            "pending": g.isin(["pending", "in_flight"]),
            "undelivered": g.isin(["undelivered", "rejected"]),
            "invalid": g == "invalid_number",
            "blocked": g == "blocked",
            "not_sent": g == "not_sent",
            "unknown": g == "unknown",
            "stops": frame["is_stop"].fillna(False).astype(bool) | (g == "delivered_stop"),
            "clicked": frame["clicked"].fillna(False).astype(bool) & link,
            "delivered_with_link": delivered & link,
            "clicks": frame["clicks"].fillna(0).astype("int64").where(link, 0),
            "credits": sent,
            "dt": (frame["delivered_at"] - first).dt.total_seconds().where(delivered),
            "ct": (frame["first_click_at"] - first).dt.total_seconds(),
        }
    )
    grouped = rows.groupby(campaign)
    out = grouped[[c for c in rows.columns if c not in ("dt", "ct")]].sum().astype("int64")
    out["delivery_rate"] = out["delivered"] / out["sent"].where(out["sent"] > 0)
    out["stop_rate"] = out["stops"] / out["delivered"].where(out["delivered"] > 0)
    out["click_rate"] = out["clicked"] / out["delivered_with_link"].where(out["delivered_with_link"] > 0)
    for name, col in (("deliver_time", "dt"), ("click_time", "ct")):
        for suffix, q in (("median", 0.5), ("p90", 0.9)):
            out[f"{name}_{suffix}"] = pd.to_timedelta(grouped[col].quantile(q).round(3), unit="s")
    return out


times = st.one_of(
    st.none(),
    st.integers(0, 3 * 86400).map(
        lambda s: (pd.Timestamp(f"{D} 08:00:00") + pd.Timedelta(seconds=s)).strftime("%Y-%m-%d %H:%M:%S")
    ),
)
rows = st.fixed_dictionaries(
    {
        "campaign": st.integers(1, 3),
        "code": st.sampled_from(CODES),
        "delivered_at": times,
        "track_1_at": times,
        "track_1_clicks": st.integers(0, 3),
        "preview_at": st.one_of(st.none(), times),
        "reply": st.sampled_from([None, "STOP", "merci"]),
    }
)


def frames(draw_rows, untracked: bool) -> pd.DataFrame:
    frame = make_report(draw_rows)
    if untracked:  # a report without TRACK columns: no link, no click rate
        frame["clicked"] = pd.array([pd.NA] * len(frame), dtype="boolean")
    return frame


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows, min_size=1, max_size=30), st.booleans())
def test_facts_based_kpis_equal_pandas_by_hand(draw_rows, untracked):
    frame = frames(draw_rows, untracked)
    want = by_hand(frame)
    for data in (frame, facts_of(frame)):
        got = analysis.summarize(data)
        assert list(got.columns) == list(analysis.SUMMARY_COLUMNS)
        assert got.index.tolist() == want.index.tolist()
        for col in analysis.SUMMARY_COLUMNS:
            pd.testing.assert_series_equal(
                got[col], want[col].astype(got[col].dtype), check_names=False, check_index_type=False, obj=col
            )


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows, min_size=1, max_size=30), st.booleans())
def test_every_function_gives_the_same_from_the_frame_and_from_its_facts(draw_rows, untracked):
    frame = frames(draw_rows, untracked)
    f = facts_of(frame)
    for fn in (
        lambda d: analysis.summarize(d, by=None, segments=2),
        analysis.status_breakdown,
        lambda d: analysis.status_breakdown(d, level="group"),
        analysis.failure_reasons,
        analysis.by_country,
        analysis.by_hour,
        analysis.compare_campaigns,
        trends.flag_campaigns,
        trends.daily_rates,
    ):
        pd.testing.assert_frame_equal(fn(f), fn(frame))
    # asked twice, the facts give equal answers (cached summaries are copies)
    first = analysis.summarize(f)
    first.loc[first.index[0], "recipients"] = -1
    pd.testing.assert_frame_equal(analysis.summarize(f), analysis.summarize(frame))


def test_a_sum_of_campaigns_by_hand():
    """Hand-counted: the hypothesis oracle itself checked on a small frame."""
    frame = make_report(
        [
            {
                "campaign": 1,
                "code": 16,
                "delivered_at": f"{D} 10:00:00",
                "track_1_at": f"{D} 10:10:00",
                "track_1_clicks": 2,
            },
            {"campaign": 1, "code": 16, "delivered_at": f"{D} 10:02:00"},
            {"campaign": 1, "code": 2},
            {"campaign": 2, "code": 16, "delivered_at": f"{D} 11:00:00"},
            {"campaign": 2, "code": 8},
        ]
    )
    want = by_hand(frame)
    assert want["sent"].tolist() == [2, 1] and want["delivered_with_link"].tolist() == [2, 0]
    assert want.loc[1, "deliver_time_median"] == pd.Timedelta(minutes=1)
    got = analysis.summarize(frame)
    assert got["sent"].tolist() == [2, 1] and got["delivered_with_link"].tolist() == [2, 0]
    assert np.isnan(got.loc[2, "click_rate"]) and got.loc[1, "click_rate"] == 0.5


# ------------------------------------------------------------ compute once
BUILDERS = ("check_frame", "codes", "kpi_table")  # kpi_table: the one query of the per-row facts


@pytest.fixture
def counted(monkeypatch):
    """Count the calls of every per-row builder of mfanalytics.analysis.facts (and of regions)."""
    calls: dict[str, int] = {}

    def wrap(module, name, label=None):
        original = getattr(module, name)

        def counting(*args, **kwargs):
            key = label or name
            if name == "times":
                key = f"times[{args[1]}]"
            calls[key] = calls.get(key, 0) + 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, counting)

    for name in (*BUILDERS, "times"):
        wrap(facts, name)
    wrap(analysis, "regions")
    return calls


def test_deliverability_report_builds_each_fact_once(counted):
    frame = realistic_report()  # four campaigns, two links, several countries
    html_report.deliverability_report(frame, lang="en", group_by="AGENCE")
    assert counted, "nothing counted: the builders were not reached"
    assert {k: v for k, v in counted.items() if v != 1} == {}
    for name in (*BUILDERS, "times[delivered_at]", "times[first_click_at]", "regions"):
        assert counted.get(name) == 1, name


def test_named_frames_are_combined_once(counted):
    r1, r2 = realistic_report((200,), seed=1), realistic_report((150,), seed=2)
    html_report.deliverability_report({"Soldes": r1, "Rentrée": r2}, lang="en")
    assert {k: v for k, v in counted.items() if v != 1} == {}


def test_a_frame_gets_fresh_facts_every_call():
    """No hidden cache keyed on frames: a frame changed between two calls is read again."""
    frame = make_report([{"code": 16, "delivered_at": f"{D} 10:00:00"}, {"code": 8}])
    assert analysis.summarize(frame, by=None).loc["all", "delivered"] == 1
    frame.loc[1, "status_group"] = "delivered"
    assert analysis.summarize(frame, by=None).loc["all", "delivered"] == 2


def test_facts_of_checks_once_and_passes_facts_through():
    frame = make_report([{"code": 16}])
    f = facts_of(frame)
    assert isinstance(f, ReportFacts) and facts_of(f) is f and f.frame is frame and len(f) == 1
    with pytest.raises(ValidationError) as err:
        facts_of([1, 2])
    assert err.value.rule == "not-a-report-frame"
    with pytest.raises(ValidationError) as err:
        analysis.summarize(f, by="AGENCE")
    assert err.value.rule == "missing-column" and err.value.field == "AGENCE"
    with pytest.raises(ValidationError) as err:
        facts_of(frame.drop(columns=["status_code", "status_group"]))
    assert err.value.rule == "missing-column"


def test_plots_draw_the_same_from_facts():
    from matplotlib.figure import Figure

    frame = realistic_report((300, 200), seed=3)
    f = facts_of(frame)
    for draw in (
        plots.plot_status_breakdown,
        plots.plot_funnel,
        plots.plot_click_timeline,
        plots.plot_click_heatmap,
        plots.plot_deliveries_over_time,
        plots.plot_daily_rates,
    ):
        a, b = Figure().add_subplot(), Figure().add_subplot()
        draw(frame, ax=a)
        draw(f, ax=b)
        assert [ln.get_xydata().tolist() for ln in a.lines] == [ln.get_xydata().tolist() for ln in b.lines]
        assert [p.get_height() for p in a.patches] == [p.get_height() for p in b.patches]
        assert [p.get_width() for p in a.patches] == [p.get_width() for p in b.patches]
        assert [im.get_array().tolist() for im in a.images] == [im.get_array().tolist() for im in b.images]


# ------------------------------------------------------------ regions, vectorised
OVERSEAS = [
    "+262692123456",
    "+262639401234",
    "+262269601234",
    "+590690001122",
    "+590590271234",
    "+596696123456",
    "+596596123456",
    "+594694201234",
    "+594594301234",
    "+269639123456",
    "+269773123456",
    "+590590871234",
    "+14165550123",
    "+12125550123",
    "+79161234567",
    "+77011234567",
    "+447911123456",
    "+441481712345",
    "+390612345678",
    "+379066912345",
    "+5999461234",
    "+33612345678",
    "+262",
    "+5901",
]


def test_regions_of_overseas_numbers_match_phonenumbers_without_parsing_each(monkeypatch):
    import phonenumbers

    def reference(v):
        try:
            return phonenumbers.region_code_for_number(phonenumbers.parse(v)) or "ZZ"
        except phonenumbers.NumberParseException:
            return "ZZ"

    want = [reference(v) for v in OVERSEAS]
    calls = []
    parse = phonenumbers.parse
    monkeypatch.setattr(phonenumbers, "parse", lambda *a, **k: calls.append(a) or parse(*a, **k))
    got = analysis.regions(pd.Series(OVERSEAS * 50, dtype="string")).tolist()
    assert got == want * 50
    assert {"RE", "YT", "GP", "BL", "MQ", "GF", "KM", "CA", "US", "RU", "KZ", "GG", "IT", "CW"} <= set(want)
    assert len(calls) <= 3  # only the three strings phonenumbers refuses, once per distinct value


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    st.lists(
        st.from_regex(r"\+(1|7|39|44|47|61|212|262|269|290|358|590|594|596|599)[0-9]{4,13}", fullmatch=True),
        min_size=1,
        max_size=25,
    )
)
def test_shared_code_regions_match_phonenumbers(values):
    import phonenumbers

    def reference(v):
        try:
            return phonenumbers.region_code_for_number(phonenumbers.parse(v)) or "ZZ"
        except phonenumbers.NumberParseException:
            return "ZZ"

    assert analysis.regions(pd.Series(values, dtype="string")).tolist() == [reference(v) for v in values]
