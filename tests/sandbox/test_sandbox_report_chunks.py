"""The CSV report written a chunk of recipient lines at a time (:func:`reports.write_report_csv`) is
byte for byte the whole table's (``write_csv(report_table(...))``), whatever the chunk size, the
status filter, the fields, the clock time, and when a value needs quotes (pandas' writer then);
``report_table``, which is now the one-chunk case, is still the table it was (checked against the
implementation before chunks, kept here as the reference)."""

from __future__ import annotations

import hashlib
import io
import itertools
import threading
from unittest import mock

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sandbox_api import START, Api

from mfanalytics.errors import ValidationError
from mfanalytics.sandbox import engine, reports, views
from mfanalytics.sandbox.campaign import SimCampaign
from mfanalytics.sandbox.embedded import EmbeddedSandbox

TINY = [
    {"index": 0, "isOG": True, "urlToRedirect": "https://example.org"},
    {"index": 1, "urlToRedirect": "https://example.org/b"},
]
# magic numbers (every status, clicks, previews, replies), some real-looking ones, then a malformed one,
# a country not allowed and a duplicate: not-sent lines between sent ones
NUMBERS = (
    [f"063998{n:04d}" for n in [*range(60), *range(100, 130), *range(2000, 2040), 1500, 1501]]
    + [f"06{n:08d}" for n in range(12_345_600, 12_345_680)]
    + ["12", "+14155552671", "0639980016", "0639980116"]
)
# seconds after the injection the reports are read at: before anything happened, ..., after the expiry
OFFSETS = (0.0, 1.5, 45.0, 300.0, 4 * 3600.0, 3 * 86400.0 + 0.7, 10 * 86400.0)


def _recipients(tricky: bool = False) -> list[dict]:
    out = []
    for i, mobile in enumerate(NUMBERS):
        nom = f"Nom {i}"
        if tricky and i in (150, 151, 152, 153, 230):  # past the first chunks: Arrow's writer gives up late
            nom = ["Di;az", 'Le "Roy"', "deux\nlignes", "un\rCR", "fin;"][[150, 151, 152, 153, 230].index(i)]
        out.append({"mobile": mobile, "PRENOM": None if i % 7 == 4 else ("" if i % 11 == 5 else "Zoé"), "NOM": nom})
    return out


def _uploaded_list() -> bytes:
    lines = ["mobile;PRENOM;VILLE;REF"]
    for i, mobile in enumerate(NUMBERS[:200]):
        lines.append(f"{mobile};{'Léa' if i % 3 else ''};{['Lyon', 'Nice', ''][i % 3]};R{i}")
    lines.insert(50, "0639980042;Dup;Lyon;R-dup")  # a duplicate line
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def campaigns():
    """Injected campaigns of a few hundred lines (the sandbox's clock does not move: the tests read
    the reports at chosen times)."""
    with EmbeddedSandbox(seed=3, start=START, speed=0) as sb:
        api = Api(sb)
        ids = {
            "plain": api.send(_recipients(), msg="Bonjour ${PRENOM}")["id"],
            "tracked": api.send(
                _recipients(), msg="Promo ${PRENOM} ${track_1} ${track_2} STOP 36184", tinyList=TINY, typeSelect="MKG"
            )["id"],
            "quoted": api.send(_recipients(tricky=True), msg="Bonjour ${NOM} ${track_1}", tinyList=TINY[:1])["id"],
            "nothing sent": api.send(
                [{"mobile": m, "PRENOM": "Ana", "NOM": "Diaz"} for m in ("12", "13", "+14155552671")], msg="Bonjour"
            )["id"],
        }
        content = _uploaded_list()
        upload = api.post("/lists/upload", files={"File": ("l.csv", content, "text/csv")}, data={"filename": "l.csv"})
        assert upload.status_code == 200, upload.text
        ids["uploaded"] = api.send(
            None, msg="Promo ${PRENOM} ${track_1}", listsId=[upload.json()["id"]], tinyList=TINY[:1]
        )["id"]
        out = {name: sb.state.campaigns[cid] for name, cid in ids.items()}
        assert all(c.injected_at is not None for c in out.values())
        assert len(out["nothing sent"].sent_index) == 0
        assert 0 < len(out["plain"].sent_index) < len(out["plain"].frame)  # not-sent lines among sent ones
        yield out


