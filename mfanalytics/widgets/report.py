"""``ReportExplorer``: load a campaign's report (or a period's) and look at it.

A campaign id, or a period of any length (fetched in the API's 7-day windows
with a progress bar); then the KPIs, what the campaigns cost (credits per
campaign and in total, per delivered message, per click and per STOP, and the
cost at a price per SMS: :mod:`mfanalytics.widgets.report_cost`), a status
filter, the plots of :mod:`mfanalytics.plots`, the first rows, and three
exports: a CSV that spreadsheets open safely (formulas neutralised), an Excel
workbook (rows, KPIs, failures) and the self-contained HTML deliverability
report.

A report carries no message text, and the credits of a line are the segments
of its message after personalisation: the explorer takes each campaign's
message from the API's answer when it was sent (``campaigns=``,
:meth:`ReportExplorer.add_campaigns`) or as typed in the form. The API has no
route that returns a past campaign's message (guide, section 2): a campaign
without one says its credits are unknown, and the total says it leaves it out.
"""

from __future__ import annotations

import base64
import html
import io
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

import mfanalytics
from mfanalytics.analysis.campaign_costs import CampaignCosts, campaign_costs, messages_by_campaign
from mfanalytics.export import to_safe_csv
from mfanalytics.reports.lines import dedupe_lines
from mfanalytics.times import PARIS
from mfanalytics.widgets.common import BAD as _BAD
from mfanalytics.widgets.common import FORM_CLASS, FORM_CSS, day_text, in_form_words
from mfanalytics.widgets.common import GOOD as _GOOD
from mfanalytics.widgets.common import WIDE as _WIDE
from mfanalytics.widgets.common import error as _error
from mfanalytics.widgets.common import out as _out
from mfanalytics.widgets.common import span as _span
from mfanalytics.widgets.report_cost import (
    COST_CLASS,
    COST_CSS,
    LABEL_PRICE,
    cost_html,
    cost_text,
    credits_tile,
    parse_price,
)

__all__ = ["ReportExplorer"]

_KPIS = (
    ("recipients", "Recipients", "int"),
    ("sent", "Sent", "int"),
    ("delivered", "Delivered", "int"),
    ("delivery_rate", "Delivery rate", "pct"),
    ("pending", "Pending", "int"),
    ("clicked", "Clicked", "int"),
    ("click_rate", "Click rate", "pct"),
    ("stops", "STOP", "int"),
)
#: What each rate is a share of (the definitions of :mod:`mfanalytics.analysis`).
_BASES = {"delivery_rate": "of sent", "click_rate": "of delivered with a link"}


#: The plots whose axis counts recipients or clicks (whole numbers): plot name -> axis.
_COUNT_AXES = {
    "plot_status_breakdown": "x",
    "plot_funnel": "y",
    "plot_deliveries_over_time": "y",
    "plot_click_timeline": "y",
}


def _wrap() -> w.Layout:
    return w.Layout(flex_flow="row wrap", max_width="100%")


def _fmt(value: Any, kind: str) -> str:
    if pd.isna(value):
        return "–"
    return f"{float(value):.1%}" if kind == "pct" else f"{int(value):,}"


