"""Importer for a user's own licensed AMA CPT data file (never part of the mirror).

This module owns CPT descriptors. CPT text is AMA copyright, so medcode ships none: a user who
holds an AMA licence points the builder at a descriptor file from their AMA data-file
distribution, and this importer reads it. ``PATTERNS`` is empty on purpose.

Two layouts of the AMA distributions are read:

* tab-delimited descriptor tables with a header row, e.g. ``Concept Id<TAB>CPT Code<TAB>
  Clinician Descriptor Id<TAB>Clinician Descriptor`` or ``Concept Id<TAB>CPT Code<TAB>Consumer
  Friendly Descriptor``: the code comes from the ``CPT Code`` column and the text from the last
  column whose name ends in ``Descriptor``. A code listed several times (clinician descriptors)
  gets its first text as title and the others as ``synonym`` terms.
* the plain code lists (``LONGULT.txt``, ``MEDU.txt``, ``SHORTU.txt`` ...): some lines of licence
  notice, then one ``<code><TAB or space><descriptor>`` line per code.

The release is the CPT year: the ``year`` argument if given (the CLI passes it), else a year in the
file or folder name (``2026``), effective January 1 of it; failing both, the release is called
"user file" and dated by the file's modification time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medcode.codesets._textio import read_decoded
from medcode.codesets.base import Sink
from medcode.errors import ImportFormatError

PATTERNS: list[str] = []

_CODE = re.compile(r"\d{4}[0-9A-Z]")
_LINE = re.compile(r"(\d{4}[0-9A-Z])[\t ]+(\S.*?)\s*")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_HEADER_SEARCH_LINES = 60


def _release(path: Path, year: int | None) -> tuple[str, str]:
    if year is None:
        for part in (path.name, *(p.name for p in path.parents)):
            if m := _YEAR.search(part):
                year = int(m.group(1))
                break
    if year is not None:
        return f"CPT {year} (user licensed file)", f"{year}-01-01"
    mtime = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    return "user file", mtime


def load(path: Path, sink: Sink, *, year: int | None = None) -> None:
    """Read a licensed CPT descriptor file and emit ``sink.code("CPT", ...)`` per code."""
    lines = read_decoded(path).splitlines()
    header_at = None
    for i, text in enumerate(lines[:_HEADER_SEARCH_LINES]):
        if _LINE.fullmatch(text):
            break
        if any(c.strip().lower() == "cpt code" for c in text.split("\t")):
            header_at = i
            break
    release, effective = _release(path, year)
    source = dict(dataset="cpt-licensed", publisher="AMA (user licensed file)", release=release,
                  effective=effective, complete=False, systems=())
    # A user's CPT file may be a subset (a specialty extract): it supplies descriptors, and codes it
    # lacks are not treated as deleted. Deletions come from the complete fee-schedule releases.
    if header_at is not None:
        _load_table(path, sink, lines, header_at, source)
    else:
        _load_plain(path, sink, lines, source)


def _emitter(sink: Sink) -> Callable[[str, str], None]:
    """First text of a code becomes its title; later different texts become synonym terms."""
    seen: dict[str, set[str]] = {}

    def emit(code: str, text: str) -> None:
        texts = seen.get(code)
        if texts is None:
            seen[code] = {text}
            sink.code("CPT", code, text, billable=True, kind="code")
        elif text not in texts:
            texts.add(text)
            sink.term("CPT", code, text, "synonym")

    return emit


def _load_table(path: Path, sink: Sink, lines: list[str], at: int, source: dict[str, Any]) -> None:
    header = [h.strip() for h in lines[at].split("\t")]
    low = [h.lower() for h in header]
    code_col = low.index("cpt code")
    text_cols = [i for i, h in enumerate(low) if h.endswith("descriptor")]
    if not text_cols:
        raise ImportFormatError(path, at + 1, f"header has no '... Descriptor' column (found {header})")
    text_col = text_cols[-1]
    sink.source(**source)
    emit = _emitter(sink)
    need = max(code_col, text_col) + 1
    for number, text in enumerate(lines[at + 1:], at + 2):
        if not text.strip():
            continue
        cells = text.split("\t")
        if len(cells) < need:
            raise ImportFormatError(path, number, f"expected at least {need} tab-separated columns, found {len(cells)}")
        code, descriptor = cells[code_col].strip(), cells[text_col].strip()
        if not _CODE.fullmatch(code):
            raise ImportFormatError(path, number, f"{code!r} is not a CPT code")
        if not descriptor:
            raise ImportFormatError(path, number, f"CPT {code} has an empty descriptor")
        emit(code, descriptor)


def _load_plain(path: Path, sink: Sink, lines: list[str], source: dict[str, Any]) -> None:
    start = next((i for i, t in enumerate(lines) if _LINE.fullmatch(t)), None)
    if start is None:
        raise ImportFormatError(path, 1, "found neither a 'CPT Code' header nor '<code> <descriptor>' lines")
    sink.source(**source)
    emit = _emitter(sink)
    for number, text in enumerate(lines[start:], start + 1):
        if not text.strip():
            continue
        m = _LINE.fullmatch(text)
        if not m:
            raise ImportFormatError(path, number, f"expected '<code> <descriptor>', found {text[:40]!r}")
        emit(m.group(1), m.group(2))
