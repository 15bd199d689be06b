"""The report parser the ingest pipeline uses: the one in :mod:`mailwarden.reports`."""

from __future__ import annotations

import importlib

from mailwarden.errors import ConfigError
from mailwarden.ingest.pipeline import Parser

__all__ = ["default_parser"]


def default_parser() -> Parser:
    """Return the function that turns one raw input into its reports.

    Raises ``ConfigError`` when this build of mailwarden has no report parser.
    """
    try:
        reports = importlib.import_module("mailwarden.reports")
        parse: Parser = reports.parse_reports
    except (ImportError, AttributeError) as error:
        raise ConfigError("this build of mailwarden cannot parse reports") from error
    return parse
