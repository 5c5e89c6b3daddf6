"""The sandbox as a server: the state to serve (sample history, users, allowed hosts) and the
uvicorn server around it. ``mfanalytics sandbox`` (:mod:`mfanalytics.cli`) reads its options and
calls these two functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from mfanalytics.sandbox.app import create_app
from mfanalytics.sandbox.clock import parse_instant
from mfanalytics.sandbox.embedded import EmbeddedSandbox, build_server
from mfanalytics.sandbox.samples import populate
from mfanalytics.sandbox.state import SandboxState
from mfanalytics.sandbox.store import open_state

__all__ = ["prepare_state", "sample_state", "serve"]


def sample_state(
    *,
    db: str | None,
    seed: int,
    start: str | None,
    speed: float,
    samples: int,
    users: Sequence[tuple[str, str, str]] = (),
) -> SandboxState:
    """The state to serve, with ``samples`` days of sample campaigns ending at the start time.

    The history is sent through a short-lived embedded sandbox on the same
    ``db`` (or kept in memory), whose clock starts ``samples`` days before
    the start and runs through it; a ``db`` that already holds campaigns is
    served as it is.
    """
    probe = open_state(db, seed=seed, start=start, speed=0) if db else None
    if probe is not None:
        filled = bool(probe.campaigns)
        if probe.store is not None:
            probe.store.close()
        if filled:
            return open_state(db, seed=seed, start=start, speed=speed)
    end = parse_instant(start) if start else datetime.now(UTC).timestamp()
    first = datetime.fromtimestamp(float(end), UTC).replace(microsecond=0) - timedelta(days=samples)
    accounts = [{"name": n, "password": p, "role": r} for n, p, r in users] or None
    sb = EmbeddedSandbox(seed, users=accounts, start=first, speed=0, db=db).start()
    try:
        populate(
            sb,
            days=samples,
            seed=seed,
            **({"username": accounts[0]["name"], "password": accounts[0]["password"]} if accounts else {}),
        )
    finally:
        sb.close()
    print(f"mfanalytics sandbox: {len(sb.state.campaigns)} sample campaigns over {samples} days", flush=True)
    if db:
        return open_state(db, seed=seed, start=start, speed=speed)
    sb.state.clock.set_speed(speed)
    return sb.state


def prepare_state(
    *,
    db: str | None,
    seed: int,
    start: str | None,
    speed: float,
    samples: int = 0,
    users: Sequence[tuple[str, str, str]] = (),
    allow: Sequence[str] = (),
) -> SandboxState:
    """The state ``mfanalytics sandbox`` serves: opened (or filled with samples), with its users.

    Each ``(name, password, role)`` of ``users`` is added (an account already
    in ``db`` keeps its credit and settings); without any, a ``demo``/``demo``
    account. ``allow``: hosts besides loopback the accounts may be used from.
    """
    if samples:
        state = sample_state(db=db, seed=seed, start=start, speed=speed, samples=samples, users=users)
    else:
        state = open_state(db, seed=seed, start=start, speed=speed)
    allowed = sorted({"127.0.0.1", "::1", *allow}) if allow else None
    for name, password, role in users:
        options: dict[str, Any] = {"role": role}
        existing = state.accounts.users.get(name)
        if existing is not None:  # from db: keep its credit and settings
            options.update(
                credit=existing.credit,
                max_segments=existing.max_segments,
                countries=existing.countries,
                allowed_hosts=existing.allowed_hosts,
                short_code=existing.short_code,
            )
        if allowed:
            options["allowed_hosts"] = allowed
        state.add_user(name, password, **options)
    if not state.accounts.users:
        state.add_user("demo", "demo", **({"allowed_hosts": allowed} if allowed else {}))
    return state


def serve(state: SandboxState, *, host: str, port: int, access_log: bool = False, ready: str = "") -> None:
    """Serve ``state`` until interrupted, then save and close its store (printing ``ready`` first)."""
    server = build_server(create_app(state), host=host, port=port, access_log=access_log)
    if ready:
        print(ready, flush=True)
    try:
        server.run()
    finally:
        if state.store is not None:
            state._save_meta()
            state.store.close()
