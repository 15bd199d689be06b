"""Streaming parser for DMARC aggregate reports (pre-RFC draft, RFC 7489, RFC 9990).

expat is driven directly, 64 KiB at a time: each ``<record>`` becomes an
:class:`~mailwarden.reports.model.AggregateRecord` when its end tag is read and nothing of it
is kept afterwards, so memory does not grow with the size of the report. A DOCTYPE, entity
declaration or external entity is rejected outright (no XXE, no entity expansion).

A report that is not well-formed is parsed again in repair mode (see ``_xmlrepair``):
records already produced are skipped, so consumers see every record once.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO
from xml.parsers import expat

from mailwarden.reports._fastrecord import RECORD_END, RECORD_START, fast_record
from mailwarden.reports._warn import WarningLog
from mailwarden.reports._xmlrepair import repaired_text
from mailwarden.reports.model import (
    AggregateRecord,
    AggregateReport,
    Alignment,
    AuthResult,
    Disposition,
    DkimResult,
    DmarcResult,
    InvalidReport,
    Limits,
    OverrideReason,
    PolicyOverride,
    PublishedPolicy,
    ReportIdentity,
    ReportKind,
    ReportMetadata,
    ReportWarning,
    Schema,
    SpfResult,
)

__all__ = ["AggregateStream", "parse_aggregate"]

RFC9990_NAMESPACE = "urn:ietf:params:xml:ns:dmarc-2.0"
_CHUNK = 1 << 16
_RFC9990_POLICY = ("np", "testing", "discovery_method")

Node = dict[str, list[Any]]
_STRAY = "#stray"  # key under which text found between child elements is kept


def _table(enum: Any) -> dict[str, Any]:
    return {member.value: member for member in enum}


_DISPOSITIONS = _table(Disposition)
_POLICIES = {k: v for k, v in _DISPOSITIONS.items() if k != "pass"}
_DMARC = _table(DmarcResult)
_DKIM = _table(DkimResult)
_SPF = _table(SpfResult)
_OVERRIDES = _table(PolicyOverride)
_ALIGNMENTS = _table(Alignment)
_TESTING = {"y": "y", "n": "n"}
_DISCOVERY = {"psl": "psl", "treewalk": "treewalk"}
_SCOPES = {"mfrom": "mfrom", "helo": "helo"}


class _Forbidden(Exception):
    """Raised inside expat callbacks for constructs that are refused."""


class _Engine:
    """One pass of expat over a report: collects the header, queues finished records."""

    def __init__(self, limits: Limits, log: WarningLog) -> None:
        self.limits = limits
        self.log = log
        self.frames: list[Node] = []
        self.max_depth = limits.max_xml_depth
        self.buf: list[str] = []
        self.out: deque[AggregateRecord] = deque()
        self.top: dict[str, Any] = {}
        self.namespace: str | None = None
        self.root_seen = False
        self.finished = False
        self.records = 0
        self.parser = self._make_parser()

    def _make_parser(self) -> Any:
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self.buf.append  # a builtin: no Python frame per call
        parser.StartDoctypeDeclHandler = self._forbid("a DOCTYPE")
        parser.EntityDeclHandler = self._forbid("an entity declaration")
        parser.ExternalEntityRefHandler = self._forbid("an external entity")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        return parser

    @staticmethod
    def _forbid(what: str) -> Callable[..., Any]:
        def handler(*_args: Any) -> Any:
            raise _Forbidden(f"{what} is not allowed in a report (XXE / entity expansion)")

        return handler

    # expat callbacks: kept small, they run for every element of every record

    def check_text_size(self) -> None:
        """Fail when an element's text grows past the limit (called between chunks)."""
        if len(self.buf) > 1 and sum(map(len, self.buf)) > self.limits.max_field_bytes:
            raise _Forbidden(f"an element's text exceeds {self.limits.max_field_bytes} bytes")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        buf = self.buf
        frames = self.frames
        if buf:
            text = buf[0] if len(buf) == 1 else "".join(buf)
            if not text.isspace():
                frames[-1].setdefault(_STRAY, []).append(text.strip())
            buf.clear()
        depth = len(frames)
        if depth == 0 or depth >= self.max_depth:
            self._edge_start(depth, name, attrs)
        frames.append({})

    def _edge_start(self, depth: int, name: str, attrs: dict[str, str]) -> None:
        if depth:
            raise _Forbidden(f"elements nested more than {self.max_depth} deep")
        self._root(name.rpartition(":")[2], attrs)

    def _end(self, name: str) -> None:
        frames = self.frames
        node = frames.pop()
        buf = self.buf
        if ":" in name:
            name = name.rpartition(":")[2]
        value: Any
        if node:
            value = node
            text = (buf[0] if len(buf) == 1 else "".join(buf)) if buf else ""
            if text and not text.isspace():
                node.setdefault(_STRAY, []).append(text.strip())
            if _STRAY in node:
                self._stray(name, node.pop(_STRAY))
        elif buf:
            value = (buf[0] if len(buf) == 1 else "".join(buf)).strip()
        else:
            value = ""
        buf.clear()
        depth = len(frames)
        if depth > 1:
            parent = frames[-1]
            same = parent.get(name)
            if same is None:
                parent[name] = [value]
            else:
                same.append(value)
        elif depth == 1:
            self._top_level(name, value)
        else:
            self.finished = True

    def _stray(self, name: str, texts: list[str]) -> None:
        for text in texts:
            self.log.add("aggregate.stray-text", f"text {text[:40]!r} inside <{name}> ignored")

    def _root(self, name: str, attrs: dict[str, str]) -> None:
        if name != "feedback":
            raise _Forbidden(f"root element is <{name}>, not <feedback>")
        self.root_seen = True
        for key, value in attrs.items():
            if key == "xmlns" or key.startswith("xmlns:"):
                self.namespace = self.namespace or value

    def _top_level(self, name: str, value: Any) -> None:
        if name == "record":
            record = _convert_record(value, self.log)
            if record is not None:
                self.records += 1
                self.out.append(record)
            return
        if self.records and name in ("report_metadata", "policy_published"):
            self.log.add("aggregate.misplaced-element", f"<{name}> comes after the records")
        if name in self.top:
            self.log.add("aggregate.duplicate-element", f"<{name}> appears more than once")
            return
        self.top[name] = value


