"""The scan and stats commands end to end: files in, files out, interrupts, resume."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mailwarden.cli import cli

ZONE = """$ORIGIN lab.test.
$TTL 300
@ IN SOA ns hostmaster 1 2 3 4 5
a IN MX 10 mx.a
mx.a IN A 192.0.2.1
b IN MX 0 .
c IN TXT "no mx here"
"""


def _files(tmp_path: Path) -> tuple[Path, Path]:
    zone = tmp_path / "lab.test.zone"
    zone.write_text(ZONE)
    domains = tmp_path / "domains.txt"
    domains.write_text(
        "# lab\na.lab.test\nb.lab.test\nbad..name\nc.lab.test\na.lab.test\nnone.lab.test\n"
    )
    return zone, domains


def test_scan_then_stats(tmp_path: Path) -> None:
    """scan writes a line per unique valid domain; stats --json counts them."""
    zone, domains = _files(tmp_path)
    out = tmp_path / "results.jsonl"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["scan", str(domains), "--out", str(out), "--zone", str(zone), "--checks", "mx"]
    )
    assert result.exit_code == 0, result.output
    assert "line 4" in result.output and "bad..name" in result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["domain"] for r in lines) == [
        "a.lab.test",
        "b.lab.test",
        "c.lab.test",
        "none.lab.test",
    ]
    stats = runner.invoke(cli, ["stats", str(out), "--json"])
    data = json.loads(stats.output)
    assert data["domains"] == 4
    assert data["mx"]["present"] == 1 and data["mx"]["null_mx"] == 1
    assert data["errors"] == {"nxdomain": 1}


def test_existing_output_needs_resume_or_overwrite(tmp_path: Path) -> None:
    """An existing results file is not silently replaced."""
    zone, domains = _files(tmp_path)
    out = tmp_path / "results.jsonl"
    out.write_text('{"domain": "a.lab.test"}\n')
    result = CliRunner().invoke(cli, ["scan", str(domains), "--out", str(out), "-z", str(zone)])
    assert result.exit_code == 2 and "--resume" in result.output
    resumed = CliRunner().invoke(
        cli,
        ["scan", str(domains), "--out", str(out), "-z", str(zone), "--checks", "mx", "--resume"],
    )
    assert resumed.exit_code == 0
    names = [json.loads(line)["domain"] for line in out.read_text().splitlines()]
    assert sorted(names) == ["a.lab.test", "b.lab.test", "c.lab.test", "none.lab.test"]


def test_stats_markdown_and_html(tmp_path: Path) -> None:
    """--markdown prints a table, --html writes a self-contained file."""
    out = tmp_path / "r.jsonl"
    out.write_text(
        '{"domain": "a.test", "mx": {"hosts": ["m.a.test"], "null_mx": false}, "findings": []}\n'
    )
    runner = CliRunner()
    assert (
        "| MX | with MX | 1 | 100.0% |"
        in runner.invoke(cli, ["stats", str(out), "--markdown"]).output
    )
    page = tmp_path / "report.html"
    assert runner.invoke(cli, ["stats", str(out), "--html", str(page)]).exit_code == 0
    assert page.read_text().startswith("<!doctype html>")


def test_stats_rejects_non_results(tmp_path: Path) -> None:
    """A file that is not scan results gives exit 2 naming the line."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    result = CliRunner().invoke(cli, ["stats", str(bad)])
    assert result.exit_code == 2 and "bad.jsonl:1" in result.output


def test_sigterm_leaves_a_resumable_file(tmp_path: Path) -> None:
    """SIGTERM mid-scan exits 130 with whole lines only; --resume finishes the rest once each."""
    blackhole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blackhole.bind(("127.0.0.1", 0))
    port = blackhole.getsockname()[1]
    domains = tmp_path / "domains.txt"
    names = [f"d{i}.lab.test" for i in range(40)]
    domains.write_text("\n".join(names) + "\n")
    out = tmp_path / "results.jsonl"
    command = [
        sys.executable,
        "-m",
        "mailwarden.cli",
        "scan",
        str(domains),
        "--out",
        str(out),
        "--checks",
        "mx",
        "--retries",
        "0",
        "--concurrency",
        "4",
        "--nameserver",
        f"127.0.0.1:{port}",
        "--timeout",
        "0.2",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size == 0):
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=20)
    blackhole.close()
    assert process.returncode == 130, stderr.decode()
    assert b"--resume" in stderr
    first = [json.loads(line) for line in out.read_text().splitlines()]
    assert 0 < len(first) < len(names)
    assert all(r["error_class"] == "timeout" for r in first)
    zone = tmp_path / "lab.test.zone"
    zone.write_text(ZONE)
    env = dict(os.environ)
    subprocess.run([*command[:9], "--resume", "--zone", str(zone)], check=True, env=env, timeout=60)
    final = [json.loads(line)["domain"] for line in out.read_text().splitlines()]
    assert sorted(final) == sorted(names)


