"""Importer for the NUCC Health Care Provider Taxonomy code set (``nucc_taxonomy_<vvv>.csv``).

This module owns the ``TAXONOMY`` code system: 10-character provider type codes ending in ``X``
(e.g. ``208VP0014X`` Interventional Pain Medicine) with their grouping / classification /
specialization, NUCC's definition and notes. Classification and specialization are also offered
as search synonyms.

Layout: NUCC's CSV with header ``Code, Grouping, Classification, Specialization, Definition,
Notes, Display Name, Section`` (quoted fields may hold commas). The version is only in the file
name: ``nucc_taxonomy_251.csv`` is 25.1. NUCC publishes twice a year; x.0 takes effect January 1
and x.1 July 1 of 20xx.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from medcode.codesets._textio import read_decoded
from medcode.codesets.base import Sink, csv_rows, header_index
from medcode.errors import ImportFormatError

PATTERNS = ["nucc_taxonomy/nucc_taxonomy_*.csv"]

_NAME = re.compile(r"nucc_taxonomy_(\d{2})(\d)(?!\d)", re.I)
_CODE = re.compile(r"[0-9A-Z]{9}X")
_COLUMNS: dict[str, Sequence[str]] = {
    "code": ("Code",),
    "grouping": ("Grouping",),
    "classification": ("Classification",),
    "specialization": ("Specialization",),
    "definition": ("Definition",),
    "notes": ("Notes",),
    "display_name": ("Display Name",),
    "section": ("Section",),
}


def _release(path: Path) -> tuple[str, str]:
    m = _NAME.search(path.name)
    if not m:
        raise ImportFormatError(path, None, "file name has no NUCC version (expected nucc_taxonomy_<yy><n>.csv)")
    year, half = m.groups()
    if half not in ("0", "1"):
        raise ImportFormatError(path, None, f"NUCC version {year}.{half}: only .0 (January) and .1 (July) exist")
    return f"{year}.{half}", f"20{year}-{'01' if half == '0' else '07'}-01"


def load(path: Path, sink: Sink) -> None:
    """Read one NUCC taxonomy CSV and emit ``sink.code`` plus synonym terms per code."""
    version, effective = _release(path)
    rows = csv_rows(path, read_decoded(path))
    try:
        line, header = next(rows)
    except StopIteration:
        raise ImportFormatError(path, 1, "the file is empty") from None
    cols = header_index(path, line, header, _COLUMNS)
    width = len(header)
    sink.source(
        dataset="nucc-taxonomy",
        publisher="NUCC",
        release=version,
        effective=effective,
        complete=True,
        systems=("TAXONOMY",),
    )
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != width:
            raise ImportFormatError(path, line, f"expected {width} columns like the header, found {len(cells)}")
        v = {field: cells[i].strip() for field, i in cols.items()}
        code = v["code"]
        if not _CODE.fullmatch(code):
            raise ImportFormatError(path, line, f"{code!r} is not a 10-character taxonomy code ending in X")
        classification, specialization = v["classification"], v["specialization"]
        title = v["display_name"] or " / ".join(p for p in (classification, specialization) if p) or None
        sink.code(
            "TAXONOMY",
            code,
            title,
            kind="code",
            attrs={
                "grouping": v["grouping"] or None,
                "classification": classification or None,
                "specialization": specialization or None,
                "definition": v["definition"] or None,
                "notes": v["notes"] or None,
                "section": v["section"] or None,
            },
        )
        for term in (classification, specialization):
            if term:
                sink.term("TAXONOMY", code, term, "synonym")
