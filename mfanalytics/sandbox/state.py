"""The in-memory state of a sandbox and the operations the routes call.

One :class:`SandboxState` holds the clock, the accounts, the campaigns, the
uploaded lists and the blacklist, behind one re-entrant lock. Side effects of
time (scheduled campaigns injecting, STOP replies joining the blacklist) are
applied lazily by :meth:`SandboxState.tick`, which every request and every
clock move calls. With a :class:`~mfanalytics.sandbox.store.Store`, every
change is written through to SQLite.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mfanalytics.errors import ScheduleError, ValidationError
from mfanalytics.sandbox import engine
from mfanalytics.sandbox.auth import Account, Accounts
from mfanalytics.sandbox.campaign import (
    SimCampaign,
    count_fields,
    frame_from_list,
    make_message,
    normalize,
    normalize_numbers,
    recipients_from_json,
    screen,
)
from mfanalytics.sandbox.clock import SimClock, format_utc
from mfanalytics.sandbox.faults import FaultConfig

if TYPE_CHECKING:
    from mfanalytics.sandbox.store import Store

__all__ = ["SandboxState", "Conflict", "NotFound", "Forbidden", "BLACKLIST_COLUMNS"]

BLACKLIST_COLUMNS = ("id", "item", "typeItem", "createdDescription", "brand", "userOwnerID", "creationDate", "source")
#: Recipients the sandbox processes per simulated second when it prepares a
#: campaign: the campaign is INPROGRESS for ``recipients // PROCESSING_RATE`` s.
PROCESSING_RATE = 10_000
#: A SCHEDULED campaign cannot be cancelled this close to its send time (seconds).
CANCEL_WINDOW = 10.0


class Conflict(Exception):
    """409: the campaign is not in the state the operation needs."""


class NotFound(Exception):
    """404: no such campaign or list (for this account)."""


class Forbidden(Exception):
    """403: the account may not act for that userOwnerID."""


def guide_date(seconds: float) -> str:
    """``Jun 16, 2021 6:29:07 PM`` as in the guide's example (UTC)."""
    d = datetime.fromtimestamp(seconds, tz=UTC)
    return f"{d:%b} {d.day}, {d.year} {(d.hour % 12) or 12}:{d:%M:%S} {'AM' if d.hour < 12 else 'PM'}"


