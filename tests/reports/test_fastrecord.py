"""The fast path for usual records: same reports as the full parser, taken only when safe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailwarden.reports import (
    AggregateReport,
    _fastrecord,
    aggregate,
    parse_aggregate,
    parse_reports,
)
from tests.reports.helpers import record, report


def _both(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """Return (with the fast path, without it) for ``data``: a report, or the error raised."""
    results = []
    for depth in (aggregate._FAST_DEPTH, 10**9):
        with monkeypatch.context() as patch:
            patch.setattr(aggregate, "_FAST_DEPTH", depth)
            try:
                results.append(list(parse_reports(data)))
            except Exception as error:  # the same error either way
                results.append((type(error).__name__, str(error)))
    return results[0], results[1]


def _fast_count(data: bytes, monkeypatch: pytest.MonkeyPatch) -> int:
    """Return how many records of ``data`` the fast path took."""
    taken = []

    def counting(span: bytes) -> Any:
        found = _fastrecord.fast_record(span)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(aggregate, "fast_record", counting)
    parse_aggregate(data)
    return sum(taken)


def test_usual_records_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records in the usual form are read by the fast path, and equal the full parser's."""
    data = report(record() * 5 + record(ip="2001:db8::1", count=7)).encode()
    assert _fast_count(data, monkeypatch) == 6
    fast, full = _both(data, monkeypatch)
    assert fast == full
    assert fast[0].records[5].source_ip == "2001:db8::1"


def test_pretty_printed_records_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records indented with blanks and line breaks between their tags take the fast path too,
    and equal the full parser's (a blank inside a value stays a difference)."""
    compact = report(record() * 3 + record(ip="2001:db8::1", count=7)).encode()
    data = compact.replace(b"><", b">\r\n \t <")
    assert _fast_count(data, monkeypatch) == 4
    fast, full = _both(data, monkeypatch)
    assert fast == full
    assert fast[0].records == parse_aggregate(compact).records


def test_record_in_a_comment_is_no_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """A record written inside a comment stays a comment."""
    data = report("<!-- " + record() + " -->" + record(count=3)).encode()
    fast, full = _both(data, monkeypatch)
    assert fast == full
    assert [r.count for r in fast[0].records] == [3]


@pytest.mark.parametrize("opener", ["<!-- ", "<![CDATA[", "<?pi "])
def test_markup_cut_by_a_read_boundary_hides_its_record(
    opener: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A comment, CDATA section or PI whose "<" ends one read still hides the record in it."""
    closer = {"<!-- ": " -->", "<![CDATA[": "]]>", "<?pi ": " ?>"}[opener]
    data = report(record(count=1) + opener + record(count=2) + closer + record(count=3))
    raw = data.encode()
    monkeypatch.setattr(aggregate, "_CHUNK", raw.index(opener.encode()) + 1)
    fast, full = _both(raw, monkeypatch)
    assert fast == full
    assert [r.count for r in fast[0].records] == [1, 3]


def test_declared_latin1_report_skips_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A report in another encoding is read by the full parser only."""
    data = report(record()).replace('version="1.0"', 'version="1.0" encoding="ISO-8859-1"')
    assert _fast_count(data.encode("latin-1"), monkeypatch) == 0


def test_records_cut_by_chunk_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long report (records across 64 KiB reads) gives every record once, in order."""
    body = "".join(record(count=n) for n in range(1, 1200))
    fast, full = _both(report(body).encode(), monkeypatch)
    assert fast == full
    assert [r.count for r in fast[0].records] == list(range(1, 1200))


def test_shared_samples_parse_the_same(shared_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every aggregate sample gives the same reports with and without the fast path."""
    files = sorted((shared_dir / "samples" / "reports" / "aggregate").glob("*"))
    assert files
    for path in files:
        fast, full = _both(path.read_bytes(), monkeypatch)
        assert fast == full, path.name


_VALUES = st.sampled_from(
    ["example.com", " example.com ", "", "a&amp;b", "x<!-- c -->y", "caf\u00e9.example"]
)
_WORDS = st.sampled_from(["pass", "fail", "none", "PASS", "softfail", "bogus", "", " pass"])
_IPS = st.sampled_from(["192.0.2.1", "2001:DB8::1", "300.1.1.1", "", "192.0.2.1 "])


@st.composite
def _records(draw: st.DrawFn) -> str:
    """Return one record, in the usual form or slightly off it."""
    dkim = (
        f"<dkim><domain>{draw(_VALUES)}</domain><selector>{draw(_VALUES)}</selector>"
        f"<result>{draw(_WORDS)}</result></dkim>"
    )
    spf = f"<spf><domain>{draw(_VALUES)}</domain><result>{draw(_WORDS)}</result></spf>"
    scope = draw(st.sampled_from(["", "<scope>mfrom</scope>", "<scope>HELO</scope>"]))
    spf = spf.replace("</result>", "</result>" + scope)
    auth = draw(st.sampled_from([dkim + spf, spf + dkim, dkim + dkim, "", spf + spf]))
    ids = draw(
        st.sampled_from(
            [
                "<header_from>{v}</header_from>",
                "<envelope_to>{v}</envelope_to><header_from>{v}</header_from>",
                "<header_from>{v}</header_from><envelope_from>{v}</envelope_from>",
                "<envelope_from>{v}</envelope_from><header_from>{v}</header_from>",
            ]
        )
    ).format(v=draw(_VALUES))
    reason = draw(st.sampled_from(["", "<reason><type>forwarded</type></reason>"]))
    extra = draw(st.sampled_from(["", "<extension><x>1</x></extension>"]))
    return (
        f"<record><row><source_ip>{draw(_IPS)}</source_ip><count>{draw(st.integers(0, 9))}"
        f"</count><policy_evaluated><disposition>{draw(_WORDS)}</disposition>"
        f"<dkim>{draw(_WORDS)}</dkim><spf>{draw(_WORDS)}</spf>{reason}</policy_evaluated>"
        f"</row><identifiers>{ids}</identifiers><auth_results>{auth}</auth_results>"
        f"{extra}</record>"
    )


@settings(max_examples=150, deadline=None)
@given(records=st.lists(_records(), min_size=1, max_size=4), blanks=st.booleans())
def test_fast_path_equals_full_parser(records: list[str], blanks: bool) -> None:
    """Whatever the records look like, the fast path changes nothing in the result."""
    body = ("\n  " if blanks else "").join(records)
    data = report(body).encode()
    with pytest.MonkeyPatch.context() as patch:
        fast, full = _both(data, patch)
    assert fast == full
    if isinstance(fast, list):
        assert isinstance(fast[0], AggregateReport)
