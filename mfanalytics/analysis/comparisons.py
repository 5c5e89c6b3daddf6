"""Comparisons that hold: every pair of groups tested, Holm-corrected; sample sizes.

:func:`compare_rates` compares a rate (delivery, click or STOP, with the
bases of :data:`mfanalytics.analysis.intervals.RATES`) between every pair of
groups (campaigns, countries, hours, message variants, any column of the
list) with the two-proportion z-test of statsmodels, and corrects the
p-values for the number of pairs with Holm's method
(``statsmodels.stats.multitest.multipletests(method="holm")``): with ten
campaigns there are 45 pairs, and at 5 % two of them would look "significant"
by chance alone. :func:`sample_size` says how many recipients each arm of a
test needs (``statsmodels.stats.power.NormalIndPower``).

Examples
--------
>>> from mfanalytics.analysis.comparisons import compare_rates, sample_size
>>> sample_size(0.03, 0.20)  # 3 % click rate, to detect +20 % (3.6 %)
13887
>>> pairs = compare_rates(week, "campaign_id", metric="delivery_rate")
>>> len(pairs)  # 7 campaigns: 21 pairs
21
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.analysis.facts import ReportFacts, facts_of, require
from mfanalytics.analysis.intervals import RATES, add_intervals
from mfanalytics.analysis.kpis import aggregate, summarize
from mfanalytics.errors import ValidationError

__all__ = ["compare_rates", "group_counts", "groupers_of", "sample_size", "PAIR_COLUMNS"]

#: Columns of :func:`compare_rates`, in order.
PAIR_COLUMNS: tuple[str, ...] = (
    "group_a",
    "group_b",
    "successes_a",
    "base_a",
    "rate_a",
    "successes_b",
    "base_b",
    "rate_b",
    "difference",
    "difference_low",
    "difference_high",
    "p_value",
    "p_holm",
    "significant",
    "verdict",
)


def groupers_of(facts: ReportFacts, by: str | Sequence[str], send_times: Any = None) -> list[pd.Series]:
    """The Series to group the rows of ``facts`` by: columns of the frame, or
    ``"country"`` (of the mobile number) and ``"hour"`` / ``"weekday"`` (of the
    campaign's send time, Paris) when the frame has no column of that name."""
    keys = [by] if isinstance(by, str) else list(by)
    if not keys:
        raise ValidationError("by must name at least one column", rule="by", field="by")
    frame, out = facts.frame, []
    for key in keys:
        if key in frame.columns:
            out.append(frame[key])
        elif key == "country":
            out.append(facts.country.rename("country"))
        elif key in ("hour", "weekday"):
            t0 = facts.t0(send_times)
            out.append((t0.dt.hour if key == "hour" else t0.dt.day_of_week).astype("Int64").rename(key))
        else:
            require(frame, [key])
    return out


def group_counts(
    report: pd.DataFrame | ReportFacts, by: str | Sequence[str], *, send_times: Any = None
) -> pd.DataFrame:
    """The KPI counts and rates of :func:`mfanalytics.summarize` per group of ``by``
    (see :func:`groupers_of`), with the Wilson intervals of every rate."""
    facts = facts_of(report)
    keys = [by] if isinstance(by, str) else list(by)
    if keys and all(k in facts.columns for k in keys):  # columns of the frame: summarize's table, kept in the facts
        return add_intervals(summarize(facts, by=keys, send_times=send_times))
    return add_intervals(aggregate(facts, groupers_of(facts, by, send_times), None, send_times))


def _label(key: Any) -> str:
    return " / ".join(map(str, key)) if isinstance(key, tuple) else str(key)


def _verdicts(out: pd.DataFrame, metric: str, alpha: float) -> pd.Series:
    """The plain-words verdict of every pair (vectorised: one string per pair, no loop over rows)."""
    pct = f"{alpha * 100:g} %"
    p = pd.Series([f"{v:.3g}" for v in out["p_holm"].to_numpy()], index=out.index, dtype="string")
    a_higher = out["difference"] > 0
    higher = out["group_a"].where(a_higher, out["group_b"]).astype("string")
    lower = out["group_b"].where(a_higher, out["group_a"]).astype("string")
    significant = f"significant at {pct} (Holm-corrected p = " + p + "): " + higher + " is higher than " + lower
    not_significant = f"not significant at {pct} (Holm-corrected p = " + p + "): the data do not show a difference"
    no_base = (out["base_a"] == 0) | (out["base_b"] == 0)
    untested = pd.Series(
        np.where(
            no_base,
            f"no test: one group has no base for the {metric}",
            "no test: the rate is the same 0 % or 100 % in both groups",
        ),
        index=out.index,
        dtype="string",
    )
    verdict = not_significant.where(~out["significant"], significant)
    return verdict.where(out["p_holm"].notna(), untested)


def compare_rates(
    report: pd.DataFrame | ReportFacts,
    by: str | Sequence[str],
    *,
    metric: str = "click_rate",
    alpha: float = 0.05,
    send_times: Any = None,
) -> pd.DataFrame:
    """Test a rate between every pair of groups, with Holm's correction.

    Parameters
    ----------
    report : pandas.DataFrame
        A report frame (or its facts).
    by : str or list of str
        What defines the groups: ``"campaign_id"``, ``"country"``, ``"hour"``
        (of the send, Paris), a message variant or any column of the list.
    metric : {"click_rate", "delivery_rate", "stop_rate", "delivery_rate_of_recipients"}
        The rate; its successes and base are those of
        :data:`mfanalytics.analysis.intervals.RATES` (clicks of delivered
        messages with a link, delivered of sent, STOP of delivered...).
    alpha : float
        The significance level (and 1 - the confidence of the intervals).
    send_times
        As in :func:`mfanalytics.summarize` (for ``by="hour"``).

    Returns
    -------
    pandas.DataFrame
        One row per pair (``group_a`` < ``group_b`` in the groups' order),
        :data:`PAIR_COLUMNS`: the counts and rates of both groups,
        ``difference`` (``rate_a - rate_b``) and its interval
        (``statsmodels.stats.proportion.confint_proportions_2indep``, Newcombe's
        method, built on Wilson intervals), ``p_value`` of the two-sided
        pooled two-proportion z-test (the value of ``proportions_ztest``,
        computed for all pairs at once as ``test_proportions_2indep(method="score",
        correction=False)``), ``p_holm`` (Holm's
        correction over all the pairs tested), ``significant``
        (``p_holm < alpha``) and a plain-words ``verdict``. Pairs where a group
        has no base, or both rates are 0 % or both 100 %, are not tested
        (NaN p-values) and do not count in the correction.

    Examples
    --------
    >>> pairs = compare_rates(week, "campaign_id", metric="click_rate")
    >>> bool((pairs["p_holm"] >= pairs["p_value"]).all())
    True
    """
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

    if metric not in RATES:
        raise ValidationError(f"metric must be one of {sorted(RATES)}, not {metric!r}", rule="metric", field="metric")
    if not 0 < alpha < 1:
        raise ValidationError(f"alpha must be between 0 and 1, not {alpha!r}", rule="alpha", field="alpha")
    num, den = RATES[metric]
    table = group_counts(report, by, send_times=send_times)
    labels = [_label(k) for k in table.index]
    ia, ib = np.triu_indices(len(table), k=1)  # every pair of groups, in the groups' order (vectorised)
    k = table[num].to_numpy(dtype="float64")
    n = table[den].to_numpy(dtype="float64")
    sa, na, sb, nb = k[ia], n[ia], k[ib], n[ib]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        rate_a, rate_b = np.where(na > 0, sa / na, np.nan), np.where(nb > 0, sb / nb, np.nan)
        both = (na > 0) & (nb > 0)
        pooled = np.where(both, (sa + sb) / np.where(both, na + nb, 1), np.nan)
        testable = both & (pooled > 0) & (pooled < 1)
        low, high, p = (np.full(len(ia), np.nan) for _ in range(3))
        if both.any():
            low[both], high[both] = confint_proportions_2indep(
                sa[both], na[both], sb[both], nb[both], method="newcombe", compare="diff", alpha=alpha
            )
        if testable.any():
            # the score test of the difference without correction is the pooled two-proportion z-test
            # (proportions_ztest), vectorised over the pairs
            p[testable] = test_proportions_2indep(
                sa[testable], na[testable], sb[testable], nb[testable], method="score", compare="diff", correction=False
            ).pvalue
    out = pd.DataFrame(
        {
            "group_a": [labels[x] for x in ia],
            "group_b": [labels[x] for x in ib],
            "successes_a": sa.astype(np.int64),
            "base_a": na.astype(np.int64),
            "rate_a": rate_a,
            "successes_b": sb.astype(np.int64),
            "base_b": nb.astype(np.int64),
            "rate_b": rate_b,
            "difference": rate_a - rate_b,
            "difference_low": low,
            "difference_high": high,
            "p_value": p,
        },
        columns=list(PAIR_COLUMNS[:12]),
    )
    out["p_holm"] = np.nan
    tested = out["p_value"].notna().to_numpy()
    if tested.any():
        out.loc[tested, "p_holm"] = multipletests(out.loc[tested, "p_value"].to_numpy(), alpha=alpha, method="holm")[1]
    out["significant"] = (out["p_holm"] < alpha).astype(bool)
    out["verdict"] = _verdicts(out, metric, alpha)
    return out.astype({"verdict": "string", "group_a": "string", "group_b": "string"})


def sample_size(baseline: float, lift: float, *, power: float = 0.8, alpha: float = 0.05, relative: bool = True) -> int:
    """Recipients per arm to detect a change of a rate with a two-arm test.

    Solved with ``statsmodels.stats.power.NormalIndPower().solve_power`` on
    Cohen's effect size ``statsmodels.stats.proportion.proportion_effectsize(
    target, baseline)`` (two-sided test, equal arms), rounded up.

    Parameters
    ----------
    baseline : float
        The rate today, in (0, 1) (e.g. 0.03 for a 3 % click rate).
    lift : float
        The change to detect: relative by default (0.2 = +20 %, a target of
        ``baseline * 1.2``), absolute with ``relative=False`` (0.006 = +0.6
        points).
    power : float
        Chance of detecting the lift when it is real.
    alpha : float
        Significance level of the test.

    Returns
    -------
    int
        Recipients in each arm (the test needs twice that).

    Examples
    --------
    >>> sample_size(0.10, 0.02, relative=False)  # 10 % -> 12 %
    3835
    """
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    for name, value in (("baseline", baseline), ("power", power), ("alpha", alpha)):
        if not 0 < float(value) < 1:
            raise ValidationError(f"{name} must be between 0 and 1 (exclusive), not {value!r}", rule=name, field=name)
    target = baseline * (1 + lift) if relative else baseline + lift
    if not 0 < target < 1 or target == baseline:
        raise ValidationError(
            f"the target rate {target!r} (baseline {baseline!r} with a lift of {lift!r}) must differ from the "
            "baseline and be between 0 and 1",
            rule="lift",
            field="lift",
        )
    effect = abs(float(proportion_effectsize(target, baseline)))
    n = NormalIndPower().solve_power(effect_size=effect, power=power, alpha=alpha, ratio=1.0, alternative="two-sided")
    return math.ceil(float(np.asarray(n).item()))
