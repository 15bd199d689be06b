"""The one exception hierarchy of mailwarden.

::

    MailwardenError
    ├── ParseError        text that does not follow its grammar (offending text, position)
    ├── InputError        input that cannot be used at all (bad domain name, unreadable file)
    │   └── ZoneError     a zone file with a syntax error (file, line)
    ├── ReportError       a report that cannot be extracted or parsed
    ├── StorageError      the report store failed
    ├── ConfigError       a setting or option is invalid
    └── DnsError          the resolver itself is unusable (no nameserver, unreachable)

Parse functions raise; evaluate functions never raise for protocol problems and return
``permerror`` / ``temperror`` results instead.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DnsError",
    "InputError",
    "MailwardenError",
    "ParseError",
    "ReportError",
    "StorageError",
    "ZoneError",
]


class MailwardenError(Exception):
    """Root of every exception mailwarden raises on purpose."""


class ParseError(MailwardenError):
    """Text that does not follow its grammar.

    ``text`` is the offending input and ``position`` the 0-based offset of the problem in it
    (``None`` when no single position can be named).
    """

    def __init__(self, message: str, text: str = "", position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        return f"{self.message} (at position {self.position})"


class InputError(MailwardenError):
    """Input that cannot be used at all: a malformed domain name, an unreadable file."""


class ZoneError(InputError):
    """A zone file that cannot be loaded; ``str()`` reads ``file:line: what is wrong``."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class ReportError(MailwardenError):
    """A report that cannot be extracted or parsed."""


class StorageError(MailwardenError):
    """The report store failed or is unavailable."""


class ConfigError(MailwardenError):
    """A setting or option is invalid."""


class DnsError(MailwardenError):
    """The resolver itself is unusable: no nameserver configured, or none reachable."""
