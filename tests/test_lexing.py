"""Comment and quoted-string scanning shared by the From and Authentication-Results parsers."""

from __future__ import annotations

from mailwarden.lexing import comment_end, quoted_string


def test_comment_end_nested_and_escaped() -> None:
    """Nested comments and escaped parentheses are skipped as one comment."""
    text = r"(a (b) \) c) rest"
    assert text[comment_end(text, 0) :] == " rest"


def test_comment_unclosed() -> None:
    """An unclosed comment gives -1."""
    assert comment_end("(open (still", 0) == -1


def test_quoted_string() -> None:
    """Escapes are removed and the end index points after the closing quote."""
    text = r'"a \"b\" c" tail'
    content, end = quoted_string(text, 0)
    assert content == 'a "b" c' and text[end:] == " tail"
    assert quoted_string('"open', 0) == ("", -1)
