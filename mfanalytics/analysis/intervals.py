"""Rates with their uncertainty: Wilson score intervals, from statsmodels.

A rate of 3.1 % from 200 recipients and one of 2.4 % from 20,000 are not
equally sure. :func:`add_intervals` puts next to every rate of a KPI table
(:func:`mfanalytics.compare_campaigns`, :func:`mfanalytics.daily_rates`, any
:func:`mfanalytics.summarize` table) its 95 % Wilson score interval, in the
columns ``<rate>_low`` and ``<rate>_high``, exactly as
``statsmodels.stats.proportion.proportion_confint(count, nobs, method="wilson")``
computes it.

The rates and their bases (:data:`RATES`):

delivery_rate
    ``delivered / sent``: of the messages that left the platform.
delivery_rate_of_recipients
    ``delivered / recipients``: of every line of the list (only when asked for
    with ``rates=``; the base is then in the name, since two bases exist).
click_rate
    ``clicked / delivered_with_link``: clickers of the delivered messages that
    had a link.
stop_rate
    ``stops / delivered``: STOP replies of the delivered messages.

A rate with no base (nothing sent, no delivered message with a link...) is
NaN, and so is its interval; so is the interval of counts that are not a
proportion (more STOP replies than lines the report shows delivered).

Examples
--------
>>> from mfanalytics.analysis.intervals import wilson_interval
>>> low, high = wilson_interval(7, 50)
>>> round(float(low[0]), 4), round(float(high[0]), 4)
(0.0695, 0.2619)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.errors import ValidationError

__all__ = ["RATES", "DEFAULT_RATES", "add_intervals", "wilson_interval"]

#: Each rate's (successes column, base column).
RATES: dict[str, tuple[str, str]] = {
    "delivery_rate": ("delivered", "sent"),
    "delivery_rate_of_recipients": ("delivered", "recipients"),
    "click_rate": ("clicked", "delivered_with_link"),
    "stop_rate": ("stops", "delivered"),
}
#: The rates :func:`add_intervals` adds by default (those of the KPI tables).
DEFAULT_RATES: tuple[str, ...] = ("delivery_rate", "click_rate", "stop_rate")


def wilson_interval(successes: Any, base: Any, *, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of ``successes / base`` (arrays or numbers).

    Computed by ``statsmodels.stats.proportion.proportion_confint(successes,
    base, alpha=alpha, method="wilson")``; NaN where ``base`` is 0 or missing.
    Its floating-point noise at 0 % and 100 % (a lower bound of 3e-17 for 0
    successes, an upper one of 0.9999999999999999 for all) is clipped to the
    rate, so that ``low <= rate <= high`` always holds.

    Parameters
    ----------
    successes, base : int or array-like
        Counts, aligned.
    alpha : float
        1 - confidence level (0.05: 95 %).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The lower and upper bounds, float64.

    Examples
    --------
    >>> low, high = wilson_interval([0, 50], [50, 50])
    >>> [round(float(x), 4) for x in low], [round(float(x), 4) for x in high]
    ([0.0, 0.9287], [0.0713, 1.0])
    """
    from statsmodels.stats.proportion import proportion_confint

    if not 0 < alpha < 1:
        raise ValidationError(f"alpha must be between 0 and 1, not {alpha!r}", rule="alpha", field="alpha")
    count = np.atleast_1d(np.asarray(pd.to_numeric(pd.Series(np.ravel(successes)), errors="coerce"), dtype="float64"))
    nobs = np.atleast_1d(np.asarray(pd.to_numeric(pd.Series(np.ravel(base)), errors="coerce"), dtype="float64"))
    count, nobs = np.broadcast_arrays(count, nobs)
    if ((count < 0) | (count > nobs)).any():
        raise ValidationError(
            "successes must be between 0 and the base for a rate interval", rule="rate-counts", field="successes"
        )
    ok = np.isfinite(count) & np.isfinite(nobs) & (nobs > 0)
    low, high = np.full(count.shape, np.nan), np.full(count.shape, np.nan)
    if ok.any():
        lo, hi = proportion_confint(count[ok], nobs[ok], alpha=alpha, method="wilson")
        rate = count[ok] / nobs[ok]  # the interval holds the rate: floating-point noise at 0 and 1 clipped
        low[ok], high[ok] = np.minimum(lo, rate), np.maximum(hi, rate)
    return low, high


