"""Fixtures for tests that need a running sandbox (plain ``requests`` over loopback)."""

from __future__ import annotations

import pytest
from sandbox_api import START, Api


@pytest.fixture
def sb():
    """A fresh sandbox, clock frozen at :data:`START`, user demo/demo."""
    from mfanalytics.sandbox.embedded import EmbeddedSandbox

    with EmbeddedSandbox(seed=0, start=START, speed=0) as sandbox:
        yield sandbox


@pytest.fixture
def api(sb) -> Api:
    """A logged-in ``requests`` client on :func:`sb`."""
    return Api(sb)


# Most tests send "Bonjour" at fixed sandbox times: they test reports, retries, secrets, not the
# French sending rules. For them the client warns instead of refusing (``Client.compliance``), and
# the warning is filtered. The rules themselves, and the refusing default, are tested in
# tests/messages/test_compliance.py and tests/api/test_client_compliance.py, which mark themselves
# ``enforce_compliance`` (module-wide) to keep the default of every user: ``compliance="error"``.
def pytest_collection_modifyitems(config, items):
    for item in items:
        # schemathesis 4.32 under pytest 9 gives every operation of a schema the same node id
        # (the function's); pytest-xdist schedules by node id, so under ``make test`` (-n 2) all
        # but one operation were dropped (test_zz_every_operation_was_exercised... saw it).
        # The id is made from the item's name, which holds the operation.
        if type(item).__name__ == "SchemathesisFunction" and not item.nodeid.endswith("]"):
            nodeid = f"{item.parent.nodeid}::{item.name}"
            if hasattr(item, "_id"):  # pytest 9.2 keeps a structured id
                from _pytest.nodeid import coerce_node_id

                item._id = coerce_node_id(nodeid)
            else:
                item._nodeid = nodeid
        if item.get_closest_marker("enforce_compliance") is None:
            item.add_marker(pytest.mark.filterwarnings("ignore::mfanalytics.errors.ComplianceWarning"))


@pytest.fixture(scope="module", autouse=True)
def _compliance_warns_outside_its_tests(request):
    # module scope, autouse: in force before the module-scoped fixtures that send campaigns;
    # a module opts out with ``pytestmark = pytest.mark.enforce_compliance``
    if request.node.get_closest_marker("enforce_compliance") is not None:
        yield
        return
    from mfanalytics.api.client import Client

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "compliance", "warn")
        yield
