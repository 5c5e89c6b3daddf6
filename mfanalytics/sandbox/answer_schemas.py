"""The answers of the sandbox's routes, as JSON Schema for the OpenAPI document: a campaign (guide 2.1.3.1),
a list's analysis (2.9.1), a blacklist entry, a report row, the login answer, an error.

Examples
--------
>>> "countValid" in CAMPAIGN["required"], ERROR["required"]
(True, ['status', 'message'])
"""

from __future__ import annotations

from mfanalytics.sandbox.request_schemas import FLAG, RENDERERS, Schema

__all__ = ["ERROR", "CAMPAIGN", "LIST_ANALYSIS", "BLACKLIST_ENTRY", "REPORT_ROW", "LOGIN_ANSWER"]

ERROR: Schema = {
    "type": "object",
    "required": ["status", "message"],
    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
}
_COUNT: Schema = {"type": "integer", "minimum": 0}
_NSTR: Schema = {"type": "string", "nullable": True}

CAMPAIGN: Schema = {
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
        "checkDuplicate": FLAG,
        "allowUCS2": FLAG,
        "autoREPLACEEMOJI": FLAG,
        "autoREPLACETOGSM7": FLAG,
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
        "scheduled": FLAG,
        "isInScheduler": FLAG,
        "scheduleOn": _NSTR,
        "tinyList": {"type": "array", "items": {"type": "object"}},
        "brand": _NSTR,
        "billingCode": _NSTR,
    },
}

LIST_ANALYSIS: Schema = {
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

BLACKLIST_ENTRY: Schema = {
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

REPORT_ROW: Schema = {
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

LOGIN_ANSWER: Schema = {
    "type": "object",
    "required": ["token", "tokenType", "expiresIn", "userOwnerID"],
    "properties": {
        "token": {"type": "string"},
        "tokenType": {"type": "string", "enum": ["Bearer"]},
        "expiresIn": {"type": "integer"},
        "userOwnerID": {"type": "string"},
    },
}
