"""DKIM (RFC 6376, RFC 8301, RFC 8463): keys, signing, verification and selector discovery.

Pure library code: DNS goes through the injected resolver, nothing is printed.
"""

from mailwarden.dkim.canon import BodyHasher, Canon, canonicalize_header
from mailwarden.dkim.keygen import GeneratedKey, generate_key, zone_line
from mailwarden.dkim.keys import KeyRecord, KeyRecordError, parse_key_record
from mailwarden.dkim.probe import (
    COMMON_SELECTORS,
    DkimProbeResult,
    SelectorReport,
    probe_selectors,
)
from mailwarden.dkim.results import DkimResult, DkimStatus
from mailwarden.dkim.sign import DEFAULT_SIGNED_HEADERS, sign
from mailwarden.dkim.signature import SignatureError
from mailwarden.dkim.verify import DkimVerifier, verify

__all__ = [
    "COMMON_SELECTORS",
    "DEFAULT_SIGNED_HEADERS",
    "BodyHasher",
    "Canon",
    "DkimProbeResult",
    "DkimResult",
    "DkimStatus",
    "DkimVerifier",
    "GeneratedKey",
    "KeyRecord",
    "KeyRecordError",
    "SelectorReport",
    "SignatureError",
    "canonicalize_header",
    "generate_key",
    "parse_key_record",
    "probe_selectors",
    "sign",
    "verify",
    "zone_line",
]
