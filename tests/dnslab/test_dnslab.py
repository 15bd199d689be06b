"""The DNS lab: seeded generation, a manifest that matches the zones, NSD serving every domain."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from bench.dnslab import Lab, NsdServer, generate, load_lab, summarize
from bench.dnslab.dnslab import main as dnslab_main
from bench.dnslab.keypool import RSA_POOL
from bench.dnslab.keys import generate_rsa_public_b64
from bench.dnslab.load import blast, lab_questions
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from mailwarden.dns import DnsResolver, Status
from mailwarden.testing import ZoneResolver

SEED = 7
SPF_CAUSES = {
    None,
    "syntax",
    "lookup-limit",
    "void-lookup-limit",
    "multiple-records",
    "include-loop",
}
DMARC_CAUSES = {None, "syntax", "multiple-records"}
DKIM_CAUSES = {None, "revoked", "bad-base64", "not-a-key", "unknown-key-type"}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Lab:
    """A lab of 200 domains."""
    return generate(tmp_path_factory.mktemp("lab"), 200, seed=SEED)


@pytest.fixture(scope="module")
def zones(lab: Lab) -> ZoneResolver:
    """The lab's zone files loaded offline."""
    return ZoneResolver.from_zone_files(*lab.zone_files())


def _zone_texts(lab: Lab) -> dict[str, str]:
    return {p.name: p.read_text() for p in lab.zone_files()}


def test_same_seed_same_lab(tmp_path: Path) -> None:
    """Two labs with the same seed are identical; another seed gives another lab."""
    first = generate(tmp_path / "a", 30, seed=3)
    second = generate(tmp_path / "b", 30, seed=3)
    third = generate(tmp_path / "c", 30, seed=4)
    assert first.manifest == second.manifest
    assert _zone_texts(first) == _zone_texts(second)
    assert first.manifest != third.manifest


def test_small_lab_is_prefix_of_larger(tmp_path: Path) -> None:
    """Domain i depends only on the seed and i: 20 domains are the first 20 of 40."""
    small = generate(tmp_path / "small", 20, seed=5)
    large = generate(tmp_path / "large", 40, seed=5)
    assert large.manifest[:20] == small.manifest
    assert large.domains()[20] == "d000020.test"


def test_load_lab_round_trip(lab: Lab) -> None:
    """A lab read back from disk has the same manifest and zones."""
    again = load_lab(lab.root)
    assert again.manifest == lab.manifest
    assert again.origins == lab.origins
    assert all(path.is_file() for path in again.zone_files())


def test_manifest_schema(lab: Lab) -> None:
    """Every entry carries the documented keys with values from the documented sets."""
    for entry in lab.manifest:
        assert entry["profile"] in ("good", "weak", "broken")
        spf, dmarc, mx = entry["spf"], entry["dmarc"], entry["mx"]
        assert spf["cause"] in SPF_CAUSES
        assert spf["valid"] == (spf["present"] and spf["cause"] is None)
        assert spf["present"] == bool(spf["records"])
        assert spf["all"] in (None, "-all", "~all", "?all", "+all")
        assert dmarc["cause"] in DMARC_CAUSES
        assert dmarc["policy"] in (None, "none", "quarantine", "reject")
        assert dmarc["valid"] == (dmarc["policy"] is not None)
        assert dmarc["valid"] == (dmarc["present"] and dmarc["cause"] is None)
        assert mx["cause"] in (None, "mx-cname", "dangling")
        assert mx["valid"] == (mx["present"] and mx["cause"] is None)
        for key in entry["dkim"]["selectors"]:
            assert key["cause"] in DKIM_CAUSES
            assert key["key_type"] in ("rsa", "ed25519", "dsa")
        for name in ("mta_sts", "tls_rpt", "bimi"):
            assert set(entry[name]) == {"case", "present", "valid", "cause", "name", "record"}


def test_mix_covers_every_case(lab: Lab) -> None:
    """200 domains include good, weak and broken examples of each protocol."""
    spf_cases = {e["spf"]["case"] for e in lab.manifest}
    assert {"absent", "fail", "softfail", "long", "syntax", "lookup-limit"} <= spf_cases
    assert {"void-lookup-limit", "multiple-records", "include-loop"} <= spf_cases
    assert {"reject", "none", "syntax", "absent"} <= {e["dmarc"]["case"] for e in lab.manifest}
    authorized = {e["dmarc"]["external_authorized"] for e in lab.manifest}
    assert authorized == {None, True, False}
    assert any(e["spf"]["split"] for e in lab.manifest)
    assert {"null", "cname", "dangling"} <= {e["mx"]["case"] for e in lab.manifest}


