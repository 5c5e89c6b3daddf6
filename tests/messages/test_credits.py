"""Tests of mfanalytics.messages.credits: what a campaign costs before it is sent."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from mfanalytics.errors import ValidationError
from mfanalytics.messages.credits import CreditEstimate, estimate_credits
from mfanalytics.messages.message import Message


# ---------------------------------------------------------------- credits
def test_estimate_credits_with_a_count():
    est = estimate_credits("a" * 200, 1000, max_segments=2)
    assert (est.recipients, est.sendable, est.credits) == (1000, 1000, 2000)
    assert est.segments == {2: 1000} and est.errors == {} and est.encoding == "GSM-7"
    assert estimate_credits("a" * 200, 10).errors == {7: 10}
    assert estimate_credits("Leçon", 3).errors == {6: 3}
    assert "2,000 credits" in repr(est)
    with pytest.raises(ValidationError):
        estimate_credits("a", -1)


def test_estimate_credits_with_recipients():
    frame = pd.DataFrame({"PRENOM": ["Zoé", "x" * 160, None, "Anne"]})
    msg = Message("Bonjour ${PRENOM}")
    est = estimate_credits(msg, frame, max_segments=2)
    # rows: 12 chars -> 1; 168 chars -> 2; empty field without default -> code 5; 12 chars -> 1
    assert (est.recipients, est.sendable, est.credits) == (4, 3, 4)
    assert est.segments == {1: 2, 2: 1} and est.errors == {5: 1}
    cleaned = SimpleNamespace(recipients=frame)  # the result of clean_recipients
    assert estimate_credits(msg, cleaned, max_segments=2) == est
    assert isinstance(est, CreditEstimate)
    mixed = estimate_credits(Message("${P}", allow_ucs2=True), [{"P": "a"}, {"P": "ê"}])
    assert mixed.encoding == "mixed" and mixed.credits == 2
    with pytest.raises(ValidationError) as err:
        estimate_credits(msg, "not recipients")
    assert err.value.rule == "recipients"


def test_estimate_credits_costs_segments_not_characters():
    # 66 x + emoji + 66 y = 134 UTF-16 units, but 3 SMS (the pair cannot be split)
    est = estimate_credits(Message("x" * 66 + "😀" + "y" * 66, allow_ucs2=True), 5, max_segments=3)
    assert est.credits == 15 and math.isclose(est.credits / est.sendable, 3)
