"""The characters of a message: GSM-7 or not, look-alike replacements (autoREPLACETOGSM7), emoticons
to emoji (autoREPLACEEMOJI), and the text checks every public function starts with.

Examples
--------
>>> non_gsm_chars("Leçon à l'hôtel")
('ç', 'ô')
>>> to_gsm7("Leçon à l'hôtel")
"Lecon à l'hotel"
"""

from __future__ import annotations

import functools
import re
import unicodedata

from mfanalytics.errors import RULE_SURROGATE, MessageError
from mfanalytics.messages.gsm7 import EMOTICONS, GSM7_CHARS, transliterate_char

__all__ = ["LONE_SURROGATE", "check_text", "to_gsm7", "replace_emoji", "non_gsm_chars", "emoticon_regex"]

#: Half of a surrogate pair on its own: no phone can show it.
LONE_SURROGATE: re.Pattern[str] = re.compile(r"[\ud800-\udfff]")


def check_text(text: object, field: str = "text") -> str:
    """``text`` itself if it is a str with no lone surrogate; otherwise a :class:`MessageError` naming ``field``."""
    if not isinstance(text, str):
        raise MessageError(f"the message must be a str, not {type(text).__name__}", rule="text-type", field=field)
    bad = LONE_SURROGATE.search(text)
    if bad:
        raise MessageError(
            f"the text holds a lone surrogate (U+{ord(bad.group()):04X}) at character {bad.start() + 1}: "
            "it is half of an emoji or symbol, cut off; no phone can show it, so fix the text",
            rule=RULE_SURROGATE,
            field=field,
        )
    return text


def to_gsm7(text: str) -> str:
    """Replace non-GSM-7 characters by GSM-7 look-alikes (autoREPLACETOGSM7).

    ``ç â ê ë î ï ô û`` lose their accent, ``œ`` becomes ``oe``, typographic
    quotes, dashes, ellipsis and no-break spaces become their ASCII forms.
    Characters with no GSM-7 equivalent (emoji, CJK...) are kept. GSM-7
    characters are never touched (``é``, ``à``, ``Ç`` stay). Idempotent.

    Examples
    --------
    >>> to_gsm7("Leçon « crème brûlée » – 5\\u00a0€…")
    'Lecon " crème brulée " - 5 €...'
    """
    text = check_text(text)
    for _ in range(8):  # NFC can recompose a letter and a stray accent: reach the fixpoint
        if GSM7_CHARS.issuperset(text):
            return text
        composed = unicodedata.normalize("NFC", text)
        table = {ord(c): transliterate_char(c) for c in set(composed) - GSM7_CHARS}
        new = unicodedata.normalize("NFC", composed.translate(table))
        if new == text:
            return new
        text = new
    return text


@functools.cache
def emoticon_regex() -> re.Pattern[str]:
    """The emoticons of :data:`~mfanalytics.messages.gsm7.EMOTICONS` as whole tokens, longest first."""
    alternatives = "|".join(re.escape(e) for e, _ in sorted(EMOTICONS, key=lambda p: -len(p[0])))
    return re.compile(rf"(?<![^\s(\[])({alternatives})(?![^\s.,;:!?)\]])")


def replace_emoji(text: str) -> str:
    """Replace emoticons by emoji (autoREPLACEEMOJI), e.g. ``:-)`` -> 😊.

    Only whole tokens are replaced, so URLs and times are left alone. The API
    applies this only when allowUCS2 is true; :class:`Message` does the same.

    Examples
    --------
    >>> replace_emoji("Merci :-) à 10:30, https://x.fr <3")
    'Merci 😊 à 10:30, https://x.fr ❤️'
    """
    emoji = dict(EMOTICONS)
    return emoticon_regex().sub(lambda m: emoji[m.group(1)], check_text(text))


def non_gsm_chars(text: str) -> tuple[str, ...]:
    """Distinct characters of text that GSM-7 cannot encode, in order of appearance.

    Examples
    --------
    >>> non_gsm_chars("Leçon à l'hôtel Ça 😀")
    ('ç', 'ô', '😀')
    """
    return tuple(dict.fromkeys(c for c in check_text(text) if c not in GSM7_CHARS))
