"""``mfanalytics.connect()``: the account from the environment, else a local
sandbox with sample campaigns that says it sends no real SMS."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

import mfanalytics
from mfanalytics.connect import connect
from mfanalytics.sandbox.embedded import EmbeddedSandbox

ENV = ("MEDIASFLOW_BASE_URL", "MEDIASFLOW_USERNAME", "MEDIASFLOW_PASSWORD", "MEDIASFLOW_TOKEN")


@pytest.fixture(autouse=True)
def _no_credentials(monkeypatch):
    for key in ENV:
        monkeypatch.delenv(key, raising=False)


def test_public_name_is_the_same_function():
    assert mfanalytics.connect is connect


def test_without_credentials_starts_a_sandbox_with_sample_campaigns(capsys):
    client = connect(days=3, seed=1)
    try:
        out = capsys.readouterr().out
        assert "local sandbox: no real SMS" in out
        assert len([line for line in out.splitlines() if line.strip()]) == 1
        sb = client.sandbox
        assert sb is not None
        assert client.base_url == sb.url
        assert client.base_url.startswith("http://127.0.0.1:")
        # the sample history covers the last 3 days of the sandbox clock
        report = client.get_reports((sb.now - timedelta(days=4)).date(), sb.now, progress=False)
        assert len(report) > 0
        assert report["campaign_id"].nunique() >= 1
        assert report["status_code"].notna().all()
    finally:
        client.close()
    # closing the client stops the sandbox
    with pytest.raises(requests.ConnectionError):
        requests.get(sb.root + "/_sandbox/clock", timeout=2)


def test_quiet_prints_nothing(capsys):
    client = connect(days=0, quiet=True)
    try:
        assert capsys.readouterr().out == ""
        assert client.sandbox is not None
    finally:
        client.close()


def test_days_zero_starts_an_empty_sandbox(capsys):
    with connect(days=0, quiet=True) as client:
        sb = client.sandbox
        report = client.get_reports((sb.now - timedelta(days=6)).date(), sb.now, progress=False)
        assert len(report) == 0


def test_client_can_send_on_the_sandbox(capsys):
    with connect(days=0, quiet=True, speed=0) as client:
        campaign = client.send_campaign("Bonjour", recipients=["0639980016"])
        client.sandbox.advance(600)
        report = client.get_report(campaign.id)
        # DESIGN: magic number +33 6 39 98 00 16 ends in status 16 (delivered)
        assert report["status_code"].tolist() == [16]


def test_with_credentials_uses_the_account_and_starts_no_sandbox(monkeypatch, capsys):
    with EmbeddedSandbox(seed=0, start="2026-03-02T09:00:00Z") as sb:
        sb.add_user("ana", "Sup3r-s3cret-pw!")
        monkeypatch.setenv("MEDIASFLOW_BASE_URL", sb.url)
        monkeypatch.setenv("MEDIASFLOW_USERNAME", "ana")
        monkeypatch.setenv("MEDIASFLOW_PASSWORD", "Sup3r-s3cret-pw!")
        client = connect(days=3)
        try:
            out = capsys.readouterr().out
            assert isinstance(client, mfanalytics.Client)
            assert client.sandbox is None
            assert client.base_url == sb.url
            lines = [line for line in out.splitlines() if line.strip()]
            assert len(lines) == 1 and sb.url in lines[0]  # one notice, naming the server
            assert "Sup3r-s3cret-pw!" not in out + repr(client)  # never the password
            # it really talks to that server
            campaign = client.send_campaign("Bonjour", recipients=["0639980020"])
            sb.advance(600)
            assert client.get_report(campaign.id)["status_code"].tolist() == [20]
        finally:
            client.close()


def test_with_credentials_quiet_prints_nothing(monkeypatch, capsys):
    with EmbeddedSandbox(seed=0, start="2026-03-02T09:00:00Z") as sb:
        monkeypatch.setenv("MEDIASFLOW_BASE_URL", sb.url)
        monkeypatch.setenv("MEDIASFLOW_TOKEN", "some-token")
        client = connect(quiet=True)
        try:
            assert capsys.readouterr().out == ""
            assert client.sandbox is None
            assert client.base_url == sb.url
        finally:
            client.close()


def test_any_single_variable_means_an_account(monkeypatch, capsys):
    # a half-set environment is a mistake to report, not a reason to fall
    # back silently to the sandbox
    monkeypatch.setenv("MEDIASFLOW_BASE_URL", "http://127.0.0.1:9/api/v1")  # loopback only, whatever happens
    monkeypatch.setenv("MEDIASFLOW_USERNAME", "demo")
    with pytest.raises(mfanalytics.ValidationError):
        connect(days=0)
    assert "local sandbox" not in capsys.readouterr().out


def test_plain_http_to_a_remote_host_in_the_environment_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("MEDIASFLOW_BASE_URL", "http://app.mediasflow.com/api/v1")
    monkeypatch.setenv("MEDIASFLOW_USERNAME", "demo")
    monkeypatch.setenv("MEDIASFLOW_PASSWORD", "pw-in-clear-9")
    with pytest.raises(mfanalytics.ValidationError) as info:
        connect(quiet=True)
    assert info.value.rule == "insecure-http"
    assert "pw-in-clear-9" not in str(info.value)
    client = connect(quiet=True, allow_insecure_http=True)  # the explicit opt-in; no request is made
    assert client.base_url == "http://app.mediasflow.com/api/v1"
    client.close()


def test_credentials_in_the_environment_url_are_refused(monkeypatch):
    monkeypatch.setenv("MEDIASFLOW_BASE_URL", "https://demo:pw-in-url-7@app.mediasflow.com/api/v1")
    monkeypatch.setenv("MEDIASFLOW_TOKEN", "t")
    with pytest.raises(mfanalytics.ValidationError) as info:
        connect(quiet=True)
    assert info.value.rule == "url-credentials" and "pw-in-url-7" not in str(info.value)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://127.0.0.1:8000/api", True),
        ("http://127.200.0.1/api", True),
        ("http://[::1]:8/api", True),
        ("http://localhost/api", True),
        ("http://api.localhost/api", True),
        ("http://10.0.0.1/api", False),
        ("http://127.0.0.1.nip.io/api", False),
        ("http://[::ffff:8.8.8.8]/api", False),
        ("https://app.mediasflow.com", False),
    ],
)
def test_loopback_is_exactly_127_8_localhost_and_ipv6_one(url, expected):
    from mfanalytics.connect import _is_loopback

    assert _is_loopback(url) is expected
