"""The base URL's rules (mfanalytics.api.urls) and URLs shown without their secrets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mfanalytics import errors
from mfanalytics.api.urls import check_base_url, is_loopback_host, shown_url


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "api.localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]"])
def test_loopback_hosts(host):
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["example.com", "10.0.0.1", "192.168.1.1", "localhost.example.com", "", None, "::2"])
def test_hosts_that_are_not_loopback(host):
    assert not is_loopback_host(host)


@pytest.mark.parametrize(
    "url, rule",
    [
        ("ftp://app.mediasflow.com", "base-url"),
        ("app.mediasflow.com/api/v1", "base-url"),
        ("https://ana:pw@app.mediasflow.com/api/v1", "url-credentials"),
        ("http://app.mediasflow.com/api/v1", "insecure-http"),
    ],
)
def test_each_refusal_names_its_rule(url, rule):
    with pytest.raises(errors.ValidationError) as info:
        check_base_url(url)
    assert info.value.rule == rule and info.value.field == "base_url"
    assert "pw" not in str(info.value)


def test_plain_http_off_loopback_needs_the_opt_in():
    assert check_base_url("http://lan-host:8080/api/v1/", allow_insecure_http=True) == "http://lan-host:8080/api/v1"


@given(
    user=st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=12),
    secret=st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=8, max_size=20),
)
def test_a_shown_url_keeps_no_userinfo_query_or_fragment(user, secret):
    shown = shown_url(f"https://{user}:{secret}@app.mediasflow.com/api/v1/blacklist?token={secret}#{secret}")
    assert shown == "https://app.mediasflow.com/api/v1/blacklist"
