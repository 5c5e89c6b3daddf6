"""Every percentage of the HTML report states its base, and every rate agrees with summarize().

The page is parsed into a tree (standard library only). Each percentage on it is found in the
text, wherever it is, then: a rate marked on the page (``data-rate``, its ``data-num`` and
``data-den``) must be the ``summarize`` figures of its row, its written value must be num / den,
and its base must be written beside it (the denominator in words on a KPI card, the base in the
column's header in a table). Shares that are not rates (the share of failures) must name their
base in their column's header too. Then dates and status codes, as a reader reads them.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from mfanalytics.analysis import kpis
from mfanalytics.analysis.html_report import deliverability_report

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "analysis"))
from report_frames import make_report, realistic_report

VOID = {"meta", "img", "br", "hr", "link", "input", "source", "col", "wbr"}
PCT = re.compile(r"-?\d+(?:[.,]\d+)?\u202f?%")
BASES = {
    "fr": re.compile(r"\bdes (?:[\d\u202f]+ )?(?:envoyés|destinataires|délivrés|échecs)"),
    "en": re.compile(r"\bof (?:[\d,]+ )?(?:sent|recipients|delivered|failures)"),
}
RATES = {"delivery_rate": ("delivered", "sent"), "click_rate": ("clicked", "delivered_with_link")}
RATES |= {"stop_rate": ("stops", "delivered"), "sent_share": ("sent", "recipients")}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.walk()

    def up(self):
        node = self
        while node is not None:
            yield node
            node = node.parent


class Tree(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.at = Node("#root", {}, None)
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.at)
        self.at.children.append(node)
        if tag not in VOID:
            self.at = node

    def handle_endtag(self, tag):
        for node in self.at.up():
            if node.tag == tag:
                self.at = node.parent
                return

    def handle_data(self, data):
        self.at.children.append(data)


def _header_of(td: Node) -> str:
    """The text of the column header of a table cell."""
    tr = td.parent
    cells = [c for c in tr.children if isinstance(c, Node) and c.tag == "td"]
    table = next(n for n in td.up() if n.tag == "table")
    head = [n for n in table.walk() if n.tag == "th"]
    return head[cells.index(td)].text()


def _pct(num: int, den: int, lang: str) -> str:
    text = f"{100 * num / den:.1f}"
    return text.replace(".", ",") + "\u202f%" if lang == "fr" else text + "%"


def _n(value: int, lang: str) -> str:
    text = f"{int(value):,}"
    return text.replace(",", "\u202f") if lang == "fr" else text


def check_page(text: str, frame: pd.DataFrame, lang: str, group_by: str | None = None) -> int:
    """Assert the rules above on one page; return how many percentages were checked."""
    tree = Tree(text)
    total = kpis.summarize(frame, by=None).iloc[0]
    tables = {
        "campaigns": kpis.summarize(frame, by="campaign_id"),
        "rates": kpis.summarize(frame, by="campaign_id"),  # the rates with their intervals (report_sections)
        "countries": kpis.by_country(frame),
        "by-column": kpis.summarize(frame, by=group_by) if group_by else None,
    }
    seen = 0
    body = next(n for n in tree.root.walk() if n.tag == "body")
    for node in [body, *body.walk()]:
        own = "".join(c for c in node.children if isinstance(c, str))
        for match in PCT.finditer(own):
            seen += 1
            shown = match.group(0)
            chain = list(node.up())
            marked = next((n for n in chain if "data-rate" in n.attrs), None)
            section = next((n.attrs["id"] for n in chain if n.tag == "section"), None)
            td = next((n for n in chain if n.tag == "td"), None)
            if td is not None:
                header = _header_of(td)
                assert BASES[lang].search(header), (shown, header)  # the base, in the header
            else:  # a card: the base written next to the number, with the denominator
                card = next(n for n in chain if "kpi" in n.attrs.get("class", "").split())
                base = next(n for n in card.walk() if n.attrs.get("class") == "kpi-base").text()
                assert BASES[lang].search(base), (shown, base)
            if marked is None:
                assert section == "failures", (shown, section)  # the only share that is not a rate
                continue
            name, num, den = marked.attrs["data-rate"], int(marked.attrs["data-num"]), int(marked.attrs["data-den"])
            assert shown == _pct(num, den, lang), (name, shown, num, den)
            if td is None:  # a KPI card: the pooled figures of summarize, the denominator in words
                assert (num, den) == (int(total[RATES[name][0]]), int(total[RATES[name][1]])), name
                assert _n(den, lang) in card.text(), (name, card.text())
            else:  # a table row: the figures of its group in summarize
                row_key = next(c for c in td.parent.children if isinstance(c, Node) and c.tag == "td").text()
                expected = tables[section]
                keys = {
                    str(k) if str(k) != "ZZ" else ("inconnu" if lang == "fr" else "unknown"): k for k in expected.index
                }
                row = expected.loc[keys[row_key]]
                assert (num, den) == (int(row[RATES[name][0]]), int(row[RATES[name][1]])), (section, row_key, name)
    return seen


@pytest.fixture(scope="module")
def period():
    frame = realistic_report((300, 250, 200), seed=11, bad_campaign=1)
    frame.loc[frame.index[:7], "mobile"] = "n/a"  # no country: "unknown"
    return frame


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_percentage_states_its_base_and_agrees_with_summarize(period, lang):
    text = deliverability_report(period, lang=lang, group_by="AGENCE")
    seen = check_page(text, period, lang, group_by="AGENCE")
    # 3 campaigns + ~5 countries + 3 agencies, 3 rates a row, the cards, the failures
    assert seen > 40
    # one number for "delivered" (of sent) across the page: every delivery rate of the pooled figures
    total = kpis.summarize(period, by=None).iloc[0]
    pooled = _pct(int(total["delivered"]), int(total["sent"]), lang)
    assert pooled in text


def test_a_single_campaign_page_too():
    frame = realistic_report((500,), seed=5)
    assert check_page(deliverability_report(frame, lang="en"), frame, "en") >= 10


def test_the_checker_catches_a_rate_without_base_or_with_another_base():
    frame = realistic_report((200,), seed=5)
    good = deliverability_report(frame, lang="en")
    total = kpis.summarize(frame, by=None).iloc[0]
    rate = _pct(int(total["delivered"]), int(total["sent"]), "en")
    with pytest.raises(AssertionError):  # the base removed from the card
        check_page(good.replace(f"of {_n(total['sent'], 'en')} sent", ""), frame, "en")
    with pytest.raises(AssertionError):  # the rate of recipients instead of sent
        other = _pct(int(total["delivered"]), int(total["recipients"]), "en")
        check_page(good.replace(f">{rate}<", f">{other}<", 1), frame, "en")


def test_dates_read_unambiguously_in_english():
    frame = make_report(
        [{"code": 16, "delivered_at": "2026-11-01 10:00:00"}, {"code": 16, "delivered_at": "2026-11-03 09:00:00"}]
    )
    en = Tree(deliverability_report(frame, lang="en"))
    subtitle = next(n for n in en.root.walk() if n.attrs.get("class") == "subtitle").text()
    assert "from 1 Nov 2026 to 3 Nov 2026" in subtitle
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{4}\b", subtitle)
    fr = Tree(deliverability_report(frame, lang="fr"))
    assert (
        "du 1 nov. 2026 au 3 nov. 2026" in next(n for n in fr.root.walk() if n.attrs.get("class") == "subtitle").text()
    )
    one_day = Tree(deliverability_report(frame.iloc[:1], lang="en"))
    assert "on 1 Nov 2026" in next(n for n in one_day.root.walk() if n.attrs.get("class") == "subtitle").text()


def test_codes_that_share_a_label_are_one_row_with_the_codes_shown():
    rows = [{"code": 16, "delivered_at": "2026-03-02 10:00:00"}] * 5 + [
        {"code": 21, "delivered_at": "2026-03-02 10:00:00"}
    ] * 2
    rows += [{"code": 20}] * 3 + [{"code": 25}] + [{"code": 29}]
    tree = Tree(deliverability_report(make_report(rows), lang="en"))

    def rows_of(section):
        sec = next(n for n in tree.root.walk() if n.tag == "section" and n.attrs.get("id") == section)
        out = []
        for tr in (n for n in sec.walk() if n.tag == "tr"):
            cells = [c.text() for c in tr.children if isinstance(c, Node) and c.tag == "td"]
            if cells:
                out.append(cells)
        return out

    codes = {r[0]: (r[1], r[3]) for r in rows_of("codes")}
    assert codes["Delivered"] == ("16, 21", "7")
    assert codes["Not delivered"] == ("20, 25", "4")
    assert codes["Unallocated number"] == ("29", "1")
    failures = {r[0]: (r[1], r[2]) for r in rows_of("failures")}
    assert failures["Not delivered"] == ("20, 25", "4") and len(failures) == 2


def test_no_country_reads_unknown(period):
    for lang, word in (("fr", "inconnu"), ("en", "unknown")):
        tree = Tree(deliverability_report(period, lang=lang))
        sec = next(n for n in tree.root.walk() if n.tag == "section" and n.attrs.get("id") == "countries")
        keys = [n.text() for n in sec.walk() if n.tag == "td" and n.attrs.get("class") == "key"]
        assert word in keys and "ZZ" not in keys
