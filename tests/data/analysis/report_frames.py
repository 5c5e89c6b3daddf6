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


def report_frame(
    code,
    *,
    campaign,
    mobile,
    delivered_at: pd.Series,
    reply,
    tracks: list[tuple[pd.Series, np.ndarray]],
    ref_list=None,
    preview_at: pd.Series | None = None,
    preview_count=None,
    list_columns: dict | None = None,
) -> pd.DataFrame:
    """The report frame of DESIGN.md from its columns (vectorised): the one builder of the test and
    benchmark frames.

    ``code``: status codes (None for none); ``campaign``, ``mobile``, ``reply``, ``ref_list``,
    ``preview_count``: one value a row; ``delivered_at``, ``preview_at``: Paris times (NaT for none);
    ``tracks``: per link, its click times and click counts. The decoded status columns, ``is_stop``
    (a STOP reply or code 17), ``clicks``, ``clicked`` and ``first_click_at`` are derived here.
    """
    codes = pd.array(code, dtype="Int16")
    n = len(codes)
    decoded = decode_status(pd.Series(codes, dtype="Int16"), lang="fr")
    frame = pd.DataFrame(
        {
            "campaign_id": pd.array(campaign, dtype="Int64"),
            "ref_list": pd.array(["liste.csv"] * n if ref_list is None else ref_list, dtype="string"),
            "line": pd.array(np.arange(1, n + 1), dtype="Int64"),
            "mobile": pd.array(mobile, dtype="string"),
            "status_code": codes,
            "status_text": pd.array(decoded["status"].astype("object").to_numpy(), dtype="string"),
            "status": decoded["status"].array,
            "status_group": pd.Categorical(decoded["status_group"].astype("object"), categories=list(STATUS_GROUPS)),
            "is_final": decoded["is_final"].array,
            "is_delivered": decoded["is_delivered"].array,
        }
    )
    frame["delivered_at"] = _paris(delivered_at).array
    frame["reply"] = pd.array(reply, dtype="string")
    frame["is_stop"] = pd.array(
        (frame["reply"].fillna("").str.strip().str.upper() == "STOP").to_numpy(bool)
        | (codes == 17).fillna(False).to_numpy(bool),
        dtype="boolean",
    )
    frame["preview_at"] = _paris(_ts(None, n) if preview_at is None else preview_at).array
    frame["preview_count"] = pd.array(
        np.zeros(n, dtype=np.int32) if preview_count is None else preview_count, dtype="Int32"
    )
    total = np.zeros(n, dtype=np.int64)
    firsts = []
    for k, (at, clicks) in enumerate(tracks, start=1):
        counts = pd.array(clicks, dtype="Int32")
        frame[f"track_{k}_at"] = _paris(at).array
        frame[f"track_{k}_clicks"] = counts
        total += counts.to_numpy(dtype=np.int64, na_value=0)
        firsts.append(pd.Series(at).reset_index(drop=True))
    frame["clicks"] = pd.array(total.astype(np.int32), dtype="Int32")
    frame["clicked"] = pd.array(total > 0, dtype="boolean")
    first = pd.concat(firsts, axis=1).min(axis=1) if firsts else _ts(None, n)
    frame["first_click_at"] = _paris(first).array
    for name, values in (list_columns or {}).items():
        frame[name] = pd.array(values, dtype="string")
    return frame


def _paris(times: pd.Series) -> pd.Series:
    return pd.Series(times).astype(f"datetime64[ns, {TZ}]")


