"""Report frames joined, each recipient line once.

A period fetched in overlapping windows, reports read at different times, a
campaign's report and a period's: :func:`dedupe_lines` keeps each recipient
line once, the copy furthest in the line's life.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["LINE_KEY", "dedupe_lines"]

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
    >>> from mfanalytics.reports.lines import dedupe_lines
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
    occurrence = (
        pd.Series(line_id * len(non_empty) + source)
        .groupby(line_id * len(non_empty) + source, sort=False)
        .cumcount()
        .to_numpy()
    )
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

    final = (
        frame["is_final"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        if "is_final" in frame
        else np.zeros(n, bool)
    )
    stage = np.zeros(n)
    if "status_group" in frame.columns:
        group = frame["status_group"]
        group = group if isinstance(group.dtype, pd.CategoricalDtype) else group.astype("category")
        lookup = np.array([_STAGE.get(str(c), 2) for c in group.cat.categories] + [2], dtype="float64")
        stage = lookup[group.cat.codes.to_numpy()]  # code -1 (missing) takes the last entry
    stop = (
        frame["is_stop"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        if "is_stop" in frame
        else np.zeros(n, bool)
    )
    events = sum(present(c).astype(np.int64) for c in ("delivered_at", "reply", "preview_at", "first_click_at"))
    return [final, stage, stop, num("clicks"), num("preview_count"), np.asarray(events)]


def _align_categories(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """Give every categorical column the union of its categories, so that
    concatenating windows keeps it categorical (and small)."""
    columns = {c for f in frames for c in f.columns if isinstance(f[c].dtype, pd.CategoricalDtype)}
    if not columns:
        return frames
    out = [f.copy() for f in frames]
    for column in columns:
        union = pd.Index([])
        for f in out:
            if column in f.columns:
                values = f[column]
                cats = (
                    values.cat.categories
                    if isinstance(values.dtype, pd.CategoricalDtype)
                    else pd.Index(values.dropna().unique())
                )
                union = union.append(cats[~cats.isin(union)])
        for f in out:
            if column in f.columns:
                f[column] = f[column].astype(pd.CategoricalDtype(union))
    return out
