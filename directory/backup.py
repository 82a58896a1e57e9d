"""Backups: every table to one JSON-lines file, read in one consistent transaction, and back.

The file starts with a header line (format, schema fingerprint, row counts), then one line per row:
`{"table": "service", "row": {...}}`. Passwords are only ever stored as hashes, so the file holds
no password; it does hold password and token hashes, editors' email addresses and the addresses of
failed sign-ins, so it is readable by its owner only (0600) from the moment it exists.
"""

import json
import os
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import JSON, Date, DateTime, Integer, Time, func, inspect, select, text

from .database import migrate_database
from .extensions import db

FORMAT = "london-care-pathway-directory-backup"
FORMAT_VERSION = 1
_BATCH = 1000


class BackupError(Exception):
    """A backup cannot be restored here; the message says why in plain words."""


def tables():
    """Return every table of the model, parents before children."""
    return list(db.metadata.sorted_tables)


def schema_fingerprint() -> dict[str, list[str]]:
    """Return each table's column names: a restore needs the same shape."""
    return {table.name: [c.name for c in table.columns] for table in tables()}


def write_backup(path) -> dict[str, int]:
    """Write a consistent snapshot of every table to `path`; return the row count per table."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    counts: dict[str, int] = {}
    with db.engine.connect() as conn:
        _begin_snapshot(conn)
        try:
            counts = {
                t.name: conn.scalar(select(func.count()).select_from(t)) for t in tables()
            }
            with _owner_only(tmp) as out:
                header = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": datetime.now(UTC).isoformat(),
                    "database": conn.dialect.name,
                    "schema": schema_fingerprint(),
                    "counts": counts,
                }
                out.write(json.dumps(header, sort_keys=True) + "\n")
                for table in tables():
                    order = list(table.primary_key.columns) or list(table.columns)
                    for row in conn.execute(select(table).order_by(*order)).mappings():
                        line = {"table": table.name, "row": {k: _encode(v) for k, v in row.items()}}
                        out.write(json.dumps(line, sort_keys=True, ensure_ascii=False) + "\n")
        finally:
            conn.rollback()
    # Only a complete file gets the real name, so a crash never leaves a half backup looking whole.
    tmp.replace(path)
    return counts


def _owner_only(path: Path):
    """Open a new file for writing that only its owner can read, whatever the umask and leftovers."""
    # A leftover from a crashed backup keeps its old mode if reopened, so it is replaced, not reused;
    # creating with mode 0o600 (not chmod afterwards) leaves no moment when others could open it.
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8")


def _begin_snapshot(conn) -> None:
    if conn.dialect.name == "postgresql":
        # One snapshot for every table: rows written while the backup runs are either all in or all out.
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    elif conn.dialect.name == "sqlite":
        # The sqlite3 module opens no transaction for reads; BEGIN holds one read snapshot throughout.
        conn.exec_driver_sql("BEGIN")


def read_backup(path) -> tuple[dict, dict[str, list[dict]]]:
    """Read a backup file into its header and rows per table, checking it is whole."""
    rows: dict[str, list[dict]] = {}
    try:
        with Path(path).open(encoding="utf-8") as f:
            header = json.loads(f.readline() or "null")
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise BackupError(f"{path} is not a directory backup.")
            if header.get("format_version") != FORMAT_VERSION:
                version = header.get("format_version")
                raise BackupError(f"{path} uses backup format {version}, not {FORMAT_VERSION}.")
            for line in f:
                item = json.loads(line)
                rows.setdefault(item["table"], []).append(item["row"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"Cannot read backup {path}: {exc}") from exc
    counts = {name: len(rows.get(name, [])) for name in header.get("counts", {})}
    if counts != header.get("counts"):
        raise BackupError(f"{path} is incomplete: its row counts do not match its header.")
    return header, rows


def restore_backup(path) -> dict[str, int]:
    """Restore a backup into an empty database (creating the schema if there is none)."""
    header, rows = read_backup(path)
    if header["schema"] != schema_fingerprint():
        raise BackupError(
            "This backup was made with a different database schema; restore it with the version of the "
            "directory that made it, then upgrade."
        )
    if _missing_schema() == sorted(db.metadata.tables):
        migrate_database()  # an empty database: create the schema the usual way
        if _missing_schema():
            raise BackupError(
                "The database migrations do not create everything this version of the directory uses ("
                + ", ".join(_missing_schema()) + "); regenerate the migrations, then restore again."
            )
    elif _missing_schema():
        raise BackupError(
            "This database has only part of the schema (missing " + ", ".join(_missing_schema())
            + "); run `flask --app wsgi db upgrade` on it, or restore into a new database."
        )
    non_empty = _non_empty_tables()
    if non_empty:
        raise BackupError(
            "Restore needs an empty database, and this one has data in: "
            + ", ".join(non_empty)
            + ". Create a new database (or drop this one) and run restore again."
        )
    with db.engine.begin() as conn:
        for table in tables():
            decoded = [_decode_row(table, row) for row in _parents_first(table, rows.get(table.name, []))]
            for start in range(0, len(decoded), _BATCH):
                conn.execute(table.insert(), decoded[start : start + _BATCH])
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn)
        # Planner statistics for the new rows; without them the first queries scan whole tables.
        conn.exec_driver_sql("ANALYZE")
    db.session.remove()
    return {name: len(rows.get(name, [])) for name in header["counts"]}


def _missing_schema() -> list[str]:
    """Return the tables (and columns of existing tables) the models have and the database lacks."""
    inspector = inspect(db.engine)
    present = set(inspector.get_table_names())
    missing = sorted(set(db.metadata.tables) - present)
    for name in sorted(set(db.metadata.tables) & present):
        columns = {c["name"] for c in inspector.get_columns(name)}
        missing += [f"{name}.{c.name}" for c in db.metadata.tables[name].columns if c.name not in columns]
    return missing


def _non_empty_tables() -> list[str]:
    with db.engine.connect() as conn:
        return [t.name for t in tables() if conn.scalar(select(func.count()).select_from(t))]


def _parents_first(table, table_rows: list[dict]) -> list[dict]:
    # A table that refers to itself (taxonomy term parents) needs each parent inserted before its children.
    self_refs = [
        (fk.parent.name, fk.column.name) for fk in table.foreign_keys if fk.column.table is table
    ]
    if not self_refs:
        return table_rows
    ordered, placed, pending = [], set(), list(table_rows)
    while pending:
        ready = [
            r for r in pending
            if all(r.get(col) is None or r.get(col) in placed for col, _ in self_refs)
        ]
        if not ready:  # a cycle or a dangling reference: let the database say which
            ready = pending
        for r in ready:
            ordered.append(r)
            placed.update(r.get(target) for _, target in self_refs)
        pending = [r for r in pending if r not in ready]
    return ordered


def _advance_sequences(conn) -> None:
    # Rows came in with their ids; the next insert must not reuse one.
    for table in tables():
        for column in table.primary_key.columns:
            if isinstance(column.type, Integer):
                sequence = conn.scalar(
                    text("SELECT pg_get_serial_sequence(:table, :column)"),
                    {"table": f'"{table.name}"', "column": column.name},
                )
                if sequence:
                    conn.execute(
                        text(
                            f'SELECT setval(:seq, COALESCE(MAX("{column.name}"), 1), '  # noqa: S608
                            f'MAX("{column.name}") IS NOT NULL) FROM "{table.name}"'
                        ),
                        {"seq": sequence},
                    )


def _encode(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _decode_row(table, row: dict) -> dict:
    decoded = {}
    for column in table.columns:
        value = row.get(column.name)
        if value is not None and not isinstance(column.type, JSON):
            if isinstance(column.type, DateTime):
                value = datetime.fromisoformat(value)
            elif isinstance(column.type, Date):
                value = date.fromisoformat(value)
            elif isinstance(column.type, Time):
                value = time.fromisoformat(value)
        decoded[column.name] = value
    return decoded
