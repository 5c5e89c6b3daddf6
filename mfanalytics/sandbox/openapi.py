"""The sandbox's public contract: the OpenAPI 3.0 document served at
``/MediasflowApi/openapi.json``, and the request-body schemas the routes
check bodies against (one source, so the document cannot drift from the
code).

The document describes the guide's API under ``/api/v1`` only: the
``/_sandbox/`` controls are not part of the service a client is written
for (they are described in ``docs/sandbox.md``). OpenAPI 3.0.3, the version
the bundled Swagger UI (4.x) renders.

:func:`check_body` reads a body as its schema declares it: the types,
``enum``, ``required``, bounds and lengths of the subset of JSON Schema used
here, with the form-encoded spellings of the guide (``"TRUE"``/``"false"``
for booleans, digits for integers) turned into their JSON values.

Examples
--------
>>> check_body({"item": "+33639980099", "typeItem": "MOBILE"}, BLACKLIST_BODY)["typeItem"]
'MOBILE'
>>> check_body({"startNow": "TRUE", "msg": "x"}, INJECT_BODY)["startNow"]
True
>>> check_body({"startNow": {}}, INJECT_BODY)
Traceback (most recent call last):
...
mfanalytics.errors.ValidationError: startNow must be a boolean, not an object [type; field 'startNow']
"""

from __future__ import annotations

import copy
import math
from typing import Any

from mfanalytics.errors import ValidationError

__all__ = ["build_document", "check_body", "LOGIN_BODY", "INJECT_BODY", "BLACKLIST_BODY", "UPLOAD_BODY", "RENDERERS"]

#: The guide's renderers (2.1, ``renderer``).
RENDERERS = ("BASIC", "MEDIASFLOW", "MEDIASFLOW_B", "HANDLEBARS", "EJS", "VELOCITY")

_ID = {"type": "integer", "format": "int64", "minimum": 0, "maximum": 2**63 - 1}
_TEXT = {"type": "string", "maxLength": 10_000}
_FLAG = {"type": "boolean"}

LOGIN_BODY: dict = {
    "type": "object",
    "required": ["username", "password"],
    "properties": {"username": {"type": "string", "maxLength": 200}, "password": {"type": "string", "maxLength": 200}},
    "example": {"username": "demo", "password": "demo"},
}

_EXTENDED_KEYS = {
    "type": "array",
    "description": '`[{"keyName": "NOM", "keyValue": "Diaz"}]` or `[{"NOM": "Diaz"}]`: the recipient\'s fields.',
    "maxItems": 200,
    "items": {
        "type": "object",
        "additionalProperties": {"type": "string", "nullable": True},
        "properties": {"keyName": {"type": "string"}, "keyValue": {"type": "string", "nullable": True}},
    },
}

_RECIPIENT = {
    "description": "A recipient: an object whose `mobile` (or `sms`, `portable`, `gsm`) is the number, other keys and "
    "`extendedKeys` being its fields; or the number alone as a string.",
    "oneOf": [
        {"type": "string", "maxLength": 40},
        {
            "type": "object",
            "properties": {
                "mobile": {"type": "string"},
                "sms": {"type": "string"},
                "portable": {"type": "string"},
                "gsm": {"type": "string"},
                "title": {"type": "string"},
                "lastName": {"type": "string"},
                "firstName": {"type": "string"},
                "email": {"type": "string"},
                "phone": {"type": "string"},
                "fax": {"type": "string"},
                "groupID": {"type": "integer"},
                "userOwnerID": {"type": "string"},
                "extendedKeys": _EXTENDED_KEYS,
            },
        },
    ],
}

