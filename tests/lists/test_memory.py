"""Tests of mfanalytics.lists.memory: freed memory handed back, arrays kept in Arrow's pool."""

from __future__ import annotations

import platform

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import mfanalytics.lists.memory as memory
from mfanalytics.lists.cleaning import clean_recipients
from mfanalytics.lists.reading import parse_list


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's malloc_trim")
def test_freed_holes_of_the_heap_go_back_to_the_system():
    # 1 MB arrays (below glibc's mmap threshold once it has risen: in the heap), every other one kept:
    # the freed ones are holes the heap cannot give back by shrinking, only malloc_trim returns them.
    big = np.ones(16 << 20, dtype=np.uint8)  # freeing a mapped block raises the threshold to its size
    del big
    arrays = [np.ones(1 << 20, dtype=np.uint8) for _ in range(400)]
    kept = arrays[::2]
    del arrays
    before = _rss()
    memory.release_memory()
    after = _rss()
    assert before - after > 100 << 20, (before, after)
    assert sum(int(a[0]) for a in kept) == 200  # what is still in use is untouched


def test_a_pass_over_few_rows_keeps_its_memory(monkeypatch):
    calls = []
    monkeypatch.setattr(memory, "_malloc_trim", lambda: calls.append(1))
    memory.release_memory(memory.RELEASE_ROWS - 1)
    assert calls == []
    memory.release_memory(memory.RELEASE_ROWS)
    memory.release_memory()
    assert calls == [1, 1]


def test_pooled_arrays_are_writable_and_live_in_arrows_pool():
    before = pa.total_allocated_bytes()
    a = memory.pooled(1000, np.int64)
    assert a.flags.writeable and a.dtype == np.int64 and len(a) == 1000
    assert pa.total_allocated_bytes() - before >= 8000
    np.take(np.arange(2000), np.arange(0, 2000, 2), out=a)
    assert a[-1] == 1998
    del a
    assert pa.total_allocated_bytes() == before
    assert len(memory.pooled(0, np.int16)) == 0
    assert memory.pooled(5, np.int16, fill=-1).tolist() == [-1] * 5


def test_a_normalized_column_made_into_a_frame_gives_its_arrays_back():
    from mfanalytics.lists.phones import normalized

    norm = normalized(pd.Series(["0612345678", "x", "+32470123456"], dtype="string"))
    frame = norm.frame(pd.RangeIndex(3))
    assert frame["mobile_country"].tolist()[::2] == ["FR", "BE"] and pd.isna(frame["mobile_country"][1])
    assert norm.keys == [] and len(norm.country) == 0 and norm.country.base is None  # not a view: freed


def test_cleaning_with_memory_released_after_every_pass_gives_the_same_result(monkeypatch):
    lines = ["mobile;NOM"] + [f"06{i * 7919 % 10**8:08d};n{i % 5}" for i in range(3000)] + ["0142685300;x", ";y"]
    data = ("\n".join(lines + lines[1:200]) + "\n").encode()
    kept = clean_recipients(data)
    monkeypatch.setattr(memory, "RELEASE_ROWS", 1)
    released = clean_recipients(data)
    pd.testing.assert_frame_equal(released.frame, kept.frame)
    assert released.analysis == kept.analysis and released.counts == kept.counts
    pd.testing.assert_frame_equal(parse_list(data), kept.frame[["mobile", "NOM"]])
