"""The API's address: a base URL checked (http(s), no credentials, plain http on loopback only), and URLs shown safely.

Examples
--------
>>> check_base_url("https://app.mediasflow.com/api/v1/")
'https://app.mediasflow.com/api/v1'
>>> is_loopback_host("::1"), is_loopback_host("example.com")
(True, False)
>>> shown_url("https://ana:pw@example.com/api/v1?token=x")
'https://example.com/api/v1'
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from mfanalytics.errors import ValidationError

__all__ = ["check_base_url", "is_loopback_host", "shown_url"]


def shown_url(url: str) -> str:
    """``url`` without userinfo, query or fragment (they may carry secrets)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` (and ``*.localhost``), 127.0.0.0/8 and ``::1``."""
    host = (host or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str, *, allow_insecure_http: bool = False) -> str:
    """``base_url`` without a trailing slash, or a :class:`ValidationError`.

    Rules: ``base-url`` (an ``http(s)://host/...`` URL), ``url-credentials``
    (no ``user:password@`` in it: give ``username=``/``password=``), and
    ``insecure-http`` (``http://`` only to a loopback host, unless
    ``allow_insecure_http=True``: a password would travel in clear).
    """
    parts = urlsplit(str(base_url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            "base_url must be an http(s) URL with a host, e.g. https://app.mediasflow.com/api/v1.",
            rule="base-url",
            field="base_url",
        )
    if "@" in parts.netloc:
        del parts, base_url  # they carry the credentials: not in this frame's locals
        raise ValidationError(
            "base_url carries credentials (user:password@host); they would show in reprs and logs. "
            "Give username= and password= (or token=) instead.",
            rule="url-credentials",
            field="base_url",
        )
    if parts.scheme == "http" and not allow_insecure_http and not is_loopback_host(parts.hostname):
        raise ValidationError(
            f"base_url is plain http:// to {parts.hostname}, which is not a loopback host: the password "
            "and token would travel in clear. Use https://, or pass allow_insecure_http=True if you know why.",
            rule="insecure-http",
            field="base_url",
        )
    return str(base_url).rstrip("/")
