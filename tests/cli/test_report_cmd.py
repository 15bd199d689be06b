"""``mailwarden report parse``: JSON Lines, CSV, text, and exit code 2 for bad files."""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailwarden.cli import cli
from tests.pipes import fifo_feeding
from tests.reports.helpers import record, report

REQUIRED = {
    "type",
    "org_name",
    "report_id",
    "begin",
    "end",
    "domain",
    "policy",
    "records",
    "warnings",
}


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner (click 8.2+ keeps stderr apart)."""
    return CliRunner()


@pytest.fixture
def samples(shared_dir: Path) -> Path:
    """The shared sample reports."""
    return shared_dir / "samples" / "reports"


def _lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines()]


def test_json_lines_keys(runner: CliRunner, samples: Path) -> None:
    """--json prints one object per report with the documented keys."""
    files = [str(p) for p in sorted(samples.glob("*/*"))]
    result = runner.invoke(cli, ["report", "parse", "--json", *files])
    assert result.exit_code == 0, result.output
    lines = _lines(result.stdout)
    assert len(lines) == len(files)
    assert all(set(line) >= REQUIRED for line in lines)
    kinds = [line["type"] for line in lines]
    assert kinds.count("aggregate") == 11
    assert kinds.count("failure") == 2
    assert kinds.count("smtp_tls") == 2


def test_json_aggregate_values(runner: CliRunner, samples: Path) -> None:
    """Values of one aggregate line: ISO 8601 UTC dates, policy, records, auth results."""
    path = samples / "aggregate" / "empty_reason.xml"
    result = runner.invoke(cli, ["--json", "report", "parse", str(path)])
    (line,) = _lines(result.stdout)
    assert line["type"] == "aggregate"
    assert line["org_name"] == "example.org"
    assert line["report_id"] == "20240125141224705995"
    assert line["begin"] == "2024-01-25T05:12:24Z"
    assert line["end"] == "2024-01-25T12:28:53Z"
    assert line["domain"] == "example.com"
    assert line["policy"]["p"] == "quarantine"
    assert line["policy"]["adkim"] == "r"
    (rec,) = line["records"]
    assert rec["source_ip"] == "198.51.100.123"
    assert rec["count"] == 2
    assert (rec["disposition"], rec["dkim"], rec["spf"]) == ("none", "pass", "fail")
    assert rec["header_from"] == "example.com"
    assert rec["auth_results"]["dkim"][0]["selector"] == "example"
    assert rec["auth_results"]["spf"][0]["scope"] == "mfrom"
    assert line["warnings"][0]["code"] == "aggregate.empty-reason"


def test_zip_with_two_reports_gives_two_lines(runner: CliRunner, tmp_path: Path) -> None:
    """A zip holding two reports prints two lines."""
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.xml", report())
        archive.writestr("b.xml", report().replace("id-1", "id-2"))
    result = runner.invoke(cli, ["report", "parse", str(path), "--json"])
    assert [line["report_id"] for line in _lines(result.stdout)] == ["id-1", "id-2"]


def test_csv_one_row_per_record(runner: CliRunner, tmp_path: Path) -> None:
    """--csv prints a header and one row per record."""
    path = tmp_path / "r.xml.gz"
    path.write_bytes(gzip.compress(report(record(count=3) + record(ip="2001:db8::1")).encode()))
    result = runner.invoke(cli, ["report", "parse", "--csv", str(path)])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["source_ip"], r["count"]) for r in rows] == [
        ("192.0.2.1", "3"),
        ("2001:db8::1", "1"),
    ]
    assert rows[0]["report_id"] == "id-1"
    assert rows[0]["dkim_results"] == "example.com:s1:pass"
    assert rows[0]["begin"] == "2023-11-14T22:13:20Z"


def test_bad_file_is_named_others_printed_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    """A file that cannot be parsed is named with its reason; the others are printed."""
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<!DOCTYPE x [<!ENTITY a 'b'>]><feedback/>")
    good = tmp_path / "good.xml"
    good.write_text(report())
    result = runner.invoke(cli, ["report", "parse", "--json", str(bad), str(good)])
    assert result.exit_code == 2
    assert [line["report_id"] for line in _lines(result.stdout)] == ["id-1"]
    assert f"{bad}: a DOCTYPE is not allowed" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    """A missing file gives exit 2 naming it."""
    result = runner.invoke(cli, ["report", "parse", str(tmp_path / "nope.xml")])
    assert result.exit_code == 2
    assert "nope.xml: cannot read" in result.stderr


def test_json_and_csv_together_is_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    """--json with --csv is a usage error."""
    path = tmp_path / "r.xml"
    path.write_text(report())
    result = runner.invoke(cli, ["report", "parse", "--json", "--csv", str(path)])
    assert result.exit_code == 2


def test_text_output(runner: CliRunner, samples: Path) -> None:
    """Without --json or --csv, one summary line per report and its warnings."""
    path = samples / "aggregate" / "invalid_xml.xml"
    result = runner.invoke(cli, ["report", "parse", str(path)])
    assert result.exit_code == 0
    assert "aggregate veeam.com sonexushealth.com:1530233361 domain example.com" in result.stdout
    assert "aggregate.unescaped-character (2x)" in result.stdout


def test_report_failing_midway_keeps_json_valid(runner: CliRunner, tmp_path: Path) -> None:
    """A report cut off after some records still prints a valid line naming the error."""
    path = tmp_path / "cut.xml"
    path.write_text(report(record() * 3)[:-60])
    result = runner.invoke(cli, ["report", "parse", "--json", str(path)])
    assert result.exit_code == 2
    (line,) = _lines(result.stdout)
    assert len(line["records"]) == 2
    assert "not well-formed XML" in line["error"]
    assert f"{path}: not well-formed XML" in result.stderr


def test_a_gzipped_report_from_a_pipe_is_read_once(runner: CliRunner, tmp_path: Path) -> None:
    """A pipe (as process substitution gives) is read whole once: sniffing the gzip layer
    and parsing the XML inside do not each reopen it (the second read found nothing)."""
    data = gzip.compress(report(record()).encode())
    with fifo_feeding(tmp_path / "pipe", data) as pipe:
        result = runner.invoke(cli, ["report", "parse", "--json", str(pipe)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["records"] != []


def test_dash_reads_standard_input(runner: CliRunner) -> None:
    """``-`` is standard input, named so in errors."""
    result = runner.invoke(cli, ["report", "parse", "--json", "-"], input=report(record()))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["type"] == "aggregate"
    empty = runner.invoke(cli, ["report", "parse", "-"], input="")
    assert empty.exit_code == 2
    assert "standard input: empty input" in empty.stderr


def test_a_device_is_refused_at_once(runner: CliRunner) -> None:
    """/dev/zero is not read: it is neither a regular file nor a pipe."""
    result = runner.invoke(cli, ["report", "parse", "/dev/zero"])
    assert result.exit_code == 2
    assert "/dev/zero: not a regular file or a pipe" in result.stderr