TINY_LINK: dict = {
    "type": "object",
    "description": "One shortened link: `index` 0 is `${track_1}`, 1 is `${track_2}`, ...",
    "required": ["index"],
    "properties": {
        "index": {
            "anyOf": [  # the guide's example writes "index": { "0" }: one value in a list
                {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 1,
                    "items": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 99},
                },
                {"type": "integer", "format": "int32", "minimum": 0, "maximum": 99},
            ]
        },
        "type": {"type": "string", "enum": ["REDIRECT", "LOCAL"]},
        "urlToRedirect": {
            "type": "string",
            "maxLength": 2000,
            "description": "REDIRECT: the target; its GET parameter names in UPPER CASE",
        },
        "nameToLocalHTML": {"type": "string", "description": "LOCAL: the HTML file inside b64ZipLocal"},
        "b64ZipLocal": {"type": "string", "description": "LOCAL: a ZIP holding nameToLocalHTML, base64"},
        "listParameter": {"type": "array", "items": {"type": "string"}, "maxItems": 50},
        "label": {"type": "string", "maxLength": 20, "description": "preview title (index 0 only)"},
        "description": {"type": "string", "maxLength": 40, "description": "preview description (index 0 only)"},
        "decription": {"type": "string", "maxLength": 40, "description": "the guide's spelling of description"},
        "imageName": {"type": "string", "description": "preview image name, .jpg or .png"},
        "b64ImagePreview": {"type": "string", "description": "the preview image, base64"},
        "isOG": {"type": "boolean", "description": "record previews (PREVIEW, PREVIEW_COUNTER)"},
        "associateToDomain": {"type": "string"},
        "host": {"type": "string"},
        "renderer": {"type": "string", "enum": list(RENDERERS)},
        "endOfLife": {
            "type": "integer",
            "minimum": 1,
            "maximum": 3650,
            "description": "days the link lives (45 by default)",
        },
    },
}

INJECT_BODY: dict = {
    "type": "object",
    "description": "Prepare (`startNow` false), inject a prepared DRAFT (`campaignId` and `startNow` true), or both at once.",
    "properties": {
        "campaignId": {**_ID, "description": "a DRAFT prepared earlier, to inject (with startNow true)"},
        "startNow": {
            **_FLAG,
            "description": "true: inject now (or at scheduleOn); false: prepare a DRAFT only (the default)",
        },
        "msg": {**_TEXT, "description": "the message; fields as the renderer writes them, links as ${track_N}"},
        "listsId": {
            "description": "lists uploaded with /lists/upload",
            "anyOf": [{**_ID}, {"type": "array", "items": {**_ID}, "maxItems": 100}],
        },
        "listRecipient": {
            "type": "array",
            "items": _RECIPIENT,
            "x-recipients": True,
            "description": "the recipients (their fields are read as the guide's 2.1 says)",
        },
        "scheduleOn": {
            "type": "string",
            "description": "yyyy-MM-ddTHH:mm:ssZ, at least 5 minutes ahead",
            "example": "2026-03-02T09:30:00Z",
        },
        "sender": {"type": "string", "description": "3 to 11 letters and digits, not only digits"},
        "typeSelect": {"type": "string", "enum": ["MKG", "NOTIFICATION"]},
        "renderer": {"type": "string", "enum": list(RENDERERS)},
        "defaultForHeader": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "value of a field when a recipient's is empty",
        },
        "allowUCS2": _FLAG,
        "autoREPLACEEMOJI": _FLAG,
        "autoREPLACETOGSM7": _FLAG,
        "checkDuplicate": _FLAG,
        "billingCode": {"type": "string", "maxLength": 200},
        "brand": {"type": "string", "maxLength": 200},
        "userOwnerID": {"type": "string", "maxLength": 200, "description": "ADMIN only: act for this user"},
        "campaignName": {"type": "string", "maxLength": 500},
        "tinyList": {"type": "array", "items": TINY_LINK, "maxItems": 100},
    },
    "example": {
        "listRecipient": [{"mobile": "0639980016", "extendedKeys": [{"keyName": "PRENOM", "keyValue": "Ana"}]}],
        "msg": "Bonjour ${PRENOM}",
        "sender": "MaMarque",
        "startNow": False,
    },
}


