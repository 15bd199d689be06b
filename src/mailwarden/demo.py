"""The bundled example zones that ``mailwarden demo`` audits offline."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["demo_domains", "demo_zone_files"]


def demo_zone_files() -> list[Path]:
    """Return the paths of the bundled example zone files, sorted."""
    folder = resources.files("mailwarden") / "data" / "demo"
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".zone"))


def demo_domains() -> list[str]:
    """Return the domain of each bundled zone file, in file order."""
    return [path.name.removesuffix(".zone") for path in demo_zone_files()]
