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


def test_one_concern_one_rule_name_across_lanes():
    """A lone surrogate, a stray byte in UTF-8, UTF-16: the same rule name for a message, a list and a report."""
    import pytest

    import mfanalytics
    from mfanalytics.errors import RULE_CHARSET, RULE_MIXED_ENCODING, RULE_SURROGATE, MediasflowError

    assert (RULE_SURROGATE, RULE_CHARSET, RULE_MIXED_ENCODING) == ("surrogate", "charset", "mixed-encoding")

    def rule(call):
        with pytest.raises(MediasflowError) as info:
            call()
        return info.value.rule

    half = "\ud83d"  # half of an emoji
    assert rule(lambda: mfanalytics.Message("Bonjour " + half)) == "surrogate"
    assert rule(lambda: mfanalytics.count_segments(["ok", "Bonjour " + half])) == "surrogate"
    assert rule(lambda: mfanalytics.clean_recipients(["0612345678", "06123" + half])) == "surrogate"
    assert (
        rule(lambda: mfanalytics.parse_report("INT_MOBILE;STATUS_CODE;NOM\n+33600000001;16;A" + half + "\n"))
        == "surrogate"
    )
    stray = "mobile;NOM\n0612345678;Hélène\n0612345679;".encode() + b"Ren\xe9e\n"
    assert rule(lambda: mfanalytics.clean_recipients(stray)) == "mixed-encoding"
    report = "INT_MOBILE;STATUS_CODE;NOM\n+33600000001;16;Hélène\n+33600000002;16;".encode() + b"Ren\xe9e\n"
    assert rule(lambda: mfanalytics.parse_report(report)) == "mixed-encoding"
    assert (
        rule(lambda: mfanalytics.parse_report("INT_MOBILE;STATUS_CODE\n+33600000001;16\n".encode("utf-16")))
        == "charset"
    )