def _nullable_options(schema: dict) -> dict:
    """JSON ``null`` for an optional parameter means "not given", as the guide's clients send it."""
    for name, prop in schema["properties"].items():
        if name not in schema.get("required", ()):
            for option in prop.get("anyOf", [prop]):
                option["nullable"] = True
                if "enum" in option:  # OpenAPI 3.0.3: an enum allows null only when it lists it
                    option["enum"] = [*option["enum"], None]
    return schema


INJECT_BODY = _nullable_options(copy.deepcopy(INJECT_BODY))

BLACKLIST_BODY: dict = {
    "type": "object",
    "required": ["item", "typeItem"],
    "properties": {
        "item": {"type": "string", "maxLength": 320, "description": "a mobile number (any format) or an email"},
        "typeItem": {"type": "string", "enum": ["MOBILE", "EMAIL"]},
        "createdDescription": {"type": "string", "maxLength": 1000},
        "brand": {"type": "string", "maxLength": 200},
        "userOwnerID": {"type": "string", "maxLength": 200, "description": "ADMIN only"},
    },
    "example": {"item": "+33639980099", "typeItem": "MOBILE", "createdDescription": "plainte en magasin"},
}
BLACKLIST_BODY = _nullable_options(BLACKLIST_BODY)

UPLOAD_BODY: dict = {
    "type": "object",
    "required": ["File", "filename"],
    "properties": {
        "File": {
            "type": "string",
            "format": "binary",
            "description": "the list, CSV, with a mobile/sms/portable/gsm column",
        },
        "filename": {"type": "string", "minLength": 1, "description": "the list's name on the platform"},
        "description": {"type": "string"},
        "userOwnerID": {"type": "string", "description": "ADMIN only"},
    },
}

# -- answers -----------------------------------------------------------------
_ERROR = {
    "type": "object",
    "required": ["status", "message"],
    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
}
_COUNT = {"type": "integer", "minimum": 0}
_NSTR = {"type": "string", "nullable": True}

_CAMPAIGN = {
    "type": "object",
    "description": "The campaign, as in the guide's 2.1.3.1.",
    "required": [
        "id",
        "userOwnerID",
        "customerID",
        "status",
        "sendToSelect",
        "typeSelect",
        "listInCampaign",
        "renderer",
        "creationDate",
        "updateDate",
        "sender",
        "message",
        "countRecipient",
        "countValid",
        "creditCount",
        "scheduled",
        "isInScheduler",
        "tinyList",
    ],
    "properties": {
        "id": {"type": "integer"},
        "userOwnerID": {"type": "string"},
        "customerID": {"type": "string"},
        "sendToSelect": {"type": "string", "enum": ["SMS"]},
        "typeSelect": {"type": "string", "enum": ["MKG", "NOTIFICATION"]},
        "campaignName": _NSTR,
        "listInCampaign": {
            "type": "object",
            "required": ["size", "recipients", "lineDuplicateMobile", "countDuplicateMobile"],
            "properties": {
                "_id": {"type": "integer"},
                "type": {"type": "string"},
                "size": _COUNT,
                "validNumberMOBILE": _COUNT,
                "invalidNumberMOBILE": _COUNT,
                "globalInvalidLine": _COUNT,
                "recipients": {"type": "array", "items": {"type": "object"}},
                "listsItems": {"type": "array", "items": {"type": "integer"}},
                "lineDuplicateMobile": {"type": "array", "items": {"type": "string"}},
                "countDuplicateMobile": _COUNT,
                "campainId": {"type": "integer"},
            },
        },
        "renderer": {"type": "string", "enum": list(RENDERERS)},
        "creationDate": {"type": "string", "example": "Jun 16, 2021 6:29:07 PM"},
        "updateDate": {"type": "string"},
        "sender": {"type": "string"},
        "shortCode": _NSTR,
        "message": {"type": "string"},
        "status": {"type": "string", "enum": ["INPROGRESS", "DRAFT", "INJECTING", "INJECTED", "SCHEDULED"]},
        "pathToCampaign": {"type": "string"},
        "checkDuplicate": _FLAG,
        "allowUCS2": _FLAG,
        "autoREPLACEEMOJI": _FLAG,
        "autoREPLACETOGSM7": _FLAG,
        "defaultForHeader": {"type": "object"},
        "creditCount": {"type": "number"},
        "creditAfterInjection": {"type": "number"},
        "countRecipient": _COUNT,
        "countValid": _COUNT,
        "countPosted": _COUNT,
        "countInvalidRecipient": _COUNT,
        "countInBlackListRecipient": _COUNT,
        "countDuplicateRecipient": _COUNT,
        "countDuplicate": _COUNT,
        "countNotAllow": _COUNT,
        "countNotValid": _COUNT,
        "countErrorRendering": _COUNT,
        "countMaxCrediteOver": _COUNT,
        "countMaxCreditFound": _COUNT,
        "globalCounter": _COUNT,
        "countBlackList": _COUNT,
        "countBlackListMEDIASFLOW": _COUNT,
        "countBlackListCUSTOMER": _COUNT,
        "countBlackListBRAND": _COUNT,
        "scheduled": _FLAG,
        "isInScheduler": _FLAG,
        "scheduleOn": _NSTR,
        "tinyList": {"type": "array", "items": {"type": "object"}},
        "brand": _NSTR,
        "billingCode": _NSTR,
    },
}

