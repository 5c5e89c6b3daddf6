"""The report frame: readers of CSV and JSON reports (mfanalytics.reports.parsing).

Expected values are worked by hand from the files in tests/data/reports/
(offsets: Paris is UTC+01:00 in winter, UTC+02:00 from the last Sunday of
March to the last Sunday of October).
"""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_expectations import (  # the expected schema, written by hand
    DATA,
    DATES,
    DT,
    FIXED,
    NA,
    PARIS,
    PARIS_TZ,
    REPORT_ROW,
    STR,
    TAIL,
    check_dtypes,
    expect_main,
    paris,
    ts,
    values,
    write_csv,
)

from mfanalytics.errors import ReportFormatError, ValidationError
from mfanalytics.reports.parsing import REPORT_COLUMNS, parse_report, parse_report_json, read_report


def test_semicolon_utf8():
    expect_main(read_report(DATA / "semicolon_utf8.csv"))


@pytest.mark.parametrize("name", ["comma.csv", "utf8_bom.csv"])
def test_comma_crlf_and_bom_variants_read_the_same(name):
    expect_main(read_report(DATA / name))


def test_path_string_buffer_bytes_and_text_agree():
    path = DATA / "semicolon_utf8.csv"
    raw = path.read_bytes()
    expect_main(read_report(str(path)))
    expect_main(read_report(io.BytesIO(raw)))
    expect_main(read_report(io.StringIO(raw.decode("utf-8"))))
    expect_main(parse_report(raw))
    expect_main(parse_report(raw.decode("utf-8")))
    expect_main(parse_report(memoryview(raw)))


def test_campaign_id_argument_fills_the_column():
    expect_main(read_report(DATA / "semicolon_utf8.csv", campaign_id=4242), campaign_id=4242)


def test_french_status_labels():
    df = read_report(DATA / "semicolon_utf8.csv", lang="fr")
    assert values(df["status"])[:5] == ["Délivré", "Délivré + STOP demandé", "Délivré", "Inconnu", "Non délivré"]


# -- JSON --------------------------------------------------------------------------
def test_json_records_equal_the_csv_frame():
    text = (DATA / "report.json").read_text(encoding="utf-8")
    from_csv = read_report(DATA / "semicolon_utf8.csv", campaign_id=4242)
    for payload in (text, text.encode("utf-8"), json.loads(text)):
        df = parse_report_json(payload)
        expect_main(df, campaign_id=4242)
        pd.testing.assert_frame_equal(df, from_csv)


def test_json_envelope_with_nested_fields():
    df = parse_report_json((DATA / "envelope_nested.json").read_bytes())
    assert list(df.columns)[-2:] == ["PRENOM", "CODE"]
    assert values(df["campaign_id"]) == [777, 777]
    assert values(df["PRENOM"]) == ["Inès", "Hugo"]
    assert values(df["CODE"]) == ["007", "042"]
    assert values(df["status_group"]) == ["delivered", "undelivered"]
    assert values(df["delivered_at"]) == [ts("2025-06-02T12:00:00+02:00"), NA]


def test_json_empty_list_is_an_empty_frame():
    df = parse_report_json([])
    assert len(df) == 0
    assert list(df.columns) == FIXED + TAIL
    check_dtypes(df)


@pytest.mark.parametrize(
    "payload, rule",
    [
        ("", "empty"),
        ("[{", "json"),
        ('{"total": 3}', "json-shape"),
        ('"hello"', "json-shape"),
        ('[{"INT_MOBILE": "+33600000001", "STATUS_CODE": 16}, 5]', "json-shape"),
        ('[{"STATUS_CODE": 16}]', "missing-column"),
    ],
)
def test_json_shape_errors(payload, rule):
    with pytest.raises(ReportFormatError) as info:
        parse_report_json(payload)
    assert info.value.rule == rule


def test_json_bad_values_name_column_and_line():
    records = [
        {"INT_MOBILE": "+33600000001", "STATUS_CODE": 16, "TRACK_1_COUNTER": 2},
        {"INT_MOBILE": "+33600000002", "STATUS_CODE": 16, "TRACK_1_COUNTER": 1.5},
    ]
    with pytest.raises(ReportFormatError) as info:
        parse_report_json(records)
    assert (info.value.rule, info.value.field, info.value.line) == ("integer", "TRACK_1_COUNTER", 2)
    records = [{"INT_MOBILE": "+33600000001", "STATUS_CODE": 16, "DELIVERYDATE": "2025-01-02T10:00:00"}]
    with pytest.raises(ReportFormatError) as info:
        parse_report_json(records)
    assert (info.value.rule, info.value.field, info.value.line) == ("date", "DELIVERYDATE", 1)


