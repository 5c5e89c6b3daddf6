"""What the sandbox's routes answer: JSON views of campaigns, report bodies,
list uploads. Kept apart from :mod:`mfanalytics.sandbox.app` so that they can
be called without HTTP (the embedded sandbox and the benchmark do).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterable
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mfanalytics.charsets import category_strings
from mfanalytics.errors import ValidationError
from mfanalytics.sandbox import reports
from mfanalytics.sandbox.auth import Account
from mfanalytics.sandbox.campaign import SimCampaign, flag, make_message, normalize_numbers, normalized_numbers
from mfanalytics.sandbox.clock import format_utc
from mfanalytics.sandbox.state import Conflict, SandboxState, guide_date

__all__ = [
    "campaign_answer",
    "campaign_state",
    "campaign_report",
    "campaign_report_file",
    "period_report",
    "upload_list",
    "short_link",
]

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def short_link(campaign_id: int, line: int, k: int) -> str:
    """The tracked short link of link ``k`` for one recipient: 22 characters, like
    :data:`mfanalytics.messages.message.TRACK_PLACEHOLDER`.

    Examples
    --------
    >>> len(short_link(1001, 1, 1))
    22
    """
    number = int.from_bytes(hashlib.sha256(f"{campaign_id}:{line}:{k}".encode()).digest()[:8], "big")
    code = ""
    for _ in range(7):
        number, rest = divmod(number, 62)
        code += _B62[rest]
    return "https://1mf.eu/" + code


def campaign_answer(campaign: SimCampaign, state: SandboxState) -> dict[str, Any]:
    """The prepare/inject answer, with the fields of the guide's 2.1.3.1 example."""
    p = campaign.params
    owner = state.accounts.by_id(campaign.owner_id)
    counts = {k: v for k, v in campaign.counts.items() if k not in ("notSentByCode", "lineDuplicateMobile")}
    frame = campaign.frame
    recipients = []
    if len(frame) <= 100:
        recipients = [{"mobile": m, "groupID": 0, "id": i} for i, m in enumerate(frame["__raw"].fillna("").tolist())]
    answer = {
        "userOwnerID": campaign.owner_id,
        "customerID": owner.customer_id if owner else "",
        "id": campaign.id,
        "sendToSelect": "SMS",
        "typeSelect": p.get("typeSelect", "MKG"),
        "campaignName": p.get("campaignName"),
        "listInCampaign": {
            "_id": 0,
            "type": "VIRTUAL",
            "globalInvalidLine": counts.get("countInvalidRecipient", 0),
            "validNumberMOBILE": int(frame["__valid"].sum()),
            "validNumberEMAIL": 0,
            "invalidNumberEMAIL": 0,
            "invalidNumberMOBILE": int((~frame["__valid"]).sum()),
            "size": len(frame),
            "maxSizeDataLine": 0,
            "recipients": recipients,
            "listsItems": [int(i) for i in _ids(p.get("listsId"))],
            "lineDuplicateMobile": campaign.counts.get("lineDuplicateMobile", []),
            "countDuplicateMobile": counts.get("countDuplicateRecipient", 0),
            "lineDuplicateEmail": [],
            "countDuplicateEmail": 0,
            "charsetDetected": "",
            "campainId": campaign.id,
        },
        "renderer": p.get("renderer", "BASIC"),
        "creationDate": guide_date(campaign.created),
        "sender": p.get("sender"),
        "status": campaign.status,
        "shortCode": p.get("shortCode"),
        "message": p.get("msg"),
        "pathToCampaign": f"{campaign.id % 256:02x}/{campaign.id // 256 % 256:02x}/",
        "checkDuplicate": flag(p.get("checkDuplicate"), True),
        "allowUCS2": flag(p.get("allowUCS2"), False),
        "autoREPLACEEMOJI": flag(p.get("autoREPLACEEMOJI"), False),
        "autoREPLACETOGSM7": flag(p.get("autoREPLACETOGSM7"), False),
        "defaultForHeader": p.get("defaultForHeader") or {},
        "creditAfterInjection": 0.0,
        "countPosted": 0,
        **counts,
        "updateDate": guide_date(campaign.updated),
        "scheduled": campaign.schedule_on is not None,
        "isInScheduler": campaign.status == "SCHEDULED",
        "scheduleOn": p.get("scheduleOn"),
        "tinyList": p.get("tinyList") or [],
        "brand": p.get("brand"),
        "billingCode": p.get("billingCode"),
    }
    if campaign.status == "DRAFT" and owner is not None:
        answer["creditAfterInjection"] = float(owner.credit - counts.get("creditCount", 0.0))
    return answer


