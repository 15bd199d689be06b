"""Scanning helpers for RFC 5322 structured header text: comments and quoted strings."""

from __future__ import annotations

__all__ = ["comment_end", "quoted_string"]


def comment_end(text: str, start: int) -> int:
    """Return the index just after the comment opening at ``text[start] == "("``.

    Nested comments and backslash escapes are honoured. Returns -1 when the comment is not
    closed. Never raises.
    """
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        i += 1
        if depth == 0:
            return i
    return -1


def quoted_string(text: str, start: int) -> tuple[str, int]:
    """Return the unescaped content of the quoted string opening at ``text[start] == '"'`` and
    the index just after its closing quote, or ``("", -1)`` when it is not closed."""
    out, i = [], start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif ch == '"':
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    return "", -1
