"""Schemathesis (an OpenAPI fuzzer nobody here wrote) against the RUNNING
sandbox, over real HTTP on loopback, with every one of its checks.

The sandbox's own document (``/MediasflowApi/openapi.json``) is the oracle: a
case fails when an answer is a 5xx, has a status, content type, header or body
the document does not declare, accepts data the document forbids, refuses
data it allows, or lets a request through without the token. Requests carry
the Bearer from the guide's login, so the authenticated routes are reached.

Bounded and reproducible in ``make test`` (fixed seed, derandomised, a few
examples per operation and phase); ``make soak`` runs the same with 200.

Two settings differ from schemathesis' defaults, and why:

* ``positive_data_acceptance`` also expects 400 on ``POST /campaigns/inject``,
  ``POST /lists/upload``, ``/blacklist`` and the two period reports: there,
  whether a request is acceptable depends on rules no JSON Schema states
  (GSM-7 characters without ``allowUCS2``, the fields a template names, the
  sender's letters, a ``scheduleOn`` five minutes ahead of the sandbox clock,
  a mobile column in the file, a valid mobile for ``typeItem`` MOBILE, a
  period of at most 7 days with ``to`` after ``from``, a real calendar
  date). The sandbox answers those 400 naming the rule; every other check,
  and this one on the other routes, runs as shipped.
* the stateful phase is off: it follows OpenAPI links, and the guide's API
  declares none (the state a campaign goes through is covered by
  ``tests/sandbox/test_sandbox_lifecycle.py``).
"""

from __future__ import annotations

import collections

import pytest
import requests
import schemathesis
from sandbox_api import START
from schemathesis.config import SchemathesisConfig

SEED = 20261201

_CONFIG = """
seed = {seed}

[generation]
max-examples = {examples}
deterministic = true

[phases.stateful]
enabled = {stateful}

[[operations]]
include-path-regex = "^/api/v1/(campaigns/inject|lists/upload|blacklist|campaigns/report/|campaigns/reportjson/)$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429", "5xx"]
"""

CASES: collections.Counter = collections.Counter()


def _config(examples: int, stateful: bool = False) -> SchemathesisConfig:
    return SchemathesisConfig.from_str(_CONFIG.format(seed=SEED, examples=examples, stateful=str(stateful).lower()))


@pytest.fixture(scope="module")
def running():
    """A sandbox on a free loopback port (a real uvicorn server, real sockets)."""
    from mfanalytics.sandbox.embedded import EmbeddedSandbox

    with EmbeddedSandbox(seed=0, start=START, speed=0) as sb:
        yield sb


@pytest.fixture(scope="module")
def bearer(running) -> str:
    """The guide's way: log in, take the ``Authorization`` response header."""
    r = requests.post(running.url + "/auth/login", json={"username": "demo", "password": "demo"}, timeout=10)
    assert r.status_code == 200
    return r.headers["Authorization"]


def _document() -> dict:
    """The document the sandbox serves, built without a server (test collection
    happens before any fixture runs); :func:`test_the_served_document_is_this_one`
    checks it is byte for byte what the running sandbox answers."""
    from mfanalytics.sandbox.app import create_app
    from mfanalytics.sandbox.state import SandboxState

    return create_app(SandboxState(seed=0), faults=False).openapi()


DOCUMENT = _document()
contract = schemathesis.openapi.from_dict(DOCUMENT, config=_config(examples=4))
contract_soak = schemathesis.openapi.from_dict(DOCUMENT, config=_config(examples=200))


def test_the_served_document_is_this_one(running):
    assert requests.get(running.root + "/MediasflowApi/openapi.json", timeout=10).json() == DOCUMENT


def _run(case, running, bearer):
    response = case.call_and_validate(base_url=running.root, headers={"Authorization": bearer}, timeout=60)
    CASES[(case.method, case.path, response.status_code)] += 1
    # the sandbox stays healthy whatever it was sent
    assert requests.get(running.url + "/blacklist", headers={"Authorization": bearer}, timeout=10).status_code == 200


@contract.parametrize()
def test_the_sandbox_keeps_its_contract(case, running, bearer):
    _run(case, running, bearer)


@pytest.mark.slow
@contract_soak.parametrize()
def test_the_sandbox_keeps_its_contract_long(case, running, bearer):
    _run(case, running, bearer)


def test_zz_every_operation_was_exercised_with_success_and_refusal(running):
    """Run after the fuzzing above: each documented operation got cases, and
    some of them were answered 200 (the token reached the routes)."""
    if not CASES:
        pytest.skip("run with the schemathesis test above")
    documented = {(m.upper(), p) for p, ops in DOCUMENT["paths"].items() for m in ops}
    operations = {(m, p) for m, p, _ in CASES} & documented
    assert operations == documented
    ok = {(m, p) for m, p, s in CASES if s == 200}
    assert ("GET", "/api/v1/blacklist") in ok and ("POST", "/api/v1/campaigns/inject") in ok
    total = sum(CASES.values())
    by_status = collections.Counter()
    for (_, _, status), n in CASES.items():
        by_status[status] += n
    print(f"\nschemathesis: {total} cases, statuses {dict(sorted(by_status.items()))}")
