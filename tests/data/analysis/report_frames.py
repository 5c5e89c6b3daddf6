"""Report frames for the analysis, plot and HTML-report tests.

Follows the report-frame schema of DESIGN.md exactly (column order and
dtypes), so the tests do not depend on ``mfanalytics.reports.parsing`` being there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mfanalytics.reports.status_codes import STATUS_GROUPS, decode_status

TZ = "Europe/Paris"
_STOP_WORDS = {"STOP", "stop", "Stop"}


def _ts(values, n):
    if values is None:
        values = [None] * n
    s = pd.to_datetime(pd.Series(values, dtype="object"), format="%Y-%m-%d %H:%M:%S")
    return s.dt.tz_localize(TZ).astype(f"datetime64[ns, {TZ}]")


def make_report(rows: list[dict], *, n_tracks: int = 1, list_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Build a report frame from short row dicts.

    Keys: campaign (int), code (int or None), mobile, delivered_at, reply,
    preview_at, preview_count, track_N_at, track_N_clicks, list columns.
    Times are 'YYYY-MM-DD HH:MM:SS' strings in Paris time.
    """
    n = len(rows)

    def col(key, default=None):
        return [r.get(key, default) for r in rows]

    codes = pd.array(col("code"), dtype="Int16")
    decoded = decode_status(pd.Series(codes, dtype="Int16"), lang="fr")
    frame = pd.DataFrame(
        {
            "campaign_id": pd.array(col("campaign", 1), dtype="Int64"),
            "ref_list": pd.array(col("ref_list", "liste.csv"), dtype="string"),
            "line": pd.array(list(range(1, n + 1)), dtype="Int64"),
            "mobile": pd.array(
                [r.get("mobile", f"+336{10000000 + i:08d}") for i, r in enumerate(rows)], dtype="string"
            ),
            "status_code": codes,
            "status_text": pd.array(decoded["status"].astype("object").tolist(), dtype="string"),
            "status": decoded["status"].array,
            "status_group": pd.Categorical(decoded["status_group"].astype("object"), categories=list(STATUS_GROUPS)),
            "is_final": decoded["is_final"].array,
            "is_delivered": decoded["is_delivered"].array,
        }
    )
    frame["delivered_at"] = _ts(col("delivered_at"), n).array
    frame["reply"] = pd.array(col("reply"), dtype="string")
    reply = frame["reply"].fillna("")
    frame["is_stop"] = pd.array(
        (reply.str.strip().str.upper() == "STOP").to_numpy() | (codes == 17).fillna(False).to_numpy(bool),
        dtype="boolean",
    )
    frame["preview_at"] = _ts(col("preview_at"), n).array
    frame["preview_count"] = pd.array(col("preview_count", 0), dtype="Int32")
    total = np.zeros(n, dtype=np.int64)
    firsts = []
    for k in range(1, n_tracks + 1):
        at = _ts(col(f"track_{k}_at"), n)
        clicks = pd.array(col(f"track_{k}_clicks", 0), dtype="Int32")
        frame[f"track_{k}_at"] = at.array
        frame[f"track_{k}_clicks"] = clicks
        total += clicks.to_numpy(dtype=np.int64, na_value=0)
        firsts.append(at)
    frame["clicks"] = pd.array(total, dtype="Int32")
    frame["clicked"] = pd.array(total > 0, dtype="boolean")
    first = pd.concat(firsts, axis=1).min(axis=1) if firsts else _ts(None, n)
    frame["first_click_at"] = first.astype(f"datetime64[ns, {TZ}]").array
    for c in list_columns:
        frame[c] = pd.array(col(c), dtype="string")
    return frame


# status code mix of a realistic campaign (code -> weight)
_MIX = {
    16: 0.80,
    21: 0.05,
    17: 0.01,
    20: 0.03,
    22: 0.01,
    31: 0.01,
    29: 0.02,
    2: 0.01,
    13: 0.005,
    27: 0.005,
    14: 0.01,
    15: 0.005,
    4: 0.01,
    8: 0.005,
    24: 0.005,
    1: 0.005,
    99: 0.005,
}


