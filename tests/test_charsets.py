"""mfanalytics.charsets, the one text module: lists and reports decode, sniff and refuse text by the same rules."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mfanalytics
from mfanalytics.charsets import SEPARATORS, data_line_at, data_line_before, sniff_separator
from mfanalytics.errors import RecipientListError, ReportFormatError
from mfanalytics.lists.reading import parse_list

HEADER = "mobile;INT_MOBILE;STATUS_CODE;NOM"


def _both(data):
    """The (rule, line) each reader refuses ``data`` with."""
    out = []
    for read, error in (
        (parse_list, RecipientListError),
        (mfanalytics.parse_report, ReportFormatError),
    ):
        with pytest.raises(error) as info:
            read(data)
        out.append((info.value.rule, info.value.line))
    return out


@given(st.text(alphabet=";,\tab", max_size=30))
def test_the_separator_is_the_most_frequent_ties_in_order(header):
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(counts.values())
    expected = next(sep for sep in SEPARATORS if counts[sep] == best)
    assert sniff_separator(header) == expected
    names = [f"c{i}" for i in range(len(header) + 1)]  # distinct names, with the header's separators between
    line = "".join(name + sep for name, sep in zip(names, header)) + names[len(header)]
    assert parse_list(line + "\n").attrs["separator"] == sniff_separator(line)  # the list reader uses the rule


@pytest.mark.parametrize("line", [1, 2, 3])
def test_a_stray_byte_is_the_same_refusal_on_the_same_line_for_a_list_and_a_report(line):
    rows = ["0612345601;+33612345601;16;Hélène", "0612345602;+33612345602;16;Zoé", "0612345603;+33612345603;16;Léa"]
    body = (HEADER + "\n\n" + "\n".join(rows) + "\n").encode()  # an empty line: not a data line
    at = body.index(rows[line - 1].encode()) + len(rows[line - 1].encode()) - 1
    damaged = body[:at] + b"\xe9" + body[at + 1 :]  # Windows-1252 "é" inside UTF-8
    assert _both(damaged) == [("mixed-encoding", line)] * 2


@pytest.mark.parametrize("line", [1, 3])
def test_a_lone_surrogate_is_the_same_refusal_on_the_same_line(line):
    rows = [f"06123456{i:02d};+336123456{i:02d};16;N{i}" for i in range(1, 4)]
    rows[line - 1] += "\ud83d"  # half of an emoji
    text = HEADER + "\n" + "\n".join(rows) + "\n"
    assert _both(text) == [("surrogate", line)] * 2


def test_utf16_is_a_list_but_not_a_report():
    data = (HEADER + "\n0612345601;+33612345601;16;Zoé\n").encode("utf-16")
    assert len(mfanalytics.clean_recipients(data).recipients) == 1
    with pytest.raises(ReportFormatError) as info:
        mfanalytics.parse_report(data)
    assert info.value.rule == "charset"


@given(st.lists(st.sampled_from(["a;b", "", "c", "\r", "é"]), max_size=8), st.sampled_from(["\n", "\r\n", "\r"]))
def test_the_data_line_of_a_byte_and_of_a_character_agree(lines, end):
    text = end.join(["H", *lines, "x"])
    assert data_line_before(text[:-1].encode()) == data_line_at(text, len(text) - 1)


_PIECES = st.sampled_from(
    [b"a", b"\xc3\xa9", b"\xe2\x82\xac", b"\xf0\x9f\x98\x80", b"\xc3", b"\xe2\x82", b"\xa9", b"\xff", b"\xed\xa0\x80"]
    + [b"\xe0\x80\xaf", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x00"]
)


@given(st.lists(st.lists(_PIECES, max_size=8).map(b"".join), min_size=1, max_size=5))
def test_the_fast_utf8_check_of_a_block_agrees_with_pythons_decoder(blocks):
    import codecs

    from mfanalytics.charsets import _valid_utf8_block

    fast, slow = codecs.getincrementaldecoder("utf-8")(), codecs.getincrementaldecoder("utf-8")()
    for block in blocks:
        try:
            slow.decode(block)
        except UnicodeDecodeError:
            assert not _valid_utf8_block(fast, block)
            return
        assert _valid_utf8_block(fast, block)
        assert fast.getstate() == slow.getstate()


@given(st.lists(st.one_of(st.none(), st.text(max_size=4)), max_size=30), st.sampled_from(["string", "str"]))
def test_category_strings_are_what_astype_and_fillna_give(values, dtype):
    from mfanalytics.charsets import category_strings

    column = pd.Series(values, dtype="string").astype("category")
    expected = column.astype(dtype).fillna("")
    got = pd.Series(category_strings(column, dtype))
    assert str(got.dtype) == str(expected.dtype)
    assert got.tolist() == expected.tolist()
