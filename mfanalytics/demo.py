"""The main job, end to end, on an embedded sandbox: ``mfanalytics demo``.

Clean a list, price the message, upload the raw list and check that the
platform counts what the local cleaning found, send the campaign to every
line of it (prepare, check, inject: the platform screens out the invalid,
duplicate and blacklisted lines itself),
run the simulated clock until every SMS has its final status, fetch the
report, print the figures, and write a shareable HTML report and a CSV.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mfanalytics.times import PARIS

__all__ = ["DEMO_MESSAGE", "run_demo", "status_lines"]

#: The campaign the demo sends: personalised, with a tracked link.
DEMO_MESSAGE = "Bonjour ${PRENOM}, -20% ce week-end dans votre magasin de ${VILLE} : ${track_1} STOP 36184"
_LINK = [
    {
        "associateToDomain": "1mf.eu",
        "host": "1mf.eu",
        "index": 0,
        "isOG": True,
        "type": "REDIRECT",
        "label": "Soldes",
        "urlToRedirect": "https://www.example.com/soldes",
    }
]
# How the clock runs: after each step, the demo shows where the campaign is.
_STEPS = ((60, "1 min"), (540, "10 min"), (3000, "1 h"), (23 * 3600, "1 day"), (48 * 3600, "3 days"))


def status_lines(report: Any) -> list[tuple[str, str, int]]:
    """``(codes, label, rows)`` per status label of a report frame, most rows first.

    Codes that share a label (16 and 21 are both "Délivré") make one line,
    ``"16, 21"``; the label is the guide's French one (section 3), else the
    report's ``status_text``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mfanalytics.reports.parsing import parse_report
    >>> report = parse_report("INT_MOBILE;STATUS_CODE\\n+33600000001;16\\n+33600000002;21\\n+33600000003;20\\n")
    >>> status_lines(report)
    [('16, 21', 'Délivré', 2), ('20', 'Non délivré', 1)]
    """
    from mfanalytics.reports.status_codes import status_table

    if not len(report):
        return []
    code = report["status_code"].astype("Int64")
    label = code.map(status_table()["label_fr"]).astype("string")
    if "status_text" in report:  # a code the guide does not list: the report's own text
        label = label.fillna(report["status_text"].astype("string"))
    label = label.fillna("?")
    counts = (
        report.assign(_code=code.astype("string").fillna("?"), _label=label)
        .groupby(["_label", "_code"], observed=True)
        .size()
        .reset_index(name="n")
    )
    lines = []
    for name, group in counts.groupby("_label", sort=False):
        ordered = sorted(group["_code"], key=lambda c: (not c.isdigit(), int(c) if c.isdigit() else 0))
        lines.append((", ".join(ordered), str(name), int(group["n"].sum())))
    return sorted(lines, key=lambda line: (-line[2], line[0]))


def _default(name: str) -> Path:
    return Path("data_samples") / name


def _first_allowed(text: str, recipients: Any, after: datetime) -> datetime:
    """The first half hour from ``after`` at which :func:`check_compliance` finds no error for ``recipients``."""
    from mfanalytics.errors import ValidationError
    from mfanalytics.messages.compliance import check_compliance

    moment = after.replace(second=0, microsecond=0)
    moment += timedelta(minutes=(30 - moment.minute % 30) % 30)  # the next whole half hour
    for _ in range(14 * 48):  # two weeks of half hours
        if check_compliance(text, schedule_on=moment, recipients=recipients, sender="MaBoutique").ok:
            return moment
        moment += timedelta(minutes=30)
    raise ValidationError("no time in two weeks lets this campaign reach every recipient", rule="sending-hours")


def run_demo(
    out: str | Path = "out/demo",
    *,
    list_path: str | Path | None = None,
    blacklist_path: str | Path | None = None,
    seed: int = 0,
    lang: str = "fr",
    echo: Callable[[str], Any] = print,
) -> dict[str, Any]:
    """Run the demo and return its figures and the files it wrote.

    Parameters
    ----------
    out : path
        Folder for ``deliverability_report.html`` and ``report.csv``.
    list_path : path, optional
        Recipient list; default ``data_samples/campaign_5000.csv``.
    blacklist_path : path, optional
        Numbers that answered STOP earlier; default
        ``data_samples/blacklist_stop.csv``.
    seed : int
        Seed of the sandbox.
    lang : {"fr", "en"}
        Language of the HTML report.
    echo : callable
        Where the progress lines go.

    Returns
    -------
    dict
        ``campaign_id``, ``status_counts`` (code -> rows), ``summary`` (the
        KPIs), ``html`` and ``csv`` (paths).
    """
    from mfanalytics.analysis.html_report import deliverability_report
    from mfanalytics.analysis.kpis import summarize
    from mfanalytics.export import to_safe_csv
    from mfanalytics.lists import clean_recipients, read_list
    from mfanalytics.messages.message import Message, estimate_credits
    from mfanalytics.sandbox import sandbox

    list_path = Path(list_path) if list_path else _default("campaign_5000.csv")
    blacklist_path = Path(blacklist_path) if blacklist_path else _default("blacklist_stop.csv")
    out = Path(out)
    stops = read_list(blacklist_path)["item"].tolist() if blacklist_path.exists() else []

    echo(f"1. Cleaning {list_path}")
    cleaned = clean_recipients(list_path, blacklist=stops)
    a, counts = cleaned.analysis, cleaned.frame["mobile_issue"].value_counts()
    countries = ", ".join(f"{k} {v:,}" for k, v in sorted(a["validCountryCounter"].items(), key=lambda kv: -kv[1]))
    echo(f"   {a['size']:,} lines ({a['charsetDetected']}), valid mobiles {a['validNumberMOBILE']:,} ({countries})")
    echo(
        f"   invalid {a['invalidNumberMOBILE']:,} (lines {a['invalidLineList'][:5]}...), duplicates "
        f"{a['countDuplicateMobile']:,}, blacklisted {int(counts.get('blacklisted', 0)):,} -> "
        f"{len(cleaned.recipients):,} recipients to send"
    )

    message = Message(DEMO_MESSAGE, auto_replace_gsm7=True)
    estimate = estimate_credits(message, cleaned)
    echo(f"2. Pricing: {message.encoding}, {message.length} characters -> {message.segments} SMS each")
    echo(
        f"   {estimate.sendable:,} recipients, {estimate.credits:,} credits (parts per recipient: {estimate.segments})"
    )

    start = _first_allowed(DEMO_MESSAGE, cleaned, datetime.now(UTC).replace(second=0, microsecond=0))
    echo(
        f"   French sending rules (STOP mention, Monday to Saturday 08:00-20:00 in each recipient's time, "
        f"holidays): the first time they allow it for every recipient is {start.astimezone(PARIS):%a %d %b %Y %H:%M} "
        "Paris; the sandbox's clock starts there"
    )
    with sandbox(seed=seed, start=start) as sb:
        echo(f"3. Sending on the local sandbox (no real SMS): {sb.root}")
        client = sb.client()
        for number in stops:
            client.add_to_blacklist(number, description="STOP before the demo")
        uploaded = client.upload_list(list_path, filename=list_path.name, description="Demo soldes")
        same = all(
            uploaded[k] == a[k] for k in ("size", "validNumberMOBILE", "invalidNumberMOBILE", "countDuplicateMobile")
        )
        echo(
            f"   uploaded the raw list as list {uploaded['id']}: the platform counted "
            f"{uploaded['validNumberMOBILE']:,} valid, {uploaded['invalidNumberMOBILE']} invalid, "
            f"{uploaded['countDuplicateMobile']} duplicates ({'same as' if same else 'DIFFERENT from'} the local cleaning)"
        )
        draft = client.prepare_campaign(
            DEMO_MESSAGE,
            list_id=uploaded["id"],
            sender="MaBoutique",
            auto_replace_gsm7=True,
            tiny_list=_LINK,
            campaign_name="Demo soldes",
        )
        echo(
            f"   prepared campaign {draft.id} for {draft['countRecipient']:,} recipients: "
            f"{draft['countValid']:,} valid, {draft['countInvalidRecipient']} invalid, "
            f"{draft['countInBlackListRecipient']} blacklisted, {draft['countDuplicateRecipient']} duplicates, "
            f"{draft['creditCount']:,.0f} credits (estimated {estimate.credits:,})"
        )
        sent = client.inject_campaign(draft.id)
        echo(f"   injected: {sent.status}")
        echo("4. Running the simulated clock")
        for seconds, label in _STEPS:
            sb.advance(seconds)
            report = client.get_report(draft.id)
            groups = report["status_group"].value_counts()
            shown = ", ".join(f"{g} {int(n):,}" for g, n in groups.items() if n)
            echo(f"   after {label:>6}: {shown}")
        client.close()

    echo(f"5. CSV report of campaign {draft.id}: status counts (codes that share a label together)")
    for codes, label, n in status_lines(report):
        echo(f"   {codes:>7}  {label:<42} {n:>6,}")
    summary = summarize(report).iloc[0]
    echo(
        f"   delivered {int(summary['delivered']):,} of {int(summary['sent']):,} sent "
        f"({summary['delivery_rate']:.1%}), clicked {int(summary['clicked']):,} "
        f"({summary['click_rate']:.1%} of delivered), STOP {int(summary['stops'])}, "
        f"credits {int(summary['credits']):,}"
    )

    html = Path(
        deliverability_report(report, out / "deliverability_report.html", title="Démo : campagne soldes", lang=lang)
    )
    csv = to_safe_csv(report, out / "report.csv")
    echo(f"6. Wrote {html} ({html.stat().st_size / 1024:,.0f} KB) and {csv}")
    return {
        "campaign_id": draft.id,
        "status_counts": {int(str(k)): int(v) for k, v in report["status_code"].value_counts().items()},
        "summary": summary.to_dict(),
        "html": html,
        "csv": csv,
    }