def _node(value: Any, name: str, log: WarningLog) -> Node:
    """Return ``value`` as a container; text where a container belongs is warned about."""
    if isinstance(value, dict):
        return value
    if value:
        log.add("aggregate.stray-text", f"text inside <{name}> ignored")
    return {}


def _child(node: Node, name: str, log: WarningLog) -> Node:
    values = node.get(name)
    if not values:
        return {}
    if len(values) > 1:
        log.add("aggregate.duplicate-element", f"<{name}> appears more than once")
    return _node(values[0], name, log)


def _leaf(node: Node, name: str, log: WarningLog) -> str | None:
    values = node.get(name)
    if not values:
        return None
    value = values[0]
    if len(values) == 1 and value.__class__ is str:  # the common case, checked first
        return value
    if len(values) > 1:
        log.add("aggregate.duplicate-element", f"<{name}> appears more than once")
    if isinstance(value, dict):
        log.add("aggregate.unexpected-element", f"<{name}> has child elements; ignored")
        return None
    return value  # type: ignore[no-any-return]


def _required(node: Node, name: str, where: str, log: WarningLog) -> str:
    value = _leaf(node, name, log)
    if not value:
        log.add("aggregate.missing-field", f"{where}/{name} is missing or empty")
        return ""
    return value


def _word(value: str | None, table: dict[str, Any], where: str, log: WarningLog) -> str | None:
    """Return the enum member for ``value``; upper case and unknown words are warned about."""
    if value is None or value == "":
        return None
    member = table.get(value)
    if member is not None:
        return member  # type: ignore[no-any-return]
    member = table.get(value.lower())
    if member is not None:
        log.add("aggregate.uppercase-value", f"{where} is not in lower case")
        return member  # type: ignore[no-any-return]
    log.add("aggregate.unknown-value", f"{where} has a value outside the schema")
    return value


def _required_word(
    node: Node, name: str, table: dict[str, Any], where: str, log: WarningLog
) -> str:
    values = node.get(name)
    if values is not None and len(values) == 1 and values[0].__class__ is str:
        member = table.get(values[0])  # the common case: one known lower-case word
        if member is not None:
            return member  # type: ignore[no-any-return]
    return _word(_required(node, name, where, log), table, f"{where}/{name}", log) or ""


def _source_ip(text: str, log: WarningLog) -> str:
    if _IPV4.fullmatch(text):
        return text
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        if text:
            log.add("aggregate.invalid-source-ip", "row/source_ip is not an IP address; kept")
        return text


