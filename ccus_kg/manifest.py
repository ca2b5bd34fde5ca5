"""The manifest of a persistent store (``ccus-kg build --store DIR``): an SQLite table file, not a document in memory.

``DIR/manifest.sqlite`` (stdlib :mod:`sqlite3`) has three tables:

* ``meta(key, value)``: the build's own records, each a JSON value (format, version, state, the
  linker's state, the cluster aliases …);
* ``files(key, size, mtime_ns, sha256, unit)``: one row per source file (size in bytes,
  modification time in nanoseconds, SHA-256 of the content, the conversion unit it belongs to);
* ``units(unit, entry)``: one row per conversion unit, what its conversion contributed to the graphs
  shared between files, a JSON object;
* ``rows(list, item)``: long lists (the linker's works with their digests and features, short-title hits and links),
  one JSON item a row, in order.

A build reads the rows it needs when it needs them (one file's row, one unit's entry, or one key of
every unit's entry through SQLite's ``json_extract``, https://www.sqlite.org/json1.html), so the
memory it takes does not grow with the number of files and units; 100,000 policies make about
0.5 GB of manifest on disk.

Transactions: every change made through a :class:`Manifest` belongs to one SQLite transaction
until :meth:`Manifest.commit`; :meth:`Manifest.close` without a commit rolls the changes back
(SQLite's atomic commit, https://www.sqlite.org/atomiccommit.html), so a build interrupted at any
point leaves the manifest as its last commit wrote it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["Manifest", "FileTable", "UnitTable", "MANIFEST_NAME"]

#: The manifest's file name in a store directory.
MANIFEST_NAME = "manifest.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                                  sha256 TEXT NOT NULL, unit TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS units (unit TEXT PRIMARY KEY, entry TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (list TEXT NOT NULL, item TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rows_of_list ON rows (list);
"""
_MISSING = object()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Table:
    """What the two tables share: rows keyed by the primary key ``_KEY`` of the table ``_TABLE``."""

    _TABLE = _KEY = ""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def _delete(self, key: str) -> None:
        self.conn.execute(f"DELETE FROM {self._TABLE} WHERE {self._KEY} = ?", (key,))

    def __contains__(self, key: object) -> bool:
        return self.conn.execute(f"SELECT 1 FROM {self._TABLE} WHERE {self._KEY} = ?", (key,)).fetchone() is not None

    def __iter__(self) -> Iterator[str]:
        """The keys, sorted (a cursor: do not change the table while iterating)."""
        return (key for (key,) in self.conn.execute(f"SELECT {self._KEY} FROM {self._TABLE} ORDER BY {self._KEY}"))

    def __len__(self) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM {self._TABLE}").fetchone()[0])


class FileTable(_Table):
    """The ``files`` table as a mapping: file key → ``{"size", "mtime_ns", "sha256", "unit"}`` (a new dict per read)."""

    _TABLE, _KEY = "files", "key"
    _COLUMNS = ("size", "mtime_ns", "sha256", "unit")

    def _entry(self, row: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip(self._COLUMNS, row, strict=True))

    def get(self, key: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT size, mtime_ns, sha256, unit FROM files WHERE key = ?", (key,)).fetchone()
        return None if row is None else self._entry(row)

    def __getitem__(self, key: str) -> dict[str, Any]:
        entry = self.get(key)
        if entry is None:
            raise KeyError(key)
        return entry

    def __setitem__(self, key: str, entry: dict[str, Any]) -> None:
        self.conn.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                          (key, entry["size"], entry["mtime_ns"], entry["sha256"], entry.get("unit")))

    def set_unit(self, key: str, unit: str | None) -> None:
        """Record the conversion unit of file ``key``."""
        self.conn.execute("UPDATE files SET unit = ? WHERE key = ?", (unit, key))

    def pop(self, key: str) -> dict[str, Any]:
        """Remove file ``key``'s row and return it; raises :class:`KeyError` when there is none."""
        entry = self[key]
        self._delete(key)
        return entry

    def units(self) -> Iterator[tuple[str, str]]:
        """``(file key, unit)`` of every file that has a unit, sorted by file key."""
        return iter(self.conn.execute("SELECT key, unit FROM files WHERE unit IS NOT NULL ORDER BY key"))


