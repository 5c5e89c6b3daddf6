"""Tests of mfanalytics.lists.recipients: a send's recipients, in every shape, read once for every reader.

The two readers are the request body (``recipient_payload``, whose expected bodies are the guide's
example 2.1.2, ``mobile`` plus ``extendedKeys``) and the sending rules (``check_compliance``, which
needs each number's territory). The oracle for the territory is phonenumbers itself, number by number.
"""

from __future__ import annotations

import pandas as pd
import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mfanalytics.lists
from mfanalytics.api.payloads import recipient_payload
from mfanalytics.errors import RecipientListError, ValidationError
from mfanalytics.lists import clean_recipients, recipients_frame
from mfanalytics.lists.recipients import recipient_numbers
from mfanalytics.messages.compliance import check_compliance

#: Numbers whose reading phonenumbers alone decides (no national overseas form, which the package reads further).
NUMBERS = ["0612345678", "+262692123456", "+4915123456789", "+14155550123", "0142685300", "abc", ""]


def test_each_shape_gives_its_rows_and_its_mobile_column():
    frame, column = recipients_frame(["0612345678", 33612345679])
    assert column == "mobile" and frame["mobile"].tolist() == ["0612345678", "33612345679"]
    frame, column = recipients_frame([{"NOM": "Dupont", " SMS ": "0612345678"}])  # found by name, as in a file
    assert column == " SMS " and frame.to_dict("records") == [{"NOM": "Dupont", " SMS ": "0612345678"}]
    given_frame = pd.DataFrame({"Portable": ["0612345678"], "NOM": ["Dupont"]})
    frame, column = recipients_frame(given_frame)
    assert column == "Portable" and frame is given_frame
    frame, column = recipients_frame(pd.Series([33612345678, 33612345679], index=[7, 3]))
    assert column == "mobile" and frame["mobile"].tolist() == ["33612345678", "33612345679"]
    assert recipients_frame([])[0]["mobile"].tolist() == []


def test_a_cleaned_list_gives_its_rows_to_send_in_e164_with_its_own_columns_only():
    cleaned = clean_recipients(b"NOM;Mobile\nDupont;06 12 34 56 78\nMartin;0612345678\nNul;abc\n")
    frame, column = recipients_frame(cleaned)
    assert column == "Mobile"
    assert frame.to_dict("records") == [{"NOM": "Dupont", "Mobile": "+33612345678"}]
    assert "mobile_e164" in cleaned.recipients.columns  # the result itself is left as it was


@pytest.mark.parametrize("bad", ["0612345678", b"0612345678", 612345678, None, [1.5], ["0612345678", {"mobile": "1"}]])
def test_what_is_no_shape_of_recipients_is_refused_naming_the_rule_and_the_field(bad):
    with pytest.raises(ValidationError) as info:
        recipients_frame(bad)
    assert (info.value.rule, info.value.field) == ("recipients-type", "recipients")


def test_dicts_or_a_frame_without_a_mobile_column_name_the_header_seen():
    for bad in ([{"NOM": "Dupont", "tel": "0612345678"}], pd.DataFrame({"tel": ["0612345678"]})):
        with pytest.raises(RecipientListError) as info:
            recipients_frame(bad)
        assert info.value.rule == "mobile-column" and "tel" in str(info.value)


def test_the_lane_exports_it():
    assert "recipients_frame" in mfanalytics.lists.__all__ and mfanalytics.lists.recipients_frame is recipients_frame


# -- the same numbers for the body and for the rules ---------------------------------------------
def territory(raw: str) -> str | None:
    """phonenumbers, one number at a time: the region of a valid mobile, else None (not checked)."""
    try:
        number = phonenumbers.parse(raw, "FR")
    except phonenumbers.NumberParseException:
        return None
    mobile = phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    return phonenumbers.region_code_for_number(number) if phonenumbers.is_valid_number(number) and mobile else None


def shapes(numbers: list[str]) -> list:
    """The same recipients in every shape a send takes."""
    frame = pd.DataFrame({"PRENOM": [f"p{k}" for k in range(len(numbers))], "Portable": numbers})
    return [numbers, pd.Series(numbers), frame, frame.to_dict("records")]


@given(st.lists(st.sampled_from(NUMBERS), max_size=12))
def test_every_shape_gives_the_body_and_the_rules_the_same_numbers(numbers):
    for shape in shapes(numbers):
        assert [r["mobile"] for r in recipient_payload(shape)] == numbers
        parsed = recipient_numbers(shape)
        regions = [r if ok else None for r, ok in zip(parsed["mobile_country"].tolist(), parsed["mobile_valid"])]
        assert regions == [territory(n) for n in numbers]


def test_a_cleaned_list_brings_its_own_parse():
    cleaned = clean_recipients(pd.DataFrame({"mobile": ["0612345678", "0692123456", "0696123456"]}))
    parsed = recipient_numbers(cleaned)
    assert parsed["mobile_country"].tolist() == ["FR", "RE", "MQ"] and parsed["mobile_valid"].all()
    again = recipient_numbers(recipients_frame(cleaned)[0])  # its E.164 numbers parsed once more: the same
    assert again["mobile_country"].tolist() == parsed["mobile_country"].tolist()


def test_the_rules_refuse_what_the_body_refuses():
    mixed = ["0612345678", {"mobile": "0692123456"}]  # read as text by the rules before, and silently unchecked
    for reader in (recipient_payload, lambda r: check_compliance("Promo STOP 36184", recipients=r)):
        with pytest.raises(ValidationError) as info:
            reader(mixed)
        assert (info.value.rule, info.value.field) == ("recipients-type", "recipients")
