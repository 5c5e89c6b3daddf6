"""Freed memory handed back to the system between the passes over a long list.

Reading and cleaning a list of millions of lines frees, pass after pass, many
blocks of rows and arrays of the size of a chunk. The allocators keep what is
freed for later calls: Arrow's pool (mimalloc) and glibc's ``malloc`` (numpy),
each for itself. On a 500 MB list that was a third of the file's size, held
beside the frame when the next pass allocated its columns, so the peak rose by
as much. :func:`release_memory` gives it back (``release_unused`` of Arrow's
pool, and ``malloc_trim(0)`` where the C library is glibc) at the end of a pass
over at least :data:`RELEASE_ROWS` rows; below that the pages a later pass
would fault in again cost more than the memory is worth.

Examples
--------
>>> release_memory()  # returns nothing; safe on any platform
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache

import numpy as np
import pyarrow as pa

__all__ = ["RELEASE_ROWS", "pooled", "release_memory"]

#: Fewest rows for which a pass over a list hands the memory it freed back (:func:`release_memory`).
RELEASE_ROWS = 1 << 21


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, Windows, musl)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim  # type: ignore[no-any-return]


def pooled(n: int, dtype: type[np.generic], fill: int | None = None) -> np.ndarray:
    """A writable numpy array of ``n`` items (``fill``, or uninitialised) in Arrow's memory pool, not in ``malloc``'s heap.

    For arrays kept across a pass (a list's numbers as integers, chunk by chunk): freed, their memory
    goes back to the pool that then makes the Arrow arrays (the strings) built from them.

    Examples
    --------
    >>> pooled(3, np.int64).flags.writeable
    True
    """
    out = np.frombuffer(pa.allocate_buffer(n * np.dtype(dtype).itemsize), dtype=dtype)
    if fill is not None:
        out.fill(fill)
    return out


def release_memory(rows: int | None = None) -> None:
    """Hand the memory freed so far back to the system, if ``rows`` (None: any) is at least :data:`RELEASE_ROWS`.

    Parameters
    ----------
    rows : int, optional
        The rows of the pass just done; a pass over fewer keeps its freed memory.
    """
    if rows is not None and rows < RELEASE_ROWS:
        return
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
