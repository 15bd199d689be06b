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


def test_spf_all() -> None:
    """mailwarden.spf.__all__ is exactly the curated list and every name exists."""
    import mailwarden.spf

    expected = {
        "A", "All", "Exists", "Explanation", "Include", "Ip4", "Ip6", "LookupNode", "Macro",
        "MacroContext", "MacroString", "Mechanism", "Modifier", "Mx", "Ptr", "Qualifier",
        "Redirect", "SpfLimits", "SpfLintResult", "SpfRecord", "SpfResult", "SpfResultCode",
        "Term", "TraceStep", "UnknownModifier", "authres_spf_clause", "check_helo", "check_host",
        "check_mail_from", "client_address", "expand", "is_spf_record", "lint_spf",
        "parse_domain_spec", "parse_macro_string", "parse_record", "received_spf_header",
        "split_sender",
    }  # fmt: skip
    assert set(mailwarden.spf.__all__) == expected
    assert all(hasattr(mailwarden.spf, name) for name in expected)
    fields = mailwarden.spf.SpfResult.__dataclass_fields__
    assert {
        "result",
        "domain",
        "mechanism",
        "explanation",
        "lookups",
        "void_lookups",
        "trace",
    } <= set(fields)
    assert {c.value for c in mailwarden.spf.SpfResultCode} == {
        "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"
    }  # fmt: skip
