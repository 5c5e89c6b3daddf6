"""The API's answers read strictly: campaigns, tokens, JSON of the documented shape; credentials masked.

An answer that is not the documented shape is an :class:`~mfanalytics.errors.APIError`
saying so; nothing is assumed from it. Used by :mod:`mfanalytics.api.client`.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Iterable
from typing import Any, NoReturn
from urllib.parse import urlsplit

import requests

from mfanalytics.errors import APIError

__all__ = [
    "Campaign",
    "Secret",
    "as_secret",
    "positive_number",
    "token_of",
    "max_segments_of",
    "strip_bearer",
    "json_of",
    "shape_error",
    "object_of",
    "campaign_of",
    "as_list",
]


class Secret:
    """A credential that never shows itself and refuses to be pickled.

    It is held XOR-masked with a random pad, so not even a walk over every
    attribute of every object finds it in clear; :meth:`reveal` is called only
    inside the transport's one sending call.
    """

    __slots__ = ("_masked", "_pad")

    def __init__(self, value: str) -> None:
        raw = value.encode("utf-8")
        self._pad = os.urandom(len(raw))
        self._masked = bytes(a ^ b for a, b in zip(raw, self._pad))

    def reveal(self) -> str:
        return bytes(a ^ b for a, b in zip(self._masked, self._pad)).decode("utf-8")

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("credentials cannot be pickled")


class Campaign(dict[str, Any]):
    """The API's answer about a campaign: a dict, with a readable summary.

    ``campaign.id``, ``campaign.status`` and the counts of the guide's
    section 2.1.3.1 (``countValid``, ``creditCount``, ...) are the API's own
    values, untouched.
    """

    @property
    def id(self) -> int:
        return int(self["id"])

    @property
    def status(self) -> str | None:
        return self.get("status")

    def summary(self) -> dict[str, Any]:
        """The figures a user checks before injecting."""
        keys = (
            "id",
            "status",
            "campaignName",
            "countRecipient",
            "countValid",
            "countInvalidRecipient",
            "countInBlackListRecipient",
            "countDuplicateRecipient",
            "creditCount",
            "sender",
        )
        return {k: self.get(k) for k in keys if k in self}

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.summary().items())
        return f"Campaign({inner})"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
            for k, v in self.summary().items()
        )
        return f"<table>{rows}</table>"


def as_secret(value: str | Secret | None, *, strip: bool = False) -> Secret | None:
    """``value`` masked (``strip``: without a leading ``Bearer``); None stays None."""
    if value is None or isinstance(value, Secret):
        return value
    return Secret(strip_bearer(value) if strip else value)


def positive_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def token_of(response: requests.Response) -> Secret | None:
    """The Bearer token of a login answer (header, else ``{"token": ...}``), masked."""
    header = response.headers.get("Authorization", "")
    token = strip_bearer(header) if header else None
    if not token:
        try:
            token = response.json().get("token")
        except (ValueError, AttributeError):
            token = None
    return Secret(strip_bearer(token)) if isinstance(token, str) and token.strip() else None


def max_segments_of(response: requests.Response) -> int | None:
    """The account's longest message (``maxSegments``, 1 to 6) if the login answer gives it."""
    try:
        said = response.json().get("maxSegments")
    except (ValueError, AttributeError):
        return None
    if isinstance(said, int) and not isinstance(said, bool) and 1 <= said <= 6:
        return said
    return None


def strip_bearer(value: str) -> str:
    value = value.strip()
    return value[7:].strip() if value.lower().startswith("bearer ") else value


def json_of(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise shape_error(response, "something that is not JSON") from None


def shape_error(response: requests.Response, what: str) -> APIError:
    request = response.request
    path = urlsplit(request.url).path if request is not None and request.url else None
    return APIError(
        f"The API answered {what}, not the documented shape; nothing was assumed from it. "
        "If this repeats, the service or a proxy in between is misbehaving.",
        status=response.status_code,
        method=request.method if request is not None else None,
        path=path,
    )


def object_of(response: requests.Response, *, empty: dict[str, Any] | None = None) -> dict[str, Any]:
    """The answer as a JSON object (``empty`` when the body is empty)."""
    body = json_of(response)
    if body is None and empty is not None:
        return empty
    if not isinstance(body, dict):
        raise shape_error(response, f"{type(body).__name__} {str(body)[:40]!r} where a JSON object was expected")
    return body


def campaign_of(response: requests.Response, *, empty: dict[str, Any] | None = None) -> Campaign:
    """The answer as a campaign: a JSON object with an integer ``id``."""
    body = object_of(response, empty=empty)
    cid = body.get("id")
    if isinstance(cid, bool) or not isinstance(cid, int):
        raise shape_error(response, f"a campaign without an integer id (id={cid!r})")
    count = body.get("countValid")
    if count is not None and (isinstance(count, bool) or not isinstance(count, (int, float)) or count != count):
        raise shape_error(response, f"a campaign whose countValid is {count!r}")
    return Campaign(body)


def as_list(values: Iterable[Any] | str | int) -> list[str]:
    if isinstance(values, (str, int)):
        return [str(values)]
    return [str(v) for v in values]