def campaign_state(campaign: SimCampaign, state: SandboxState, *, sample: bool) -> dict[str, Any]:
    """``/_sandbox/campaigns/{id}``: the stored state, with rendered samples."""
    out = campaign_answer(campaign, state)
    out["injectedAt"] = format_utc(campaign.injected_at) if campaign.injected_at is not None else None
    out["ownerName"] = campaign.owner_name
    out["notSentByCode"] = campaign.counts.get("notSentByCode", {})
    out["fields"] = campaign.fields
    if campaign.injected_at is not None:
        codes, counts = np.unique(reports.current_codes(campaign, state.now()), return_counts=True)
        out["statusCounts"] = {str(int(c)): int(n) for c, n in zip(codes, counts)}
    if sample:
        out["sample"] = render_sample(campaign)
    return out


def render_sample(campaign: SimCampaign, n: int = 5) -> list[dict[str, Any]]:
    """The first ``n`` recipients' texts as sent, with their real short links."""
    rows = campaign.frame.head(n)
    out = []
    for pos in range(len(rows)):
        line = int(rows["__line"].iloc[pos])
        text = campaign.params.get("msg") or ""
        for k in range(1, campaign.n_tracks + 1):
            text = re.sub(rf"\$\{{track_{k}\}}", short_link(campaign.id, line, k), text, flags=re.IGNORECASE)
        message = make_message({**campaign.params, "msg": text})
        rendered = message.render(rows[campaign.fields].iloc[[pos]], max_segments=6)
        out.append(
            {
                "line": line,
                "mobile": rows["__e164"].iloc[pos] if bool(rows["__valid"].iloc[pos]) else rows["__raw"].iloc[pos],
                "text": None if pd.isna(rendered["text"].iloc[0]) else str(rendered["text"].iloc[0]),
                "segments": None if pd.isna(rendered["segments"].iloc[0]) else int(rendered["segments"].iloc[0]),
            }
        )
    return out


def campaign_report(
    state: SandboxState, account: Account, campaign_id: int, status: str | None, details: str | None, fmt: str
) -> bytes:
    """Body of ``/campaigns/report/{id}`` (``fmt="csv"``) or ``/reportjson/{id}``."""
    table = _campaign_table(state, account, campaign_id, status, details)
    return reports.to_csv_bytes(table) if fmt == "csv" else reports.to_json_bytes(table)


def campaign_report_file(
    state: SandboxState, account: Account, campaign_id: int, status: str | None, details: str | None
) -> tuple[BinaryIO, int, str]:
    """The CSV body of ``/campaigns/report/{id}`` (the bytes of :func:`campaign_report`) in an anonymous
    temporary file, deleted when closed, rewound: ``(file, size in bytes, hex SHA-256)``. The body is
    never held whole in memory, nor the report table: :func:`reports.write_report_csv` builds and writes
    it a chunk of lines at a time. The report is that of one instant, read under the state's lock; it is
    written without it (seconds at 5M lines), as an injected campaign's frame, codes and simulation are
    never changed: the report at an instant is a function of them."""
    state.tick()
    campaign = state.get_campaign(campaign_id, account)
    with state.lock:
        if campaign.injected_at is None:
            raise Conflict(f"campaign {campaign.id} is {campaign.status}: it has no report before it is injected")
        now = state.now()
    sink = tempfile.TemporaryFile()  # noqa: SIM115  # handed on open: the answer closes it
    try:
        reports.write_report_csv(
            campaign,
            now,
            sink,
            status=reports.parse_status_filter(status),
            details=[d for d in (details or "").split(";") if d.strip()] or None,
        )
        size = sink.tell()
        sink.seek(0)
        digest = hashlib.file_digest(sink, "sha256").hexdigest()
        sink.seek(0)
    except BaseException:
        sink.close()
        raise
    return sink, size, digest


def _campaign_table(
    state: SandboxState, account: Account, campaign_id: int, status: str | None, details: str | None
) -> pa.Table:
    state.tick()
    campaign = state.get_campaign(campaign_id, account)
    with state.lock:
        if campaign.injected_at is None:
            raise Conflict(f"campaign {campaign.id} is {campaign.status}: it has no report before it is injected")
        return reports.report_table(
            campaign,
            state.now(),
            status=reports.parse_status_filter(status),
            details=[d for d in (details or "").split(";") if d.strip()] or None,
        )


