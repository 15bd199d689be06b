"""Hostile inputs: XXE, entity expansion, decompression bombs, oversize input."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest

from mailwarden.reports import InvalidReport, Limits, parse_reports
from tests.reports.helpers import record, report

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE feedback [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<feedback><report_metadata><org_name>&xxe;</org_name></report_metadata></feedback>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feedback><report_metadata><org_name>&lol9;</org_name></report_metadata></feedback>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE feedback [<!ENTITY % ext SYSTEM "http://127.0.0.1:9/evil.dtd"> %ext;]>
<feedback/>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE feedback SYSTEM "http://127.0.0.1:9/feedback.dtd">
<feedback/>"""


@pytest.mark.parametrize(
    "data",
    [XXE, BILLION_LAUGHS, PARAMETER_ENTITY, EXTERNAL_DTD],
    ids=["xxe", "billion-laughs", "parameter-entity", "external-dtd"],
)
def test_doctype_and_entities_are_refused(data: bytes) -> None:
    """Any DOCTYPE is refused before an entity could be resolved or expanded."""
    with pytest.raises(InvalidReport, match="DOCTYPE is not allowed") as info:
        list(parse_reports(data, source="evil.xml"))
    assert info.value.source == "evil.xml"


def test_doctype_after_invalid_bytes_is_refused() -> None:
    """Invalid bytes that force repair mode do not let a DOCTYPE through."""
    data = b'<?xml version="1.0"?>\xff' + XXE.split(b"?>", 1)[1]
    with pytest.raises(InvalidReport) as info:
        list(parse_reports(data))
    assert "passwd" not in str(info.value)


def test_doctype_in_gzip_is_refused() -> None:
    """The check applies after unwrapping."""
    with pytest.raises(InvalidReport, match="DOCTYPE"):
        list(parse_reports(gzip.compress(BILLION_LAUGHS)))


def _bomb(size: int) -> bytes:
    """A gzip of ``size`` bytes of identical records: a ratio no real report reaches."""
    one = record()
    return gzip.compress(report(one * (size // len(one))).encode(), 9)


def test_gzip_bomb_ratio() -> None:
    """A gzip stream expanding more than 200:1 is stopped early."""
    data = _bomb(50 << 20)
    assert len(data) < 1 << 20
    with pytest.raises(InvalidReport, match="compression ratio") as info:
        list(parse_reports(data, source="bomb.xml.gz"))
    assert info.value.source == "bomb.xml.gz"


def test_gzip_bomb_total_size() -> None:
    """A configurable cap on decompressed bytes, independent of ratio."""
    limits = Limits(max_decompressed_bytes=1 << 20, max_ratio=1e9)
    with pytest.raises(InvalidReport, match="exceeds the limit"):
        list(parse_reports(_bomb(4 << 20), limits=limits))


def test_nested_gzip_bomb() -> None:
    """gzip inside gzip is bounded at every layer."""
    data = gzip.compress(_bomb(100 << 20), 9)
    with pytest.raises(InvalidReport, match=r"compression ratio|exceeds the limit"):
        list(parse_reports(data))


def _zip_bomb(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        one = record()
        archive.writestr("a.xml", report(one * (size // len(one))).encode())
    return buffer.getvalue()


def test_zip_bomb_ratio() -> None:
    """A zip member expanding more than 200:1 is stopped early."""
    with pytest.raises(InvalidReport, match="compression ratio") as info:
        list(parse_reports(_zip_bomb(50 << 20), source="bomb.zip"))
    assert info.value.source == "bomb.zip!a.xml"


def test_zip_declared_size_over_limit() -> None:
    """A member declaring more than the limit is refused before reading it."""
    limits = Limits(max_decompressed_bytes=1 << 20)
    with pytest.raises(InvalidReport, match="over the limit"):
        list(parse_reports(_zip_bomb(2 << 20), limits=limits))


def test_oversize_input() -> None:
    """Input larger than max_input_bytes is refused without being parsed."""
    with pytest.raises(InvalidReport, match="over the limit of 1000 bytes"):
        list(parse_reports(b"<" + b" " * 2000, limits=Limits(max_input_bytes=1000)))


def test_oversize_file(tmp_path: object) -> None:
    """The same for a file, from its size alone."""
    from pathlib import Path

    path = Path(str(tmp_path)) / "big.xml"
    path.write_bytes(report().encode())
    with pytest.raises(InvalidReport, match="over the limit"):
        list(parse_reports(path, limits=Limits(max_input_bytes=100)))


def test_wrapping_depth_limit() -> None:
    """Wrappings nested deeper than max_depth are refused."""
    data = report().encode()
    for _ in range(4):
        data = gzip.compress(data)
    with pytest.raises(InvalidReport, match="levels deep"):
        list(parse_reports(data, limits=Limits(max_depth=2)))
    assert len(list(parse_reports(data))) == 1


def test_deep_nesting_is_refused() -> None:
    """Elements nested absurdly deep are refused."""
    data = b"<feedback>" + b"<a>" * 100 + b"</a>" * 100 + b"</feedback>"
    with pytest.raises(InvalidReport, match="nested more than"):
        list(parse_reports(data))
