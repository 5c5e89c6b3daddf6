"""compare_rates and sample_size: by hand, against statsmodels, as properties, on the sandbox."""

from __future__ import annotations

import math
import sys
from itertools import combinations
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_effectsize, proportions_ztest

from mfanalytics.analysis.comparisons import compare_rates, group_counts, sample_size
from mfanalytics.errors import ValidationError

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
sys.path.insert(0, str(Path(__file__).parent))
from report_frames import make_report
from stats_sandbox import period


def _frame(delivered_by_group: dict[str, tuple[int, int]]):
    """Rows of campaign 1, list column VARIANT: (delivered, sent) per variant."""
    rows = []
    for variant, (ok, n) in delivered_by_group.items():
        rows += [
            {
                "code": 16 if i < ok else 20,
                "delivered_at": "2026-03-02 10:00:00" if i < ok else None,
                "VARIANT": variant,
            }
            for i in range(n)
        ]
    return make_report(rows, list_columns=("VARIANT",))


def test_two_groups_by_hand():
    """45/50 against 35/50: pooled p = 0.8, z = 0.2 / sqrt(0.8 * 0.2 * (2/50)) = 2.5."""
    out = compare_rates(_frame({"A": (45, 50), "B": (35, 50)}), "VARIANT", metric="delivery_rate")
    assert len(out) == 1
    row = out.iloc[0]
    z = (0.9 - 0.7) / math.sqrt(0.8 * 0.2 * (1 / 50 + 1 / 50))
    assert z == pytest.approx(2.5)
    p = 2 * (1 - NormalDist().cdf(z))
    assert row["difference"] == pytest.approx(0.2)
    assert row["p_value"] == pytest.approx(p) and row["p_holm"] == pytest.approx(p)  # one pair: no correction
    assert row["significant"] and "A is higher than B" in row["verdict"]
    assert row["difference_low"] < 0.2 < row["difference_high"]


def test_against_statsmodels_directly_with_holm_over_every_pair():
    groups = {"A": (45, 50), "B": (35, 50), "C": (40, 50), "D": (44, 50)}
    out = compare_rates(_frame(groups), "VARIANT", metric="delivery_rate")
    pairs = list(combinations(sorted(groups), 2))
    assert list(zip(out["group_a"], out["group_b"])) == pairs
    raw = [proportions_ztest([groups[a][0], groups[b][0]], [groups[a][1], groups[b][1]])[1] for a, b in pairs]
    assert np.allclose(out["p_value"], raw)
    assert np.allclose(out["p_holm"], multipletests(raw, method="holm")[1])
    low, high = confint_proportions_2indep(45, 50, 35, 50, method="newcombe", compare="diff")
    assert (out.iloc[0]["difference_low"], out.iloc[0]["difference_high"]) == pytest.approx((low, high))
    not_sig = out[~out["significant"]]
    assert len(not_sig) and all(v.startswith("not significant at 5 %") for v in not_sig["verdict"])


def test_untestable_pairs_are_said_and_left_out_of_the_correction():
    out = compare_rates(_frame({"A": (50, 50), "B": (50, 50), "C": (10, 50)}), "VARIANT", metric="delivery_rate")
    ab = out[(out["group_a"] == "A") & (out["group_b"] == "B")].iloc[0]
    assert np.isnan(ab["p_value"]) and "same 0 % or 100 %" in ab["verdict"]
    tested = out["p_value"].notna()
    assert np.allclose(out.loc[tested, "p_holm"], multipletests(out.loc[tested, "p_value"], method="holm")[1])


def test_metric_and_alpha_are_checked():
    with pytest.raises(ValidationError) as err:
        compare_rates(_frame({"A": (1, 2)}), "VARIANT", metric="open_rate")
    assert err.value.rule == "metric"
    with pytest.raises(ValidationError):
        compare_rates(_frame({"A": (1, 2)}), "NOPE")


@settings(max_examples=10)  # statsmodels' Holm runs gc.collect() on every call: a few examples, each with many pairs
@given(st.lists(st.integers(1, 40).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))), min_size=2, max_size=6))
def test_holm_p_is_never_below_the_raw_p(groups):
    out = compare_rates(_frame({f"G{i}": g for i, g in enumerate(groups)}), "VARIANT", metric="delivery_rate")
    tested = out["p_value"].notna()
    assert (out.loc[tested, "p_holm"] >= out.loc[tested, "p_value"] - 1e-12).all()
    assert (out.loc[tested, "p_holm"] <= 1).all()
    assert ((out["difference_low"] <= out["difference"] + 1e-12) | out["difference_low"].isna()).all()


def test_sample_size_by_hand_and_by_statsmodels():
    """Cohen's h = 2 asin(sqrt p2) - 2 asin(sqrt p1); per arm n = 2 ((z_(1-a/2) + z_power) / h)^2."""
    h = 2 * math.asin(math.sqrt(0.12)) - 2 * math.asin(math.sqrt(0.10))
    z = NormalDist().inv_cdf(0.975) + NormalDist().inv_cdf(0.8)
    by_hand = 2 * (z / h) ** 2  # ignores the (tiny) other tail that statsmodels counts
    n = sample_size(0.10, 0.02, relative=False)
    assert n == math.ceil(NormalIndPower().solve_power(abs(proportion_effectsize(0.12, 0.10)), power=0.8, alpha=0.05))
    assert abs(n - by_hand) <= 2
    assert sample_size(0.10, 0.20) == n  # +20 % of 10 % is 12 %
    assert sample_size(0.10, 0.02, relative=False, power=0.9) > n


@settings(max_examples=30)
@given(st.floats(0.01, 0.3), st.floats(0.05, 1.0))
def test_sample_size_shrinks_when_the_lift_grows(baseline, lift):
    assert sample_size(baseline, lift * 1.5) <= sample_size(baseline, lift)


def test_sample_size_refuses_what_has_no_answer():
    for args in ((0.0, 0.1), (0.5, 0.0), (0.9, 0.5), (0.1, 0.1, 1.5)):
        with pytest.raises(ValidationError):
            sample_size(*args[:2], power=args[2] if len(args) > 2 else 0.8)


def test_sandbox_variants_countries_and_hours():
    p = period()
    report = p["report"].assign(variant=p["report"]["campaign_id"].map(p["variant"]))
    out = compare_rates(report, "variant", metric="click_rate")
    table = group_counts(report, "variant")
    a, b = table.loc["A"], table.loc["B"]
    expected = proportions_ztest([a["clicked"], b["clicked"]], [a["delivered_with_link"], b["delivered_with_link"]])[1]
    assert out.iloc[0]["p_value"] == pytest.approx(expected)
    assert len(compare_rates(report, "campaign_id", metric="delivery_rate")) == 6
    assert set(group_counts(report, "country").index) == {"FR"}
    hours = group_counts(report, "hour")
    assert hours["recipients"].sum() == len(report) and hours.index.name == "hour"