_LIST_ANALYSIS = {
    "type": "object",
    "description": "The analysis of an uploaded list, as in the guide's 2.9.1.",
    "required": [
        "id",
        "listName",
        "type",
        "size",
        "header",
        "validNumberMOBILE",
        "invalidNumberMOBILE",
        "invalidLineList",
        "lineDuplicateMobile",
        "countDuplicateMobile",
        "validCountryCounter",
        "invalidCountryCounter",
        "computedHeaderSize",
        "emptyKeys",
        "creationDate",
        "userOwnerID",
        "customerID",
    ],
    "properties": {
        "id": {"type": "integer"},
        "listName": {"type": "string"},
        "description": {"type": "string"},
        "type": {"type": "string", "enum": ["CSV", "VIRTUAL"]},
        "filePath": {"type": "string"},
        "size": _COUNT,
        "header": {"type": "array", "items": {"type": "string"}},
        "charsetDetected": {"type": "string"},
        "validNumberMOBILE": _COUNT,
        "invalidNumberMOBILE": _COUNT,
        "validNumberEMAIL": _COUNT,
        "invalidNumberEMAIL": _COUNT,
        "invalidLineList": {"type": "array", "items": {"type": "integer"}},
        "globalInvalidLine": _COUNT,
        "lineDuplicateMobile": {"type": "array", "items": {"type": "string"}},
        "countDuplicateMobile": _COUNT,
        "lineDuplicateEmail": {"type": "array"},
        "countDuplicateEmail": _COUNT,
        "validCountryCounter": {"type": "object", "additionalProperties": _COUNT},
        "invalidCountryCounter": {"type": "object", "additionalProperties": _COUNT},
        "computedHeaderSize": {
            "type": "object",
            "additionalProperties": {"type": "object", "additionalProperties": _COUNT},
        },
        "emptyKeys": {"type": "array", "items": {"type": "string"}},
        "maxDatasMap": {"type": "object"},
        "maxSizeDataLine": _COUNT,
        "creationDate": {"type": "string", "example": "2021-06-25T08:46:45.937Z[UTC]"},
        "userOwnerID": {"type": "string"},
        "customerID": {"type": "string"},
        "campainId": {"type": "integer"},
    },
}

_BLACKLIST_ENTRY = {
    "type": "object",
    "required": ["id", "item", "typeItem", "userOwnerID", "creationDate"],
    "properties": {
        "id": {"type": "integer"},
        "item": {"type": "string"},
        "typeItem": {"type": "string", "enum": ["MOBILE", "EMAIL"]},
        "createdDescription": _NSTR,
        "brand": _NSTR,
        "userOwnerID": {"type": "string"},
        "creationDate": {"type": "string", "example": "2026-03-02T09:00:00Z"},
    },
}

