"""The ``mfanalytics`` command line.

One sub-command per task, each a ``_add_<name>(subparsers)`` function that
registers its parser and sets ``func``; for now: ``sandbox``.

Examples
--------
>>> build_parser().parse_args(["sandbox", "--port", "0", "--seed", "3"]).seed
3
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["build_parser", "main"]


def _user(value: str) -> tuple[str, str, str]:
    """``NAME:PASSWORD`` or ``NAME:PASSWORD:ADMIN``."""
    parts = value.split(":")
    if len(parts) < 2 or not parts[0] or (len(parts) == 3 and parts[2].upper() not in ("USER", "ADMIN")) or len(parts) > 3:
        raise argparse.ArgumentTypeError(f"expected NAME:PASSWORD or NAME:PASSWORD:ADMIN, not {value.split(':')[0]}:...")
    return parts[0], parts[1], (parts[2].upper() if len(parts) == 3 else "USER")


def _add_sandbox(subparsers) -> None:
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
    p.add_argument("--user", action="extend", nargs="+", type=_user, metavar="NAME:PASSWORD[:ADMIN]",
                   help="accounts (repeatable; ADMIN may act for others); default demo:demo")
    p.add_argument("--speed", type=float, default=1.0, help="simulated seconds per wall second (default 1)")
    p.add_argument("--start", default=None, help="simulated start time, ISO 8601 (default now)")
    p.add_argument("--db", default=None, metavar="PATH", help="keep the state in this SQLite file")
    p.add_argument("--allow", action="append", default=None, metavar="ADDRESS",
                   help="client address allowed for the accounts (repeatable; default loopback)")
    p.add_argument("--access-log", action="store_true", help="log each request (never tokens or bodies)")
    p.set_defaults(func=_run_sandbox)


def _run_sandbox(args: argparse.Namespace) -> int:
    try:
        from mfanalytics.sandbox.app import create_app
        from mfanalytics.sandbox.embedded import build_server
    except ImportError as exc:  # pragma: no cover - depends on the install
        print(f"the sandbox needs its extra: pip install 'mfanalytics[sandbox]' ({exc})", file=sys.stderr)
        return 2
    from mfanalytics.sandbox.store import open_state

    state = open_state(args.db, seed=args.seed, start=args.start, speed=args.speed)
    allowed = None
    if args.allow:
        allowed = sorted({"127.0.0.1", "::1", *args.allow})
    for name, password, role in args.user or []:
        options = {"role": role}
        existing = state.accounts.users.get(name)
        if existing is not None:  # from --db: keep its credit and settings
            options.update(credit=existing.credit, max_segments=existing.max_segments, countries=existing.countries,
                           allowed_hosts=existing.allowed_hosts, short_code=existing.short_code)
        if allowed:
            options["allowed_hosts"] = allowed
        state.add_user(name, password, **options)
    if not state.accounts.users:
        state.add_user("demo", "demo", **({"allowed_hosts": allowed} if allowed else {}))
    server = build_server(create_app(state), host=args.host, port=args.port, access_log=args.access_log)
    names = ", ".join(sorted(state.accounts.users))
    print(
        f"mfanalytics sandbox: http://{args.host}:{args.port}/api/v1 (Swagger: /MediasflowApi), "
        f"users: {names}, seed {args.seed}, speed {args.speed:g}, clock {state.clock.isoformat()}"
        + (f", db {args.db}" if args.db else ""),
        flush=True,
    )
    try:
        server.run()
    finally:
        if state.store is not None:
            state._save_meta()
            state.store.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``mfanalytics``."""
    parser = argparse.ArgumentParser(prog="mfanalytics", description="Mediasflow SMS campaigns, from the command line.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_sandbox(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mfanalytics`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