class SandboxState:
    """Everything a sandbox knows; thread-safe through :attr:`lock`."""

    def __init__(self, *, seed: int = 0, clock: SimClock | None = None, store: Store | None = None) -> None:
        self.seed = int(seed)
        self.clock = clock or SimClock()
        self.accounts = Accounts()
        self.faults = FaultConfig(seed=self.seed)
        self.campaigns: dict[int, SimCampaign] = {}
        self.lists: dict[int, dict[str, Any]] = {}
        self.blacklist = pd.DataFrame({c: pd.Series(dtype="string") for c in BLACKLIST_COLUMNS})
        self.blacklist["id"] = self.blacklist["id"].astype("int64")
        self.blacklist["creationDate"] = self.blacklist["creationDate"].astype("float64")
        self.global_blacklist: set[str] = set()
        self.next_campaign_id = 1001
        self.next_list_id = 301
        self.next_blacklist_id = 1
        self.lock = threading.RLock()
        self.store = store

    # -- time ---------------------------------------------------------------
    def now(self) -> float:
        return self.clock.now()

    def tick(self) -> None:
        """Apply what the clock made due: scheduled injections, STOP replies."""
        with self.lock:
            now = self.now()
            for campaign in sorted(self.campaigns.values(), key=lambda c: (c.schedule_on or 0, c.id)):
                ready = campaign.params.get("_readyAt")
                if campaign.status == "INPROGRESS" and ready is not None and ready <= now:
                    campaign.status, campaign.updated = "DRAFT", ready
                    start = campaign.params.pop("_startRequested", None)
                    if start is not None:  # an inject asked for while it was processed
                        if campaign.schedule_on is not None:
                            campaign.status = "SCHEDULED"
                        else:
                            self._inject(campaign, at=ready)
                    self._save_campaign(campaign, arrays=False)
                if campaign.status == "SCHEDULED" and campaign.schedule_on is not None and campaign.schedule_on <= now:
                    self._inject(campaign, at=campaign.schedule_on)
                until = campaign.params.get("_injectingUntil")
                if campaign.status == "INJECTING" and until is not None and until <= now:
                    campaign.status, campaign.updated = "INJECTED", until
                    self._save_campaign(campaign, arrays=False)
            for campaign in self.campaigns.values():
                if campaign.status in ("INJECTING", "INJECTED") and campaign.sim:
                    self._apply_stops(campaign, now)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.tick()
        self._save_meta()

    def set_clock(self, when: str | datetime | float) -> None:
        self.clock.set(when)
        self.tick()
        self._save_meta()

    # -- accounts -------------------------------------------------------------
    def add_user(self, name: str, password: str, **options: Any) -> Account:
        with self.lock:
            account = self.accounts.add_user(name, password, **options)
            if self.store is not None:
                self.store.save_user(account)
            return account

    def acting_for(self, account: Account, owner: str | None) -> Account:
        """The account a request acts for (``userOwnerID``); 403 unless ADMIN."""
        if owner in (None, "", account.user_id, account.name):
            return account
        if not account.is_admin:
            raise Forbidden(f"only an ADMIN account may act for userOwnerID {owner!r}")
        target = self.accounts.by_id(str(owner))
        if target is None:
            raise NotFound(f"unknown userOwnerID {owner!r}")
        return target

    # -- campaigns ------------------------------------------------------------
    def get_campaign(self, campaign_id: int, account: Account) -> SimCampaign:
        campaign = self.campaigns.get(int(campaign_id))
        if campaign is None or not (account.is_admin or campaign.owner_id == account.user_id):
            raise NotFound(f"campaign {campaign_id} not found")
        return campaign

    def prepare(self, params: dict[str, Any], account: Account) -> SimCampaign:
        """Build a DRAFT from the parameters of section 2.1 (``startNow=false``)."""
        from mfanalytics.messages import campaign_rules
        from mfanalytics.messages.renderers import renderer_of

        owner = self.acting_for(account, params.get("userOwnerID"))
        params = {k: v for k, v in params.items() if not str(k).startswith("_")}  # internal keys are the sandbox's
        params["renderer"] = renderer_of(params.get("renderer")).name
        if not isinstance(params.get("msg"), str) or not params["msg"]:
            raise ValidationError("msg is required", rule="required", field="msg")
        type_select = str(params.get("typeSelect") or "MKG").upper()
        if type_select not in ("MKG", "NOTIFICATION"):
            raise ValidationError("typeSelect must be MKG or NOTIFICATION", rule="type-select", field="typeSelect")
        params["typeSelect"] = type_select
        sender = campaign_rules.validate_sender(params.get("sender"), type_select=type_select)
        short_code = ("38" if type_select == "NOTIFICATION" else "36") + owner.short_code
        params["sender"] = sender or short_code
        params["shortCode"] = short_code
        now = self.now()
        schedule_on = None
        if params.get("scheduleOn"):
            params["scheduleOn"] = campaign_rules.validate_schedule(
                params["scheduleOn"], now=datetime.fromtimestamp(now, tz=UTC)
            )
            schedule_on = datetime.strptime(params["scheduleOn"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
        message = make_message(params)
        if message.logic:
            raise ValidationError(
                f"the sandbox renders the field substitution of renderer {message.renderer} "
                f"({message._renderer.syntax}) only; it cannot render the {message._renderer.logic_kind} "
                + ", ".join(repr(x) for x in message.logic[:5])
                + " of msg",
                rule="renderer-logic",
                field="msg",
            )
        params["tinyList"] = campaign_rules.validate_tiny_list(params.get("tinyList"), tracks=message.tracks)
        message.check(max_segments=owner.max_segments)
        frames = []
        for list_id in _as_ids(params.get("listsId")):
            stored = self.lists.get(list_id)
            if stored is None or not (account.is_admin or stored["owner"] == owner.user_id):
                raise NotFound(f"list {list_id} not found")
            frames.append(frame_from_list(stored["frame"], stored["mobile_column"], stored["name"]))
        if params.get("listRecipient") not in (None, "", []):
            frames.append(recipients_from_json(params["listRecipient"]))
        if not frames:
            raise ValidationError("give listRecipient or listsId", rule="no-recipients", field="listRecipient")
        if len(frames) > 1:  # listsId and listRecipient together: every recipient, lists first
            for f in frames:
                f["__ref"] = f["__ref"].astype("string")
            frame = pd.concat(frames, ignore_index=True)
        else:
            frame = frames[0]
        frame = normalize(frame)
        with self.lock:
            cid = self.next_campaign_id
            self.next_campaign_id += 1
            name = params.get("campaignName") or f"{datetime.fromtimestamp(now, tz=UTC):%Y-%m-%d %H:%M} campaign API"
            params["campaignName"] = name
            processing = float(len(frame) // PROCESSING_RATE)
            if processing > 0:
                params["_readyAt"] = now + processing
            campaign = SimCampaign(
                id=cid,
                owner_id=owner.user_id,
                owner_name=owner.name,
                params=params,
                frame=frame,
                created=now,
                updated=now,
                schedule_on=schedule_on,
                status="INPROGRESS" if processing > 0 else "DRAFT",
            )
            codes, segments = self._screen(campaign, owner)
            campaign.counts = count_fields(codes, segments, np.arange(1, len(codes) + 1))
            self.campaigns[cid] = campaign
            self._save_campaign(campaign, arrays=True)
            return campaign

    def _screen(self, campaign: SimCampaign, owner: Account) -> tuple[np.ndarray, np.ndarray]:
        entries = self.blacklist[
            (self.blacklist["userOwnerID"] == owner.user_id) & (self.blacklist["typeItem"] == "MOBILE")
        ]
        return screen(
            campaign,
            max_segments=owner.max_segments,
            countries=owner.countries,
            credit=owner.credit,
            blacklist=entries,
            global_blacklist=self.global_blacklist,
        )

    def start(self, campaign: SimCampaign, account: Account, schedule: str | None = None) -> SimCampaign:
        """``startNow=true`` on a DRAFT: inject now or schedule it."""
        from mfanalytics.messages import campaign_rules

        with self.lock:
            self.tick()  # a running clock may have ended its processing since the last request
            if campaign.status == "INPROGRESS" and "_startRequested" in campaign.params:
                raise Conflict(
                    f"campaign {campaign.id} is INPROGRESS and its injection is already requested: "
                    "it cannot be injected again"
                )
            if campaign.status not in ("DRAFT", "INPROGRESS"):
                raise Conflict(f"campaign {campaign.id} is {campaign.status}, not a DRAFT: it cannot be injected again")
            now = self.now()
            if schedule:
                campaign.params["scheduleOn"] = campaign_rules.validate_schedule(
                    schedule, now=datetime.fromtimestamp(now, tz=UTC)
                )
                campaign.schedule_on = (
                    datetime.strptime(campaign.params["scheduleOn"], "%Y-%m-%dT%H:%M:%SZ")
                    .replace(tzinfo=UTC)
                    .timestamp()
                )
            if campaign.schedule_on is not None:
                if campaign.schedule_on < now + 300 - 1e-6:
                    raise ScheduleError(
                        f"scheduleOn {campaign.params['scheduleOn']} must be at least 5 minutes after "
                        f"{format_utc(now)}",
                        rule="schedule-too-soon",
                        field="scheduleOn",
                    )
                if campaign.status == "INPROGRESS":
                    campaign.params["_startRequested"] = True  # SCHEDULED once processed
                else:
                    campaign.status = "SCHEDULED"
                campaign.updated = now
                self._save_campaign(campaign, arrays=False)
                return campaign
            if campaign.status == "INPROGRESS":  # injected as soon as it is processed
                campaign.params["_startRequested"] = True
                campaign.updated = now
                self._save_campaign(campaign, arrays=False)
                return campaign
            self._inject(campaign, at=now)
            return campaign

    def _inject(self, campaign: SimCampaign, *, at: float) -> None:
        owner = self.accounts.by_id(campaign.owner_id)
        if owner is None:
            raise NotFound(f"the owner of campaign {campaign.id} is not an account any more")
        codes, segments = self._screen(campaign, owner)
        sent = np.flatnonzero(codes == 0)
        e164 = campaign.frame["__e164"].iloc[sent]  # Arrow strings, not millions of Python objects
        campaign.sim = engine.simulate(
            e164, seed=self.seed, campaign_id=campaign.id, n_tracks=campaign.n_tracks, preview=campaign.preview
        )
        campaign.codes, campaign.segments = codes, segments
        counts = count_fields(codes, segments, np.arange(1, len(codes) + 1))
        owner.credit -= counts["creditCount"]
        counts["countPosted"] = len(sent)
        counts["creditAfterInjection"] = owner.credit
        campaign.counts = counts
        injecting = float(len(sent) // engine.THROUGHPUT)  # handing every recipient to the operators
        if injecting > 0:
            campaign.params["_injectingUntil"] = at + injecting
        campaign.status = "INJECTING" if injecting > 0 else "INJECTED"
        campaign.injected_at = at
        campaign.updated = at
        if self.store is not None:
            self.store.save_user(owner)
        self._save_campaign(campaign, arrays=True)

    def cancel(self, campaign: SimCampaign) -> SimCampaign:
        with self.lock:
            now = self.now()
            if campaign.status != "SCHEDULED":
                raise Conflict(
                    f"campaign {campaign.id} is {campaign.status}: only a SCHEDULED campaign can be cancelled"
                )
            due = now if campaign.schedule_on is None else campaign.schedule_on
            if due - now < CANCEL_WINDOW:
                raise Conflict(
                    f"campaign {campaign.id} is due at {format_utc(due)}: it can no longer be "
                    f"cancelled (up to {CANCEL_WINDOW:.0f} s before its send time)"
                )
            campaign.status = "DRAFT"
            campaign.updated = now
            self._save_campaign(campaign, arrays=False)
            return campaign

    def _apply_stops(self, campaign: SimCampaign, now: float) -> None:
        injected_at = campaign.injected_at
        if injected_at is None:  # not sent: no reply
            return
        dt = now - injected_at
        if dt <= campaign.stops_applied:
            return
        tstop = campaign.sim["tstop"]
        due = (tstop > campaign.stops_applied) & (tstop <= dt)
        campaign.stops_applied = dt
        if due.any():
            rows = campaign.sent_index[due]
            items = campaign.frame["__e164"].iloc[rows].to_numpy(dtype=object)  # the few due, not all 5M as objects
            times = injected_at + tstop[due].astype(np.float64)
            self._add_blacklist_rows(
                items=items,
                owner=campaign.owner_id,
                brand=campaign.params.get("brand") or "",
                description=f"STOP SMS reply to campaign {campaign.id}",
                times=times,
                source="STOP",
            )
            self._save_campaign(campaign, arrays=False)

    # -- blacklist ------------------------------------------------------------
    def _add_blacklist_rows(
        self,
        *,
        items: Sequence[Any] | np.ndarray,
        owner: str,
        brand: str | None,
        description: str | None,
        times: Sequence[float] | np.ndarray,
        source: str,
        type_item: str = "MOBILE",
    ) -> pd.DataFrame:
        n = len(items)
        ids = np.arange(self.next_blacklist_id, self.next_blacklist_id + n, dtype=np.int64)
        self.next_blacklist_id += n
        rows = pd.DataFrame(
            {
                "id": ids,
                "item": pd.array(list(items), dtype="string"),
                "typeItem": pd.array([type_item] * n, dtype="string"),
                "createdDescription": pd.array([description] * n, dtype="string"),
                "brand": pd.array([brand] * n, dtype="string"),
                "userOwnerID": pd.array([owner] * n, dtype="string"),
                "creationDate": np.asarray(times, dtype=np.float64),
                "source": pd.array([source] * n, dtype="string"),
            }
        )
        self.blacklist = pd.concat([self.blacklist, rows], ignore_index=True) if len(self.blacklist) else rows
        if self.store is not None:
            self.store.add_blacklist(rows)
            self._save_meta()
        return rows

    def add_blacklist(
        self,
        account: Account,
        *,
        item: str | None,
        type_item: str,
        description: str | None,
        brand: str | None,
        owner: str | None,
    ) -> dict[str, Any]:
        target = self.acting_for(account, owner)
        type_item = (type_item or "").upper()
        if type_item not in ("MOBILE", "EMAIL"):
            raise ValidationError("typeItem must be MOBILE or EMAIL", rule="type-item", field="typeItem")
        if not item or not isinstance(item, str):
            raise ValidationError("item is required", rule="required", field="item")
        if type_item == "MOBILE":
            norm = normalize_numbers([item])
            if not bool(norm["mobile_valid"].iloc[0]):
                raise ValidationError(f"item {item!r} is not a valid mobile number", rule="mobile", field="item")
            item = str(norm["mobile_e164"].iloc[0])
        else:
            item = item.strip().lower()
            if "@" not in item:
                raise ValidationError(f"item {item!r} is not an email address", rule="email", field="item")
        with self.lock:
            rows = self._add_blacklist_rows(
                items=[item],
                owner=target.user_id,
                brand=brand or "",
                description=description or "",
                times=[self.now()],
                source="API",
                type_item=type_item,
            )
            return blacklist_records(rows)[0]

    def blacklist_of(self, owner: Account) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.blacklist[self.blacklist["userOwnerID"] == owner.user_id]
            return blacklist_records(rows)

    # -- lists ----------------------------------------------------------------
    def add_list(
        self, owner: Account, frame: pd.DataFrame, mobile_column: str, analysis: dict[str, Any], name: str
    ) -> dict[str, Any]:
        with self.lock:
            list_id = self.next_list_id
            self.next_list_id += 1
            analysis = {
                **analysis,
                "id": list_id,
                "idlistItems": list_id,
                "userOwnerID": owner.user_id,
                "customerID": owner.customer_id,
                "listName": name,
                "type": "CSV",
                "filePath": f"/sandbox/{owner.customer_id}/{owner.user_id}/lists/{list_id}.csv",
            }
            self.lists[list_id] = {
                "owner": owner.user_id,
                "frame": frame,
                "mobile_column": mobile_column,
                "name": name,
                "analysis": analysis,
            }
            if self.store is not None:
                self.store.save_list(list_id, self.lists[list_id])
                self._save_meta()
            return analysis

    # -- persistence ----------------------------------------------------------
    def _save_campaign(self, campaign: SimCampaign, *, arrays: bool) -> None:
        if self.store is not None:
            self.store.save_campaign(campaign, arrays=arrays)
            self._save_meta()

    def _save_meta(self) -> None:
        if self.store is not None:
            self.store.save_meta(self)


def blacklist_records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Blacklist rows as the JSON objects of ``GET /blacklist``."""
    out = rows.drop(columns=["source"]).copy()
    out["creationDate"] = [format_utc(t) for t in out["creationDate"].to_numpy()]
    out["brand"] = out["brand"].replace("", None)
    records: list[dict[str, Any]] = out.astype(object).where(out.notna(), None).to_dict("records")  # type: ignore[assignment]  # str column names
    for r in records:
        r["id"] = int(r["id"])
    return records


def _as_ids(value: Any) -> list[int]:
    if value in (None, "", []):
        return []
    if isinstance(value, (int, str)):
        value = [value]
    try:
        return [int(v) for v in value]
    except (TypeError, ValueError):
        raise ValidationError("listsId must be an id or a list of ids", rule="type", field="listsId") from None
