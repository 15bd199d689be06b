"""The DNS package loads dnspython's query and zone modules only when they are used."""

from __future__ import annotations

import subprocess
import sys

import pytest

import mailwarden.dns


def _modules_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_scan_command_does_not_load_dnspython_query_modules() -> None:
    """Importing the scan command (lean client, no zones) leaves dnspython's name, message,
    query and zone modules unloaded: they cost a tenth of a second at every start."""
    loaded = _modules_after("import mailwarden.cli.scan_cmd")
    assert "mailwarden.dns.fastclient" in loaded
    assert not loaded & {"dns.name", "dns.message", "dns.asyncquery", "dns.zone"}


def test_lazy_resolvers_load_on_first_use() -> None:
    """DnsResolver, OverlayResolver and ZoneResolver are importable from the package."""
    loaded = _modules_after("from mailwarden.dns import DnsResolver, ZoneResolver")
    assert {"mailwarden.dns.client", "mailwarden.dns.zones", "dns.asyncquery"} <= loaded
    assert mailwarden.dns.OverlayResolver.__name__ == "OverlayResolver"


def test_unknown_name_is_an_attribute_error() -> None:
    """A name the package does not have raises AttributeError, as for any module."""
    with pytest.raises(AttributeError, match="NoSuchResolver"):
        _ = mailwarden.dns.NoSuchResolver  # type: ignore[attr-defined]