def test_summary_adds_up(lab: Lab) -> None:
    """The expected statistics agree with the manifest: causes explain every invalid record."""
    summary = summarize(lab.manifest)
    assert summary["domains"] == 200 == sum(summary["profile"].values())
    for key in ("spf", "dmarc"):
        part = summary[key]
        assert part["present"] + part["case"].get("absent", 0) == 200
        assert sum(part["cause"].values()) == part["present"] - part["valid"]
    assert sum(summary["dmarc"]["policy"].values()) == summary["dmarc"]["valid"]
    assert sum(summary["dmarc"]["external_authorized"].values()) == summary["dmarc"]["rua_external"]
    valid_keys = sum(k["valid"] for e in lab.manifest for k in e["dkim"]["selectors"])
    assert sum(summary["dkim"]["keys"].values()) == valid_keys


def test_zone_resolver_serves_manifest_txt(lab: Lab, zones: ZoneResolver) -> None:
    """Offline, every TXT RRset the manifest lists is exactly what the zones hold."""
    for entry in lab.manifest:
        for owner, records in entry["txt"].items():
            answer = zones.lookup(owner, "TXT")
            assert sorted(answer.txt_strings()) == sorted(_as_bytes(records)), owner


def test_ground_truth_matches_data(lab: Lab, zones: ZoneResolver) -> None:
    """Dangling MX hosts, void SPF targets and report authorizations are as the manifest says."""
    for entry in lab.manifest:
        mx = entry["mx"]
        if mx["case"] == "dangling":
            assert zones.lookup(mx["hosts"][0], "A").status is Status.NXDOMAIN
        if mx["case"] == "cname":
            assert zones.lookup(mx["hosts"][0], "CNAME").status is Status.NOERROR
        if entry["spf"]["case"] == "void-lookup-limit":
            targets = [t[2:] for t in entry["spf"]["records"][0].split() if t.startswith("a:")]
            assert len(targets) == entry["spf"]["void_lookups"] >= 3
            assert all(zones.lookup(t, "A").is_void for t in targets)
        if entry["spf"]["case"] == "include-loop":
            back = zones.lookup(f"_spf.{entry['domain']}", "TXT").texts()
            assert back == [f"v=spf1 include:{entry['domain']} ~all"]
        if mx["case"] in ("provider", "own", "cname"):
            assert all(zones.lookup(host, "A").addresses() for host in mx["hosts"])
        for dest in entry["dmarc"]["destinations"]:
            if dest["external"]:
                name = f"{entry['domain']}._report._dmarc.{dest['domain']}"
                found = "v=DMARC1" in zones.lookup(name, "TXT").texts()
                assert found == dest["authorized"], name


def test_every_address_is_loopback(zones: ZoneResolver) -> None:
    """Every A record points into 127.0.0.0/8, so tools that connect stay on this machine."""
    addresses = [a for name in zones.names() for a in zones.lookup(name, "A").addresses()]
    assert len(addresses) > 200
    assert all(address.startswith("127.") for address in addresses)
    assert all(zones.lookup(name, "AAAA").addresses() == [] for name in zones.names())


def test_lookup_limit_chain_is_deep_enough(lab: Lab, zones: ZoneResolver) -> None:
    """A lookup-limit domain's include chain really costs more than 10 lookups."""
    entries = [e for e in lab.manifest if e["spf"]["case"] == "lookup-limit"]
    assert entries
    for entry in entries:
        assert entry["spf"]["lookups"] > 10
        assert _count_lookups(zones, entry["spf"]["records"][0]) == entry["spf"]["lookups"]


def _count_lookups(zones: ZoneResolver, record: str) -> int:
    """Count include/a/mx/redirect terms through includes (the lab uses no other kinds)."""
    count = 0
    for term in record.split()[1:]:
        if term.startswith(("include:", "redirect=")):
            count += 1
            target = term.split(":", 1)[-1].split("=", 1)[-1]
            spf = [t for t in zones.lookup(target, "TXT").texts() if t.startswith("v=spf1")]
            count += _count_lookups(zones, spf[0])
        elif term in ("a", "mx") or term.startswith(("a:", "mx:")):
            count += 1
    return count


