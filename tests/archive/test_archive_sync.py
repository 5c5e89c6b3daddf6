"""The archive against a sandbox over HTTP on loopback: what sync fetches, what frame() and DuckDB read back.

The oracles: ``Client.get_reports`` of the same period at the same clock (the fetch the archive
stands in for), DuckDB computing over the files on its own, and the requests counted at the
client's injected ``requests.Session`` (the test seam of :class:`mfanalytics.Client`).
"""

from __future__ import annotations

import json
import random

import pandas as pd
import pyarrow as pa
import pytest
from archive_history import LINK, START, assert_same_report, counting_client, history, send
from sandbox_api import Api

from mfanalytics import Archive, ValidationError
from mfanalytics.sandbox.embedded import EmbeddedSandbox

DAYS = 10
FIRST = "2026-03-20"


@pytest.fixture(scope="module")
def lived():
    """A sandbox with 10 days of campaigns behind its clock, the last ones still in flight."""
    with EmbeddedSandbox(seed=3, start=START, speed=0) as sb:
        history(sb, DAYS, seed=3)
        yield sb


def test_a_sync_holds_what_get_reports_returns_with_the_same_dtypes(lived, tmp_path):
    archive = Archive(tmp_path / "arch")
    client = lived.client()
    result = archive.sync(client, FIRST, progress=False)
    fetched = client.get_reports(FIRST, progress=False)
    assert result.rows_added == len(fetched) > 300 and result.rows_updated == 0
    assert_same_report(archive.frame(FIRST), fetched)
    # the same, a period inside: the partitions and day files of those days only
    inner = archive.frame("2026-03-22", "2026-03-26")
    assert_same_report(inner, client.get_reports("2026-03-22", "2026-03-26", progress=False))
    # one day file per Paris day with campaigns, in the folder of its month
    days = sorted(p.name for p in archive.reports_path.glob("month=*/*.parquet"))
    assert days and all(p.parent.name == f"month={p.name[:7]}" for p in archive.reports_path.glob("month=*/*"))


def test_duckdb_counts_the_same_rows_as_pandas_per_campaign_and_month(lived, tmp_path):
    archive = Archive(tmp_path / "arch")
    client = lived.client()
    archive.sync(client, FIRST, progress=False)
    fetched = client.get_reports(FIRST, progress=False)
    con = archive.duckdb()
    sql = con.execute(
        "SELECT campaign_id, count(*) AS n, count(*) FILTER (WHERE status_group = 'delivered') AS delivered, "
        "sum(clicks) AS clicks FROM reports GROUP BY campaign_id ORDER BY campaign_id"
    ).df()
    expected = (
        fetched.assign(delivered=fetched["status_group"].eq("delivered"))
        .groupby("campaign_id")
        .agg(n=("line", "size"), delivered=("delivered", "sum"), clicks=("clicks", "sum"))
        .reset_index()
    )
    assert sql["campaign_id"].tolist() == expected["campaign_id"].tolist()
    assert sql["n"].tolist() == expected["n"].tolist()
    assert sql["delivered"].tolist() == expected["delivered"].tolist()
    assert sql["clicks"].fillna(0).astype(int).tolist() == expected["clicks"].astype(int).tolist()
    months = dict(con.execute("SELECT month, count(*) FROM reports GROUP BY month").fetchall())
    assert sum(months.values()) == len(fetched) and set(months) == {"2026-03"}
    # Paris hours: the connection's time zone
    hours = con.execute("SELECT hour(delivered_at) AS h FROM reports WHERE delivered_at IS NOT NULL").df()["h"]
    assert sorted(hours.tolist()) == sorted(fetched["delivered_at"].dropna().dt.hour.tolist())


def test_a_second_sync_with_nothing_new_makes_no_report_request(lived, tmp_path):
    archive = Archive(tmp_path / "arch")
    client, session = counting_client(lived)
    end = "2026-03-25"  # long past, every line final
    first = archive.sync(client, FIRST, end, progress=False)
    assert first.windows_fetched == session.reports() == 6 and first.windows_in_flight == 0
    again = archive.sync(client, FIRST, end, progress=False)
    assert session.reports() == 6 and again.windows_fetched == 0 and again.rows_added == 0
    assert "0 windows fetched" in repr(again)
    # up to the clock: the days with lines in flight are asked again, nothing else
    archive.sync(client, FIRST, progress=False)
    before = session.reports()
    still = json.loads(archive.manifest_path.read_text())["windows"]
    in_flight_days = {w["day"] for w in still if w["in_flight"]}
    assert in_flight_days
    archive.sync(client, FIRST, progress=False)  # the clock has not moved
    assert session.reports() - before == len(in_flight_days)


