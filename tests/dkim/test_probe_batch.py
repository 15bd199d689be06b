"""The probe through resolve_many: same results as one query at a time, in one batch."""

from __future__ import annotations

import dns.message
import dns.rcode
import dns.rrset

from mailwarden.audit.distributed import ResolverSpec
from mailwarden.dkim import COMMON_SELECTORS, probe_selectors
from mailwarden.dns import DnsResolver
from mailwarden.dns.throttle import ThrottledResolver
from mailwarden.testing import ZoneResolver
from tests.dkim.conftest import Keys
from tests.dns.test_batch import Batching
from tests.dns.test_fastclient import serve


def key_data(keys: Keys) -> dict[str, dict[str, str]]:
    """Return a domain with three keys (one revoked) and an ordinary SPF record."""
    return {
        "example.com": {"TXT": "v=spf1 -all"},
        "default._domainkey.example.com": {"TXT": keys.rsa.record},
        "k1._domainkey.example.com": {"TXT": keys.ed25519.record + "; t=y"},
        "google._domainkey.example.com": {"TXT": "v=DKIM1; k=rsa; p="},
    }


async def test_batching_resolver_gives_the_same_probe(keys: Keys) -> None:
    """A resolver offering resolve_many gets every selector in one batch, same result."""
    plain = ZoneResolver.from_dict(key_data(keys))
    batching = Batching.from_dict(key_data(keys))
    assert isinstance(batching, Batching)
    expected = await probe_selectors("example.com", resolver=plain)
    got = await probe_selectors("example.com", resolver=batching)
    assert got == expected
    assert [k.selector for k in got.keys] == ["default", "google", "k1"]
    assert len(batching.batches) == 1 and len(batching.batches[0]) == len(COMMON_SELECTORS)


async def test_scan_resolver_stack_probes_like_the_plain_client(keys: Keys) -> None:
    """Through the scan's stack (throttle, cache, lean client) over UDP the probe equals the
    one made with DnsResolver, a selector that never answers listed as failed in both."""
    data = key_data(keys)

    def handler(query: dns.message.Message) -> list[bytes]:
        name = query.question[0].name.to_text(omit_final_dot=True).lower()
        if name.startswith("k2."):
            return []
        response = dns.message.make_response(query)
        text = data.get(name, {}).get("TXT")
        if text is not None:
            quoted = " ".join(f'"{text[i : i + 200]}"' for i in range(0, len(text), 200))
            response.answer.append(dns.rrset.from_text(name + ".", 300, "IN", "TXT", quoted))
        elif name != "_domainkey.example.com":  # the empty non-terminal above the keys
            response.set_rcode(dns.rcode.NXDOMAIN)
        return [response.to_wire()]

    _, server = await serve(handler)
    # A generous timeout: only k2 is meant to time out, even on a loaded machine.
    built, client = ResolverSpec(nameservers=(server,), timeout=1.0).build()
    assert client is not None
    stack = ThrottledResolver(built)
    got = await probe_selectors("example.com", resolver=stack)
    expected = await probe_selectors("example.com", resolver=DnsResolver([server], timeout=1.0))
    assert got == expected
    assert got.failed == ("k2",)
    assert [k.selector for k in got.keys] == ["default", "google", "k1"]
    assert stack.queries == 1 + len(COMMON_SELECTORS)
    assert client.queries_sent == 1 + len(COMMON_SELECTORS) + 1  # k2 asked again
    client.close()
