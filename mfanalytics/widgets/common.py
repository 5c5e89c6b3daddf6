"""What the two forms share: the colours of their notes and how they show a message or an error."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import ipywidgets as w

__all__ = [
    "NOTE",
    "BAD",
    "GOOD",
    "WIDE",
    "FORM_CLASS",
    "FORM_CSS",
    "auto_layout",
    "span",
    "out",
    "error",
    "in_form_words",
    "Poller",
]

#: ``style=`` of a widget whose description is shown whole (not cut to ipywidgets' 90 px).
WIDE = {"description_width": "initial"}
#: The width of an input that takes the whole line (less ipywidgets' 2 px margins, so it never overflows).
FULL_WIDTH = "calc(100% - 4px)"
#: The class of the forms' boxes, and the CSS that makes them fit a phone: a checkbox's long
#: label wraps instead of ending in "…", nothing is wider than the page.
FORM_CLASS = "mf-form"
FORM_CSS = (
    "<style>"
    f".{FORM_CLASS} {{max-width: 100%; box-sizing: border-box}}"
    f".{FORM_CLASS} .widget-inline-hbox, .{FORM_CLASS} .widget-hbox {{max-width: 100%}}"
    f".{FORM_CLASS} .widget-checkbox {{height: auto; min-height: var(--jp-widgets-inline-height, 28px)}}"
    f".{FORM_CLASS} .widget-checkbox .widget-label-basic {{display: flex; height: auto; align-items: flex-start}}"
    f".{FORM_CLASS} .widget-checkbox .widget-label-basic span"
    " {white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.35; padding-top: 4px}"
    f".{FORM_CLASS} .widget-html-content {{white-space: normal; overflow-wrap: anywhere}}"
    "</style>"
)

#: Styles of a note, a refusal and a success.
NOTE = "color:#555"
BAD = "color:#b00020"
GOOD = "color:#1b5e20"


def auto_layout() -> w.Layout:
    return w.Layout(width="auto")


_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
}


def day_text(day: date, lang: str = "en") -> str:
    """A day no reader can misread: ``1 Nov 2026`` (``1 nov. 2026`` in French), never ``11/01``.

    Examples
    --------
    >>> from datetime import date
    >>> day_text(date(2026, 11, 1)), day_text(date(2026, 2, 3), "fr")
    ('1 Nov 2026', '3 févr. 2026')
    """
    return f"{day.day} {_MONTHS.get(lang, _MONTHS['en'])[day.month - 1]} {day.year}"


def moment_text(when: datetime, lang: str = "en") -> str:
    """An instant no reader can misread, in Paris time and UTC: ``Mon 2 Mar 2026, 11:15 Paris time (10:15 UTC)``.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> moment_text(datetime(2026, 3, 2, 10, 15, tzinfo=UTC))
    'Mon 2 Mar 2026, 11:15 Paris time (10:15 UTC)'
    """
    from mfanalytics.times import PARIS

    local = when.astimezone(PARIS)
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[local.weekday()]
    return f"{day} {day_text(local.date(), lang)}, {local:%H:%M} Paris time ({when.astimezone(UTC):%H:%M} UTC)"


def span(text: str, style: str = NOTE) -> str:
    return f"<span style='{style}'>{html.escape(text)}</span>"


def out(output: w.Output, text: str, html_text: str | None = None) -> None:
    """Append a message to ``output`` (works with or without a running kernel)."""
    data = {"text/plain": text}
    if html_text is not None:
        data["text/html"] = html_text
    output.outputs = (*output.outputs, {"output_type": "display_data", "data": data, "metadata": {}})


def in_form_words(exc: BaseException, words: Sequence[tuple[str, str]] = (), fields: Mapping[str, str] = {}) -> str:
    """What ``exc`` says, in the words of the form rather than of the code.

    ``words`` are ``(pattern, replacement)`` regular expressions applied in
    order (``allow_ucs2 is False`` -> ``"Allow UCS-2" is not ticked``);
    ``fields`` maps the field an error names (``msg``) to the label on the
    form (``Message``). The library's exceptions keep their own text for
    code users: only what the form shows changes.

    Examples
    --------
    >>> from mfanalytics import MessageError
    >>> exc = MessageError("allow_ucs2 is False", rule="non-gsm-characters", field="msg")
    >>> in_form_words(exc, [(r"allow_ucs2 is False", '"Allow UCS-2" is not ticked')], {"msg": "Message"})
    '"Allow UCS-2" is not ticked (Message)'
    """
    from mfanalytics.errors import MediasflowError, ValidationError

    text = exc.message if isinstance(exc, MediasflowError) else str(exc)
    for pattern, replacement in words:
        text = re.sub(pattern, replacement, text)
    if isinstance(exc, ValidationError) and exc.field:
        label = fields.get(exc.field, exc.field)
        where = f"line {exc.line} of " if exc.line is not None else ""
        if where or label not in text:  # the field, unless the text already names it
            text += f" ({where}{label})"
    elif isinstance(exc, MediasflowError) and (exc.status is not None or exc.path):
        text = str(exc)  # the HTTP status and the request say where to look
    return text


def error(output: w.Output, exc: BaseException, text: str | None = None) -> None:
    """Show ``exc`` in ``output``: its class and ``text`` (default: what it says)."""
    name = type(exc).__name__
    said = str(exc) if text is None else text
    out(output, f"{name}: {said}", f"<div style='{BAD}'><b>{html.escape(name)}</b>: {html.escape(said)}</div>")


class Poller:
    """Call ``tick`` every ``interval`` seconds in a daemon thread until it returns False or :meth:`stop`.

    The forms use it to follow a campaign after a send; ipywidgets send the
    changes a thread makes to the browser. ``tick`` exceptions stop the
    poller and are passed to ``on_error``.
    """

    def __init__(
        self, tick: Callable[[], bool], *, interval: float, on_error: Callable[[BaseException], Any] | None = None
    ) -> None:
        self.tick = tick
        self.interval = float(interval)
        self.on_error = on_error
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="mfanalytics-poller", daemon=True)

    def start(self) -> Poller:
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if not self.tick():
                    break
            except Exception as exc:  # shown by the form, never lost in a thread
                if self.on_error is not None:
                    self.on_error(exc)
                break
        self._stop.set()

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop polling (and wait for a tick under way to end)."""
        self._stop.set()
        if self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join(timeout)

    @property
    def running(self) -> bool:
        """Started and not stopped yet."""
        return self.thread.is_alive() and not self._stop.is_set()
