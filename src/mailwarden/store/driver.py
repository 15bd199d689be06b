"""Plain driver statements for the statements ingestion runs for every message and record.

SQLAlchemy Core builds, caches and processes a statement on each call; for the few statements
ingestion runs thousands of times this costs more than the database. Here the SQL text is
built once per table and columns and run on the DB-API cursor of the connection (in its
transaction; driver errors are raised as SQLAlchemy's, ``IntegrityError`` included), and
values go through the same bind processors SQLAlchemy would apply (SQLite stores datetimes
as text in SQLAlchemy's format), so the rows are the same as with Core.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError

__all__ = ["Driver"]

Processor = Callable[[Any], Any] | None

_SQL: dict[tuple[object, ...], str] = {}
_PROCESSORS: dict[tuple[str, str, str], Processor] = {}


class Driver:
    """Runs statements on ``connection`` through the DB-API driver, their SQL built once."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.mark = "?" if self.dialect.paramstyle == "qmark" else "%s"
        self.quote = self.dialect.identifier_preparer.quote
        self._cursor: Any = None

    def _run(self, sql: str, params: Any, *, many: bool = False) -> Any:
        """Run ``sql`` on the connection's DB-API cursor; return the cursor.

        Raises the SQLAlchemy ``DBAPIError`` subclass of what the driver raised.
        """
        cursor = self._cursor
        if cursor is None:
            raw = self.connection.connection.driver_connection
            assert raw is not None
            cursor = self._cursor = raw.cursor()
        try:
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
        except self.dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(
                sql, params, error, self.dialect.loaded_dbapi.Error
            ) from error
        return cursor

    def _bind(self, table: Table, column: str, value: Any) -> Any:
        key = (self.dialect.name, table.name, column)
        try:
            process = _PROCESSORS[key]
        except KeyError:
            process = _PROCESSORS[key] = table.c[column].type.bind_processor(self.dialect)
        return value if process is None or value is None else process(value)

    def _params(self, table: Table, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(self._bind(table, name, value) for name, value in values.items())

    def _sql(self, key: tuple[object, ...], build: Callable[[], str]) -> str:
        full = (self.dialect.name, *key)
        found = _SQL.get(full)
        if found is None:
            found = _SQL[full] = build()
        return found

    def insert(self, table: Table, row: Mapping[str, Any]) -> int:
        """Insert ``row`` into ``table``; return its new ``id``."""

        sql = self._sql(
            ("insert", table.name, *row), lambda: f"{self._insert(table, tuple(row))} RETURNING id"
        )
        found = self._run(sql, self._params(table, row)).fetchone()
        return int(found[0])

    def exists(self, table: Table, where: Mapping[str, Any]) -> bool:
        """Return True when ``table`` has a row whose columns equal ``where``."""

        def build() -> str:
            tests = " AND ".join(f"{self.quote(name)} = {self.mark}" for name in where)
            return f"SELECT 1 FROM {self.quote(table.name)} WHERE {tests} LIMIT 1"

        sql = self._sql(("exists", table.name, *where), build)
        return self._run(sql, self._params(table, where)).fetchone() is not None

    def update(self, table: Table, key: int, values: Mapping[str, Any]) -> None:
        """Set ``values`` in the row of ``table`` whose ``id`` is ``key``."""

        def build() -> str:
            sets = ", ".join(f"{self.quote(name)} = {self.mark}" for name in values)
            return f"UPDATE {self.quote(table.name)} SET {sets} WHERE id = {self.mark}"

        sql = self._sql(("update", table.name, *values), build)
        self._run(sql, (*self._params(table, values), key))

    def insert_many(
        self, table: Table, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert ``rows`` (values already in stored form, in ``columns`` order) with one
        ``executemany``."""
        if rows:
            sql = self._sql(
                ("insert-many", table.name, *columns), lambda: self._insert(table, columns)
            )
            self._run(sql, rows, many=True)

    def upsert_many(
        self,
        table: Table,
        columns: tuple[str, ...],
        rows: Sequence[Sequence[Any]],
        *,
        add: tuple[str, ...] = (),
        replace: tuple[str, ...] = (),
    ) -> None:
        """Insert ``rows`` like :meth:`insert_many`; on a primary key already present add the
        ``add`` columns to the stored row and overwrite its ``replace`` columns. The statement
        is the same on SQLite and PostgreSQL (``ON CONFLICT ... DO UPDATE``)."""
        if not rows:
            return

        def build() -> str:
            name = self.quote(table.name)
            keys = ", ".join(self.quote(c.name) for c in table.primary_key.columns)
            changes = [
                f"{self.quote(c)} = {name}.{self.quote(c)} + excluded.{self.quote(c)}" for c in add
            ]
            changes += [f"{self.quote(c)} = excluded.{self.quote(c)}" for c in replace]
            return (
                f"{self._insert(table, columns)} "
                f"ON CONFLICT ({keys}) DO UPDATE SET {', '.join(changes)}"
            )

        sql = self._sql(("upsert", table.name, columns, add, replace), build)
        self._run(sql, rows, many=True)

    def _insert(self, table: Table, columns: Sequence[str]) -> str:
        names = ", ".join(self.quote(name) for name in columns)
        marks = ", ".join([self.mark] * len(columns))
        return f"INSERT INTO {self.quote(table.name)} ({names}) VALUES ({marks})"
