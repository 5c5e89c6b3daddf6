"""The sandbox's public contract: the OpenAPI 3.0 document served at ``/MediasflowApi/openapi.json``.

Its schemas are the ones the routes check bodies against (:mod:`mfanalytics.sandbox.request_schemas`,
read by :mod:`mfanalytics.sandbox.body_checks`), so the document cannot drift from the code; the answers
are in :mod:`mfanalytics.sandbox.answer_schemas`.

The document describes the guide's API under ``/api/v1`` only: the
``/_sandbox/`` controls are not part of the service a client is written
for (they are described in ``docs/sandbox.md``). OpenAPI 3.0.3, the version
the bundled Swagger UI (4.x) renders. The body schemas and :func:`check_body`
are importable from here as before.

Examples
--------
>>> document = build_document(title="Sandbox", version="1.0", description="")
>>> document["openapi"], sorted(document["paths"])[0]
('3.0.3', '/api/v1/auth/login')
>>> check_body({"startNow": "TRUE", "msg": "x"}, INJECT_BODY)["startNow"]
True
"""

from __future__ import annotations

import copy

from mfanalytics.sandbox.answer_schemas import BLACKLIST_ENTRY, CAMPAIGN, ERROR, LIST_ANALYSIS, LOGIN_ANSWER, REPORT_ROW
from mfanalytics.sandbox.body_checks import check_body
from mfanalytics.sandbox.request_schemas import (
    BLACKLIST_BODY,
    ID,
    INJECT_BODY,
    LOGIN_BODY,
    RENDERERS,
    TINY_LINK,
    UPLOAD_BODY,
    Schema,
)

__all__ = ["build_document", "check_body", "LOGIN_BODY", "INJECT_BODY", "BLACKLIST_BODY", "UPLOAD_BODY", "RENDERERS"]

_CSV: Schema = {
    "text/csv": {
        "schema": {"type": "string"},
        "example": "REF_LIST;ID_LINE;INT_MOBILE;STATUS_CODE;STATUS_TEXT;DELIVERYDATE;REPLY;PREVIEW;PREVIEW_COUNTER\n",
    }
}

_HEADER: Schema = {"schema": {"type": "string"}, "required": True}
_DIGEST: Schema = {"X-Content-SHA256": {**_HEADER, "description": "SHA-256 (hex) of the body"}}


def _json(schema: Schema) -> Schema:
    return {"application/json": {"schema": schema}}


def _err(description: str, headers: Schema | None = None) -> Schema:
    out = {"description": description, "content": _json({"$ref": "#/components/schemas/Error"})}
    if headers:
        out["headers"] = headers
    return out


def _errors(*codes: int, auth: bool = True) -> Schema:
    text = {
        400: "invalid request: a parameter breaks a rule of the guide (the message names it)",
        401: "missing, invalid or expired token" if auth else "wrong username or password",
        403: "client address not allowed for the account, or userOwnerID of another user without ADMIN",
        404: "unknown campaign, list or user",
        405: "method not allowed on this path",
        409: "the campaign is not in a state that allows this",
    }
    out = {}
    for code in codes:
        headers = None
        if code == 401 and auth:
            headers = {"WWW-Authenticate": _HEADER}
        elif code == 405:
            headers = {"Allow": {**_HEADER, "description": "the methods this path answers"}}
        out[str(code)] = _err(text[code], headers)
    retry = {"Retry-After": {"schema": {"type": "integer"}, "required": True}}
    out["429"] = _err("too many requests (a sandbox fault)", retry)
    out["500"] = _err("server error (a sandbox fault)")
    out["503"] = _err("service unavailable (a sandbox fault)", retry)
    return out


def _body(schema_name: str, *, form: bool = True) -> Schema:
    ref = {"$ref": f"#/components/schemas/{schema_name}"}
    content = {"application/json": {"schema": ref}}
    if form:
        content["application/x-www-form-urlencoded"] = {"schema": ref}
    return {"required": True, "content": content}


