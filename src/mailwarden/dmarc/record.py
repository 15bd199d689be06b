"""DMARC policy records (RFC 9989 section 4.7, RFC 7489 legacy tags) parsed with findings.

A record must start with ``v=DMARC1`` (value case-sensitive) or it is not a DMARC record at
all: :func:`parse_record` raises ``ParseError``. Everything after that follows RFC 9989's rule
that syntax errors are discarded in favour of defaults: an unknown tag is ignored, a tag with an
invalid value is dropped, and each becomes a finding. Tag names are matched case-insensitively;
the first occurrence of a repeated tag is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailwarden.dmarc.types import AlignmentMode, Policy, PsdFlag
from mailwarden.dmarc.uri import ReportUri, parse_report_uri
from mailwarden.errors import ParseError
from mailwarden.findings import Finding, Severity

__all__ = ["MAX_URIS", "DmarcRecord", "is_dmarc_record", "parse_record"]

KNOWN_TAGS = ("v", "p", "sp", "np", "psd", "t", "adkim", "aspf", "fo", "rua", "ruf")
LEGACY_TAGS = ("pct", "rf", "ri")
MAX_URIS = 32
_MAX_TAG_FINDINGS = 5
_VERSION = re.compile(r"^[ \t]*[vV][ \t]*=[ \t]*DMARC1[ \t]*(?:;|$)")
_TAG_NAME = re.compile(r"^[A-Za-z]+$")
_VALUE_CHARS = re.compile(r"^[\x20-\x3a\x3c-\x7e]+$")


@dataclass(frozen=True, slots=True)
class DmarcRecord:
    """A parsed DMARC policy record.

    ``p``, ``sp`` and ``np`` are ``None`` when absent or invalid; ``policy_fallback`` is True
    when RFC 9989 says to act as if the record said ``p=none`` (no valid ``p``, or an invalid
    ``sp`` / ``np``, but a valid ``rua``), and ``usable`` is False when the record gives no
    DMARC processing at all (no valid ``p`` and no valid ``rua``). ``pct``, ``rf`` and ``ri``
    are the RFC 7489 tags RFC 9989 removed, kept for RFC 7489 mode and for findings.
    """

    text: str
    tags: tuple[tuple[str, str], ...]
    p: Policy | None = None
    sp: Policy | None = None
    np: Policy | None = None
    psd: PsdFlag = PsdFlag.UNKNOWN
    t: bool = False
    adkim: AlignmentMode = AlignmentMode.RELAXED
    aspf: AlignmentMode = AlignmentMode.RELAXED
    fo: tuple[str, ...] = ("0",)
    rua: tuple[ReportUri, ...] = ()
    ruf: tuple[ReportUri, ...] = ()
    pct: int | None = None
    rf: str | None = None
    ri: int | None = None
    policy_fallback: bool = False
    usable: bool = True
    findings: tuple[Finding, ...] = field(default=())

    def policy_for(self, *, subdomain: bool, exists: bool = True) -> Policy | None:
        """Return the policy this record sets for its own domain or for a subdomain below it.

        For a subdomain: ``np`` when it does not exist, else ``sp``, falling back to ``p``.
        Returns ``Policy.NONE`` under the ``p=none`` fallback and ``None`` when the record is
        not usable.
        """
        if not self.usable:
            return None
        if self.policy_fallback or self.p is None:
            return Policy.NONE
        if not subdomain:
            return self.p
        if not exists and self.np is not None:
            return self.np
        return self.sp if self.sp is not None else self.p


def is_dmarc_record(text: str) -> bool:
    """Return True when ``text`` starts with the ``v=DMARC1`` tag (the discovery filter)."""
    return bool(_VERSION.match(text))


def parse_record(text: str) -> DmarcRecord:
    """Return the ``DmarcRecord`` for TXT record ``text``, with findings for what it skipped.

    Raises ``ParseError`` (position 0) when ``text`` does not start with ``v=DMARC1``: such a
    TXT record is not a DMARC record and discovery ignores it.
    """
    if not is_dmarc_record(text):
        raise ParseError("a DMARC record must start with v=DMARC1 (case-sensitive)", text, 0)
    builder = _Builder(text)
    for piece, offset in _split(text):
        builder.add_piece(piece, offset)
    return builder.build()


def _split(text: str) -> list[tuple[str, int]]:
    pieces, start = [], 0
    for part in text.split(";"):
        pieces.append((part, start))
        start += len(part) + 1
    return pieces


def _finding(code: str, severity: Severity, message: str, hint: str = "") -> Finding:
    return Finding(code, severity, message, hint)


class _Builder:
    """Collects tags and findings while one record is parsed (private, used by parse_record)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tags: list[tuple[str, str]] = []
        self.values: dict[str, str] = {}
        self.findings: list[Finding] = []
        self.counts: dict[str, int] = {}
        self.invalid: set[str] = set()

    def note(self, code: str, severity: Severity, message: str, hint: str = "") -> None:
        """Add a finding, at most a few per code (hostile records can repeat a problem)."""
        self.counts[code] = self.counts.get(code, 0) + 1
        if self.counts[code] <= _MAX_TAG_FINDINGS:
            self.findings.append(_finding(code, severity, message, hint))

    def add_piece(self, piece: str, offset: int) -> None:
        """Record one ``name=value`` piece of the record, or a finding saying why not."""
        stripped = piece.strip(" \t\r\n")
        if not stripped:
            return
        name, sep, value = stripped.partition("=")
        name, value = name.strip(" \t").lower(), value.strip(" \t")
        if not sep or not _TAG_NAME.match(name):
            self.note(
                "dmarc.tag-syntax",
                Severity.WARNING,
                f"{stripped[:40]!r} at position {offset} is not a tag=value pair; ignored.",
                "Separate tags with ';' and write each as name=value.",
            )
            return
        if not value or not _VALUE_CHARS.match(value):
            self.invalid.add(name)
            self.note(
                "dmarc.invalid-characters" if value else "dmarc.empty-value",
                Severity.ERROR,
                f"Tag {name!r} has an empty value or characters outside printable ASCII; "
                "it is ignored.",
                "Remove control characters, NUL bytes and non-ASCII text from the record.",
            )
            return
        if name in self.values:
            self.note(
                "dmarc.duplicate-tag",
                Severity.ERROR,
                f"Tag {name!r} appears more than once; only the first is used.",
                f"Keep a single {name}= tag.",
            )
            return
        self.values[name] = value
        self.tags.append((name, value))

    def build(self) -> DmarcRecord:
        """Return the record with every tag interpreted and the findings collected."""
        unknown = [n for n, _ in self.tags if n not in KNOWN_TAGS and n not in LEGACY_TAGS]
        for name in unknown:
            self.note(
                "dmarc.unknown-tag",
                Severity.INFO,
                f"Tag {name!r} is not a DMARC tag; receivers ignore it.",
                "Remove it, or check the spelling.",
            )
        extra = self.counts.get("dmarc.unknown-tag", 0) - _MAX_TAG_FINDINGS
        if extra > 0:
            self.findings.append(
                _finding(
                    "dmarc.too-many-tags",
                    Severity.WARNING,
                    f"The record has {extra} more unknown tags than listed.",
                    "A DMARC record needs a handful of tags; publish only those.",
                )
            )
        p = self.policy("p")
        sp, np = self.policy("sp"), self.policy("np")
        rua, ruf = self.uris("rua"), self.uris("ruf")
        fallback, usable = self.fallback(p, rua)
        record = DmarcRecord(
            text=self.text,
            tags=tuple(self.tags),
            p=p,
            sp=sp,
            np=np,
            psd=PsdFlag(self.choice("psd", ("y", "n", "u"), "u")),
            t=self.choice("t", ("y", "n"), "n") == "y",
            adkim=AlignmentMode(self.choice("adkim", ("r", "s"), "r")),
            aspf=AlignmentMode(self.choice("aspf", ("r", "s"), "r")),
            fo=self.fo(bool(ruf)),
            rua=rua,
            ruf=ruf,
            pct=self.legacy_int("pct", 0, 100),
            rf=self.legacy_rf(),
            ri=self.legacy_int("ri", 0, 2**32 - 1),
            policy_fallback=fallback,
            usable=usable,
        )
        self.advise(record)
        # The record is complete only now; set its findings once (cheaper than a copy).
        object.__setattr__(record, "findings", tuple(self.findings))
        return record

    def bad_value(self, name: str, value: str, allowed: str) -> None:
        """Note that ``name`` has a value outside its grammar (it is then ignored)."""
        self.invalid.add(name)
        self.note(
            "dmarc.invalid-value",
            Severity.ERROR,
            f"Tag {name}={value[:40]!r} is not valid ({allowed}); it is ignored.",
            f"Use {name}= with one of: {allowed}.",
        )

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        """Return the value of a single-word tag, or ``default`` when absent or invalid."""
        value = self.values.get(name)
        if value is None:
            return default
        if value.lower() not in allowed:
            self.bad_value(name, value, " ".join(allowed))
            return default
        return value.lower()

    def policy(self, name: str) -> Policy | None:
        """Return the policy of ``p`` / ``sp`` / ``np``, or None when absent or invalid."""
        value = self.choice(name, ("none", "quarantine", "reject"), "")
        return Policy(value) if value else None

    def fo(self, has_ruf: bool) -> tuple[str, ...]:
        """Return the ``fo`` options (default ``0``), checking RFC 9989's dmarc-fo rule."""
        value = self.values.get("fo")
        if value is None:
            return ("0",)
        parts = [part.strip(" \t").lower() for part in value.split(":")]
        valid = (
            all(part in ("0", "1", "d", "s") for part in parts)
            and len(set(parts)) == len(parts)
            and not {"0", "1"} <= set(parts)
        )
        if not valid:
            self.bad_value("fo", value, "0, 1, d, s separated by ':', 0 and 1 not together")
            return ("0",)
        if not has_ruf:
            self.note(
                "dmarc.fo-without-ruf",
                Severity.INFO,
                "fo= has no effect without ruf=.",
                "Remove fo=, or add ruf= with a failure-report address.",
            )
        return tuple(parts)

    def uris(self, name: str) -> tuple[ReportUri, ...]:
        """Return the valid URIs of ``rua`` / ``ruf`` (at most ``MAX_URIS``), noting the rest."""
        value = self.values.get(name)
        if value is None:
            return ()
        found: list[ReportUri] = []
        items = [item for item in value.split(",") if item.strip(" \t")]
        for item in items[:MAX_URIS]:
            uri = self.one_uri(name, item)
            if uri is not None:
                found.append(uri)
        if len(items) > MAX_URIS:
            self.note(
                "dmarc.too-many-uris",
                Severity.WARNING,
                f"{name}= lists {len(items)} URIs; only the first {MAX_URIS} are read.",
                "List one or two report addresses.",
            )
        if items and not found:
            self.invalid.add(name)
        return tuple(found)

    def one_uri(self, name: str, item: str) -> ReportUri | None:
        """Return one parsed URI of ``name``, or None with a finding."""
        try:
            uri = parse_report_uri(item)
        except ParseError as exc:
            self.note(
                "dmarc.invalid-uri",
                Severity.ERROR,
                f"{name}= entry {item.strip()[:60]!r} is not usable: {exc.message}.",
                f"Write {name}=mailto:dmarc-reports@your-domain.example.",
            )
            return None
        if uri.size_limit is not None:
            self.note(
                "dmarc.legacy-uri-size",
                Severity.INFO,
                f"{name}= entry {uri.uri!r} has an RFC 7489 size limit !{uri.size_limit}, "
                "which RFC 9989 made obsolete; receivers ignore it.",
                "Drop the !size suffix.",
            )
        if not uri.is_mailto:
            self.note(
                "dmarc.unsupported-uri-scheme",
                Severity.WARNING,
                f"{name}= entry {uri.uri!r} is not a mailto: URI; receivers need only "
                "support mailto: and may ignore it.",
                "Use a mailto: address.",
            )
        return uri

    def legacy_int(self, name: str, low: int, high: int) -> int | None:
        """Return the integer value of a removed RFC 7489 tag (``pct``, ``ri``) with a finding."""
        value = self.values.get(name)
        if value is None:
            return None
        if not value.isdigit() or not value.isascii() or not low <= int(value[:12]) <= high:
            self.bad_value(name, value, f"an integer from {low} to {high}")
            return None
        self.note_legacy(name)
        return int(value)

    def legacy_rf(self) -> str | None:
        """Return the removed ``rf`` tag's value with a finding."""
        value = self.values.get("rf")
        if value is None:
            return None
        self.note_legacy("rf")
        return value.lower()

    def note_legacy(self, name: str) -> None:
        """Note a tag RFC 9989 removed (pct, rf, ri)."""
        hint = "Use t=y instead of pct=0; drop pct=100." if name == "pct" else f"Drop {name}=."
        self.note(
            f"dmarc.legacy-{name}",
            Severity.INFO,
            f"Tag {name}= was removed by RFC 9989; only RFC 7489 receivers read it.",
            hint,
        )

    def fallback(self, p: Policy | None, rua: tuple[ReportUri, ...]) -> tuple[bool, bool]:
        """Return (policy_fallback, usable) following RFC 9989 section 4.10.1."""
        broken = p is None or "sp" in self.invalid or "np" in self.invalid
        if not broken:
            return False, True
        what = "no valid p= tag" if p is None else "an invalid sp= or np= tag"
        if rua:
            self.note(
                "dmarc.policy-fallback-none",
                Severity.ERROR,
                f"The record has {what}; with a valid rua= receivers act as if it said p=none.",
                "Add p=none, p=quarantine or p=reject right after v=DMARC1.",
            )
            return True, True
        self.note(
            "dmarc.no-policy",
            Severity.ERROR,
            f"The record has {what} and no valid rua=; receivers apply no DMARC processing.",
            "Add p=none, p=quarantine or p=reject right after v=DMARC1.",
        )
        return False, False

    def advise(self, record: DmarcRecord) -> None:
        """Add findings about what a valid record asks for (monitoring, testing, reports)."""
        if record.usable and record.policy_for(subdomain=False) is Policy.NONE:
            self.note(
                "dmarc.policy-none",
                Severity.WARNING,
                "The policy is none (monitoring mode): failing mail is delivered as usual.",
                "Move to p=quarantine, then p=reject, once reports show your mail aligns.",
            )
        if record.t and record.p not in (None, Policy.NONE):
            self.note(
                "dmarc.testing",
                Severity.INFO,
                f"t=y: receivers apply one step less than p={record.p} "
                f"({record.p.lowered() if record.p else 'none'}).",
                "Remove t=y when you are ready to enforce.",
            )
        if record.usable and "rua" not in self.values:
            self.note(
                "dmarc.no-rua",
                Severity.INFO,
                "No rua= tag: nobody sends you aggregate reports.",
                "Add rua=mailto:dmarc-reports@your-domain.example.",
            )
