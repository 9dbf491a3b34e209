"""Build the knowledge base: run every importer over the mirror into a new SQLite file, then swap it in.

The build is atomic: everything is written to a temporary file beside the target and only an
``os.replace`` at the very end makes it the knowledge base. A build that fails or is killed leaves the
previous knowledge base untouched (and at most a stale ``*.building-*`` file, removed by the next
build).

This module owns the write side (the :class:`KBSink` given to importers and the derived tables);
reading is :mod:`medcode.kb.store`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from medcode import __version__
from medcode.codesets import IMPORTERS, discover
from medcode.errors import ImportFormatError, KBError, MedcodeError
from medcode.kb import derive

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1"
_BATCH = 50_000


@dataclass
class BuildReport:
    """What a build did, for the CLI to print."""

    path: Path
    files: list[dict[str, Any]] = field(default_factory=list)
    superseded: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


class KBSink:
    """The :class:`medcode.codesets.base.Sink` that writes to the knowledge base being built."""

    def __init__(self, conn: sqlite3.Connection, path: Path, sha256: str) -> None:
        self._conn = conn
        self._path = path
        self._sha256 = sha256
        self.source_id: int | None = None
        self.rows = 0
        self._buf: dict[str, list[tuple[Any, ...]]] = {}
        self._note_seq = 0
        self._rationales: dict[str, int] = dict(
            (text, rid) for rid, text in conn.execute("SELECT id, text FROM ptp_rationales")
        )

    _SQL = {
        "codes": "INSERT OR REPLACE INTO codes VALUES (?,?,?,?,?,?,?,?,?)",
        "terms": "INSERT INTO terms VALUES (?,?,?,?,?)",
        "notes": "INSERT INTO notes VALUES (?,?,?,?,?,?,?)",
        "fee": "INSERT OR REPLACE INTO fee_schedule VALUES (?,?,?,?)",
        "mue": "INSERT OR REPLACE INTO mue VALUES (?,?,?,?,?,?)",
        "ptp": "INSERT INTO ptp VALUES (?,?,?,?,?,?,?,?,?)",
    }

    def _add(self, table: str, row: tuple[Any, ...]) -> None:
        if self.source_id is None:
            raise ImportFormatError(self._path, None, "importer wrote a record before describing its source")
        buf = self._buf.setdefault(table, [])
        buf.append(row)
        self.rows += 1
        if len(buf) >= _BATCH:
            self._conn.executemany(self._SQL[table], buf)
            buf.clear()

    def flush(self) -> None:
        for table, buf in self._buf.items():
            if buf:
                self._conn.executemany(self._SQL[table], buf)
                buf.clear()
        if self.source_id is not None:
            self._conn.execute("UPDATE sources SET row_count=? WHERE id=?", (self.rows, self.source_id))

    # --- the Sink protocol ---------------------------------------------------------------------

    def source(
        self,
        *,
        dataset: str,
        publisher: str,
        release: str,
        effective: str,
        end: str | None = None,
        complete: bool = True,
        systems: Sequence[str] = (),
    ) -> None:
        if self.source_id is not None:
            raise ImportFormatError(self._path, None, "importer described its source twice")
        cur = self._conn.execute(
            "INSERT INTO sources (dataset, publisher, release, effective, end_date, complete, systems,"
            " file_name, sha256, row_count, imported_at) VALUES (?,?,?,?,?,?,?,?,?,0,?)",
            (
                dataset,
                publisher,
                release,
                effective,
                end,
                int(complete),
                json.dumps(list(systems)),
                self._path.name,
                self._sha256,
                datetime.now(timezone.utc).isoformat(timespec="seconds"),
            ),
        )
        self.source_id = cur.lastrowid

    def code(
        self,
        system: str,
        code: str,
        title: str | None,
        *,
        short_title: str | None = None,
        billable: bool | None = None,
        kind: str = "code",
        parent: str | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        self._add(
            "codes",
            (
                system,
                code,
                self.source_id,
                title,
                short_title,
                None if billable is None else int(billable),
                kind,
                parent,
                json.dumps(attrs, sort_keys=True) if attrs else None,
            ),
        )

    def term(self, system: str, code: str, term: str, kind: str) -> None:
        self._add("terms", (system, code, self.source_id, term, kind))

    def note(self, system: str, code: str, kind: str, text: str, refs: Sequence[str] = ()) -> None:
        self._note_seq += 1
        self._add("notes", (system, code, self.source_id, self._note_seq, kind, text, json.dumps(list(refs))))

    def fee(self, code: str, modifier: str, fields: dict[str, Any]) -> None:
        self._add("fee", (code, modifier or "", self.source_id, json.dumps(fields, sort_keys=True)))

    def mue(self, setting: str, code: str, units: int, mai: int | None, rationale: str | None) -> None:
        self._add("mue", (setting, code, self.source_id, units, mai, rationale))

    def ptp(
        self,
        setting: str,
        column1: str,
        column2: str,
        *,
        effective: str | None,
        deletion: str | None,
        modifier_indicator: str,
        prior_1996: bool | None = None,
        rationale: str | None = None,
    ) -> None:
        rationale_id = None
        if rationale:
            rationale_id = self._rationales.get(rationale)
            if rationale_id is None:
                rationale_id = self._conn.execute("INSERT INTO ptp_rationales (text) VALUES (?)", (rationale,)).lastrowid
                self._rationales[rationale] = rationale_id
        self._add(
            "ptp",
            (
                setting,
                column1,
                column2,
                self.source_id,
                effective,
                deletion,
                modifier_indicator,
                None if prior_1996 is None else int(prior_1996),
                rationale_id,
            ),
        )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _new_db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")  # the temp file is thrown away on any failure anyway
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-200000")
    conn.executescript(resources.files("medcode.kb").joinpath("schema.sql").read_text(encoding="utf-8"))
    return conn


def plan(
    mirror: Path | None, cpt_files: Sequence[Path] = (), superseded: list[Path] | None = None
) -> list[tuple[str, Path]]:
    """The (importer, file) pairs a build will run, in build order.

    With no mirror, ICD-10-CM comes from the tabular XML packaged with simple-icd-10-cm.
    """
    jobs = discover(mirror, superseded) if mirror else []
    if not any(name == "icd10cm-tabular" for name, _ in jobs):
        from medcode.codesets import icd10cm_tabular

        jobs.insert(0, ("icd10cm-tabular", icd10cm_tabular.packaged_path()))
    jobs += [("cpt-licensed", Path(p)) for p in cpt_files]
    return jobs


def build(
    target: Path,
    mirror: Path | None = None,
    *,
    cpt_files: Sequence[Path] = (),
    pack_files: Sequence[Path] = (),
    progress: Callable[[str, Path], None] | None = None,
) -> BuildReport:
    """Build a knowledge base at ``target`` from ``mirror`` (and the packaged ICD-10-CM without one).

    >>> build(Path("/tmp/kb.sqlite"), Path("../shared/data"))  # doctest: +SKIP
    """
    started = time.perf_counter()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(target.name + ".building-*"):
        try:
            stale.unlink()
        except OSError:
            pass
    tmp = target.with_name(f"{target.name}.building-{os.getpid()}")
    report = BuildReport(path=target)
    conn = _new_db(tmp)
    try:
        for name, path in plan(mirror, cpt_files, report.superseded):
            if progress:
                progress(name, path)
            t0 = time.perf_counter()
            report.files.append(_import_one(conn, name, path) | {"seconds": round(time.perf_counter() - t0, 2)})
        derive.finish(conn, pack_files)
        report.counts = derive.counts(conn)
        conn.execute(
            "INSERT INTO meta VALUES ('schema_version', ?), ('medcode_version', ?), ('built_at', ?), ('superseded', ?)",
            (SCHEMA_VERSION, __version__, datetime.now(timezone.utc).isoformat(timespec="seconds"),
             json.dumps([p.name for p in report.superseded])),
        )
        conn.execute("ANALYZE")
        conn.close()
        os.replace(tmp, target)
    except BaseException:
        conn.close()
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _import_one(conn: sqlite3.Connection, name: str, path: Path) -> dict[str, Any]:
    """Import one file inside a savepoint, so a file that fails leaves nothing behind."""
    if name not in IMPORTERS:
        raise KBError(f"no importer named {name!r}")
    if not path.is_file():
        raise ImportFormatError(path, None, "file not found")
    sink = KBSink(conn, path, _sha256(path))
    conn.execute("BEGIN")
    try:
        IMPORTERS[name].load(path, sink)
        if sink.source_id is None:
            raise ImportFormatError(path, None, "importer found nothing to import")
        sink.flush()
        conn.execute("COMMIT")
    except MedcodeError:
        conn.execute("ROLLBACK")
        raise
    except Exception as exc:  # an importer bug or an unexpected layout: still name the file
        conn.execute("ROLLBACK")
        raise ImportFormatError(path, None, f"{type(exc).__name__}: {exc}") from exc
    row = conn.execute(
        "SELECT dataset, release, effective, row_count FROM sources WHERE id=?", (sink.source_id,)
    ).fetchone()
    return {"importer": name, "file": str(path), "dataset": row[0], "release": row[1], "effective": row[2], "rows": row[3]}
