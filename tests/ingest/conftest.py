"""Fixtures of the ingest tests: a private Dovecot IMAP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import Dovecot, dovecot_server


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A private Dovecot with an empty mailbox for user ``reports``."""
    with dovecot_server() as server:
        if server is None:
            pytest.skip("dovecot not installed: IMAP tests need the dovecot-imapd package")
        yield server
