"""The ``mfanalytics`` command line.

One sub-command per task, each registered with its ``func`` by an ``add`` function:
``demo``, ``clean``, ``report``, ``fetch`` here, ``sandbox`` and ``archive`` in their lanes. Credentials come from the environment
(``MEDIASFLOW_USERNAME``/``MEDIASFLOW_PASSWORD`` or ``MEDIASFLOW_TOKEN``,
``MEDIASFLOW_BASE_URL``); to use a local sandbox, start ``mfanalytics sandbox``
and point the other commands at it (see :data:`SANDBOX_HELP`). Problems a user can fix (a missing credential, a
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
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

__all__ = ["build_parser", "main", "SANDBOX_HELP", "format_kpis"]

#: How to point the commands at a local sandbox (the end of ``--help``).
SANDBOX_HELP = """\
Credentials come from the environment: MEDIASFLOW_USERNAME and MEDIASFLOW_PASSWORD
(or MEDIASFLOW_TOKEN) and MEDIASFLOW_BASE_URL. To try the commands on a local
sandbox (no real SMS), start one in a terminal:

  mfanalytics sandbox --port 8080        # 30 days of sample campaigns, user demo/demo

and, in another:

  export MEDIASFLOW_BASE_URL=http://127.0.0.1:8080/api/v1
  export MEDIASFLOW_USERNAME=demo MEDIASFLOW_PASSWORD=demo
  mfanalytics fetch --from 2026-03-01 --out march.xlsx
