"""Hostile input: reports, recipient lists, messages and API answers.

The rule checked everywhere: a reader either returns its frame, holding every
input row, or raises a documented exception (a ``MediasflowError`` subclass:
``ReportFormatError``, ``RecipientListError``, ``MessageError``, ``APIError``)
whose message says what to fix. Never another exception, never a row dropped
without a word, never an accent changed.
"""

from __future__ import annotations

import csv
import io
import json
import math

import pandas as pd
import pytest
import requests
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import mfanalytics
from mfanalytics import (
    MediasflowError,
    MessageError,
    RecipientListError,
    ReportFormatError,
)

FAST = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONG = settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))

# Text a spreadsheet user or an attacker may put in a cell: accents, formulas,
# controls, quotes and separators, every plane of Unicode (no lone surrogate:
# those cannot be written to a file at all).
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=("Cs",))
HOSTILE = st.one_of(
    st.sampled_from(
        [
            '=HYPERLINK("http://evil")',
            "+SUM(A1:A9)",
            "-2+3",
            "@cmd",
            "Zoé",
            "Œuvre",
            "çà€",
            "a;b",
            "a,b",
            '"quoted"',
            "line\nbreak",
            "tab\there",
            "\x00",
            "\x1b[31m",
            "",
            " ",
            "NA",
            "null",
        ]
    ),
    st.text(ANY_CHAR, max_size=40),
)


def _documented(exc: BaseException, cls: type) -> None:
    assert isinstance(exc, cls), f"{type(exc).__name__} escaped: {exc!r}"
    assert str(exc).strip(), "an error without a message"


# ==============================================================================
# report CSV
# ==============================================================================
def _report_csv(rows, sep=";", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=sep, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL
    )  # CRLF: a lone CR in a cell gets quoted
    writer.writerow(["INT_MOBILE", "STATUS_CODE", "DELIVERYDATE", "NOM", "VILLE"])
    for mobile, code, nom, ville in rows:
        writer.writerow([mobile, code, "12/01/2026 09:15:00" if code == 16 else "", nom, ville])
    return out.getvalue().encode(encoding)


report_rows = st.lists(
    st.tuples(
        HOSTILE.filter(lambda s: s.strip() != ""), st.sampled_from([1, 2, 16, 17, 22, 99, 500]), HOSTILE, HOSTILE
    ),
    min_size=1,
    max_size=25,
)


def _na_or(value: str):
    return None if value == "" else value


@FAST
@given(rows=report_rows, sep=st.sampled_from([";", ","]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_every_report_row_and_cell_survives_hostile_cells(rows, sep, encoding):
    try:
        data = _report_csv(rows, sep, encoding)
    except UnicodeEncodeError:
        return  # not representable in Windows-1252: not a file anyone has
    frame = mfanalytics.parse_report(data)
    assert len(frame) == len(rows)
    assert frame["mobile"].tolist() == [r[0] for r in rows]
    assert frame["status_code"].tolist() == [r[1] for r in rows]
    for i, column in ((2, "NOM"), (3, "VILLE")):
        got = [None if pd.isna(v) else v for v in frame[column].astype(object)]
        assert got == [_na_or(r[i]) for r in rows]


PLAIN = [
    "+33612345678;16;12/01/2026 09:15:00;Zoé;Nîmes",
    "+33612345679;17;12/01/2026 09:16:00;Loïc;Orléans",
    "+33612345670;2;;Chloé;Besançon",
    "+33612345671;22;13/01/2026 10:00:00;Anaïs;Saint-Étienne",
]
PLAIN_REPORT = ("INT_MOBILE;STATUS_CODE;DELIVERYDATE;NOM;VILLE\n" + "\n".join(PLAIN) + "\n").encode()


def _data_lines(data: bytes) -> int:
    return sum(1 for line in data.replace(b"\r", b"\n").split(b"\n")[1:] if line.strip())


mutations = st.one_of(
    st.tuples(st.just("truncate"), st.integers(0, len(PLAIN_REPORT))),
    st.tuples(st.just("junk"), st.tuples(st.integers(0, len(PLAIN_REPORT)), st.binary(min_size=1, max_size=64))),
    st.tuples(st.just("separator"), st.sampled_from([b",", b"\t", b"|", b" "])),
    st.tuples(
        st.just("encoding"), st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "mac_roman"])
    ),
    st.tuples(st.just("no-header"), st.none()),
    st.tuples(st.just("enormous"), st.integers(10, 3_000_000)),
)