def _query(name: str, description: str, *, required: bool = False, pattern: str | None = None) -> Schema:
    schema = {"type": "string", "maxLength": 2000}
    if pattern:
        schema["pattern"] = pattern
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2})?$"
_CODES = r"^[0-9]{1,3}([,;][0-9]{1,3})*$"


_CAMPAIGN_ID: Schema = {
    "name": "campaignId",
    "in": "path",
    "required": True,
    "schema": ID,
    "description": "the id the prepare or inject answer gave",
}
_PERIOD: list[Schema] = [
    _query("from", "YYYY-MM-DD or YYYY-MM-DD HH:MM, Paris time", required=True, pattern=_DAY),
    _query(
        "to",
        "YYYY-MM-DD or YYYY-MM-DD HH:MM; after from, at most 7 days after it (default: from + 7 days)",
        pattern=_DAY,
    ),
    _query("status", "status codes separated by ; or ,", pattern=_CODES),
    _query("types", "media: SMS;EMAIL;VOCAL (only SMS has rows here)"),
    _query("keyField", "recipient fields to include, separated by ;"),
    _query("userID", "ADMIN: the user to report on (default: every user)"),
    _query("search", "FIQL subset: item==..., fields.NAME==..., status==..., campaignId==...; ';' and, ',' or"),
]
_SECURED: list[Schema] = [{"Bearer": []}]


