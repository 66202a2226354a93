"""Fast bulk loading: PostgreSQL COPY when available, executemany on SQLite.

Used by the nightly analytics batch (features, segments, the deposit-event scan), where
row-by-row ORM inserts would turn minutes into hours at 100,000 customers. (The synthetic
bank has its own streaming loader, crm.synthetic.load.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def bulk_insert(
    session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert `rows` (tuples in `columns` order) into `table`; returns how many."""
    json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
    count = 0
    if is_postgres(session):
        raw = session.connection().connection.driver_connection
        names = ", ".join(columns)
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = json.dumps(row[i])
                copy.write_row(row)
                count += 1
        return count
    raw = session.connection().connection.driver_connection
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    batch: list[Sequence[Any]] = []
    cursor = raw.cursor()
    for row in rows:
        if json_at:
            row = list(row)
            for i in json_at:
                row[i] = json.dumps(row[i])
        batch.append(tuple(_sqlite_value(v) for v in row))
        if len(batch) >= 50_000:
            cursor.executemany(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)
        count += len(batch)
    cursor.close()
    return count


def _sqlite_value(value: Any) -> Any:
    """Values stored as SQLAlchemy itself stores them on SQLite, so SQL comparisons agree."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value
