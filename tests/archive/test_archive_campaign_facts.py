"""The campaigns' facts a synced archive keeps in each day file, and the KPIs computed with them.

The oracles: the engine's own campaigns query (``engines.campaign_query``) run by DuckDB over the
archive's view, and every KPI on ``archive.frame()`` (pandas' frame of the same rows), to the
last digit. A day file rewritten by another tool, without the facts or with facts of another
definition, must not be trusted: the engine then reads the rows.
"""

from __future__ import annotations

import json
import shutil
from functools import partial

import pandas as pd
import pyarrow.parquet as pq
import pytest
from archive_history import START, history

from mfanalytics import Archive
from mfanalytics.analysis import engines, kpis, trends
from mfanalytics.archive import campaigns
from mfanalytics.sandbox.embedded import EmbeddedSandbox

KPIS = {
    "summarize": kpis.summarize,
    "summarize all": partial(kpis.summarize, by=None, segments=2),
    "codes": kpis.status_breakdown,
    "countries": kpis.by_country,
    "hours": kpis.by_hour,
    "campaigns": kpis.compare_campaigns,
    "days": trends.daily_rates,
}


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """An archive synced from 6 days of the sandbox's campaigns, some lines still in flight."""
    path = tmp_path_factory.mktemp("facts") / "arch"
    with EmbeddedSandbox(seed=11, start=START, speed=0) as sb:
        history(sb, 6, seed=11)
        Archive(path).sync(sb.client(), "2026-03-20", progress=False)
    return path


@pytest.fixture
def archive(synced, tmp_path):
    shutil.copytree(synced, tmp_path / "arch")
    return Archive(tmp_path / "arch")


def _by_query(archive: Archive) -> pd.DataFrame:
    t = engines.table_of(archive)
    return engines.campaign_query(t).to_pyarrow().to_pandas().sort_values("_ck", ignore_index=True)


def test_each_day_file_keeps_the_facts_the_query_finds_over_the_whole_archive(archive):
    files = sorted(archive.reports_path.glob("month=*/*.parquet"))
    assert len(files) >= 3  # several day files, campaigns of several days
    kept = campaigns.kept_campaign_facts(archive.reports_path)
    assert kept is not None
    got = kept.to_pandas().sort_values("_ck", ignore_index=True)
    want = _by_query(archive)
    assert len(want) >= 6 and want["_shown"].any() and not want["_shown"].all()  # with and without links
    pd.testing.assert_frame_equal(got, want[got.columns.tolist()], check_dtype=False, check_exact=True)


@pytest.mark.parametrize("name", list(KPIS))
def test_the_kpis_with_the_kept_facts_are_those_of_the_archive_frame(name, archive, monkeypatch):
    expected = KPIS[name](archive.frame())
    assert len(expected)

    def never(*args, **kwargs):
        raise AssertionError("the campaigns query ran although every day file keeps its answer")

    monkeypatch.setattr(engines, "campaign_query", never)
    pd.testing.assert_frame_equal(KPIS[name](archive), expected, check_exact=True)


def _rewrite(path, metadata):
    """The day file at ``path`` written again by another tool, with ``metadata`` as its own."""
    table = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata(metadata), path)


@pytest.mark.parametrize(
    "metadata",
    [None, {campaigns.KEY: json.dumps({"version": -1, "rows": []}).encode()}, {campaigns.KEY: b"{not json"}],
    ids=["none", "another definition", "unreadable"],
)
def test_a_day_file_without_facts_of_this_definition_makes_the_engine_read_the_rows(archive, metadata):
    expected = {name: kpi(archive.frame()) for name, kpi in KPIS.items()}
    first = sorted(archive.reports_path.glob("month=*/*.parquet"))[0]
    _rewrite(first, metadata)
    assert campaigns.kept_campaign_facts(archive.reports_path) is None
    for name, kpi in KPIS.items():
        pd.testing.assert_frame_equal(kpi(archive), expected[name], check_exact=True)


def test_facts_that_lie_would_change_the_answer(archive):
    """The kept facts are what the engine uses: the same rows with a campaign's facts changed
    (no link shown where one was) lose its click columns, so the checks above are not vacuous."""
    before = kpis.summarize(archive)
    linked = int(before.index[before["delivered_with_link"] > 0][0])
    for path in sorted(archive.reports_path.glob("month=*/*.parquet")):
        table = pq.read_table(path)
        facts = json.loads(table.schema.metadata[campaigns.KEY])
        facts["rows"] = [[ck, shown and ck != linked, first] for ck, shown, first in facts["rows"]]
        pq.write_table(table.replace_schema_metadata({campaigns.KEY: json.dumps(facts).encode()}), path)
    after = kpis.summarize(archive)
    assert after.loc[linked, "delivered_with_link"] == 0 and after.loc[linked, "clicked"] == 0
    assert pd.isna(after.loc[linked, "click_rate"])
    assert after.drop(index=linked).equals(before.drop(index=linked))