def _known(campaign: SimCampaign, details: list[str] | None) -> list[str] | None:
    """The ``details`` the campaign has (the uploaded list has no NOM)."""
    fields = {f.lower() for f in campaign.fields}
    return [d for d in details or [] if d.strip().lower() in fields] or None


def _oracle(campaign: SimCampaign, now: float, **options) -> bytes:
    sink = io.BytesIO()
    reports.write_csv(reports.report_table(campaign, now, **options), sink)
    return sink.getvalue()


def _chunked(campaign: SimCampaign, now: float, chunk: int, before: bytes = b"", **options) -> bytes:
    sink = io.BytesIO()
    sink.write(before)
    with mock.patch.object(reports, "CHUNK_ROWS", chunk):
        reports.write_report_csv(campaign, now, sink, **options)
    written = sink.getvalue()
    assert written[: len(before)] == before  # what the file held before is kept, even after a restart
    return written[len(before) :]


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("name", ["plain", "tracked", "quoted", "nothing sent", "uploaded"])
def test_the_chunked_csv_is_the_whole_tables_csv(campaigns, name, offset):
    campaign = campaigns[name]
    now = campaign.injected_at + offset
    for options in ({}, {"status": [16, 1]}, {"details": _known(campaign, ["nom", "prenom"])}, {"status": [999]}):
        expected = _oracle(campaign, now, **options)
        assert _chunked(campaign, now, 7, before=b"kept;", **options) == expected, options
    assert expected.count(b"\n") == 1  # status 999: the header alone


def test_a_value_needing_quotes_in_a_late_chunk_gives_the_pandas_form_of_it_all(campaigns):
    campaign = campaigns["quoted"]
    now = campaign.injected_at + 3600
    body = _chunked(campaign, now, 7, before=b"x")
    assert body == _oracle(campaign, now)
    assert body.count(b"\r\n") == len(campaign.frame) + 1  # CRLF rows, the header once
    assert b'"Di;az"' in body and b'"Le ""Roy"""' in body and b'"deux\nlignes"' in body and b'"un\rCR"' in body
    assert body.startswith(b"REF_LIST;ID_LINE;INT_MOBILE;STATUS_CODE;")
    # the quoted values are all past chunk 21 (line 151 on): Arrow's writer had written 21 chunks when it gave up
    assert min(np.flatnonzero(campaign.frame["NOM"].str.contains('[;"\r\n]', regex=True).to_numpy())) > 7 * 21
    only_first = _chunked(campaign, now, 7, details=["prenom"])  # without NOM, no quotes: Arrow's form
    assert only_first == _oracle(campaign, now, details=["prenom"]) and b"\r\n" not in only_first


@settings(max_examples=80, deadline=None)
@given(
    name=st.sampled_from(["plain", "tracked", "quoted", "nothing sent", "uploaded"]),
    offset=st.one_of(st.sampled_from(OFFSETS), st.floats(0, 12 * 86400)),
    chunk=st.sampled_from([1, 2, 7, 64, 299, 1 << 17]),
    status=st.one_of(st.none(), st.lists(st.sampled_from([1, 2, 3, 4, 5, 9, 14, 15, 16, 17, 20, 24, 31]), max_size=3)),
    details=st.one_of(
        st.none(), st.lists(st.sampled_from(["NOM", "prenom", "VILLE", "ref", " Nom "]), max_size=3, unique=True)
    ),
    before=st.binary(max_size=4),
)
def test_any_chunk_size_filter_fields_and_time_give_the_same_bytes(
    campaigns, name, offset, chunk, status, details, before
):
    campaign = campaigns[name]
    now = campaign.injected_at + offset
    options = {"status": status, "details": _known(campaign, details)}
    assert _chunked(campaign, now, chunk, before, **options) == _oracle(campaign, now, **options)