def _spec(rates: Sequence[str] | Mapping[str, tuple[str, str]] | None) -> dict[str, tuple[str, str]]:
    if rates is None:
        return {r: RATES[r] for r in DEFAULT_RATES}
    if isinstance(rates, Mapping):
        return {str(k): (str(v[0]), str(v[1])) for k, v in rates.items()}
    unknown = [r for r in rates if r not in RATES]
    if unknown:
        raise ValidationError(
            f"no known base for the rate(s) {unknown}: give a mapping rate -> (successes, base) instead",
            rule="rate-base",
            field="rates",
        )
    return {r: RATES[r] for r in rates}


def add_intervals(
    frame: pd.DataFrame,
    rates: Sequence[str] | Mapping[str, tuple[str, str]] | None = None,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """``frame`` with the Wilson interval of each rate after it: ``<rate>_low``, ``<rate>_high``.

    Parameters
    ----------
    frame : pandas.DataFrame
        A KPI table holding, for every rate, its successes and base columns
        (:data:`RATES`: ``delivered`` and ``sent`` for ``delivery_rate``,
        ``clicked`` and ``delivered_with_link`` for ``click_rate``, ``stops``
        and ``delivered`` for ``stop_rate``).
    rates : list of str or mapping, optional
        The rates (default :data:`DEFAULT_RATES`, those whose counts the frame
        has), or a mapping ``rate -> (successes column, base column)``. A rate
        column missing from the frame is added (``successes / base``).
    alpha : float
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        A copy, with the two columns placed right after each rate.

    Raises
    ------
    ValidationError
        ``missing-column`` when an asked rate's counts are not in the frame.

    Examples
    --------
    >>> import pandas as pd
    >>> t = add_intervals(pd.DataFrame({"delivered": [7], "sent": [50]}), ["delivery_rate"])
    >>> t.round(4).to_dict("records")
    [{'delivered': 7, 'sent': 50, 'delivery_rate': 0.14, 'delivery_rate_low': 0.0695, 'delivery_rate_high': 0.2619}]
    """
    spec = _spec(rates)
    if rates is None:  # default: the rates whose counts the table has
        spec = {r: c for r, c in spec.items() if c[0] in frame.columns and c[1] in frame.columns}
    out = frame.copy()
    for rate, (num, den) in spec.items():
        for col in (num, den):
            if col not in out.columns:
                raise ValidationError(
                    f"the table has no column {col!r}, needed for the interval of {rate!r} ({num} / {den})",
                    rule="missing-column",
                    field=col,
                )
        if rate not in out.columns:
            n, d = out[num].astype("float64"), out[den].astype("float64")
            out[rate] = (n / d.where(d > 0)).astype("float64")
        k = pd.to_numeric(out[num], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        n = pd.to_numeric(out[den], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)  # type: ignore[assignment]
        # no interval for a NaN rate (e.g. no link: no click rate), nor for counts that are not a
        # proportion (STOP replies on lines the report does not show delivered: stops > delivered)
        proportion = (k >= 0) & (k <= n) & out[rate].notna().to_numpy()
        low, high = np.full(len(out), np.nan), np.full(len(out), np.nan)
        if proportion.any():
            low[proportion], high[proportion] = wilson_interval(k[proportion], n[proportion], alpha=alpha)
        for name in (f"{rate}_low", f"{rate}_high"):
            if name in out.columns:
                out = out.drop(columns=name)
        at = int(list(out.columns).index(rate)) + 1
        out.insert(at, f"{rate}_low", low)
        out.insert(at + 1, f"{rate}_high", high)
    return out