_REPORT_ROW = {
    "type": "object",
    "description": "One recipient line; then TRACK_n/TRACK_n_COUNTER per link and the recipient's own fields.",
    "required": [
        "REF_LIST",
        "ID_LINE",
        "INT_MOBILE",
        "STATUS_CODE",
        "STATUS_TEXT",
        "DELIVERYDATE",
        "REPLY",
        "PREVIEW",
        "PREVIEW_COUNTER",
    ],
    "properties": {
        "CAMPAIGN_ID": {"type": "integer"},
        "REF_LIST": _NSTR,
        "ID_LINE": {"type": "integer"},
        "INT_MOBILE": _NSTR,
        "STATUS_CODE": {"type": "integer"},
        "STATUS_TEXT": _NSTR,
        "DELIVERYDATE": _NSTR,
        "REPLY": _NSTR,
        "PREVIEW": _NSTR,
        "PREVIEW_COUNTER": {"type": "integer"},
    },
}

_LOGIN_ANSWER = {
    "type": "object",
    "required": ["token", "tokenType", "expiresIn", "userOwnerID"],
    "properties": {
        "token": {"type": "string"},
        "tokenType": {"type": "string", "enum": ["Bearer"]},
        "expiresIn": {"type": "integer"},
        "userOwnerID": {"type": "string"},
    },
}

_CSV = {
    "text/csv": {
        "schema": {"type": "string"},
        "example": "REF_LIST;ID_LINE;INT_MOBILE;STATUS_CODE;STATUS_TEXT;DELIVERYDATE;REPLY;PREVIEW;PREVIEW_COUNTER\n",
    }
}

_HEADER = {"schema": {"type": "string"}, "required": True}
_DIGEST = {"X-Content-SHA256": {**_HEADER, "description": "SHA-256 (hex) of the body"}}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _err(description: str, headers: dict | None = None) -> dict:
    out = {"description": description, "content": _json({"$ref": "#/components/schemas/Error"})}
    if headers:
        out["headers"] = headers
    return out


def _errors(*codes: int, auth: bool = True) -> dict:
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


def _body(schema_name: str, *, form: bool = True) -> dict:
    ref = {"$ref": f"#/components/schemas/{schema_name}"}
    content = {"application/json": {"schema": ref}}
    if form:
        content["application/x-www-form-urlencoded"] = {"schema": ref}
    return {"required": True, "content": content}


def _query(name: str, description: str, *, required: bool = False, pattern: str | None = None) -> dict:
    schema = {"type": "string", "maxLength": 2000}
    if pattern:
        schema["pattern"] = pattern
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2})?$"
_CODES = r"^[0-9]{1,3}([,;][0-9]{1,3})*$"