def _integer(text: str | None, where: str, log: WarningLog) -> int | None:
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = int(float(text))
    except (ValueError, OverflowError):
        log.add("aggregate.invalid-number", f"{where} is not a number")
        return None
    log.add("aggregate.invalid-number", f"{where} is not an integer; truncated")
    return value


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_BLANKS = re.compile(rb">[ \t\r\n]+<")
_KNOWN_RECORD = frozenset(("row", "identifiers", "identities", "auth_results"))


def _convert_record(value: Any, log: WarningLog) -> AggregateRecord | None:
    rec = _node(value, "record", log)
    if not rec:
        log.add("aggregate.empty-record", "a <record> without content was skipped")
        return None
    row = _child(rec, "row", log)
    ids = (
        _child(rec, "identifiers", log) if "identifiers" in rec else _child(rec, "identities", log)
    )
    evaluated = _child(row, "policy_evaluated", log)
    count = _integer(_required(row, "count", "row", log), "row/count", log)
    if count is None or count < 0:
        count = 0
    extensions = (
        tuple(_flatten(k, v) for k, vs in rec.items() if k not in _KNOWN_RECORD for v in vs)
        if not rec.keys() <= _KNOWN_RECORD
        else ()
    )
    return AggregateRecord(
        source_ip=_source_ip(_required(row, "source_ip", "row", log), log),
        count=count,
        disposition=_required_word(
            evaluated, "disposition", _DISPOSITIONS, "policy_evaluated", log
        ),
        dkim=_required_word(evaluated, "dkim", _DMARC, "policy_evaluated", log),
        spf=_required_word(evaluated, "spf", _DMARC, "policy_evaluated", log),
        header_from=_required(ids, "header_from", "identifiers", log)
        if ids or "header_from" not in row
        else _required(row, "header_from", "row", log),
        reasons=tuple(_reasons(evaluated, log)) if "reason" in evaluated else (),
        envelope_from=_leaf(ids, "envelope_from", log) or None,
        envelope_to=_leaf(ids, "envelope_to", log) or None,
        auth_results=_auth_results(_child(rec, "auth_results", log), log),
        extensions=extensions,
    )


def _reasons(evaluated: Node, log: WarningLog) -> Iterator[OverrideReason]:
    for value in evaluated.get("reason", ()):
        reason = _node(value, "reason", log)
        kind = _word(_leaf(reason, "type", log), _OVERRIDES, "reason/type", log)
        comment = _leaf(reason, "comment", log) or None
        if not kind:
            log.add("aggregate.empty-reason", "a <reason> without a type was skipped")
            continue
        yield OverrideReason(kind, comment)


def _auth_results(auth: Node, log: WarningLog) -> tuple[AuthResult, ...]:
    results: list[AuthResult] = []
    for value in auth.get("dkim", ()):
        node = _node(value, "dkim", log)
        selector = _leaf(node, "selector", log)
        if not selector:
            log.add("aggregate.missing-field", "auth_results/dkim/selector is missing or empty")
        results.append(
            AuthResult(
                "dkim",
                _leaf(node, "domain", log) or "",
                _required_word(node, "result", _DKIM, "auth_results/dkim", log),
                selector=selector or None,
                human_result=_leaf(node, "human_result", log) or None,
            )
        )
    for value in auth.get("spf", ()):
        node = _node(value, "spf", log)
        results.append(
            AuthResult(
                "spf",
                _leaf(node, "domain", log) or "",
                _required_word(node, "result", _SPF, "auth_results/spf", log),
                scope=_word(_leaf(node, "scope", log), _SCOPES, "auth_results/spf/scope", log),
                human_result=_leaf(node, "human_result", log) or None,
            )
        )
    return tuple(results)


def _flatten(name: str, value: Any) -> tuple[str, str]:
    """Return an extension element as (name, text); nested elements as ``name/child``."""
    if not isinstance(value, dict):
        return (name, value)
    parts = [f"{k}={_flatten(k, v)[1]}" for k, vs in value.items() for v in vs]
    return (name, "; ".join(parts))


def _timestamp(node: Node, name: str, log: WarningLog) -> dt.datetime | None:
    seconds = _integer(_required(node, name, "date_range", log), f"date_range/{name}", log)
    if seconds is None:
        return None
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        log.add("aggregate.invalid-number", f"date_range/{name} is out of range")
        return None


