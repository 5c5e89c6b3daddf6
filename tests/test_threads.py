"""threads.in_order: jobs on chunks in threads, the results in order, few made ahead."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mfanalytics.threads as threads
from mfanalytics.threads import in_order


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 0.003), max_size=12), st.integers(1, 4))
def test_jobs_in_threads_come_back_in_order_and_few_ahead(delays, workers):
    started, lock = [0], threading.Lock()

    def job(i: int) -> int:
        with lock:
            started[0] += 1
        time.sleep(delays[i])  # jobs end out of order
        return i * 10

    got, ahead = [], []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(threads, "WORKERS", workers)
        mp.setattr(threads.pa, "cpu_count", lambda: 4)
        for i, result in enumerate(in_order(job, range(len(delays)))):
            time.sleep(0.002)  # a slow reader: the threads must wait for it
            with lock:
                ahead.append(started[0] - i - 1)
            got.append(result)
    assert got == [i * 10 for i in range(len(delays))]
    assert max(ahead, default=0) <= workers  # results made before the reader asks: memory held


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_an_error_in_a_job_is_raised_where_its_result_is_read(monkeypatch, workers):
    monkeypatch.setattr(threads, "WORKERS", workers)
    monkeypatch.setattr(threads.pa, "cpu_count", lambda: 4)

    def job(i: int) -> int:
        if i == 3:
            raise ValueError("chunk 3")
        return i

    got = []
    with pytest.raises(ValueError, match="chunk 3"):
        for result in in_order(job, range(8)):
            got.append(result)
    assert got == [0, 1, 2]


def test_one_arrow_cpu_works_in_the_callers_thread(monkeypatch):
    monkeypatch.setattr(threads.pa, "cpu_count", lambda: 1)
    caller = threading.current_thread()
    assert list(in_order(lambda _: threading.current_thread() is caller, range(3))) == [True] * 3
