"""Importer for the ICD-10-CM order file ``icd10cm_order_YYYY.txt`` (CMS/CDC "Code Descriptions in
Tabular Order") and for a tab-separated export of the same content.

This module owns one record per code with its short and long title and the header/billable flag.
It does not know the chapters, blocks, notes or 7th-character tables: those come from the tabular
XML (``icd10cm_tabular``), which is the same lineage (dataset ``icd10cm``).

Fixed-width layout, as given by the CMS/CDC order-file documentation ("ICD-10-CM and ICD-10-PCS Order
Files", icd10OrderFiles.pdf, shipped in the Code Descriptions zip; positions are 1-based):

====  ====  ==========================================================================
pos   len   contents
====  ====  ==========================================================================
1     5     order number, right justified, zero filled
6     1     blank
7     7     ICD-10-CM code, without the dot
14    1     blank
15    1     0 if the code is a header (not valid for HIPAA-covered transactions), 1 if valid
16    1     blank
17    60    short description
77    1     blank
78    to    long description, to the end of the line
====  ====  ==========================================================================

The TSV export has the header ``order code code_dotted billable short_title long_title``.

Kinds: ``category`` for 3 characters, ``code`` for a billable longer code, ``header`` otherwise. The
parent is the longest shorter code present in the same file (S00.00XA -> S00.00). The fiscal year
comes from the file name: ``icd10cm_order_2026.txt`` is FY2026, effective 2025-10-01.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from medcode.codesets._icd10cm import PUBLISHER, SYSTEM, UNDOTTED, decode_text, dotted, release_of
from medcode.codesets.base import Sink, header_index, read_bytes
from medcode.errors import ImportFormatError

PATTERNS = ("icd10cm/**/icd10cm[_-]order[_-]*.txt", "icd10cm/**/icd10cm[_-]order[_-]*.tsv")
# Addenda list changes only; they are not a complete code list.
SKIP = re.compile(r"addend", re.IGNORECASE)

DATASET = "icd10cm"
_MIN_WIDTH = 78  # a record reaches at least the first character of the long description
_TSV_COLUMNS: dict[str, Sequence[str]] = {
    "order": ("order",),
    "code": ("code",),
    "code_dotted": ("code_dotted",),
    "billable": ("billable",),
    "short_title": ("short_title",),
    "long_title": ("long_title",),
}


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    order: int
    code: str  # undotted, as the file has it
    billable: bool
    short_title: str | None
    title: str


def load(path: Path, sink: Sink) -> None:
    """Read one order file (fixed width or TSV) and hand its codes to ``sink``."""
    text = decode_text(path, read_bytes(path))
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise ImportFormatError(path, 1, "the file is empty")
    rel = release_of(path, line=1)
    tsv = lines[0].split("\t")[0].strip().lower() == "order"
    rows = list(_tsv_rows(path, lines) if tsv else _fixed_rows(path, lines))
    if not rows:
        raise ImportFormatError(path, 2 if tsv else 1, "no code records")

    sink.source(
        dataset=DATASET,
        publisher=PUBLISHER,
        release=rel.release,
        effective=rel.effective,
        end=rel.end,
        complete=True,
        systems=(SYSTEM,),
    )
    seen: dict[str, int] = {}
    for row in rows:
        if row.code in seen:
            raise ImportFormatError(path, row.line, f"code {row.code} appears twice (first on line {seen[row.code]})")
        seen[row.code] = row.line
    for row in rows:
        parent = next((row.code[:n] for n in range(len(row.code) - 1, 2, -1) if row.code[:n] in seen), None)
        kind = "category" if len(row.code) == 3 else ("code" if row.billable else "header")
        sink.code(
            SYSTEM,
            dotted(row.code),
            row.title,
            short_title=row.short_title,
            billable=row.billable,
            kind=kind,
            parent=dotted(parent) if parent else None,
            attrs={"order": row.order},
        )


def _fixed_rows(path: Path, lines: list[str]) -> list[_Row]:
    rows: list[_Row] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) < _MIN_WIDTH:
            raise ImportFormatError(
                path, number, f"record is {len(line)} characters; the order-file layout needs at least {_MIN_WIDTH}"
            )
        if line[5] != " " or line[13] != " " or line[15] != " " or line[76] != " ":
            raise ImportFormatError(
                path, number, "positions 6, 14, 16 and 77 must be blank; this is not the fixed-width order-file layout"
            )
        order, code, flag = line[0:5], line[6:13].rstrip(), line[14]
        rows.append(_row(path, number, order, code, flag, line[16:76].rstrip(), line[77:].strip()))
    return rows


def _tsv_rows(path: Path, lines: list[str]) -> list[_Row]:
    header = lines[0].split("\t")
    col = header_index(path, 1, header, _TSV_COLUMNS)
    rows: list[_Row] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            raise ImportFormatError(path, number, f"expected {len(header)} tab-separated columns, found {len(cells)}")
        row = _row(
            path,
            number,
            cells[col["order"]].strip(),
            cells[col["code"]].strip(),
            cells[col["billable"]].strip(),
            cells[col["short_title"]].strip(),
            cells[col["long_title"]].strip(),
        )
        shown = cells[col["code_dotted"]].strip()
        if shown != dotted(row.code):
            raise ImportFormatError(path, number, f"code_dotted {shown!r} does not match code {row.code!r}")
        rows.append(row)
    return rows


def _row(path: Path, line: int, order: str, code: str, flag: str, short: str, long: str) -> _Row:
    if not order.isdigit():
        raise ImportFormatError(path, line, f"order number {order!r} is not a number")
    if not UNDOTTED.fullmatch(code):
        raise ImportFormatError(path, line, f"{code!r} is not an ICD-10-CM code (3 to 7 characters, no dot)")
    if flag not in ("0", "1"):
        raise ImportFormatError(path, line, f"header/billable flag is {flag!r}, expected 0 or 1")
    if not long:
        raise ImportFormatError(path, line, f"{code} has no long description")
    return _Row(line, int(order), code, flag == "1", short or None, long)
