"""The building blocks of the HTML report: sections, tables, figures, the page and its CSS.

A report page is a header and a list of :class:`Section` (each a title and a
body of HTML). The CSS is generic: any section, figure or table built here
fits a phone (390 px) as well as a desktop. Figures scale to their column;
tables made by :func:`table` turn into one card per row on a narrow screen
(each cell says its column's name), and any other table scrolls inside its own
box rather than widening the page.

Every value that comes from the data goes through :func:`e` (HTML-escaped).

Examples
--------
>>> from mfanalytics.analysis.html_parts import Section, page
>>> text = page("T", "sub", [Section("intro", "Hello", "<p>&lt;b&gt;</p>")], lang="en", footer="f")
>>> '<section id="intro">' in text and text.startswith("<!DOCTYPE html>")
True
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from mfanalytics.analysis.plot_style import GROUP_COLORS

__all__ = ["CSS", "FIGSIZE", "Column", "Section", "e", "duration", "figure", "page", "table"]

#: Size (inches) of a report figure: drawn at 10 pt, its text stays readable when the figure
#: is shown 340 px wide on a phone.
FIGSIZE: tuple[float, float] = (4.8, 3.3)
_DPI = 140
_RC = {
    "figure.autolayout": False,  # (so that set_layout_engine(None) leaves no engine)
    "figure.constrained_layout.use": False,
    "font.size": 10.0,
    "axes.titlesize": 11.0,
    "axes.labelsize": 10.0,
    "xtick.labelsize": 9.5,
    "ytick.labelsize": 9.5,
}

CSS = """
:root {{ --ok: {ok}; --bad: {bad}; --ink: #212121; --muted: #616161; --line: #e0e0e0; }}
* {{ box-sizing: border-box; }}
html {{ -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }}
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1180px; padding: 24px; line-height: 1.4; background: #fff;
       overflow-wrap: break-word; }}
img, svg, video, canvas {{ max-width: 100%; height: auto; }}
section, figure, .table-wrap {{ min-width: 0; max-width: 100%; }}
h1 {{ font-size: 1.6rem; margin: 0 0 4px; }} h2 {{ font-size: 1.2rem; margin: 28px 0 10px;
     border-bottom: 2px solid var(--line); padding-bottom: 4px; }}
.subtitle, .note, footer {{ color: var(--muted); font-size: .9rem; }}
.kpis {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 165px), 1fr)); gap: 10px;
        margin: 18px 0; }}
.kpi {{ border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #fafafa; }}
.kpi-value {{ font-size: 1.5rem; font-weight: 700; font-variant-numeric: tabular-nums; }}
.kpi-label {{ color: var(--ink); font-size: .88rem; }}
.kpi-base {{ color: var(--muted); font-size: .8rem; }}
.kpi.good .kpi-value {{ color: var(--ok); }} .kpi.warn .kpi-value {{ color: var(--bad); }}
p.warn {{ color: var(--bad); }}
.figures {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 440px), 1fr)); gap: 14px;
           align-items: start; }}
