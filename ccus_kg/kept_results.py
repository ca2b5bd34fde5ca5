"""The SHACL results kept between store builds (``DIR/validation.sqlite``), for incremental validation.

:mod:`ccus_kg.incremental` validates again only the focus nodes a change can reach; the results of
the others are kept here, so that a rebuild reads and rewrites only the rows of the focus nodes it
validated again (SQLite, stdlib :mod:`sqlite3`; one JSON document rewritten whole cost time in
proportion to the store).  Tables:

* ``meta(key, value)``: ``fingerprint`` (what the results depend on besides the data: version,
  engine, shapes, reach file), ``state`` (``building`` from the start of a build until its results are
  written: a build that stops in between leaves results that are not used), ``pending`` (JSON: the
  nodes changed by builds that did not validate, and the subjects among them), ``date <rule>`` (the
  build date a rule with ``by_date`` compared dates with);
* ``results(rule, focus, data)``: one row per SHACL result; ``rule`` the SHACL-SPARQL rule's IRI, or
  ``""`` for the core constraints (which are validated again together); ``data`` the result as JSON
  (:meth:`ccus_kg.validate.ValidationResult.as_dict`);
* ``keys(rule, node, key)``: the join keys of the rules that join their focus node with other nodes
  by key (``join`` in ``ontology/shapes-reach.yaml``), or the dates of the rules that compare dates
  with the build date (``by_date``): each node's keys as of the last validation.

Every change belongs to one SQLite transaction until :meth:`KeptResults.commit`.  A set of nodes is
written to a temporary table and joined first (``CROSS JOIN`` fixes SQLite's join order,
https://www.sqlite.org/optoverview.html#crossjoin), so each node is one index lookup: the work
follows the nodes asked for, not the number of rows kept.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path

from ccus_kg.validate import SourceLocation, ValidationResult

__all__ = ["KeptResults", "KEPT_NAME"]

#: The kept results' file name in a store directory.
KEPT_NAME = "validation.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS results (rule TEXT NOT NULL, focus TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS results_of_focus ON results (focus, rule);
CREATE TABLE IF NOT EXISTS keys (rule TEXT NOT NULL, node TEXT NOT NULL, key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS keys_of_node ON keys (rule, node);
CREATE INDEX IF NOT EXISTS keys_by_key ON keys (rule, key);
"""


def _result(data: str) -> ValidationResult:
    d = json.loads(data)
    return ValidationResult(**{**d, "sources": tuple(SourceLocation(s["file"], s["line"]) for s in d["sources"])})


def _dumps(result: ValidationResult) -> str:
    return json.dumps(result.as_dict(), ensure_ascii=False, separators=(",", ":"))


