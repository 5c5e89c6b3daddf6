"""The period view of ReportExplorer shows what the campaigns cost: credits per campaign and in total,
per delivered message, per click and per STOP, and the cost at a price per SMS; a campaign whose message
is not known says so, and the total says it leaves it out. On a sandbox over loopback; the segments of a
literal text are those of Twilio's calculator (tests/data/segments_oracle.json), the credits of every
campaign are the platform's own creditCount; the table is read back with the standard library's parser."""

from __future__ import annotations

import html
import json
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

import mfanalytics
from mfanalytics.widgets import ReportExplorer

ORACLE = json.loads((Path(__file__).parents[1] / "data" / "segments_oracle.json").read_text("utf-8"))["messages"]
#: A UCS-2 text of 3 SMS by Twilio's count.
LITERAL = next(
    m
    for m in ORACLE
    if m["encoding"] == "UCS-2" and m["segments"] == 3 and "$" not in m["text"] and "\n" not in m["text"]
)
#: Sandbox magic numbers: +33 6 39 98 01 NN is delivered and clicks every link; 00 17 replies STOP.
DELIVERED = [f"06399801{n:02d}" for n in range(100)]
STOP = "0639980017"
LINK = [
    {
        "type": "REDIRECT",
        "index": 0,
        "host": "1mf.eu",
        "associateToDomain": "1mf.eu",
        "urlToRedirect": "https://example.com/",
    }
]


