"""The archive as a state machine: hypothesis syncs, moves the clock, sends campaigns, cuts syncs, reads.

A cut sync is a crash in the process: an exception raised just before or just after the K-th rename
of a file (the day files and the manifest), in a worker thread or the main one; the real SIGKILL is
test_archive_kill.py. After every step the archive holds each line once and nothing the sandbox
never had; after a sync that completed it equals ``get_reports`` of the period, dtypes included; and
a sync right after one that completed makes no report request unless lines are in flight.
"""

from __future__ import annotations

import os
import random
import tempfile

import pandas as pd
import pytest
from archive_history import START, assert_same_report, counting_client, send
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sandbox_api import Api

from mfanalytics import Archive
from mfanalytics.reports.lines import LINE_KEY
from mfanalytics.sandbox.embedded import EmbeddedSandbox

FIRST = "2026-03-20"


class Cut(BaseException):
    """The process dies here (a BaseException: nothing in the package catches it)."""


class ArchiveMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.sb = EmbeddedSandbox(seed=9, start=START, speed=0).start()
        self.api = Api(self.sb)
        self.rng = random.Random(9)
        self.client, self.session = counting_client(self.sb)
        self.tmp = tempfile.TemporaryDirectory()
        self.archive = Archive(os.path.join(self.tmp.name, "arch"))
        self.seen: set[tuple] = set()  # every line key the sandbox ever reported
        self.complete = False  # the last step was a sync that completed

    def teardown(self) -> None:
        self.client.close()
        self.sb.close()
        self.tmp.cleanup()

    def truth(self) -> pd.DataFrame:
        frame = self.client.get_reports(FIRST, progress=False)
        self.seen |= set(map(tuple, frame[list(LINE_KEY)].astype(str).to_numpy()))
        return frame

    @initialize()
    def first_campaign(self) -> None:
        send(self.api, self.rng, in_flight=True, n=30)
        self.sb.advance(120)

    @rule(seconds=st.sampled_from([60, 900, 3 * 3600, 86400, 49 * 3600]))
    def advance(self, seconds: int) -> None:
        self.sb.advance(seconds)
        self.complete = False

    @rule(link=st.booleans(), in_flight=st.booleans(), n=st.integers(5, 40))
    def send_campaign(self, link: bool, in_flight: bool, n: int) -> None:
        self.api.login()
        send(self.api, self.rng, link=link, in_flight=in_flight, n=n)
        self.complete = False

    @rule(workers=st.sampled_from([1, 4]))
    def sync(self, workers: int) -> None:
        before = self.session.reports()
        result = self.archive.sync(self.client, FIRST, workers=workers, progress=False)
        assert self.session.reports() - before == result.windows_fetched
        assert_same_report(self.archive.frame(FIRST), self.truth())
        self.complete = True
        self.in_flight = result.windows_in_flight

    @precondition(lambda self: self.complete)
    @rule()
    def sync_again(self) -> None:
        """Nothing moved: only the days with lines in flight are asked again."""
        before = self.session.reports()
        self.archive.sync(self.client, FIRST, progress=False)
        assert self.session.reports() - before == self.in_flight

    @rule(k=st.integers(1, 12), after=st.booleans())
    def cut_sync(self, k: int, after: bool) -> None:
        count, real = [0], os.replace

        def replace(a, b):
            count[0] += 1
            if count[0] == k and not after:
                raise Cut
            real(a, b)
            if count[0] == k and after:
                raise Cut

        os.replace = replace
        try:
            self.archive.sync(self.client, FIRST, progress=False)
        except Cut:
            pass
        finally:
            os.replace = real
        self.complete = False

    @rule(columns=st.sampled_from([None, ["status_code", "clicks"], ["delivered_at", "campaign_id"]]))
    def read(self, columns) -> None:
        frame = self.archive.frame(FIRST, columns=columns)
        con = self.archive.duckdb()
        assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == len(frame)
        con.close()

    @invariant()
    def each_line_once_and_only_lines_the_sandbox_had(self) -> None:
        frame = self.archive.frame()
        assert not frame.duplicated(list(LINE_KEY)).any()
        keys = set(map(tuple, frame[list(LINE_KEY)].astype(str).to_numpy()))
        if not keys <= self.seen:
            self.truth()
        assert keys <= self.seen


TestArchiveMachine = ArchiveMachine.TestCase
TestArchiveMachine.settings = settings(
    max_examples=3,
    stateful_step_count=10,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.slow
def test_the_archive_machine_longer():
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        ArchiveMachine,
        settings=settings(
            max_examples=40, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        ),
    )
