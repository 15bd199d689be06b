"""The demo's report pipeline: the bundled sample report mails ingested into a temporary store."""

from __future__ import annotations

import tempfile
from importlib import resources
from pathlib import Path

from mailwarden.ingest.parsing import default_parser
from mailwarden.ingest.pipeline import Ingestor
from mailwarden.ingest.sources import iter_inputs
from mailwarden.store import IngestCounts, StoreStats, open_store

__all__ = ["demo_report_files", "ingest_demo_reports"]


def demo_report_files() -> list[Path]:
    """Return the bundled sample report mails (generated, realistic), sorted."""
    folder = resources.files("mailwarden") / "data" / "reports"
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".eml"))


def ingest_demo_reports() -> tuple[IngestCounts, StoreStats]:
    """Ingest the samples into a temporary SQLite store (deleted afterwards), twice.

    Returns the counts of the first pass plus the duplicates of the second, and the store's
    statistics. Raises ``StorageError`` when the temporary store cannot be created.
    """
    with tempfile.TemporaryDirectory(prefix="mailwarden-demo-") as folder:
        store = open_store(str(Path(folder) / "demo.db"))
        try:
            ingestor = Ingestor(store, default_parser())
            counts = ingestor.ingest_all(iter_inputs(demo_report_files()))
            counts += ingestor.ingest_all(iter_inputs(demo_report_files()))
            return counts, store.stats()
        finally:
            store.close()
