"""Importer for the list of CPT (Level I) modifier codes.

This module owns which two-character CPT modifiers exist (22 ... 99, P1–P6, 1P/2P/3P/8P) and two
CMS facts about each: whether the I/OCE accepts it and whether NCCI treats it as a PTP-associated
modifier. Codes only: the short names in the file are AMA text and are never read into the
knowledge base (``title=None``).

Layout: ``modifier,short_name,category_thirdparty,valid_in_ioce_<version>_<yyyy>Q<n>,
ioce_ncci_associated`` (Y/N flags). The I/OCE column names its version and quarter; that quarter's
first day is the release's effective date (the file carries no other date).
"""

from __future__ import annotations

import re
from pathlib import Path

from medcode.codesets._textio import read_decoded
from medcode.codesets.base import Sink, csv_rows, header_index
from medcode.errors import ImportFormatError

PATTERNS = ["modifiers/cpt_modifiers_codes_short_names.csv"]

_IOCE_COLUMN = re.compile(r"valid_in_ioce_v?([\d.]+)_(\d{4})Q([1-4])", re.I)
_CODE = re.compile(r"[0-9A-Z]{2}")
_FLAGS = {"Y": True, "N": False, "": None}


def load(path: Path, sink: Sink) -> None:
    """Read the CPT modifier list and emit one ``MODIFIER`` code (no title) per row."""
    rows = csv_rows(path, read_decoded(path, ("utf-8-sig",)))
    line, header = next(rows)
    ioce = next((m for m in map(_IOCE_COLUMN.fullmatch, (h.strip() for h in header)) if m), None)
    if ioce is None:
        raise ImportFormatError(path, line, f"header has no valid_in_ioce_<version>_<yyyy>Q<n> column (found {header})")
    cols = header_index(path, line, header, {
        "code": ("modifier",),
        "category": ("category_thirdparty",),
        "ioce_valid": (ioce.group(0),),
        "ncci_associated": ("ioce_ncci_associated",),
    })
    version, year, quarter = ioce.groups()
    effective = f"{year}-{1 + 3 * (int(quarter) - 1):02d}-01"
    sink.source(
        dataset="cpt-modifiers",
        publisher="AMA (codes); CMS I/OCE (flags)",
        release=f"CPT modifier codes with I/OCE {version} flags ({year} Q{quarter})",
        effective=effective,
        complete=True,
        systems=(),
    )
    width = len(header)
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != width:
            raise ImportFormatError(path, line, f"expected {width} columns like the header, found {len(cells)}")
        code = cells[cols["code"]].strip()
        if not _CODE.fullmatch(code):
            raise ImportFormatError(path, line, f"modifier {code!r} is not two characters")
        flags = {}
        for field in ("ioce_valid", "ncci_associated"):
            raw = cells[cols[field]].strip().upper()
            if raw not in _FLAGS:
                raise ImportFormatError(path, line, f"{field} flag {raw!r} is not Y, N or blank")
            flags[field] = _FLAGS[raw]
        sink.code(
            "MODIFIER",
            code,
            None,
            kind="code",
            attrs={
                "category": cells[cols["category"]].strip() or None,
                "ioce_valid": flags["ioce_valid"],
                "ioce_version": version,
                "ncci_associated": flags["ncci_associated"],
            },
        )