def test_in_flight_lines_are_fetched_again_until_they_settle_and_later_states_replace_earlier(tmp_path):
    with EmbeddedSandbox(seed=5, start=START, speed=0) as sb:
        api, rng = Api(sb), random.Random(5)
        send(api, rng, in_flight=True, n=60)
        sb.advance(120)
        archive = Archive(tmp_path / "arch")
        client, session = counting_client(sb)
        first = archive.sync(client, FIRST, progress=False)
        assert first.windows_in_flight == 1 and first.lines_in_flight > 0
        assert first.rows_added == 60
        sb.advance(2 * 3600)  # the 31s are delivered now; the 22s wait for 48 h
        second = archive.sync(client, FIRST, progress=False)
        assert second.rows_updated > 0 and second.rows_added == 0
        assert_same_report(archive.frame(FIRST), client.get_reports(FIRST, progress=False))
        sb.advance(49 * 3600)
        third = archive.sync(client, FIRST, progress=False)
        assert third.rows_updated > 0 and third.windows_in_flight == 0
        frame = archive.frame(FIRST)
        assert frame["is_final"].all()
        assert_same_report(frame, client.get_reports(FIRST, progress=False))
        # settled: the day is never asked again, even as the clock runs (only the new minutes are)
        sb.advance(3600)
        before = session.reports()
        archive.sync(client, FIRST, FIRST, progress=False)
        assert session.reports() == before
        info = archive.info()
        assert info.rows == 60 and info.campaigns == 1 and len(info.in_flight) == 0
        assert "nothing in flight" in str(info)


def test_a_campaign_sent_after_a_sync_is_added_by_the_next_one(tmp_path):
    with EmbeddedSandbox(seed=6, start=START, speed=0) as sb:
        api, rng = Api(sb), random.Random(6)
        send(api, rng, n=30)
        sb.advance(600)
        archive = Archive(tmp_path / "arch")
        client = sb.client()
        archive.sync(client, FIRST, progress=False)
        sb.advance(86400)
        api.login()
        send(api, rng, n=25, link=False)
        sb.advance(600)
        result = archive.sync(client, FIRST, progress=False)
        assert result.rows_added == 25
        assert_same_report(archive.frame(), client.get_reports(FIRST, progress=False))
        assert archive.frame()["campaign_id"].nunique() == 2


def test_a_link_nobody_clicked_is_masked_alike_by_the_archive_and_by_get_reports(tmp_path):
    """One rule, two scopes: a period report masks per campaign when it holds several, the archive always."""
    with EmbeddedSandbox(seed=7, start=START, speed=0) as sb:
        api, rng = Api(sb), random.Random(7)
        quiet = {  # delivered or not, never a click nor a preview (magic numbers +33 6 39 98 00 CC)
            "msg": "Nos offres ${track_1} STOP 36184",
            "tinyList": LINK,
            "listRecipient": [{"mobile": f"06399800{cc}"} for cc in (16, 21, 20, 13)],
            "startNow": True,
        }
        r = api.post("/campaigns/inject", json=quiet)
        assert r.status_code == 200, r.text
        unclicked = int(r.json()["id"])
        sb.advance(86400)
        api.login()
        clicked = send(api, rng, n=20)
        send(api, rng, n=15, link=False)
        sb.advance(3600)
        client = sb.client()
        own = client.get_report(unclicked)
        assert own["clicked"].notna().all() and not own["clicked"].any()  # its own report: a link, 0 clicks
        archive = Archive(tmp_path / "arch")
        archive.sync(client, FIRST, progress=False)
        fetched = client.get_reports(FIRST, progress=False)
        assert_same_report(archive.frame(FIRST), fetched)
        rows = fetched["campaign_id"] == unclicked
        assert fetched.loc[rows, ["clicks", "clicked", "first_click_at"]].isna().all().all()
        assert fetched.loc[fetched["campaign_id"] == clicked, "clicked"].any()
        # alone in a period report it is its own report; the archive judged it on its own rows all the same
        alone = client.get_reports(FIRST, "2026-03-20", progress=False)
        assert set(alone["campaign_id"]) == {unclicked} and alone["clicked"].notna().all()
        assert archive.frame(FIRST, "2026-03-20")["clicked"].isna().all()


def test_frame_reads_only_the_months_in_range_and_the_columns_asked_for(lived, tmp_path):
    archive = Archive(tmp_path / "arch")
    client = lived.client()
    archive.sync(client, FIRST, progress=False)
    fetched = client.get_reports(FIRST, progress=False)
    # a month folder outside the range that is not Parquet at all: never opened
    bogus = archive.reports_path / "month=2026-01" / "2026-01-05.parquet"
    bogus.parent.mkdir(parents=True)
    bogus.write_bytes(b"not parquet")
    columns = ["status_group", "campaign_id", "delivered_at", "PRENOM"]
    part = archive.frame("2026-03-01", columns=columns)
    assert list(part.columns) == columns
    assert part.dtypes.to_dict() == fetched[columns].dtypes.to_dict()
    one = int(fetched["campaign_id"].iloc[-1])
    only = archive.frame("2026-03-01", campaigns=[one])
    expected = fetched[fetched["campaign_id"] == one].reset_index(drop=True)
    for c in ("ref_list", "status_text", "PRENOM", "VILLE"):  # the categories of the rows kept, in their order
        values = expected[c].astype(object)
        cats = pd.Index(pd.unique(values.dropna()), dtype="str")
        expected[c] = pd.Categorical(values, categories=cats)
    assert_same_report(only, expected)
    with pytest.raises(pa.ArrowInvalid):
        archive.frame()  # the whole archive: the bogus file is read, and is not Parquet
    with pytest.raises(ValidationError) as err:
        archive.frame("2026-03-01", columns=["no_such_column"])
    assert err.value.rule == "archive-column"
    with pytest.raises(ValidationError) as err:
        archive.frame("2026-03-20 12:00")
    assert err.value.rule == "archive-day" and err.value.field == "start"


