"""reports/exports.py: the toolkit reads its own report exports back to the same frame."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_expectations import (  # the expected schema, written by hand
    DATA,
    DT,
    NA,
    PARIS,
    REPORT_ROW,
    STR,
    TEXT,
    write_csv,
)

from mfanalytics.reports.parsing import parse_report, parse_report_json, read_report

# -- the toolkit reads its own exports back (mfanalytics.export.to_safe_csv) ------
_RISKY = st.sampled_from(
    ["=cmd|' /C calc'!A0", "+1+1", "-2", "@x", "'=x", "a,=b", "\tTab", "ok\r=x", "+33612345678", "x;-1"]
)
# around the autumn clock change of 2026 (01:00 UTC on 25 October): 02:00-02:59 Paris happens twice
_INSTANTS = st.datetimes(datetime(2026, 10, 24, 22), datetime(2026, 10, 25, 3)).map(
    lambda d: pd.Timestamp(d.replace(microsecond=0), tz="UTC").tz_convert(PARIS)
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(st.tuples(REPORT_ROW, st.none() | TEXT | _RISKY, st.none() | _INSTANTS), max_size=6),
    lang=st.sampled_from(["en", "fr"]),
    json_source=st.booleans(),
)
def test_an_export_reads_back_to_the_same_frame(tmp_path, rows, lang, json_source):
    from mfanalytics.export import to_safe_csv

    header = ["ID_LINE", "INT_MOBILE", "STATUS_CODE", "REPLY", "TRACK_1", "TRACK_1_COUNTER", "NOM", "VILLE"]
    records = [
        {
            **{h: (r[h].strftime("%d/%m/%Y %H:%M:%S") if isinstance(r[h], datetime) else r[h]) for h in header},
            "=NOTE": note,
        }
        for r, note, _ in rows
    ]
    if json_source or not rows:
        frame = parse_report_json(records, campaign_id=9, lang=lang)
    else:
        text = write_csv([*header, "=NOTE"], [list(rec.values()) for rec in records], ";")
        frame = parse_report(text.encode("utf-8"), campaign_id=9, lang=lang)
    if rows:  # any instant, the second pass of the repeated hour included
        frame["delivered_at"] = pd.array([NA if d is None else d for _, _, d in rows], dtype=DT)
    path = to_safe_csv(frame, tmp_path / "export.csv")
    # the labels of `status` say their language, except in an empty export
    pd.testing.assert_frame_equal(read_report(path) if rows else read_report(path, lang=lang), frame)
    pd.testing.assert_frame_equal(parse_report(path.read_bytes(), lang=lang), frame)
    # the CLI's other format (fetch --out FILE.parquet)
    frame.to_parquet(tmp_path / "export.parquet", index=False)
    parquet = pd.read_parquet(tmp_path / "export.parquet")
    for name in parquet.columns:
        if isinstance(parquet[name].dtype, pd.DatetimeTZDtype):
            parquet[name] = parquet[name].dt.as_unit("s")
    # the same values; Parquet has no unit of seconds (dates come back in ms) and an empty
    # categorical comes back with object categories
    pd.testing.assert_frame_equal(parquet, frame, check_dtype=False, check_categorical=False)


def test_the_demo_export_reads_back(tmp_path):
    # `mfanalytics report out/demo/report.csv` said "no INT_MOBILE column"
    from mfanalytics.export import to_safe_csv

    frame = read_report(DATA / "tracks.csv", campaign_id=1001)
    frame["PRENOM"] = pd.Series(["=Bob", "Zoé", "O'Neil"][: len(frame)] + ["x"] * max(0, len(frame) - 3), dtype=STR)
    back = read_report(to_safe_csv(frame, tmp_path / "report.csv"))
    pd.testing.assert_frame_equal(back, frame)
