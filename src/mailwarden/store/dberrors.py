"""Database errors in one line: the driver's message, without the SQL text or its parameters
(which SQLAlchemy appends, and which must not reach a dashboard visitor)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

__all__ = ["describe_db_error"]


def describe_db_error(error: SQLAlchemyError) -> str:
    """Return the first line of the driver's message for ``error`` (of SQLAlchemy's own
    message when no driver error is attached)."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        lines = str(error.orig).strip().splitlines()
    else:
        lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
