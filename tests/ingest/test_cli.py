"""The ingest, db stats and quarantine commands through the CLI runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailwarden.cli import cli
from tests.ingest.fakes import fake_message, fake_parse


@pytest.fixture(autouse=True)
def _fake_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands parse with the test stand-in parser."""
    for module in ("ingest_cmd", "quarantine_cmd"):
        monkeypatch.setattr(f"mailwarden.cli.{module}.default_parser", lambda: fake_parse)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A directory with two report files, one duplicate of the first, and one bad file."""
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.json").write_bytes(fake_message("r1", "r2"))
    (folder / "sub" / "b.json").write_bytes(
        fake_message("r2") + fake_message("r3", domain="example.net")
    )
    (folder / "bad.bin").write_bytes(b"\x00garbage")
    return folder


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_ingest_json_counts(inbox: Path, tmp_path: Path) -> None:
    """--json prints reports_new, duplicates and quarantined; a rerun adds nothing."""
    db = str(tmp_path / "s.db")
    code, out = _run("ingest", str(inbox), "--db", db, "--json")
    assert code == 0, out
    assert json.loads(out) == {"reports_new": 3, "duplicates": 1, "quarantined": 1}
    code, out = _run("--json", "ingest", str(inbox), "--db", db)
    assert json.loads(out) == {"reports_new": 0, "duplicates": 5, "quarantined": 0}


def test_db_stats_json(inbox: Path, tmp_path: Path) -> None:
    """db stats --json has the documented keys in total and per domain."""
    db = str(tmp_path / "s.db")
    _run("ingest", str(inbox), "--db", db)
    code, out = _run("db", "stats", "--db", db, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert {k: data[k] for k in ("aggregate_reports", "aggregate_records", "messages")} == {
        "aggregate_reports": 3,
        "aggregate_records": 6,
        "messages": 9,
    }
    assert (data["failure_reports"], data["tls_reports"], data["quarantined"]) == (0, 0, 1)
    assert data["domains"]["example.net"]["aggregate_reports"] == 1


def test_db_stats_text(inbox: Path, tmp_path: Path) -> None:
    """The text form names each domain, the total and the quarantine."""
    db = str(tmp_path / "s.db")
    _run("ingest", str(inbox), "--db", db)
    code, out = _run("db", "stats", "--db", db)
    assert code == 0
    assert "example.net" in out and "total" in out and "quarantined inputs: 1" in out


def test_quarantine_list_show_retry(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quarantined file is listed, shown whole, and stored once a parser can read it."""
    db = str(tmp_path / "s.db")
    _run("ingest", str(inbox), "--db", db)
    code, out = _run("quarantine", "list", "--db", db, "--json")
    entry = json.loads(out)
    assert entry["source"].endswith("bad.bin") and "not a test report" in entry["reason"]
    code, out = _run("quarantine", "show", str(entry["id"]), "--db", db)
    assert code == 0 and "garbage" in out
    monkeypatch.setattr(
        "mailwarden.cli.quarantine_cmd.default_parser",
        lambda: lambda data: fake_parse(fake_message("fixed")),
    )
    code, out = _run("quarantine", "retry", "--db", db, "--json")
    assert json.loads(out) == {"resolved": 1, "still_failing": 0, "reports_new": 1, "duplicates": 0}
    assert _run("quarantine", "list", "--db", db, "--json")[1] == ""


def test_quarantine_show_unknown_id(tmp_path: Path) -> None:
    """An unknown id is bad input: exit 2 and a message, no traceback."""
    code, out = _run("quarantine", "show", "7", "--db", str(tmp_path / "s.db"))
    assert code == 2
    assert "no quarantined input with id 7" in out


def test_missing_path_exit_2(tmp_path: Path) -> None:
    """A path that does not exist gives exit 2 naming it."""
    code, out = _run("ingest", str(tmp_path / "nope"), "--db", str(tmp_path / "s.db"))
    assert code == 2
    assert "nope: no such file or directory" in out


def test_unreachable_database_exit_3(inbox: Path) -> None:
    """A database that cannot be reached gives exit 3 without showing the password."""
    code, out = _run("db", "stats", "--db", "postgresql://u:secret@127.0.0.1:9/x")
    assert code == 3
    assert "cannot open database" in out and "secret" not in out


@pytest.mark.parametrize("command", ["show", "retry"])
def test_quarantine_id_out_of_range(tmp_path: Path, command: str) -> None:
    """An id larger than a database integer is bad usage: exit 2, no traceback."""
    code, out = _run("quarantine", command, "9" * 23, "--db", str(tmp_path / "s.db"))
    assert code == 2, out
    assert "9" * 23 in out and "Traceback" not in out


def test_ingest_reads_standard_input(tmp_path: Path) -> None:
    """``-`` ingests standard input once; naming it twice or watching it is refused."""
    db = str(tmp_path / "s.db")
    runner = CliRunner()
    first = runner.invoke(cli, ["ingest", "-", "--db", db, "--json"], input=fake_message("r1"))
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"reports_new": 1, "duplicates": 0, "quarantined": 0}
    again = runner.invoke(cli, ["ingest", "-", "--db", db, "--json"], input=fake_message("r1"))
    assert json.loads(again.output)["duplicates"] == 1
    twice = runner.invoke(cli, ["ingest", "-", "-", "--db", db])
    assert twice.exit_code == 2 and "only once" in twice.output
    watched = runner.invoke(cli, ["ingest", "--watch", "-", "--db", db])
    assert watched.exit_code == 2 and "cannot watch standard input" in watched.output
