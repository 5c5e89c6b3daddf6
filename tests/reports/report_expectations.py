"""What the report readers must give for the files in tests/data/reports: the report-frame schema
of DESIGN.md, written here by hand (not imported from the package), shared by the reports tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from hypothesis import strategies as st

from mfanalytics.reports.status_codes import STATUS_GROUPS

DATA = Path(__file__).parents[1] / "data" / "reports"
PARIS = "Europe/Paris"
NA = pd.NA

FIXED = [
    "campaign_id",
    "ref_list",
    "line",
    "mobile",
    "status_code",
    "status_text",
    "status",
    "status_group",
    "is_final",
    "is_delivered",
    "delivered_at",
    "reply",
    "is_stop",
    "preview_at",
    "preview_count",
]
TAIL = ["clicks", "clicked", "first_click_at"]
DT = pd.DatetimeTZDtype("s", PARIS)
STR = pd.StringDtype("pyarrow")
DTYPES = {
    "campaign_id": "Int64",
    "ref_list": "category",
    "line": "Int32",
    "mobile": STR,
    "status_code": "Int16",
    "status_text": "category",
    "status": "category",
    "status_group": "category",
    "is_final": "boolean",
    "is_delivered": "boolean",
    "delivered_at": DT,
    "reply": STR,
    "is_stop": "boolean",
    "preview_at": DT,
    "preview_count": "Int32",
    "clicks": "Int32",
    "clicked": "boolean",
    "first_click_at": DT,
}


def ts(text: str) -> pd.Timestamp:
    """A hand-written instant with its explicit offset, shown in Paris time."""
    return pd.Timestamp(text).tz_convert(PARIS)


def values(series: pd.Series) -> list:
    return [NA if pd.isna(v) else v for v in series.tolist()]


def check_dtypes(df: pd.DataFrame) -> None:
    for col, dtype in DTYPES.items():
        assert df[col].dtype == dtype, (col, df[col].dtype)
    assert list(df["status_group"].cat.categories) == list(STATUS_GROUPS)


# -- the main semicolon file, worked by hand ------------------------------------
def expect_main(df: pd.DataFrame, campaign_id=NA) -> None:
    assert list(df.columns) == FIXED + ["track_1_at", "track_1_clicks"] + TAIL + ["PRENOM", "NOM", "VILLE"]
    check_dtypes(df)
    assert values(df["campaign_id"]) == [campaign_id] * 6
    assert values(df["ref_list"]) == ["Clients_VIP"] * 6
    assert values(df["line"]) == [1, 2, 3, 4, 5, 6]
    assert values(df["mobile"]) == [f"+3361234560{i}" for i in range(1, 7)]
    assert values(df["status_code"]) == [16, 17, 21, 99, 20, 16]
    assert values(df["status_text"]) == [
        "Délivré",
        "Délivré + STOP demandé",
        "Délivré",
        "Statut futur",
        "Non délivré",
        "Délivré",
    ]
    assert values(df["status"]) == [
        "Delivered",
        "Delivered + STOP requested",
        "Delivered",
        "Unknown",
        "Not delivered",
        "Delivered",
    ]
    assert values(df["status_group"]) == [
        "delivered",
        "delivered_stop",
        "delivered",
        "unknown",
        "undelivered",
        "delivered",
    ]
    assert values(df["is_final"]) == [True, True, True, NA, True, True]
    assert values(df["is_delivered"]) == [True, True, True, NA, False, True]
    # April is summer time; 12/01 is 12 January and 11/02 is 11 February (day first)
    assert values(df["delivered_at"]) == [
        ts("2025-04-03T09:15:02+02:00"),
        ts("2025-04-03T09:15:10+02:00"),
        ts("2025-01-12T23:59:59+01:00"),
        NA,
        NA,
        ts("2025-02-11T08:00:00+01:00"),
    ]
    assert df["delivered_at"].iloc[2].tz_convert("UTC") == pd.Timestamp("2025-01-12 22:59:59", tz="UTC")
    assert values(df["reply"]) == [NA, "STOP", "stop merci", NA, NA, "Merci, à bientôt"]
    assert values(df["is_stop"]) == [False, True, True, False, False, False]
    assert values(df["preview_at"]) == [ts("2025-04-03T09:20:00+02:00"), NA, NA, NA, NA, NA]
    assert values(df["preview_count"]) == [2, NA, NA, NA, NA, NA]
    assert values(df["track_1_at"]) == [
        ts("2025-04-03T10:01:30+02:00"),
        NA,
        NA,
        NA,
        NA,
        ts("2025-02-11T08:30:00+01:00"),
    ]
    assert values(df["track_1_clicks"]) == [3, NA, NA, NA, NA, 1]
    assert values(df["clicks"]) == [3, 0, 0, 0, 0, 1]
    assert values(df["clicked"]) == [True, False, False, False, False, True]
    assert values(df["first_click_at"]) == values(df["track_1_at"])
    assert values(df["PRENOM"]) == ["Zoé", "Émile", "Jean", "Anaïs", "Luc", "Chloé"]
    assert values(df["NOM"]) == ["Martin", "Bernard", "Petit", "Durand", "Leroy", "Moreau"]
    assert values(df["VILLE"]) == ["Paris", "Lyon", "Paris", "Lyon", "Paris", "Nice"]
    # 6 distinct first names in 6 rows stay text; 3 towns in 6 rows become a category
    assert df["PRENOM"].dtype == STR and df["NOM"].dtype == STR
    assert isinstance(df["VILLE"].dtype, pd.CategoricalDtype)
    assert isinstance(df.index, pd.RangeIndex)


# -- hypothesis strategies and a tiny CSV writer, for the round trips ----------------
PARIS_TZ = ZoneInfo(PARIS)
TEXT = st.text(alphabet="abcXYZ019 ;,\"\néèçœ€'=+-@", min_size=1, max_size=12)


def exists_once(naive: datetime) -> bool:
    a, b = naive.replace(tzinfo=PARIS_TZ, fold=0), naive.replace(tzinfo=PARIS_TZ, fold=1)
    back = a.astimezone(ZoneInfo("UTC")).astimezone(PARIS_TZ).replace(tzinfo=None)
    return a.utcoffset() == b.utcoffset() and back == naive


DATES = (
    st.datetimes(datetime(2000, 1, 1), datetime(2040, 12, 31))
    .map(lambda d: d.replace(microsecond=0))
    .filter(exists_once)
)
REPORT_ROW = st.fixed_dictionaries(
    {
        "ID_LINE": st.integers(1, 2_000_000),
        "INT_MOBILE": st.from_regex(r"\+33[67][0-9]{8}", fullmatch=True),
        "STATUS_CODE": st.sampled_from([1, 2, 13, 14, 16, 17, 20, 21, 22, 24, 31, 99, 0, 1234]),
        "DELIVERYDATE": st.none() | DATES,
        "REPLY": st.none() | TEXT | st.sampled_from(["STOP", "stop merci", "Stop!", "stopper"]),
        "TRACK_1": st.none() | DATES,
        "TRACK_1_COUNTER": st.none() | st.integers(0, 50),
        "TRACK_2": st.none() | DATES,
        "TRACK_2_COUNTER": st.none() | st.integers(0, 50),
        "NOM": st.none() | TEXT,
        "VILLE": st.none() | st.sampled_from(["Paris", "Lyon", "Besançon"]),
    }
)


def cell(value, sep: str) -> str:
    """A tiny CSV writer for the test: quote when needed, double quotes."""
    if value is None:
        return ""
    text = value.strftime("%d/%m/%Y %H:%M:%S") if isinstance(value, datetime) else str(value)
    if any(c in text for c in (sep, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(header: list[str], rows: list[list], sep: str) -> str:
    lines = [sep.join(header)] + [sep.join(cell(v, sep) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


def paris(naive: datetime | None):
    return NA if naive is None else pd.Timestamp(naive.replace(tzinfo=PARIS_TZ)).tz_convert(PARIS)
