"""GSM 03.38 character tables, transliteration and emoticon maps, and the exact,
slow reference of the segment rules (:func:`reference_count`).

This module is data plus that reference; grapheme clusters are split by
:mod:`mfanalytics.messages.graphemes`, the fast counters are
:mod:`mfanalytics.messages.parts` (one message) and
:mod:`mfanalytics.messages.segments` (a column).

The segment rules follow Twilio's open-source calculator (npm
``sms-segments-calculator`` 1.3.0, smart encoding off), the oracle of the test
suite: a message is split into grapheme clusters (``grapheme-splitter`` 1.0.4,
Unicode 10 rules, with its quirks), ``"\\r\\n"`` counts as two characters, and
segments are filled greedily, 140 octets each, 6 of them reserved for the user
data header when there is more than one part. A part never splits a GSM-7
escape sequence, a surrogate pair or a grapheme cluster.

Examples
--------
>>> from mfanalytics.messages.gsm7 import GSM7_EXTENSION, reference_count
>>> "€" in GSM7_EXTENSION
True
>>> reference_count("a" * 161)
('GSM-7', 161, 2)
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from mfanalytics.messages.graphemes import grapheme_property, grapheme_runs, split_graphemes, utf16_units

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "GSM7_CHARS",
    "TRANSLITERATION",
    "EMOTICONS",
    "grapheme_property",
    "split_graphemes",
    "reference_count",
    "grapheme_runs",
    "utf16_units",
    "transliterate_char",
]

#: The GSM 03.38 basic character set, in table order (0x00..0x7F), without the
#: escape code 0x1B. Each costs one septet. Note ``Ç`` is here, ``ç`` is not.
GSM7_BASIC: str = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)

#: The extension table: each costs two septets (escape 0x1B + code).
GSM7_EXTENSION: str = "\f^{}\\[~]|€"

#: Every character that GSM-7 can encode.
GSM7_CHARS: frozenset[str] = frozenset(GSM7_BASIC + GSM7_EXTENSION)

#: autoREPLACETOGSM7: explicit replacements for characters outside GSM-7.
#: Anything not listed falls back to its compatibility decomposition with
#: accents removed (``â`` → ``a``, ``ő`` → ``o``, ``ｆ`` → ``f``, ``…`` → ``...``),
#: used only when that gives GSM-7 text. Quotes, dashes and spaces follow
#: Twilio's Smart Encoding table; the French letters follow the guide.
TRANSLITERATION: dict[str, str] = {
    # French and other Latin letters (the guide: ç, â, ê, ë -> c, a, e, e)
    "ç": "c",
    "â": "a",
    "ê": "e",
    "ë": "e",
    "î": "i",
    "ï": "i",
    "ô": "o",
    "û": "u",
    "ÿ": "y",
    "À": "A",
    "Â": "A",
    "È": "E",
    "Ê": "E",
    "Ë": "E",
    "Î": "I",
    "Ï": "I",
    "Ô": "O",
    "Û": "U",
    "Ù": "U",
    "Ÿ": "Y",
    "œ": "oe",
    "Œ": "OE",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ı": "i",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "TH",
    # double quotes
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "ʺ": '"',
    "ˮ": '"',
    "❝": '"',
    "❞": '"',
    "〝": '"',
    "〞": '"',
    "″": '"',
    # single quotes and apostrophes
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "ʻ": "'",
    "ʼ": "'",
    "ʽ": "'",
    "ʹ": "'",
    "ˈ": "'",
    "ˊ": "'",
    "ˋ": "'",
    "`": "'",
    "´": "'",
    "′": "'",
    "❛": "'",
    "❜": "'",
    "‹": "<",
    "›": ">",
    # dashes, bullets, slashes
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
    "−": "-",
    "⁃": "-",
    "•": "-",
    "·": ".",
    "÷": "/",
    "⁄": "/",
    "∕": "/",
    "½": "1/2",
    "¼": "1/4",
    "¾": "3/4",
    # spaces and invisible characters
    "\u00a0": " ",
    "\u2000": " ",
    "\u2001": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2004": " ",
    "\u2005": " ",
    "\u2006": " ",
    "\u2007": " ",
    "\u2008": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u202f": " ",
    "\u205f": " ",
    "\u3000": " ",
    "\u2028": "\n",
    "\u2029": "\n",
    "\t": " ",
    "\u200b": "",
    "\u200c": "",
    "\u2060": "",
    "\ufeff": "",
    "\u00ad": "",
    # misc
    "…": "...",
    "‼": "!!",
    "™": "TM",
    "©": "(c)",
    "®": "(R)",
}

#: autoREPLACEEMOJI: emoticons and the emoji that replace them. Matched only as
#: whole tokens (start of text or after a space or bracket; end of text or before
#: a space or punctuation), so ``https://`` or ``10:30`` are never touched.
EMOTICONS: tuple[tuple[str, str], ...] = (
    (">:-(", "😠"),
    (">:(", "😠"),
    (":'-(", "😢"),
    (":'(", "😢"),
    (":-)", "😊"),
    (":)", "😊"),
    ("=)", "😊"),
    (":-(", "😞"),
    (":(", "😞"),
    (";-)", "😉"),
    (";)", "😉"),
    (":-D", "😃"),
    (":D", "😃"),
    ("xD", "😆"),
    ("XD", "😆"),
    (":-P", "😛"),
    (":P", "😛"),
    (":-p", "😛"),
    (":p", "😛"),
    (":-O", "😮"),
    (":O", "😮"),
    (":-o", "😮"),
    (":o", "😮"),
    (":-*", "😘"),
    (":*", "😘"),
    ("B-)", "😎"),
    ("8-)", "😎"),
    (":-|", "😐"),
    (":|", "😐"),
    ("<3", "❤️"),
    ("</3", "💔"),
    ("(y)", "👍"),
    ("(Y)", "👍"),
)


@functools.lru_cache(maxsize=4096)
def transliterate_char(ch: str) -> str:
    """Return the GSM-7 replacement of one character (itself when none fits)."""
    if ch in GSM7_CHARS:
        return ch
    if ch in TRANSLITERATION:
        return TRANSLITERATION[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    base = "".join(TRANSLITERATION.get(c, c) for c in base)
    if base and all(c in GSM7_CHARS for c in base):
        return base
    return ch


def reference_count(text: str) -> tuple[str, int, int]:
    """Exact, slow reference: ``(encoding, length, segments)`` of one message.

    ``length`` is in septets for GSM-7 (extension characters count two) and in
    UTF-16 code units for UCS-2. ``segments`` ports the oracle's segment builder
    bit for bit (1120 bits per part, 48 of them reserved for the header of a
    concatenated message).
    """
    clusters = split_graphemes(text)
    gsm = all(len(c) == 1 and c in GSM7_CHARS for c in clusters)
    if gsm:
        sizes = [14 if c in GSM7_EXTENSION else 7 for c in clusters]
        length = sum(sizes) // 7
    else:
        sizes = [16 * utf16_units(c) for c in clusters]
        length = sum(sizes) // 16
    # segments: [used_bits, has_header, sizes]
    segments: list[list[Any]] = [[0, False, []]]
    for size in sizes:
        current = segments[-1]
        if 1120 - current[0] < size:
            new: list[Any] = [48, True, []]
            segments.append(new)
            previous = segments[-2]
            if not previous[1]:
                previous[1] = True
                previous[0] += 48
                moved: list[int] = []
                while previous[0] > 1120:
                    bits = previous[2].pop()
                    previous[0] -= bits
                    moved.insert(0, bits)
                new[2].extend(moved)
                new[0] += sum(moved)
            current = new
        current[2].append(size)
        current[0] += size
    return ("GSM-7" if gsm else "UCS-2"), length, len(segments)
