"""The lab's command line run as documented: check, load and serve against a real NSD."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.dnslab import Lab, generate, nsd_binary
from bench.dnslab.dnslab import main as dnslab_main
from bench.dnslab.load import dnsperf_binary

from mailwarden.dns import DnsResolver, Status

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "dnslab" / "dnslab.py"


@pytest.fixture(scope="module")
def small_lab(tmp_path_factory: pytest.TempPathFactory) -> Lab:
    """A lab of 20 domains."""
    return generate(tmp_path_factory.mktemp("lab"), 20, seed=11)


@pytest.fixture
def need_nsd() -> None:
    """Skip when NSD is not installed."""
    if nsd_binary() is None:
        pytest.skip("nsd not installed: /usr/sbin/nsd not found (Debian package nsd)")


def test_check_reports_a_broken_zone(
    small_lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check` exits 1 and names the file and line when a zone does not load."""
    if shutil.which("nsd-checkzone") is None and not Path("/usr/sbin/nsd-checkzone").exists():
        pytest.skip("nsd-checkzone not installed: Debian package nsd")
    copy = tmp_path / "lab"
    shutil.copytree(small_lab.root, copy)
    broken = copy / "zones" / "d000003.test.zone"
    broken.write_text(broken.read_text() + "oops MX ten mx\n")
    assert dnslab_main(["check", str(copy)]) == 1
    captured = capsys.readouterr()
    assert "d000003.test.zone" in captured.err
    assert f"{len(small_lab.origins) - 1}/{len(small_lab.origins)} zones valid" in captured.out


@pytest.mark.parametrize("tool", ["python", "dnsperf"])
def test_load_counts_every_answer(
    need_nsd: None, small_lab: Lab, tool: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`load` starts NSD, sends the bounded load and reports every query answered."""
    if tool == "dnsperf" and dnsperf_binary() is None:
        pytest.skip("dnsperf not installed: Debian package dnsperf")
    args = ["load", str(small_lab.root), "--queries", "600", "--seconds", "20", "--tool", tool]
    assert dnslab_main(args) == 0
    out = capsys.readouterr().out
    assert "NSD started with" in out
    assert "600/600 answered (0 lost)" in out


@pytest.fixture
def served(need_nsd: None, small_lab: Lab, tmp_path: Path) -> Iterator[str]:
    """`dnslab.py serve` run as a script; yields the nameserver it prints, then stops it."""
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "serve", str(small_lab.root), "--workdir", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    try:
        assert " on 127.0.0.1:" in first, first
        yield first.split(" on ", 1)[1].split()[0]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0


async def test_serve_script(served: str, small_lab: Lab) -> None:
    """The documented `serve` command answers for the lab's domains until it is stopped."""
    answer = await DnsResolver([served], timeout=2).resolve(
        f"_dmarc.{small_lab.domains()[0]}", "TXT"
    )
    assert answer.status in (Status.NOERROR, Status.NXDOMAIN)
    expected = small_lab.manifest[0]["txt"].get(f"_dmarc.{small_lab.domains()[0]}", [])
    assert answer.txt_strings() == [tuple(s.encode() for s in r) for r in expected]
