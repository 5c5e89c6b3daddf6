"""Sandbox accounts, password hashes and Bearer tokens.

Passwords are kept as salted PBKDF2 hashes and tokens as SHA-256 digests: the
sandbox never stores, prints or logs either in clear. A token lives one hour of
simulated time; each login first forgets the expired ones, so the store never
holds more than an hour of logins.

Examples
--------
>>> accounts = Accounts()
>>> user = accounts.add_user("demo", "demo")
>>> token = accounts.login("demo", "demo", now=0.0)
>>> accounts.check_token(token, now=10.0).name
'demo'
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "Account",
    "Accounts",
    "TOKEN_LIFETIME",
    "DEFAULT_COUNTRIES",
    "DEFAULT_ALLOWED_HOSTS",
]

#: Seconds of simulated time a token stays valid.
TOKEN_LIFETIME = 3600.0

#: Destinations an account may send to by default: France and its overseas
#: departments and territories, Belgium, Switzerland, Luxembourg, Monaco.
DEFAULT_COUNTRIES: tuple[str, ...] = (
    "FR",
    "GP",
    "MQ",
    "GF",
    "RE",
    "YT",
    "PM",
    "BL",
    "MF",
    "WF",
    "PF",
    "NC",
    "BE",
    "CH",
    "LU",
    "MC",
)

#: Client addresses allowed by default: loopback only.
DEFAULT_ALLOWED_HOSTS: tuple[str, ...] = ("127.0.0.1", "::1")


def _hash_password(password: str, salt: bytes) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, 20_000).hex()


def token_digest(token: str) -> str:
    """SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class Account:
    """One sandbox user.

    Attributes
    ----------
    name : str
        Login name.
    user_id : str
        24-hex-digit id, as the platform's ``userOwnerID``.
    role : {"USER", "ADMIN"}
        An ADMIN may act for another ``userOwnerID``.
    credit : float
        SMS credits left; a campaign past it gets code 8.
    max_segments : int
        Longest message allowed, in SMS segments (1 = 160 GSM-7 characters).
    countries : list of str
        ISO regions the account may send to (others get code 3).
    allowed_hosts : list of str
        Client addresses allowed to use the API (others get 403).
    short_code : str
        The three digits after 36 (MKG) or 38 (NOTIFICATION) of the default sender.
    """

    name: str
    user_id: str
    salt: str
    password_hash: str
    role: str = "USER"
    credit: float = 1_000_000_000.0
    max_segments: int = 1
    countries: list[str] = field(default_factory=lambda: list(DEFAULT_COUNTRIES))
    allowed_hosts: list[str] = field(default_factory=lambda: list(DEFAULT_ALLOWED_HOSTS))
    short_code: str = "184"
    customer_id: str = "5e1f1fa1392b6a759299b09a"

    @property
    def is_admin(self) -> bool:
        return self.role.upper() == "ADMIN"

    def check_password(self, password: str) -> bool:
        candidate = _hash_password(password, bytes.fromhex(self.salt))
        return hmac.compare_digest(candidate, self.password_hash)

    def public(self) -> dict[str, Any]:
        """What ``/_sandbox/users`` shows: no salt, no hash."""
        data = asdict(self)
        data.pop("salt")
        data.pop("password_hash")
        return data

    def __repr__(self) -> str:  # never show the hash
        return f"Account(name={self.name!r}, role={self.role!r}, user_id={self.user_id!r})"


class Accounts:
    """The users and the live tokens of one sandbox."""

    def __init__(self) -> None:
        self.users: dict[str, Account] = {}
        self._tokens: dict[str, tuple[str, float]] = {}

    def add_user(
        self,
        name: str,
        password: str,
        *,
        role: str = "USER",
        credit: float = 1_000_000_000.0,
        max_segments: int = 1,
        countries: list[str] | tuple[str, ...] | None = None,
        allowed_hosts: list[str] | tuple[str, ...] | None = None,
        short_code: str | None = None,
    ) -> Account:
        """Create or replace a user; returns its :class:`Account`."""
        if not name or not isinstance(name, str):
            raise ValueError("a sandbox user needs a non-empty name")
        if role.upper() not in ("USER", "ADMIN"):
            raise ValueError("role must be 'USER' or 'ADMIN'")
        salt = secrets.token_bytes(16)
        user_id = hashlib.sha1(name.encode("utf-8")).hexdigest()[:24]
        account = Account(
            name=name,
            user_id=user_id,
            salt=salt.hex(),
            password_hash=_hash_password(password, salt),
            role=role.upper(),
            credit=float(credit),
            max_segments=int(max_segments),
            countries=list(countries) if countries is not None else list(DEFAULT_COUNTRIES),
            allowed_hosts=list(allowed_hosts) if allowed_hosts is not None else list(DEFAULT_ALLOWED_HOSTS),
            short_code=short_code or f"{int(user_id, 16) % 900 + 100}",
        )
        self.users[name] = account
        return account

    def by_id(self, user_id: str) -> Account | None:
        """The account whose ``user_id`` or name is ``user_id``."""
        for account in self.users.values():
            if account.user_id == user_id or account.name == user_id:
                return account
        return None

    def login(self, name: str, password: str, *, now: float) -> str | None:
        """Return a new token, or None when the name or password is wrong."""
        account = self.users.get(name)
        if account is None or not account.check_password(password):
            return None
        return self.issue_token(name, now=now)

    def issue_token(self, name: str, *, now: float) -> str:
        """A new token for user ``name``, valid :data:`TOKEN_LIFETIME` seconds
        from ``now``. Expired tokens are forgotten first, so the store holds
        at most the tokens issued in the last hour of simulated time.

        Examples
        --------
        >>> accounts = Accounts()
        >>> _ = accounts.add_user("ana", "pw")
        >>> _ = [accounts.issue_token("ana", now=0.0) for _ in range(3)]
        >>> _ = accounts.issue_token("ana", now=TOKEN_LIFETIME)
        >>> accounts.stored_tokens
        1
        """
        self.forget_expired(now)
        token = secrets.token_urlsafe(32)
        self._tokens[token_digest(token)] = (name, now + TOKEN_LIFETIME)
        return token

    def forget_expired(self, now: float) -> int:
        """Drop the tokens expired at ``now``; returns how many were dropped."""
        expired = [digest for digest, (_, expires) in self._tokens.items() if now >= expires]
        for digest in expired:
            del self._tokens[digest]
        return len(expired)

    def revoke(self, token: str) -> None:
        """Forget one token."""
        self._tokens.pop(token_digest(token), None)

    @property
    def stored_tokens(self) -> int:
        """How many token digests the store holds (live or not yet forgotten)."""
        return len(self._tokens)

    def check_token(self, token: str, *, now: float) -> Account | None:
        """The account of a live token, or None (unknown or expired)."""
        entry = self._tokens.get(token_digest(token))
        if entry is None:
            return None
        name, expires = entry
        if now >= expires:
            self._tokens.pop(token_digest(token), None)
            return None
        return self.users.get(name)

    def drop_tokens(self) -> None:
        """Forget every token (a restart does)."""
        self._tokens.clear()
