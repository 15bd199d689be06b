"""The CLI skeleton: global options in either position, exit codes, documented commands."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mailwarden.cli import COMMAND_MODULES, cli
from mailwarden.demo import demo_zone_files

REPO = Path(__file__).resolve().parents[2]
ZONE = str(demo_zone_files()[0])


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner."""
    return CliRunner()


@pytest.mark.parametrize(
    "args",
    [
        ["--zone", ZONE, "--json", "dns", "query", "example.com", "MX"],
        ["dns", "query", "example.com", "MX", "--zone", ZONE, "--json"],
        ["--json", "dns", "query", "--zone", ZONE, "example.com", "MX"],
    ],
)
def test_global_options_before_or_after(runner: CliRunner, args: list[str]) -> None:
    """--zone and --json mean the same before and after the subcommand."""
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "NOERROR"
    assert [r["exchange"] for r in data["records"]] == ["mx1.example.com", "mx2.example.com"]


def test_dns_query_text_output(runner: CliRunner) -> None:
    """Text output shows status, TTL and records in presentation form."""
    result = runner.invoke(cli, ["dns", "query", "_dmarc.example.com", "TXT", "-z", ZONE])
    assert result.exit_code == 0
    assert "NOERROR, TTL 3600" in result.output
    assert '"v=DMARC1; p=reject;' in result.output


def test_dns_query_nxdomain_is_success(runner: CliRunner) -> None:
    """NXDOMAIN is an answer, exit 0."""
    result = runner.invoke(cli, ["dns", "query", "nothing.example.com", "-z", ZONE])
    assert result.exit_code == 0
    assert "NXDOMAIN" in result.output


def test_malformed_domain_exit_2(runner: CliRunner) -> None:
    """A malformed name gives exit 2 naming it, no traceback."""
    result = runner.invoke(cli, ["dns", "query", "a..example", "-z", ZONE])
    assert result.exit_code == 2
    assert "'a..example': empty label" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("rdtype", ["TYPE99999", "TYPE65536", "TYPEfoo", "TYPE"])
def test_malformed_generic_type_exit_2(runner: CliRunner, rdtype: str) -> None:
    """A TYPEnnn outside 0-65535 or without a number is bad input (exit 2), not an answer."""
    result = runner.invoke(cli, ["dns", "query", "example.com", rdtype, "-z", ZONE])
    assert result.exit_code == 2, result.output
    assert f"unknown record type {rdtype!r}" in result.output


def test_generic_type_in_range_is_asked(runner: CliRunner) -> None:
    """TYPE65535 is a valid RFC 3597 type: the zone answers NODATA, exit 0."""
    result = runner.invoke(cli, ["dns", "query", "example.com", "TYPE65535", "-z", ZONE])
    assert result.exit_code == 0, result.output
    assert "NODATA" in result.output


def test_bad_zone_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    """A zone file with a syntax error gives exit 2 and file:line."""
    bad = tmp_path / "db.example.com"
    bad.write_text("$TTL 60\n@ IN MX ten mx\n")
    result = runner.invoke(cli, ["dns", "query", "example.com", "-z", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2: " in result.output


def test_unreachable_nameserver_exit_3(runner: CliRunner) -> None:
    """No answer from the nameserver gives exit 3 naming it."""
    result = runner.invoke(
        cli, ["dns", "query", "example.com", "-n", "127.0.0.1:9", "--timeout", "0.2"]
    )
    assert result.exit_code == 3
    assert "127.0.0.1:9" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["dns", "query", "example.com", "--zone", ZONE, "--timeout", "nan"],
        ["dns", "query", "example.com", "--zone", ZONE, "--timeout", "inf"],
        ["scan", "DOMAINS", "--out", "OUT", "--zone", ZONE, "--deadline", "nan"],
        ["scan", "DOMAINS", "--out", "OUT", "--zone", ZONE, "--qps", "inf"],
        ["ingest", "DOMAINS", "--db", "OUT", "--watch", "--interval", "inf"],
    ],
)
def test_non_finite_numbers_exit_2(runner: CliRunner, tmp_path: Path, args: list[str]) -> None:
    """nan and inf, which pass a range check, are refused as bad usage before anything runs."""
    domains = tmp_path / "domains.txt"
    domains.write_text("example.com\n")
    paths = {"DOMAINS": str(domains), "OUT": str(tmp_path / "out")}
    result = runner.invoke(cli, [paths.get(arg, arg) for arg in args])
    assert result.exit_code == 2, result.output
    assert "is not a finite number" in result.output
    assert not (tmp_path / "out").exists()


