"""Period reports over any span: 7-day windows, fetched concurrently.

The API refuses a period report longer than 7 days (guide, section 2.4).
:func:`split_period` cuts a span into windows that it accepts, and
:func:`fetch_period` fetches them with a few workers, shows a progress bar,
and returns one report frame, each recipient line once
(:func:`dedupe_lines`, which every caller that joins report frames uses). :func:`build_search`
writes the FIQL ``search`` parameter from keyword arguments.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from mfanalytics.errors import ValidationError
from mfanalytics.times import API_TIME_FORMAT, PARIS_NAME, clear_of_folds, instant, paris_wall

__all__ = ["LINE_KEY", "MAX_PERIOD_DAYS", "build_search", "dedupe_lines", "end_of_minute", "fetch_period", "split_period"]

#: The longest period the API answers.
MAX_PERIOD_DAYS = 7
_RESERVED = set(",;()=!<>\"'")


def _limit(cursor: datetime, days: int) -> datetime:
    """The latest end of a window starting at ``cursor`` that is at most
    ``days`` days long both in elapsed time and on the Paris wall clock."""
    elapsed = cursor + timedelta(days=days)
    target = pd.Timestamp(paris_wall(cursor) + timedelta(days=days))
    wall = target.tz_localize(PARIS_NAME, ambiguous=True, nonexistent="shift_backward").tz_convert("UTC").floor("min")
    return min(elapsed, wall.to_pydatetime())


def split_period(
    start: date | datetime | str,
    end: date | datetime | str,
    *,
    days: int = MAX_PERIOD_DAYS,
) -> list[tuple[str, str]]:
    """Cut ``[start, end)`` into consecutive windows of at most ``days`` days.

    The API takes ``from`` and ``to`` as bare Paris wall-clock times
    (``YYYY-MM-DD HH:MM``, guide section 2.4), with no UTC offset. Around the
    clock changes a bare time can be ambiguous: on the last Sunday of October
    the clock shows 02:00-02:59 twice, and a server that reads such a ``to``
    in the first (summer) reading loses up to an hour of sends. So no bound
    sent is ever ambiguous (nor in March's skipped hour): a bound that would
    fall in the repeated hour is moved outwards, a start to 01:59 before it,
    an end to 03:00 after it, and a boundary between two windows back to
    01:59. Windows may then overlap by up to an hour; the rows both return are
    merged by :func:`dedupe_lines`. A window is at most ``days`` days long
    both in elapsed time and on the wall clock, so the server accepts it
    whichever it measures.

    Parameters
    ----------
    start, end : date, datetime or str
        Paris wall-clock times; aware datetimes are exact moments. A date
        alone for ``end`` includes that whole day. A naive time in the
        repeated hour is read so as to keep every row (the earlier reading
        for ``start``, the later for ``end``); one in the skipped hour is the
        moment of the jump.
    days : int
        Longest window.

    Returns
    -------
    list of (str, str)
        ``from`` and ``to`` values in the API's ``YYYY-MM-DD HH:MM`` format,
        each shown by the Paris clock exactly once; each window begins where
        the previous one ends, and together they cover ``[start, end)``
        (rounded outwards to whole minutes).

    Examples
    --------
    >>> from mfanalytics.api.periods import split_period
    >>> split_period("2026-03-01", "2026-03-10")
    [('2026-03-01 00:00', '2026-03-08 00:00'), ('2026-03-08 00:00', '2026-03-11 00:00')]
    >>> split_period("2026-10-24", "2026-10-25 02:40")  # 02:40 is shown twice that night
    [('2026-10-24 00:00', '2026-10-25 03:00')]
    """
    lo = instant(start, end=False).replace(second=0, microsecond=0)
    hi = instant(end, end=True)
    if hi.second or hi.microsecond:  # round the end up to the next minute: keep every row
        hi = hi.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if hi <= lo:
        raise ValidationError(
            f"The period ends ({paris_wall(hi):%Y-%m-%d %H:%M}) before it starts ({paris_wall(lo):%Y-%m-%d %H:%M}), "
            "or is empty.",
            rule="period-order",
            field="end",
        )
    lo, hi = clear_of_folds(lo, -1), clear_of_folds(hi, +1)
    windows = []
    cursor = lo
    while cursor < hi:
        stop = _limit(cursor, days)
        stop = hi if hi <= stop else clear_of_folds(stop, -1)
        windows.append((paris_wall(cursor).strftime(API_TIME_FORMAT), paris_wall(stop).strftime(API_TIME_FORMAT)))
        cursor = stop
    return windows


def _values(value: Any) -> list[str]:
    items = [value] if isinstance(value, (str, int)) else list(value)
    out = []
    for item in items:
        text = str(item)
        bad = _RESERVED.intersection(text)
        if bad or not text:
            raise ValidationError(
                f"A search value cannot be empty or contain {''.join(sorted(_RESERVED))}: {text!r}.",
                rule="fiql-value",
                field="search",
            )
        out.append(text)
    return out


def build_search(*, item: Any = None, fields: Mapping[str, Any] | None = None) -> str:
    """Write a FIQL ``search`` (guide, section 2.4) from keyword arguments.

    Parameters
    ----------
    item : str or list of str, optional
        Recipient number(s); several numbers are or-ed.
    fields : mapping, optional
        ``{"prenom": "Philippe"}`` or ``{"REF": ["A", "B"]}``: list fields
        that must match (and-ed across fields, or-ed within one).

    Returns
    -------
    str
        The expression, in disjunctive form since FIQL's ``;`` (and) binds
        tighter than ``,`` (or).

    Examples
    --------
    >>> from mfanalytics.api.periods import build_search
    >>> build_search(item="0612345678", fields={"prenom": "Philippe"})
    'item==0612345678;fields.prenom==Philippe'
    >>> build_search(item=["0612345678", "0752345678"])
    'item==0612345678,item==0752345678'
    """
    terms: list[list[str]] = []
    if item is not None:
        terms.append([f"item=={v}" for v in _values(item)])
    for name, value in (fields or {}).items():
        if not name or _RESERVED.intersection(name):
            raise ValidationError(f"Not a usable field name: {name!r}.", rule="fiql-field", field="search")
        terms.append([f"fields.{name}=={v}" for v in _values(value)])
    if not terms:
        raise ValidationError("Give item= or fields= to search for.", rule="fiql-empty", field="search")
    return ",".join(";".join(combo) for combo in itertools.product(*terms))


def end_of_minute(now: datetime) -> datetime:
    """The default end of a period fetched at ``now``: the end of its minute,
    so that a send of this very second is in.

    >>> from datetime import datetime, timezone
    >>> end_of_minute(datetime(2026, 10, 25, 1, 39, 59, tzinfo=timezone.utc)).isoformat()
    '2026-10-25T01:40:00+00:00'
    """
    return now.replace(second=0, microsecond=0) + timedelta(minutes=1)


def fetch_period(
    get_bytes: Callable[[str, Mapping[str, str]], bytes],
    start: date | datetime | str,
    end: date | datetime | str,
    *,
    params: Mapping[str, str] | None = None,
    format: str = "json",
    workers: int = 4,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Fetch a period report of any length as one report frame.

    Parameters
    ----------
    get_bytes : callable
        ``get_bytes(path, params)`` returns the body of one GET answer (the
        client's, with its login, retry policy and digest check: this module
        knows nothing of the client). Called from ``workers`` threads at once.
    start, end : date, datetime or str
        The span, as :func:`split_period` reads it (:meth:`Client.get_reports
        <mfanalytics.Client.get_reports>` makes ``end`` default to the
        client's clock, :func:`end_of_minute`).
    params : mapping
        Other query parameters (status, types, search, userID, keyField).
    format : {"json", "csv"}
        Which variant of the period report to use.
    workers : int
        Windows fetched at once (bounded to 1..8).
    progress : bool, optional
        Show a ``tqdm`` bar; default: when there is more than one window.

    Returns
    -------
    pandas.DataFrame
        The report frame, rows of every window, each recipient line once
        (:func:`dedupe_lines`). The click columns (``clicks``, ``clicked``,
        ``first_click_at``, ``track_N_clicks``) of a campaign without a link
        are missing, as in its own report, although the period report gives
        it the TRACK columns of the others (empty, counters 0); a campaign
        with a link that shows no click and no preview yet cannot be told
        from one without a link, and is reported the same way.
    """
    from tqdm.auto import tqdm

    from mfanalytics.reports import parsing as reports

    if format not in ("json", "csv"):
        raise ValidationError("format must be 'json' or 'csv'.", rule="format", field="format")
    windows = split_period(start, end)
    path = "/campaigns/reportjson/" if format == "json" else "/campaigns/report/"
    base = dict(params or {})

    def one(window: tuple[str, str]) -> pd.DataFrame:
        body = get_bytes(path, {**base, "from": window[0], "to": window[1]})
        return reports.parse_report_json(body) if format == "json" else reports.parse_report(body)

    workers = max(1, min(int(workers), 8))
    show = len(windows) > 1 if progress is None else progress
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mfanalytics-period") as pool:
        frames = list(
            tqdm(pool.map(one, windows), total=len(windows), disable=not show, desc="period report", unit="window")
        )
    return _untracked_as_unknown(dedupe_lines(frames))


def _untracked_as_unknown(frame: pd.DataFrame) -> pd.DataFrame:
    """A period report carries the TRACK columns of all its campaigns, empty
    and 0 for those whose message had no link: their click columns become
    missing (no link, no click rate), as in their own campaign report. See
    :mod:`mfanalytics.analysis.kpis` ("link") for how a link is recognised."""
    from mfanalytics.analysis.kpis import _link_rows

    if "clicked" not in frame.columns or not len(frame):
        return frame
    unknown = frame["clicked"].notna().to_numpy(dtype=bool) & ~_link_rows(frame)
    if not unknown.any():
        return frame
    frame = frame.copy()
    for column in frame.columns:
        if column in ("clicks", "clicked", "first_click_at") or (column.startswith("track_") and column.endswith("_clicks")):
            frame[column] = frame[column].mask(unknown)
    return frame


#: The columns that identify a recipient line on the platform.
LINE_KEY: tuple[str, ...] = ("campaign_id", "ref_list", "line")
# Higher is later in a line's life: what decides which copy of a line is kept.
_STAGE = {"pending": 0, "in_flight": 1}


def dedupe_lines(frames: pd.DataFrame | Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Join report frames fetched separately (overlapping windows) into one,
    each recipient line once.

    A recipient line is identified on the platform by its campaign, its list
    and its line in that list (:data:`LINE_KEY`: ``campaign_id``,
    ``ref_list``, ``line``); line numbers restart at 1 in every list, and
    recipients sent directly (``listRecipient``) form a list of their own
    (``ref_list`` ``"listRecipient"`` on the sandbox).

    Rules:

    - Only copies in *different* frames are merged: one answer of the API
      holds each line once, so rows of one frame are never merged, even when
      they share a key (two lists uploaded under the same name): the k-th row
      with a key in one frame matches the k-th row with that key in another.
    - A row without a key (no ``campaign_id`` or no ``line``, e.g. JSON
      records without ``ID_LINE``) is never merged away.
    - Of two copies of a line, the one further in its life is kept: final
      before not final, then sent/posted before pending, then the one with
      more events (STOP, clicks, previews, delivery date), then the later
      frame.
    - Categorical columns stay categorical (the union of the categories);
      rows are ordered by campaign, then in the order first seen.

    Parameters
    ----------
    frames : DataFrame or iterable of DataFrame
        Report frames (:mod:`mfanalytics.reports.parsing`), e.g. one per window.

    Returns
    -------
    pandas.DataFrame
        One report frame with a fresh ``RangeIndex``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mfanalytics.api.periods import dedupe_lines
    >>> a = pd.DataFrame({"campaign_id": [1, 1], "ref_list": ["a.csv", "b.csv"], "line": [1, 1]})
    >>> len(dedupe_lines([a, a]))
    2
    """
    frames = [frames] if isinstance(frames, pd.DataFrame) else list(frames)
    non_empty = [f for f in frames if len(f)]
    if not non_empty:
        return frames[0].reset_index(drop=True) if frames else pd.DataFrame()
    if len(non_empty) == 1:
        return non_empty[0].reset_index(drop=True)
    non_empty = _align_categories(non_empty)
    frame = pd.concat(non_empty, ignore_index=True)
    key = [c for c in LINE_KEY if c in frame.columns]
    if "campaign_id" not in key or "line" not in key:
        return frame
    source = np.repeat(np.arange(len(non_empty)), [len(f) for f in non_empty])
    keyed = (frame["campaign_id"].notna() & frame["line"].notna()).to_numpy(dtype=bool)
    # the key as one integer per row (a missing list name is a value of its own, not a wildcard)
    line_id = np.zeros(len(frame), dtype=np.int64)
    for column in key:
        values = frame[column].astype("string") if column == "ref_list" else frame[column]
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        line_id = pd.factorize(line_id * (len(uniques) + 1) + codes)[0].astype(np.int64)
    # the k-th copy of a key within one frame matches the k-th copy in another, never one of its own frame
    occurrence = pd.Series(line_id * len(non_empty) + source).groupby(line_id * len(non_empty) + source,
                                                                       sort=False).cumcount().to_numpy()
    ident = pd.factorize(line_id * (int(occurrence.max()) + 1) + occurrence)[0].astype(np.int64)
    # rows without a key are a line of their own each: nothing ever matches them
    ident[~keyed] = ident.max() + 1 + np.arange(int((~keyed).sum()))
    position = np.arange(len(frame))
    first = pd.Series(position).groupby(ident, sort=False).transform("min").to_numpy()
    rank = _lifecycle_rank(frame)
    order = np.lexsort((source, *rank[::-1], ident))  # by line, then its copies from least to most advanced
    last = np.ones(len(order), dtype=bool)
    last[:-1] = ident[order][1:] != ident[order][:-1]
    kept = order[last]  # the most advanced copy of each line
    cid = pd.to_numeric(frame["campaign_id"], errors="coerce").to_numpy(dtype="float64", na_value=np.inf)
    kept = kept[np.lexsort((first[kept], cid[kept]))]  # by campaign, then in the order first seen
    return frame.iloc[kept].reset_index(drop=True)


def _lifecycle_rank(frame: pd.DataFrame) -> list[np.ndarray]:
    """Sort keys, most important first, larger meaning further in the line's life."""
    n = len(frame)

    def num(column: str) -> np.ndarray:
        if column not in frame.columns:
            return np.zeros(n)
        return pd.to_numeric(frame[column], errors="coerce").fillna(0).to_numpy(dtype="float64")

    def present(column: str) -> np.ndarray:
        return frame[column].notna().to_numpy(dtype=bool) if column in frame.columns else np.zeros(n, bool)

    final = frame["is_final"].astype("boolean").fillna(False).to_numpy(dtype=bool) if "is_final" in frame else np.zeros(n, bool)
    stage = np.zeros(n)
    if "status_group" in frame.columns:
        group = frame["status_group"]
        group = group if isinstance(group.dtype, pd.CategoricalDtype) else group.astype("category")
        lookup = np.array([_STAGE.get(str(c), 2) for c in group.cat.categories] + [2], dtype="float64")
        stage = lookup[group.cat.codes.to_numpy()]  # code -1 (missing) takes the last entry
    stop = frame["is_stop"].astype("boolean").fillna(False).to_numpy(dtype=bool) if "is_stop" in frame else np.zeros(n, bool)
    events = sum(present(c).astype(np.int64) for c in ("delivered_at", "reply", "preview_at", "first_click_at"))
    return [final, stage, stop, num("clicks"), num("preview_count"), np.asarray(events)]


def _align_categories(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """Give every categorical column the union of its categories, so that
    concatenating windows keeps it categorical (and small)."""
    columns = {
        c for f in frames for c in f.columns if isinstance(f[c].dtype, pd.CategoricalDtype)
    }
    if not columns:
        return frames
    out = [f.copy() for f in frames]
    for column in columns:
        union = pd.Index([])
        for f in out:
            if column in f.columns:
                values = f[column]
                cats = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else pd.Index(values.dropna().unique())
                union = union.append(cats[~cats.isin(union)])
        for f in out:
            if column in f.columns:
                f[column] = f[column].astype(pd.CategoricalDtype(union))
    return out
