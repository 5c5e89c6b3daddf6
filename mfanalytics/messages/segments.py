"""The fast segment counter: a whole column of messages at once (pyarrow regex kernels + numpy).

Exact against the scalar reference of :mod:`mfanalytics.messages.gsm7`
(:func:`~mfanalytics.messages.gsm7.reference_count`), which the tests and
``benchmarks/bench_segments.py`` compare it with.

Examples
--------
>>> count_one("a" * 161)
('GSM-7', 161, 2)
"""

from __future__ import annotations

import functools

from mfanalytics.messages.gsm7 import (
    CONTROL,
    CR,
    E_BASE,
    E_BASE_GAZ,
    E_MODIFIER,
    EXTEND,
    GLUE_AFTER_ZWJ,
    GSM7_CHARS,
    GSM7_EXTENSION,
    LF,
    LV,
    LVT,
    OTHER,
    PREPEND,
    RI,
    SPACINGMARK,
    ZWJ,
    L,
    T,
    V,
    grapheme_property,
    grapheme_runs,
    reference_count,
    utf16_units,
)

__all__ = ["count_arrow", "count_one"]

_GLUE = (EXTEND, ZWJ, SPACINGMARK, E_MODIFIER, RI, V, T, PREPEND, L)


def _char_class(ranges: list[tuple[int, int]], negate: bool = False) -> str:
    parts = [f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges]
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def _ranges(codes: list[int]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for c in sorted(codes):
        if out and c == out[-1][1] + 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return [(a, b) for a, b in out]


@functools.cache
def _patterns() -> dict[str, str]:
    starts, props = grapheme_runs()
    glue, context = [], []
    bounds = list(starts[1:]) + [0x110000]
    for a, b, p in zip(starts, bounds, props):
        for lo, hi in ((a, min(b, 0xD800) - 1), (max(a, 0xE000), b - 1)):  # no surrogates in UTF-8
            if lo <= hi and p in _GLUE:
                glue.append((lo, hi))
            if lo <= hi and p in (RI, E_MODIFIER):
                context.append((lo, hi))
    return {
        "non_gsm": _char_class(_ranges([ord(c) for c in GSM7_CHARS]), negate=True),
        "ext": _char_class(_ranges([ord(c) for c in GSM7_EXTENSION])),
        "astral": "[\\x{10000}-\\x{10FFFF}]",
        "glue": _char_class(glue),
        "context": _char_class(context),
    }


@functools.cache
def _tables():
    import numpy as np

    starts, props = grapheme_runs()
    nobreak = np.zeros((18, 18), dtype=bool)  # pairwise rules; RI / E_Modifier: _context_breaks
    ctrl = (CONTROL, CR, LF)
    for p in range(18):
        for n in range(18):
            if p in ctrl or n in ctrl:
                continue  # GB4, GB5 (CR LF is split in two by the oracle anyway)
            nobreak[p, n] = (
                (p == L and n in (L, V, LV, LVT))
                or (p in (LV, V) and n in (V, T))
                or (p in (LVT, T) and n == T)
                or n in (EXTEND, ZWJ, SPACINGMARK)
                or p == PREPEND
                or (p == ZWJ and n in (GLUE_AFTER_ZWJ, E_BASE_GAZ))
                or (p in (E_BASE, E_BASE_GAZ) and n == E_MODIFIER)
            )
    ext = np.array(sorted(ord(c) for c in GSM7_EXTENSION), dtype=np.uint32)
    return (np.array(starts, dtype=np.uint32), np.array(props, dtype=np.uint8), nobreak, ext)


def _context_breaks(props, brk, first):
    """Set the breaks around regional indicators (flags) and emoji modifiers
    (skin tones) in place; return, per message, whether a context was met where
    this shortcut is not proven exact (those messages use the reference)."""
    import numpy as np

    n = len(props)
    idx = np.arange(n)
    msg_first = np.zeros(n, dtype=bool)
    msg_first[first] = True
    prev = np.concatenate([[OTHER], props[:-1]]).astype(np.int64)
    prev[first] = -1
    bad = np.zeros(n, dtype=bool)
    is_ri = props == RI
    if is_ri.any():  # runs of RI pair up from the start of the run
        run_start = is_ri & (prev != RI)
        start_at = np.maximum.accumulate(np.where(run_start, idx, 0))
        brk[is_ri] = ((idx - start_at) % 2 == 0)[is_ri]
        brk[first] = True
        bad |= is_ri & (prev == PREPEND)
    starts = np.flatnonzero(brk)
    cid = np.cumsum(brk) - 1
    if is_ri.any():  # a flag glues at most one more code point
        size = np.diff(np.append(starts, n))
        joined = is_ri & ~brk
        bad[joined] |= size[cid[joined]] > 3
    mods = np.flatnonzero((props == E_MODIFIER) & ~msg_first)
    if len(mods):  # E_Base x E_Modifier only when the cluster holds no Extend / RI
        dirty = np.cumsum((props == EXTEND) | is_ri)
        s = starts[cid[mods - 1]]
        before = np.where(s > 0, dirty[np.maximum(s - 1, 0)], 0)
        bad[mods] |= (dirty[mods - 1] - before) > 0
    return np.add.reduceat(bad.astype(np.int64), first) > 0


def _packed_segments(texts: list[str], gsm: bool):
    """Segments of multi-part messages, greedy packing over clusters (numpy)."""
    import numpy as np

    starts, props_of, nobreak, ext = _tables()
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    counts = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    fallback = np.zeros(len(texts), dtype=bool)
    brk = np.ones(len(cps), dtype=bool)
    if gsm:
        units = 1 + np.isin(cps, ext).astype(np.int64)
    else:
        units = 1 + (cps > 0xFFFF).astype(np.int64)
        props = props_of[np.searchsorted(starts, cps, side="right") - 1]
        brk[1:] = ~nobreak[props[:-1], props[1:]]
        brk[first] = True
        fallback |= _context_breaks(props, brk, first)
    cum = np.cumsum(units)
    msg_end = cum[first + counts - 1]
    msg_begin = msg_end - np.add.reduceat(units, first)
    end_flag = np.empty(len(cps), dtype=bool)
    end_flag[:-1] = brk[1:]
    end_flag[-1] = True
    ends = cum[end_flag]
    if not gsm:  # clusters over 32 units defeat greedy packing in the oracle: use the reference
        sizes = np.diff(ends, prepend=0)
        fallback[np.searchsorted(msg_end, ends[sizes > 32], side="left")] = True
    capacity = 153 if gsm else 67
    segs = np.zeros(len(texts), dtype=np.int64)
    pos = msg_begin.copy()
    active = ~fallback
    while active.any():
        a = np.flatnonzero(active)
        segs[a] += 1
        target = pos[a] + capacity
        done = target >= msg_end[a]
        new = np.where(done, msg_end[a], ends[np.searchsorted(ends, target, side="right") - 1])
        stuck = new <= pos[a]  # a cluster wider than a part: never loop, use the reference
        fallback[a[stuck]] = True
        pos[a] = new
        active[a[done | stuck]] = False
    for i in np.flatnonzero(fallback):
        segs[i] = reference_count(texts[i])[2]
    return segs


def count_arrow(arr):
    """``(is_gsm, length, segments, valid)`` numpy arrays for an arrow string array."""
    import numpy as np
    import pyarrow.compute as pc

    pat = _patterns()
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    n_cp = pc.utf8_length(arr).fill_null(0).to_numpy().astype(np.int64)
    is_gsm = ~pc.match_substring_regex(arr, pat["non_gsm"]).fill_null(False).to_numpy(zero_copy_only=False)
    n_ext = pc.count_substring_regex(arr, pat["ext"]).fill_null(0).to_numpy().astype(np.int64)
    n_astral = pc.count_substring_regex(arr, pat["astral"]).fill_null(0).to_numpy().astype(np.int64)
    length = np.where(is_gsm, n_cp + n_ext, n_cp + n_astral)
    segments = np.ones(len(arr), dtype=np.int64)
    gsm_multi = is_gsm & (length > 160) & valid
    simple = gsm_multi & (n_ext == 0)
    segments[simple] = -(-length[simple] // 153)
    ucs_multi = ~is_gsm & (length > 70) & valid
    idx = np.flatnonzero(ucs_multi)
    glue = np.zeros(len(arr), dtype=bool)
    if len(idx):
        glue[idx] = pc.match_substring_regex(arr.take(idx), pat["glue"]).to_numpy(zero_copy_only=False)
    simple = ucs_multi & ~glue & (n_astral == 0)
    segments[simple] = -(-length[simple] // 67)
    for gsm, mask in ((True, gsm_multi & (n_ext > 0)), (False, ucs_multi & (glue | (n_astral > 0)))):
        idx = np.flatnonzero(mask)
        for lo in range(0, len(idx), 20000):  # bounded memory
            part = idx[lo : lo + 20000]
            segments[part] = _packed_segments(arr.take(part).to_pylist(), gsm)
    return is_gsm & valid, np.where(valid, length, 0), np.where(valid, segments, 0), valid


def count_one(text: str) -> tuple[str, int, int]:
    """``(encoding, length, segments)`` of one message: fast scalar, same results
    as :func:`reference_count` (the per-message baseline of the benchmark)."""
    if GSM7_CHARS.issuperset(text):
        n_ext = sum(text.count(c) for c in GSM7_EXTENSION)
        length = len(text) + n_ext
        if length <= 160:
            return "GSM-7", length, 1
        if n_ext == 0:
            return "GSM-7", length, -(-length // 153)
        return reference_count(text)
    length = utf16_units(text)
    if length <= 70:
        return "UCS-2", length, 1
    if length == len(text) and not any(grapheme_property(ord(c)) in _GLUE for c in text):
        return "UCS-2", length, -(-length // 67)
    return reference_count(text)
