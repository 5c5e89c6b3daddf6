"""SQLite persistence of a sandbox (``mfanalytics sandbox --db PATH``).

Write-through: every change the state makes is saved at once. Campaign
recipients and simulation arrays travel as Arrow IPC blobs (columnar, no row
objects); users keep their password hashes (never a clear password); tokens
are not kept, so a restart asks clients to log in again. The clock resumes
where it stopped.

Examples
--------
>>> import tempfile, os
>>> from mfanalytics.sandbox.state import SandboxState
>>> path = os.path.join(tempfile.mkdtemp(), "sb.db")
>>> state = open_state(path, seed=0)
>>> _ = state.add_user("ana", "secret")
>>> open_state(path, seed=0).accounts.users["ana"].name
'ana'
"""

from __future__ import annotations

import io
import json
import sqlite3
import threading
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from mfanalytics.sandbox.auth import Account
from mfanalytics.sandbox.campaign import SimCampaign

if TYPE_CHECKING:
    from datetime import datetime

    from mfanalytics.sandbox.state import SandboxState

__all__ = ["Store", "open_state"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS campaigns (id INTEGER PRIMARY KEY, meta TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS campaign_data (id INTEGER PRIMARY KEY, frame BLOB, sim BLOB);
CREATE TABLE IF NOT EXISTS lists (id INTEGER PRIMARY KEY, meta TEXT NOT NULL, frame BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS blacklist (id INTEGER PRIMARY KEY, item TEXT, typeItem TEXT,
    createdDescription TEXT, brand TEXT, userOwnerID TEXT, creationDate REAL, source TEXT);
"""


def _ipc(frame: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _from_ipc(blob: bytes) -> pd.DataFrame:
    frame: pd.DataFrame = pa.ipc.open_stream(io.BytesIO(blob)).read_all().to_pandas()
    return frame


class Store:
    """A SQLite file holding one sandbox's state."""

    def __init__(self, path: str) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        with self._lock:
            self._db.execute(sql, args)
            self._db.commit()

    def save_meta(self, state: SandboxState) -> None:
        meta = {
            "clock": state.clock.now(),
            "next_campaign_id": state.next_campaign_id,
            "next_list_id": state.next_list_id,
            "next_blacklist_id": state.next_blacklist_id,
            "global_blacklist": sorted(state.global_blacklist),
            "seed": state.seed,
        }
        self._write("INSERT OR REPLACE INTO meta VALUES ('state', ?)", (json.dumps(meta),))

    def save_user(self, account: Account) -> None:
        data = dict(account.__dict__.items())
        self._write("INSERT OR REPLACE INTO users VALUES (?, ?)", (account.name, json.dumps(data)))

    def save_campaign(self, campaign: SimCampaign, *, arrays: bool) -> None:
        meta = {
            "id": campaign.id,
            "owner_id": campaign.owner_id,
            "owner_name": campaign.owner_name,
            "params": campaign.params,
            "status": campaign.status,
            "created": campaign.created,
            "updated": campaign.updated,
            "schedule_on": campaign.schedule_on,
            "injected_at": campaign.injected_at,
            "stops_applied": campaign.stops_applied,
            "counts": campaign.counts,
        }
        text = json.dumps(meta, default=str)
        if not arrays:
            self._write("UPDATE campaigns SET meta = ? WHERE id = ?", (text, campaign.id))
            return
        frame = campaign.frame.copy(deep=False)  # copy on write: the campaign's frame is never changed
        if campaign.codes is not None:
            frame["__codes"] = campaign.codes
            frame["__segments"] = campaign.segments
        sim = _ipc(pd.DataFrame(campaign.sim)) if campaign.sim else None
        blob = _ipc(frame)
        with self._lock:  # meta apart from the blobs: a status change does not rewrite them
            self._db.execute("INSERT OR REPLACE INTO campaign_data VALUES (?, ?, ?)", (campaign.id, blob, sim))
            self._db.execute("INSERT OR REPLACE INTO campaigns VALUES (?, ?)", (campaign.id, text))
            self._db.commit()

    def save_list(self, list_id: int, stored: dict[str, Any]) -> None:
        meta = {k: v for k, v in stored.items() if k != "frame"}
        self._write(
            "INSERT OR REPLACE INTO lists VALUES (?, ?, ?)",
            (list_id, json.dumps(meta, default=str), _ipc(stored["frame"])),
        )

    def add_blacklist(self, rows: pd.DataFrame) -> None:
        records = rows[
            ["id", "item", "typeItem", "createdDescription", "brand", "userOwnerID", "creationDate", "source"]
        ]
        values = list(records.astype(object).where(records.notna(), None).itertuples(index=False, name=None))
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO blacklist VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)
            self._db.commit()

    def load_into(self, state: SandboxState) -> None:
        """Fill a fresh state from the file (the clock is set by the caller)."""
        with self._lock:
            db = self._db
            row = db.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()
            if row:
                meta = json.loads(row[0])
                state.next_campaign_id = meta["next_campaign_id"]
                state.next_list_id = meta["next_list_id"]
                state.next_blacklist_id = meta["next_blacklist_id"]
                state.global_blacklist = set(meta["global_blacklist"])
            for name, data in db.execute("SELECT name, data FROM users"):
                state.accounts.users[name] = Account(**json.loads(data))
            query = "SELECT c.id, c.meta, d.frame, d.sim FROM campaigns c JOIN campaign_data d ON d.id = c.id"
            for cid, text, frame_blob, sim_blob in db.execute(query):
                meta = json.loads(text)
                frame = _from_ipc(frame_blob)
                codes = segments = None
                if "__codes" in frame.columns:
                    codes = frame.pop("__codes").to_numpy(dtype=np.int16)
                    segments = frame.pop("__segments").to_numpy(dtype=np.int16)
                for col in frame.columns:
                    if col not in ("__line", "__valid"):
                        frame[col] = frame[col].astype("string")
                sim: dict[str, np.ndarray] = {}
                if sim_blob is not None:
                    sim = {str(k): v.to_numpy() for k, v in _from_ipc(sim_blob).items()}
                state.campaigns[cid] = SimCampaign(
                    id=cid,
                    owner_id=meta["owner_id"],
                    owner_name=meta["owner_name"],
                    params=meta["params"],
                    frame=frame,
                    status=meta["status"],
                    created=meta["created"],
                    updated=meta["updated"],
                    schedule_on=meta["schedule_on"],
                    injected_at=meta["injected_at"],
                    codes=codes,
                    segments=segments,
                    sim=sim,
                    stops_applied=meta["stops_applied"],
                    counts=meta["counts"],
                )
            for lid, text, blob in db.execute("SELECT id, meta, frame FROM lists"):
                stored = json.loads(text)
                frame = _from_ipc(blob)
                for col in frame.columns:
                    if col != "__valid":
                        frame[col] = frame[col].astype("string")
                stored["frame"] = frame
                state.lists[lid] = stored
            rows = pd.read_sql_query("SELECT * FROM blacklist ORDER BY id", db)
        if len(rows):
            for col in ("item", "typeItem", "createdDescription", "brand", "userOwnerID", "source"):
                rows[col] = rows[col].astype("string").fillna("")
            rows["creationDate"] = rows["creationDate"].astype("float64")
            state.blacklist = rows

    def saved_clock(self) -> float | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()
        return json.loads(row[0])["clock"] if row else None


def open_state(
    path: str | None, *, seed: int = 0, start: str | datetime | float | None = None, speed: float = 0.0
) -> SandboxState:
    """A :class:`~mfanalytics.sandbox.state.SandboxState`, restored from ``path`` if given.

    The clock resumes at the saved simulated time (or ``start``, whichever is later).
    """
    from mfanalytics.sandbox.clock import SimClock, parse_instant
    from mfanalytics.sandbox.state import SandboxState

    if path is None:
        return SandboxState(seed=seed, clock=SimClock(start=start, speed=speed))
    store = Store(path)
    saved = store.saved_clock()
    if saved is not None:
        start = saved if start is None else max(saved, parse_instant(start))
    state = SandboxState(seed=seed, clock=SimClock(start=start, speed=speed), store=store)
    store.load_into(state)
    return state