# -- variants of the CSV -------------------------------------------------------------
def test_windows_1252_with_accents_in_header_and_values():
    df = read_report(DATA / "cp1252.csv")
    assert list(df.columns)[-4:] == ["PRÉNOM", "NOM", "VILLE", "REMARQUE"]
    assert values(df["ref_list"]) == ["Fêtes", "Fêtes"]
    assert values(df["status_text"]) == ["Délivré", "Message expiré"]
    assert values(df["PRÉNOM"]) == ["Zoé", "François"]
    assert values(df["NOM"]) == ["Lefèvre", "Gaëlle"]
    assert values(df["VILLE"]) == ["Besançon", "Besançon"]
    assert values(df["REMARQUE"]) == ["Cœur d'or", "Œuvre € 5"]
    assert values(df["delivered_at"]) == [ts("2024-12-24T18:30:00+01:00"), NA]
    assert values(df["status_group"]) == ["delivered", "undelivered"]


def test_windows_1252_with_plain_header():
    df = read_report(DATA / "cp1252_ascii_header.csv")
    assert values(df["NOM"]) == ["Müller", "Garçon"]
    assert values(df["VILLE"]) == ["Saint-Étienne", "Orléans"]


def test_quoted_fields_with_separators_quotes_and_newlines():
    df = read_report(DATA / "quoted.csv")
    assert values(df["mobile"]) == ["+33611111111", "+33622222222", "+33633333333"]
    assert values(df["reply"]) == ["Stop; merci", "Bonjour\nà demain", "STOP\nok"]
    assert values(df["is_stop"]) == [True, False, True]
    assert values(df["ADRESSE"]) == ["12 rue des Lilas; bât. B", '3 "place" du Marché', NA]
    assert values(df["NOM"]) == ["Dupont", "Durand", "Martin"]


def test_missing_optional_columns_are_present_and_empty():
    df = read_report(DATA / "minimal.csv")
    assert list(df.columns) == FIXED + TAIL  # no track_N columns at all
    check_dtypes(df)
    assert values(df["status_group"]) == ["delivered", "blocked"]
    assert values(df["delivered_at"]) == [ts("2025-03-05T10:00:00+01:00"), NA]
    for col in ("reply", "preview_at", "preview_count", "clicks", "clicked", "first_click_at", "campaign_id"):
        assert df[col].isna().all(), col
    assert values(df["is_stop"]) == [False, False]


def test_three_tracks_sum_and_first_click():
    df = read_report(DATA / "tracks.csv")
    tracks = [f"track_{n}_{s}" for n in (1, 2, 3) for s in ("at", "clicks")]
    assert list(df.columns) == FIXED + tracks + TAIL
    assert values(df["track_2_clicks"]) == [1, NA, NA, 2]
    assert values(df["track_3_at"]) == [NA, ts("2025-03-06T18:45:00+01:00"), NA, NA]
    assert values(df["clicks"]) == [3, 4, 0, 2]
    # line 4 has a counter without a date: it clicked, but when is unknown
    assert values(df["clicked"]) == [True, True, False, True]
    assert values(df["first_click_at"]) == [
        ts("2025-03-05T09:30:00+01:00"),
        ts("2025-03-06T18:45:00+01:00"),
        NA,
        NA,
    ]
    for col in tracks:
        assert df[col].dtype == (DT if col.endswith("_at") else "Int32")


def test_header_case_extra_columns_and_name_clash():
    with pytest.warns(UserWarning, match="status"):
        df = read_report(DATA / "extra_columns.csv")
    assert list(df.columns) == FIXED + TAIL + ["CODE_CLIENT", "status_list", "Email"]
    assert values(df["ref_list"]) == ["Fidélité", "Fidélité"]
    assert values(df["mobile"]) == ["+33612000001", "+33612000002"]
    assert values(df["status_text"]) == ["Délivré", "Délivré"]
    assert values(df["delivered_at"]) == [ts("2024-12-01T14:00:00+01:00"), ts("2024-12-01T14:00:03+01:00")]
    assert values(df["CODE_CLIENT"]) == ["00123", "00456"]  # text, leading zeros kept
    assert values(df["status_list"]) == ["gold", "gold"]
    assert values(df["status"]) == ["Delivered", "Delivered"]