_CELL = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list('ab;"\r\n é')), max_size=4))


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(st.tuples(_CELL, _CELL, st.integers(-5, 10**12)), max_size=12),
    cuts=st.lists(st.integers(0, 12), max_size=4),
    name=st.sampled_from(["B", "B;2", 'B"', "B\nC"]),
)
def test_tables_written_one_after_the_other_are_the_csv_of_them_all(rows, cuts, name):
    whole = pa.table(
        {
            "A": pa.array([r[0] for r in rows], pa.string()),
            name: pa.array([r[1] for r in rows], pa.string()),
            "N": pa.array([r[2] for r in rows], pa.int64()),
        }
    )
    bounds = [0, *sorted(min(c, len(rows)) for c in cuts), len(rows)]
    parts = [whole.slice(a, b - a) for a, b in itertools.pairwise(bounds)]  # some empty, some all-null
    sink = io.BytesIO(b"before")
    sink.seek(0, io.SEEK_END)
    reports._write_tables(lambda: iter(parts), sink)
    assert sink.getvalue() == b"before" + reports.to_csv_bytes(whole)
    if name != "B":  # a name to quote: pandas' form from the start, the header once
        assert sink.getvalue()[6:] == whole.to_pandas().to_csv(sep=";", index=False, lineterminator="\r\n").encode()


