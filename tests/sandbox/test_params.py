"""A POST's parameters in every encoding the guide allows (mfanalytics.sandbox.params.read_params):
JSON, form fields each holding a value or a JSON structure, or the whole JSON object form-encoded;
the same parameters read the same way, and a body that is none of these is a 400."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote_plus, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from mfanalytics.errors import ValidationError
from mfanalytics.sandbox.params import HTTPError, read_params


def _read(body: bytes, ctype: str) -> dict:
    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "query_string": b"",
        "headers": [(b"content-type", ctype.encode())],
    }
    return asyncio.run(read_params(Request(scope, receive)))


PARAMS = st.fixed_dictionaries(
    {
        "msg": st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=30),
        "startNow": st.booleans(),
        "listRecipient": st.lists(
            st.fixed_dictionaries({"mobile": st.from_regex(r"06[0-9]{8}", fullmatch=True)}), max_size=3
        ),
    }
)

FORM = "application/x-www-form-urlencoded"


@settings(max_examples=30)
@given(PARAMS)
def test_every_encoding_of_the_same_parameters_reads_the_same(params):
    as_json = json.dumps(params)
    fields = {k: (json.dumps(v) if not isinstance(v, str) else v) for k, v in params.items()}
    bodies = [
        (as_json.encode(), "application/json"),
        (urlencode(fields).encode(), FORM),  # each field a value or a JSON structure
        (quote_plus(as_json).encode(), FORM),  # the whole object, form-encoded
        (urlencode({"json": as_json}).encode(), FORM),  # the whole object in one field
    ]
    for body, ctype in bodies:
        read = _read(body, ctype)
        assert read == params, (body, ctype)


def test_an_empty_body_is_no_parameter():
    assert _read(b"  ", "application/json") == {}


@pytest.mark.parametrize(
    "body, ctype", [(b"{not json", "application/json"), (b"[1, 2]", "application/json"), (b"%7Bnope", FORM)]
)
def test_a_body_that_is_no_json_object_is_a_400(body, ctype):
    with pytest.raises(HTTPError) as info:
        _read(body, ctype)
    assert info.value.status == 400


def test_json_without_numbers_json_does_not_have_is_refused_naming_the_rule():
    with pytest.raises(ValidationError) as info:
        _read(b'{"count": NaN}', "application/json")
    assert info.value.rule == "json-number"
