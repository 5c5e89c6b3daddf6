"""Request bodies read as their schema declares: the types, ``enum``, ``required``, bounds and lengths
of the subset of JSON Schema the sandbox uses, with the form-encoded spellings of the guide
(``"TRUE"``/``"false"`` for booleans, digits for integers) turned into their JSON values.

Examples
--------
>>> from mfanalytics.sandbox.request_schemas import BLACKLIST_BODY, INJECT_BODY
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

import math
from typing import Any

from mfanalytics.errors import ValidationError
from mfanalytics.sandbox.request_schemas import RECIPIENT, Schema

__all__ = ["check_body", "check_value", "plain_recipients"]

_TYPES: dict[str, type] = {"object": dict, "array": list, "string": str}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return {dict: "an object", list: "a list", str: "a string", int: "an integer", float: "a number"}.get(
        type(value), type(value).__name__
    )


def check_value(value: Any, schema: Schema, field: str) -> Any:
    """``value`` read as ``schema`` declares; raises :class:`~mfanalytics.errors.ValidationError` naming ``field``."""
    if value is None and schema.get("nullable"):
        return None
    if schema.get("x-recipients") and plain_recipients(value):
        return value  # the common case at a million recipients, checked without the general walk
    if "oneOf" in schema or "anyOf" in schema:
        errors: list[ValidationError] = []
        for option in schema.get("oneOf") or schema["anyOf"]:
            try:
                return check_value(value, option, field)
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
        if (isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 20) or (
            isinstance(value, float) and math.isfinite(value) and value.is_integer()
        ):
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
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and (
        ("minimum" in schema and value < schema["minimum"]) or ("maximum" in schema and value > schema["maximum"])
    ):
        raise ValidationError(
            f"{field} must be between {schema.get('minimum')} and {schema.get('maximum')}, not {value}",
            rule="range",
            field=field,
        )
    if isinstance(value, str) and not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", math.inf):
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
            value = [check_value(v, schema["items"], f"{field}[{i}]") for i, v in enumerate(value)]
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
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = f"{field}.{key}" if field else key
            if key in properties:
                out[key] = check_value(item, properties[key], name)
            elif isinstance(extra, dict):
                out[key] = check_value(item, extra, name)
            else:
                out[key] = item
        value = out
    return value


_RECIPIENT_STRINGS = frozenset(k for k, v in RECIPIENT["oneOf"][1]["properties"].items() if v.get("type") == "string")


def plain_recipients(value: Any) -> bool:
    """True when every recipient is a string, or an object whose declared keys
    hold strings (``groupID`` an integer) and whose ``extendedKeys`` are
    objects of strings: what :func:`check_value` would accept, in one tight loop.
    Anything else goes through :func:`check_value`, which names the faulty field."""
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


def check_body(params: dict[str, Any], schema: Schema) -> dict[str, Any]:
    """``params`` read as ``schema`` declares (see the module docstring); raises
    :class:`~mfanalytics.errors.ValidationError` naming the field."""
    checked: dict[str, Any] = check_value(params, schema, "")
    return checked
