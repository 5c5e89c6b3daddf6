"""``mfanalytics sandbox``: the command that serves a local sandbox, its arguments checked.

``add_sandbox(subparsers)`` registers the command (:mod:`mfanalytics.cli`
calls it); ``run_sandbox`` checks the port and the ``--db`` file before
anything is said, then serves with :mod:`mfanalytics.sandbox.server`.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="mfanalytics")
>>> add_sandbox(parser.add_subparsers(dest="command"))
>>> parser.parse_args(["sandbox", "--user", "ann:pw:admin"]).user
[('ann', 'pw', 'ADMIN')]
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_sandbox", "run_sandbox", "db_problem", "free_or_given_port", "speed_arg", "instant_arg", "user_arg"]


def speed_arg(value: str) -> float:
    from mfanalytics.sandbox.clock import check_speed

    try:
        return check_speed(float(value))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            str(exc) if "speed" in str(exc) else f"expected a number, not {value[:40]!r}"
        ) from None


def instant_arg(value: str) -> str:
    from mfanalytics.sandbox.clock import parse_instant

    try:
        parse_instant(value)
    except (ValueError, TypeError, OverflowError):
        raise argparse.ArgumentTypeError(
            f"expected an ISO 8601 instant such as 2026-03-02T09:00:00Z, not {value[:40]!r}"
        ) from None
    return value


def user_arg(value: str) -> tuple[str, str, str]:
    """``NAME:PASSWORD`` or ``NAME:PASSWORD:ADMIN``."""
    parts = value.split(":")
    if (
        len(parts) < 2
        or not parts[0]
        or (len(parts) == 3 and parts[2].upper() not in ("USER", "ADMIN"))
        or len(parts) > 3
    ):
        raise argparse.ArgumentTypeError(
            f"expected NAME:PASSWORD or NAME:PASSWORD:ADMIN, not {value.split(':')[0]}:..."
        )
    return parts[0], parts[1], (parts[2].upper() if len(parts) == 3 else "USER")


def add_sandbox(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "sandbox",
        help="serve a local simulator of the Mediasflow API",
        description=(
            "Serve the sandbox: the Mediasflow API under /api/v1, Swagger at /MediasflowApi, "
            "controls under /_sandbox/. No SMS is ever sent."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    p.add_argument("--seed", type=int, default=0, help="seed of the simulation (default 0)")
    p.add_argument(
        "--user",
        action="extend",
        nargs="+",
        type=user_arg,
        metavar="NAME:PASSWORD[:ADMIN]",
        help="accounts (repeatable; ADMIN may act for others); default demo:demo",
    )
    p.add_argument("--speed", type=speed_arg, default=1.0, help="simulated seconds per wall second (default 1)")
    p.add_argument("--start", default=None, type=instant_arg, help="simulated start time, ISO 8601 (default now)")
    p.add_argument("--db", default=None, metavar="PATH", help="keep the state in this SQLite file")
    p.add_argument(
        "--allow",
        action="append",
        default=None,
        metavar="ADDRESS",
        help="client address allowed for the accounts (repeatable; default loopback)",
    )
    p.add_argument("--access-log", action="store_true", help="log each request (never tokens or bodies)")
    p.add_argument(
        "--samples",
        type=int,
        default=30,
        metavar="DAYS",
        help="start with DAYS days of sample campaigns before the start time, as connect() does "
        "(default 30; 0 for none; skipped when --db already holds campaigns)",
    )
    p.set_defaults(func=run_sandbox)


def run_sandbox(args: argparse.Namespace) -> int:
    try:
        from mfanalytics.sandbox import server
    except ImportError as exc:  # pragma: no cover - depends on the install
        print(f"the sandbox needs its extra: pip install 'mfanalytics[sandbox]' ({exc})", file=sys.stderr)
        return 2
    if args.samples < 0:
        print("mfanalytics sandbox: --samples takes a number of days (0 or more)", file=sys.stderr)
        return 2
    problem = db_problem(args.db)
    if problem:
        print(f"mfanalytics sandbox: --db {args.db}: {problem}", file=sys.stderr)
        return 2
    try:  # before anything is prepared or said: a port in use is one line, not "serving" then a failure
        args.port = free_or_given_port(args.host, args.port)
    except OSError as exc:
        print(f"mfanalytics sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    import sqlite3

    try:
        state = server.prepare_state(
            db=args.db,
            seed=args.seed,
            start=args.start,
            speed=args.speed,
            samples=args.samples,
            users=args.user or [],
            allow=args.allow or [],
        )
    except sqlite3.Error as exc:
        print(f"mfanalytics sandbox: --db {args.db}: not a usable SQLite file ({exc})", file=sys.stderr)
        return 2
    names = ", ".join(sorted(state.accounts.users))
    ready = (
        f"mfanalytics sandbox: http://{args.host}:{args.port}/api/v1 (Swagger: /MediasflowApi), "
        f"users: {names}, seed {args.seed}, speed {args.speed:g}, clock {state.clock.isoformat()}"
        + (f", db {args.db}" if args.db else "")
    )
    server.serve(state, host=args.host, port=args.port, access_log=args.access_log, ready=ready)
    return 0


def db_problem(db: str | None) -> str | None:
    """Why the sandbox cannot keep its state in ``db``, or None."""
    import os
    from pathlib import Path

    if db is None:
        return None
    path = Path(db)
    folder = path.parent
    if path.is_dir():
        return "is a folder; give a file name such as sandbox.db"
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.R_OK | os.W_OK)):
        return "cannot be written (permission denied)"
    return None


def free_or_given_port(host: str, port: int) -> int:
    """``port`` if it can be listened on (0: a free one, chosen now); OSError if it is in use."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        probe.bind((host, port))
        return int(probe.getsockname()[1])