def test_dkim_keys_match_manifest(lab: Lab) -> None:
    """RSA keys decode to the stated size, Ed25519 keys are 32 bytes, malformed ones fail."""
    seen = set()
    for entry in lab.manifest:
        for key in entry["dkim"]["selectors"]:
            p = key["record"].rsplit("p=", 1)[1]
            seen.add(key["cause"] or f"{key['key_type']}{key['bits']}")
            if key["cause"] is None and key["key_type"] == "rsa":
                public = load_der_public_key(base64.b64decode(p))
                assert isinstance(public, rsa.RSAPublicKey)
                assert public.key_size == key["bits"]
            elif key["key_type"] == "ed25519":
                assert len(base64.b64decode(p)) == 32
            elif key["cause"] == "not-a-key":
                with pytest.raises(ValueError):
                    load_der_public_key(base64.b64decode(p))
            elif key["cause"] == "revoked":
                assert p == ""
    assert {"rsa2048", "rsa1024", "ed25519256", "revoked"} <= seen


def test_key_pool_matches_generator() -> None:
    """The pooled RSA keys are what the deterministic generator makes."""
    assert generate_rsa_public_b64(1024, "pool-0") == RSA_POOL[(1024, "pool-0")]
    sizes = {
        bits: load_der_public_key(base64.b64decode(k)).key_size for (bits, _), k in RSA_POOL.items()
    }
    assert sizes == {1024: 1024, 2048: 2048}


def test_zones_pass_nsd_checkzone(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    """nsd-checkzone accepts every generated zone file."""
    if shutil.which("nsd-checkzone") is None and not Path("/usr/sbin/nsd-checkzone").exists():
        pytest.skip("nsd-checkzone not installed: Debian package nsd")
    assert dnslab_main(["check", str(lab.root), "--limit", "60"]) == 0
    assert "60/60 zones valid" in capsys.readouterr().out


def test_cli_generate_and_stats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The lab's command line generates a lab and prints its case counts."""
    assert dnslab_main(["generate", "--domains", "12", "--seed", "2", "--out", str(tmp_path)]) == 0
    assert "generated 12 domains" in capsys.readouterr().out
    assert dnslab_main(["stats", str(tmp_path)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["domains"] == 12 == sum(stats["profile"].values())


def test_cli_missing_lab_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Pointing the command line at a directory without a lab is exit 2 with a message."""
    assert dnslab_main(["stats", str(tmp_path / "none")]) == 2
    assert "dnslab: error:" in capsys.readouterr().err


def test_load_refuses_non_loopback() -> None:
    """The load generator sends only to loopback."""
    with pytest.raises(ValueError, match="loopback"):
        blast("192.0.2.1", 53, [("example.test", "A")], count=1, seconds=1)


# -- served from NSD ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lab_server(
    nsd: Callable[..., NsdServer], lab: Lab, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NsdServer]:
    """NSD serving the 200-domain lab on loopback."""
    server = nsd(lab.zones(), tmp_path_factory.mktemp("labnsd"))
    yield server
    server.stop()


async def test_nsd_answers_every_manifest_record(lab: Lab, lab_server: NsdServer) -> None:
    """Through NSD, every domain's TXT RRsets and MX hosts are what the manifest says."""
    resolver = DnsResolver([lab_server.nameserver], timeout=2, max_in_flight=32)

    async def check(entry: dict[str, Any]) -> list[str]:
        wrong = []
        for owner, records in entry["txt"].items():
            answer = await resolver.resolve(owner, "TXT")
            if sorted(answer.txt_strings()) != sorted(_as_bytes(records)):
                wrong.append(f"{owner}: {answer.status} {answer.txt_strings()}")
        mx = await resolver.resolve(entry["domain"], "MX")
        expected = [""] if entry["mx"]["null"] else entry["mx"]["hosts"]
        if [r.exchange for r in mx.mx()] != expected:
            wrong.append(f"{entry['domain']} MX: {mx.mx()}")
        for missing in ("_dmarc", "_mta-sts", "_smtp._tls", "default._bimi"):
            name = f"{missing}.{entry['domain']}"
            if name not in entry["txt"]:
                status = (await resolver.resolve(name, "TXT")).status
                if status is not Status.NXDOMAIN:
                    wrong.append(f"{name}: {status}, expected NXDOMAIN")
        return wrong

    results = await asyncio.gather(*(check(entry) for entry in lab.manifest))
    problems = [p for found in results for p in found]
    assert not problems, problems[:10]
    assert resolver.queries_sent > 5 * len(lab.manifest)


def test_load_generator_gets_every_answer(lab: Lab, lab_server: NsdServer) -> None:
    """A small bounded blast at the lab gets an answer to every query."""
    questions = lab_questions(lab.manifest)
    result = blast(lab_server.host, lab_server.port, questions, count=2000, seconds=20)
    assert result.sent == 2000
    assert result.answered == 2000
    assert set(result.rcodes) <= {"NOERROR", "NXDOMAIN"}


def _as_bytes(records: list[list[str]]) -> list[tuple[bytes, ...]]:
    return [tuple(s.encode() for s in strings) for strings in records]