def test_demo_runs_offline(runner: CliRunner) -> None:
    """The demo audits the bundled zones and names each domain."""
    result = runner.invoke(cli, ["demo", "--json", "--no-serve"])
    assert result.exit_code == 0, result.output
    domains = [json.loads(line)["domain"] for line in result.output.splitlines()]
    assert domains == ["example.com", "example.net", "example.org"]


def _all_commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            names.extend(_all_commands(command, full + " "))
        else:
            names.append(full)
    return names


def test_every_command_is_documented() -> None:
    """docs/cli.md has a heading for every command."""
    text = (REPO / "docs" / "cli.md").read_text()
    headings = re.findall(r"^#+ `mailwarden ([^`]+)`", text, re.M)
    documented = {h.split(" [")[0].split(" -")[0] for h in headings}
    documented = {
        " ".join(w for w in d.split() if w.islower() and not w.startswith("-")) for d in documented
    }
    missing = [c for c in _all_commands(cli) if c not in documented]
    assert not missing, f"undocumented commands: {missing}"


def _command_tree(command: click.Command) -> list[click.Command]:
    if not isinstance(command, click.Group):
        return [command]
    ctx = click.Context(command)
    found: list[click.Command] = [command]
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        assert sub is not None, name
        found.extend(_command_tree(sub))
    return found


def test_every_command_module_is_declared() -> None:
    """Every *_cmd module is named in COMMAND_MODULES, and every registered command is too."""
    declared = {module for modules in COMMAND_MODULES.values() for module in modules}
    on_disk = {p.stem for p in (REPO / "src" / "mailwarden" / "cli").glob("*_cmd.py")}
    assert on_disk == declared
    ctx = click.Context(cli)
    for name in COMMAND_MODULES:
        cli.get_command(ctx, name)
    assert set(cli.commands) == set(COMMAND_MODULES)


def test_each_command_tree_comes_from_its_declared_modules() -> None:
    """A command and all its subcommands are defined in the modules declared for it."""
    ctx = click.Context(cli)
    for name, modules in COMMAND_MODULES.items():
        command = cli.get_command(ctx, name)
        assert command is not None, name
        allowed = {f"mailwarden.cli.{module}" for module in modules}
        for sub in _command_tree(command):
            assert sub.callback is not None
            assert sub.callback.__module__ in allowed, (name, sub.name, sub.callback.__module__)


def test_startup_imports_only_the_command_run() -> None:
    """`mailwarden scan --help` imports the scan command's module and no other command's."""
    code = (
        "import sys\n"
        "from mailwarden.cli import run\n"
        "try:\n"
        "    run(['scan', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('mailwarden.cli.'))))\n"
        "print('sqlalchemy' in sys.modules, 'alembic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules, heavy = done.stdout.strip().splitlines()[-2:]
    loaded = {m.rsplit(".", 1)[-1] for m in modules.split()}
    assert {m for m in loaded if m.endswith("_cmd")} == {"scan_cmd", "check_cmd"}
    assert heavy == "False False"


def test_help_lists_every_command_with_its_short_help(runner: CliRunner) -> None:
    """`mailwarden --help` names every declared command with its first help line."""
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMAND_MODULES:
        assert re.search(rf"^  {name} +\S", result.output, re.M), name


def test_completion_offers_lazy_commands() -> None:
    """Shell completion of `mailwarden s` offers the commands not yet imported."""
    from click.shell_completion import ShellComplete

    completions = ShellComplete(cli, {}, "mailwarden", "_MAILWARDEN_COMPLETE").get_completions(
        [], "s"
    )
    assert {"scan", "serve", "spf", "stats", "suggest"} <= {c.value for c in completions}
