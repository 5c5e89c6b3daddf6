"""The vectorised delivery simulation of the sandbox.

At injection every sendable recipient gets, in one set of numpy draws seeded
by ``(seed, campaign id)``, its final outcome and the times (seconds after the
injection) at which its status moves ``1 -> 9 -> 24 -> 10/28 -> final``, with
``31`` (mobile unavailable) before a late delivery or a ``22`` expiry at 48 h.
Delivered recipients may click each tinyList link, see the link preview, and
reply (``STOP`` turns ``16`` into ``17`` and puts the number on the blacklist).
The status at any clock time is then derived from those arrays, vectorised:
nothing is stored or computed per recipient in Python.

Magic numbers (ARCEP's fiction range ``06 39 98 xx xx``, never a real
subscriber) make outcomes exact in tests:

``+33 6 39 98 00 CC``
    final status ``CC`` (12, 13, 16, 17, 20, 21, 22, 23, 25, 26, 27, 29, 30, 31,
    32; any other CC gives 16; 19 is refused at screening, no price). 12 and 23
    show 9 at +1 s and the final code at +2 s (never 24 or 10). Status 9 at +1 s, 24 at +2 s, 10 at +3 s and the
    final code at +30 s; 31 shows from +5 s and turns into 16 at +1 h; 22
    shows 31 from +5 s and expires at +48 h; 17 is delivered (16) at +30 s
    and replies ``STOP`` at +60 s.
``+33 6 39 98 01 xx``
    delivered (16) at +30 s, previews the link at +60 s (``isOG``) and
    clicks link ``k`` (1-based) once at ``+60 + 60 k`` s.
``+33 6 39 98 15 xx``
    on the global blacklist: not sent, code 15.

Examples
--------
>>> import numpy as np
>>> sim = simulate(np.array(["+33639980020", "+33639980116"]), seed=0, campaign_id=1,
...                n_tracks=1, preview=False)
>>> current_codes(sim, 10.0).tolist(), current_codes(sim, 31.0).tolist()
([10, 10], [20, 16])
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "MAGIC_PREFIX",
    "MAGIC_FINAL_CODES",
    "THROUGHPUT",
    "EXPIRY",
    "magic_e164",
    "simulate",
    "current_codes",
    "status_times",
    "click_state",
    "preview_state",
    "reply_state",
    "REPLY_TEXTS",
]

#: E.164 prefix of the magic range (ARCEP fiction numbers 06 39 98 xx xx).
MAGIC_PREFIX = "+3363998"
#: Final codes a magic number ``+33 6 39 98 00 CC`` may choose.
MAGIC_FINAL_CODES = frozenset({12, 13, 16, 17, 20, 21, 22, 23, 25, 26, 27, 29, 30, 31, 32})
#: Finals reached while sending, before the operator: 12 (processing error) and
#: 23 (deleted before sending) go 1 -> 9 (+1 s) -> final (+2 s), never 24 or 10.
BEFORE_OPERATOR_CODES = frozenset({12, 23})
#: Recipients handed to operators per simulated second.
THROUGHPUT = 500.0
#: Lifetime of an SMS before code 22, seconds (48 h).
EXPIRY = 48 * 3600.0

#: Replies other than STOP, by index (0 = no reply, 1 = STOP).
REPLY_TEXTS: tuple[str, ...] = ("", "STOP", "OK", "Merci", "Qui est-ce ?", "Oui", "Rappelez-moi")

# Outcome of a sendable, non-magic recipient: (final code, via 31, probability).
_OUTCOMES: tuple[tuple[int, bool, float], ...] = (
    (16, False, 0.800),
    (21, False, 0.070),
    (17, False, 0.006),
    (16, True, 0.024),  # unavailable, then delivered
    (22, True, 0.010),  # unavailable, then expired at 48 h
    (20, False, 0.025),
    (25, False, 0.015),
    (29, False, 0.020),
    (30, False, 0.010),
    (13, False, 0.006),
    (27, False, 0.006),
    (32, False, 0.004),
    (26, False, 0.004),
)
_CLICK_RATE = 0.12
_CLICK_DECAY = 0.6
_PREVIEW_RATE = 0.55
_OTHER_REPLY_RATE = 0.004
#: Recipients simulated at a time (:func:`simulate`): arrays of 1M rows stay in a 32 MB cache.
_BLOCK = 1 << 20


def magic_e164(raw: Iterable[Any] | np.ndarray) -> np.ndarray:
    """E.164 form of raw numbers in the magic range, else None (object array).

    Accepts ``0639980016``, ``+33 6 39 98 00 16``, ``33639980016``, ``0033...``.

    Examples
    --------
    >>> magic_e164(["06 39 98 00 16", "0612345678"]).tolist()
    ['+33639980016', None]
    """
    import pandas as pd

    digits = pd.Series(raw, dtype="string").str.replace(r"[^0-9+]", "", regex=True)
    national = digits.str.extract(r"^(?:\+33|0033|33|0)(63998\d{4})$", expand=False)
    out = ("+33" + national).astype(object)
    return np.asarray(out.where(national.notna(), None), dtype=object)


def _magic_parts(e164: Any) -> tuple[np.ndarray, np.ndarray]:
    """(block AB, code CD) of magic numbers as int arrays, -1 elsewhere (``e164``: strings, or a
    pandas string Series, read as it is)."""
    import pandas as pd

    if isinstance(e164, pd.Series) and isinstance(e164.dtype, pd.StringDtype):
        s = e164.reset_index(drop=True)
    else:
        s = pd.Series(e164, dtype="string")
    is_magic = s.str.startswith(MAGIC_PREFIX).fillna(False).to_numpy(bool) & (s.str.len() == 12).fillna(False).to_numpy(
        bool
    )
    ab = np.full(len(s), -1, dtype=np.int16)
    cd = np.full(len(s), -1, dtype=np.int16)
    if is_magic.any():
        tail = s[is_magic].str.slice(8, 12)
        ab[is_magic] = pd.to_numeric(tail.str.slice(0, 2), errors="coerce").fillna(-1).to_numpy(np.int16)
        cd[is_magic] = pd.to_numeric(tail.str.slice(2, 4), errors="coerce").fillna(-1).to_numpy(np.int16)
    return ab, cd


def simulate(
    e164: Any,
    *,
    seed: int,
    campaign_id: int,
    n_tracks: int,
    preview: bool,
) -> dict[str, np.ndarray]:
    """Draw outcomes and times for the sendable recipients of a campaign.

    Parameters
    ----------
    e164 : array of str, or pandas string Series
        The sendable recipients' numbers, in send order.
    seed, campaign_id : int
        Seed the generator, so a campaign replays identically.
    n_tracks : int
        Number of tinyList links (``${track_1}`` .. ``${track_n}``).
    preview : bool
        Whether the first link shows a preview (``isOG``).

    Returns
    -------
    dict of numpy arrays
        Times are float32 seconds after injection, NaN when the event never
        happens: ``t9``, ``t24``, ``tpost``, ``t31``, ``tfinal``, ``tstop``,
        ``treply``, ``tpreview``, ``tclick_<k>``; codes: ``post`` (10/28),
        ``final``; counts: ``npreview``, ``nclick_<k>``; ``reply`` (index in
        :data:`REPLY_TEXTS`).
    """
    n = len(e164)
    key = [int(seed) & 0xFFFFFFFF, int(campaign_id)]
    if n <= _BLOCK:
        return _simulate_block(e164, 0, np.random.default_rng(key), n_tracks=n_tracks, preview=preview)
    # In blocks that stay in the caches (a pass over arrays of millions of rows costs more per
    # row), each drawn from its own stream, the first from the campaign's: a campaign of up to
    # _BLOCK recipients draws exactly what it drew before there were blocks.
    out: dict[str, np.ndarray] = {}
    for k, first in enumerate(range(0, n, _BLOCK)):
        rows = e164.iloc[first : first + _BLOCK] if hasattr(e164, "iloc") else e164[first : first + _BLOCK]
        rng = np.random.default_rng(key if k == 0 else [*key, k])
        part = _simulate_block(rows, first, rng, n_tracks=n_tracks, preview=preview)
        for name, values in part.items():
            if name not in out:
                out[name] = np.empty(n, dtype=values.dtype)
            out[name][first : first + len(values)] = values
    return out


def _simulate_block(
    e164: Any, first: int, rng: np.random.Generator, *, n_tracks: int, preview: bool
) -> dict[str, np.ndarray]:
    """:func:`simulate` of the recipients ``first`` to ``first + len(e164)`` of a campaign, drawn from ``rng``."""
    n = len(e164)
    f32 = np.float32
    send = (first + np.arange(n, dtype=np.float64)) / THROUGHPUT
    t9 = send + rng.exponential(1.0, n)
    t24 = t9 + rng.exponential(2.0, n)
    tpost = t24 + rng.exponential(3.0, n)
    post = np.where(rng.random(n) < 0.7, 10, 28).astype(np.int16)
    probs = np.array([p for _, _, p in _OUTCOMES])
    pick = rng.choice(len(_OUTCOMES), size=n, p=probs / probs.sum())
    final = np.array([c for c, _, _ in _OUTCOMES], dtype=np.int16)[pick]
    via31 = np.array([v for _, v, _ in _OUTCOMES], dtype=bool)[pick]
    lag = rng.lognormal(np.log(20.0), 1.0, n)
    lag += np.where(rng.random(n) < 0.05, rng.exponential(600.0, n), 0.0)
    tfinal = tpost + lag
    t31 = np.where(via31, tpost + rng.exponential(10.0, n), np.nan)
    late = t31 + rng.uniform(300.0, 40 * 3600.0, n)
    tfinal = np.where(via31, np.where(final == 22, send + EXPIRY, late), tfinal)
    delivered = np.isin(final, (16, 21, 17))
    tstop = np.where(final == 17, tfinal + rng.lognormal(np.log(600.0), 1.0, n), np.nan)
    final = np.where(final == 17, 17, final).astype(np.int16)
    reply = np.where(final == 17, 1, 0).astype(np.int8)
    other = delivered & (final != 17) & (rng.random(n) < _OTHER_REPLY_RATE)
    reply[other] = rng.integers(2, len(REPLY_TEXTS), int(other.sum()))
    treply = np.where(final == 17, tstop, np.where(other, tfinal + rng.lognormal(np.log(300.0), 1.0, n), np.nan))
    if preview:
        seen = delivered & (rng.random(n) < _PREVIEW_RATE)
        tpreview = np.where(seen, tfinal + rng.lognormal(np.log(60.0), 1.0, n), np.nan)
        npreview = np.where(seen, rng.geometric(0.6, n), 0).astype(np.int32)
    else:
        tpreview = np.full(n, np.nan)
        npreview = np.zeros(n, dtype=np.int32)
    clicks = {}
    for k in range(1, n_tracks + 1):
        hit = delivered & (rng.random(n) < _CLICK_RATE * _CLICK_DECAY ** (k - 1))
        clicks[f"tclick_{k}"] = np.where(hit, tfinal + rng.lognormal(np.log(1800.0), 1.3, n), np.nan)
        clicks[f"nclick_{k}"] = np.where(hit, rng.geometric(0.7, n), 0).astype(np.int32)

    # magic numbers override the draws
    ab, cd = _magic_parts(e164)
    m0, m1 = ab == 0, ab == 1
    if m0.any() or m1.any():
        magic = m0 | m1
        code = np.where(m1, 16, np.where(np.isin(cd, list(MAGIC_FINAL_CODES)), cd, 16)).astype(np.int16)
        is31 = m0 & np.isin(code, (31, 22))
        early = np.isin(code, list(BEFORE_OPERATOR_CODES))
        t9[magic] = 1.0
        t24[magic] = 2.0
        tpost[magic] = np.where(early, 2.0, 3.0)[magic]
        post[magic] = 10
        final[magic] = np.where(code == 31, 16, code)[magic]
        t31[magic] = np.where(is31, 5.0, np.nan)[magic]
        tfinal[magic] = np.where(code == 31, 3600.0, np.where(code == 22, EXPIRY, np.where(early, 2.0, 30.0)))[magic]
        tstop[magic] = np.where(code == 17, 60.0, np.nan)[magic]
        reply[magic] = np.where(code == 17, 1, 0)[magic]
        treply[magic] = tstop[magic]
        tpreview[magic] = np.where(m1 & preview, 60.0, np.nan)[magic]
        npreview[magic] = np.where(m1 & preview, 1, 0)[magic]
        for k in range(1, n_tracks + 1):
            clicks[f"tclick_{k}"][magic] = np.where(m1, 60.0 + 60.0 * k, np.nan)[magic]
            clicks[f"nclick_{k}"][magic] = np.where(m1, 1, 0)[magic]
    out: dict[str, np.ndarray] = {
        "t9": t9.astype(f32),
        "t24": t24.astype(f32),
        "tpost": tpost.astype(f32),
        "t31": t31.astype(f32),
        "tfinal": tfinal.astype(f32),
        "tstop": tstop.astype(f32),
        "treply": treply.astype(f32),
        "tpreview": tpreview.astype(f32),
        "post": post,
        "final": final,
        "reply": reply,
        "npreview": npreview,
    }
    for key, value in clicks.items():
        out[key] = value.astype(f32) if key.startswith("t") else value
    return out


def _stages(sim: dict[str, np.ndarray], dt: float) -> tuple[np.ndarray, list[np.ndarray]]:
    """Whether each recipient has a 31 stage, and which stage it is still before
    at ``dt``: processing (1), sending (9), sent (24), posted, unavailable (31)."""
    has31 = ~np.isnan(sim["t31"])
    return has31, [
        dt < sim["t9"],
        dt < sim["t24"],
        dt < sim["tpost"],
        has31 & (dt < sim["t31"]),
        dt < sim["tfinal"],
    ]


def current_codes(sim: dict[str, np.ndarray], dt: float) -> np.ndarray:
    """Status code of each simulated recipient ``dt`` seconds after injection."""
    has31, conditions = _stages(sim, dt)
    conditions.append((sim["final"] == 17) & ~(dt >= sim["tstop"]))  # delivered, STOP not yet replied
    waiting = np.where(has31, 31, sim["post"])
    choices: list[Any] = [1, 9, 24, sim["post"], waiting, 16]
    codes: np.ndarray = np.select(conditions, choices, default=sim["final"])
    return codes.astype(np.int16)


def status_times(sim: dict[str, np.ndarray], dt: float) -> np.ndarray:
    """Seconds after injection at which each recipient reached its current status."""
    has31, conditions = _stages(sim, dt)
    choices: list[Any] = [np.float32(0), sim["t9"], sim["t24"], sim["tpost"], np.where(has31, sim["t31"], sim["tpost"])]
    times: np.ndarray = np.select(conditions, choices, default=sim["tfinal"])
    return times.astype(np.float64)


def _seen(times: np.ndarray, counts: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
    happened = times <= dt  # NaN compares False
    return np.where(happened, times, np.nan), np.where(happened, counts, 0).astype(np.int32)


def click_state(sim: dict[str, np.ndarray], k: int, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """(first click time or NaN, click counter) of link ``k`` at ``dt``."""
    return _seen(sim[f"tclick_{k}"], sim[f"nclick_{k}"], dt)


def preview_state(sim: dict[str, np.ndarray], dt: float) -> tuple[np.ndarray, np.ndarray]:
    """(first preview time or NaN, preview counter) at ``dt``."""
    return _seen(sim["tpreview"], sim["npreview"], dt)


def reply_state(sim: dict[str, np.ndarray], dt: float) -> np.ndarray:
    """Index into :data:`REPLY_TEXTS` of the reply received by ``dt`` (0: none)."""
    return np.where(sim["treply"] <= dt, sim["reply"], 0).astype(np.int8)
