"""Key generation: key pairs, records, and zone lines that load back into a resolver."""

from __future__ import annotations

import pytest

from mailwarden.dkim import DkimStatus, generate_key, parse_key_record, sign, verify, zone_line
from mailwarden.errors import InputError
from mailwarden.testing import ZoneResolver
from tests.dkim.conftest import MESSAGE


@pytest.mark.parametrize(("algorithm", "bits"), [("rsa", 2048), ("rsa", 1024), ("ed25519", 256)])
async def test_generated_keys_sign_and_verify(algorithm: str, bits: int) -> None:
    """A generated key's record parses to its size and verifies what the key signs."""
    key = generate_key(algorithm, bits)
    record = parse_key_record(key.record)
    assert (record.key_type, record.key_bits, key.bits) == (algorithm, bits, bits)
    line = zone_line("example.com", "admin-mag", key.record)
    resolver = ZoneResolver.from_text("$TTL 300\n" + line + "\n", "example.com")
    header = sign(MESSAGE, domain="example.com", selector="admin-mag", private_key=key.private_pem)
    assert (await verify(header + MESSAGE, resolver=resolver))[0].result is DkimStatus.PASS


def test_zone_line_splits_strings_at_255() -> None:
    """The TXT value is cut into quoted strings of at most 255 characters."""
    key = generate_key("rsa", 3072)
    line = zone_line("example.com", "s1", key.record)
    strings = line.split("TXT\t", 1)[1].split('" "')
    assert line.startswith("s1._domainkey.example.com.\t3600\tIN\tTXT\t")
    assert len(strings) == 3
    assert all(len(s.strip('"')) <= 255 for s in strings)
    assert "".join(s.strip('"') for s in strings) == key.record


@pytest.mark.parametrize(("algorithm", "bits"), [("rsa", 512), ("rsa", 1023), ("dsa", 2048)])
def test_weak_or_unknown_keys_refused(algorithm: str, bits: int) -> None:
    """RSA under 1024 bits and unknown algorithms are refused."""
    with pytest.raises(InputError):
        generate_key(algorithm, bits)


@pytest.mark.parametrize("selector", ["", "../../escape", "a..b", "a b", "s/1"])
def test_zone_line_refuses_invalid_selectors(selector: str) -> None:
    """A selector that is not a DNS name (it also names the key files) raises InputError."""
    with pytest.raises(InputError, match="not a valid selector"):
        zone_line("example.com", selector, "v=DKIM1; p=")
