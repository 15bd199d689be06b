"""The curated public names are pinned: removing or renaming one must be deliberate."""

from __future__ import annotations

import mailwarden
import mailwarden.dkim
import mailwarden.dns


def test_top_level_all() -> None:
    """mailwarden.__all__ is exactly the curated list."""
    assert sorted(mailwarden.__all__) == sorted(
        [
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
    )


def test_dns_all() -> None:
    """mailwarden.dns.__all__ is exactly the curated list and every name exists."""
    expected = {
        "AddressRecord",
        "Answer",
        "CachingResolver",
        "DnsResolver",
        "GenericRecord",
        "MXRecord",
        "NameRecord",
        "Nameserver",
        "OverlayResolver",
        "Record",
        "Resolver",
        "Status",
        "TXTRecord",
        "ZoneResolver",
        "normalize_name",
        "parse_nameserver",
        "to_ascii",
        "to_unicode",
        "validate_domain",
    }
    assert set(mailwarden.dns.__all__) == expected
    assert all(hasattr(mailwarden.dns, name) for name in expected)


def test_dkim_all() -> None:
    """mailwarden.dkim.__all__ is exactly the curated list and every name exists."""
    expected = {
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
    }
    assert set(mailwarden.dkim.__all__) == expected
    assert all(hasattr(mailwarden.dkim, name) for name in expected)
