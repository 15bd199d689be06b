"""``mailwarden dkim keygen|sign|verify|probe``: thin adapters over ``mailwarden.dkim``."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import BinaryIO

import click

from mailwarden import dkim
from mailwarden.cli.app import EXIT_ENVIRONMENT, EXIT_FAILED, cli
from mailwarden.cli.check_cmd import no_nxdomain_cut_option
from mailwarden.cli.render import console, echo_json, err_console
from mailwarden.cli.settings import Settings, global_options, pass_settings
from mailwarden.dkim.message import to_crlf
from mailwarden.dns import validate_domain
from mailwarden.errors import InputError
from mailwarden.findings import Severity
from mailwarden.inputs import MAX_MESSAGE_BYTES, read_input

__all__ = ["dkim_group"]


@cli.group("dkim")
def dkim_group() -> None:
    """Generate DKIM keys, sign and verify messages, find published selectors."""


@dkim_group.command("keygen")
@click.option("--domain", "-d", required=True, help="Signing domain (d=).")
@click.option("--selector", "-s", required=True, help="Selector (s=), e.g. admin-mag.")
@click.option(
    "--algorithm",
    "-a",
    type=click.Choice(["rsa", "ed25519"]),
    default="rsa",
    show_default=True,
    help="Key type.",
)
@click.option("--bits", type=int, default=2048, show_default=True, help="RSA key size.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory for S.private and S.txt.",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@global_options
@pass_settings
def keygen(
    settings: Settings,
    domain: str,
    selector: str,
    algorithm: str,
    bits: int,
    out_dir: Path,
    force: bool,
) -> None:
    """Write DIR/S.private (PEM, mode 0600) and DIR/S.txt (the zone line), print the record.

    RSA keys under 1024 bits are refused. Exit 0, or 2 for bad options or existing files.
    """
    domain = validate_domain(domain)
    key = dkim.generate_key(algorithm, bits)
    line = dkim.zone_line(domain, selector, key.record)
    private_path, txt_path = out_dir / f"{selector}.private", out_dir / f"{selector}.txt"
    for path in (private_path, txt_path):
        if path.exists() and not force:
            raise InputError(f"{path} exists; use --force to overwrite it")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_private(private_path, key.private_pem)
        txt_path.write_text(line + "\n", encoding="ascii")
    except OSError as exc:
        raise InputError(f"cannot write the key files: {exc}") from None
    if settings.json:
        echo_json(
            {
                "domain": domain,
                "selector": selector,
                "algorithm": key.algorithm,
                "bits": key.bits,
                "name": f"{selector}._domainkey.{domain}",
                "record": key.record,
                "zone_line": line,
                "private_key": str(private_path),
                "txt": str(txt_path),
            }
        )
        return
    click.echo(line)
    err_console().print(
        f"private key: {private_path} (mode 0600); record: {txt_path}", markup=False
    )


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(data)


@dkim_group.command("sign")
@click.argument("message", default="-", metavar="[MESSAGE|-]")
@click.option("--domain", "-d", required=True, help="Signing domain (d=).")
@click.option("--selector", "-s", required=True, help="Selector (s=).")
@click.option(
    "--key",
    "key_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Private key file (PEM, or a base64 Ed25519 seed).",
)
@click.option(
    "--canonicalization",
    "-c",
    default="relaxed/relaxed",
    show_default=True,
    help="Header/body canonicalization.",
)
@click.option("--headers", default=None, help="Comma-separated fields to sign (default: RFC 6376).")
@click.option("--algorithm", "-a", default=None, help="rsa-sha256, ed25519-sha256 (from the key).")
@global_options
@pass_settings
def sign_cmd(
    settings: Settings,
    message: str,
    domain: str,
    selector: str,
    key_file: Path,
    canonicalization: str,
    headers: str | None,
    algorithm: str | None,
) -> None:
    """Sign MESSAGE (a file, or - for stdin) and write the signed message to stdout.

    The output keeps the input's line ends (LF input gives an LF signature field).
    Exit 0, or 2 for an unreadable key or message.
    """
    data = _read(message)
    header = dkim.sign(
        data,
        domain=domain,
        selector=selector,
        private_key=_read(str(key_file)),
        algorithm=algorithm,
        canonicalization=canonicalization,
        headers=[h for h in headers.split(",")] if headers else None,
    )
    if to_crlf(data) is not data:  # LF-only input: answer in kind
        header = header.replace(b"\r\n", b"\n")
    out: BinaryIO = sys.stdout.buffer
    out.write(header + data)
    out.flush()


@dkim_group.command("verify")
@click.argument("message", default="-", metavar="[MESSAGE|-]")
@click.option("--allow-sha1", is_flag=True, help="Accept rsa-sha1 signatures (RFC 8301 forbids).")
@global_options
@pass_settings
def verify_cmd(settings: Settings, message: str, allow_sha1: bool) -> None:
    """Verify every DKIM signature of MESSAGE and print one line per signature.

    Exit 0 only when there is at least one signature and all pass; 3 when the only
    failures are key lookups (DNS); otherwise 1.
    """
    data = _read(message)
    results = asyncio.run(dkim.verify(data, resolver=settings.resolver(), allow_sha1=allow_sha1))
    if settings.json:
        echo_json([_result_json(r) for r in results])
    else:
        _print_results(results)
    if results and all(r.passed for r in results):
        return
    ctx = click.get_current_context()
    temporary = {dkim.DkimStatus.PASS, dkim.DkimStatus.TEMPERROR}
    if results and all(r.result in temporary for r in results):
        ctx.exit(EXIT_ENVIRONMENT)
    ctx.exit(EXIT_FAILED)


def _result_json(result: dkim.DkimResult) -> dict[str, object]:
    return {
        "domain": result.domain,
        "selector": result.selector,
        "algorithm": result.algorithm,
        "result": result.result.value,
        "reason": result.reason,
        "detail": result.detail,
        "key_bits": result.key_bits,
        "identity": result.identity,
        "body_length": result.body_length,
        "unsigned_body_bytes": result.unsigned_body_bytes,
        "testing": result.testing,
    }


def _print_results(results: list[dkim.DkimResult]) -> None:
    out = console()
    if not results:
        out.print("no DKIM signature")
    for r in results:
        bits = f", {r.key_bits}-bit key" if r.key_bits else ""
        extra = ""
        if r.body_length is not None:
            extra = f"; l={r.body_length}, {r.unsigned_body_bytes or 0} body bytes unsigned"
        out.print(
            f"{r.result.value}: d={r.domain or '?'} s={r.selector or '?'} "
            f"a={r.algorithm or '?'}{bits} ({r.reason}: {r.detail}){extra}",
            markup=False,
        )


@dkim_group.command("probe")
@click.argument("domain")
@click.option(
    "--selectors", default=None, help="Comma-separated selectors (default: built-in list)."
)
@no_nxdomain_cut_option
@global_options
@pass_settings
def probe(settings: Settings, domain: str, selectors: str | None, no_nxdomain_cut: bool) -> None:
    """Look for DKIM keys of DOMAIN under common selectors and judge each key found.

    Exit 0 when no key has an error finding, 1 otherwise, 3 when every lookup failed.
    """
    wanted = [s for s in selectors.split(",") if s.strip()] if selectors else None
    result = asyncio.run(
        dkim.probe_selectors(
            domain,
            resolver=settings.resolver(),
            selectors=wanted,
            nxdomain_cut=not no_nxdomain_cut,
        )
    )
    if settings.json:
        echo_json(result)
    else:
        _print_probe(result)
    ctx = click.get_current_context()
    if result.failed and len(result.failed) == len(result.selectors_tried):
        ctx.exit(EXIT_ENVIRONMENT)
    if any(f.severity is Severity.ERROR for k in result.keys for f in k.findings):
        ctx.exit(EXIT_FAILED)


def _print_probe(result: dkim.DkimProbeResult) -> None:
    out = console()
    out.print(
        f"{result.domain}: {len(result.keys)} DKIM key(s) under "
        f"{len(result.selectors_tried)} selectors tried",
        markup=False,
    )
    for key in result.keys:
        size = f"{key.key_bits}-bit " if key.key_bits else ""
        flags = f" t={':'.join(key.flags)}" if key.flags else ""
        state = "valid" if key.valid else "unusable"
        out.print(f"  {key.selector}: {size}{key.key_type or '?'}{flags}, {state}", markup=False)
        for finding in key.findings:
            out.print(
                f"    {finding.severity.value} {finding.code}: {finding.message}", markup=False
            )
    if result.failed:
        out.print(f"  lookup failed for: {', '.join(result.failed)}", markup=False)


def _read(path: str) -> bytes:
    """Return the bytes of file ``path``, or of stdin for ``-``.

    Raises ``InputError`` when the file cannot be read, is a device or is over
    ``MAX_MESSAGE_BYTES``.
    """
    return read_input(path, limit=MAX_MESSAGE_BYTES, stdin=True)