def make_report(rows: list[dict], *, n_tracks: int = 1, list_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Build a report frame from short row dicts.

    Keys: campaign (int), code (int or None), mobile, delivered_at, reply,
    preview_at, preview_count, track_N_at, track_N_clicks, list columns.
    Times are 'YYYY-MM-DD HH:MM:SS' strings in Paris time.
    """
    n = len(rows)

    def col(key, default=None):
        return [r.get(key, default) for r in rows]

    return report_frame(
        col("code"),
        campaign=col("campaign", 1),
        ref_list=col("ref_list", "liste.csv"),
        mobile=[r.get("mobile", f"+336{10000000 + i:08d}") for i, r in enumerate(rows)],
        delivered_at=_ts(col("delivered_at"), n),
        reply=col("reply"),
        preview_at=_ts(col("preview_at"), n),
        preview_count=col("preview_count", 0),
        tracks=[(_ts(col(f"track_{k}_at"), n), col(f"track_{k}_clicks", 0)) for k in range(1, n_tracks + 1)],
        list_columns={c: col(c) for c in list_columns},
    )


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


# prefix -> share of the numbers of large_report; the overseas ones share their code with other regions
_PREFIXES = {
    "+336": 0.70,
    "+337": 0.15,
    "+32470": 0.02,
    "+4176": 0.02,
    "+1416555": 0.01,
    "+262692": 0.03,
    "+262639": 0.01,
    "+590690": 0.02,
    "+596696": 0.015,
    "+594694": 0.01,
    "+269639": 0.005,
}
_NUMBER_LENGTH = {"+269639": 11, "+262692": 13, "+262639": 13, "+590690": 13, "+596696": 13, "+594694": 13}


def large_report(n: int, *, seed: int = 2026, campaigns: int = 8) -> pd.DataFrame:
    """A realistic report frame of ``n`` rows, built without a per-row loop (the benchmarks' frame).

    ``campaigns`` campaigns over as many days, the status mix of :func:`realistic_report`,
    deliveries, clicks on two links (a quarter of the campaigns have none), replies, a list column
    ``AGENCE``, and numbers of France, Belgium, Switzerland, Canada and the overseas departments
    (+262, +590, +594, +596, +269).
    """
    rng = np.random.default_rng(seed)
    campaign = np.sort(rng.integers(0, campaigns, n))
    start = pd.Timestamp("2026-03-02 09:00:00", tz=TZ)
    sent_at = start + pd.to_timedelta(np.arange(campaigns) * 86400 + rng.integers(0, 8, campaigns) * 3600, unit="s")
    codes_all = np.array(list(_MIX), dtype=np.int16)
    p = np.array(list(_MIX.values()))
    code = rng.choice(codes_all, size=n, p=p / p.sum())
    prefixes = np.array(list(_PREFIXES))
    pk = rng.choice(len(prefixes), size=n, p=np.array(list(_PREFIXES.values())) / sum(_PREFIXES.values()))
    body = pd.Series(rng.integers(0, 10**7, n)).astype(str).str.zfill(7)
    mobile = pd.Series(pd.NA, index=range(n), dtype="string")
    for i, prefix in enumerate(prefixes):  # one slice per prefix, numbers of the right length
        sel = pk == i
        mobile[sel] = prefix + body[sel].str.slice(0, _NUMBER_LENGTH.get(prefix, 12) - len(prefix))
    t0 = pd.Series(sent_at[campaign])
    has_dlr = np.isin(code, [16, 21, 17, 20, 22, 29, 13, 27])
    delivered_at = t0 + pd.to_timedelta(rng.exponential(120, n).astype(np.int64) + 1, unit="s")
    ok = np.isin(code, [16, 21, 17])
    reply = np.where(
        code == 17,
        "STOP",
        np.where(
            ok & (rng.random(n) < 0.02), np.array(["Merci !", "Oui & non", "stop", "STOP"])[rng.integers(0, 4, n)], None
        ),
    )
    tracks = []
    linked = campaign % 4 != 3  # a quarter of the campaigns have no link
    for share, scale in ((0.15, 90), (0.05, 300)):
        hit = ok & linked & (rng.random(n) < share)
        at = (delivered_at + pd.to_timedelta(rng.exponential(scale * 60, n).astype(np.int64) + 60, unit="s")).where(hit)
        tracks.append((at, np.where(hit, rng.integers(1, 4, n), 0).astype(np.int32)))
    ids = 1000 + campaign
    return report_frame(
        code,
        campaign=ids,
        ref_list=np.char.add("liste_", ids.astype(str)),
        mobile=mobile.array,
        delivered_at=delivered_at.where(has_dlr),
        reply=reply,
        tracks=tracks,
        list_columns={"AGENCE": np.array(["Paris", "Lyon", "Nantes"])[np.arange(n) % 3]},
    )


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
