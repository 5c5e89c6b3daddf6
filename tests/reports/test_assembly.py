"""reports/assembly.py: the frame assembled from parsed columns, threaded for a big report, the same."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mfanalytics.errors import ReportFormatError
from mfanalytics.reports.parsing import parse_report
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


def _large_report(n: int) -> str:
    idx = np.arange(n)
    days = 1 + idx % 31
    lines = [
        f"{i + 1};+336{i:08d};{16 if i % 3 else 17};{d:02d}/03/2025 10:00:00;{'STOP' if i % 5 == 0 else ''};V{i % 7}"
        for i, d in zip(idx.tolist(), days.tolist())
    ]
    return "ID_LINE;INT_MOBILE;STATUS_CODE;DELIVERYDATE;REPLY;VILLE\n" + "\n".join(lines) + "\n"


def test_threaded_and_serial_conversions_agree(monkeypatch):
    import mfanalytics.reports.assembly as reports

    text = _large_report(120_000)
    threaded = parse_report(text)
    monkeypatch.setattr(reports, "_PARALLEL_ROWS", 10**9)
    pd.testing.assert_frame_equal(parse_report(text), threaded)
    bad = text.replace("+33600110000;16;13/03/2025 10:00:00", "+33600110000;16;13/03/2025 10h00")
    assert bad != text
    monkeypatch.setattr(reports, "_PARALLEL_ROWS", 1)
    with pytest.raises(ReportFormatError) as info:
        parse_report(bad)
    assert (info.value.field, info.value.line) == ("DELIVERYDATE", 110_001)


def test_large_report_uses_the_same_rules():
    """Above the threading threshold the result is the same as row by row."""
    n = 120_000
    df = parse_report(_large_report(n))
    assert len(df) == n
    assert df["line"].iloc[-1] == n
    # 30/03/2025 is the change to summer time: 10:00 is +02:00 from the 30th on
    assert values(df["delivered_at"].iloc[27:32]) == [
        ts("2025-03-28T10:00:00+01:00"),
        ts("2025-03-29T10:00:00+01:00"),
        ts("2025-03-30T10:00:00+02:00"),
        ts("2025-03-31T10:00:00+02:00"),
        ts("2025-03-01T10:00:00+01:00"),
    ]
    assert int(df["is_stop"].sum()) == len(set(range(0, n, 3)) | set(range(0, n, 5)))
    assert isinstance(df["VILLE"].dtype, pd.CategoricalDtype) and len(df["VILLE"].cat.categories) == 7
    assert df.memory_usage(deep=True).sum() / n < 150
