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

    def truth(self, end=None) -> pd.DataFrame:
        """``get_reports`` from FIRST to ``end`` (default: now, the end of its minute)."""
        frame = self.client.get_reports(FIRST, end, progress=False)
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
        before = self.session.reports(answered=True)
        result = self.archive.sync(self.client, FIRST, workers=workers, progress=False)
        # one answered request per window (a token the sandbox let expire costs a 401, a login and the retry)
        assert self.session.reports(answered=True) - before == result.windows_fetched
        # the archive holds the whole minutes that have passed: get_reports up to where the sync stopped
        assert_same_report(self.archive.frame(FIRST), self.truth(result.end))
        self.complete = True
        self.in_flight = result.windows_in_flight

    @precondition(lambda self: self.complete)
    @rule()
    def sync_again(self) -> None:
        """Nothing moved: only the days with lines in flight are asked again."""
        before, asked = self.session.reports(answered=True), self.session.reports()
        self.archive.sync(self.client, FIRST, progress=False)
        assert self.session.reports(answered=True) - before == self.in_flight
        if not self.in_flight:
            assert self.session.reports() == asked, "a sync with nothing new made a report request"

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


def _replay(*steps) -> None:
    machine = ArchiveMachine()
    try:
        machine.first_campaign()
        for name, kwargs in steps:
            getattr(machine, name)(**kwargs)
            machine.each_line_once_and_only_lines_the_sandbox_had()
    finally:
        machine.teardown()


def test_replay_a_campaign_sent_in_the_minute_of_a_sync_comes_with_the_next_one():
    """``make soak`` (session 4), shrunk: the sandbox clock stands still, a sync, a send at that same
    instant, a sync again. The send is in the current minute, which the archive does not hold yet; the
    oracle once compared with ``get_reports`` up to the end of the minute and saw 25 rows missing."""
    _replay(
        ("sync", {"workers": 1}),
        ("send_campaign", {"in_flight": False, "link": True, "n": 25}),
        ("sync", {"workers": 1}),
        ("advance", {"seconds": 60}),
        ("sync", {"workers": 1}),
    )


def test_replay_a_token_that_expired_costs_a_retry_not_a_window():
    """``make soak`` (session 4), shrunk: a day later the token has expired; the first report request is
    answered 401, the client logs in and asks again. Two windows, three requests, two answered."""
    _replay(
        ("advance", {"seconds": 60}),
        ("sync", {"workers": 1}),
        ("read", {"columns": None}),
        ("advance", {"seconds": 86400}),
        ("read", {"columns": None}),
        ("sync", {"workers": 1}),
    )
