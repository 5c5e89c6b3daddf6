"""The request bodies the sandbox's routes take, as JSON Schema (the OpenAPI 3.0.3 subset):
the one source of the document's ``components`` and of the checks of :mod:`mfanalytics.sandbox.body_checks`.

Examples
--------
>>> sorted(INJECT_BODY["properties"])[:3]
['allowUCS2', 'autoREPLACEEMOJI', 'autoREPLACETOGSM7']
>>> BLACKLIST_BODY["required"]
['item', 'typeItem']
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = [
    "Schema",
    "RENDERERS",
    "ID",
    "FLAG",
    "RECIPIENT",
    "TINY_LINK",
    "LOGIN_BODY",
    "INJECT_BODY",
    "BLACKLIST_BODY",
    "UPLOAD_BODY",
]

#: A JSON Schema (or any part of the OpenAPI document): plain JSON data.
Schema = dict[str, Any]

#: The guide's renderers (2.1, ``renderer``).
RENDERERS = ("BASIC", "MEDIASFLOW", "MEDIASFLOW_B", "HANDLEBARS", "EJS", "VELOCITY")

ID: Schema = {"type": "integer", "format": "int64", "minimum": 0, "maximum": 2**63 - 1}
_TEXT: Schema = {"type": "string", "maxLength": 10_000}
FLAG: Schema = {"type": "boolean"}

LOGIN_BODY: Schema = {
    "type": "object",
    "required": ["username", "password"],
    "properties": {"username": {"type": "string", "maxLength": 200}, "password": {"type": "string", "maxLength": 200}},
    "example": {"username": "demo", "password": "demo"},
}

_EXTENDED_KEYS: Schema = {
    "type": "array",
    "description": '`[{"keyName": "NOM", "keyValue": "Diaz"}]` or `[{"NOM": "Diaz"}]`: the recipient\'s fields.',
    "maxItems": 200,
    "items": {
        "type": "object",
        "additionalProperties": {"type": "string", "nullable": True},
        "properties": {"keyName": {"type": "string"}, "keyValue": {"type": "string", "nullable": True}},
    },
}

RECIPIENT: Schema = {
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

TINY_LINK: Schema = {
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

INJECT_BODY: Schema = {
    "type": "object",
    "description": "Prepare (`startNow` false), inject a prepared DRAFT (`campaignId` and `startNow` true), or both at once.",
    "properties": {
        "campaignId": {**ID, "description": "a DRAFT prepared earlier, to inject (with startNow true)"},
        "startNow": {
            **FLAG,
            "description": "true: inject now (or at scheduleOn); false: prepare a DRAFT only (the default)",
        },
        "msg": {**_TEXT, "description": "the message; fields as the renderer writes them, links as ${track_N}"},
        "listsId": {
            "description": "lists uploaded with /lists/upload",
            "anyOf": [{**ID}, {"type": "array", "items": {**ID}, "maxItems": 100}],
        },
        "listRecipient": {
            "type": "array",
            "items": RECIPIENT,
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
        "allowUCS2": FLAG,
        "autoREPLACEEMOJI": FLAG,
        "autoREPLACETOGSM7": FLAG,
        "checkDuplicate": FLAG,
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


def _nullable_options(schema: Schema) -> Schema:
    """JSON ``null`` for an optional parameter means "not given", as the guide's clients send it."""
    for name, prop in schema["properties"].items():
        if name not in schema.get("required", ()):
            for option in prop.get("anyOf", [prop]):
                option["nullable"] = True
                if "enum" in option:  # OpenAPI 3.0.3: an enum allows null only when it lists it
                    option["enum"] = [*option["enum"], None]
    return schema


INJECT_BODY = _nullable_options(copy.deepcopy(INJECT_BODY))

BLACKLIST_BODY: Schema = {
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

UPLOAD_BODY: Schema = {
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
