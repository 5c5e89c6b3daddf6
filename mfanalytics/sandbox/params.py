"""What a request to the sandbox carries, read strictly: a POST's parameters in any encoding the guide
allows, query parameters checked against the route's, the numbers of a control, the client's address;
and the API's JSON error answer.

Bodies may be ``application/json`` (primary) or
``application/x-www-form-urlencoded``, whose fields each carry a value or a
JSON structure (``listRecipient=[...]&startNow=true``), or whose single field
is the whole JSON object. Every error answers ``{"status": code, "message": ...}``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from fastapi import Request
from fastapi.responses import JSONResponse

from mfanalytics.errors import ValidationError
from mfanalytics.sandbox import inputs

__all__ = [
    "LOOPBACK",
    "HTTPError",
    "control_number",
    "error_answer",
    "host_of",
    "only_query",
    "read_params",
    "sandbox_only",
]

#: The addresses the /_sandbox/ controls answer.
LOOPBACK = ("127.0.0.1", "::1", "localhost")


class HTTPError(Exception):
    """An error answer of a route: ``{"status": status, "message": message}`` with ``headers``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


def error_answer(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON error answer of the API."""
    return JSONResponse({"status": status, "message": message}, status_code=status, headers=headers)


def _maybe_json(value: str, field: str) -> Any:
    text = value.strip()
    if text[:1] in '[{"' or text in ("true", "false", "null"):
        try:
            return inputs.loads(text, field)
        except ValidationError:
            raise
        except ValueError:
            return value
    return value


async def read_params(request: Request) -> dict[str, Any]:
    """The JSON structure of a POST, whatever the guide-compatible encoding.

    JSON is read by :func:`mfanalytics.sandbox.inputs.loads`: at most
    :data:`~mfanalytics.sandbox.inputs.MAX_JSON_DEPTH` levels deep, finite
    numbers only; anything else answers 400.
    """
    body = await request.body()
    if not body.strip():
        return {}
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    text = body.decode("utf-8", errors="replace")
    if ctype != "application/x-www-form-urlencoded" or text.lstrip()[:1] in "{[":
        try:
            data = inputs.loads(text)
        except ValidationError:
            raise
        except ValueError:
            if ctype == "application/json":
                raise HTTPError(400, "the body is not valid JSON") from None
            data = None
        if data is not None:
            if not isinstance(data, dict):
                raise HTTPError(400, "the body must be a JSON object")
            return data
    decoded = unquote_plus(text)
    if decoded.lstrip()[:1] == "{":  # the whole JSON object, form-encoded
        try:
            data = inputs.loads(decoded)
        except ValidationError:
            raise
        except ValueError:
            raise HTTPError(400, "the form-encoded body is not a valid JSON object") from None
        if not isinstance(data, dict):
            raise HTTPError(400, "the body must be a JSON object")
        return data
    pairs = parse_qsl(text, keep_blank_values=True)
    if len(pairs) == 1 and pairs[0][0] in ("json", "data", "body", "params") and pairs[0][1].lstrip()[:1] == "{":
        try:
            data = inputs.loads(pairs[0][1], pairs[0][0])
        except ValidationError:
            raise
        except ValueError:
            raise HTTPError(400, f"the field {pairs[0][0]} is not a valid JSON object") from None
        if not isinstance(data, dict):
            raise HTTPError(400, f"the field {pairs[0][0]} must hold a JSON object")
        return data
    return {key: _maybe_json(value, key) for key, value in pairs}


def control_number(value: Any, field: str, minimum: float, maximum: float) -> float:
    """A number of a /_sandbox/ control: a JSON number, or a numeric form string."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ValidationError(f"{field} must be a number, not {value[:40]!r}", rule="number", field=field) from None
    return inputs.finite_number(value, field, minimum=minimum, maximum=maximum)


def host_of(request: Request) -> str:
    """The client's address."""
    return request.client.host if request.client else ""


def sandbox_only(request: Request) -> None:
    """Refuse a /_sandbox/ control to a client that is not on loopback."""
    if host_of(request) not in LOOPBACK:
        raise HTTPError(403, "the /_sandbox/ controls answer loopback clients only")


def only_query(request: Request, *names: str) -> None:
    """Refuse query parameters the guide does not give this route (never ignored, never guessed)."""
    unknown = sorted({k for k in request.query_params if k not in names})
    if unknown:
        allowed = ", ".join(names) if names else "none"
        raise ValidationError(
            f"unknown query parameter(s) {', '.join(repr(u[:40]) for u in unknown)[:300]}; this route takes: {allowed}",
            rule="unknown-parameter",
            field=unknown[0][:40],
        )