def test_period_report_campaign_column():
    df = read_report(DATA / "campaigns.csv")
    assert values(df["campaign_id"]) == [5001, 5001, 5002]
    assert values(df["ref_list"]) == ["Liste A", "Liste A", "Liste B"]
    with pytest.raises(ReportFormatError) as info:
        read_report(DATA / "campaigns.csv", campaign_id=5001)
    assert (info.value.rule, info.value.line) == ("campaign-id", 3)


@pytest.mark.parametrize("alias", ["CAMPAIGN_ID", "campaignId", "ID_CAMPAIGN", "campaign_id", " Campaign_Id "])
def test_campaign_id_aliases(alias):
    df = parse_report(f"{alias};INT_MOBILE;STATUS_CODE\n12;+33600000001;16\n")
    assert values(df["campaign_id"]) == [12]


def test_report_columns_table():
    assert REPORT_COLUMNS["DELIVERYDATE"] == "delivered_at"
    assert REPORT_COLUMNS["ID_LINE"] == "line"
    assert REPORT_COLUMNS["TRACK_N_COUNTER"] == "track_N_clicks"
    assert {REPORT_COLUMNS[k] for k in ("CAMPAIGN_ID", "campaignId", "ID_CAMPAIGN", "campaign_id")} == {"campaign_id"}


# -- dates -------------------------------------------------------------------------
def test_dst_changes_are_deterministic():
    df = read_report(DATA / "dst.csv")
    utc = [v.tz_convert("UTC") for v in df["delivered_at"]]
    assert utc == [
        pd.Timestamp(t, tz="UTC")
        for t in [
            "2024-10-26 23:59:59",  # 01:59:59 summer time
            "2024-10-27 00:30:00",  # 02:30 happens twice: the first one (summer time)
            "2024-10-27 02:00:00",  # 03:00 winter time
            "2024-03-31 00:59:59",  # 01:59:59 winter time
            "2024-03-31 01:00:00",  # 02:30 does not exist: moved to 03:00 summer time
            "2024-03-31 01:00:00",  # 03:00 summer time
            "2025-10-26 00:15:00",  # ambiguous again: first occurrence
            "2025-03-30 01:00:00",  # in the gap again
        ]
    ]


@pytest.mark.parametrize(
    "bad",
    [
        "31/02/2025 10:00:00",
        "29/02/2025 10:00:00",
        "29/02/2100 10:00:00",
        "31/04/2025 10:00:00",
        "05/03/25 10:00:00",
        "5/3/2025 10:00:00",
        "05/03/2025 24:00:00",
        "05/03/2025 10:00:60",
        "05/03/2025",
        "05-03-2025 10:00:00",
        " 05/03/2025 10:00:00",
        "05/03/2025 10:00:00Z",
        "00/03/2025 10:00:00",
        "05/13/2025 10:00:00",
        "０5/03/2025 10:00:00",
    ],
)
def test_malformed_dates_are_errors_with_column_and_line(bad):
    text = f"INT_MOBILE;STATUS_CODE;PREVIEW\n+33600000001;16;05/03/2025 10:00:00\n+33600000002;16;{bad}\n"
    with pytest.raises(ReportFormatError) as info:
        parse_report(text)
    assert (info.value.rule, info.value.field, info.value.line) == ("date", "PREVIEW", 2)
    assert "PREVIEW" in str(info.value) and "line 2" in str(info.value)


def test_leap_day_and_far_dates_are_read():
    text = "INT_MOBILE;STATUS_CODE;DELIVERYDATE\n1;16;29/02/2024 12:00:00\n2;16;29/02/2000 00:00:00\n3;16;01/07/2031 08:00:00\n"
    df = parse_report(text)
    assert values(df["delivered_at"]) == [
        ts("2024-02-29T12:00:00+01:00"),
        ts("2000-02-29T00:00:00+01:00"),
        ts("2031-07-01T08:00:00+02:00"),
    ]


def test_bad_date_file():
    with pytest.raises(ReportFormatError) as info:
        read_report(DATA / "bad_date.csv")
    assert (info.value.field, info.value.line) == ("DELIVERYDATE", 3)
    assert isinstance(info.value, ValidationError) and isinstance(info.value, ValueError)