def _mutate(kind, arg) -> bytes:
    if kind == "truncate":
        return PLAIN_REPORT[:arg]
    if kind == "junk":
        at, junk = arg
        return PLAIN_REPORT[:at] + junk + PLAIN_REPORT[at:]
    if kind == "separator":
        return PLAIN_REPORT.replace(b";", arg)
    if kind == "encoding":
        return PLAIN_REPORT.decode().encode(arg, errors="replace")
    if kind == "no-header":
        return PLAIN_REPORT.split(b"\n", 1)[1]
    return PLAIN_REPORT.replace("Nîmes".encode(), b"x" * arg)


@FAST
@given(mutation=mutations)
@example(mutation=("junk", (0, b"\r")))  # found by this test: a lone CR before the header
@example(mutation=("truncate", len(PLAIN_REPORT) - 1))  # the final newline cut off
def test_mutated_reports_give_every_row_or_a_documented_error(mutation):
    data = _mutate(*mutation)
    try:
        frame = mfanalytics.parse_report(data)
    except ReportFormatError as exc:
        _documented(exc, ReportFormatError)
        return
    except Exception as exc:
        _documented(exc, ReportFormatError)
    if b'"' not in data:  # without quotes, one non-empty line is one record
        assert len(frame) == _data_lines(data), "rows were dropped without an error"


@pytest.mark.slow
@LONG
@given(mutation=mutations)
def test_mutated_reports_long(mutation):
    test_mutated_reports_give_every_row_or_a_documented_error.hypothesis.inner_test(mutation=mutation)


def test_header_only_report_without_a_final_newline_is_an_empty_frame():
    """reports.py documents: a header-only CSV is an empty frame with the same columns."""
    with_newline = mfanalytics.parse_report(b"INT_MOBILE;STATUS_CODE\n")
    without = mfanalytics.parse_report(b"INT_MOBILE;STATUS_CODE")
    pd.testing.assert_frame_equal(without, with_newline)


def test_report_with_cr_only_line_ends_is_read_or_refused_with_a_report_error():
    """Old Mac / some exports end lines with a lone CR."""
    data = PLAIN_REPORT.replace(b"\n", b"\r")
    try:
        frame = mfanalytics.parse_report(data)
    except Exception as exc:
        _documented(exc, ReportFormatError)
    else:
        assert len(frame) == len(PLAIN)


def test_report_text_with_a_lone_surrogate_is_a_report_error():
    text = PLAIN_REPORT.decode().replace("Zoé", "Zo\udce9")  # what surrogateescape leaves from a bad byte
    with pytest.raises(Exception) as info:
        mfanalytics.parse_report(text)
    _documented(info.value, ReportFormatError)


def test_report_with_an_enormous_field_is_read_or_the_error_names_the_line():
    data = PLAIN_REPORT.replace("Nîmes".encode(), b"x" * 3_000_000)
    try:
        frame = mfanalytics.parse_report(data)
    except ReportFormatError as exc:
        assert exc.line is not None, f"the error does not say where: {exc}"
    else:
        assert len(frame) == len(PLAIN) and frame["VILLE"].str.len().max() == 3_000_000


def test_unterminated_quote_does_not_swallow_the_following_rows():
    data = PLAIN_REPORT.replace(b";Z", b';"Z', 1)  # a quote opened on data line 1, never closed
    try:
        frame = mfanalytics.parse_report(data)
    except ReportFormatError as exc:
        _documented(exc, ReportFormatError)
    else:
        assert len(frame) == len(PLAIN), f"{len(PLAIN)} lines in, {len(frame)} rows out, no error"


