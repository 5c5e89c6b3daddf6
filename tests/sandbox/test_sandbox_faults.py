"""Fault injection, seen by a plain ``requests`` client."""

from __future__ import annotations

import pytest
import requests

from mfanalytics.sandbox.faults import FaultConfig


def test_faults_are_off_by_default(sb, api):
    assert all(api.get("/blacklist").status_code == 200 for _ in range(20))


@pytest.mark.parametrize("kind,status", [("500", 500), ("503", 503), ("429", 429)])
def test_status_faults_answer_json_errors(sb, api, kind, status):
    sb.set_faults(rate=1, kinds=[kind])
    r = api.get("/blacklist")
    assert r.status_code == status
    assert r.json()["status"] == status and r.json()["message"]
    if status in (429, 503):
        assert r.headers["Retry-After"] == "1"
    sb.set_faults(rate=0)
    assert api.get("/blacklist").status_code == 200


def test_retry_after_is_configurable(sb, api):
    sb.set_faults(rate=1, kinds=["429"], retry_after=7)
    assert api.get("/blacklist").headers["Retry-After"] == "7"


def test_reset_drops_the_connection(sb, api):
    sb.set_faults(rate=1, kinds=["reset"])
    with pytest.raises(requests.exceptions.ConnectionError):
        api.get("/blacklist")
    sb.set_faults(rate=0)
    assert api.get("/blacklist").status_code == 200  # the session reconnects


def test_truncated_body_is_an_incomplete_read(sb, api):
    sb.set_faults(rate=1, kinds=["truncated"], after_processing=True)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        api.get("/blacklist")


def test_slow_answers_after_the_delay(sb, api):
    sb.set_faults(rate=1, kinds=["slow"], delay=0.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.session.get(api.url + "/blacklist", timeout=0.2)
    sb.set_faults(rate=1, kinds=["slow"], delay=0.2)
    r = api.session.get(api.url + "/blacklist", timeout=5)
    assert r.status_code == 200 and r.elapsed.total_seconds() >= 0.2


def test_before_processing_the_request_has_no_effect(sb, api):
    sb.set_faults(rate=1, kinds=["500"], methods=["POST"])
    r = api.post("/campaigns/inject", json={"listRecipient": ["0639980016"], "msg": "x", "startNow": True})
    assert r.status_code == 500
    assert sb.state.campaigns == {}


@pytest.mark.parametrize("kind", ["500", "reset", "truncated"])
def test_after_processing_the_request_took_effect_and_the_answer_is_lost(sb, api, kind):
    sb.set_faults(rate=1, kinds=[kind], methods=["POST"], routes=["/api/v1/campaigns/inject"], after_processing=True)
    try:
        r = api.post("/campaigns/inject", json={"listRecipient": ["0639980016"], "msg": "x", "startNow": True})
        assert r.status_code == 500
    except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError):
        assert kind != "500"
    assert [c.status for c in sb.state.campaigns.values()] == ["INJECTED"]
    # what the client can do: look for it in a period report
    sb.set_faults(rate=0)
    found = api.get("/campaigns/reportjson/", params={"from": "2026-03-02", "search": "item==0639980016"}).json()
    assert len(found) == 1


def test_filters_methods_and_routes_and_never_sandbox_routes(sb, api):
    sb.set_faults(rate=1, kinds=["503"], methods=["GET"], routes=["/api/v1/campaigns/report"])
    assert api.get("/blacklist").status_code == 200
    assert api.post("/blacklist", json={"item": "0639980055", "typeItem": "MOBILE"}).status_code == 200
    assert api.get("/campaigns/report/1").status_code == 503
    assert api.get("/campaigns/reportjson/", params={"from": "2026-03-02"}).status_code == 503
    assert requests.get(sb.root + "/_sandbox/campaigns").status_code == 200


def test_faults_via_the_sandbox_route(sb, api):
    r = requests.post(sb.root + "/_sandbox/faults", json={"rate": 1, "kinds": ["429"], "count": 2})
    assert r.status_code == 200 and r.json()["rate"] == 1
    assert [api.get("/blacklist").status_code for _ in range(3)] == [429, 429, 200]
    assert requests.get(sb.root + "/_sandbox/faults").json()["injected"] == 2
    bad = requests.post(sb.root + "/_sandbox/faults", json={"rate": 1, "kinds": ["teapot"]})
    assert bad.status_code == 400 and "teapot" in bad.json()["message"]
    assert requests.post(sb.root + "/_sandbox/faults", json={"rate": 2}).status_code == 400
    assert requests.post(sb.root + "/_sandbox/faults", json={"rate": 0}).json()["rate"] == 0


def _sequence(seed, n=200, rate=0.3):
    config = FaultConfig(seed=seed)
    config.update(rate=rate, kinds=["500", "503", "reset"])
    return [config.draw("GET", "/api/v1/blacklist") for _ in range(n)]


def test_fault_draws_are_deterministic_for_a_seed_and_follow_the_rate():
    a, b, c = _sequence(1), _sequence(1), _sequence(2)
    assert a == b and a != c
    hits = [k for k in _sequence(3, n=4000) if k is not None]
    assert 0.25 < len(hits) / 4000 < 0.35  # binomial(4000, 0.3): sd 0.007
    assert set(hits) == {"500", "503", "reset"}