def period_report(
    state: SandboxState,
    account: Account,
    start: str | None,
    end: str | None,
    status: str | None,
    types: str | None,
    key_field: str | None,
    user_id: str | None,
    search: str | None,
    fmt: str,
) -> bytes:
    """Body of the period reports ``/campaigns/report/`` and ``/reportjson/``."""
    lo, hi = reports.parse_period(start, end)
    codes = reports.parse_status_filter(status)
    groups = reports.parse_fiql(search) if search else None
    wanted = [k.strip() for k in (key_field or "").split(";") if k.strip()]
    if user_id:
        owners = {state.acting_for(account, user_id).user_id}
    elif account.is_admin:
        owners = None
    else:
        owners = {account.user_id}
    medias = {t.strip().upper() for t in re.split(r"[;,]", types or "") if t.strip()}
    state.tick()
    tables = []
    if not medias or "SMS" in medias:
        with state.lock:
            now = state.now()
            for campaign in sorted(state.campaigns.values(), key=lambda c: c.id):
                if campaign.injected_at is None or not (lo <= campaign.injected_at < hi):
                    continue
                if owners is not None and campaign.owner_id not in owners:
                    continue
                table = reports.report_table(
                    campaign,
                    now,
                    status=codes,
                    details=wanted or None,
                    search=groups,
                    with_campaign_id=True,
                    strict=False,
                )
                if table.num_rows:
                    tables.append(table)
    if tables:
        table = pa.concat_tables(tables, promote_options="permissive")
    else:
        table = pa.table(
            {
                c: pa.array(
                    [], pa.int64() if c in ("CAMPAIGN_ID", "ID_LINE", "STATUS_CODE", "PREVIEW_COUNTER") else pa.string()
                )
                for c in _PERIOD_COLUMNS
            }
        )
    for name in wanted:
        if name.lower() not in {c.lower() for c in table.column_names}:
            table = table.append_column(name, pa.nulls(table.num_rows, pa.string()))
    for i, name in enumerate(table.column_names):
        if name.endswith("_COUNTER") and table.column(i).null_count:
            table = table.set_column(i, name, pc.fill_null(table.column(i), 0))
    return reports.to_csv_bytes(table) if fmt == "csv" else reports.to_json_bytes(table)


_PERIOD_COLUMNS = (
    "CAMPAIGN_ID",
    "REF_LIST",
    "ID_LINE",
    "INT_MOBILE",
    "STATUS_CODE",
    "STATUS_TEXT",
    "DELIVERYDATE",
    "REPLY",
    "PREVIEW",
    "PREVIEW_COUNTER",
)


def upload_list(
    state: SandboxState,
    account: Account,
    content: bytes,
    filename: str,
    description: str | None,
    owner: str | None,
) -> dict[str, Any]:
    """Parse and analyse an uploaded list with :mod:`mfanalytics.lists.cleaning`; store it."""
    from mfanalytics.lists import cleaning, reading

    target = state.acting_for(account, owner)
    frame = reading.parse_list(content)
    column = _mobile_column(frame)
    norm = normalized_numbers(frame[column].astype("string"))
    analysis = dict(cleaning.analyze_list(frame, column=column, normalized=norm))
    normalized = norm.frame(frame.index)  # after the analysis: the frame is made of (and empties) its keys
    frame = frame.copy()
    # the columns as pandas' default strings, Arrow-backed: no Python object per number
    frame["__e164"] = normalized["mobile_e164"].astype("str").array
    frame["__valid"] = normalized["mobile_valid"].fillna(False).to_numpy(dtype=bool)
    frame["__country"] = category_strings(normalized["mobile_country"], "str")
    valid = dict(analysis.get("validCountryCounter") or {})
    refused = {k: v for k, v in valid.items() if k not in target.countries}
    if refused:
        analysis["validCountryCounter"] = {k: v for k, v in valid.items() if k in target.countries}
        analysis["invalidCountryCounter"] = {**(analysis.get("invalidCountryCounter") or {}), **refused}
    name = str(description or filename)
    analysis.setdefault("filename", filename)
    analysis["description"] = description or filename
    analysis["creationDate"] = format_utc(state.now()).replace("Z", ".000Z[UTC]")
    analysis["campainId"] = 0
    return state.add_list(target, frame, column, analysis, name)


def _mobile_column(frame: pd.DataFrame) -> str:
    from mfanalytics.lists.reading import find_mobile_column

    return find_mobile_column(frame.columns)


def add_global(state: SandboxState, items: str | Iterable[str]) -> dict[str, Any]:
    """Add numbers to the global blacklist (code 15)."""
    items = [items] if isinstance(items, str) else list(items)
    norm = normalize_numbers(items)
    bad = [str(i) for i, ok in zip(items, norm["mobile_valid"].fillna(False)) if not ok]
    if bad:
        raise ValidationError(f"not valid mobile numbers: {bad}", rule="mobile", field="items")
    with state.lock:
        state.global_blacklist.update(norm["mobile_e164"].astype(str))
        state._save_meta()
        return {"count": len(state.global_blacklist)}


def _ids(value: Any) -> list[int]:
    if value in (None, "", []):
        return []
    if isinstance(value, (int, str)):
        value = [value]
    return [int(v) for v in value]