class KeptResults:
    """``DIR/validation.sqlite`` (created when missing).  Node sets are IRIs; results are
    :class:`~ccus_kg.validate.ValidationResult`.  A file that is no SQLite database is replaced by
    an empty one (the results are only kept to save work: without them the store is validated in
    full); any other :class:`sqlite3.Error` is raised.  A context manager: ``with`` closes the file
    (what was not committed is rolled back)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.conn = self._connect()
        except sqlite3.DatabaseError:  # not a database (a damaged or foreign file)
            self.path.unlink(missing_ok=True)
            Path(f"{self.path}-journal").unlink(missing_ok=True)
            self.conn = self._connect()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level="DEFERRED")
        try:
            conn.executescript(_SCHEMA)
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS chosen (node TEXT PRIMARY KEY) WITHOUT ROWID")
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    @classmethod
    def open(cls, directory: str | Path) -> KeptResults:
        """The kept results of the store in ``directory``."""
        return cls(Path(directory) / KEPT_NAME)

    # -- meta ------------------------------------------------------------------------------------
    def _meta(self, key: str, default: object = None) -> object:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def _set_meta(self, key: str, value: object) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value, ensure_ascii=False)))

    def usable(self, fingerprint: str) -> bool:
        """Whether the kept results were written whole by a build with ``fingerprint``."""
        return self._meta("state") == "clean" and self._meta("fingerprint") == fingerprint

    def start(self) -> None:
        """Mark the results as being rebuilt (committed now: a build that stops leaves them unusable)."""
        self._set_meta("state", "building")
        self.commit()

    def pending(self) -> tuple[set[str], set[str]]:
        """The nodes changed by builds that did not validate since the results were made, and the subjects among them."""
        p = self._meta("pending", {}) or {}
        assert isinstance(p, dict)
        return set(p.get("nodes", [])), set(p.get("subjects", []))

    def finish(self, fingerprint: str, pending: tuple[set[str], set[str]] = (set(), set())) -> None:
        """Mark the results whole (of ``fingerprint``, with the ``pending`` changes) and commit."""
        self._set_meta("fingerprint", fingerprint)
        self._set_meta("pending", {"nodes": sorted(pending[0]), "subjects": sorted(pending[1])} if pending[0] else {})
        self._set_meta("state", "clean")
        self.commit()

    def clear(self) -> None:
        """Forget every result and key (not committed)."""
        self.conn.execute("DELETE FROM results")
        self.conn.execute("DELETE FROM keys")
        self.conn.execute("DELETE FROM meta")

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        """Close the file; changes not committed are rolled back."""
        self.conn.close()

    def __enter__(self) -> KeptResults:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- results ---------------------------------------------------------------------------------
    def _choose(self, nodes: Iterable[str]) -> None:
        self.conn.execute("DELETE FROM chosen")
        self.conn.executemany("INSERT OR IGNORE INTO chosen VALUES (?)", ((n,) for n in nodes))

    def drop(self, rule: str, nodes: Collection[str] | None) -> None:
        """Delete the results of ``rule`` (``""``: the core constraints) on ``nodes`` (None: all)."""
        if nodes is None:
            self.conn.execute("DELETE FROM results WHERE rule = ?", (rule,))
        elif nodes:
            self._choose(nodes)
            self.conn.execute("DELETE FROM results WHERE rowid IN (SELECT r.rowid FROM chosen CROSS JOIN results r"
                              " ON r.focus = chosen.node AND r.rule = ?)", (rule,))

    def add(self, results: Iterable[ValidationResult], rules: Collection[str]) -> None:
        """Insert ``results`` (``rules``: the IRIs of the SHACL-SPARQL rules; other shapes are core)."""
        self.conn.executemany("INSERT INTO results VALUES (?, ?, ?)",
                              ((r.shape if r.shape in rules else "", r.focus_node, _dumps(r)) for r in results))

    def on(self, nodes: Collection[str] | None) -> list[tuple[int, ValidationResult]]:
        """The kept results on ``nodes`` (None: all), with their row ids."""
        if nodes is None:
            rows = self.conn.execute("SELECT rowid, data FROM results").fetchall()
        else:
            self._choose(nodes)
            rows = self.conn.execute("SELECT r.rowid, r.data FROM chosen CROSS JOIN results r ON r.focus = chosen.node"
                                     ).fetchall()
        return [(rowid, _result(data)) for rowid, data in rows]

    def update(self, rows: Iterable[tuple[int, ValidationResult]]) -> None:
        """Write the results back to their row ids."""
        self.conn.executemany("UPDATE results SET data = ? WHERE rowid = ?", ((_dumps(r), i) for i, r in rows))

    def __iter__(self) -> Iterator[ValidationResult]:
        return (_result(data) for (data,) in self.conn.execute("SELECT data FROM results"))

    # -- join keys -------------------------------------------------------------------------------
    def keys_of(self, rule: str, nodes: Collection[str]) -> set[str]:
        """The keys of ``nodes`` for ``rule``."""
        self._choose(nodes)
        return {k for (k,) in self.conn.execute(
            "SELECT k.key FROM chosen CROSS JOIN keys k ON k.rule = ? AND k.node = chosen.node", (rule,))}

    def holders(self, rule: str, keys: Collection[str]) -> set[str]:
        """The nodes with one of ``keys`` for ``rule``."""
        out: set[str] = set()
        for key in keys:
            out.update(n for (n,) in self.conn.execute("SELECT node FROM keys WHERE rule = ? AND key = ?", (rule, key)))
        return out

    def set_keys(self, rule: str, nodes: Collection[str] | None, rows: Iterable[tuple[str, str]]) -> None:
        """Replace the keys of ``nodes`` (None: of every node) for ``rule`` with ``rows`` (node, key)."""
        if nodes is None:
            self.conn.execute("DELETE FROM keys WHERE rule = ?", (rule,))
        else:
            self._choose(nodes)
            self.conn.execute("DELETE FROM keys WHERE rowid IN (SELECT k.rowid FROM chosen CROSS JOIN keys k"
                              " ON k.rule = ? AND k.node = chosen.node)", (rule,))
        self.conn.executemany("INSERT INTO keys VALUES (?, ?, ?)", ((rule, n, k) for n, k in rows))

    def holders_between(self, rule: str, low: str, high: str) -> set[str]:
        """The nodes with a key of ``rule`` after ``low`` and not after ``high`` (strings, compared as SQLite
        compares text: by code point, as SPARQL compares ``STR`` values)."""
        return {n for (n,) in self.conn.execute(
            "SELECT node FROM keys WHERE rule = ? AND key > ? AND key <= ?", (rule, low, high))}

    def key_count(self, rule: str) -> int:
        """The number of distinct nodes with a key of ``rule``."""
        return self.conn.execute("SELECT count(DISTINCT node) FROM keys WHERE rule = ?", (rule,)).fetchone()[0]

    def date(self, rule: str) -> str | None:
        """The build date ``rule`` last compared dates with (None: not recorded)."""
        value = self._meta("date " + rule)
        return value if isinstance(value, str) else None

    def set_date(self, rule: str, value: str | None) -> None:
        """Record the build date ``rule`` compared dates with (``YYYY-MM-DD``; None: the graph had none)."""
        self._set_meta("date " + rule, value)

    def rules_with_keys(self) -> Mapping[str, int]:
        """Rule IRI → number of key rows (for tests and diagnostics)."""
        return dict(self.conn.execute("SELECT rule, count(*) FROM keys GROUP BY rule").fetchall())
