"""What the two forms share: the colours of their notes and how they show a message or an error."""

from __future__ import annotations

import html

import ipywidgets as w

__all__ = ["NOTE", "BAD", "GOOD", "auto_layout", "span", "out", "error"]

#: Styles of a note, a refusal and a success.
NOTE = "color:#555"
BAD = "color:#b00020"
GOOD = "color:#1b5e20"


def auto_layout() -> w.Layout:
    return w.Layout(width="auto")


def span(text: str, style: str = NOTE) -> str:
    return f"<span style='{style}'>{html.escape(text)}</span>"


def out(output: w.Output, text: str, html_text: str | None = None) -> None:
    """Append a message to ``output`` (works with or without a running kernel)."""
    data = {"text/plain": text}
    if html_text is not None:
        data["text/html"] = html_text
    output.outputs = (*output.outputs, {"output_type": "display_data", "data": data, "metadata": {}})


def error(output: w.Output, exc: BaseException) -> None:
    name = type(exc).__name__
    text = f"{name}: {exc}"
    out(output, text, f"<div style='{BAD}'><b>{html.escape(name)}</b>: {html.escape(str(exc))}</div>")
