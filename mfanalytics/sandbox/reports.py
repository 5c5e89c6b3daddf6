"""Campaign reports of the sandbox: rows at a clock time, CSV and JSON
rendering, the period rules of sections 2.4/2.5 and the FIQL subset.

The CSV has the columns of the guide's section 4 (``REF_LIST``, ``ID_LINE``,
``INT_MOBILE``, ``STATUS_CODE``, ``STATUS_TEXT``, ``DELIVERYDATE``, ``REPLY``,
``PREVIEW``, ``PREVIEW_COUNTER``, ``TRACK_n``, ``TRACK_n_COUNTER``), then the
recipient's own fields; ``;``-separated UTF-8, dates ``DD/MM/YYYY HH:MM:SS``
in Paris time. Period reports put ``CAMPAIGN_ID`` first.

Examples
--------
>>> parse_fiql("item==0612345678,fields.PRENOM==Ana;fields.NOM==Diaz")
[[('item', '==', '0612345678')], [('fields.PRENOM', '==', 'Ana'), ('fields.NOM', '==', 'Diaz')]]
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from mfanalytics.api.periods import MAX_PERIOD_DAYS
from mfanalytics.errors import ValidationError
from mfanalytics.reports.status_codes import STATUS_TABLE
from mfanalytics.sandbox import engine
from mfanalytics.sandbox.campaign import SimCampaign
from mfanalytics.times import PARIS, as_paris_wall, distinct_ticks

__all__ = [
    "report_table",
    "report_frame",
    "current_codes",
    "paris_arrow",
    "paris_strings",
    "to_csv_bytes",
    "write_csv",
    "write_report_csv",
    "CHUNK_ROWS",
    "to_json_bytes",
    "parse_period",
    "parse_fiql",
    "fiql_mask",
    "parse_status_filter",
    "MAX_PERIOD_DAYS",
]

_LABELS = np.full(64, None, dtype=object)
_LABELS[STATUS_TABLE.index.to_numpy()] = STATUS_TABLE["label_fr"].to_numpy(dtype=object)
_LABELS_ARROW = pa.array(_LABELS, type=pa.string())
_REPLIES_ARROW = pa.array([t or None for t in engine.REPLY_TEXTS], type=pa.string())


def paris_arrow(seconds: np.ndarray) -> pa.Array:
    """Epoch seconds as ``DD/MM/YYYY HH:MM:SS`` Paris-time strings (null for NaN).

    Vectorised: each distinct second is formatted once (the UTC offset from
    pandas' tz conversion, the digits written into a byte matrix), then
    spread back with an Arrow ``take``; no per-row Python.
    """
    seconds = np.asarray(seconds, dtype=np.float64)
    ok = ~np.isnan(seconds)
    uniq, inverse = distinct_ticks(np.floor(seconds[ok]).astype(np.int64))  # O(rows + span), not a sort
    buf = _paris_bytes(uniq)
    texts = pa.array(buf.reshape(-1).view("S19"), type=pa.binary(19)).cast(pa.binary()).cast(pa.string())
    index = np.zeros(len(seconds), dtype=np.int64)
    index[ok] = inverse.reshape(-1)
    return texts.take(pa.array(index, mask=~ok))


def _paris_bytes(ticks: np.ndarray) -> np.ndarray:
    """Epoch seconds (int64) as ``DD/MM/YYYY HH:MM:SS`` Paris time: a ``(len(ticks), 19)`` uint8 matrix."""
    utc = pd.DatetimeIndex(ticks.astype("datetime64[s]")).tz_localize("UTC")
    local = utc.tz_convert(PARIS).tz_localize(None).to_numpy().astype("datetime64[s]").astype(np.int64)
    days = (local // 86400).astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (days - months).astype(np.int64) + 1
    sod = local % 86400
    buf = np.full((len(ticks), 19), ord("0"), dtype=np.uint8)
    for col, value, width in (
        (0, day, 2),
        (3, month, 2),
        (6, year, 4),
        (11, sod // 3600, 2),
        (14, sod // 60 % 60, 2),
        (17, sod % 60, 2),
    ):
        for i in range(width):
            buf[:, col + width - 1 - i] += (value // 10**i % 10).astype(np.uint8)
    buf[:, 2] = buf[:, 5] = ord("/")
    buf[:, 10] = ord(" ")
    buf[:, 13] = buf[:, 16] = ord(":")
    return buf


class _ParisClock:
    """:func:`paris_arrow` for the chunks of one report, whose times fall from second ``lo`` to ``hi``:
    each second is formatted once, the first time a chunk has it, into a table of the span, and a
    chunk's strings are gathered from there (one with a time out of the span: by :func:`paris_arrow`)."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.known = lo, np.zeros(max(hi - lo + 1, 0), dtype=bool)
        self.texts = np.zeros((len(self.known), 19), dtype=np.uint8)

    def __call__(self, seconds: np.ndarray) -> pa.Array:
        ok = ~np.isnan(seconds)
        at = np.floor(seconds[ok]).astype(np.int64) - self.lo
        if len(at) and (at.min() < 0 or at.max() >= len(self.known)):
            return paris_arrow(seconds)
        new = np.unique(at[~self.known[at]])
        self.texts[new], self.known[new] = _paris_bytes(new + self.lo), True
        offsets = np.zeros(len(seconds) + 1, dtype=np.int32)
        np.cumsum(ok * np.int32(19), out=offsets[1:])
        buffers = [pa.array(ok).buffers()[1], pa.py_buffer(offsets), pa.py_buffer(np.take(self.texts, at, axis=0))]
        return pa.Array.from_buffers(pa.string(), len(seconds), buffers)


def paris_strings(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds (NaN = none) as ``DD/MM/YYYY HH:MM:SS`` Paris time; '' for NaN.

    Examples
    --------
    >>> paris_strings(np.array([0.0, np.nan])).tolist()
    ['01/01/1970 01:00:00', '']
    """
    return np.asarray(paris_arrow(seconds).fill_null("").to_pylist(), dtype=object)


def current_codes(campaign: SimCampaign, now: float) -> np.ndarray:
    """Status code of every recipient line of an injected campaign at ``now``."""
    if campaign.codes is None or campaign.injected_at is None:
        raise ValueError(f"campaign {campaign.id} is {campaign.status}: it has no codes before it is injected")
    codes = campaign.codes.astype(np.int16).copy()
    sent = campaign.sent_index
    if len(sent):
        codes[sent] = engine.current_codes(campaign.sim, now - campaign.injected_at)
    return codes


def parse_status_filter(value: str | None, field: str = "status") -> list[int] | None:
    """``"16,14"`` or ``"16;14"`` as a list of ints; None when empty."""
    if value is None or not str(value).strip():
        return None
    try:
        return [int(v) for v in re.split(r"[,;]", str(value)) if v.strip()]
    except ValueError:
        raise ValidationError(
            f"{field} must be status codes separated by , or ;: {value!r}", rule="status-list", field=field
        ) from None


#: Recipient lines per chunk of :func:`write_report_csv` (read at each call).
CHUNK_ROWS = 1 << 17


def report_table(
    campaign: SimCampaign,
    now: float,
    *,
    status: list[int] | None = None,
    details: list[str] | None = None,
    search: list[list[tuple[str, str, str]]] | None = None,
    with_campaign_id: bool = False,
    strict: bool = True,
) -> pa.Table:
    """The report rows of ``campaign`` at clock time ``now``, as an Arrow table.

    Columns are strings (null when empty) except ``ID_LINE``,
    ``STATUS_CODE``, the counters (and ``CAMPAIGN_ID``), which are int64.
    ``details`` selects the recipient fields (case-insensitive); an unknown
    one raises unless ``strict=False``.
    """
    return next(_report_chunks(campaign, now, None, status, details, search, with_campaign_id, strict))


def _report_chunks(
    campaign: SimCampaign,
    now: float,
    chunk_rows: int | None,
    status: list[int] | None = None,
    details: list[str] | None = None,
    search: list[list[tuple[str, str, str]]] | None = None,
    with_campaign_id: bool = False,
    strict: bool = True,
) -> Iterator[pa.Table]:
    """:func:`report_table`'s rows in tables, one per ``chunk_rows`` recipient lines (one in all when
    None): at least one, maybe empty. Their arrays are the size of a chunk: the engine answers for a
    view of ``campaign.sim`` (the sent lines, in line order), the fields are converted chunk by chunk.
    """
    frame, codes0, injected_at = campaign.frame, campaign.codes, campaign.injected_at
    if codes0 is None or injected_at is None:
        raise ValueError(f"campaign {campaign.id} is {campaign.status}: it has no codes before it is injected")
    dt = now - injected_at
    fields = _select_fields(campaign, details, strict=strict)
    searched = fiql_mask(search, frame, current_codes(campaign, now), campaign.id) if search else None
    n = len(frame)
    step = max(n, 1) if chunk_rows is None else chunk_rows
    paris: Callable[[np.ndarray], pa.Array] = paris_arrow
    if step < n and np.floor(now) - np.floor(injected_at) < n:  # each second formatted once, not once a chunk
        paris = _ParisClock(int(np.floor(injected_at)), int(np.floor(now)) + 1)  # the engine's times fall there

    def chunk(lines: slice, sim: dict[str, np.ndarray]) -> pa.Table:
        codes = codes0[lines].astype(np.int16)
        sent = codes == 0
        count = int(np.count_nonzero(sent))
        if count:
            codes[sent] = engine.current_codes(sim, dt)
        mask = np.ones(len(codes), dtype=bool)
        if status:
            mask &= np.isin(codes, status)
        if searched is not None:
            mask &= searched[lines]
        everything = bool(mask.all())
        rows = np.flatnonzero(mask)
        take = pa.array(rows)

        def column(name: str) -> pa.Array:
            arr = pa.array(frame[name].iloc[lines], from_pandas=True)
            if pa.types.is_dictionary(arr.type):
                arr = arr.dictionary_decode()
            if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
                arr = arr.cast(pa.string())
            return arr if everything else arr.take(take)

        has = sent[rows]
        hpos = (np.cumsum(sent) - 1)[rows][has]

        def spread(values: np.ndarray, fill: float, dtype: type[np.generic]) -> np.ndarray:
            out = np.full(len(rows), fill, dtype=dtype)
            out[has] = values[hpos]
            return out

        out: dict[str, pa.Array] = {}
        if with_campaign_id:
            out["CAMPAIGN_ID"] = pa.array(np.full(len(rows), campaign.id, dtype=np.int64))
        out["REF_LIST"] = column("__ref")
        out["ID_LINE"] = pa.array(frame["__line"].iloc[lines].to_numpy(dtype=np.int64)[rows])
        valid = pa.array(frame["__valid"].iloc[lines].to_numpy(dtype=bool)[rows])
        out["INT_MOBILE"] = pc.if_else(valid, column("__e164"), column("__raw"))
        row_codes = codes[rows]
        out["STATUS_CODE"] = pa.array(row_codes.astype(np.int64))
        out["STATUS_TEXT"] = _LABELS_ARROW.take(pa.array(np.clip(row_codes, 0, 63)))
        if count:
            when = spread(injected_at + engine.status_times(sim, dt), np.nan, np.float64)
            reply = spread(engine.reply_state(sim, dt), 0, np.int8)
        else:
            when, reply = np.full(len(rows), np.nan), np.zeros(len(rows), np.int8)
        out["DELIVERYDATE"] = paris(when)
        out["REPLY"] = _REPLIES_ARROW.take(pa.array(reply))

        def event(times_counts: tuple[np.ndarray, np.ndarray] | None) -> tuple[pa.Array, pa.Array]:
            if times_counts is None:
                return paris(np.full(len(rows), np.nan)), pa.array(np.zeros(len(rows), np.int64))
            times, counts = times_counts
            t = spread(times.astype(np.float64), np.nan, np.float64) + injected_at
            return paris(t), pa.array(spread(counts, 0, np.int64))

        out["PREVIEW"], out["PREVIEW_COUNTER"] = event(engine.preview_state(sim, dt) if count else None)
        for k in range(1, campaign.n_tracks + 1):
            out[f"TRACK_{k}"], out[f"TRACK_{k}_COUNTER"] = event(engine.click_state(sim, k, dt) if count else None)
        for name in fields:
            if name not in out:
                out[name] = column(name)
        return pa.table(out)

    done = 0  # sent lines before the chunk: where its own start in campaign.sim
    for lo in range(0, max(n, 1), step):
        lines = slice(lo, min(lo + step, n))
        count = int(np.count_nonzero(codes0[lines] == 0))
        yield chunk(lines, {key: values[done : done + count] for key, values in campaign.sim.items()})
        done += count


def report_frame(campaign: SimCampaign, now: float, **options: Any) -> pd.DataFrame:
    """:func:`report_table` as a DataFrame (empty strings for empty cells)."""
    frame: pd.DataFrame = report_table(campaign, now, **options).to_pandas()
    for name in frame.columns:
        if not pd.api.types.is_integer_dtype(frame[name].dtype):
            frame[name] = frame[name].fillna("")
    return frame


def _select_fields(campaign: SimCampaign, details: list[str] | None, strict: bool = True) -> list[str]:
    available = campaign.fields
    if not details:
        return available
    by_lower = {f.lower(): f for f in available}
    chosen = []
    for name in details:
        key = name.strip().lower()
        if not key:
            continue
        if key not in by_lower:
            if not strict:
                continue
            raise ValidationError(
                f"field {name.strip()!r} is not in campaign {campaign.id}'s recipients (fields: {', '.join(available) or 'none'})",
                rule="unknown-field",
                field="details",
            )
        chosen.append(by_lower[key])
    return chosen


def to_csv_bytes(table: pa.Table) -> bytes:
    """The report as ``;``-separated UTF-8 CSV; empty cells for nulls."""
    buffer = io.BytesIO()
    write_csv(table, buffer)
    return buffer.getvalue()


def write_csv(table: pa.Table, sink: BinaryIO) -> None:
    """Write :func:`to_csv_bytes`'s bytes to the seekable binary file ``sink``, batch by batch.

    Examples
    --------
    >>> sink = io.BytesIO()
    >>> write_csv(pa.table({"INT_MOBILE": ["+33612345678"], "REPLY": ["a;b"]}), sink)
    >>> sink.getvalue()
    b'INT_MOBILE;REPLY\\r\\n+33612345678;"a;b"\\r\\n'
    """
    _write_tables(lambda: iter([table]), sink)


def write_report_csv(campaign: SimCampaign, now: float, sink: BinaryIO, **options: Any) -> None:
    """Write ``write_csv(report_table(campaign, now, **options), sink)``'s bytes to ``sink``, built and
    written :data:`CHUNK_ROWS` recipient lines at a time: no array the size of the report is made (when
    a value needs quotes, the report is built again, for pandas' writer, chunk by chunk too)."""
    _write_tables(lambda: _report_chunks(campaign, now, CHUNK_ROWS, **options), sink)


def _write_tables(tables: Callable[[], Iterator[pa.Table]], sink: BinaryIO) -> None:
    """Write the tables ``tables()`` yields (at least one, of one schema) as one CSV, by Arrow's writer.
    When a name or a value holds ``;``, ``"`` or a newline, what it wrote is cut off and pandas' writer,
    which quotes, writes a new ``tables()`` a table at a time, with CRLF rows (a lone CR is then quoted
    and reads back): it formats each cell alone (int columns without nulls), so the bytes are the same."""
    start = sink.tell()
    chunks = tables()
    first = next(chunks)
    names = list(first.column_names)
    if not any(re.search(r'[;"\r\n]', name) for name in names):
        sink.write((";".join(names) + "\n").encode("utf-8"))
        options = pacsv.WriteOptions(delimiter=";", quoting_style="none", include_header=False)
        with pacsv.CSVWriter(sink, first.schema, write_options=options) as writer:
            for table in itertools.chain([first], chunks):
                try:
                    writer.write_table(table)
                except pa.ArrowInvalid:  # a value holds ; " or a newline: quote as needed
                    break
            else:
                return
        sink.seek(start)
        sink.truncate()
        chunks = tables()
    else:
        chunks = itertools.chain([first], chunks)
    for i, table in enumerate(chunks):
        text: str = table.to_pandas().to_csv(sep=";", index=False, header=i == 0, lineterminator="\r\n")
        sink.write(text.encode("utf-8"))


def to_json_bytes(table: pa.Table) -> bytes:
    """The report as a JSON array of objects (same keys as the CSV; empty cells are null)."""
    text: str = table.to_pandas().to_json(orient="records", force_ascii=False)
    return text.encode("utf-8")


def _paris(value: str, field: str, *, end: bool) -> datetime:
    """Naive Paris wall-clock time, by the client's own rule (:mod:`mfanalytics.api.periods`)."""
    try:
        return as_paris_wall(value, end=end)
    except ValidationError as exc:
        raise ValidationError(
            f"{field} must be YYYY-MM-DD or YYYY-MM-DD HH:MM (Paris time), not {value!r}", rule=exc.rule, field=field
        ) from None


def parse_period(start: str | None, end: str | None) -> tuple[float, float]:
    """``from``/``to`` of a period report as epoch seconds ``[start, end)``.

    A date alone means the start of that day for ``from`` and the end of that
    day for ``to`` (the rule of :func:`mfanalytics.api.periods.split_period`);
    ``to`` defaults to 7 days after ``from``. More than 7 days of Paris wall
    clock raises, as the guide's section 2.4 says.

    The times are bare Paris wall-clock times, as the guide writes them (no
    UTC offset). One the clock shows twice (02:00-02:59 on the last Sunday
    of October) is read in its first, summer-time reading, as the real
    service was seen to read it; one it never shows (02:00-02:59 on the last
    Sunday of March) with the winter offset. Neither is a reading a client
    can rely on, so :func:`mfanalytics.api.periods.split_period` never sends such
    a time; this reading is what makes a client that does lose rows in tests.

    Examples
    --------
    >>> a, b = parse_period("2026-03-02", "2026-03-08")
    >>> (b - a) / 86400
    7.0
    """
    if not start:
        raise ValidationError("from is required (YYYY-MM-DD or YYYY-MM-DD HH:MM)", rule="required", field="from")
    lo = _paris(start, "from", end=False)
    hi = _paris(end, "to", end=True) if end else lo + timedelta(days=MAX_PERIOD_DAYS)
    if hi <= lo:
        raise ValidationError("to must be after from", rule="period-order", field="to")
    if hi - lo > timedelta(days=MAX_PERIOD_DAYS):
        raise ValidationError(
            f"La période demandée dépasse {MAX_PERIOD_DAYS} jours / the period from {start} to {end} "
            f"is longer than {MAX_PERIOD_DAYS} days: split it into periods of at most {MAX_PERIOD_DAYS} days",
            rule="period-too-long",
            field="to",
        )
    return lo.replace(tzinfo=PARIS, fold=0).timestamp(), hi.replace(tzinfo=PARIS, fold=0).timestamp()


_TERM = re.compile(r"^\s*([A-Za-z_][\w.\-]*)\s*(==|!=)\s*(.*?)\s*$")


def parse_fiql(text: str) -> list[list[tuple[str, str, str]]]:
    """The FIQL subset: ``selector==value`` / ``!=``; ``;`` = and (binds first), ``,`` = or.

    Selectors: ``item`` (the mobile number, any format), ``fields.NAME``
    (a recipient field, case-insensitive name), ``status`` and ``campaignId``.
    ``*`` in a value matches any characters. No parentheses.
    """
    if "(" in text or ")" in text:
        raise ValidationError(
            "search: parentheses are not supported by the sandbox's FIQL subset", rule="fiql", field="search"
        )
    groups = []
    for alternative in text.split(","):
        terms = []
        for part in alternative.split(";"):
            match = _TERM.match(part)
            if match is None or not match.group(3):
                raise ValidationError(
                    f"search: cannot read {part!r} (expected selector==value)", rule="fiql", field="search"
                )
            selector = match.group(1)
            if not (selector in ("item", "status", "campaignId") or selector.startswith("fields.")):
                raise ValidationError(
                    f"search: unknown selector {selector!r} (item, fields.NAME, status, campaignId)",
                    rule="fiql",
                    field="search",
                )
            terms.append((selector, match.group(2), match.group(3)))
        groups.append(terms)
    return groups


def _match(values: pd.Series, wanted: str, case: bool = True) -> np.ndarray:
    values = values.astype("string").fillna("")
    if "*" in wanted:
        pattern = "^" + ".*".join(re.escape(p) for p in wanted.split("*")) + "$"
        return values.str.match(pattern, case=case).fillna(False).to_numpy(dtype=bool)
    if case:
        return (values == wanted).to_numpy(dtype=bool)
    return (values.str.lower() == wanted.lower()).to_numpy(dtype=bool)


def fiql_mask(
    groups: list[list[tuple[str, str, str]]], frame: pd.DataFrame, codes: np.ndarray, campaign_id: int
) -> np.ndarray:
    """Rows of ``frame`` the parsed FIQL ``groups`` select."""
    from mfanalytics.sandbox.campaign import normalize_numbers

    n = len(frame)
    result = np.zeros(n, dtype=bool)
    lower = {c.lower(): c for c in frame.columns if not c.startswith("__")}
    for terms in groups:
        mask = np.ones(n, dtype=bool)
        for selector, op, value in terms:
            if selector == "item":
                norm = normalize_numbers([value])
                wanted = norm["mobile_e164"].iloc[0] if bool(norm["mobile_valid"].iloc[0]) else None
                hit = _match(frame["__raw"], value)
                if wanted is not None:
                    hit |= _match(frame["__e164"], str(wanted))
            elif selector == "status":
                hit = np.isin(codes, [int(v) for v in value.split("|") if v.strip().isdigit()])
            elif selector == "campaignId":
                hit = np.full(n, value.strip() == str(campaign_id))
            else:
                column = lower.get(selector[len("fields.") :].lower())
                hit = np.zeros(n, dtype=bool) if column is None else _match(frame[column], value, case=False)
            mask &= ~hit if op == "!=" else hit
        result |= mask
    return result