@pytest.mark.parametrize(
    "value",
    ["\r=1+1", "a\rb", "line\nbreak", "x\r\ny", 'say "hi"', "a;b"],
    ids=["lone-CR-first", "lone-CR", "LF", "CRLF", "quotes", "separator"],
)
def test_list_fields_with_line_breaks_come_back_intact_in_the_csv_report(sandbox, value):
    """A list field as typed in a spreadsheet cell (Alt+Enter gives line breaks)."""
    from relsupport import make_client

    client = make_client(sandbox)
    people = [{"mobile": "0616000000", "NOM": value}, {"mobile": "0616000001", "NOM": "Zoé"}]
    sent = client.send_campaign("Bonjour", recipients=people)
    sandbox.advance(3600)
    for fmt in ("json", "csv"):
        report = client.get_report(sent.id, format=fmt)
        assert report["NOM"].tolist() == [value, "Zoé"], fmt


@pytest.mark.parametrize("value", ["a\rb", "line\nbreak", "x\r\ny", "Zoé"], ids=["lone-CR", "LF", "CRLF", "accent"])
def test_a_dataframe_uploaded_as_a_list_keeps_its_cells(sandbox, value):
    """client.upload_list(DataFrame) writes the CSV itself: the platform must read back the same cells."""
    from relsupport import make_client

    client = make_client(sandbox, max_retries=0)
    frame = pd.DataFrame({"mobile": ["0616000000", "0616000001"], "NOM": [value, "Zoé"]})
    uploaded = client.upload_list(frame, filename="liste.csv")
    assert uploaded["size"] == 2
    sent = client.send_campaign("Bonjour", list_id=uploaded["id"])
    sandbox.advance(3600)
    assert client.get_report(sent.id, format="json")["NOM"].tolist() == [value, "Zoé"]


# ==============================================================================
# report JSON
# ==============================================================================
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(ANY_CHAR, max_size=12),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "INT_MOBILE",
                    "STATUS_CODE",
                    "DELIVERYDATE",
                    "REPLY",
                    "TRACK_1",
                    "TRACK_1_COUNTER",
                    "campaignId",
                    "rows",
                    "NOM",
                    "fields",
                    "x",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@FAST
@given(value=json_values)
def test_any_json_gives_a_report_frame_or_a_report_error(value):
    try:
        frame = mfanalytics.parse_report_json(json.dumps(value))
    except Exception as exc:
        _documented(exc, ReportFormatError)
        return
    envelope = ("rows", "report", "data", "content", "items", "results")  # the documented envelope keys
    records = (
        value if isinstance(value, list) else next(v for k, v in value.items() if k in envelope and isinstance(v, list))
    )
    assert len(frame) == len(records)


@pytest.mark.parametrize(
    "body",
    [
        b'[{"INT_MOBILE": "+33612345678", "STATUS_CODE": 16, "NOM": "Zo\xe9"}]',  # Windows-1252 bytes
        '[{"INT_MOBILE": "+33612345678", "STATUS_CODE": 16}]'.encode("utf-16"),
        b"\x89PNG\r\n\x1a\n\x00\x00",
    ],
    ids=["cp1252", "utf-16", "binary"],
)
def test_json_bytes_that_are_not_utf8_are_a_report_error(body):
    with pytest.raises(Exception) as info:
        mfanalytics.parse_report_json(body)
    _documented(info.value, ReportFormatError)


# ==============================================================================
# recipient lists
# ==============================================================================
def _list_bytes(rows, sep, encoding, header=("mobile", "NOM", "VILLE")) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


list_rows = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(["06 12 34 56 78", "+33752345678", "0692123456", "12", ""]), HOSTILE),
        HOSTILE,
        HOSTILE,
    ),
    min_size=0,
    max_size=30,
)