def _metadata(top: dict[str, Any], log: WarningLog) -> ReportMetadata:
    meta = _node(top.get("report_metadata"), "report_metadata", log)
    if not meta:
        log.add("aggregate.missing-field", "report_metadata is missing")
    email = _required(meta, "email", "report_metadata", log)
    org_name = _required(meta, "org_name", "report_metadata", log)
    if not org_name and "@" in email:
        org_name = email.rpartition("@")[2].strip("<> ")
    dates = _child(meta, "date_range", log)
    errors = tuple(e for e in meta.get("error", ()) if isinstance(e, str) and e)
    return ReportMetadata(
        org_name=org_name,
        email=email,
        report_id=_required(meta, "report_id", "report_metadata", log),
        begin=_timestamp(dates, "begin", log),
        end=_timestamp(dates, "end", log),
        extra_contact_info=_leaf(meta, "extra_contact_info", log) or None,
        errors=errors,
        generator=_leaf(meta, "generator", log) or None,
    )


def _policy(top: dict[str, Any], log: WarningLog) -> PublishedPolicy:
    pol = _node(top.get("policy_published"), "policy_published", log)
    if not pol:
        log.add("aggregate.missing-field", "policy_published is missing")

    def word(name: str, table: dict[str, Any]) -> str | None:
        return _word(_leaf(pol, name, log), table, f"policy_published/{name}", log)

    p = word("p", _POLICIES)
    if p is None:
        log.add("aggregate.missing-field", "policy_published/p is missing or empty")
    _defaults(pol, {"sp": "p", "adkim": "r", "aspf": "r"}, log)
    return PublishedPolicy(
        domain=_required(pol, "domain", "policy_published", log),
        p=p,
        sp=word("sp", _POLICIES),
        np=word("np", _POLICIES),
        adkim=word("adkim", _ALIGNMENTS),
        aspf=word("aspf", _ALIGNMENTS),
        pct=_integer(_leaf(pol, "pct", log), "policy_published/pct", log),
        fo=_leaf(pol, "fo", log) or None,
        testing=word("testing", _TESTING),
        discovery_method=word("discovery_method", _DISCOVERY),
    )


def _defaults(pol: Node, defaults: dict[str, str], log: WarningLog) -> None:
    """Record optional policy fields that were not reported, and the default that applies."""
    for name, default in defaults.items():
        if not _leaf(pol, name, WarningLog()):
            log.add(
                "aggregate.default-applied",
                f"policy_published/{name} is absent; the DMARC default ({default}) applies",
            )


def _schema(top: dict[str, Any], namespace: str | None, meta: ReportMetadata) -> Schema:
    policy = top.get("policy_published")
    new_fields = isinstance(policy, dict) and any(f in policy for f in _RFC9990_POLICY)
    if namespace == RFC9990_NAMESPACE or new_fields or meta.generator is not None:
        return Schema.RFC9990
    if "version" in top:
        return Schema.RFC7489
    return Schema.DRAFT


