"""Tag=value lists: values, white space, and every way a list can be malformed."""

from __future__ import annotations

import pytest

from mailwarden.dkim.tags import parse_tag_list
from mailwarden.errors import ParseError


def test_values_are_stripped_of_fws() -> None:
    """Folding white space around names and values is removed, inside values kept."""
    tags = parse_tag_list(" v=1;\r\n a = rsa-sha256 ; h=from :\r\n\tto;")
    assert tags == {"v": "1", "a": "rsa-sha256", "h": "from :\r\n\tto"}


def test_empty_value_allowed() -> None:
    """An empty value (p= of a revoked key) is an empty string."""
    assert parse_tag_list("v=DKIM1; p=") == {"v": "DKIM1", "p": ""}


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("v=1; a", "has no '='", 5),
        ("v=1; 9a=x", "invalid tag name", 5),
        ("v=1; d=a; d=b", "duplicate tag 'd'", 10),
        ("v=1; d=exa\x01mple", "invalid character", 10),
        ("v=1; d=ex\u00e4mple", "invalid character", 9),
    ],
)
def test_malformed_lists_raise_with_position(text: str, message: str, position: int) -> None:
    """Malformed tag lists raise ParseError naming the problem and its position."""
    with pytest.raises(ParseError) as info:
        parse_tag_list(text)
    assert message in info.value.message
    assert info.value.position == position