def realistic_report(
    n_per_campaign=(900, 1100, 700, 400), *, seed: int = 7, start="2026-03-02 09:00:00", bad_campaign: int | None = None
) -> pd.DataFrame:
    """Several campaigns over several days with deliveries, clicks on two links, replies."""
    rng = np.random.default_rng(seed)
    rows = []
    t_start = pd.Timestamp(start)
    codes_all = np.array(list(_MIX))
    p = np.array(list(_MIX.values()))
    p = p / p.sum()
    replies = ["STOP", "Merci !", "<script>alert('x')</script>", "Oui & non", "stop"]
    countries = ["+336", "+337", "+3247", "+4176", "+1415555"]
    for ci, n in enumerate(n_per_campaign):
        campaign = 1000 + ci
        sent_at = t_start + pd.Timedelta(days=ci, hours=int(rng.integers(0, 8)))
        if bad_campaign == ci:
            pc = p.copy()
            pc[0] *= 0.3
            pc = pc / pc.sum()
        else:
            pc = p
        codes = rng.choice(codes_all, size=n, p=pc)
        for i in range(n):
            code = int(codes[i])
            r = {
                "campaign": campaign,
                "code": code,
                "ref_list": f"liste_{campaign}.csv",
                "mobile": f"{countries[i % len(countries)]}{(i * 7919 + ci) % 10**6:06d}".ljust(12, "1")[:12],
            }
            if code in (16, 21, 17, 20, 22, 29, 13, 27):
                r["delivered_at"] = (sent_at + pd.Timedelta(seconds=int(rng.exponential(120)) + 1)).strftime(
                    "%Y-%m-%d %H:%M:%S"
                )
            if code in (16, 21, 17):
                d = pd.Timestamp(r["delivered_at"])
                if rng.random() < 0.15:
                    r["track_1_at"] = (d + pd.Timedelta(minutes=int(rng.exponential(90)) + 1)).strftime(
                        "%Y-%m-%d %H:%M:%S"
                    )
                    r["track_1_clicks"] = int(rng.integers(1, 4))
                if rng.random() < 0.05:
                    r["track_2_at"] = (d + pd.Timedelta(minutes=int(rng.exponential(300)) + 1)).strftime(
                        "%Y-%m-%d %H:%M:%S"
                    )
                    r["track_2_clicks"] = 1
                if rng.random() < 0.02 or code == 17:
                    r["reply"] = replies[i % len(replies)] if code != 17 else "STOP"
            r["AGENCE"] = ["Paris", "Lyon", "<b>Nantes</b>"][i % 3]
            rows.append(r)
    return make_report(rows, n_tracks=2, list_columns=("AGENCE",))


def to_csv(frame: pd.DataFrame, list_columns: tuple[str, ...] = ("AGENCE",)) -> str:
    """The frame as the platform's CSV report (guide section 4, plus CAMPAIGN_ID), ';'-separated."""
    out = pd.DataFrame(
        {
            "CAMPAIGN_ID": frame["campaign_id"],
            "REF_LIST": frame["ref_list"],
            "ID_LINE": frame["line"],
            "INT_MOBILE": frame["mobile"],
            "STATUS_CODE": frame["status_code"],
            "STATUS_TEXT": frame["status_text"],
        }
    )
    fmt = "%d/%m/%Y %H:%M:%S"
    out["DELIVERYDATE"] = frame["delivered_at"].dt.strftime(fmt)
    out["REPLY"] = frame["reply"]
    out["PREVIEW"] = frame["preview_at"].dt.strftime(fmt)
    out["PREVIEW_COUNTER"] = frame["preview_count"]
    n = 1
    while f"track_{n}_at" in frame.columns:
        out[f"TRACK_{n}"] = frame[f"track_{n}_at"].dt.strftime(fmt)
        out[f"TRACK_{n}_COUNTER"] = frame[f"track_{n}_clicks"].where(frame[f"track_{n}_clicks"] > 0)
        n += 1
    for c in list_columns:
        out[c] = frame[c]
    return out.to_csv(sep=";", index=False)