def test_the_writer_builds_no_whole_table_and_chunks_hold_at_most_chunk_lines(campaigns, monkeypatch):
    campaign = campaigns["tracked"]
    now = campaign.injected_at + 86400
    expected, delivered = _oracle(campaign, now), _oracle(campaign, now, status=[16])
    sizes: list[int] = []
    chunks = reports._report_chunks

    def spy(*args, **kwargs):
        for table in chunks(*args, **kwargs):
            sizes.append(table.num_rows)
            yield table

    def whole(*args, **kwargs):
        raise AssertionError("write_report_csv built the whole table")

    monkeypatch.setattr(reports, "_report_chunks", spy)
    monkeypatch.setattr(reports, "report_table", whole)
    assert _chunked(campaign, now, 7) == expected
    assert len(sizes) == -(-len(campaign.frame) // 7) and max(sizes) == 7 and sum(sizes) == len(campaign.frame)
    sizes.clear()
    assert _chunked(campaign, now, 7, status=[16]) == delivered
    assert max(sizes) <= 7 and sum(sizes) == int(np.count_nonzero(reports.current_codes(campaign, now) == 16))


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("name", ["plain", "tracked", "quoted", "nothing sent", "uploaded"])
def test_report_table_is_the_table_it_was_before_chunks(campaigns, name, offset):
    campaign = campaigns[name]
    now = campaign.injected_at + offset
    for options in (
        {},
        {"status": [16, 1]},
        {"details": _known(campaign, ["nom", "prenom"])},
        {"status": [999]},
        {"search": reports.parse_fiql("status==16,fields.PRENOM==Zo*"), "with_campaign_id": True},
        {"details": ["NOM", "AGE"], "strict": False, "with_campaign_id": True},
    ):
        table, reference = (
            reports.report_table(campaign, now, **options),
            _reference_report_table(campaign, now, **options),
        )
        assert table.schema.equals(reference.schema), options
        assert table.equals(reference), options
        chunks = list(reports._report_chunks(campaign, now, 7, **options))
        assert pa.Table.from_batches([b for t in chunks for b in t.to_batches()], schema=table.schema).equals(table)


def test_the_shared_clock_formats_as_paris_arrow_and_falls_back_out_of_its_span():
    rng = np.random.default_rng(0)
    start = 1_772_442_000  # 2026-03-02 09:00 UTC
    clock = reports._ParisClock(start, start + 500)
    for low, high in ((0, 500), (-3, 20), (480, 900), (0, 3 * 86400)):
        seconds = start + rng.uniform(low, high, 60)
        seconds[rng.random(60) < 0.3] = np.nan
        assert clock(seconds).equals(reports.paris_arrow(seconds))
    assert clock(np.full(4, np.nan)).equals(reports.paris_arrow(np.full(4, np.nan)))
    assert clock(np.array([], dtype=np.float64)).equals(reports.paris_arrow(np.array([], dtype=np.float64)))
    summer = reports._ParisClock(1_774_746_000, 1_774_746_000 + 7200)  # 2026-03-29 01:00 UTC: the clock jumps
    seconds = 1_774_746_000 + np.arange(0, 7200, 599, dtype=np.float64)
    assert summer(seconds).equals(reports.paris_arrow(seconds))


def test_the_report_file_is_the_report_body_chunk_by_chunk_after_the_clock_moves(sb, api, monkeypatch):
    monkeypatch.setattr(reports, "CHUNK_ROWS", 7)
    cid = api.send(_recipients(tricky=True), msg="Bonjour ${PRENOM} ${track_1}", tinyList=TINY[:1])["id"]
    account = sb.state.accounts.users["demo"]
    for advance in (0, 30, 3 * 86400):
        sb.advance(advance)
        for status, details in ((None, None), ("16;1", "PRENOM"), ("16", "NOM"), (None, "prenom;nom")):
            expected = views.campaign_report(sb.state, account, cid, status, details, "csv")
            sink, size, digest = views.campaign_report_file(sb.state, account, cid, status, details)
            with sink:
                assert sink.tell() == 0 and sink.read() == expected and size == len(expected)
            assert digest == hashlib.sha256(expected).hexdigest()


def test_the_report_file_is_closed_when_the_report_fails(sb, api, monkeypatch):
    cid = api.send(["0639980016"], msg="Bonjour")["id"]
    opened: list[io.BytesIO] = []

    def temporary(*args, **kwargs):
        opened.append(io.BytesIO())
        return opened[-1]

    monkeypatch.setattr(views.tempfile, "TemporaryFile", temporary)
    with pytest.raises(ValidationError, match="AGE"):
        views.campaign_report_file(sb.state, sb.state.accounts.users["demo"], cid, None, "AGE")
    assert [f.closed for f in opened] == [True]


def test_other_requests_are_not_held_up_while_the_report_file_is_written(sb, api, monkeypatch):
    """The report is read at one instant under the state's lock, then written without it (a 5M-line
    report takes seconds, more when a value needs quotes and pandas writes it again)."""
    monkeypatch.setattr(reports, "CHUNK_ROWS", 3)
    cid = api.send(_recipients(tricky=True), msg="Bonjour ${PRENOM}")["id"]
    account = sb.state.accounts.users["demo"]
    expected = views.campaign_report(sb.state, account, cid, None, None, "csv")
    taken: list[bool] = []
    write = reports._write_tables

    def contended(tables, sink):  # another thread asks for the lock while each table is written
        def each():
            for table in tables():
                grab = threading.Thread(target=lambda: taken.append(_try(sb.state.lock)))
                grab.start()
                grab.join()
                yield table

        write(each, sink)

    monkeypatch.setattr(reports, "_write_tables", contended)
    sink, size, _ = views.campaign_report_file(sb.state, account, cid, None, None)
    with sink:
        assert sink.read() == expected and size == len(expected)
    assert len(taken) > 3 and all(taken)


def _try(lock) -> bool:
    if lock.acquire(blocking=False):
        lock.release()
        return True
    return False


# -- the implementation before chunks, kept as the reference -------------------------------------
def _reference_report_table(
    campaign: SimCampaign,
    now: float,
    *,
    status: list[int] | None = None,
    details: list[str] | None = None,
    search: list[list[tuple[str, str, str]]] | None = None,
    with_campaign_id: bool = False,
    strict: bool = True,
) -> pa.Table:
    """``reports.report_table`` as it was before it was built in chunks (commit 623ffe6)."""
    frame = campaign.frame
    n = len(frame)
    injected_at = now if campaign.injected_at is None else campaign.injected_at
    dt = now - injected_at
    sent = campaign.sent_index
    sim = campaign.sim
    codes = reports.current_codes(campaign, now)
    mask = np.ones(n, dtype=bool)
    if status:
        mask &= np.isin(codes, status)
    fields = reports._select_fields(campaign, details, strict=strict)
    if search:
        mask &= reports.fiql_mask(search, frame, codes, campaign.id)
    everything = bool(mask.all())
    rows = np.flatnonzero(mask)
    take = pa.array(rows)

    def column(name: str) -> pa.Array:
        arr = pa.array(frame[name], from_pandas=True)
        if pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
            arr = arr.cast(pa.string())
        return arr if everything else arr.take(take)

    position = np.full(n, -1, dtype=np.int64)
    position[sent] = np.arange(len(sent))
    pos = position[rows]
    has = pos >= 0
    hpos = pos[has]

    def spread(values, fill, dtype):
        out = np.full(len(rows), fill, dtype=dtype)
        out[has] = values[hpos]
        return out

    out = {}
    if with_campaign_id:
        out["CAMPAIGN_ID"] = pa.array(np.full(len(rows), campaign.id, dtype=np.int64))
    out["REF_LIST"] = column("__ref")
    out["ID_LINE"] = pa.array(frame["__line"].to_numpy(dtype=np.int64)[rows])
    valid = pa.array(frame["__valid"].to_numpy(dtype=bool)[rows])
    out["INT_MOBILE"] = pc.if_else(valid, column("__e164"), column("__raw"))
    row_codes = codes[rows]
    out["STATUS_CODE"] = pa.array(row_codes.astype(np.int64))
    out["STATUS_TEXT"] = reports._LABELS_ARROW.take(pa.array(np.clip(row_codes, 0, 63)))
    if len(sent):
        when = spread(injected_at + engine.status_times(sim, dt), np.nan, np.float64)
        reply = spread(engine.reply_state(sim, dt), 0, np.int8)
    else:
        when, reply = np.full(len(rows), np.nan), np.zeros(len(rows), np.int8)
    out["DELIVERYDATE"] = reports.paris_arrow(when)
    out["REPLY"] = reports._REPLIES_ARROW.take(pa.array(reply))

    def event(times_counts):
        if times_counts is None:
            return reports.paris_arrow(np.full(len(rows), np.nan)), pa.array(np.zeros(len(rows), np.int64))
        times, counts = times_counts
        t = spread(times.astype(np.float64), np.nan, np.float64) + injected_at
        return reports.paris_arrow(t), pa.array(spread(counts, 0, np.int64))

    out["PREVIEW"], out["PREVIEW_COUNTER"] = event(engine.preview_state(sim, dt) if len(sent) else None)
    for k in range(1, campaign.n_tracks + 1):
        out[f"TRACK_{k}"], out[f"TRACK_{k}_COUNTER"] = event(engine.click_state(sim, k, dt) if len(sent) else None)
    for name in fields:
        if name not in out:
            out[name] = column(name)
    return pa.table(out)


def test_the_campaigns_cover_what_the_chunks_must_get_right(campaigns):
    plain, tracked = campaigns["plain"], campaigns["tracked"]
    late = tracked.injected_at + 3 * 86400
    table = reports.report_table(tracked, late)
    assert set(table.column_names) >= {"TRACK_1", "TRACK_2", "PREVIEW"} and "TRACK_1" not in plain.frame
    assert pc.sum(table["TRACK_1_COUNTER"]).as_py() > 0 and pc.sum(table["PREVIEW_COUNTER"]).as_py() > 0
    assert table["REPLY"].null_count < table.num_rows  # some replies (STOP)
    assert len(set(table["STATUS_CODE"].to_pylist())) >= 8
