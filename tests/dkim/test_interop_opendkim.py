"""Interoperability with OpenDKIM: its test mode (``opendkim -t``) signs and verifies offline.

Public keys reach OpenDKIM through a ``TestPublicKeys`` file, so no DNS is involved.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mailwarden.dkim import DkimStatus, sign, verify
from tests.dkim.conftest import MESSAGE, Keys, resolver_for

CANONS = ["simple/simple", "relaxed/relaxed", "simple/relaxed", "relaxed/simple"]
_RESULT = re.compile(r"dkim=(\w+)")
_SIGNATURE = re.compile(r"hname='DKIM-Signature' hvalue='([^']*)'", re.S)


@pytest.fixture(scope="module")
def opendkim() -> str:
    """The opendkim binary."""
    found = shutil.which("opendkim") or shutil.which("opendkim", path="/usr/sbin:/sbin")
    if found is None:
        pytest.skip("opendkim not installed: apt-get install opendkim opendkim-tools")
    return found


def _run(binary: str, conf: Path, message: Path) -> str:
    done = subprocess.run([binary, "-x", str(conf), "-vv", "-t", str(message)],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    return done.stdout + done.stderr


def _opendkim_verify(binary: str, tmp: Path, message: bytes, record: str) -> str:
    """Return OpenDKIM's dkim= result for ``message`` with ``record`` at sel._domainkey."""
    (tmp / "keys").write_text(f"sel._domainkey.example.com {record}\n")
    conf = tmp / "verify.conf"
    conf.write_text(f"Mode v\nSyslog no\nTestPublicKeys {tmp / 'keys'}\n")
    (tmp / "in.eml").write_bytes(message)
    output = _run(binary, conf, tmp / "in.eml")
    found = _RESULT.search(output)
    assert found is not None, output
    return found.group(1)


def _opendkim_sign(binary: str, tmp: Path, key_pem: bytes, algorithm: str, canon: str) -> bytes:
    """Return the DKIM-Signature field OpenDKIM makes for MESSAGE."""
    (tmp / "sel.private").write_bytes(key_pem)
    conf = tmp / "sign.conf"
    conf.write_text(
        "Mode s\nSyslog no\nRequireSafeKeys false\nDomain example.com\nSelector sel\n"
        f"KeyFile {tmp / 'sel.private'}\nCanonicalization {canon}\n"
        f"SignatureAlgorithm {algorithm}-sha256\n"
    )
    (tmp / "plain.eml").write_bytes(MESSAGE)
    output = _run(binary, conf, tmp / "plain.eml")
    found = _SIGNATURE.search(output)
    assert found is not None, output
    return b"DKIM-Signature: " + found.group(1).replace("\n", "\r\n").encode() + b"\r\n"


@pytest.mark.parametrize("canon", CANONS)
@pytest.mark.parametrize("algorithm", ["rsa", "ed25519"])
def test_opendkim_verifies_mailwarden(
    opendkim: str, tmp_path: Path, keys: Keys, algorithm: str, canon: str
) -> None:
    """OpenDKIM passes what mailwarden signed and fails it once the body changes."""
    key = getattr(keys, algorithm)
    header = sign(MESSAGE, domain="example.com", selector="sel", private_key=key.private_pem,
                  canonicalization=canon)  # fmt: skip
    assert _opendkim_verify(opendkim, tmp_path, header + MESSAGE, key.record) == "pass"
    tampered = header + MESSAGE.replace(b"test message", b"test massage")
    assert _opendkim_verify(opendkim, tmp_path, tampered, key.record) == "fail"


# OpenDKIM's Ed25519 signatures with simple header canonicalization are covered by
# test_opendkim_ed25519_simple_header_defect below.
OPENDKIM_SIGNED = [("rsa", c) for c in CANONS] + [("ed25519", c) for c in CANONS[1::2]]


@pytest.mark.parametrize(("algorithm", "canon"), OPENDKIM_SIGNED)
async def test_mailwarden_verifies_opendkim(
    opendkim: str, tmp_path: Path, keys: Keys, algorithm: str, canon: str
) -> None:
    """mailwarden passes what OpenDKIM signed and fails it once the body changes."""
    key = getattr(keys, algorithm)
    header = _opendkim_sign(opendkim, tmp_path, key.private_pem, algorithm, canon)
    resolver = resolver_for(sel=key.record)
    result = (await verify(header + MESSAGE, resolver=resolver))[0]
    assert (result.result, result.algorithm, result.canonicalization) == (
        DkimStatus.PASS,
        f"{algorithm}-sha256",
        canon,
    )
    tampered = header + MESSAGE.replace(b"test message", b"test massage")
    assert (await verify(tampered, resolver=resolver))[0].result is DkimStatus.FAIL


async def test_signed_by_both(opendkim: str, tmp_path: Path, keys: Keys) -> None:
    """OpenDKIM's RSA signature and mailwarden's Ed25519 one on one message: both pass in both."""
    theirs = _opendkim_sign(opendkim, tmp_path, keys.rsa.private_pem, "rsa", "relaxed/relaxed")
    ours = sign(theirs + MESSAGE, domain="example.com", selector="ed",
                private_key=keys.ed25519.private_pem)  # fmt: skip
    signed = ours + theirs + MESSAGE
    resolver = resolver_for(sel=keys.rsa.record, ed=keys.ed25519.record)
    results = await verify(signed, resolver=resolver)
    assert [(r.selector, r.result) for r in results] == [
        ("ed", DkimStatus.PASS),
        ("sel", DkimStatus.PASS),
    ]
    (tmp_path / "keys").write_text(
        f"sel._domainkey.example.com {keys.rsa.record}\n"
        f"ed._domainkey.example.com {keys.ed25519.record}\n"
    )
    conf = tmp_path / "both.conf"
    conf.write_text(f"Mode v\nSyslog no\nTestPublicKeys {tmp_path / 'keys'}\n")
    (tmp_path / "both.eml").write_bytes(signed)
    assert _RESULT.findall(_run(opendkim, conf, tmp_path / "both.eml")) == ["pass", "pass"]


@pytest.mark.parametrize("canon", ["simple/simple", "simple/relaxed"])
async def test_opendkim_ed25519_simple_header_defect(
    opendkim: str, tmp_path: Path, keys: Keys, canon: str
) -> None:
    """OpenDKIM's Ed25519 signature under simple header canonicalization fails everywhere.

    OpenDKIM 2.11's own verifier rejects it as mailwarden does (dkimpy too), while OpenDKIM
    passes mailwarden's Ed25519 simple/simple signatures: the defect is in its signer.
    """
    key = keys.ed25519
    header = _opendkim_sign(opendkim, tmp_path, key.private_pem, "ed25519", canon)
    signed = header + MESSAGE
    ours = (await verify(signed, resolver=resolver_for(sel=key.record)))[0]
    theirs = _opendkim_verify(opendkim, tmp_path, signed, key.record)
    if theirs == "pass":  # a fixed OpenDKIM: then mailwarden must pass it as well
        assert ours.result is DkimStatus.PASS
    else:
        assert (theirs, ours.reason) == ("fail", "signature-mismatch")
