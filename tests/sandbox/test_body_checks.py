"""Bodies read as their schema declares (mfanalytics.sandbox.body_checks): the guide's form
spellings become JSON values, anything else is a 400 that names the rule and the field."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mfanalytics.errors import ValidationError
from mfanalytics.sandbox.body_checks import check_body, check_value
from mfanalytics.sandbox.request_schemas import BLACKLIST_BODY, INJECT_BODY, LOGIN_BODY


@pytest.mark.parametrize(
    "sent, read", [("TRUE", True), ("false", False), (" True ", True), (True, True), (False, False)]
)
def test_booleans_in_the_guides_spellings(sent, read):
    assert check_body({"startNow": sent}, INJECT_BODY)["startNow"] is read


@given(st.integers(0, 2**63 - 1))
def test_an_id_in_digits_or_as_a_whole_float_is_that_integer(n):
    assert check_body({"campaignId": str(n)}, INJECT_BODY)["campaignId"] == n
    if n < 2**53:
        assert check_body({"campaignId": float(n)}, INJECT_BODY)["campaignId"] == n


@pytest.mark.parametrize(
    "body, schema, rule, field",
    [
        ({"startNow": "yes"}, INJECT_BODY, "type", "startNow"),
        ({"campaignId": -1}, INJECT_BODY, "range", "campaignId"),
        ({"campaignId": 1.5}, INJECT_BODY, "type", "campaignId"),
        ({"typeSelect": "SPAM"}, INJECT_BODY, "enum", "typeSelect"),
        ({"msg": "x" * 10_001}, INJECT_BODY, "length", "msg"),
        ({"tinyList": [{}]}, INJECT_BODY, "required", "tinyList[0].index"),
        ({"item": "+33639980099"}, BLACKLIST_BODY, "required", "typeItem"),
        ({"username": "ana", "password": 7}, LOGIN_BODY, "type", "password"),
    ],
)
def test_each_refusal_names_its_rule_and_field(body, schema, rule, field):
    with pytest.raises(ValidationError) as info:
        check_body(body, schema)
    assert (info.value.rule, info.value.field) == (rule, field)


def test_null_means_not_given_for_an_optional_parameter_only():
    assert check_body({"sender": None, "typeSelect": None}, INJECT_BODY) == {"sender": None, "typeSelect": None}
    with pytest.raises(ValidationError):
        check_body({"username": None, "password": "x"}, LOGIN_BODY)


def test_extended_keys_in_either_of_the_guides_forms():
    recipients = [
        {"mobile": "0639980016", "extendedKeys": [{"keyName": "NOM", "keyValue": "Diaz"}]},
        {"mobile": "0639980017", "extendedKeys": [{"NOM": "Diaz"}]},
        "0639980018",
    ]
    assert check_body({"listRecipient": recipients}, INJECT_BODY)["listRecipient"] == recipients
    with pytest.raises(ValidationError) as info:
        check_value([{"mobile": 639980016}], INJECT_BODY["properties"]["listRecipient"], "listRecipient")
    assert info.value.field.startswith("listRecipient[0]")