class Cells(HTMLParser):
    """The rows of the cost table, as text (the standard library's HTML parser)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def table(self) -> dict[str, dict[str, str]]:
        head, *body = self.rows
        return {r[0]: dict(zip(head, r)) for r in body}


class DropColumns:
    """A client whose period reports lack some list columns (as a report without the merge fields)."""

    def __init__(self, client, columns) -> None:
        self._client, self._columns = client, columns

    def __getattr__(self, name):
        return getattr(self._client, name)

    def get_reports(self, *args, **kwargs):
        return self._client.get_reports(*args, **kwargs).drop(columns=self._columns)


@pytest.fixture(scope="module")
def period():
    """Three campaigns sent on a sandbox: a literal oracle text (5 delivered, 1 STOP), a personalised one with
    a link, and one whose answer the explorer is not given."""
    with mfanalytics.sandbox(seed=7, start="2026-03-03T09:00:00Z") as sb:
        sb.add_user("analyst", "analyst-pass", max_segments=4)
        client = sb.client("analyst", "analyst-pass", max_segments=4)
        kw = {"type_select": "NOTIFICATION", "allow_ucs2": True}
        literal = client.send_campaign(LITERAL["text"], recipients=[*DELIVERED[:5], STOP], **kw)
        people = [{"mobile": n, "PRENOM": "Marie-Éléonore " * (i % 12)} for i, n in enumerate(DELIVERED[10:40])]
        merged = client.send_campaign("Bonjour ${PRENOM} : ${track_1}", recipients=people, tiny_list=LINK, **kw)
        forgotten = client.send_campaign("Bonjour, à demain", recipients=DELIVERED[50:53], **kw)
        sb.advance(6 * 3600)
        yield {"sb": sb, "client": client, "literal": literal, "merged": merged, "forgotten": forgotten}
        client.close()


def _explorer(client, period, tmp_path, **kw) -> ReportExplorer:
    explorer = ReportExplorer(client, lang="en", out_dir=tmp_path, **kw)
    explorer.source.value = "period"
    explorer.start.value = (period["sb"].now - timedelta(days=2)).date()
    explorer.end.value = period["sb"].now.date()
    assert explorer.load() is not None, explorer.output.outputs
    return explorer


def _tile(explorer, name) -> str:
    return explorer.kpis.value.split(f"data-kpi='{name}'>")[1].split("</div>")[0]


def test_the_period_view_shows_credits_per_campaign_and_in_total(period, tmp_path):
    lit, mer, forg = period["literal"], period["merged"], period["forgotten"]
    explorer = _explorer(period["client"], period, tmp_path, campaigns=[lit, mer])
    rows = Cells(explorer.cost.value).table()
    assert rows[str(lit.id)]["Credits"] == str(6 * LITERAL["segments"]) == "18"  # Twilio: 3 SMS x 6 posted
    assert rows[str(lit.id)]["SMS each"] == "3"
    assert rows[str(lit.id)]["Credits per STOP"] == "18.00"  # one STOP
    assert rows[str(lit.id)]["Credits per delivered"] == "3.00"  # 6 delivered (the STOP one too)
    for answer in (lit, mer):  # the platform's own count of each campaign
        assert rows[str(answer.id)]["Credits"] == f"{int(answer['creditCount']):,}", answer.id
        assert rows[str(answer.id)]["Counted from"] == "each recipient's message"
    assert rows[str(mer.id)]["SMS each"] == "1–2"  # up to 11 names of 15 letters: 198 GSM-7 characters, 2 SMS
    assert rows[str(mer.id)]["Credits per click"] != "–"  # every magic recipient clicked the link
    # the campaign without a message: unknown, not 0, and the total says it leaves it out
    assert rows[str(forg.id)]["Credits"] == "unknown"
    assert rows[str(forg.id)]["Counted from"] == "unknown: no message text"
    total_label, total = next((k, v) for k, v in rows.items() if k.startswith("Total"))
    assert total_label == "Total, 2 campaigns (excluding 1 unknown)"
    known = int(lit["creditCount"] + mer["creditCount"])
    assert total["Credits"] == f"{known:,}"
    assert _tile(explorer, "Credits") == f"{known:,}" and "excl. 1 unknown" in explorer.kpis.value
    assert f"Credits unknown for campaign {forg.id} (3 recipients posted)" in explorer.cost.value
    assert explorer.message_row.layout.display is None and explorer.message_campaign.value == forg.id
    # a price: the cost, and the cost per delivered / click / STOP
    explorer.price.value = "0,05"
    rows = Cells(explorer.cost.value).table()
    assert rows[str(lit.id)]["Cost"] == "0.90" and rows[str(lit.id)]["Cost per STOP"] == "0.900"
    assert rows[str(lit.id)]["Cost per delivered"] == "0.150"
    assert "At 0.05 per SMS" in explorer.cost.value


def test_typing_the_message_of_the_unknown_campaign_counts_it(period, tmp_path):
    forg = period["forgotten"]
    explorer = _explorer(period["client"], period, tmp_path)
    assert _tile(explorer, "Credits") == "–" and "message unknown" in explorer.kpis.value
    assert explorer.costs is not None and sorted(explorer.costs.excluded) == sorted(
        period[k].id for k in ("literal", "merged", "forgotten")
    )
    explorer.message_campaign.value = forg.id
    explorer.message_text.value = "Bonjour, à demain"
    explorer.message_button.click()
    rows = Cells(explorer.cost.value).table()
    assert rows[str(forg.id)]["Credits"] == f"{int(forg['creditCount'])}" == "3"
    assert forg.id not in explorer.costs.excluded and explorer.message_text.value == ""
    explorer.add_campaigns([period["literal"], period["merged"]])
    assert explorer.costs.excluded == [] and explorer.message_row.layout.display == "none"
    every = sum(int(period[k]["creditCount"]) for k in ("literal", "merged", "forgotten"))
    assert Cells(explorer.cost.value).table()["Total, 3 campaigns"]["Credits"] == f"{every:,}"
    assert _tile(explorer, "Credits") == f"{every:,}"


def test_without_the_merge_fields_the_credits_are_a_lower_bound(period, tmp_path):
    mer = period["merged"]
    client = DropColumns(period["client"], ["PRENOM"])
    explorer = _explorer(client, period, tmp_path, campaigns={mer.id: mer})
    row = Cells(explorer.cost.value).table()[str(mer.id)]
    assert row["Counted from"] == "at least: PRENOM not in the report"
    lower = int(row["Credits"].removeprefix("≥ ").replace(",", ""))
    # the 27 recipients posted (3 empty names were not sent) counted with an empty name: 1 SMS each
    assert row["Credits"].startswith("≥ ") and lower == 27 == int(row["Posted"]) < mer["creditCount"]
    assert "counted empty, so at least this" in explorer.cost.value


def test_a_price_that_is_not_a_number_is_said_in_the_form(period, tmp_path):
    explorer = _explorer(period["client"], period, tmp_path, campaigns=[period["literal"]])
    explorer.price.value = "five cents"
    said = html.unescape(explorer.cost.value)
    assert "Price per SMS: a number >= 0 such as 0.045, not 'five cents'" in said and "price_per_sms" not in said
    explorer.price.value = ""
    assert "Credits per delivered" in explorer.cost.value


def test_the_campaign_view_counts_its_credits_too(period, tmp_path):
    lit = period["literal"]
    explorer = ReportExplorer(period["client"], lang="en", out_dir=tmp_path, campaigns=lit)
    explorer.campaign_id.value = str(lit.id)
    explorer.load()
    assert _tile(explorer, "Credits") == "18"
    assert list(Cells(explorer.cost.value).table()) == [str(lit.id)]  # one campaign: no total row


def test_lines_without_a_campaign_id_are_said_left_out_everywhere(period):
    """A line with no campaign id has no message: its credits are unknown, and the total, the text line
    and the Credits tile say they leave it out (the review of session 4: they said nothing)."""
    from mfanalytics.analysis.campaign_costs import campaign_costs
    from mfanalytics.widgets.report_cost import cost_html, cost_text, credits_tile

    lit = period["literal"]
    report = period["client"].get_reports((period["sb"].now - timedelta(days=2)).date(), progress=False)
    report = report[report["campaign_id"] == lit.id].reset_index(drop=True)
    report["campaign_id"] = report["campaign_id"].astype("Int64")
    report.loc[:1, "campaign_id"] = None  # 2 of the 6 lines lose their campaign
    costs = campaign_costs(report, [lit])
    assert costs.unattributed == 2 and costs.excluded == []
    assert int(costs.total["posted"]) == 4 and int(costs.total["credits"]) == 4 * LITERAL["segments"]
    rows = Cells(cost_html(costs)).table()
    label = next(k for k in rows if k.startswith("Total"))
    assert label == "Total, 1 campaign (excluding 2 lines without a campaign)"
    assert "2 recipient lines carry no campaign id" in html.unescape(cost_html(costs))
    assert "excluding 2 line(s) without a campaign id" in cost_text(costs)
    assert credits_tile(costs) == (str(4 * LITERAL["segments"]), "excl. 2 lines")