class AggregateStream:
    """An aggregate report read incrementally from a binary stream.

    ``opener`` returns a fresh stream of the report's bytes (it is called again if the report
    must be re-read in repair mode). The header (``metadata``, ``policy``, ``schema``) is
    available after the first record or the end of the report; ``records()`` produces the
    records one at a time; ``warnings`` is complete once the records are exhausted;
    ``report()`` collects everything into a frozen :class:`AggregateReport`.
    Raises ``InvalidReport`` (with ``source`` and ``reason``) when the XML cannot be parsed
    even in repair mode, or uses a DOCTYPE or entities.
    """

    kind = ReportKind.AGGREGATE

    def __init__(
        self,
        opener: Callable[[], BinaryIO],
        *,
        source: str = "",
        limits: Limits | None = None,
        log: WarningLog | None = None,
    ) -> None:
        self.source = source
        self._opener = opener
        self._limits = limits or Limits()
        self._outer = log or WarningLog()
        self._log = WarningLog()
        self._engine: _Engine | None = None
        self._iterator: Iterator[AggregateRecord] | None = None
        self._queued: deque[AggregateRecord] = deque()
        self._done = False

    # header ---------------------------------------------------------------

    def _header_engine(self) -> _Engine:
        """Parse until a record or the end, so that the header is complete."""
        while not self._done and (self._engine is None or not self._engine.out):
            if not self._advance():
                break
        assert self._engine is not None
        return self._engine

    @property
    def metadata(self) -> ReportMetadata:
        """Return ``report_metadata`` (parses up to the first record)."""
        return _metadata(self._header_engine().top, WarningLog())

    @property
    def policy(self) -> PublishedPolicy:
        """Return ``policy_published`` (parses up to the first record)."""
        return _policy(self._header_engine().top, WarningLog())

    @property
    def identity(self) -> ReportIdentity:
        """Return the report's identity (reporter, report id, policy domain, period)."""
        m = self.metadata
        return ReportIdentity(
            ReportKind.AGGREGATE, m.org_name, m.report_id, self.policy.domain, m.begin, m.end
        )

    @property
    def warnings(self) -> tuple[ReportWarning, ...]:
        """Return the warnings so far (complete once every record has been read)."""
        log = WarningLog()
        for w in self._outer.freeze() + self._log.freeze():
            log.add(w.code, w.message, w.count)
        if self._engine is not None and self._done:
            _metadata(self._engine.top, log)
            _policy(self._engine.top, log)
        return log.freeze()

    # records --------------------------------------------------------------

    def records(self) -> Iterator[AggregateRecord]:
        """Yield the records one at a time, parsing as they are consumed."""
        while True:
            while self._queued:
                yield self._queued.popleft()
            if self._done or not self._advance():
                return

    def __iter__(self) -> Iterator[AggregateRecord]:
        return self.records()

    def _advance(self) -> bool:
        """Parse one more chunk; queue finished records; False at the end."""
        if self._iterator is None:
            self._iterator = self._run()
        try:
            self._queued.append(next(self._iterator))
        except StopIteration:
            self._done = True
            return False
        return True

    def _run(self) -> Iterator[AggregateRecord]:
        emitted = 0
        try:
            for record in self._parse(repair=False):
                emitted += 1
                yield record
            return
        except (expat.ExpatError, LookupError, UnicodeError):
            pass  # not well-formed, or an encoding expat cannot use: read again in repair mode
        self._log.clear()
        skip = emitted
        for record in self._parse(repair=True):
            if skip:
                skip -= 1
                continue
            yield record

    def _parse(self, *, repair: bool) -> Iterator[AggregateRecord]:
        engine = self._engine = _Engine(self._limits, self._log)
        parser = engine.parser
        with self._opener() as stream:
            try:
                chunks: Iterator[Any] = (
                    repaired_text(stream, self._log) if repair else _chunks(stream)
                )
                feeder = None if repair else _FastFeeder(engine)
                for chunk in chunks:
                    if engine.finished and repair:
                        _trailing(chunk, self._log)
                        continue
                    if feeder is not None:
                        feeder.feed(chunk)
                    else:
                        parser.Parse(chunk, False)
                    engine.check_text_size()
                    yield from _drain(engine.out)
                if feeder is not None:
                    feeder.flush()
                parser.Parse(b"" if not repair else "", True)
            except _Forbidden as error:
                raise InvalidReport(self.source, str(error)) from None
            except expat.ExpatError as error:
                if not repair:
                    raise
                if not engine.finished:
                    raise InvalidReport(self.source, _describe(error)) from None
                self._log.add("aggregate.trailing-text", "text after </feedback> ignored")
        if not engine.root_seen:
            raise InvalidReport(self.source, "no <feedback> element")
        yield from _drain(engine.out)
        if repair:
            self._log.add("aggregate.repaired", "the XML was not well-formed and was repaired")
        if not engine.records:
            self._log.add("aggregate.no-records", "the report has no <record>")

    def report(self) -> AggregateReport:
        """Read everything and return the complete, frozen report."""
        records = tuple(self.records())
        engine = self._header_engine()
        log = WarningLog()
        meta = _metadata(engine.top, log)
        policy = _policy(engine.top, log)
        extension = engine.top.get("extension")
        return AggregateReport(
            metadata=meta,
            policy=policy,
            records=records,
            schema=_schema(engine.top, engine.namespace, meta),
            version=engine.top.get("version")
            if isinstance(engine.top.get("version"), str)
            else None,
            namespace=engine.namespace,
            extensions=(_flatten("extension", extension),) if extension else (),
            warnings=self.warnings,
            source=self.source,
        )

    @property
    def schema(self) -> Schema:
        """Return which schema the report follows (parses up to the first record)."""
        engine = self._header_engine()
        return _schema(engine.top, engine.namespace, self.metadata)