def test_an_empty_archive_reads_as_the_empty_report_frame(lived, tmp_path):
    archive = Archive(tmp_path / "empty")
    empty = lived.client().get_reports("2026-01-01", "2026-01-03", progress=False)
    frame = archive.frame()
    assert len(frame) == 0 and list(frame.columns) == list(empty.columns)
    assert frame.dtypes.to_dict() == empty.dtypes.to_dict()
    assert archive.duckdb().execute("SELECT count(*) FROM reports").fetchone() == (0,)
    result = archive.sync(lived.client(), "2026-01-01", "2026-01-03", progress=False)
    assert result.windows_fetched == 3 and result.rows_added == 0
    assert archive.frame().dtypes.to_dict() == empty.dtypes.to_dict()


def test_the_manifest_lists_each_window_with_the_sha256_of_its_body(lived, tmp_path):
    import hashlib

    archive = Archive(tmp_path / "arch")
    client = lived.client()
    archive.sync(client, FIRST, "2026-03-21", progress=False)
    manifest = json.loads(archive.manifest_path.read_text())
    windows = manifest["windows"]
    assert sorted(w["day"] for w in windows) == ["2026-03-20", "2026-03-21"]
    for w in windows:
        (body,) = w["bodies"]
        raw = Api(lived).get("/campaigns/reportjson/", params={"from": body["from"], "to": body["to"]}).content
        assert body["sha256"] == hashlib.sha256(raw).hexdigest() and body["bytes"] == len(raw)
        assert w["rows"] == len(json.loads(raw)) and w["in_flight"] == 0
        assert w["start"].startswith(w["day"]) and w["fetched_at"].endswith("Z")


def test_a_period_that_ends_before_it_starts_is_refused(lived, tmp_path):
    with pytest.raises(ValidationError) as err:
        Archive(tmp_path).sync(lived.client(), "2026-03-10", "2026-03-01", progress=False)
    assert err.value.rule == "period-order"


def test_the_command_line_syncs_and_tells_what_the_archive_holds(lived, tmp_path, monkeypatch, capsys):
    from mfanalytics.cli import main

    monkeypatch.setenv("MEDIASFLOW_BASE_URL", lived.url)
    monkeypatch.setenv("MEDIASFLOW_USERNAME", "demo")
    monkeypatch.setenv("MEDIASFLOW_PASSWORD", "demo")
    path = str(tmp_path / "cli")
    assert main(["archive", "sync", "--path", path, "--from", FIRST, "--no-progress"]) == 0
    said = capsys.readouterr().out
    assert "windows fetched" in said and "rows added" in said
    assert main(["archive", "info", "--path", path]) == 0
    info = capsys.readouterr().out
    fetched = lived.client().get_reports(FIRST, progress=False)
    assert f"{len(fetched):,} rows of {fetched['campaign_id'].nunique()} campaigns in 1 month" in info
    assert "2026-03" in info and "still in flight" in info
    assert main(["archive", "info", "--path", str(tmp_path / "none")]) == 2
    assert "not an archive" in capsys.readouterr().err


def test_frame_reads_day_files_whose_dictionaries_do_not_combine(tmp_path):
    """A year of day files, each with its own list name, written as dictionaries with 8-bit
    or 16-bit indices (pyarrow's choice for a few values, as other writers make them): 200 list names do
    not fit one 8-bit dictionary, and Archive.frame() must still read every row, not fail with
    "These dictionaries cannot be combined" (found by the 50M-row benchmark)."""
    import pyarrow.parquet as pq

    days = pd.date_range("2025-01-06", periods=200, freq="D")
    for i, day in enumerate(days):
        folder = tmp_path / "reports" / f"month={day:%Y-%m}"
        folder.mkdir(parents=True, exist_ok=True)
        width = pa.int8() if i % 2 else pa.int16()  # and their index types differ from file to file
        names = pa.DictionaryArray.from_arrays(pa.array([0, 0], width), pa.array([f"liste-{i}.csv"]))
        table = pa.table(
            {
                "campaign_id": pa.array([1000 + i] * 2, pa.int64()),
                "ref_list": names,
                "line": pa.array([1, 2], pa.int32()),
                "status_code": pa.array([16, 21], pa.int16()),
            }
        )
        pq.write_table(table, folder / f"{day:%Y-%m-%d}.parquet")
    frame = Archive(tmp_path).frame(columns=["campaign_id", "ref_list", "line", "status_code"])
    assert len(frame) == 400
    assert frame["ref_list"].nunique() == 200
    assert list(frame["ref_list"].iloc[[0, -1]]) == ["liste-0.csv", "liste-199.csv"]
