"""The personalisation syntaxes (``renderer``) of the guide's section 2.1, as data.

One table, :data:`RENDERERS`, says how each renderer writes a field, which
constructs of its template language are more than a field (logic: helpers,
blocks, directives, code) and what it does to a value (Handlebars' ``{{F}}``
and EJS's ``<%= F %>`` escape HTML, as those engines do; ``{{{F}}}`` and
``<%- F %>`` send the value as it is). :mod:`mfanalytics.messages.message` (counting,
pricing, preview, the send form) and the sandbox both parse templates with
:func:`parse_template`; nothing else knows a renderer's syntax.

A tracked link is written ``${track_N}`` under every renderer (the guide's
only spelling, section 2.1 ``tinyList``: ``${track_1}`` is set by index 0);
the renderer's own spelling of a field named ``track_N`` (``$$[track_1]``,
``{{track_1}}``, ``$track_1`` ...) is a link too.

Examples
--------
>>> t = parse_template("Bonjour {{PRENOM}} {{#if VIP}}cher client{{/if}} ${track_1}", "HANDLEBARS")
>>> t.fields, t.tracks, t.logic
(('PRENOM',), (1,), ('{{#if VIP}}', '{{/if}}'))
>>> parse_template("Bonjour $$[record]PRENOM$$ !", "MEDIASFLOW_B").fields
('PRENOM',)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from mfanalytics.errors import MessageError

__all__ = ["Renderer", "RENDERERS", "Piece", "Template", "parse_template", "renderer_of", "TRACK"]

#: ``${track_N}``: a tracked short link, whatever the renderer (group ``n``).
TRACK = re.compile(r"\$\{\s*(?i:track)_(?P<n>\d+)\s*\}")
_TRACK_NAME = re.compile(r"track_(\d+)", re.IGNORECASE)


def _escape_handlebars(value: str) -> str:
    """What Handlebars does to a ``{{F}}`` value (handlebars.js / handlebars.java HBS4 entities)."""
    return value.translate(_HBS)


def _escape_ejs(value: str) -> str:
    """What EJS's ``<%= F %>`` does to a value (``ejs.escapeXML``)."""
    return value.translate(_EJS)


_HBS = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "`": "&#x60;", "=": "&#x3D;"}
)
_EJS = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


@dataclass(frozen=True)
class Renderer:
    """One renderer of the guide.

    Attributes
    ----------
    name : str
        The API's value of ``renderer``.
    syntax : str
        How a field is written, e.g. ``${FIELD}``.
    field : re.Pattern
        One field substitution; the name is group ``name`` (escaped) or
        ``raw`` (sent as it is).
    logic : re.Pattern or None
        Constructs of the template language that are more than a field.
    logic_kind : str
        What those constructs are called (for messages).
    escape : callable or None
        What the engine does to a value substituted through ``name``.
    reference : str
        Where the guide points for the syntax.
    """

    name: str
    syntax: str
    field: re.Pattern[str]
    logic: re.Pattern[str] | None = None
    logic_kind: str = ""
    escape: Callable[[str], str] | None = None
    reference: str = ""


_HB_NAME = r"[^\W\d][\w\-]*"
_VTL = r"[A-Za-z][A-Za-z0-9_]*"
_VTL_DIRECTIVES = "if|elseif|else|end|foreach|set|macro|parse|include|evaluate|define|break|stop"

#: The guide's six renderers, by API name.
RENDERERS: dict[str, Renderer] = {
    r.name: r
    for r in (
        Renderer("BASIC", "${FIELD}", re.compile(r"\$\{(?P<name>[^{}]+)\}")),
        Renderer("MEDIASFLOW", "$$[FIELD]", re.compile(r"\$\$\[(?P<name>[^\[\]]+)\]")),
        Renderer("MEDIASFLOW_B", "$$[record]FIELD$$", re.compile(r"\$\$\[record\](?P<name>[^$\[\]]+?)\$\$")),
        Renderer(
            "HANDLEBARS",
            "{{FIELD}}",
            re.compile(
                r"\{\{\{\s*(?P<raw>"
                + _HB_NAME
                + r")\s*\}\}\}|\{\{(?!\{)\s*(?!(?:else|this)\s*\}\})(?P<name>"
                + _HB_NAME
                + r")\s*\}\}"
            ),
            re.compile(r"\{\{.*?\}\}\}?", re.DOTALL),
            "Handlebars helpers and blocks",
            _escape_handlebars,
            "https://jknack.github.io/handlebars.java/helpers.html",
        ),
        Renderer(
            "EJS",
            "<%= FIELD %>",
            re.compile(r"<%(?:(?P<eq>=)\s*(?P<name>[^\W\d][\w$]*)|-\s*(?P<raw>[^\W\d][\w$]*))\s*[-_]?%>"),
            re.compile(r"<%(?!%).*?%>", re.DOTALL),
            "EJS code",
            _escape_ejs,
            "https://ejs.co",
        ),
        Renderer(
            "VELOCITY",
            "$FIELD",
            re.compile(r"\$!?(?:\{(?P<name>" + _VTL + r")\}|(?P<raw>" + _VTL + r")(?![A-Za-z0-9_\[]|\.[A-Za-z_]))"),
            re.compile(
                r"#\{?(?:" + _VTL_DIRECTIVES + r")\b\}?(?:\s*\([^)]*\))?|##[^\n]*|#\*.*?\*#|\\\$"
                r"|\$!?\{?" + _VTL + r"(?:\.[A-Za-z_][\w]*(?:\([^)]*\))?|\[[^\]]*\])+\}?",
                re.DOTALL,
            ),
            "Velocity directives",
            None,
            "https://velocity.apache.org/engine/2.2/vtl-reference.html",
        ),
    )
}


