"""The ``mfanalytics`` command line.

One sub-command per task, each a ``_add_<name>(subparsers)`` function that
registers its parser and sets ``func``: ``demo``, ``sandbox``, ``clean``,
``report`` and ``fetch``. Credentials come from the environment
(``MEDIASFLOW_USERNAME``/``MEDIASFLOW_PASSWORD`` or ``MEDIASFLOW_TOKEN``,
``MEDIASFLOW_BASE_URL``). Problems a user can fix (a missing credential, a
wrong password, an unknown campaign, an unreadable file) print one line and
exit with status 2, not a traceback.

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


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str):
        where = self.prog if " " in self.prog else f"{self.prog} command"
        self.exit(2, f"{where}: {message} (see {self.prog} --help)\n")


def _status_codes(value: str) -> list[int]:
    """``16,21`` (or ``16;21``): status codes of the guide's section 3."""
    codes = [part.strip() for part in value.replace(";", ",").split(",")]
    if not all(part.isdigit() and len(part) <= 4 for part in codes):
        raise argparse.ArgumentTypeError(f"--status takes status codes such as 16,21, not {value[:40]!r}")
    return [int(part) for part in codes]


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {value[:40]!r}")
    return number


def _speed(value: str) -> float:
    from mfanalytics.sandbox.clock import check_speed

    try:
        return check_speed(float(value))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc) if "speed" in str(exc) else f"expected a number, not {value[:40]!r}")


def _instant(value: str) -> str:
    from mfanalytics.sandbox.clock import parse_instant

    try:
        parse_instant(value)
    except (ValueError, TypeError, OverflowError):
        raise argparse.ArgumentTypeError(
            f"expected an ISO 8601 instant such as 2026-03-02T09:00:00Z, not {value[:40]!r}"
        ) from None
    return value


def _user(value: str) -> tuple[str, str, str]:
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
    p.add_argument(
        "--user",
        action="extend",
        nargs="+",
        type=_user,
        metavar="NAME:PASSWORD[:ADMIN]",
        help="accounts (repeatable; ADMIN may act for others); default demo:demo",
    )
    p.add_argument("--speed", type=_speed, default=1.0, help="simulated seconds per wall second (default 1)")
    p.add_argument("--start", default=None, type=_instant, help="simulated start time, ISO 8601 (default now)")
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
        default=0,
        metavar="DAYS",
        help="start with DAYS days of sample campaigns before the start time "
        "(skipped when --db already holds campaigns)",
    )
    p.set_defaults(func=_run_sandbox)


def _run_sandbox(args: argparse.Namespace) -> int:
    try:
        from mfanalytics.sandbox import server
    except ImportError as exc:  # pragma: no cover - depends on the install
        print(f"the sandbox needs its extra: pip install 'mfanalytics[sandbox]' ({exc})", file=sys.stderr)
        return 2
    if args.samples < 0:
        print("mfanalytics sandbox: --samples takes a number of days (0 or more)", file=sys.stderr)
        return 2
    state = server.prepare_state(
        db=args.db,
        seed=args.seed,
        start=args.start,
        speed=args.speed,
        samples=args.samples,
        users=args.user or [],
        allow=args.allow or [],
    )
    names = ", ".join(sorted(state.accounts.users))
    ready = (
        f"mfanalytics sandbox: http://{args.host}:{args.port}/api/v1 (Swagger: /MediasflowApi), "
        f"users: {names}, seed {args.seed}, speed {args.speed:g}, clock {state.clock.isoformat()}"
        + (f", db {args.db}" if args.db else "")
    )
    server.serve(state, host=args.host, port=args.port, access_log=args.access_log, ready=ready)
    return 0