# -- other errors ------------------------------------------------------------------------
def test_bad_counter_file():
    with pytest.raises(ReportFormatError) as info:
        read_report(DATA / "bad_counter.csv")
    assert (info.value.rule, info.value.field, info.value.line) == ("integer", "TRACK_1_COUNTER", 2)


@pytest.mark.parametrize(
    "cell, field",
    [("-3", "STATUS_CODE"), ("70000", "STATUS_CODE"), ("16.0", "STATUS_CODE"), ("x", "ID_LINE")],
)
def test_bad_integers(cell, field):
    row = {"STATUS_CODE": "16", "ID_LINE": "1"}
    row[field] = cell
    text = f"ID_LINE;INT_MOBILE;STATUS_CODE\n1;+33600000001;16\n{row['ID_LINE']};+33600000002;{row['STATUS_CODE']}\n"
    with pytest.raises(ReportFormatError) as info:
        parse_report(text)
    assert (info.value.rule, info.value.field, info.value.line) == ("integer", field, 2)


def test_ragged_row_names_the_line():
    with pytest.raises(ReportFormatError) as info:
        read_report(DATA / "ragged.csv")
    assert (info.value.rule, info.value.line) == ("column-count", 3)


def test_empty_file_is_an_error():
    for source in (DATA / "empty.csv",):
        with pytest.raises(ReportFormatError) as info:
            read_report(source)
        assert info.value.rule == "empty"
    for payload in (b"", "", b"\xef\xbb\xbf", b"\n\n"):
        with pytest.raises(ReportFormatError, match="empty"):
            parse_report(payload)


def test_header_only_is_an_empty_frame_with_the_same_dtypes():
    df = read_report(DATA / "header_only.csv")
    assert len(df) == 0
    assert list(df.columns) == FIXED + ["track_1_at", "track_1_clicks"] + TAIL + ["PRENOM"]
    check_dtypes(df)
    assert df["track_1_at"].dtype == DT and df["track_1_clicks"].dtype == "Int32"
    assert df["PRENOM"].dtype == STR
    full = read_report(DATA / "semicolon_utf8.csv")
    for col in FIXED + TAIL:
        if not isinstance(full[col].dtype, pd.CategoricalDtype):
            assert df[col].dtype == full[col].dtype, col


@pytest.mark.parametrize(
    "header, rule, field",
    [
        ("INT_MOBILE;DELIVERYDATE", "missing-column", "STATUS_CODE"),
        ("STATUS_CODE;NOM", "missing-column", "INT_MOBILE"),
        ("INT_MOBILE;STATUS_CODE;status_code", "duplicate-column", "status_code"),
    ],
)
def test_header_errors(header, rule, field):
    with pytest.raises(ReportFormatError) as info:
        parse_report(header + "\n")
    assert (info.value.rule, info.value.field) == (rule, field)


def test_utf16_is_refused_clearly():
    with pytest.raises(ReportFormatError) as info:
        parse_report("INT_MOBILE;STATUS_CODE\n+33600000001;16\n".encode("utf-16"))
    assert info.value.rule == "charset"


def test_null_like_words_stay_text():
    df = parse_report("INT_MOBILE;STATUS_CODE;NOM\n+33600000001;16;NA\n+33600000002;16;null\n+33600000003;16;N/A\n")
    assert values(df["NOM"]) == ["NA", "null", "N/A"]


def test_stop_detection_first_word_any_case():
    replies = ["stop", "  Stop merci", "STOP.", "StOp", "stopper", "non stop", "STOP36184", "Arrêt"]
    body = "".join(f"+336000000{i:02d};16;{r}\n" for i, r in enumerate(replies))
    df = parse_report("INT_MOBILE;STATUS_CODE;REPLY\n" + body)
    assert values(df["is_stop"]) == [True, True, True, True, False, False, False, False]


# -- round trips (hypothesis) ----------------------------------------------------------


@settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(REPORT_ROW, min_size=0, max_size=6),
    sep=st.sampled_from([";", ","]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_csv_and_json_round_trips(rows, sep, encoding):
    header = [
        "ID_LINE",
        "INT_MOBILE",
        "STATUS_CODE",
        "DELIVERYDATE",
        "REPLY",
        "TRACK_1",
        "TRACK_1_COUNTER",
        "TRACK_2",
        "TRACK_2_COUNTER",
        "NOM",
        "VILLE",
    ]
    table = [[r[h] for h in header] for r in rows]
    from_csv = parse_report(write_csv(header, table, sep).encode(encoding), campaign_id=9)
    records = [
        {h: (v.strftime("%d/%m/%Y %H:%M:%S") if isinstance(v, datetime) else v) for h, v in zip(header, row)}
        for row in table
    ]
    from_json = parse_report_json(json.dumps(records) if records else "[]", campaign_id=9)
    if not rows:
        assert len(from_csv) == 0 and list(from_csv.columns)[-2:] == ["NOM", "VILLE"]
        return
    pd.testing.assert_frame_equal(from_csv, from_json)

    # independent expectations
    df = from_csv
    assert values(df["mobile"]) == [r["INT_MOBILE"] for r in rows]
    assert values(df["line"]) == [r["ID_LINE"] for r in rows]
    assert values(df["delivered_at"]) == [paris(r["DELIVERYDATE"]) for r in rows]
    assert values(df["reply"]) == [NA if r["REPLY"] is None else r["REPLY"] for r in rows]
    assert values(df["NOM"]) == [NA if r["NOM"] is None else r["NOM"] for r in rows]
    stop = [
        r["STATUS_CODE"] == 17 or bool(r["REPLY"] and re.match(r"\s*stop\b", r["REPLY"], re.I | re.A)) for r in rows
    ]
    assert values(df["is_stop"]) == stop
    clicks = [(r["TRACK_1_COUNTER"] or 0) + (r["TRACK_2_COUNTER"] or 0) for r in rows]
    assert values(df["clicks"]) == clicks
    firsts = [min((d for d in (r["TRACK_1"], r["TRACK_2"]) if d is not None), key=paris, default=None) for r in rows]
    assert values(df["first_click_at"]) == [paris(d) for d in firsts]
    known = {1, 2, 13, 14, 16, 17, 20, 21, 22, 24, 31}
    assert values(df["status_group"].eq("unknown")) == [r["STATUS_CODE"] not in known for r in rows]

    # the frame written back as CSV reads back to the same frame
    back_header = [
        "CAMPAIGN_ID",
        "ID_LINE",
        "INT_MOBILE",
        "STATUS_CODE",
        "DELIVERYDATE",
        "REPLY",
        "TRACK_1",
        "TRACK_1_COUNTER",
        "TRACK_2",
        "TRACK_2_COUNTER",
        "NOM",
        "VILLE",
    ]
    cols = [
        "campaign_id",
        "line",
        "mobile",
        "status_code",
        "delivered_at",
        "reply",
        "track_1_at",
        "track_1_clicks",
        "track_2_at",
        "track_2_clicks",
        "NOM",
        "VILLE",
    ]
    back_rows = []
    for rec in df[cols].astype(object).itertuples(index=False):
        back_rows.append(
            [
                None
                if pd.isna(v)
                else (v.tz_convert(PARIS).tz_localize(None).to_pydatetime() if isinstance(v, pd.Timestamp) else v)
                for v in rec
            ]
        )
    again = parse_report(write_csv(back_header, back_rows, ";"))
    pd.testing.assert_frame_equal(again, df)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(st.lists(DATES, min_size=1, max_size=20))
def test_dates_match_zoneinfo(dates):
    body = "".join(f"+33600000001;16;{d:%d/%m/%Y %H:%M:%S}\n" for d in dates)
    df = parse_report("INT_MOBILE;STATUS_CODE;DELIVERYDATE\n" + body)
    expected = [d.replace(tzinfo=PARIS_TZ).astimezone(ZoneInfo("UTC")).replace(tzinfo=None) for d in dates]
    got = [t.tz_convert("UTC").tz_localize(None).to_pydatetime() for t in df["delivered_at"]]
    assert got == expected


def test_utf8_with_a_stray_byte_is_refused_not_misread():
    body = "INT_MOBILE;STATUS_CODE;NOM\n+33600000001;16;Hélène\n+33600000002;16;".encode() + b"Ren\xe9e\n"
    with pytest.raises(ReportFormatError) as info:
        parse_report(body)
    assert (info.value.rule, info.value.line) == ("mixed-encoding", 2)


def test_unknown_lang_is_refused():
    with pytest.raises(ValueError, match="lang"):
        read_report(DATA / "minimal.csv", lang="de")


def test_docstring_examples():
    import doctest

    import mfanalytics.reports.parsing
    import mfanalytics.reports.schema

    for module in (mfanalytics.reports.parsing, mfanalytics.reports.schema):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0, module.__name__


def test_dates_of_other_lengths_cannot_shift_their_neighbours():
    # 18 + 20 characters: the same total as two good dates
    text = "INT_MOBILE;STATUS_CODE;DELIVERYDATE\n1;16;5/03/2025 10:00:00\n2;16;05/03/2025 10:00:000\n"
    with pytest.raises(ReportFormatError) as info:
        parse_report(text)
    assert (info.value.field, info.value.line) == ("DELIVERYDATE", 1)


def test_json_numbers_in_text_columns_keep_their_digits():
    records = [
        {"INT_MOBILE": 33612345678, "STATUS_CODE": 16, "CODE_POSTAL": 75001, "NOTE": 2.5},
        {"INT_MOBILE": 33612345679, "STATUS_CODE": 16, "CODE_POSTAL": None, "NOTE": None},
    ]
    df = parse_report_json(records)
    assert values(df["mobile"]) == ["33612345678", "33612345679"]
    assert values(df["CODE_POSTAL"]) == ["75001", NA]
    assert values(df["NOTE"]) == ["2.5", NA]


@pytest.mark.parametrize(
    "cell",
    [
        b"Ren\xe9e",  # a list column
        b"1\xe96",  # an integer column (STATUS_CODE)
        b"05/03/2025 10:00:0\xe9",  # a date column
        b"\xc3",  # a sequence cut by the end of the file
    ],
)
def test_a_stray_byte_past_the_first_block_is_refused_as_mixed(cell):
    # the first block settles UTF-8 (an accent): the stray byte, megabytes on, is found all the same
    rows = b"".join(b"+336%08d;16;05/03/2025 10:00:00;H\xc3\xa9l\xc3\xa8ne\n" % i for i in range(60_000))

    def report(last: bytes) -> bytes:
        fields = [b"+33600000001", b"16", b"05/03/2025 10:00:00", b"Ren\xc3\xa9e"]
        fields[{b"1\xe96": 1, b"05/03/2025 10:00:0\xe9": 2}.get(last, 3)] = last
        return b"INT_MOBILE;STATUS_CODE;DELIVERYDATE;NOM\n" + rows + b";".join(fields) + b"\n" * (last != b"\xc3")

    assert len(report(cell)) > 2 << 20
    with pytest.raises(ReportFormatError) as info:
        parse_report(report(cell))
    assert (info.value.rule, info.value.line) == ("mixed-encoding", 60_001)
    good = parse_report(report(b"Ren\xc3\xa9e"))
    assert len(good) == 60_001 and good["NOM"].iloc[-1] == "Renée"


def test_list_columns_read_as_dictionaries_follow_the_frame_rule():
    # over three reader blocks: REF_LIST, STATUS_TEXT and the list columns that repeat in the first lines
    # are read as dictionaries; categories come in the order of first use, text stays text
    n = 60_000
    rows = [
        ";".join(
            [
                f"+336{i:08d}",
                "16",
                ["Délivré", "Envoyé", "Non délivré"][(i // 7) % 3] if i % 11 else "",
                f"liste{i // 25_000}",
                "même" if i < 5_000 else f"u{i}",  # repeats at the start, then every value is new
                f"v{(i * 7919) % 20_000}é" if i % 4 else "",  # a category whose values first show up late
                f"w{i % 40_000}",  # each value once or twice: more distinct values than half: text
            ]
        )
        for i in range(n)
    ]
    body = "INT_MOBILE;STATUS_CODE;STATUS_TEXT;REF_LIST;A;B;C\n" + "\n".join(rows) + "\n"
    assert len(body.encode()) > 2 << 20
    df = parse_report(body)
    check_dtypes(df)
    assert [str(df[c].dtype) for c in "ABC"] == [STR, "category", STR]
    for col, source in (("status_text", 2), ("ref_list", 3), ("A", 4), ("B", 5), ("C", 6)):
        expected = [r.split(";")[source] or NA for r in rows]
        assert values(df[col].astype(object)) == expected, col
        if df[col].dtype == "category":
            assert list(df[col].cat.categories) == list(dict.fromkeys(v for v in expected if v is not NA)), col
    assert df["B"].cat.codes.dtype == "int16" and df["ref_list"].cat.codes.dtype == "int8"
