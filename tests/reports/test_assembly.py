"""reports/assembly.py: the frame assembled from parsed columns, threaded for a big report, the same."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from report_expectations import (  # the expected schema, written by hand
    ts,
    values,
)

from mfanalytics.errors import ReportFormatError
from mfanalytics.reports.parsing import parse_report


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
