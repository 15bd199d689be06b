"""DMARC failure reports: ARF (RFC 6591, RFC 9991) and the plain-text ones some MTAs send.

The input is a parsed ``email.message.Message``: the ``multipart/report`` holding a
``message/feedback-report`` part (ARF), or a mail whose only content is human-readable text
with labelled lines (``Sender Domain: example.com``) and a copy of the original headers.
"""

from __future__ import annotations

import datetime as dt
import email.message
import email.parser
import email.utils
import hashlib
import re
from collections.abc import Iterable
from email.header import decode_header, make_header

from mailwarden.reports._warn import WarningLog
from mailwarden.reports.extract import subparts
from mailwarden.reports.model import FailureReport, InvalidReport

__all__ = ["parse_failure"]

_LABEL = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 -]{1,40}):[ \t]*(.*?)\s*$")
_COPY_MARKER = re.compile(r"^-{2,}.*(?:headers|original message)", re.I)
_MAX_ORIGINAL = 1 << 20


def parse_failure(
    message: email.message.Message, *, source: str = "", log: WarningLog | None = None
) -> FailureReport:
    """Return the failure report in ``message`` (ARF when it has a feedback part).

    Raises ``InvalidReport`` when neither an ARF part nor labelled text naming the
    reported domain is found.
    """
    log = log or WarningLog()
    feedback = _find(message, "message/feedback-report")
    if feedback is not None:
        return _arf(message, feedback, source, log)
    return _plain_text(message, source, log)


def _find(message: email.message.Message, ctype: str) -> email.message.Message | None:
    for part in subparts(message):
        if part.get_content_type() == ctype:
            return part
    return None


def _header(message: email.message.Message, name: str) -> str:
    value = message.get(name)
    if value is None:
        return ""
    try:
        return " ".join(str(make_header(decode_header(str(value)))).split())
    except (UnicodeError, LookupError, ValueError):
        return " ".join(str(value).split())


def _fields(part: email.message.Message) -> list[tuple[str, str]]:
    body = part.get_payload()
    if isinstance(body, list) and body and isinstance(body[0], email.message.Message):
        inner = body[0]
    else:
        raw = part.get_payload(decode=True)
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(body)
        inner = email.parser.HeaderParser().parsestr(text.lstrip())
    return [(name, " ".join(str(value).split())) for name, value in inner.items()]


