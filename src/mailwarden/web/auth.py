"""Authentication and CSRF protection for the dashboard.

Authentication is either a shared token or a password stored as a salted scrypt hash
(``scrypt$N$r$p$salt$hash``, both base64); a successful login gets a session cookie signed
with a key that lives only in the server process. State-changing requests carry a CSRF token
that must equal the value in the ``mw_csrf`` cookie (double submit); cookies are
``HttpOnly`` and ``SameSite=Strict``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import time
from dataclasses import dataclass, field

from mailwarden.errors import ConfigError

__all__ = [
    "AuthConfig",
    "Sessions",
    "hash_password",
    "is_loopback",
    "verify_password",
]

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SESSION_SECONDS = 12 * 3600


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """Return the scrypt hash of ``password`` in ``scrypt$N$r$p$salt$hash`` form."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    encoded = [base64.b64encode(part).decode() for part in (salt, digest)]
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encoded[0]}${encoded[1]}"


def check_hash_format(stored: str) -> None:
    """Raise ``ConfigError`` unless ``stored`` is a hash made by :func:`hash_password`."""
    parts = stored.strip().split("$")
    try:
        ok = len(parts) == 6 and parts[0] == "scrypt" and all(int(p) > 0 for p in parts[1:4])
        ok = ok and all(base64.b64decode(p, validate=True) for p in parts[4:])
    except ValueError:
        ok = False
    if not ok:
        raise ConfigError("the password hash is not in scrypt$N$r$p$salt$hash form")


def verify_password(password: str, stored: str) -> bool:
    """Return True when ``password`` matches the ``stored`` hash (False for a malformed hash)."""
    try:
        check_hash_format(stored)
    except ConfigError:
        return False
    _, n, r, p, salt, digest = stored.strip().split("$")
    try:
        found = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(base64.b64decode(digest)),
            maxmem=256 * 1024 * 1024,
        )
    except ValueError:
        return False
    return hmac.compare_digest(found, base64.b64decode(digest))


def is_loopback(host: str) -> bool:
    """Return True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """What a visitor must present: a token, a password (hashed), or nothing (loopback only)."""

    token: str | None = None
    password_hash: str | None = None

    @property
    def enabled(self) -> bool:
        """Return True when a token or a password is configured."""
        return bool(self.token or self.password_hash)

    def accepts(self, secret: str) -> bool:
        """Return True when ``secret`` is the token or the password."""
        if self.token and hmac.compare_digest(secret.encode(), self.token.encode()):
            return True
        return bool(self.password_hash) and verify_password(secret, self.password_hash or "")


@dataclass(slots=True)
class Sessions:
    """Signs and checks session cookies with a key known only to this server process."""

    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    lifetime: int = SESSION_SECONDS

    def issue(self, now: float | None = None) -> str:
        """Return a new session cookie value, valid for ``lifetime`` seconds."""
        expiry = int((now if now is not None else time.time()) + self.lifetime)
        nonce = secrets.token_urlsafe(12)
        payload = f"{expiry}.{nonce}"
        return f"{payload}.{self._sign(payload)}"

    def valid(self, value: str | None, now: float | None = None) -> bool:
        """Return True for an unexpired cookie value issued by :meth:`issue`."""
        if not value or value.count(".") != 2:
            return False
        expiry, nonce, signature = value.split(".")
        if not hmac.compare_digest(signature, self._sign(f"{expiry}.{nonce}")):
            return False
        try:
            return int(expiry) > (now if now is not None else time.time())
        except ValueError:
            return False

    def _sign(self, payload: str) -> str:
        return hmac.new(self.key, payload.encode(), hashlib.sha256).hexdigest()


def new_csrf_token() -> str:
    """Return a fresh random CSRF token."""
    return secrets.token_urlsafe(24)


def csrf_matches(cookie: str | None, submitted: str | None) -> bool:
    """Return True when the submitted CSRF token equals the cookie's (both present)."""
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(cookie.encode(), submitted.encode())
