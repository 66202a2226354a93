"""Writing the synthetic bank: PostgreSQL COPY (secondary indexes and foreign keys rebuilt once
at the end), SQLite executemany.

A `Batch` holds one chunk's rows already formatted for the backend, so the next chunk can
be built in a worker thread while this one streams into the database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from crm.db import Base

BULK_TABLES = ("transactions", "account_months", "interactions", "offer_presentations")
NULL = "\\N"


def _pg_text(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    s = str(value)
    if "\\" in s or "\t" in s or "\n" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return s


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return value


class Batch:
    """Rows for several tables, formatted for one backend and ready to write."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self.items: list[tuple[str, Sequence[str], Any]] = []

    def rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Row tuples of plain Python values (small tables)."""
        if not rows:
            return
        if self.postgres:
            data: Any = "".join("\t".join(_pg_text(v) for v in row) + "\n" for row in rows)
        else:
            data = [tuple(_sqlite_value(v) for v in row) for row in rows]
        self.items.append((table, columns, data))

    def columns(self, table: str, columns: Sequence[str], values: Sequence[list]) -> None:
        """Whole columns made with the helpers below (large tables)."""
        if not values or not values[0]:
            return
        if self.postgres:
            data: Any = "\n".join(map("\t".join, zip(*values, strict=True))) + "\n"
        else:
            data = list(zip(*values, strict=True))
        self.items.append((table, columns, data))

    # Column helpers: strings for COPY, Python values for SQLite.
    def ints(self, a: np.ndarray) -> list:
        values = np.asarray(a).tolist()
        return list(map(str, values)) if self.postgres else values

    def money(self, a: np.ndarray, null: np.ndarray | None = None) -> list:
        values = np.round(np.asarray(a, dtype=float), 2).tolist()
        out = ["%.2f" % v for v in values] if self.postgres else values  # noqa: UP031 - fast
        if null is not None:
            empty = NULL if self.postgres else None
            out = [empty if n else v for v, n in zip(out, null.tolist(), strict=True)]
        return out

    def stamps(self, a: np.ndarray) -> list:
        """From datetime64 values."""
        if self.postgres:
            return np.datetime_as_string(a.astype("datetime64[s]"), unit="s").tolist()
        text_ = np.datetime_as_string(a.astype("datetime64[us]"), unit="us").tolist()
        return [s.replace("T", " ") for s in text_]

    def nulls(self, n: int) -> list:
        return [NULL if self.postgres else None] * n


class Writer:
    """Writes batches in the session's transaction, as fast as the backend allows."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.raw = session.connection().connection.driver_connection

    def write(self, batch: Batch) -> None:
        for table, columns, data in batch.items:
            if self.postgres:
                self._copy(table, columns, data)
            else:
                marks = ", ".join("?" for _ in columns)
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
                cursor = self.raw.cursor()
                cursor.executemany(sql, data)
                cursor.close()

    def _copy(self, table: str, columns: Sequence[str], data: str) -> None:
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        step = 8 << 20
        with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
            for start in range(0, len(data), step):
                copy.write(data[start : start + step])


@contextmanager
def postgres_bulk_mode(session: Session) -> Iterator[None]:
    """Drop secondary indexes and foreign keys of the big tables, load, then rebuild them once.

    Builds the same schema the migrations made (same names), so `alembic check` stays clean.
    """
    conn = session.connection()
    inspector = inspect(conn)
    saved_fks: list[tuple[str, dict]] = []
    saved_indexes = []
    for name in BULK_TABLES:
        for fk in inspector.get_foreign_keys(name):
            saved_fks.append((name, fk))
            conn.execute(text(f'ALTER TABLE {name} DROP CONSTRAINT "{fk["name"]}"'))
        for index in Base.metadata.tables[name].indexes:
            saved_indexes.append(index)
            conn.execute(text(f'DROP INDEX IF EXISTS "{index.name}"'))
    conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    yield
    for index in saved_indexes:
        index.create(conn)
    for name, fk in saved_fks:
        cols = ", ".join(fk["constrained_columns"])
        refs = ", ".join(fk["referred_columns"])
        conn.execute(
            text(
                f'ALTER TABLE {name} ADD CONSTRAINT "{fk["name"]}" FOREIGN KEY ({cols}) '
                f"REFERENCES {fk['referred_table']} ({refs})"
            )
        )
    for name in BULK_TABLES:
        conn.execute(text(f"ANALYZE {name}"))
