"""DMARC (RFC 9989, reading RFC 7489 records too): records, discovery, alignment, evaluation.

SPF and DKIM results are inputs, never recomputed: anything with the shapes of
:class:`SpfResultLike` and :class:`DkimResultLike` will do.
"""

from mailwarden.dmarc.alignment import Alignment
from mailwarden.dmarc.author import AuthorDomains, author_domains, parse_header_block
from mailwarden.dmarc.discovery import (
    Discovery,
    OrgDomain,
    RecordFetcher,
    discover_policy,
    find_org_domain,
    psl_org_domain,
    walk_names,
)
from mailwarden.dmarc.evaluate import DmarcResult, evaluate_dmarc
from mailwarden.dmarc.lint import DmarcLintResult, TagMeaning, explain_record, lint_dmarc
from mailwarden.dmarc.record import DmarcRecord, is_dmarc_record, parse_record
from mailwarden.dmarc.report_auth import DestinationCheck, check_destinations
from mailwarden.dmarc.types import (
    AlignmentMode,
    DkimResultLike,
    DmarcResultCode,
    Mode,
    Policy,
    PsdFlag,
    SpfResultLike,
)
from mailwarden.dmarc.uri import ReportUri, parse_report_uri

__all__ = [
    "Alignment",
    "AlignmentMode",
    "AuthorDomains",
    "DestinationCheck",
    "Discovery",
    "DkimResultLike",
    "DmarcLintResult",
    "DmarcRecord",
    "DmarcResult",
    "DmarcResultCode",
    "Mode",
    "OrgDomain",
    "Policy",
    "PsdFlag",
    "RecordFetcher",
    "ReportUri",
    "SpfResultLike",
    "TagMeaning",
    "author_domains",
    "check_destinations",
    "discover_policy",
    "evaluate_dmarc",
    "explain_record",
    "find_org_domain",
    "is_dmarc_record",
    "lint_dmarc",
    "parse_header_block",
    "parse_record",
    "parse_report_uri",
    "psl_org_domain",
    "walk_names",
]
