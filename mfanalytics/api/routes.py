"""The routes of :class:`~mfanalytics.Client` that send nothing: a campaign's report, the reports
of a period, the blacklist and list uploads (guide 2.2 to 2.9).

:class:`Routes` is a base class of :class:`~mfanalytics.api.client.Client`; sending lives in
:mod:`mfanalytics.api.client`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mfanalytics.api.answers import as_list, json_of, object_of, shape_error
from mfanalytics.api.connection import Connection
from mfanalytics.api.payloads import list_bytes
from mfanalytics.api.retries import SendSafety
from mfanalytics.api.transport import DIGEST_HEADER, sha256_hex
from mfanalytics.errors import ValidationError

__all__ = ["Routes"]


def _report_params(status: Iterable[int] | None, details: Iterable[str] | None) -> dict[str, str]:
    """The query of ``/campaigns/report/{id}`` and ``/reportjson/{id}``."""
    params: dict[str, str] = {}
    if status is not None:
        params["status"] = ",".join(str(int(s)) for s in as_list(status))
    if details is not None:
        params["details"] = ";".join(as_list(details))
    return params


class Routes(Connection):
    """Reports, blacklist and lists: the routes that send no SMS."""

    # -- reports ----------------------------------------------------------
    def get_report(
        self,
        campaign_id: int,
        *,
        status: Iterable[int] | None = None,
        details: Iterable[str] | None = None,
        format: str = "csv",
    ) -> pd.DataFrame:
        """The report of one campaign as a report frame.

        Parameters
        ----------
        campaign_id : int
        status : iterable of int, optional
            Keep these status codes only.
        details : iterable of str, optional
            The list's own columns to include (CSV only); default all.
        format : {"csv", "json"}

        Returns
        -------
        pandas.DataFrame
            The report frame (see :mod:`mfanalytics.reports.parsing`).

        Notes
        -----
        The CSV body goes to a temporary file as it arrives, which
        :func:`mfanalytics.read_report` then reads (see :meth:`download_report`):
        a report of millions of lines is never held whole in memory as bytes.
        """
        from mfanalytics.reports import parsing as reports

        if format == "csv":
            with tempfile.TemporaryDirectory(prefix="mfanalytics-report-", ignore_cleanup_errors=True) as folder:
                path = self.download_report(campaign_id, Path(folder) / "report.csv", status=status, details=details)
                return reports.read_report(path, campaign_id=int(campaign_id))
        if format == "json":
            body = self.get_bytes(f"/campaigns/reportjson/{int(campaign_id)}", _report_params(status, None))
            frame: pd.DataFrame = reports.parse_report_json(body, campaign_id=int(campaign_id))
            return frame
        raise ValidationError("format must be 'csv' or 'json'.", rule="format", field="format")

    def download_report(
        self,
        campaign_id: int,
        path: str | os.PathLike[str],
        *,
        status: Iterable[int] | None = None,
        details: Iterable[str] | None = None,
    ) -> Path:
        """Save the CSV report of one campaign to ``path``, as the platform sends it.

        The body is written as it arrives (never held whole in memory) to
        ``path`` + ``.part``, checked against its SHA-256 digest, then renamed
        to ``path``: a failed download leaves no file behind.
        :func:`mfanalytics.read_report` reads the file.

        Parameters
        ----------
        campaign_id : int
        path : str or path-like
            The file to write (replaced if it exists).
        status, details
            As :meth:`get_report`.

        Returns
        -------
        pathlib.Path
            ``path``.

        Examples
        --------
        >>> import mfanalytics, pathlib, tempfile
        >>> with mfanalytics.sandbox(seed=0, start="2026-03-03T09:00:00Z") as sb, tempfile.TemporaryDirectory() as tmp:
        ...     client = sb.client()
        ...     sent = client.send_campaign("Votre code : 1234", recipients=["0612345678"], type_select="NOTIFICATION")
        ...     sb.advance(3600)
        ...     saved = client.download_report(sent.id, pathlib.Path(tmp) / "report.csv")
        ...     mfanalytics.read_report(saved)["status_group"].tolist()
        ['delivered']
        """
        target = Path(path)
        part = target.with_name(target.name + ".part")
        try:
            with open(part, "wb") as sink:
                self.get_into(f"/campaigns/report/{int(campaign_id)}", _report_params(status, details), sink)
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)
        return target

    def get_reports(
        self,
        start: date | datetime | str,
        end: date | datetime | str | None = None,
        *,
        status: Iterable[int] | None = None,
        types: Iterable[str] | None = None,
        search: str | None = None,
        user_id: str | None = None,
        key_field: Iterable[str] | None = None,
        format: str = "json",
        workers: int = 4,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Rows of every campaign sent in a period of any length.

        The API answers at most 7 days at a time: longer periods are split
        into 7-day windows fetched by ``workers`` threads, with a progress
        bar, then joined into one report frame without duplicate rows.

        Parameters
        ----------
        start, end : date, datetime or str
            Paris time; a date alone for ``end`` includes that day; ``end``
            defaults to now (the end of its minute). The API takes whole
            minutes on the Paris clock, so the bounds are rounded outwards to
            the minute, and a bound in October's repeated hour (02:00-02:59,
            shown twice) is moved to its edge (see
            :func:`~mfanalytics.api.periods.split_period`): the frame then
            holds every send of ``[start, end)`` and may hold sends of up to
            an hour beyond a bound there. No row is ever lost to the clock.
        status : iterable of int, optional
        types : iterable of str, optional
            Media, e.g. ``["SMS"]``.
        search : str, optional
            FIQL, e.g. from :func:`mfanalytics.build_search`.
        user_id : str, optional
        key_field : iterable of str, optional
            List columns to include (CSV variant).
        format : {"json", "csv"}
        workers : int
        progress : bool, optional

        Examples
        --------
        >>> import mfanalytics
        >>> from datetime import timedelta
        >>> with mfanalytics.sandbox(seed=0) as sb:
        ...     client = sb.client()
        ...     _ = client.send_campaign("Votre code : 1234", recipients=["0612345678"], type_select="NOTIFICATION")
        ...     sb.advance(3600)
        ...     len(client.get_reports(sb.now.date() - timedelta(days=30), progress=False))
        1
        """
        from mfanalytics.api.periods import end_of_minute, fetch_period

        params: dict[str, str] = {}
        if status is not None:
            params["status"] = ";".join(str(int(s)) for s in as_list(status))
        if types is not None:
            params["types"] = ";".join(as_list(types))
        if search:
            params["search"] = search
        if user_id:
            params["userID"] = user_id
        if key_field is not None:
            params["keyField"] = ";".join(as_list(key_field))
        if end is None:  # one clock for every default: the client's (the sandbox's simulated one on a sandbox)
            end = end_of_minute(self.now())
        self.ensure_login()  # once, before the windows are fetched in parallel
        return fetch_period(
            self.get_bytes, start, end, params=params, format=format, workers=workers, progress=progress
        )

    # -- blacklist and lists ----------------------------------------------
    def add_to_blacklist(
        self, item: str, *, type_item: str = "MOBILE", description: str | None = None, brand: str | None = None
    ) -> dict[str, Any]:
        """Add a number (or an email) to the account's blacklist."""
        payload = {"item": item, "typeItem": type_item, "createdDescription": description, "brand": brand}
        payload = {k: v for k, v in payload.items() if v is not None}
        response = self._call("POST", "/blacklist", retry=SendSafety.SAFE, **self._transport.encode_body(payload))
        return object_of(response, empty={})

    def get_blacklist(self) -> pd.DataFrame:
        """The account's blacklist as a DataFrame."""
        response = self._call("GET", "/blacklist")
        entries = json_of(response)
        if entries is None:
            entries = []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise shape_error(response, "a blacklist that is not a list of entries")
        return pd.DataFrame(entries)

    def upload_list(
        self, data: Any, *, filename: str, description: str | None = None, user_owner_id: str | None = None
    ) -> dict[str, Any]:
        """Upload a recipient list; returns the platform's analysis (guide 2.9.1).

        ``data`` is a path, bytes, text, a DataFrame or a ``clean_recipients``
        result (its recipients are uploaded, numbers in E.164).
        """
        content = list_bytes(data)
        fields = {"filename": filename}
        if description:
            fields["description"] = description
        if user_owner_id:
            fields["userOwnerID"] = user_owner_id
        response = self._call(
            "POST",
            "/lists/upload",
            retry=SendSafety.SAFE,
            data=fields,
            files={"File": (filename, content, "text/csv")},
            headers={DIGEST_HEADER: sha256_hex(content)},
        )
        return object_of(response)
