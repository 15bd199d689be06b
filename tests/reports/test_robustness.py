"""Bad input never crashes: any bytes give reports or an InvalidReport, nothing else."""

from __future__ import annotations

import gzip

from hypothesis import given, settings
from hypothesis import strategies as st

from mailwarden.reports import InvalidReport, parse_reports
from tests.reports.helpers import record, report

VALID = report(record() * 3).encode()


def _parse_or_refuse(data: bytes) -> None:
    try:
        for item in parse_reports(data, source="fuzz"):
            assert item.identity is not None
    except InvalidReport as error:
        assert error.source == "fuzz" or error.source.startswith("fuzz!")
        assert error.reason


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    """Arbitrary bytes are parsed or refused with a reason."""
    _parse_or_refuse(data)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=8),
    st.integers(1, len(VALID)),
    st.booleans(),
)
def test_damaged_reports(flips: list[tuple[int, int]], cut: int, compress: bool) -> None:
    """A valid report with bytes changed, cut short, optionally gzipped, never crashes."""
    data = bytearray(VALID)
    for index, value in flips:
        data[index] = value
    damaged = bytes(data[:cut])
    _parse_or_refuse(gzip.compress(damaged) if compress else damaged)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(
        [
            "aggregate/twilight.eml",
            "failure/dmarc_ruf_report_linkedin.eml",
            "failure/exim_plain_text_only_no_arf_part.eml",
            "smtp_tls/google.com_smtp_tls_report.eml",
        ]
    ),
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=6),
    st.floats(0.05, 1),
)
def test_damaged_mails(
    shared_dir: object, name: str, flips: list[tuple[float, int]], keep: float
) -> None:
    """Sample mails with bytes changed or cut short never crash."""
    from pathlib import Path

    data = bytearray((Path(str(shared_dir)) / "samples" / "reports" / name).read_bytes())
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    _parse_or_refuse(bytes(data[: max(1, int(keep * len(data)))]))
