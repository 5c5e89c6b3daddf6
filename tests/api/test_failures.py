"""Answers and lost attempts become the package's errors (mfanalytics.api.failures), as the
exception tree's docstrings promise: one class per kind of status, the API's own message, and a
lost attempt that may have reached the server never reported as one that did not."""

from __future__ import annotations

import json

import requests
import urllib3.exceptions
from hypothesis import given
from hypothesis import strategies as st

from mfanalytics import errors
from mfanalytics.api.failures import api_message, error_from_response, failure_of


def _answer(status: int, body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content, response.reason = status, body, "Reason"
    response.headers.update(headers or {})
    return response


#: the documented classes (errors.py): 401/403 AuthenticationError, 429 RateLimitError,
#: any other 4xx InvalidRequestError, 5xx APIError
def _documented(status: int) -> type[errors.MediasflowError]:
    if status in (401, 403):
        return errors.AuthenticationError
    if status == 429:
        return errors.RateLimitError
    return errors.InvalidRequestError if status < 500 else errors.APIError


@given(st.integers(400, 599), st.text(max_size=80))
def test_every_error_status_maps_to_its_documented_class_with_the_apis_message(status, text):
    error = error_from_response(_answer(status, json.dumps({"message": text}).encode()), "GET", "/api/v1/x")
    assert type(error) is _documented(status)
    assert error.status == status and error.path == "/api/v1/x" and error.method == "GET"
    assert error.api_message == text


def test_a_429_carries_its_retry_after_and_a_403_says_what_to_check():
    limited = error_from_response(_answer(429, b"{}", {"Retry-After": "7"}), "GET", "/x")
    assert limited.retry_after == 7.0
    forbidden = error_from_response(_answer(403, b'{"error": "nope"}'), "GET", "/x")
    assert "allow-list" in str(forbidden) and forbidden.api_message == "nope"


def test_the_apis_message_is_read_from_its_usual_keys_or_the_text():
    assert api_message(_answer(400, b'{"detail": "bad field"}')) == "bad field"
    assert api_message(_answer(400, b'{"message": 3}')) is None  # not a text: not a message
    assert api_message(_answer(502, b"<html>" + b"x" * 1000)) == ("<html>" + "x" * 1000)[:300]
    assert api_message(_answer(502, b"")) is None


def test_a_refused_connection_is_known_not_to_have_reached_the_server():
    refused = urllib3.exceptions.NewConnectionError(None, "Connection refused")
    failure = failure_of(requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", refused)))
    assert not failure.reached and not failure.permanent
    assert not failure_of(requests.ConnectTimeout()).reached


def test_every_other_lost_attempt_may_have_reached_the_server():
    for exc in (
        requests.ReadTimeout(),
        requests.ConnectionError("reset"),
        requests.exceptions.ChunkedEncodingError(),
        urllib3.exceptions.ProtocolError("cut"),
        ConnectionResetError(),
    ):
        assert failure_of(exc).reached, exc
    assert failure_of(requests.ReadTimeout()).timeout
    assert failure_of(requests.exceptions.InvalidURL()).permanent  # refused locally: repeating cannot help
    assert not failure_of(requests.exceptions.InvalidURL()).reached
