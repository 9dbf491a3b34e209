"""Derived tables, rebuilt at the end of every knowledge-base build.

* ``code_status``: for each code, the newest release that has it and whether it is still active.
  A code is *deleted* when the newest complete release that defines its system's code list lacks
  it and no newer release (an extract, say) still lists it.
* ``packs`` / ``pack_codes``: the content packs, validated and stored as JSON.
* ``search_docs`` / ``search_fts`` / ``search_words``: one search document per title or term of an
  active code, the FTS5 index over them, and the word list the typo corrector draws from.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medcode.search.text import core_words, words

# How each kind of document is weighted by the re-ranker lives with the ranker; here we only
# decide which texts become documents.
_KIND_ORDER = {"title": 0, "inclusion": 1, "pack": 1, "index": 2, "synonym": 2, "short_title": 3}
_TERM_KINDS_INDEXED = ("inclusion", "index", "synonym", "drug", "neoplasm", "external_cause")


def finish(conn: sqlite3.Connection, pack_files: Sequence[Path] = ()) -> None:
    # Indexes on the big edit table are made once, after the bulk load.
    conn.execute("CREATE INDEX ptp_by_pair ON ptp (column1, column2)")  # serves column-1 look-ups too
    conn.execute("CREATE INDEX ptp_by_column2 ON ptp (column2)")
    conn.execute("BEGIN")
    _code_status(conn)
    _packs(conn, pack_files)
    _search_docs(conn)
    conn.execute("COMMIT")
    conn.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    conn.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")


def _code_status(conn: sqlite3.Connection) -> None:
    sources: dict[int, tuple[str, int, list[str]]] = {}
    for sid, effective, complete, systems in conn.execute(
        "SELECT id, effective, complete, systems FROM sources"
    ):
        sources[sid] = (effective, complete, json.loads(systems))
    # The reference release of each system: the newest complete release that defines its code list.
    reference: dict[str, int] = {}
    for sid, (effective, complete, systems) in sources.items():
        for system in systems:
            if complete and (system not in reference or (effective, sid) > (sources[reference[system]][0], reference[system])):
                reference[system] = sid
    newest: dict[tuple[str, str], int] = {}
    in_reference: set[tuple[str, str]] = set()
    for system, code, sid in conn.execute("SELECT system, code, source_id FROM codes"):
        key = (system, code)
        cur = newest.get(key)
        if cur is None or (sources[sid][0], sid) > (sources[cur][0], cur):
            newest[key] = sid
        if reference.get(system) == sid:
            in_reference.add(key)
    rows = []
    for (system, code), sid in newest.items():
        ref = reference.get(system)
        if ref is None or (system, code) in in_reference or sources[sid][0] > sources[ref][0]:
            status = "active"
        else:
            status = "deleted"
        rows.append((system, code, status, sid))
    conn.executemany("INSERT INTO code_status VALUES (?,?,?,?)", rows)


def _packs(conn: sqlite3.Connection, pack_files: Sequence[Path]) -> None:
    from medcode.packs import loader

    for path in [*loader.builtin_packs(), *map(Path, pack_files)]:
        text = Path(path).read_bytes()
        pack = loader.load_pack(path)
        body = loader.to_dict(pack)
        conn.execute(
            "INSERT INTO packs VALUES (?,?,?,?,?,?)",
            (
                body["pack"]["id"],
                body["pack"]["title"],
                body["pack"]["version"],
                Path(path).name,
                hashlib.sha256(text).hexdigest(),
                json.dumps(body, sort_keys=True),
            ),
        )
        for entry in body.get("codes", []):
            conn.execute(
                "INSERT INTO pack_codes VALUES (?,?,?,?)",
                (body["pack"]["id"], entry["system"], entry["code"], json.dumps(entry, sort_keys=True)),
            )


def _newest_rows(conn: sqlite3.Connection) -> Any:
    return conn.execute(
        "SELECT c.system, c.code, c.title, c.short_title, c.billable FROM code_status s"
        " JOIN codes c ON c.system=s.system AND c.code=s.code AND c.source_id=s.newest_source"
        " WHERE s.status='active'"
    )


def _search_docs(conn: sqlite3.Connection) -> None:
    seen: set[tuple[str, str, str]] = set()
    docs: list[tuple[str, str, str, str, str, str, int | None]] = []
    billable: dict[tuple[str, str], int | None] = {}

    def add(system: str, code: str, kind: str, text: str | None) -> None:
        if not text:
            return
        norm = " ".join(words(text))
        key = (system, code, norm)
        if not norm or key in seen:
            return
        seen.add(key)
        docs.append((system, code, kind, text, norm, " ".join(core_words(text)), billable.get((system, code))))

    for system, code, title, short_title, is_billable in _newest_rows(conn).fetchall():
        billable[(system, code)] = is_billable
        add(system, code, "title", title)
        add(system, code, "short_title", short_title)
    placeholders = ",".join("?" * len(_TERM_KINDS_INDEXED))
    for system, code, term, kind in conn.execute(
        f"SELECT system, code, term, kind FROM terms WHERE kind IN ({placeholders})", _TERM_KINDS_INDEXED
    ).fetchall():
        if (system, code) in billable:
            add(system, code, kind, term)
    for system, code, body in conn.execute("SELECT system, code, body FROM pack_codes").fetchall():
        entry = json.loads(body)
        billable.setdefault((system, code), None)
        add(system, code, "pack", entry.get("label"))
    # Row order is the retrieval prior: FTS5 returns matches in rowid order, so the search engine can
    # stop after the first few hundred matches of a common word and still see the best candidates.
    docs.sort(key=lambda d: (d[5].count(" "), len(d[4].split()), _KIND_ORDER.get(d[2], 9), -(d[6] or 0), d[0], d[1]))
    conn.executemany(
        "INSERT INTO search_docs (system, code, kind, text, norm, core, billable) VALUES (?,?,?,?,?,?,?)", docs
    )
    freq = Counter(w for d in docs for w in d[4].split())
    conn.executemany("INSERT INTO search_words VALUES (?,?)", freq.items())


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    out: dict[str, int] = {}
    for system, n in conn.execute(
        "SELECT system, count(*) FROM code_status WHERE status='active' GROUP BY system"
    ):
        out[f"codes.{system}"] = n
    for table in ("terms", "notes", "fee_schedule", "mue", "ptp", "search_docs", "pack_codes"):
        out[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return out