class UnitTable(_Table):
    """The ``units`` table as a mapping: unit key → its entry (a JSON object, decoded anew on each read)."""

    _TABLE, _KEY = "units", "unit"

    def get(self, unit: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT entry FROM units WHERE unit = ?", (unit,)).fetchone()
        return default if row is None else json.loads(row[0])

    def __getitem__(self, unit: str) -> dict[str, Any]:
        entry = self.get(unit, _MISSING)
        if entry is _MISSING:
            raise KeyError(unit)
        return entry

    def __setitem__(self, unit: str, entry: dict[str, Any]) -> None:
        self.conn.execute("INSERT OR REPLACE INTO units VALUES (?, ?)", (unit, _dumps(entry)))

    def pop(self, unit: str, default: Any = None) -> Any:
        entry = self.get(unit, default)
        self._delete(unit)
        return entry

    def items(self, prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
        """``(unit, entry)`` of the units whose key starts with ``prefix``, sorted by unit key (a cursor)."""
        for unit, entry in self._select("entry", prefix, ()):
            yield unit, json.loads(entry)

    def column(self, key: str, prefix: str = "", default: Any = None) -> Iterator[tuple[str, Any]]:
        """``(unit, entry[key])`` of the units whose key starts with ``prefix``, sorted by unit key;
        ``default`` where the entry has no ``key``.  Only ``key`` is decoded (SQLite's
        ``json_extract``): for values that are JSON arrays, objects or numbers."""
        for unit, value in self._select("json_extract(entry, ?)", prefix, ("$." + key,)):
            yield unit, default if value is None else json.loads(value) if isinstance(value, str) else value

    def _select(self, what: str, prefix: str, args: tuple[Any, ...]) -> Iterator[tuple[str, Any]]:
        if prefix:  # a range of the primary key: every key starting with prefix
            sql = f"SELECT unit, {what} FROM units WHERE unit >= ? AND unit < ? ORDER BY unit"
            return iter(self.conn.execute(sql, (*args, prefix, prefix + "\U0010ffff")))
        return iter(self.conn.execute(f"SELECT unit, {what} FROM units ORDER BY unit", args))


class Manifest:
    """A store's manifest (``path``, created when missing): ``meta`` keys through ``get`` / ``[]``,
    :attr:`files` and :attr:`units` tables.  Changes are one transaction until :meth:`commit`.

    Raises :class:`sqlite3.Error` when the file is no SQLite database or is locked by another build.
    """

    def __init__(self, path: Path):
        self.path = path
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.executescript(_SCHEMA)
        self.conn.execute("BEGIN IMMEDIATE")  # one writer: a second build waits, then fails, rather than interleave
        self.files = FileTable(self.conn)
        self.units = UnitTable(self.conn)

    def get(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def __getitem__(self, key: str) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, _dumps(value)))

    def update(self, **values: Any) -> None:
        for key, value in values.items():
            self[key] = value

    def set_rows(self, name: str, items: Iterable[Any]) -> None:
        """Make list ``name`` hold ``items`` (JSON values, written one at a time: never one text of them all)."""
        self.conn.execute("DELETE FROM rows WHERE list = ?", (name,))
        self.conn.executemany("INSERT INTO rows VALUES (?, ?)", ((name, _dumps(item)) for item in items))

    def rows(self, name: str) -> Iterator[Any]:
        """The items of list ``name`` in order (a cursor; none when there is no such list)."""
        for (item,) in self.conn.execute("SELECT item FROM rows WHERE list = ? ORDER BY rowid", (name,)):
            yield json.loads(item)

    def clear(self) -> None:
        """Empty every table."""
        for table in ("meta", "files", "units", "rows"):
            self.conn.execute(f"DELETE FROM {table}")

    def commit(self) -> None:
        """Make the changes so far durable (one atomic SQLite commit) and start the next transaction."""
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        """Close the file; changes not committed are rolled back."""
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.conn.close()