class _FastFeeder:
    """Feeds a report to expat, taking records in their usual form through the fast path.

    Everything but those records goes to expat in order, so expat still checks the document
    and builds the header. A record is taken by :func:`fast_record` only when expat stands
    directly inside ``<feedback>`` and nothing seen so far could hide markup (a comment, a
    CDATA section, a processing instruction, a DOCTYPE); otherwise it goes to expat too.
    """

    def __init__(self, engine: _Engine) -> None:
        self.engine = engine
        self.parse = engine.parser.Parse
        self.carry = b""
        self.enabled = engine.max_depth > _FAST_DEPTH
        self.started = False
        self.tail = b""  # the last byte of the previous gap: a "<" there may open markup

    def feed(self, chunk: bytes) -> None:
        """Parse ``chunk`` (and what was held back before it); hold back a cut record."""
        data = self.carry + chunk if self.carry else chunk
        self.carry = b""
        pos = self._prolog(data) if not self.started else 0
        find, engine = data.find, self.engine
        limit = engine.limits.max_field_bytes
        while self.enabled:
            start = find(RECORD_START, pos)
            if start < 0:
                break
            end = find(RECORD_END, start)
            if end < 0:
                if len(data) - start <= _MAX_CARRY:
                    self._gap(data, pos, start)
                    self.carry = data[start:]
                    return
                break
            end += len(RECORD_END)
            self._gap(data, pos, start)
            record = None
            if self.enabled and len(engine.frames) == 1 and not engine.buf and end - start <= limit:
                record = fast_record(data[start:end])
            self.tail = b""
            if record is None:
                self.parse(_BLANKS.sub(b"><", data[start:end]), False)
            else:
                engine.records += 1
                engine.out.append(record)
            pos = end
        self._gap(data, pos, len(data))

    def flush(self) -> None:
        """Parse what is still held back."""
        if self.carry:
            self.parse(_BLANKS.sub(b"><", self.carry), False)
            self.carry = b""

    def _gap(self, data: bytes, start: int, end: int) -> None:
        """Parse ``data[start:end]`` with the blanks between its tags removed (fewer callbacks),
        blanks next to the tags around it included (the bytes around are ``>`` and ``<`` when
        the gap lies between two records)."""
        if start == end:
            return
        low, high = max(start - 1, 0), min(end + 1, len(data))
        gap = _BLANKS.sub(b"><", data[low:high])
        gap = gap[start - low : len(gap) - (high - end)]
        if not gap:
            return
        seen = self.tail + gap  # "<" | "!--" cut by a read boundary still opens a comment
        if b"<!" in seen or b"<?" in seen:
            self.enabled = False
        self.tail = gap[-1:]
        self.parse(gap, False)

    def _prolog(self, data: bytes) -> int:
        """Parse the XML declaration; disable the fast path unless it says UTF-8 or ASCII."""
        self.started = True
        if not data.startswith(b"<?xml"):
            self.enabled = self.enabled and not data.startswith(b"\xef\xbb\xbf")
            return 0
        end = data.find(b"?>")
        if end < 0:
            self.enabled = False
            return 0
        declaration = data[: end + 2]
        encoding = _ENCODING.search(declaration)
        if encoding is not None and encoding[1].lower() not in _FAST_ENCODINGS:
            self.enabled = False
        self.parse(declaration, False)
        return end + 2


_FAST_DEPTH = 5  # the deepest element of a usual record: feedback/record/auth_results/dkim/domain
_MAX_CARRY = 1 << 18  # a record cut by a chunk boundary is held back up to this size
_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_FAST_ENCODINGS = (b"utf-8", b"utf8", b"us-ascii", b"ascii")


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    """Yield the stream in chunks; blank lines before the XML declaration, common in the
    wild, are dropped. The feeder removes the blanks between tags of what goes to expat."""
    chunk = stream.read(_CHUNK)
    stripped = chunk.lstrip()
    if stripped.startswith(b"<"):
        chunk = stripped
    while chunk:
        yield chunk
        chunk = stream.read(_CHUNK)


def _drain(out: deque[AggregateRecord]) -> Iterator[AggregateRecord]:
    while out:
        yield out.popleft()


def _trailing(chunk: str, log: WarningLog) -> None:
    if chunk.strip():
        log.add("aggregate.trailing-text", "text after </feedback> ignored")


def _describe(error: expat.ExpatError) -> str:
    what = expat.ErrorString(error.code)
    return f"not well-formed XML: {what} at line {error.lineno}, column {error.offset + 1}"


def parse_aggregate(
    data: bytes, *, source: str = "", limits: Limits | None = None
) -> AggregateReport:
    """Return the aggregate report in ``data`` (plain XML bytes).

    Raises ``InvalidReport`` when it cannot be parsed even in repair mode.
    """
    import io

    return AggregateStream(lambda: io.BytesIO(data), source=source, limits=limits).report()
