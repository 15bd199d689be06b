"""Alembic migrations of the report store, run programmatically when a store is opened."""