def build_document(*, title: str, version: str, description: str, api: str = "/api/v1") -> Schema:
    """The OpenAPI 3.0.3 document of the guide's routes under ``api``."""
    report_params = [
        _CAMPAIGN_ID,
        _query("status", "status codes separated by , (e.g. 16,14)", pattern=_CODES),
        _query("details", "recipient fields to include, separated by ;"),
    ]
    csv_ok = {"200": {"description": "the report, `;`-separated UTF-8", "headers": _DIGEST, "content": _CSV}}
    json_rows = {
        "200": {
            "description": "the report rows",
            "headers": _DIGEST,
            "content": _json({"type": "array", "items": {"$ref": "#/components/schemas/ReportRow"}}),
        }
    }
    campaign_ok = {
        "200": {"description": "the campaign (2.1.3.1)", "content": _json({"$ref": "#/components/schemas/Campaign"})}
    }
    paths = {
        f"{api}/auth/login": {
            "post": {
                "tags": ["auth"],
                "operationId": "login",
                "summary": "Log in",
                "description": "The token comes in the `Authorization` response header (`Bearer ...`, copy it with the word "
                "Bearer into Authorize) and in `token`. It lives one hour.",
                "requestBody": _body("Login"),
                "responses": {
                    "200": {
                        "description": "logged in",
                        "headers": {"Authorization": {**_HEADER, "description": "Bearer <token>"}},
                        "content": _json({"$ref": "#/components/schemas/LoginAnswer"}),
                    },
                    **_errors(400, 401, 403, auth=False),
                },
            }
        },
        f"{api}/campaigns/inject": {
            "post": {
                "tags": ["campaigns"],
                "operationId": "inject",
                "summary": "Prepare or send a campaign (2.1)",
                "requestBody": _body("Inject"),
                "security": _SECURED,
                "responses": {**campaign_ok, **_errors(400, 401, 403, 404, 409)},
            }
        },
        f"{api}/campaigns/{{campaignId}}/cancel": {
            "post": {
                "tags": ["campaigns"],
                "operationId": "cancel",
                "summary": "Cancel a scheduled campaign (2.6)",
                "description": "Back to DRAFT; refused within 10 s of its time.",
                "parameters": [_CAMPAIGN_ID],
                "security": _SECURED,
                "responses": {**campaign_ok, **_errors(400, 401, 403, 404, 409)},
            }
        },
        f"{api}/campaigns/report/{{campaignId}}": {
            "get": {
                "tags": ["reports"],
                "operationId": "reportCsv",
                "summary": "A campaign's report, CSV (2.2)",
                "parameters": report_params,
                "security": _SECURED,
                "responses": {**csv_ok, **_errors(400, 401, 403, 404, 409)},
            }
        },
        f"{api}/campaigns/reportjson/{{campaignId}}": {
            "get": {
                "tags": ["reports"],
                "operationId": "reportJson",
                "summary": "A campaign's report, JSON (2.3)",
                "parameters": report_params,
                "security": _SECURED,
                "responses": {**json_rows, **_errors(400, 401, 403, 404, 409)},
            }
        },
        f"{api}/campaigns/reportjson/": {
            "get": {
                "tags": ["reports"],
                "operationId": "periodReportJson",
                "summary": "Reports of a period, JSON (2.4), at most 7 days",
                "parameters": _PERIOD,
                "security": _SECURED,
                "responses": {**json_rows, **_errors(400, 401, 403, 404)},
            }
        },
        f"{api}/campaigns/report/": {
            "get": {
                "tags": ["reports"],
                "operationId": "periodReportCsv",
                "summary": "Reports of a period, CSV (2.5), at most 7 days",
                "parameters": _PERIOD,
                "security": _SECURED,
                "responses": {**csv_ok, **_errors(400, 401, 403, 404)},
            }
        },
        f"{api}/blacklist": {
            "post": {
                "tags": ["blacklist"],
                "operationId": "blacklistAdd",
                "summary": "Add a number or an email (2.7)",
                "requestBody": _body("BlacklistItem"),
                "security": _SECURED,
                "responses": {
                    "200": {
                        "description": "the entry",
                        "content": _json({"$ref": "#/components/schemas/BlacklistEntry"}),
                    },
                    **_errors(400, 401, 403, 404),
                },
            },
            "get": {
                "tags": ["blacklist"],
                "operationId": "blacklistGet",
                "summary": "The blacklist, JSON (2.8)",
                "parameters": [_query("userOwnerID", "ADMIN: another user's blacklist")],
                "security": _SECURED,
                "responses": {
                    "200": {
                        "description": "the entries",
                        "content": _json({"type": "array", "items": {"$ref": "#/components/schemas/BlacklistEntry"}}),
                    },
                    **_errors(400, 401, 403, 404),
                },
            },
        },
        f"{api}/lists/upload": {
            "post": {
                "tags": ["lists"],
                "operationId": "uploadList",
                "summary": "Upload a recipient list (2.9)",
                "requestBody": {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/Upload"}}},
                },
                "parameters": [
                    {
                        "name": "X-Content-SHA256",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                        "description": "SHA-256 (hex) of the file; a mismatch answers 400",
                    }
                ],
                "security": _SECURED,
                "responses": {
                    "200": {
                        "description": "the list's analysis (2.9.1)",
                        "content": _json({"$ref": "#/components/schemas/ListAnalysis"}),
                    },
                    **_errors(400, 401, 403, 404),
                },
            }
        },
    }
    schemas = {
        "Login": LOGIN_BODY,
        "LoginAnswer": LOGIN_ANSWER,
        "Inject": INJECT_BODY,
        "TinyLink": TINY_LINK,
        "Campaign": CAMPAIGN,
        "BlacklistItem": BLACKLIST_BODY,
        "BlacklistEntry": BLACKLIST_ENTRY,
        "Upload": UPLOAD_BODY,
        "ListAnalysis": LIST_ANALYSIS,
        "ReportRow": REPORT_ROW,
        "Error": ERROR,
    }
    return copy.deepcopy(
        {
            "openapi": "3.0.3",
            "info": {"title": title, "version": version, "description": description},
            "paths": paths,
            "components": {
                "schemas": schemas,
                # as on the real Swagger: paste "Bearer <token>" (with the word Bearer) in Authorize
                "securitySchemes": {
                    "Bearer": {
                        "type": "apiKey",
                        "in": "header",
                        "name": "Authorization",
                        "description": "Bearer <token>, as copied from the login answer's headers",
                    }
                },
            },
        }
    )
