"""The guide's rules for the sender, the scheduleOn and the tinyList of a campaign.

A sender is 3 to 11 characters from ``[A-Za-z0-9]``, not only digits (without
one, the platform sends from its 36xxx or 38xxx number); ``scheduleOn`` is a UTC
time written ``yyyy-MM-ddTHH:mm:ssZ``, at least 5 minutes after the request.
A ``tinyList`` entry sets the short link ``${track_N}`` (index N - 1) of the
message (:func:`validate_tiny_list`). The client checks them before a request
leaves; the sandbox, acting as the server, applies the same functions.

Examples
--------
>>> from datetime import datetime, timezone
>>> from mfanalytics.messages.campaign_rules import validate_schedule, validate_sender
>>> validate_sender("MaMarque")
'MaMarque'
>>> validate_schedule(datetime(2030, 1, 15, 10, 0), now=datetime(2030, 1, 15, 8, 0, tzinfo=timezone.utc))
'2030-01-15T09:00:00Z'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from mfanalytics.errors import ScheduleError, SenderError, ValidationError
from mfanalytics.times import PARIS

__all__ = ["validate_sender", "validate_schedule", "validate_tiny_list", "TINY_LIST_LIMITS"]


def validate_sender(sender: str | None, *, type_select: str = "MKG") -> str | None:
    """Check a sender name against the API rule; return it, or None when absent.

    3 to 11 characters from ``[A-Za-z0-9]``, not only digits. Without a sender,
    the platform sends from a 5-digit number: 36xxx for MKG campaigns, 38xxx for
    NOTIFICATION ones.

    Raises
    ------
    SenderError
        ``rule`` is one of ``sender-type``, ``sender-charset``, ``sender-length``,
        ``sender-all-digits``, ``type-select``.

    Examples
    --------
    >>> validate_sender("Boutique75")
    'Boutique75'
    >>> validate_sender(None) is None
    True
    """
    if type_select not in ("MKG", "NOTIFICATION"):
        raise SenderError(
            f"typeSelect must be 'MKG' or 'NOTIFICATION', got {type_select!r}", rule="type-select", field="typeSelect"
        )
    if sender is None:
        return None
    if not isinstance(sender, str):
        raise SenderError(f"the sender must be a str, not {type(sender).__name__}", rule="sender-type", field="sender")
    bad = [c for c in dict.fromkeys(sender) if not (c.isascii() and c.isalnum())]
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise SenderError(
            f"sender {sender!r} may only hold letters A-Z, a-z and digits 0-9; remove {shown}",
            rule="sender-charset",
            field="sender",
        )
    if not 3 <= len(sender) <= 11:
        raise SenderError(
            f"sender {sender!r} has {len(sender)} characters; it needs 3 to 11", rule="sender-length", field="sender"
        )
    if sender.isdigit():
        default = "36xxx" if type_select == "MKG" else "38xxx"
        raise SenderError(
            f"sender {sender!r} cannot be only digits (leave it out to send from the default {default} number)",
            rule="sender-all-digits",
            field="sender",
        )
    return sender


_SCHEDULE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def _to_utc(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        local = value.replace(tzinfo=PARIS)
        back = local.astimezone(UTC).astimezone(PARIS)
        if back.replace(tzinfo=None) != value:
            raise ScheduleError(
                f"{what} {value.isoformat()} does not exist in Europe/Paris (clocks jump forward at that time)",
                rule="schedule-nonexistent",
                field="scheduleOn",
            )
        value = local
    return value.astimezone(UTC)


def validate_schedule(when: datetime | str | None, *, now: datetime | None = None) -> str | None:
    """Check ``scheduleOn``; return it as ``yyyy-MM-ddTHH:mm:ssZ`` (UTC), or None.

    Parameters
    ----------
    when : datetime, str or None
        A datetime (naive means Europe/Paris local time; aware is converted) or a
        string already in the API format. None means "send now".
    now : datetime, optional
        The reference time (default: the current time). Naive means Europe/Paris.

    Raises
    ------
    ScheduleError
        ``rule`` is ``schedule-format``, ``schedule-type``, ``schedule-nonexistent``
        or ``schedule-too-soon`` (less than 5 minutes after ``now``).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> validate_schedule("2030-06-24T09:30:58Z", now=datetime(2030, 6, 24, 9, 25, 58, tzinfo=timezone.utc))
    '2030-06-24T09:30:58Z'
    >>> validate_schedule(datetime(2030, 6, 24, 11, 30), now=datetime(2030, 6, 24, 9, 0, tzinfo=timezone.utc))
    '2030-06-24T09:30:00Z'
    """
    if when is None:
        return None
    if isinstance(when, str):
        if not _SCHEDULE_RE.match(when):
            raise ScheduleError(
                f"scheduleOn {when!r} must look like 2021-06-24T09:30:58Z (yyyy-MM-ddTHH:mm:ssZ, UTC)",
                rule="schedule-format",
                field="scheduleOn",
            )
        try:
            moment = datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError as exc:
            raise ScheduleError(
                f"scheduleOn {when!r} is not a real date and time ({exc})", rule="schedule-format", field="scheduleOn"
            ) from None
    elif isinstance(when, datetime):
        moment = _to_utc(when, "scheduleOn").replace(microsecond=0)
    else:
        kind = "a date without a time" if isinstance(when, date) else type(when).__name__
        raise ScheduleError(
            f"scheduleOn must be a datetime or a str, not {kind}", rule="schedule-type", field="scheduleOn"
        )
    reference = datetime.now(UTC) if now is None else _to_utc(now, "now")
    if moment - reference < timedelta(minutes=5):
        ahead = moment - reference
        said = f"{ahead} ahead" if ahead >= timedelta(0) else f"{-ahead} in the past"
        raise ScheduleError(
            f"scheduleOn {moment:%Y-%m-%dT%H:%M:%SZ} is {said}; it must be at least 5 minutes after the request",
            rule="schedule-too-soon",
            field="scheduleOn",
        )
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------
# tinyList (guide, section 2.1)
#: Lengths the guide sets on a link preview: ``label`` 20, ``description`` 40 characters.
TINY_LIST_LIMITS: dict[str, int] = {"label": 20, "description": 40}
_IMAGE_MAGIC = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",)}
_TYPES = ("REDIRECT", "LOCAL")


def _tiny_error(message: str, rule: str, field: str) -> ValidationError:
    return ValidationError(message, rule=rule, field=field)


def _index_of(entry: dict[str, Any], where: str) -> int:
    index = entry.get("index")
    if isinstance(index, (list, tuple)) and len(index) == 1:  # the guide writes "index": { "0" }
        index = index[0]
    if isinstance(index, str) and index.strip().isdigit():
        index = int(index.strip())
    if index is None:
        raise _tiny_error(
            f"{where}.index is required: 0 sets ${{track_1}}, 1 sets ${{track_2}}, ...",
            "tiny-list-index",
            f"{where}.index",
        )
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 2**31:
        raise _tiny_error(
            f"{where}.index must be an integer from 0 (0 sets ${{track_1}}), not {index!r}",
            "tiny-list-index",
            f"{where}.index",
        )
    return index


def _base64(value: object, field: str) -> bytes:
    import base64
    import binascii

    if not isinstance(value, str) or not value.strip():
        raise _tiny_error(f"{field} must be a non-empty base64 string", "tiny-list-base64", field)
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise _tiny_error(f"{field} is not valid base64", "tiny-list-base64", field) from None


def _check_url(url: object, field: str) -> None:
    from urllib.parse import parse_qsl, urlsplit

    if not isinstance(url, str) or not url.strip():
        raise _tiny_error(
            f"{field} is required with type REDIRECT: the address the short link opens", "tiny-list-url", field
        )
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise _tiny_error(f"{field} {url!r} is not an http(s) address", "tiny-list-url", field)
    lower = [name for name, _ in parse_qsl(parts.query, keep_blank_values=True) if name != name.upper()]
    if lower:
        raise _tiny_error(
            f"{field}: the guide requires GET parameter names in upper case; "
            + ", ".join(f"{n!r} should be {n.upper()!r}" for n in dict.fromkeys(lower)),
            "tiny-list-url-parameters",
            field,
        )


def _check_zip(entry: dict[str, Any], where: str) -> None:
    import io
    import zipfile

    name = entry.get("nameToLocalHTML")
    if not isinstance(name, str) or not name.strip():
        raise _tiny_error(
            f"{where}.nameToLocalHTML is required with type LOCAL: the HTML file the link opens",
            "tiny-list-local",
            f"{where}.nameToLocalHTML",
        )
    if not name.lower().endswith((".html", ".htm")):
        raise _tiny_error(
            f"{where}.nameToLocalHTML {name!r} must name an .html file", "tiny-list-local", f"{where}.nameToLocalHTML"
        )
    if entry.get("b64ZipLocal") in (None, ""):
        raise _tiny_error(
            f"{where}.b64ZipLocal is required with type LOCAL: a zip holding {name!r}, in base64",
            "tiny-list-local",
            f"{where}.b64ZipLocal",
        )
    data = _base64(entry.get("b64ZipLocal"), f"{where}.b64ZipLocal")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            bad = archive.testzip()
            members = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise _tiny_error(
            f"{where}.b64ZipLocal is not a valid zip file ({exc})", "tiny-list-zip", f"{where}.b64ZipLocal"
        ) from None
    if bad is not None:
        raise _tiny_error(
            f"{where}.b64ZipLocal: the zip member {bad!r} is corrupt", "tiny-list-zip", f"{where}.b64ZipLocal"
        )
    if name not in members and name not in {m.rsplit("/", 1)[-1] for m in members}:
        raise _tiny_error(
            f"{where}.b64ZipLocal holds no file {name!r} (it holds {', '.join(members) or 'nothing'})",
            "tiny-list-zip",
            f"{where}.b64ZipLocal",
        )


def _check_preview(entry: dict[str, Any], where: str, index: int) -> None:
    description = [k for k in ("description", "decription") if entry.get(k) not in (None, "")]
    if len(description) == 2 and entry["description"] != entry["decription"]:
        raise _tiny_error(
            f"{where} gives both description and decription (the guide's spelling) with different values: give one",
            "tiny-list-description",
            f"{where}.description",
        )
    for key, limit in (("label", 20), *((k, 40) for k in description)):
        value = entry.get(key)
        if value in (None, ""):
            continue
        field = f"{where}.{key}"
        if not isinstance(value, str):
            raise _tiny_error(f"{field} must be a string", "tiny-list-preview", field)
        if index != 0:
            raise _tiny_error(
                f"{field}: the preview's {key} is set on the first link only (index 0), not on index {index}",
                "tiny-list-preview",
                field,
            )
        if len(value) > limit:
            raise _tiny_error(
                f"{field} is {len(value)} characters; the guide allows {limit}", "tiny-list-preview", field
            )
    image, b64 = entry.get("imageName"), entry.get("b64ImagePreview")
    if image in (None, "") and b64 in (None, ""):
        return
    if not isinstance(image, str) or not image.strip():
        raise _tiny_error(
            f"{where}.imageName is required with b64ImagePreview (e.g. og_image.png)",
            "tiny-list-image",
            f"{where}.imageName",
        )
    ext = "." + image.rsplit(".", 1)[-1].lower() if "." in image else ""
    if ext not in _IMAGE_MAGIC:
        raise _tiny_error(
            f"{where}.imageName {image!r} must end in .jpg or .png", "tiny-list-image", f"{where}.imageName"
        )
    if b64 in (None, ""):
        raise _tiny_error(
            f"{where}.b64ImagePreview is required with imageName {image!r}: the image, in base64",
            "tiny-list-image",
            f"{where}.b64ImagePreview",
        )
    data = _base64(b64, f"{where}.b64ImagePreview")
    if not data.startswith(_IMAGE_MAGIC[ext]):
        actual = next((e for e, magic in _IMAGE_MAGIC.items() if data.startswith(magic)), None)
        said = f"a {actual[1:].upper()} image" if actual else "no PNG or JPEG image"
        raise _tiny_error(
            f"{where}.b64ImagePreview is {said}, but imageName {image!r} says {ext[1:].upper()}",
            "tiny-list-image",
            f"{where}.b64ImagePreview",
        )


def _check_entry(entry: dict[str, Any], where: str, index: int) -> dict[str, Any]:
    from mfanalytics.messages.renderers import renderer_of

    out = dict(entry)
    out["index"] = index
    kind = entry.get("type")
    if kind in (None, ""):  # the guide marks it required; infer it where the entry says which
        kind = (
            "LOCAL"
            if entry.get("nameToLocalHTML") or entry.get("b64ZipLocal")
            else ("REDIRECT" if entry.get("urlToRedirect") else None)
        )
        if kind is None:
            raise _tiny_error(
                f"{where}.type is required: REDIRECT (with urlToRedirect) or LOCAL "
                "(with nameToLocalHTML and b64ZipLocal)",
                "tiny-list-type",
                f"{where}.type",
            )
    if not isinstance(kind, str) or kind.strip().upper() not in _TYPES:
        raise _tiny_error(f"{where}.type must be REDIRECT or LOCAL, not {kind!r}", "tiny-list-type", f"{where}.type")
    out["type"] = kind = kind.strip().upper()
    if kind == "REDIRECT":
        _check_url(entry.get("urlToRedirect"), f"{where}.urlToRedirect")
    else:
        _check_zip(entry, where)
    _check_preview(entry, where, index)
    og = entry.get("isOG")
    if isinstance(og, str) and og.strip().lower() in ("true", "false"):
        out["isOG"] = og.strip().lower() == "true"
    elif og is not None and not isinstance(og, bool):
        raise _tiny_error(f"{where}.isOG must be true or false, not {og!r}", "tiny-list-type", f"{where}.isOG")
    life = entry.get("endOfLife")
    if life not in (None, ""):
        days = int(life.strip()) if isinstance(life, str) and life.strip().isdigit() else life
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise _tiny_error(
                f"{where}.endOfLife is the link's lifetime in days (default 45), a whole number from 1, not {life!r}",
                "tiny-list-end-of-life",
                f"{where}.endOfLife",
            )
        out["endOfLife"] = days
    if entry.get("renderer") not in (None, ""):
        try:
            out["renderer"] = renderer_of(entry["renderer"]).name
        except ValidationError as exc:
            raise _tiny_error(str(exc), "renderer", f"{where}.renderer") from None
    params = entry.get("listParameter")
    if params is not None and not (isinstance(params, list) and all(isinstance(p, str) for p in params)):
        raise _tiny_error(
            f'{where}.listParameter must be a list of strings such as "REF=${{REF}}"',
            "tiny-list-type",
            f"{where}.listParameter",
        )
    return out


def validate_tiny_list(tiny_list: object, *, tracks: Iterable[int] = ()) -> list[dict[str, Any]]:
    """Check a campaign's ``tinyList`` against the guide and the message's links.

    Parameters
    ----------
    tiny_list : list of dict or None
        The entries: ``index`` (0 sets ``${track_1}``), ``type`` REDIRECT
        (``urlToRedirect``, GET parameter names in upper case) or LOCAL
        (``nameToLocalHTML`` inside the zip ``b64ZipLocal``), the preview's
        ``label`` (20 characters) and ``description`` (40; the guide's spelling
        ``decription`` is accepted) on index 0 only, ``imageName`` (.jpg/.png)
        with ``b64ImagePreview``, ``endOfLife`` in days, ``isOG``, ``renderer``.
        A missing ``type`` is inferred from ``urlToRedirect`` or the zip.
    tracks : iterable of int
        N of each ``${track_N}`` in the message (:attr:`mfanalytics.messages.message.Message.tracks`).

    Returns
    -------
    list of dict
        The entries, with ``index``, ``type``, ``isOG`` and ``endOfLife`` normalised.

    Raises
    ------
    ValidationError
        Naming the field, e.g. ``tinyList[0].urlToRedirect``; ``tinyList`` when a
        ``${track_N}`` of the message has no entry.

    Examples
    --------
    >>> validate_tiny_list([{"index": 0, "urlToRedirect": "https://x.fr/?REF=A1"}], tracks=[1])
    [{'index': 0, 'urlToRedirect': 'https://x.fr/?REF=A1', 'type': 'REDIRECT'}]
    >>> validate_tiny_list([{"index": 0, "urlToRedirect": "https://x.fr/?ref=A1"}], tracks=[1])
    Traceback (most recent call last):
    ...
    mfanalytics.errors.ValidationError: tinyList[0].urlToRedirect: the guide requires GET parameter names in upper case; 'ref' should be 'REF' [tiny-list-url-parameters; field 'tinyList[0].urlToRedirect']
    """
    tracks = sorted({int(t) for t in tracks})
    if tiny_list in (None, "", []):
        tiny_list = []
    if isinstance(tiny_list, dict):
        tiny_list = [tiny_list]
    if not isinstance(tiny_list, list):
        raise _tiny_error("tinyList must be a list of link objects", "tiny-list-type", "tinyList")
    out: list[dict[str, Any]] = []
    seen: dict[int, int] = {}
    for pos, entry in enumerate(tiny_list):
        where = f"tinyList[{pos}]"
        if not isinstance(entry, dict):
            raise _tiny_error(f"{where} must be an object", "tiny-list-type", where)
        index = _index_of(entry, where)
        if index in seen:
            raise _tiny_error(
                f"{where}.index {index} is already set by tinyList[{seen[index]}]", "tiny-list-index", f"{where}.index"
            )
        seen[index] = pos
        if index + 1 not in tracks:
            used = ", ".join(f"${{track_{t}}}" for t in tracks) or "no link"
            raise _tiny_error(
                f"{where}.index {index} sets ${{track_{index + 1}}}, which the message does not use (it uses {used})",
                "tiny-list-index",
                f"{where}.index",
            )
        out.append(_check_entry(entry, where, index))
    missing = [t for t in tracks if t - 1 not in seen]
    if missing:
        raise _tiny_error(
            "the message uses "
            + ", ".join(f"${{track_{t}}}" for t in missing)
            + " but tinyList has no entry "
            + " or ".join(f"with index {t - 1}" for t in missing)
            + ": without one the link cannot be shortened",
            "tiny-list-missing",
            "tinyList",
        )
    return out
