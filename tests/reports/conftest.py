"""Fixtures for the report tests: the shared sample reports."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def samples(shared_dir: Path) -> Path:
    """The shared sample reports directory."""
    path = shared_dir / "samples" / "reports"
    if not path.is_dir():
        pytest.skip(f"sample reports not found at {path}")
    return path