_CAMPAIGN_ID = {
    "name": "campaignId",
    "in": "path",
    "required": True,
    "schema": _ID,
    "description": "the id the prepare or inject answer gave",
}
_PERIOD = [
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
_SECURED = [{"Bearer": []}]


def build_document(*, title: str, version: str, description: str, api: str = "/api/v1") -> dict:
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
        "LoginAnswer": _LOGIN_ANSWER,
        "Inject": INJECT_BODY,
        "TinyLink": TINY_LINK,
        "Campaign": _CAMPAIGN,
        "BlacklistItem": BLACKLIST_BODY,
        "BlacklistEntry": _BLACKLIST_ENTRY,
        "Upload": UPLOAD_BODY,
        "ListAnalysis": _LIST_ANALYSIS,
        "ReportRow": _REPORT_ROW,
        "Error": _ERROR,
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


# -- checking bodies -----------------------------------------------------------
_TYPES = {"object": dict, "array": list, "string": str}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return {dict: "an object", list: "a list", str: "a string", int: "an integer", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _check(value: Any, schema: dict, field: str) -> Any:
    if value is None and schema.get("nullable"):
        return None
    if schema.get("x-recipients") and _plain_recipients(value):
        return value  # the common case at a million recipients, checked without the general walk
    if "oneOf" in schema or "anyOf" in schema:
        errors = []
        for option in schema.get("oneOf") or schema["anyOf"]:
            try:
                return _check(value, option, field)
            except ValidationError as exc:
                errors.append(exc)
        raise errors[-1]
    kind = schema.get("type")
    if kind == "boolean":
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            value = value.strip().lower() == "true"
        if not isinstance(value, bool):
            raise ValidationError(f"{field} must be a boolean, not {_kind(value)}", rule="type", field=field)
    elif kind == "integer":
        if (isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 20) or (isinstance(value, float) and math.isfinite(value) and value.is_integer()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"{field} must be a whole number, not {_kind(value)}", rule="type", field=field)
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError(f"{field} must be a number, not {_kind(value)}", rule="type", field=field)
    elif kind in _TYPES and not isinstance(value, _TYPES[kind]):
        article = "an" if kind[0] in "ao" else "a"
        raise ValidationError(f"{field} must be {article} {kind}, not {_kind(value)}", rule="type", field=field)
    if "enum" in schema and value not in schema["enum"]:
        raise ValidationError(
            f"{field} must be one of {', '.join(map(str, schema['enum']))}, not {str(value)[:40]!r}",
            rule="enum",
            field=field,
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if ("minimum" in schema and value < schema["minimum"]) or ("maximum" in schema and value > schema["maximum"]):
            raise ValidationError(
                f"{field} must be between {schema.get('minimum')} and {schema.get('maximum')}, not {value}",
                rule="range",
                field=field,
            )
    if isinstance(value, str):
        if len(value) > schema.get("maxLength", math.inf) or len(value) < schema.get("minLength", 0):
            raise ValidationError(
                f"{field} must have {schema.get('minLength', 0)} to {schema.get('maxLength')} characters",
                rule="length",
                field=field,
            )
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", math.inf):
            raise ValidationError(f"{field} has more than {schema['maxItems']} items", rule="length", field=field)
        if len(value) < schema.get("minItems", 0):
            raise ValidationError(f"{field} has fewer than {schema['minItems']} items", rule="length", field=field)
        if "items" in schema:
            value = [_check(v, schema["items"], f"{field}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if name not in value:
                raise ValidationError(
                    f"{field}.{name} is required" if field else f"{name} is required",
                    rule="required",
                    field=f"{field}.{name}" if field else name,
                )
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        out = {}
        for key, item in value.items():
            name = f"{field}.{key}" if field else key
            if key in properties:
                out[key] = _check(item, properties[key], name)
            elif isinstance(extra, dict):
                out[key] = _check(item, extra, name)
            else:
                out[key] = item
        value = out
    return value


_RECIPIENT_STRINGS = frozenset(k for k, v in _RECIPIENT["oneOf"][1]["properties"].items() if v.get("type") == "string")


def _plain_recipients(value: Any) -> bool:
    """True when every recipient is a string, or an object whose declared keys
    hold strings (``groupID`` an integer) and whose ``extendedKeys`` are
    objects of strings: what :func:`_check` would accept, in one tight loop.
    Anything else goes through :func:`_check`, which names the faulty field."""
    if type(value) is not list:
        return False
    for item in value:
        kind = type(item)
        if kind is str:
            if len(item) > 40:
                return False
            continue
        if kind is not dict:
            return False
        for key, field in item.items():
            if key in _RECIPIENT_STRINGS:
                if type(field) is not str:
                    return False
            elif key == "extendedKeys":
                if type(field) is not list or len(field) > 200:
                    return False
                for pair in field:
                    if type(pair) is not dict or not all(type(v) is str for v in pair.values()):
                        return False
            elif key == "groupID" and type(field) is not int:
                return False
    return True


def check_body(params: dict, schema: dict) -> dict:
    """``params`` read as ``schema`` declares (see the module docstring); raises
    :class:`~mfanalytics.errors.ValidationError` naming the field."""
    return _check(params, schema, "")