def test_no_nxdomain_cut_reaches_the_probe(tmp_path: Path, monkeypatch: Any) -> None:
    """--no-nxdomain-cut on scan, check and dkim probe turns the probe's cut off; default on."""
    import mailwarden.dkim as dkim

    seen: list[bool] = []
    real = dkim.probe_selectors

    async def spy(domain: str, **kwargs: Any) -> Any:
        seen.append(kwargs["nxdomain_cut"])
        return await real(domain, **kwargs)

    monkeypatch.setattr(dkim, "probe_selectors", spy)
    zone, domains = _files(tmp_path)
    out = tmp_path / "results.jsonl"
    runner = CliRunner()
    base = ["scan", str(domains), "--out", str(out), "-z", str(zone), "--checks", "dkim"]
    assert runner.invoke(cli, [*base, "--overwrite"]).exit_code == 0
    assert runner.invoke(cli, [*base, "--overwrite", "--no-nxdomain-cut"]).exit_code == 0
    assert seen == [True] * 3 + [False] * 3
    seen.clear()
    runner.invoke(cli, ["check", "a.lab.test", "-z", str(zone), "--no-nxdomain-cut"])
    runner.invoke(cli, ["dkim", "probe", "a.lab.test", "-z", str(zone), "--no-nxdomain-cut"])
    assert seen == [False, False]


def test_workers_summary_reports_queries(tmp_path: Path) -> None:
    """With --workers 2 the summary line gives the DNS queries and queries per second too."""
    zone, domains = _files(tmp_path)
    out = tmp_path / "results.jsonl"
    result = CliRunner().invoke(
        cli, ["scan", str(domains), "--out", str(out), "-z", str(zone), "--workers", "2"]
    )
    assert result.exit_code == 0, result.output
    summary = result.output.strip().splitlines()[-1]
    assert "scanned 4 domains" in summary
    sent = int(summary.split(" DNS queries sent")[0].rsplit(" ", 1)[-1].replace(",", ""))
    assert sent >= 4 and "/s)" in summary.split("DNS queries sent")[1]


def test_unwritable_out_is_a_usage_error(tmp_path: Path) -> None:
    """--out in a missing directory or on a symlink loop exits 2 naming it, no traceback."""
    zone, domains = _files(tmp_path)
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for out in (tmp_path / "missing" / "r.jsonl", loop):
        result = CliRunner().invoke(
            cli, ["scan", str(domains), "--out", str(out), "-z", str(zone), "--overwrite"]
        )
        assert result.exit_code == 2, result.output
        assert f"--out {out}: cannot write" in result.output


def test_resume_from_unreadable_out_is_a_usage_error(tmp_path: Path) -> None:
    """--resume with an --out that cannot be read (a symlink loop) exits 2 naming it."""
    zone, domains = _files(tmp_path)
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    result = CliRunner().invoke(
        cli, ["scan", str(domains), "--out", str(loop), "-z", str(zone), "--resume"]
    )
    assert result.exit_code == 2, result.output
    assert str(loop) in result.output


def test_malformed_dask_address_is_a_usage_error(tmp_path: Path) -> None:
    """--dask with an address without a port exits 2 naming it, no traceback."""
    zone, domains = _files(tmp_path)
    out = tmp_path / "r.jsonl"
    result = CliRunner().invoke(
        cli, ["scan", str(domains), "--out", str(out), "-z", str(zone), "--dask", "garbage"]
    )
    assert result.exit_code == 2, result.output
    assert "garbage" in result.output


def test_stats_rejects_invalid_utf8(tmp_path: Path) -> None:
    """A results file with invalid UTF-8 exits 2 naming the line, no traceback."""
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"domain": "a.test"}\n{"domain": "\xff.test"}\n')
    result = CliRunner().invoke(cli, ["stats", str(bad)])
    assert result.exit_code == 2, result.output
    assert "bad.jsonl:2: not a UTF-8 JSON line" in result.output


def test_stats_unwritable_html_is_a_usage_error(tmp_path: Path) -> None:
    """--html into a missing directory exits 2 naming it, no traceback."""
    out = tmp_path / "r.jsonl"
    out.write_text('{"domain": "a.test"}\n')
    page = tmp_path / "missing" / "report.html"
    result = CliRunner().invoke(cli, ["stats", str(out), "--html", str(page)])
    assert result.exit_code == 2, result.output
    assert f"--html {page}: cannot write" in result.output


@pytest.mark.parametrize("mode", ["--overwrite", "--resume"])
def test_out_cannot_be_the_domains_file(tmp_path: Path, mode: str) -> None:
    """--out naming the domains file is refused with exit 2 and the list is left intact."""
    zone, domains = _files(tmp_path)
    before = domains.read_bytes()
    result = CliRunner().invoke(
        cli, ["scan", str(domains), "--out", str(domains), "-z", str(zone), mode]
    )
    assert result.exit_code == 2, result.output
    assert "is the domains file itself" in result.output
    assert domains.read_bytes() == before


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal, scan shows domains and queries per second, the error count and an ETA;
    the results file is the same as without a terminal."""
    import pty

    zone, domains = _files(tmp_path)
    out = tmp_path / "results.jsonl"
    primary, secondary = pty.openpty()
    command = [sys.executable, "-m", "mailwarden", "scan", str(domains), "--out", str(out),
               "--zone", str(zone), "--checks", "mx"]  # fmt: skip
    env = dict(os.environ, COLUMNS="160", TERM="xterm")
    with subprocess.Popen(command, stdin=secondary, stdout=secondary, stderr=secondary, env=env):
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal closed: the process exited
                break
            if not chunk:
                break
            shown += chunk
    os.close(primary)
    text = shown.decode("utf-8", "replace")
    assert "dom/s" in text and "q/s" in text, text
    assert "errors 1" in text, text  # none.lab.test does not exist
    assert "4/4" in text and "0:00:00" in text, text
    assert len(out.read_text().splitlines()) == 4
