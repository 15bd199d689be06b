"""SPF (RFC 7208): record parser, macro expansion, the async ``check_host()`` evaluator,
a linter that explains, Received-SPF / Authentication-Results builders, and a runner for
the SPF conformance suites."""

from mailwarden.spf.evaluate import (
    check_helo,
    check_host,
    check_mail_from,
    client_address,
    split_sender,
)
from mailwarden.spf.headers import authres_spf_clause, received_spf_header
from mailwarden.spf.lint import LookupNode, SpfLintResult, lint_spf
from mailwarden.spf.macros import Macro, MacroContext, MacroString, expand, parse_macro_string
from mailwarden.spf.parser import is_spf_record, parse_domain_spec, parse_record
from mailwarden.spf.result import SpfLimits, SpfResult, SpfResultCode, TraceStep
from mailwarden.spf.terms import (
    A,
    All,
    Exists,
    Explanation,
    Include,
    Ip4,
    Ip6,
    Mechanism,
    Modifier,
    Mx,
    Ptr,
    Qualifier,
    Redirect,
    SpfRecord,
    Term,
    UnknownModifier,
)

__all__ = [
    "A",
    "All",
    "Exists",
    "Explanation",
    "Include",
    "Ip4",
    "Ip6",
    "LookupNode",
    "Macro",
    "MacroContext",
    "MacroString",
    "Mechanism",
    "Modifier",
    "Mx",
    "Ptr",
    "Qualifier",
    "Redirect",
    "SpfLimits",
    "SpfLintResult",
    "SpfRecord",
    "SpfResult",
    "SpfResultCode",
    "Term",
    "TraceStep",
    "UnknownModifier",
    "authres_spf_clause",
    "check_helo",
    "check_host",
    "check_mail_from",
    "client_address",
    "expand",
    "is_spf_record",
    "lint_spf",
    "parse_domain_spec",
    "parse_macro_string",
    "parse_record",
    "received_spf_header",
    "split_sender",
]
