"""Read access to a built knowledge base: typed queries, no writes (building is ``kb.build``)."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcode.errors import KBError, KBNotBuilt

_ICD_UNDOTTED = re.compile(r"^[A-TV-Z][0-9][0-9A-Z]{1,5}$")


@dataclass(frozen=True, slots=True)
class Source:
    """One imported file and the release it carries."""

    id: int
    dataset: str
    publisher: str
    release: str
    effective: str
    end_date: str | None
    complete: bool
    file_name: str
    sha256: str
    row_count: int
    systems: tuple[str, ...] = ()

    def cite(self) -> str:
        return f"{self.publisher}, {self.release} ({self.file_name})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "publisher": self.publisher,
            "dataset": self.dataset,
            "release": self.release,
            "effective": self.effective,
            "file": self.file_name,
            "sha256": self.sha256,
        }


@dataclass(frozen=True, slots=True)
class CodeRow:
    """A code as one release states it."""

    system: str
    code: str
    source: Source
    title: str | None
    short_title: str | None
    billable: bool | None
    kind: str
    parent: str | None
    attrs: dict[str, Any]


def code_variants(code: str) -> list[str]:
    """Spellings to try for a user-typed code: as typed (upper-cased), and with/without the ICD dot."""
    c = code.strip().upper()
    out = [c]
    if "." in c:
        out.append(c.replace(".", ""))
    elif _ICD_UNDOTTED.match(c) and len(c) > 3:
        out.append(f"{c[:3]}.{c[3:]}")
    return out


class KB:
    """A read-only handle on the knowledge base file.

    >>> kb = KB.open()              # doctest: +SKIP
    >>> kb.sources()[0].publisher   # doctest: +SKIP
    'CDC/NCHS'
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._sources = {s.id: s for s in self._load_sources()}
        self._packs: dict[str, dict[str, Any]] = {}

    @classmethod
    def open(cls, path: Path) -> KB:
        path = Path(path)
        if not path.is_file():
            raise KBNotBuilt(f"no knowledge base at {path}: run `medcode kb build` first")
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise KBError(f"{path} is not a medcode knowledge base ({exc}); rebuild it with `medcode kb build`") from exc
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    # --- sources -------------------------------------------------------------------------------

    def _load_sources(self) -> list[Source]:
        rows = self.conn.execute(
            "SELECT id, dataset, publisher, release, effective, end_date, complete, file_name, sha256, row_count,"
            " systems FROM sources ORDER BY id"
        ).fetchall()
        return [
            Source(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8], r[9], tuple(json.loads(r[10])))
            for r in rows
        ]

    def reference_source(self, system: str, as_of: str | None) -> Source | None:
        """The complete release defining ``system``'s code list that is in force on ``as_of``
        (the newest one when ``as_of`` is None)."""
        best = None
        for s in self._sources.values():
            if s.complete and system in s.systems and (as_of is None or s.effective <= as_of):
                if best is None or (s.effective, s.id) > (best.effective, best.id):
                    best = s
        return best

    def sources(self) -> list[Source]:
        return list(self._sources.values())

    def source(self, source_id: int) -> Source:
        return self._sources[source_id]

    def meta(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM meta").fetchall())

    # --- codes ---------------------------------------------------------------------------------

    def find(self, code: str, system: str | None = None) -> list[tuple[str, str, str, int]]:
        """(system, code, status, newest source id) for every system that ever had ``code``."""
        out = []
        for variant in code_variants(code):
            sql = "SELECT system, code, status, newest_source FROM code_status WHERE code=?"
            args: tuple[Any, ...] = (variant,)
            if system:
                sql += " AND system=?"
                args += (system,)
            out += self.conn.execute(sql, args).fetchall()
            if out:
                break
        return out

    def rows(self, system: str, code: str) -> list[CodeRow]:
        """Every release's statement of the code, newest release first."""
        rows = self.conn.execute(
            "SELECT system, code, source_id, title, short_title, billable, kind, parent, attrs FROM codes"
            " WHERE system=? AND code=?",
            (system, code),
        ).fetchall()
        out = [
            CodeRow(r[0], r[1], self._sources[r[2]], r[3], r[4], None if r[5] is None else bool(r[5]), r[6], r[7],
                    json.loads(r[8]) if r[8] else {})
            for r in rows
        ]
        out.sort(key=lambda c: (c.source.effective, c.source.id), reverse=True)
        return out

    def rows_many(self, system: str, codes: list[str], chunk: int = 500) -> dict[str, list[CodeRow]]:
        """``rows`` for many codes in a few queries (code → rows, newest first; absent codes omitted)."""
        out: dict[str, list[CodeRow]] = {}
        for i in range(0, len(codes), chunk):
            part = codes[i:i + chunk]
            for r in self.conn.execute(
                "SELECT system, code, source_id, title, short_title, billable, kind, parent, attrs FROM codes"
                f" WHERE system=? AND code IN ({','.join('?' * len(part))})", (system, *part)):
                out.setdefault(r[1], []).append(
                    CodeRow(r[0], r[1], self._sources[r[2]], r[3], r[4], None if r[5] is None else bool(r[5]), r[6],
                            r[7], json.loads(r[8]) if r[8] else {}))
        for rows in out.values():
            rows.sort(key=lambda c: (c.source.effective, c.source.id), reverse=True)
        return out

    def fee_schedule_many(self, codes: list[str], chunk: int = 500) -> dict[str, list[tuple[str, dict[str, Any], Source]]]:
        out: dict[str, list[tuple[str, dict[str, Any], Source]]] = {c: [] for c in codes}
        for i in range(0, len(codes), chunk):
            part = codes[i:i + chunk]
            for code, modifier, fields, sid in self.conn.execute(
                f"SELECT code, modifier, fields, source_id FROM fee_schedule WHERE code IN ({','.join('?' * len(part))})",
                part):
                out[code].append((modifier, json.loads(fields), self._sources[sid]))
        for rows in out.values():
            rows.sort(key=lambda r: (r[2].effective, r[2].id), reverse=True)
        return out

    def mue_many(self, codes: list[str], chunk: int = 500) -> dict[str, list[tuple[str, int, int | None, str | None, Source]]]:
        out: dict[str, list[tuple[str, int, int | None, str | None, Source]]] = {c: [] for c in codes}
        for i in range(0, len(codes), chunk):
            part = codes[i:i + chunk]
            for code, setting, units, mai, rationale, sid in self.conn.execute(
                f"SELECT code, setting, units, mai, rationale, source_id FROM mue WHERE code IN ({','.join('?' * len(part))})",
                part):
                out[code].append((setting, units, mai, rationale, self._sources[sid]))
        return out

    def children(self, system: str, code: str, source_id: int) -> list[CodeRow]:
        rows = self.conn.execute(
            "SELECT system, code, source_id, title, short_title, billable, kind, parent, attrs FROM codes"
            " WHERE system=? AND parent=? AND source_id=? ORDER BY code",
            (system, code, source_id),
        ).fetchall()
        return [
            CodeRow(r[0], r[1], self._sources[r[2]], r[3], r[4], None if r[5] is None else bool(r[5]), r[6], r[7],
                    json.loads(r[8]) if r[8] else {})
            for r in rows
        ]

    def billable_descendants(self, system: str, code: str, source_id: int, limit: int = 500) -> list[tuple[str, str]]:
        """(code, title) of the billable codes under ``code`` in one release, in code order.

        Descendants share the code as a prefix (ICD-10-CM builds codes by extension), so this is a
        range scan on the primary key rather than a walk down the parent links.
        """
        rows = self.conn.execute(
            "SELECT code, title FROM codes WHERE system=? AND code > ? AND code < ? AND source_id=? AND billable=1"
            " ORDER BY code LIMIT ?",
            (system, code, code + "\uffff", source_id, limit),
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def prefix(self, prefix: str, limit: int = 50) -> list[tuple[str, str, str | None, bool | None]]:
        """Active codes starting with ``prefix`` (system, code, title, billable), in code order."""
        hi = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return [
            (r[0], r[1], r[2], None if r[3] is None else bool(r[3]))
            for r in self.conn.execute(
                "SELECT s.system, s.code, c.title, c.billable FROM code_status s JOIN codes c"
                " ON c.system=s.system AND c.code=s.code AND c.source_id=s.newest_source"
                " WHERE s.code >= ? AND s.code < ? AND s.status='active' ORDER BY s.code LIMIT ?",
                (prefix, hi, limit),
            )
        ]

    # --- facts about a code --------------------------------------------------------------------

    def notes(self, system: str, code: str, source_id: int) -> list[tuple[str, str, list[str]]]:
        return [
            (r[0], r[1], json.loads(r[2]))
            for r in self.conn.execute(
                "SELECT kind, text, refs FROM notes WHERE system=? AND code=? AND source_id=? ORDER BY seq",
                (system, code, source_id),
            )
        ]

    def notes_any_release(self, system: str, code: str) -> list[tuple[str, str, list[str], Source]]:
        return [
            (r[0], r[1], json.loads(r[2]), self._sources[r[3]])
            for r in self.conn.execute(
                "SELECT kind, text, refs, source_id FROM notes WHERE system=? AND code=? ORDER BY source_id, seq",
                (system, code),
            )
        ]

    def terms(self, system: str, code: str) -> list[tuple[str, str, Source]]:
        return [
            (r[0], r[1], self._sources[r[2]])
            for r in self.conn.execute(
                "SELECT term, kind, source_id FROM terms WHERE system=? AND code=? ORDER BY kind, term",
                (system, code),
            )
        ]

    def fee_schedule(self, code: str) -> list[tuple[str, dict[str, Any], Source]]:
        """(modifier, fields, source) rows, newest release first."""
        rows = [
            (r[0], json.loads(r[1]), self._sources[r[2]])
            for r in self.conn.execute(
                "SELECT modifier, fields, source_id FROM fee_schedule WHERE code=?", (code,)
            )
        ]
        rows.sort(key=lambda r: (r[2].effective, r[2].id), reverse=True)
        return rows

    def mue(self, code: str) -> list[tuple[str, int, int | None, str | None, Source]]:
        rows = [
            (r[0], r[1], r[2], r[3], self._sources[r[4]])
            for r in self.conn.execute(
                "SELECT setting, units, mai, rationale, source_id FROM mue WHERE code=?", (code,)
            )
        ]
        rows.sort(key=lambda r: (r[0], r[4].effective), reverse=True)
        return rows

    def ptp(self, code: str, column: int) -> list[dict[str, Any]]:
        """PTP edits with ``code`` in column 1 or 2, from every loaded table."""
        col, other = ("column1", "column2") if column == 1 else ("column2", "column1")
        return [
            {
                "setting": r[0],
                "other": r[1],
                "effective": r[2],
                "deletion": r[3],
                "modifier_indicator": r[4],
                "rationale": r[5],
                "source": self._sources[r[6]],
            }
            for r in self.conn.execute(
                f"SELECT setting, {other}, effective, deletion, modifier_indicator, r.text, source_id"
                f" FROM ptp LEFT JOIN ptp_rationales r ON r.id = ptp.rationale_id WHERE {col}=? ORDER BY setting, {other}",
                (code,),
            )
        ]

    def pack_entries(self, code: str) -> list[tuple[str, dict[str, Any]]]:
        return [
            (r[0], json.loads(r[1]))
            for r in self.conn.execute("SELECT pack_id, body FROM pack_codes WHERE code=?", (code,))
        ]

    def ptp_pairs(self, partners: dict[str, set[str]], chunk: int = 500) -> list[tuple[Any, ...]]:
        """PTP rows (setting, column1, column2, effective, deletion, modifier_indicator, rationale text,
        source id) for the code pairs ``column1 -> {column2, ...}`` of ``partners``, every setting.

        One query per column-1 code: ``column1=? AND column2 IN (...)`` is a few probes of the
        (column1, column2) index. Rows of one pair come in table order, as ``ptp`` gives them."""
        out: list[tuple[Any, ...]] = []
        for first in sorted(partners):
            seconds = sorted(partners[first])
            for i in range(0, len(seconds), chunk):
                part = seconds[i:i + chunk]
                out += self.conn.execute(
                    "SELECT setting, column1, column2, effective, deletion, modifier_indicator, r.text, source_id"
                    " FROM ptp LEFT JOIN ptp_rationales r ON r.id = ptp.rationale_id"
                    f" WHERE column1=? AND column2 IN ({','.join('?' * len(part))})", (first, *part)).fetchall()
        return out

    def pack_entries_many(self, codes: list[str], chunk: int = 500) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """``pack_entries`` for many codes in a few queries (every code is a key)."""
        out: dict[str, list[tuple[str, dict[str, Any]]]] = {c: [] for c in codes}
        for i in range(0, len(codes), chunk):
            part = codes[i:i + chunk]
            for code, pack_id, body in self.conn.execute(
                f"SELECT code, pack_id, body FROM pack_codes WHERE code IN ({','.join('?' * len(part))})", part):
                out[code].append((pack_id, json.loads(body)))
        return out

    def pack(self, pack_id: str) -> dict[str, Any]:
        if pack_id not in self._packs:
            row = self.conn.execute("SELECT body, file_name, sha256 FROM packs WHERE id=?", (pack_id,)).fetchone()
            body = json.loads(row[0])
            body["_file"] = row[1]
            body["_sha256"] = row[2]
            self._packs[pack_id] = body
        return self._packs[pack_id]

    def pack_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM packs ORDER BY id")]
