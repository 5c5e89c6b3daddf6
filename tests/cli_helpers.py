"""What the tests of the ``mfanalytics`` command share (tests/test_cli.py, tests/test_cli_people.py).

Imported as ``from cli_helpers import ...`` (a plain module of tests/, as ``sandbox_api``): the
credentials variables the command reads, its one-line refusals, and the fixtures of a test file
(:func:`cli_fixtures`): no credentials of the machine, a sandbox served with one campaign sent,
and the command pointed at it through the ``MEDIASFLOW_*`` variables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mfanalytics.sandbox.embedded import EmbeddedSandbox

#: The variables ``Client.from_env`` reads: every test starts without them.
ENV = ("MEDIASFLOW_BASE_URL", "MEDIASFLOW_USERNAME", "MEDIASFLOW_PASSWORD", "MEDIASFLOW_TOKEN")
START = "2026-03-02T09:00:00Z"  # a Monday, Paris is UTC+1


def one_line_error(err: str) -> str:
    """The one line a problem the user can fix prints on stderr (never a traceback)."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("mfanalytics ")
    return lines[0]


def cli_fixtures(people: list[dict[str, str]]) -> tuple[Callable[..., Any], ...]:
    """A test file's fixtures: ``_no_credentials`` (autouse: no ``MEDIASFLOW_*`` variable of the
    machine reaches the command), ``served`` (module: a sandbox from :data:`START`, seed 0, and the
    id of a campaign sent to ``people`` an hour before) and ``env`` (``served``, with the command
    pointed at it with the sandbox's demo account).

    Bind them at the top of the file: ``_no_credentials, served, env = cli_fixtures(PEOPLE)``.
    """

    @pytest.fixture(autouse=True)
    def _no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
        for key in ENV:
            monkeypatch.delenv(key, raising=False)

    @pytest.fixture(scope="module")
    def served() -> Iterator[tuple[EmbeddedSandbox, int]]:
        with EmbeddedSandbox(seed=0, start=START) as sb:
            client = sb.client()
            campaign = client.send_campaign("Bonjour ${PRENOM}", recipients=people)
            sb.advance(3600)
            client.close()
            yield sb, campaign.id

    @pytest.fixture
    def env(served: tuple[EmbeddedSandbox, int], monkeypatch: pytest.MonkeyPatch) -> tuple[EmbeddedSandbox, int]:
        monkeypatch.setenv("MEDIASFLOW_BASE_URL", served[0].url)
        monkeypatch.setenv("MEDIASFLOW_USERNAME", "demo")
        monkeypatch.setenv("MEDIASFLOW_PASSWORD", "demo")
        return served

    return _no_credentials, served, env