@FAST
@given(
    rows=list_rows,
    sep=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_every_list_row_is_kept_or_reported_and_no_cell_changes(rows, sep, encoding):
    try:
        data = _list_bytes(rows, sep, encoding)
    except UnicodeEncodeError:
        return
    if encoding == "cp1252" and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:  # these bytes are also valid UTF-8 ("Â" + no-break space): no reader can tell which was meant
            assume(False)
    result = mfanalytics.clean_recipients(data)
    if encoding.startswith("utf-8") and result.charset == "WINDOWS-1252":
        # UTF-8 that is also valid Windows-1252, holding no French accent and a character no list
        # holds (a C1 control, an IPA letter...): the documented rule (mfanalytics.charsets) reads it
        # as Windows-1252. The ASCII bytes (separators, quotes, line ends) read the same either way.
        data.removeprefix(b"\xef\xbb\xbf").decode("cp1252")  # it is valid Windows-1252
        assert not any("\u00a0" <= c <= "\u00ff" for r in rows for c in "".join(r))  # no French accent
        rows = [tuple(c.encode("utf-8").decode("cp1252") for c in r) for r in rows]
    assert len(result.frame) == len(rows)
    assert result.frame["NOM"].tolist() == [r[1] for r in rows]
    assert result.frame["VILLE"].tolist() == [r[2] for r in rows]
    # each row is either a recipient or carries the reason it is not
    issue = result.frame["mobile_issue"]
    assert len(result.recipients) + int(issue.notna().sum()) == len(rows)


@pytest.mark.slow
@LONG
@given(
    rows=list_rows,
    sep=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_every_list_row_long(rows, sep, encoding):
    test_every_list_row_is_kept_or_reported_and_no_cell_changes.hypothesis.inner_test(
        rows=rows, sep=sep, encoding=encoding
    )


@FAST
@given(data=st.binary(max_size=400))
@example(data=b"\x00")  # found by this test: one byte, no newline
def test_binary_junk_as_a_list_is_a_list_error_or_a_frame(data):
    try:
        result = mfanalytics.clean_recipients(data)
    except Exception as exc:
        _documented(exc, RecipientListError)
    else:
        assert isinstance(result.frame, pd.DataFrame)


def test_hundred_thousand_character_cells_and_formulas_are_kept(figures):
    big = "é" * 100_000
    rows = [("06 12 34 56 78", big, '=HYPERLINK("http://x")'), (big, "Zoé", "@SUM(A1)"), ("0692123456", "+1+1", "\x07")]
    for encoding in ("utf-8", "utf-16"):
        result = mfanalytics.clean_recipients(_list_bytes(rows, ";", encoding))
        assert result.frame["NOM"].tolist() == [r[1] for r in rows]
        assert result.frame["VILLE"].tolist() == [r[2] for r in rows]
        assert result.frame["mobile_issue"].astype(object).tolist()[1] == "invalid"
    figures["longest cell kept (characters)"] = len(big)


def test_empty_and_header_only_lists():
    with pytest.raises(RecipientListError) as info:
        mfanalytics.clean_recipients(b"")
    assert info.value.rule == "empty-file"
    assert len(mfanalytics.clean_recipients(b"mobile;NOM\n").frame) == 0


@pytest.mark.parametrize(
    "data", [b"mobile", b"mobile;NOM", b"\xef\xbb\xbfmobile"], ids=["one-column", "two-columns", "bom"]
)
def test_header_only_list_without_a_final_newline_is_an_empty_list(data):
    """What a spreadsheet saves for a list with its header and no line yet."""
    try:
        result = mfanalytics.clean_recipients(data)
    except Exception as exc:
        _documented(exc, RecipientListError)
    else:
        assert len(result.frame) == 0


def test_list_with_cr_only_line_ends_is_read_or_refused_with_a_list_error():
    data = "mobile;NOM\r0612345678;Zoé\r0752345678;Loïc\r".encode()
    try:
        result = mfanalytics.clean_recipients(data)
    except Exception as exc:
        _documented(exc, RecipientListError)
    else:
        assert result.frame["NOM"].tolist() == ["Zoé", "Loïc"]


def test_list_text_with_a_lone_surrogate_is_a_list_error():
    with pytest.raises(Exception) as info:
        mfanalytics.clean_recipients("mobile;NOM\n0612345678;Zo\udce9\n")
    _documented(info.value, RecipientListError)


def test_utf8_list_with_one_stray_byte_keeps_its_accents_or_is_refused():
    """One bad byte must not turn every 'é' of a UTF-8 list into 'Ã©'."""
    data = "mobile;NOM\n0612345678;Zoé\n0752345678;Loïc\n".encode() + b"0752345679;Caf\xe9\n"
    try:
        result = mfanalytics.clean_recipients(data)
    except RecipientListError as exc:
        _documented(exc, RecipientListError)
    else:
        assert result.frame["NOM"].tolist()[:2] == ["Zoé", "Loïc"], result.frame["NOM"].tolist()


def test_unterminated_quote_in_a_list_does_not_swallow_recipients():
    data = b'mobile;NOM\n0612345678;"Zoe\n0752345678;Loic\n0752345679;Anna\n'
    try:
        result = mfanalytics.clean_recipients(data)
    except RecipientListError as exc:
        _documented(exc, RecipientListError)
    else:
        assert len(result.frame) == 3, f"3 lines in, {len(result.frame)} rows out: {result.frame['mobile'].tolist()}"


# ==============================================================================
# messages
# ==============================================================================
@FAST
@given(text=st.text(ANY_CHAR, max_size=400))
def test_any_text_in_any_plane_is_counted_or_refused_and_never_changed(text):
    try:
        message = mfanalytics.Message(text)
    except Exception as exc:
        _documented(exc, MessageError)
        return
    assert message.content == text  # no replacement asked: nothing changed
    try:
        message.check(max_segments=6)
    except Exception as exc:
        _documented(exc, MessageError)
    counts = mfanalytics.count_segments([text])
    if counts["encoding"].iloc[0] == "UCS-2":
        units = len(text.encode("utf-16-le")) // 2
        assert counts["length"].iloc[0] == units
        segments = counts["segments"].iloc[0]
        if units <= 70:
            assert segments == 1
        else:  # 67 units per part; a surrogate pair never straddles two parts
            assert math.ceil(units / 67) <= segments <= math.ceil(units / 66)


@pytest.mark.slow
@LONG
@given(text=st.text(ANY_CHAR, max_size=2000))
def test_any_text_long(text):
    test_any_text_in_any_plane_is_counted_or_refused_and_never_changed.hypothesis.inner_test(text=text)


@pytest.mark.parametrize("text", ["Bonjour \ud800", "\udfff", "a\udc80b"])
def test_lone_surrogates_are_refused_locally_with_a_message_error(text):
    """A lone surrogate cannot be encoded in UTF-8 or UCS-2: refuse it before any request."""
    with pytest.raises(MessageError):
        mfanalytics.Message(text, allow_ucs2=True).check(max_segments=6)
    with pytest.raises(MessageError):
        mfanalytics.count_segments([text])


def test_a_field_with_a_lone_surrogate_fails_with_a_documented_error(sandbox):
    from relsupport import make_client, stored_campaigns

    client = make_client(sandbox, max_retries=1)
    with pytest.raises(Exception) as info:
        client.prepare_campaign("Bonjour ${PRENOM}", recipients=[{"mobile": "0612345678", "PRENOM": "Zo\udce9"}])
    _documented(info.value, MediasflowError)
    assert stored_campaigns(sandbox) == []


# ==============================================================================
# API answers that are not JSON, or not the documented shape
# ==============================================================================
class FakeAPI(requests.Session):
    """Answers every request with the same body (login answers a token)."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        super().__init__()
        self.body, self.status = body, status

    def request(self, method, url, **kwargs):
        r = requests.Response()
        r.status_code, r._content, r.reason, r.url = self.status, self.body, "X", url
        r.headers["Content-Type"] = "application/json"
        if url.endswith("/auth/login"):
            r.status_code, r._content = 200, b"{}"
            r.headers["Authorization"] = "Bearer t0k3n"
        r.request = requests.Request(method, url).prepare()
        return r


CALLS = {
    "get_blacklist": (lambda c: c.get_blacklist(), pd.DataFrame),
    "get_report_csv": (lambda c: c.get_report(7), pd.DataFrame),
    "get_report_json": (lambda c: c.get_report(7, format="json"), pd.DataFrame),
    "get_reports": (lambda c: c.get_reports("2026-03-01", "2026-03-20", progress=False), pd.DataFrame),
    "prepare_campaign": (lambda c: c.prepare_campaign("Bonjour", recipients=["0612345678"]), "campaign"),
    "send_campaign": (lambda c: c.send_campaign("Bonjour", recipients=["0612345678"]), "campaign"),
    "send_now": (lambda c: c.send_now("Bonjour", recipients=["0612345678"]), "campaign"),
    "cancel_campaign": (lambda c: c.cancel_campaign(7), "campaign"),
    "upload_list": (lambda c: c.upload_list(b"mobile\n0612345678\n", filename="l.csv"), dict),
    "add_to_blacklist": (lambda c: c.add_to_blacklist("0612345678"), dict),
}
BODIES = [
    b"",
    b"<html><body>502 Bad Gateway</body></html>",
    b"\xff\xfe\x00\x01",
    b"null",
    b"42",
    b'"ok"',
    b"[]",
    b"{}",
    b"[1, 2]",
    b'{"a": 1}',
    b'{"id": "abc"}',
    b'{"id": 1e400}',
    b'{"id": [1]}',
    b'{"id": 5, "countValid": "lots"}',
    b'{"status": 200, "message": "ok"}',
    b"NaN",
]


def _check_answer(call: str, body: bytes) -> str | None:
    """None when the answer was handled as documented, else what went wrong."""
    run, expected = CALLS[call]
    client = mfanalytics.Client(
        "https://mediasflow.invalid/api/v1",
        username="u",
        password="p",
        session=FakeAPI(body),
        max_retries=0,
        policy=mfanalytics.RetryPolicy(sleep=lambda s: None),
    )
    try:
        value = run(client)
    except MediasflowError as exc:
        return None if str(exc).strip() else "an error without a message"
    except Exception as exc:
        return f"{type(exc).__name__} escaped: {exc}"
    if expected == "campaign":
        if not (isinstance(value, mfanalytics.Campaign) and isinstance(value.get("id"), int)):
            return f"accepted, returned {value!r} (a campaign without a usable id)"
    elif not isinstance(value, expected):
        return f"accepted, returned {type(value).__name__} {value!r:.60}"
    return None


@pytest.mark.parametrize("call", sorted(CALLS))
def test_unexpected_api_answers_raise_documented_errors(call):
    """Each call against each malformed 200 answer: a MediasflowError, or a value of the documented type."""
    problems = {body: p for body in BODIES if (p := _check_answer(call, body))}
    assert not problems, f"{call}:\n" + "\n".join(f"  {b!r:.40}: {p}" for b, p in problems.items())


@FAST
@given(
    body=st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode())),
    call=st.sampled_from(["get_report_csv", "get_report_json", "get_reports"]),
)
def test_fuzzed_report_answers_raise_documented_errors(body, call):
    problem = _check_answer(call, body)
    assert problem is None, problem


# ==============================================================================
# limits: what no real file has is refused at once, naming the rule
# ==============================================================================
def test_a_list_with_30000_columns_is_refused():
    data = (";".join(f"c{i}" for i in range(30_000)) + "\n0612345678" + ";" * 29_999 + "\n").encode()
    assert len(data) < 400_000  # 0.3 MB: it took 55-105 s (header.count per name)
    with pytest.raises(RecipientListError) as info:
        mfanalytics.clean_recipients(data)
    assert info.value.rule == "column-limit" and "30,000 columns" in str(info.value)


def test_a_list_at_the_column_limit_is_read():
    from mfanalytics.lists.reading import MAX_COLUMNS

    header = ["mobile", *(f"c{i}" for i in range(MAX_COLUMNS - 1))]
    data = (";".join(header) + "\n" + ";".join(["0612345678", *("x" * (MAX_COLUMNS - 1))]) + "\n").encode()
    assert list(mfanalytics.clean_recipients(data).frame.columns[:MAX_COLUMNS]) == header


def test_a_report_with_100000_columns_is_refused():
    data = ("INT_MOBILE;STATUS_CODE;" + ";".join(f"c{i}" for i in range(100_000)) + "\n").encode()
    with pytest.raises(ReportFormatError) as info:
        mfanalytics.parse_report(data)
    assert info.value.rule == "column-limit"


def test_a_json_report_with_200_distinct_keys_per_record_is_refused():
    records = [
        {"INT_MOBILE": "+33612345678", "STATUS_CODE": 16, **{f"k{r}_{i}": "x" for i in range(200)}} for r in range(150)
    ]
    text = json.dumps(records)
    assert len(text) < 600_000  # 0.5 MB: it took 38 s and 658 MB
    with pytest.raises(ReportFormatError) as info:
        mfanalytics.parse_report_json(text)
    assert info.value.rule == "column-limit"
    nested = [
        {"INT_MOBILE": "+33612345678", "STATUS_CODE": 16, "fields": {f"k{r}_{i}": "x" for i in range(200)}}
        for r in range(150)
    ]
    with pytest.raises(ReportFormatError, match="distinct keys") as info:
        mfanalytics.parse_report_json(nested)
    assert info.value.rule == "column-limit"


def test_json_nested_100000_deep_is_a_report_error():
    with pytest.raises(ReportFormatError) as info:
        mfanalytics.parse_report_json("[" * 100_000 + "]" * 100_000)  # was RecursionError
    assert info.value.rule == "json-depth"


@pytest.mark.parametrize("reader", ["list", "report"])
def test_a_field_above_the_line_size_limit_is_refused_before_it_is_read(reader, monkeypatch):
    # the real limit is 16 MiB (a 2 GiB field raised MemoryError); a smaller one here
    import mfanalytics.lists.reading as recipients
    import mfanalytics.reports.parsing as reports

    limit = 1 << 16
    monkeypatch.setattr(recipients, "MAX_LINE_BYTES", limit)
    monkeypatch.setattr(reports, "MAX_LINE_BYTES", limit)
    head = "mobile;NOM\n0612345678;" if reader == "list" else "INT_MOBILE;STATUS_CODE;NOM\n+33612345678;16;"
    read = mfanalytics.clean_recipients if reader == "list" else mfanalytics.parse_report
    error = RecipientListError if reader == "list" else ReportFormatError
    under = read((head + "é" * (limit // 4) + "\n").encode())  # under the limit: read
    assert len(under if reader == "report" else under.frame) == 1
    with pytest.raises(error) as info:
        read((head + "x" * (3 * limit) + "\n").encode())
    assert info.value.rule == "line-size" and f"{limit:,} bytes" in str(info.value)


def test_a_sparse_gigabyte_field_in_a_list_file_is_refused_without_reading_it_whole(tmp_path, monkeypatch):
    import mfanalytics.lists.reading as recipients

    monkeypatch.setattr(recipients, "MAX_LINE_BYTES", 1 << 20)
    path = tmp_path / "huge.csv"
    with open(path, "wb") as fh:
        fh.write(b"mobile;NOM\n0612345678;")
        fh.truncate(64 << 20)  # 64 MiB of NUL bytes on no disk: one field
    with pytest.raises(RecipientListError) as info:
        mfanalytics.read_list(path)
    assert info.value.rule == "line-size"