def _date(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _domain(address: str) -> str:
    return email.utils.parseaddr(address)[1].rpartition("@")[2].lower().strip(">")


def _report_id(message: email.message.Message, fields: Iterable[tuple[str, str]]) -> str:
    message_id = _header(message, "Message-ID").strip("<> ")
    if message_id:
        return message_id
    digest = hashlib.sha256(repr(list(fields)).encode("utf-8", "replace")).hexdigest()
    return f"sha256:{digest[:32]}"


def _words(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(w.strip().lower() for w in value.split(",") if w.strip())


def _original(message: email.message.Message) -> tuple[email.message.Message | None, str | None]:
    part = _find(message, "message/rfc822")
    if part is not None:
        inner = subparts(part)
        if inner:
            original = inner[0]
            try:
                text = original.as_string()
            except (UnicodeError, LookupError, KeyError, ValueError):
                text = None
            return original, text[:_MAX_ORIGINAL] if text else text
    part = _find(message, "text/rfc822-headers")
    if part is not None:
        raw = part.get_payload(decode=True)
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
        return email.parser.HeaderParser().parsestr(text.lstrip()), None
    return None, None


def _arf(
    message: email.message.Message,
    feedback: email.message.Message,
    source: str,
    log: WarningLog,
) -> FailureReport:
    fields = _fields(feedback)
    first: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in fields:
        key = name.lower()
        first.setdefault(key, value)
        multi.setdefault(key, []).append(value)
    original, original_text = _original(message)
    if original is None:
        log.add("failure.no-original", "the report carries no copy of the original message")
    headers = tuple((k, " ".join(str(v).split())) for k, v in original.items()) if original else ()
    domain = first.get("reported-domain", "")
    if not domain and original is not None:
        domain = _domain(_header(original, "From"))
        log.add("failure.missing-field", "Reported-Domain is missing; taken from the original From")
    if not domain:
        raise InvalidReport(source, "failure report names no reported domain")
    feedback_type = first.get("feedback-type")
    if feedback_type is None:
        log.add("failure.missing-field", "Feedback-Type is missing")
    elif feedback_type.lower() != "auth-failure":
        log.add("failure.unexpected-type", f"Feedback-Type is {feedback_type!r}, not auth-failure")
    return FailureReport(
        format="arf",
        reporter=_domain(_header(message, "From")) or first.get("reporting-mta", ""),
        report_id=_report_id(message, fields),
        reported_domain=domain.lower(),
        arrival_date=_date(first.get("arrival-date") or first.get("received-date"))
        or _date(_header(message, "Date")),
        feedback_type=feedback_type.lower() if feedback_type else None,
        auth_failure=_words(first.get("auth-failure")),
        identity_alignment=_words(first.get("identity-alignment")),
        source_ip=first.get("source-ip"),
        delivery_result=first.get("delivery-result"),
        original_mail_from=first.get("original-mail-from") or None,
        original_rcpt_to=tuple(v for v in multi.get("original-rcpt-to", ()) if v),
        original_envelope_id=first.get("original-envelope-id"),
        authentication_results=tuple(multi.get("authentication-results", ())),
        dkim_domain=first.get("dkim-domain"),
        dkim_identity=first.get("dkim-identity"),
        dkim_selector=first.get("dkim-selector"),
        spf_dns=first.get("spf-dns"),
        user_agent=first.get("user-agent"),
        version=first.get("version"),
        fields=tuple(fields),
        original_headers=headers,
        original_message=original_text,
        warnings=log.freeze(),
        source=source,
    )


def _text_body(message: email.message.Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not part.is_multipart():
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                charset = part.get_content_charset() or "utf-8"
                try:
                    return raw.decode(charset, "replace")
                except LookupError:
                    return raw.decode("utf-8", "replace")
    return ""


def _plain_text(message: email.message.Message, source: str, log: WarningLog) -> FailureReport:
    body = _text_body(message)
    labels: list[tuple[str, str]] = []
    copied: list[str] = []
    in_copy = False
    for line in body.splitlines():
        if in_copy:
            copied.append(line)
        elif _COPY_MARKER.match(line):
            in_copy = True
        elif match := _LABEL.match(line):
            labels.append((match.group(1).strip(), match.group(2)))
    found = {name.lower(): value for name, value in labels}
    domain = found.get("sender domain") or found.get("reported domain") or ""
    if not domain:
        raise InvalidReport(
            source, "no ARF part and no 'Sender Domain:' line: not a failure report"
        )
    log.add("failure.no-arf-part", "plain-text failure report without a machine-readable part")
    original = email.parser.HeaderParser().parsestr("\n".join(copied).lstrip("\n"))
    headers = tuple((k, " ".join(str(v).split())) for k, v in original.items())
    failed = tuple(
        method
        for method in ("dkim", "spf")
        if found.get(f"{method} alignment", "").strip().lower() in ("no", "fail", "false")
    )
    return FailureReport(
        format="text",
        reporter=_domain(_header(message, "From")),
        report_id=_report_id(message, labels),
        reported_domain=domain.lower(),
        arrival_date=_date(found.get("received date")) or _date(_header(message, "Date")),
        feedback_type=None,
        auth_failure=("dmarc",),
        identity_alignment=failed,
        source_ip=found.get("sender ip address") or found.get("source ip"),
        delivery_result=found.get("dmarc results"),
        original_mail_from=None,
        authentication_results=tuple(
            v for k, v in headers if k.lower() == "authentication-results"
        ),
        fields=tuple(labels),
        original_headers=headers,
        original_message=None,
        warnings=log.freeze(),
        source=source,
    )