figure {{ margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 6px; }}
figure img {{ width: 100%; max-width: 720px; height: auto; display: block; margin: 0 auto; }}
.table-wrap {{ overflow-x: auto; }}
table {{ border-collapse: collapse; width: 100%; font-size: .88rem; margin: 6px 0 12px; }}
th, td {{ border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f5f5f5; }} th.num, td.num {{ text-align: right; }}
td.num {{ font-variant-numeric: tabular-nums; white-space: nowrap; }}
tr.flagged td {{ background: #fdecea; }}
.codes {{ color: var(--muted); font-variant-numeric: tabular-nums; }}
.swatch {{ display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: 4px;
          vertical-align: baseline; }}
@media (max-width: 700px) {{
  body {{ padding: 12px; }}
  h1 {{ font-size: 1.3rem; }}
  .kpi-value {{ font-size: 1.25rem; }}
  table.stack, table.stack tbody, table.stack tr, table.stack td {{ display: block; width: 100%; }}
  table.stack thead {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }}
  table.stack tr {{ border: 1px solid var(--line); border-radius: 8px; margin: 0 0 8px; padding: 4px 10px; }}
  table.stack td {{ display: grid; grid-template-columns: minmax(7em, 42%) 1fr; gap: 10px; border: 0;
                   padding: 3px 0; text-align: left; white-space: normal; }}
  table.stack td::before {{ content: attr(data-label); color: var(--muted); font-weight: 600; }}
  table.stack td.key {{ font-weight: 700; }}
  table.stack tr.flagged td {{ background: none; }} table.stack tr.flagged {{ background: #fdecea; }}
}}
@media print {{
  @page {{ size: A4; margin: 12mm; }}
  body {{ max-width: none; padding: 0; font-size: 10pt; }}
  .figures {{ display: block; }}
  figure {{ break-inside: avoid; page-break-inside: avoid; margin-bottom: 8px; border: none; }}
  figure img {{ max-width: 15cm; margin: 0 auto; }}
  table, .kpis, tr {{ break-inside: avoid; page-break-inside: avoid; }}
  h2 {{ break-after: avoid; page-break-after: avoid; }}
  .kpi {{ background: none; }}
}}
""".format(ok=GROUP_COLORS["delivered"], bad=GROUP_COLORS["undelivered"])


def e(value: Any) -> str:
    """Escape one value for HTML text or attributes (missing values as a dash)."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return "–"
    return html.escape(str(value), quote=True)


def duration(value: Any, lang: str) -> str:
    """A delay for people: ``31 s``, ``2 min 05 s``, ``1 h 03 min``, ``2 j 4 h`` (``2 d 4 h`` in English)."""
    if pd.isna(value):
        return "–"
    secs = round(pd.Timedelta(value).total_seconds())
    sign, secs = ("-" if secs < 0 else ""), abs(secs)
    d, rem = divmod(secs, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    day = "j" if lang == "fr" else "d"
    if d:
        return f"{sign}{d} {day} {h} h"
    if h:
        return f"{sign}{h} h {m:02d} min"
    if m:
        return f"{sign}{m} min {s:02d} s"
    return f"{sign}{s} s"


@dataclass(frozen=True)
class Section:
    """One part of the page: ``key`` (its id), a title (None: no heading) and its HTML body."""

    key: str
    title: str | None
    body: str

    def html(self) -> str:
        head = f"<h2>{e(self.title)}</h2>" if self.title else ""
        return f'<section id="{e(self.key)}">{head}{self.body}</section>'


#: (column, header, formatter returning HTML, numeric)
Column = tuple[str, str, Callable[[Any], str], bool]


def table(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    *,
    index: tuple[str, Callable[[Any], str]] | None = None,
    row_class: pd.Series | None = None,
    cell_attrs: Callable[[str, Any], str] | None = None,
) -> str:
    """A table of a few dozen summary rows (never one per recipient); on a phone, one card per row.

    ``cell_attrs(column, row)`` may add attributes (already escaped) to a cell.
    """
    cols: list[Column] = ([("", index[0], str, False)] if index else []) + list(columns)
    head = "".join(f'<th class="num">{e(h)}</th>' if num else f"<th>{e(h)}</th>" for _, h, _, num in cols)
    rows = []
    for i, (key, row) in enumerate(frame.iterrows()):
        cells = [f'<td class="key" data-label="{e(index[0])}">{index[1](key)}</td>'] if index else []
        for col, header, fmt, numeric in columns:
            extra = cell_attrs(col, row) if cell_attrs else ""
            cls = ' class="num"' if numeric else ""
            cells.append(f'<td{cls} data-label="{e(header)}"{extra}>{fmt(row[col])}</td>')
        cls = f' class="{row_class.iloc[i]}"' if row_class is not None and row_class.iloc[i] else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return (
        f'<div class="table-wrap"><table class="stack"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def figure(
    draw: Callable[..., Any],
    data: Any,
    lang: str,
    alt: str,
    size: tuple[float, float] = FIGSIZE,
    **kwargs: Any,
) -> str:
    """``draw(data, ax=..., lang=lang, **kwargs)`` on a fresh Agg Figure (no pyplot), as a ``<figure>``
    holding a base64 PNG."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(cast(Any, _RC)):
        fig = Figure(figsize=size, dpi=_DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        draw(data, ax=ax, lang=lang, **kwargs)
        fig.tight_layout(pad=0.6)
        # tight_layout leaves a placeholder engine, for which savefig would lay out (draw) the whole
        # figure once more before drawing it: the layout is done, so no engine (the PNG is the same)
        fig.set_layout_engine(None)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", pil_kwargs={"compress_level": 3})
    b64 = base64.b64encode(buf.getvalue()).decode("ascii")
    width, height = int(size[0] * _DPI), int(size[1] * _DPI)
    return f'<figure><img alt="{e(alt)}" width="{width}" height="{height}" src="data:image/png;base64,{b64}"></figure>'


def page(title: str, subtitle: str, sections: Sequence[Section], *, lang: str, footer: str) -> str:
    """The whole self-contained document: no script, nothing fetched (a CSP forbids it too)."""
    return (
        f'<!DOCTYPE html>\n<html lang="{e(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        "style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="mfanalytics">\n<title>{e(title)}</title>\n<style>{CSS}</style>\n'
        f'</head>\n<body>\n<header><h1>{e(title)}</h1><div class="subtitle">{e(subtitle)}</div></header>\n'
        + "\n".join(s.html() for s in sections)
        + f"\n<footer><p>{e(footer)}</p></footer>\n</body>\n</html>\n"
    )
