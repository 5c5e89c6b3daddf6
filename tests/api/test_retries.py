"""The retry decision's numbers (mfanalytics.api.retries): capped exponential backoff with jitter,
and a server's Retry-After honoured only when it is a usable number of seconds."""

from __future__ import annotations

import math

import requests
from hypothesis import given
from hypothesis import strategies as st

from mfanalytics.api.retries import RetryPolicy, SendSafety, retry_after


@given(
    attempt=st.integers(1, 60),
    backoff=st.floats(0.01, 10),
    max_delay=st.floats(0.01, 120),
    jitter=st.floats(0, 1, exclude_max=True),
)
def test_a_delay_is_the_capped_doubling_backoff_less_at_most_half_of_it(attempt, backoff, max_delay, jitter):
    policy = RetryPolicy(backoff=backoff, max_delay=max_delay, random=lambda: jitter)
    ceiling = min(max_delay, backoff * 2 ** (attempt - 1))
    delay = policy.delay(attempt)
    assert ceiling / 2 - 1e-9 <= delay <= ceiling + 1e-9


@given(st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20))
def test_retry_after_is_used_only_when_it_is_a_finite_non_negative_number(value):
    response = requests.Response()
    response.headers["Retry-After"] = str(value)
    got = retry_after(response)
    try:
        expected = float(str(value))
    except ValueError:
        expected = math.nan
    if math.isfinite(expected) and expected >= 0:
        assert got == expected
        assert RetryPolicy(max_delay=30).delay(1, got) == min(expected, 30)
    else:
        assert got is None


def test_no_retry_after_header_is_none_and_the_modes_keep_their_names():
    assert retry_after(requests.Response()) is None
    assert [m.value for m in SendSafety] == ["safe", "confirm-by-409", "never-ambiguous"]