"""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
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


def _paris_time(value: str) -> str:
    """``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM``, Paris time; a day that does not exist is named."""
    import calendar
    import re
    from datetime import datetime

    text = value.strip().replace("T", " ")
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            datetime.strptime(text, fmt)
            return value
        except ValueError:
            continue
    shape = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?: \d{2}:\d{2}(?::\d{2})?)?", text)
    if shape:
        year, month, day = (int(g) for g in shape.groups())
        if not 1 <= month <= 12:
            raise argparse.ArgumentTypeError(f"{value!r}: there is no month {month} (months are 01 to 12)")
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise argparse.ArgumentTypeError(
                f"{value!r}: that day does not exist ({calendar.month_name[month]} {year} has {last} days)"
            )
        raise argparse.ArgumentTypeError(f"{value!r}: that time does not exist (hours 00-23, minutes 00-59)")
    raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (Paris time), not {value[:40]!r}")


def _add_sandbox(subparsers: Any) -> None:
    from mfanalytics.sandbox.cli import add_sandbox  # mfanalytics sandbox

    add_sandbox(subparsers)


def _add_demo(subparsers: Any) -> None:
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


def _add_clean(subparsers: Any) -> None:
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
    p.add_argument("--out", required=True, help="the recipients to send: FILE.csv or FILE.xlsx")
    p.add_argument(
        "--rejected", default=None, metavar="FILE", help="also write the rejected lines and why (.csv or .xlsx)"
    )
    p.add_argument("--region", default="FR", help="region of national numbers (default FR)")
    p.add_argument("--column", default=None, help="the mobile column (default: found by name)")
    p.add_argument(
        "--blacklist", default=None, metavar="CSV", help="numbers not to send to (a list with an item or mobile column)"
    )
    p.set_defaults(func=_run_clean)


def _run_clean(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mfanalytics.errors import ValidationError
    from mfanalytics.lists import clean_recipients, read_list

    for flag, value in (("--out", args.out), ("--rejected", args.rejected)):
        if value is not None and Path(value).suffix.lower() not in (".csv", ".xlsx"):
            raise ValidationError(f"{flag} must end in .csv or .xlsx", rule="output-format", field=flag)

    blacklist = read_list(args.blacklist) if args.blacklist else None
    result = clean_recipients(args.file, region=args.region, column=args.column, blacklist=blacklist)
    a = result.analysis
    print(f"{args.file}: {a['size']:,} lines, {a['charsetDetected']}, mobile column {result.column!r}")
    countries = ", ".join(f"{k} {int(v):,}" for k, v in sorted(a["validCountryCounter"].items(), key=lambda kv: -kv[1]))
    print(f"  valid mobiles {a['validNumberMOBILE']:,}" + (f" ({countries})" if countries else ""))
    print(f"  invalid {a['invalidNumberMOBILE']:,}{_line_list(a['invalidLineList'])}")
    print(f"  duplicates {a['countDuplicateMobile']:,}{_line_list(a['lineDuplicateMobile'])}")
    issues = result.frame["mobile_issue"].value_counts()
    print("  by issue: " + ", ".join(f"{k} {int(v):,}" for k, v in issues.items() if v))
    _write_frame(result.recipients, Path(args.out))
    print(f"wrote {len(result.recipients):,} recipients to {args.out}")
    if args.rejected:
        rejected = result.frame[result.frame["mobile_issue"].notna()]
        _write_frame(rejected, Path(args.rejected))
        print(f"wrote {len(rejected):,} rejected lines to {args.rejected}")
    return 0


def _line_list(lines: Sequence[Any], shown: int = 20) -> str:
    """`` (lines 3, 5 and 12 more)`` for people; empty when there is none."""
    if not len(lines):
        return ""
    more = f" and {len(lines) - shown:,} more" if len(lines) > shown else ""
    return f" (line{'s' if len(lines) > 1 else ''} {', '.join(str(n) for n in lines[:shown])}{more})"


def _add_report(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "report",
        help="write the HTML deliverability report of a campaign or a report file",
        description="Fetch a campaign's report (by id, with credentials from the environment) or read a report CSV, print its KPIs, write a self-contained HTML report.",
    )
    p.add_argument("source", help="a campaign id, or a report CSV file")
    p.add_argument(
        "--out",
        default="report.html",
        help="FILE.html (the report; default report.html) or FILE.xlsx (sheets rows, kpis, failures)",
    )
    p.add_argument("--lang", choices=("fr", "en"), default="fr", help="language of the report (default fr)")
    p.add_argument("--title", default=None, help="title of the report")
    p.set_defaults(func=_run_report)


def _run_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mfanalytics.analysis.html_report import deliverability_report
    from mfanalytics.analysis.kpis import summarize
    from mfanalytics.errors import ValidationError
    from mfanalytics.reports.parsing import read_report

    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".htm", ".xlsx"):
        raise ValidationError(
            "--out must end in .html (the report) or .xlsx (rows, KPIs and failures)",
            rule="output-format",
            field="--out",
        )
    source = Path(args.source)
    if source.exists():
        report = read_report(source)
    elif args.source.isdigit():
        from mfanalytics.api.client import Client

        with Client.from_env() as client:
            report = client.get_report(int(args.source))
    elif source.suffix or source.parent != Path("."):
        raise ValidationError(f"{args.source}: the file does not exist.", rule="source-missing", field="source")
    else:
        raise ValidationError(
            f"{args.source} is neither a report file nor a campaign id.", rule="source", field="source"
        )
    print(format_kpis(summarize(report, by=_by(report))))
    if out.suffix.lower() == ".xlsx":
        path = _write_frame(report, out, tables=True)
    else:
        path = Path(deliverability_report(report, out, title=args.title, lang=args.lang))
    print(f"wrote {path}")
    return 0


def _by(report: pd.DataFrame) -> str | None:
    """Group by campaign only when the rows say which campaign they are (a report file may not)."""
    return "campaign_id" if "campaign_id" in report and report["campaign_id"].notna().any() else None


#: The KPIs printed, with their labels and what each rate is a share of.
_KPI_LINES = (
    ("recipients", "recipients", None),
    ("sent", "sent", None),
    ("delivered", "delivered", None),
    ("delivery_rate", "delivery rate", "of sent"),
    ("clicked", "clicked", None),
    ("click_rate", "click rate", "of delivered with a link"),
    ("stops", "STOP", None),
    ("credits", "credits", None),
)


def format_kpis(summary: pd.DataFrame) -> str:
    """A :func:`~mfanalytics.summarize` table for people: counts with separators, rates in percent.

    Examples
    --------
    >>> import pandas as pd
    >>> print(format_kpis(pd.DataFrame({"sent": [1200], "delivery_rate": [2 / 3]}, index=pd.Index([7], name="campaign_id"))))
    campaign   sent  delivery rate
           7  1,200         66.7 %
    (delivery rate: of sent)
    """
    import pandas as pd

    shown = [(key, label, base) for key, label, base in _KPI_LINES if key in summary.columns]
    first = "campaign" if summary.index.name == "campaign_id" else ""
    rows = []
    for index, row in summary.iterrows():
        cells = [str(index) if first else "all"]
        for key, _, base in shown:
            value = row[key]
            if pd.isna(value):
                cells.append("–")
            elif base is not None:
                cells.append(f"{float(value) * 100:.1f} %")
            else:
                cells.append(f"{int(value):,}")
        rows.append(cells)
    header = [first or "rows", *(label for _, label, _ in shown)]
    widths = [max(len(c) for c in column) for column in zip(header, *rows)]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(header, widths))).rstrip()]
    lines += ["  ".join(c.rjust(w) for c, w in zip(cells, widths)) for cells in rows]
    bases = [f"{label}: {base}" for _, label, base in shown if base]
    if bases:
        lines.append("(" + "; ".join(bases) + ")")
    return "\n".join(lines)


def _add_fetch(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "fetch",
        help="download the report rows of a period (any length) to Parquet or CSV",
        description="Fetch every campaign's rows sent in a period, in 7-day windows, with credentials from the environment.",
        epilog=SANDBOX_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--from", dest="start", required=True, type=_paris_time, help="YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (Paris time)"
    )
    p.add_argument(
        "--to",
        dest="end",
        default=None,
        type=_paris_time,
        help="end of the period (default now; a date includes that day)",
    )
    p.add_argument(
        "--out", required=True, help="FILE.parquet, FILE.csv or FILE.xlsx (sheets rows, kpis, failures; Paris time)"
    )
    p.add_argument("--status", default=None, type=_status_codes, help="status codes to keep, e.g. 16,21")
    p.add_argument("--search", default=None, help="FIQL search, e.g. item==0612345678")
    p.add_argument("--workers", type=_positive, default=4, help="windows fetched at once (default 4)")
    p.set_defaults(func=_run_fetch)


def _run_fetch(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mfanalytics.api.client import Client
    from mfanalytics.errors import ValidationError
    from mfanalytics.times import instant

    out = Path(args.out)
    if out.suffix.lower() not in (".parquet", ".csv", ".xlsx"):
        raise ValidationError("--out must end in .parquet, .csv or .xlsx", rule="output-format", field="--out")
    if args.end is not None and instant(args.end, end=True) <= instant(args.start, end=False):
        raise ValidationError(
            f"--to {args.end!r} is before --from {args.start!r}: the period would be empty "
            "(a date alone for --to includes that day).",
            rule="period-order",
            field="--to",
        )
    _check_writable(out)  # before downloading dozens of windows
    with Client.from_env() as client:
        frame = client.get_reports(args.start, args.end, status=args.status, search=args.search, workers=args.workers)
    _write_frame(frame, out, tables=True)
    print(f"wrote {len(frame):,} rows of {frame['campaign_id'].nunique() if len(frame) else 0} campaigns to {out}")
    return 0


def _check_writable(out: Path) -> None:
    """Raise OSError now if ``out`` cannot be written (its folder is created, as the writers do)."""
    import tempfile

    if out.is_dir():
        raise IsADirectoryError(21, "is a folder", str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        with open(out, "ab"):
            pass
    else:
        with tempfile.NamedTemporaryFile(dir=out.parent, prefix=".mfanalytics-probe-"):
            pass


def _report_tables(report: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The sheets of a report's workbook: its rows, its KPIs, its failures."""
    from mfanalytics.analysis.kpis import failure_reasons, summarize

    return {"rows": report, "kpis": summarize(report, by=_by(report)), "failures": failure_reasons(report)}


def _write_frame(frame: pd.DataFrame, out: Path, *, tables: bool = False) -> Path:
    """Write ``frame`` by the suffix of ``out`` (.csv, .parquet, .xlsx); a report's KPIs go in their own sheets."""
    from mfanalytics.export import to_excel, to_safe_csv

    suffix = out.suffix.lower()
    if suffix == ".xlsx":
        return to_excel(_report_tables(frame) if tables else {"rows": frame}, out)
    if suffix == ".parquet":
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(out, index=False)
        return out
    return to_safe_csv(frame, out)


def _add_archive(subparsers: Any) -> None:
    from mfanalytics.archive.cli import add_archive  # archive sync | info

    add_archive(subparsers)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``mfanalytics``."""
    parser = _Parser(
        prog="mfanalytics",
        description="Mediasflow SMS campaigns, from the command line.",
        epilog=SANDBOX_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
        return int(args.func(args))
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