def renderer_of(name: object) -> Renderer:
    """The :class:`Renderer` called ``name`` (case-insensitive; None is BASIC).

    Raises
    ------
    MessageError
        rule ``renderer``, field ``renderer``, for a name the guide does not list.
    """
    key = "BASIC" if name in (None, "") else str(name).strip().upper()
    if key not in RENDERERS:
        raise MessageError(
            f"renderer {name!r} is not one of the guide's: "
            + ", ".join(f"{r.name} ({r.syntax})" for r in RENDERERS.values()),
            rule="renderer",
            field="renderer",
        )
    return RENDERERS[key]


@dataclass(frozen=True)
class Piece:
    """A literal run of text (``field`` None) or one substitution of ``field``."""

    text: str
    field: str | None = None
    escape: bool = False  # the renderer escapes the value (Handlebars {{F}}, EJS <%= F %>)
    track: int | None = None  # N of a ${track_N} link


@dataclass(frozen=True)
class Template:
    """A message parsed with one renderer."""

    renderer: Renderer
    pieces: tuple[Piece, ...]
    fields: tuple[str, ...]  # personalisation fields, in order (links excluded)
    tracks: tuple[int, ...]  # N of every ${track_N}, in order of first use
    logic: tuple[str, ...]  # constructs beyond field substitution, as written

    @property
    def logic_reason(self) -> str | None:
        """Why a count of this template can only be an estimate, or None."""
        if not self.logic:
            return None
        shown = ", ".join(self.logic[:3]) + (" ..." if len(self.logic) > 3 else "")
        return (
            f"the message uses {self.renderer.logic_kind} ({shown}): they are counted as written, "
            f"but {self.renderer.name} may add or remove text for each recipient"
        )


def parse_template(text: str, renderer: str | Renderer = "BASIC") -> Template:
    """Split a message into literal text, field substitutions and links.

    Parameters
    ----------
    text : str
        The message (``msg``).
    renderer : str or Renderer
        One of :data:`RENDERERS`.

    Returns
    -------
    Template

    Examples
    --------
    >>> [p.field for p in parse_template("Hi <%= NOM %>, <%- VILLE %>!", "EJS").pieces]
    [None, 'NOM', None, 'VILLE', None]
    >>> parse_template("#if($VIP)Cher $PRENOM#end", "VELOCITY").logic
    ('#if($VIP)', '#end')
    """
    r = renderer if isinstance(renderer, Renderer) else renderer_of(renderer)
    alternatives = [f"(?P<track>{TRACK.pattern})", f"(?P<field>{r.field.pattern})"]
    if r.logic is not None:
        alternatives.append(f"(?P<logic>{r.logic.pattern})")
    scanner = _scanner("|".join(alternatives), r.name)
    pieces: list[Piece] = []
    logic: list[str] = []
    last = 0
    for m in scanner.finditer(text):
        if r.logic is not None and m.group("logic") is not None:
            logic.append(m.group(0))
            continue
        if m.group("track") is not None:
            n = int(m.group("n"))
            piece = Piece(m.group(0), f"track_{n}", False, n)
        else:
            name = (m.group("name") if m.group("name") is not None else m.group("raw")) or ""
            name = name.strip()
            if not name:
                continue  # "${ }" names no field: literal text
            track = _TRACK_NAME.fullmatch(name)
            piece = Piece(
                m.group(0),
                name,
                m.group("name") is not None and r.escape is not None,
                int(track.group(1)) if track else None,
            )
        pieces.append(Piece(text[last : m.start()]))
        pieces.append(piece)
        last = m.end()
    pieces.append(Piece(text[last:]))
    fields = tuple(dict.fromkeys(p.field for p in pieces if p.field is not None and p.track is None))
    tracks = tuple(dict.fromkeys(p.track for p in pieces if p.track is not None))
    return Template(r, tuple(pieces), fields, tracks, tuple(logic))


_SCANNERS: dict[str, re.Pattern[str]] = {}


def _scanner(pattern: str, name: str) -> re.Pattern[str]:
    if name not in _SCANNERS:
        flags = re.DOTALL if name in ("HANDLEBARS", "EJS", "VELOCITY") else 0
        _SCANNERS[name] = re.compile(pattern, flags)
    return _SCANNERS[name]