def _add_demo(subparsers) -> None:
    p = subparsers.add_parser(
        "demo",
        help="the main job on a local sandbox: clean, price, send, report",
        description=(
            "Clean the sample list, price the message, send the campaign to an embedded sandbox "
            "(no real SMS), run its clock, fetch the report, print the figures, and write "
            "OUT/deliverability_report.html and OUT/report.csv."
        ),
    )
    p.add_argument("--out", default="out/demo", help="output folder (default out/demo)")
    p.add_argument(
        "--list",
        dest="list_path",
        default=None,
        metavar="CSV",
        help="recipient list (default data_samples/campaign_5000.csv)",
    )
    p.add_argument(
        "--blacklist",
        dest="blacklist_path",
        default=None,
        metavar="CSV",
        help="numbers that answered STOP before (default data_samples/blacklist_stop.csv)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the sandbox (default 0)")
    p.add_argument("--lang", choices=("fr", "en"), default="fr", help="language of the HTML report")
    p.set_defaults(func=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    from mfanalytics.demo import run_demo

    run_demo(args.out, list_path=args.list_path, blacklist_path=args.blacklist_path, seed=args.seed, lang=args.lang)
    return 0


def _add_clean(subparsers) -> None:
    p = subparsers.add_parser(
        "clean",
        help="clean a recipient list and print its analysis",
        description=(
            "Read a recipient list (CSV, ; or ,, UTF-8/Windows-1252/UTF-16), normalise the mobile "
            "numbers to E.164, drop invalid, duplicate and blacklisted ones, print the analysis the "
            "platform would give (/lists/upload), and write the recipients to send."
        ),
    )
    p.add_argument("file", help="the list to clean")
    p.add_argument("--out", required=True, help="CSV of the recipients to send")
    p.add_argument("--rejected", default=None, metavar="CSV", help="also write the rejected lines and why")
    p.add_argument("--region", default="FR", help="region of national numbers (default FR)")
    p.add_argument("--column", default=None, help="the mobile column (default: found by name)")
    p.add_argument(
        "--blacklist", default=None, metavar="CSV", help="numbers not to send to (a list with an item or mobile column)"
    )
    p.set_defaults(func=_run_clean)


def _run_clean(args: argparse.Namespace) -> int:
    from mfanalytics.export import to_safe_csv
    from mfanalytics.lists import clean_recipients, read_list

    blacklist = read_list(args.blacklist) if args.blacklist else None
    result = clean_recipients(args.file, region=args.region, column=args.column, blacklist=blacklist)
    a = result.analysis
    print(f"{args.file}: {a['size']:,} lines, {a['charsetDetected']}, mobile column {result.column!r}")
    print(f"  valid mobiles {a['validNumberMOBILE']:,} {a['validCountryCounter']}")
    print(f"  invalid {a['invalidNumberMOBILE']:,} (lines {a['invalidLineList'][:20]})")
    print(f"  duplicates {a['countDuplicateMobile']:,} (lines {a['lineDuplicateMobile'][:20]})")
    issues = result.frame["mobile_issue"].value_counts()
    print("  by issue: " + ", ".join(f"{k} {int(v):,}" for k, v in issues.items() if v))
    to_safe_csv(result.recipients, args.out)
    print(f"wrote {len(result.recipients):,} recipients to {args.out}")
    if args.rejected:
        rejected = result.frame[result.frame["mobile_issue"].notna()]
        to_safe_csv(rejected, args.rejected)
        print(f"wrote {len(rejected):,} rejected lines to {args.rejected}")
    return 0


def _add_report(subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        help="write the HTML deliverability report of a campaign or a report file",
        description="Fetch a campaign's report (by id, with credentials from the environment) or read a report CSV, print its KPIs, write a self-contained HTML report.",
    )
    p.add_argument("source", help="a campaign id, or a report CSV file")
    p.add_argument("--out", default="report.html", help="HTML file to write (default report.html)")
    p.add_argument("--lang", choices=("fr", "en"), default="fr", help="language of the report (default fr)")
    p.add_argument("--title", default=None, help="title of the report")
    p.set_defaults(func=_run_report)


def _run_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mfanalytics.analysis.html_report import deliverability_report
    from mfanalytics.analysis.kpis import summarize
    from mfanalytics.reports.parsing import read_report

    source = Path(args.source)
    if source.exists():
        report = read_report(source)
    elif args.source.isdigit():
        from mfanalytics.api.client import Client

        with Client.from_env() as client:
            report = client.get_report(int(args.source))
    else:
        from mfanalytics.errors import ValidationError

        raise ValidationError(
            f"{args.source} is neither a report file nor a campaign id.", rule="source", field="source"
        )
    _print_summary(summarize(report, by=None) if "campaign_id" not in report else summarize(report))
    path = deliverability_report(report, args.out, title=args.title, lang=args.lang)
    print(f"wrote {path}")
    return 0


def _print_summary(summary) -> None:
    keys = ["recipients", "sent", "delivered", "delivery_rate", "clicked", "click_rate", "stops", "credits"]
    print(summary[[k for k in keys if k in summary.columns]].to_string())


def _add_fetch(subparsers) -> None:
    p = subparsers.add_parser(
        "fetch",
        help="download the report rows of a period (any length) to Parquet or CSV",
        description="Fetch every campaign's rows sent in a period, in 7-day windows, with credentials from the environment.",
    )
    p.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (Paris time)")
    p.add_argument("--to", dest="end", default=None, help="end of the period (default now; a date includes that day)")
    p.add_argument("--out", required=True, help="FILE.parquet or FILE.csv")
    p.add_argument("--status", default=None, type=_status_codes, help="status codes to keep, e.g. 16,21")
    p.add_argument("--search", default=None, help="FIQL search, e.g. item==0612345678")
    p.add_argument("--workers", type=_positive, default=4, help="windows fetched at once (default 4)")
    p.set_defaults(func=_run_fetch)


def _run_fetch(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mfanalytics.api.client import Client
    from mfanalytics.errors import ValidationError
    from mfanalytics.export import to_safe_csv

    out = Path(args.out)
    if out.suffix.lower() not in (".parquet", ".csv"):
        raise ValidationError("--out must end in .parquet or .csv", rule="output-format", field="--out")
    status = args.status
    with Client.from_env() as client:
        frame = client.get_reports(args.start, args.end, status=status, search=args.search, workers=args.workers)
    if out.suffix.lower() == ".parquet":
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(out, index=False)
    else:
        to_safe_csv(frame, out)
    print(f"wrote {len(frame):,} rows of {frame['campaign_id'].nunique() if len(frame) else 0} campaigns to {out}")
    return 0


def _add_archive(subparsers) -> None:
    from mfanalytics.archive.cli import add_archive  # archive sync | info

    add_archive(subparsers)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``mfanalytics``."""
    parser = _Parser(prog="mfanalytics", description="Mediasflow SMS campaigns, from the command line.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for add in (_add_demo, _add_sandbox, _add_clean, _add_report, _add_fetch, _add_archive):
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mfanalytics`` command."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a bad argument (2, one line already printed)
        return exc.code if isinstance(exc.code, int) else 2
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from mfanalytics.errors import MediasflowError

    try:
        return args.func(args)
    except MediasflowError as exc:
        print(f"mfanalytics {args.command}: " + " ".join(str(exc).split()), file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"mfanalytics {args.command}: cannot read or write {exc.filename or exc}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
