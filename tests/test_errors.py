"""The exception tree: messages for people, pickling, ValueError for local rules."""

from __future__ import annotations

import pickle

import pytest

from mfanalytics import errors


def test_api_error_message_names_status_method_and_path():
    err = errors.InvalidRequestError(
        "campaign 12 is not a DRAFT", status=409, method="POST", path="/api/v1/campaigns/inject"
    )
    assert str(err) == "campaign 12 is not a DRAFT (HTTP 409 on POST /api/v1/campaigns/inject)"
    assert err.status == 409


def test_validation_errors_are_value_errors_naming_rule_field_and_line():
    err = errors.SenderError("sender must be 3 to 11 characters", rule="sender-length", field="sender")
    assert isinstance(err, ValueError) and isinstance(err, errors.MediasflowError)
    assert "sender-length" in str(err) and "'sender'" in str(err)
    err = errors.RecipientListError("wrong number of fields", rule="field-count", line=7)
    assert "line 7" in str(err)


@pytest.mark.parametrize(
    "err",
    [
        errors.RateLimitError("slow down", retry_after=2.5, status=429, method="GET", path="/x"),
        errors.MessageError("too long", rule="too-long", field="msg"),
        errors.AmbiguousSendError("may have been sent", method="POST", path="/api/v1/campaigns/inject"),
    ],
)
def test_errors_survive_pickling(err):
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err)
    assert str(back) == str(err)
    assert back.__dict__ == err.__dict__