class ReportExplorer(w.VBox):  # (ipywidgets has no type hints)
    """Explore a campaign's report, or every campaign of a period, in JupyterLab.

    Parameters
    ----------
    client : mfanalytics.Client
    lang : {"fr", "en"}
        Language of the plots and of the HTML report.
    out_dir : str or Path
        Where the exports are written.
    campaigns : optional
        The campaigns' messages, for their credits: the answers of
        ``client.send_campaign`` / ``prepare_campaign`` (one or several), or a
        mapping of campaign id to message text (see
        :func:`mfanalytics.analysis.campaign_costs.messages_by_campaign`).

    Attributes
    ----------
    source, campaign_id, start, end, load_button, progress, status_filter, ...
        The parts of the form (set ``.value``, ``.click()`` from code).
    report : pandas.DataFrame or None
        The report frame loaded; :attr:`filtered` is its rows of the chosen statuses.
    messages : dict
        Campaign id -> message known to the explorer (text, Message or campaign answer).
    price, cost, message_campaign, message_text, message_button
        The price per SMS (empty: credits only), the cost panel, and the row to type
        the message of a campaign whose credits are unknown.
    costs : CampaignCosts or None
        The credits of the selection, per campaign and in total
        (:func:`mfanalytics.analysis.campaign_costs.campaign_costs`).
    output : ipywidgets.Output
        KPIs, plots, the first rows, the paths written and any error.
    """

    def __init__(
        self, client: Any, *, lang: str = "fr", out_dir: str | Path = "out/reports", campaigns: Any = None
    ) -> None:
        self.client = client
        self.lang = lang
        self.out_dir = Path(out_dir)
        self.report: pd.DataFrame | None = None
        self.messages: dict[int, Any] = messages_by_campaign(campaigns)
        self.costs: CampaignCosts | None = None
        self.label = ""
        today = self._today()
        self.source = w.ToggleButtons(
            options=[("One campaign", "campaign"), ("A period", "period")],
            value="campaign",
            description="Report of",
            style=_WIDE,
        )
        self.campaign_id = w.Text(description="Campaign id", placeholder="e.g. 1021", style=_WIDE)
        # the browser's own date inputs: they show the dates in the user's locale;
        # period_info says the chosen days unambiguously ("1 Nov 2026")
        self.start = w.DatePicker(description="From", value=today - timedelta(days=30), style=_WIDE)
        self.end = w.DatePicker(description="To", value=today, style=_WIDE)
        self.period_info = w.HTML()
        self.style = w.HTML(FORM_CSS + COST_CSS, layout=w.Layout(height="0px"))  # the form fits a phone
        self.load_button = w.Button(description="Load", button_style="primary", icon="download")
        self.progress = w.IntProgress(value=0, min=0, max=1, description="Loading", bar_style="info", style=_WIDE)
        self.kpis = w.HTML()
        self.price = w.Text(description=LABEL_PRICE, placeholder="e.g. 0.045", style=_WIDE)
        self.cost = w.HTML()
        self.cost.add_class(COST_CLASS)
        self.message_campaign = w.Dropdown(options=[], description="Message of campaign", style=_WIDE)
        self.message_text = w.Text(description="Text", placeholder="The message as sent", style=_WIDE)
        self.message_button = w.Button(description="Use this message", icon="check")
        self.message_row = w.HBox([self.message_campaign, self.message_text, self.message_button], layout=_wrap())
        self.message_row.layout.display = "none"
        self.status_filter = w.SelectMultiple(options=[], description="Statuses", rows=6, style=_WIDE)
        self.rows = w.IntSlider(value=10, min=5, max=100, step=5, description="Rows shown", style=_WIDE)
        #: The figure of the last plots shown (matplotlib), or None.
        self.figure: Any = None
        self.export_csv_button = w.Button(
            description="Export CSV",
            icon="file-csv",
            disabled=True,
            tooltip="Spreadsheet-safe CSV (formulas neutralised)",
        )
        self.export_excel_button = w.Button(
            description="Export Excel",
            icon="file-excel",
            disabled=True,
            tooltip="Workbook: rows, KPIs, failures (typed cells, formulas neutralised)",
        )
        self.export_html_button = w.Button(
            description="HTML report", icon="file-code", disabled=True, tooltip="Self-contained deliverability report"
        )
        self.output = w.Output()
        super().__init__(
            children=[
                self.style,
                self.source,
                w.HBox([self.campaign_id, self.start, self.end], layout=_wrap()),
                self.period_info,
                w.HBox([self.load_button, self.progress], layout=_wrap()),
                self.kpis,
                w.HBox([self.price], layout=_wrap()),
                self.cost,
                self.message_row,
                w.HBox([self.status_filter, self.rows], layout=_wrap()),
                w.HBox([self.export_csv_button, self.export_excel_button, self.export_html_button], layout=_wrap()),
                self.output,
            ]
        )
        self.add_class(FORM_CLASS)
        self.source.observe(lambda _: self._show_source(), names="value")
        self.start.observe(lambda _: self._show_period(), names="value")
        self.end.observe(lambda _: self._show_period(), names="value")
        self.status_filter.observe(self._filter_changed, names="value")
        self.rows.observe(lambda _: self.show(), names="value")
        self.price.observe(lambda _: self.show_cost(), names="value")
        self.message_button.on_click(lambda _: self._use_typed_message())
        self.load_button.on_click(lambda _: self.load())
        self.export_csv_button.on_click(lambda _: self.export_csv())
        self.export_excel_button.on_click(lambda _: self.export_excel())
        self.export_html_button.on_click(lambda _: self.export_html())
        self._show_source()

    def _filter_changed(self, _change: Any = None) -> None:
        self.show()

    def _today(self) -> date:
        now: datetime = self.client.now()
        return now.astimezone(PARIS).date()  # the days of the period are Paris days

    def _show_source(self) -> None:
        period = self.source.value == "period"
        self.campaign_id.layout.display = "none" if period else None
        self.start.layout.display = self.end.layout.display = None if period else "none"
        self.period_info.layout.display = None if period else "none"
        self._show_period()

    def _show_period(self) -> None:
        first, last = self.start.value, self.end.value
        if first is None or last is None:
            self.period_info.value = _span("Pick the first and the last day.")
            return
        self.period_info.value = _span(f"{day_text(first, self.lang)} to {day_text(last, self.lang)}, Paris days")

    # -- loading ------------------------------------------------------------
    def load(self) -> pd.DataFrame | None:
        """Fetch the report of the campaign or of the period; returns it (None on an error, shown)."""
        self.output.outputs = ()
        self.kpis.value = self.cost.value = ""
        self.message_row.layout.display = "none"
        self.progress.value, self.progress.bar_style = 0, "info"
        frame: pd.DataFrame
        try:
            if self.source.value == "campaign":
                text = self.campaign_id.value.strip()
                if not text.isdigit():
                    raise mfanalytics.ValidationError(
                        f"A campaign id is a number, not {text!r}.", rule="campaign-id", field="campaign_id"
                    )
                self.progress.max = 1
                frame = self.client.get_report(int(text))
                self.progress.value = 1
                label = f"campaign {int(text)}"
            else:
                if self.start.value is None or self.end.value is None:
                    raise mfanalytics.ValidationError("Pick the first and the last day.", rule="period", field="start")
                windows = mfanalytics.split_period(self.start.value, self.end.value)
                self.progress.max = len(windows)
                frames = []
                for lo, hi in windows:  # one request per 7-day window, so the bar moves
                    frames.append(self.client.get_reports(lo, hi, progress=False))
                    self.progress.value += 1
                frame = dedupe_lines(frames)  # windows may overlap: each recipient line once
                label = f"{self.start.value:%Y-%m-%d} to {self.end.value:%Y-%m-%d}"
        except Exception as exc:  # any error is shown in the form, not left in a log
            self.progress.bar_style = "danger"
            _error(self.output, exc)
            return None
        self.progress.bar_style = "success"
        self.report, self.label = frame, label
        groups = [str(g) for g in frame["status_group"].astype("string").dropna().unique()] if len(frame) else []
        groups = [g for g in mfanalytics.STATUS_GROUPS if g in groups]
        # only our own observer is paused: ipywidgets' link from value to index (what the browser
        # highlights) must stay, or the list would highlight one selection and apply another
        self.status_filter.unobserve(self._filter_changed, names="value")
        try:
            self.status_filter.options = [(g.replace("_", " ").capitalize(), g) for g in groups]  # words shown
            self.status_filter.value = tuple(groups)
        finally:
            self.status_filter.observe(self._filter_changed, names="value")
        for button in (self.export_csv_button, self.export_excel_button, self.export_html_button):
            button.disabled = False
        self.show()
        return frame

    @property
    def filtered(self) -> pd.DataFrame | None:
        """The rows of the loaded report whose status group is selected."""
        if self.report is None:
            return None
        keep = self.report["status_group"].astype("string").isin(list(self.status_filter.value))
        rows: pd.DataFrame = self.report[keep.fillna(False).to_numpy(dtype=bool)]
        return rows

    # -- showing ------------------------------------------------------------
    def show(self) -> None:
        """KPIs of the selection, its plots and its first rows."""
        frame = self.filtered
        if frame is None or self.report is None:
            return
        self.output.outputs = ()
        kpis = mfanalytics.summarize(frame, by=None)
        row = kpis.iloc[0] if len(kpis) else pd.Series(dtype="float64")
        cells = [(label, _fmt(row.get(key), kind)) for key, label, kind in _KPIS]
        bases = [_BASES.get(key, "") for key, _, _ in _KPIS]
        said = self.show_cost()
        credits, note = credits_tile(self.costs)  # from each campaign's message, not 1 SMS per line
        cells.append(("Credits", html.escape(credits)))
        bases.append(note)
        campaigns = frame["campaign_id"].nunique() if len(frame) else 0
        tiles = "".join(  # tiles that wrap: a phone shows them on several lines
            "<div style='padding:2px 8px;text-align:center;min-width:6em'>"
            f"<b>{html.escape(k)}</b><div data-kpi='{html.escape(k)}'>{v}</div>"
            + (f"<small>{html.escape(b)}</small>" if b else "")
            + "</div>"
            for (k, v), b in zip(cells, bases)
        )
        self.kpis.value = (
            f"<b>{html.escape(self.label)}</b> · {campaigns} campaign(s) · {len(frame):,} of {len(self.report):,} rows"
            f"<div style='display:flex;flex-wrap:wrap'>{tiles}</div>"
        )
        text = ", ".join(f"{k} {v}" + (f" ({b})" if b else "") for (k, v), b in zip(cells, bases))
        _out(self.output, f"KPIs ({self.label}): {text}")
        if said:
            _out(self.output, said)
        if len(frame):
            self._plots(frame, campaigns)
        head = frame.head(self.rows.value)
        table = head.to_html(max_cols=16, escape=True, index=False)
        _out(self.output, head.to_string(max_cols=12), f"<div style='overflow-x:auto;max-width:100%'>{table}</div>")

    def show_cost(self) -> str:
        """Count the credits of the selection per campaign and show them; returns them in words."""
        frame = self.filtered
        if frame is None:
            return ""
        try:
            price = parse_price(self.price.value)
            self.costs = campaign_costs(frame, self.messages, price_per_sms=price)
        except Exception as exc:  # a price that is not a number, a message that is not one: said here
            self.costs = None
            said = in_form_words(exc, fields={"price_per_sms": LABEL_PRICE, "campaigns": "Message of campaign"})
            self.cost.value = f"<div style='{_BAD}'>{html.escape(said)}</div>"
            return ""
        shown = len(frame) < len(self.report) if self.report is not None else False
        self.cost.value = cost_html(self.costs, title="Cost of the rows shown" if shown else "Cost")
        chosen = self.message_campaign.value
        self.message_campaign.options = [(str(c), c) for c in self.costs.excluded]
        if self.costs.excluded:  # (ipywidgets selects nothing when options change)
            self.message_campaign.value = chosen if chosen in self.costs.excluded else self.costs.excluded[0]
        self.message_row.layout.display = None if self.costs.excluded else "none"
        return cost_text(self.costs)

    def add_campaigns(self, campaigns: Any) -> None:
        """Give the messages of campaigns (answers of ``send_campaign``, or id -> text) and count again."""
        self.messages.update(messages_by_campaign(campaigns))
        self.show()

    def _use_typed_message(self) -> None:
        cid, text = self.message_campaign.value, self.message_text.value
        if cid is None or not text.strip():
            self.cost.value += f"<div style='{_BAD}'>Choose a campaign and type its message.</div>"
            return
        try:
            self.add_campaigns({cid: text})
        except Exception as exc:
            _error(self.output, exc)
            return
        self.message_text.value = ""

    def _plots(self, frame: pd.DataFrame, campaigns: int) -> None:
        from matplotlib.figure import Figure  # no pyplot: no global state, no backend to pick
        from matplotlib.ticker import MaxNLocator

        draws = [
            mfanalytics.plot_status_breakdown,
            mfanalytics.plot_funnel,
            mfanalytics.plot_deliveries_over_time,
            mfanalytics.plot_click_timeline,
            mfanalytics.plot_click_heatmap,
        ]
        if campaigns > 1:
            draws += [mfanalytics.plot_campaign_comparison, mfanalytics.plot_daily_rates]
        fig = Figure(figsize=(12, 3.6 * ((len(draws) + 1) // 2)))
        axes = fig.subplots((len(draws) + 1) // 2, 2)
        for draw, ax in zip(draws, axes.flat):
            try:
                draw(frame, lang=self.lang, ax=ax)
            except Exception as exc:  # one plot that fails says so in its place
                ax.set_axis_off()
                ax.set_title(f"{draw.__name__}: {exc}", fontsize=8, color="#b00020")
                continue
            counts = _COUNT_AXES.get(draw.__name__)
            if counts is not None:  # 3 recipients: ticks 0 1 2 3, not 0.0 0.5 1.0 ...
                getattr(ax, f"{counts}axis").set_major_locator(MaxNLocator(integer=True))
        for ax in list(axes.flat)[len(draws) :]:
            ax.set_axis_off()
        fig.tight_layout()
        self.figure = fig
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        png = base64.b64encode(buffer.getvalue()).decode("ascii")
        self.output.outputs = (
            *self.output.outputs,
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {"image/png": png, "text/plain": f"<{len(draws)} plots of {self.label}>"},
            },
        )

    # -- exports ------------------------------------------------------------
    def _stem(self) -> str:
        return "report_" + "".join(c if c.isalnum() else "_" for c in self.label).strip("_")

    def export_csv(self) -> Path | None:
        """Write the selected rows as a spreadsheet-safe CSV; returns its path."""
        frame = self.filtered
        if frame is None:
            return None
        try:
            path = to_safe_csv(frame, self.out_dir / f"{self._stem()}.csv")
        except Exception as exc:
            _error(self.output, exc)
            return None
        _out(
            self.output,
            f"Wrote {len(frame):,} rows to {path}",
            _span(f"Wrote {len(frame):,} rows to {path} (formulas neutralised).", _GOOD),
        )
        return path

    def export_excel(self) -> Path | None:
        """Write the selected rows, their KPIs and their failures as an Excel workbook; returns its path."""
        frame = self.filtered
        if frame is None:
            return None
        try:
            sheets = {
                "rows": frame,
                "kpis": mfanalytics.summarize(frame),
                "failures": mfanalytics.failure_reasons(frame),
            }
            path = mfanalytics.to_excel(sheets, self.out_dir / f"{self._stem()}.xlsx")
        except Exception as exc:
            _error(self.output, exc)
            return None
        said = f"Wrote {len(frame):,} rows, their KPIs and failures to {path} (dates in Paris time)."
        _out(self.output, said, _span(said, _GOOD))
        return path

    def export_html(self) -> Path | None:
        """Write the HTML deliverability report of the selected rows; returns its path."""
        frame = self.filtered
        if frame is None:
            return None
        try:
            path = mfanalytics.deliverability_report(
                frame, self.out_dir / f"{self._stem()}.html", lang=self.lang, title=None
            )
        except Exception as exc:
            _error(self.output, exc)
            return None
        _out(self.output, f"Wrote the HTML report to {path}", _span(f"Wrote the HTML report to {path}.", _GOOD))
        return Path(path)