def _earlier(path, minutes=24 * 60):
    """The day file at ``path`` written again as a sync writes it, every delivery ``minutes`` earlier:
    its campaigns' first deliveries move, so facts of the old file with rows of the new one are wrong."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from mfanalytics.archive import files

    table = pq.read_table(path)
    at = table.schema.get_field_index("delivered_at")
    shifted = pc.subtract(table["delivered_at"], pa.scalar(minutes * 60_000_000, pa.duration("us")))
    files.write_table(path, table.set_column(at, "delivered_at", shifted.cast(table.schema.field(at).type)))


#: The KPIs that read the kept facts, or make several queries (status_breakdown makes one, which
#: reads each file once).
RACED = {**{k: v for k, v in KPIS.items() if k != "codes"}, "flags": trends.flag_campaigns}


@pytest.mark.parametrize("name", list(RACED))
def test_a_sync_renaming_a_day_file_during_the_kpis_does_not_mix_two_versions_of_it(name, archive, monkeypatch):
    """A sync replaced a day file after the KPIs read the facts the files keep and before they
    scanned the rows. The answer is the archive as it was when the KPIs began, to the last digit
    (before the fix: the old file's first deliveries with the new file's rows, neither state)."""
    before = RACED[name](archive.frame())
    path = sorted(archive.reports_path.glob("month=*/*.parquet"))[0]
    kept, writes = campaigns.kept_campaign_facts, []

    def then_a_sync_writes(reports):
        got = kept(reports)
        if not writes:
            writes.append(path)
            _earlier(path)
        return got

    monkeypatch.setattr(campaigns, "kept_campaign_facts", then_a_sync_writes)
    got = RACED[name](archive)
    assert writes, "the KPIs never read the kept facts"
    after = RACED[name](archive.frame())
    assert not after.equals(before), "the rewrite changed nothing: the test would be vacuous"
    pd.testing.assert_frame_equal(got, before, check_exact=True)
    pd.testing.assert_frame_equal(RACED[name](archive), after, check_exact=True)  # the next call sees the new file
    assert not (archive.path / ".pins").exists() or not any((archive.path / ".pins").iterdir())


def test_a_pin_holds_the_files_as_they_were_and_leaves_nothing_behind(archive):
    path = sorted(archive.reports_path.glob("month=*/*.parquet"))[0]
    before, frame = pq.read_table(path), archive.frame()
    with archive.pinned() as now:
        assert now.reports_path != archive.reports_path and "pinned" in repr(now)
        with now.pinned() as again:  # a pin is its own: no pin of a pin
            assert again is now
        _earlier(path)
        assert not pq.read_table(path).equals(before)
        assert pq.read_table(now.reports_path / path.parent.name / path.name).equals(before)
        pd.testing.assert_frame_equal(now.frame(), frame, check_exact=True)
        assert not archive.frame().equals(frame)
        with pytest.raises(ValueError, match="pinned"):
            now.sync(None, "2026-03-20")
    assert list((archive.path / ".pins").iterdir()) == []


def test_where_links_cannot_be_made_the_kpis_read_the_archive_itself(archive, monkeypatch):
    import os

    expected = kpis.summarize(archive.frame())

    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    with archive.pinned() as now:
        assert now is archive
    pd.testing.assert_frame_equal(kpis.summarize(archive), expected, check_exact=True)
    assert not (archive.path / ".pins").exists() or list((archive.path / ".pins").iterdir()) == []


def test_a_sync_removes_the_pins_a_killed_process_left_and_keeps_fresh_ones(archive):
    import os
    import time

    from mfanalytics.archive import pins

    old, fresh = archive.path / ".pins" / "1-old", archive.path / ".pins" / "2-fresh"
    for pin in (old, fresh):
        (pin / "reports" / "month=2026-03").mkdir(parents=True)
    (old / "reports" / "month=2026-03" / "x.parquet").write_bytes(b"")
    a_day_ago = time.time() - pins.STALE - 60
    os.utime(old, (a_day_ago, a_day_ago))
    with EmbeddedSandbox(seed=11, start=START, speed=0) as sb:
        archive.sync(sb.client(), "2026-03-20", progress=False)
    assert not old.exists() and fresh.exists()


@pytest.mark.parametrize("kpi", ["summarize", "codes", "days", "campaigns"])
def test_the_report_given_by_keyword_is_read_through_a_pin_like_a_positional_one(archive, monkeypatch, kpi):
    import inspect

    from mfanalytics.archive import pins

    func = KPIS[kpi]
    name = next(iter(inspect.signature(func).parameters))  # report (reports for compare_campaigns)
    made = []
    real = pins.pinned
    monkeypatch.setattr(pins, "pinned", lambda a: made.append(a) or real(a))
    pd.testing.assert_frame_equal(func(**{name: archive}), func(archive), check_exact=True)
    assert len(made) == 2
    frame = archive.frame()
    pd.testing.assert_frame_equal(func(**{name: frame}), func(frame), check_exact=True)


def test_a_pin_used_after_its_block_or_removed_under_it_says_so_instead_of_reading_nothing(archive):
    import os

    from mfanalytics.archive import pins

    with archive.pinned() as now:
        pass
    with pytest.raises(ValueError, match="after its `with` block") as closed:
        kpis.summarize(now)
    assert closed.value.rule == "archive-pin-closed"
    with archive.pinned() as now:
        rows = len(now.frame())
        assert rows and now.info().last_sync == archive.info().last_sync  # the archive's manifest
        old = os.stat(now.path).st_mtime - pins.STALE - 1
        os.utime(now.path, (old, old))
        assert pins.remove_stale_pins(archive.path) == 1
        with pytest.raises(ValueError, match="pin was removed"):
            now.frame()


def test_an_interrupt_while_pinning_leaves_no_pin(archive, monkeypatch):
    import os

    real, calls = os.link, []

    def link(src, dst):
        calls.append(src)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(os, "link", link)
    with pytest.raises(KeyboardInterrupt):
        kpis.summarize(archive)
    assert len(calls) == 3 and list((archive.path / ".pins").iterdir()) == []


def test_a_kpi_on_an_archive_path_that_holds_nothing_makes_no_folder(tmp_path):
    missing = Archive(tmp_path / "no-such-archive")
    assert len(kpis.summarize(missing)) == 0
    assert not missing.path.exists()
