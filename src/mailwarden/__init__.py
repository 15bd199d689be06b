"""mailwarden: SPF, DKIM and DMARC for domain owners and receivers."""

from mailwarden.errors import (
    ConfigError,
    DnsError,
    InputError,
    MailwardenError,
    ParseError,
    ReportError,
    StorageError,
    ZoneError,
)
from mailwarden.findings import Finding, Severity

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "DnsError",
    "Finding",
    "InputError",
    "MailwardenError",
    "ParseError",
    "ReportError",
    "Severity",
    "StorageError",
    "ZoneError",
    "__version__",
]
