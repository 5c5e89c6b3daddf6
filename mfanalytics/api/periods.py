"""Period reports over any span: 7-day windows, fetched concurrently.

The API refuses a period report longer than 7 days (guide, section 2.4).
:func:`split_period` cuts a span into windows that it accepts, and
:func:`fetch_period` fetches them with a few workers, shows a progress bar,
and returns one report frame, each recipient line once
(:func:`~mfanalytics.reports.lines.dedupe_lines`, which every caller that joins report frames uses), the click
columns of campaigns without a link missing (:func:`mask_unshown_links`). :func:`build_search`
writes the FIQL ``search`` parameter from keyword arguments.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any, Literal

import pandas as pd

from mfanalytics.errors import ValidationError
from mfanalytics.reports.lines import LINE_KEY, dedupe_lines  # LINE_KEY: a name of mfanalytics.periods in 0.1
from mfanalytics.times import API_TIME_FORMAT, PARIS_NAME, clear_of_folds, instant, paris_wall

__all__ = [
    "LINE_KEY",
    "MAX_PERIOD_DAYS",
    "build_search",
    "dedupe_lines",
    "end_of_minute",
    "fetch_period",
    "mask_unshown_links",
    "split_period",
]

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
    return mask_unshown_links(dedupe_lines(frames))


def mask_unshown_links(frame: pd.DataFrame, *, scope: Literal["period", "campaign"] = "period") -> pd.DataFrame:
    """The click columns of a campaign that shows no click and no preview, made missing.

    A period report gives every campaign the TRACK columns of all, empty and
    0 for those whose message had no link; a link nobody clicked or previewed
    yet cannot be told from no link. So the click columns (``clicks``,
    ``clicked``, ``first_click_at``, ``track_N_clicks``) of those campaigns
    become missing (no link, no click rate), as in their own campaign report.
    What shows a link is :func:`~mfanalytics.analysis.engines.link_mask`'s rule
    (the "link" of :mod:`mfanalytics.analysis.kpis`).

    Parameters
    ----------
    frame : pandas.DataFrame
        A report frame.
    scope : {"period", "campaign"}
        ``"period"`` (:func:`fetch_period`): the frame is one period report;
        one of a single campaign is that campaign's own report, whose TRACK
        columns are its own, and stays as it is. ``"campaign"`` (the
        archive, whose day files are read together later): each campaign is
        judged by its own rows, even alone in the frame, so that
        ``Archive.frame`` gives what ``get_reports`` gives over any span of
        two campaigns or more.

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself when nothing is masked, else a copy.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"campaign_id": [1, 2], "clicked": pd.array([True, False], dtype="boolean"),
    ...                       "clicks": pd.array([1, 0], dtype="Int32")})
    >>> mask_unshown_links(frame)["clicks"].tolist()
    [1, <NA>]
    >>> alone = frame[frame["campaign_id"] == 2]
    >>> mask_unshown_links(alone)["clicks"].tolist(), mask_unshown_links(alone, scope="campaign")["clicks"].tolist()
    ([0], [<NA>])
    """
    from mfanalytics.analysis.engines import link_mask

    if scope not in ("period", "campaign"):
        raise ValidationError("scope must be 'period' or 'campaign'.", rule="mask-scope", field="scope")
    if "clicked" not in frame.columns or not len(frame):
        return frame
    unknown = frame["clicked"].notna().to_numpy(dtype=bool) & ~link_mask(frame, per_campaign=scope == "campaign")
    if not unknown.any():
        return frame
    frame = frame.copy()
    for column in frame.columns:
        if column in ("clicks", "clicked", "first_click_at") or (
            column.startswith("track_") and column.endswith("_clicks")
        ):
            frame[column] = frame[column].mask(unknown)
    return frame
