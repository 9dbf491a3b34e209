"""Importer for the CMS alpha-numeric HCPCS (Level II) file.

This module owns HCPCS Level II codes (A0021–V5364 ...) and the Level II modifiers (RT, LT, TC,
XS, KX ...): descriptions plus the CMS payment attributes of the quarterly file.

Layouts read:

* the CMS workbook ``HCPC<yyyy>_<MON>_ANWEB*.xlsx`` (one sheet, header row ``HCPC, SEQNUM, RECID,
  LONG DESCRIPTION, SHORT DESCRIPTION, PRICE1..4, MULT_PI, CIM1..3, MCM1..3, STATUTE,
  LABCERT1..8, XREF1..5, COV, ASC_GRP, ASC_DT, OPPS, OPPS_PI, OPPS_DT, PROCNOTE, BETOS, TOS1..5,
  ANEST_BU, ADD DT, ACT EFF DT, TERM DT, ACTION CD``) and the same 48 columns saved as CSV
  (``.csv`` / ``.csv.xz``). RECID 3 is a code, 7 a modifier; 4 and 8 (continuation lines of the
  long description in the fixed-width text version) are appended to the record before them.
  Modifier codes are left-padded with blanks by CMS; we strip them.
* a derived code list ``HCPC<yyyy>_<MON>_codes_short_long_DERIVED.csv[.xz]`` with
  ``HCPCS_CODE,SHORT_DESCRIPTION,LONG_DESCRIPTION`` (two-character codes are modifiers).

The release month comes from the file name (``HCPC2025_OCT`` → 2025-10-01). Every file is a full
quarterly list, so ``systems=("HCPCS",)``: Level II modifiers share the ``MODIFIER`` system with CPT
modifiers, which another dataset defines, so this dataset does not claim that whole system.
A code whose TERM DT falls before the release's effective date is still listed by CMS (grace
period) but is marked ``billable=False``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from medcode.codesets._textio import iso_compact, month_number, read_decoded
from medcode.codesets.base import Sink, csv_rows, header_index
from medcode.errors import ImportFormatError

# Only one copy of a release: the original CMS workbook (the mirror's 48-column CSV export of the
# same sheet is readable by load() but deliberately not matched here).
PATTERNS = ["hcpcs/HCPC*_ANWEB*.xlsx", "hcpcs/HCPC*_codes_short_long_DERIVED.csv*"]

DATASET = "hcpcs"
_NAME = re.compile(r"HCPC(\d{4})_([A-Za-z]{3})", re.I)
_CODE = re.compile(r"[A-Z][0-9]{4}")
_MODIFIER = re.compile(r"[0-9A-Z]{2}")

_SCALARS: dict[str, Sequence[str]] = {
    "hcpc": ("HCPC",),
    "recid": ("RECID",),
    "long": ("LONG DESCRIPTION",),
    "short": ("SHORT DESCRIPTION",),
    "mult_pi": ("MULT_PI",),
    "statute": ("STATUTE",),
    "coverage": ("COV",),
    "asc_group": ("ASC_GRP",),
    "asc_date": ("ASC_DT",),
    "opps": ("OPPS",),
    "opps_pi": ("OPPS_PI",),
    "opps_date": ("OPPS_DT",),
    "procnote": ("PROCNOTE",),
    "betos": ("BETOS",),
    "anesthesia_base_units": ("ANEST_BU",),
    "add_date": ("ADD DT",),
    "action_effective_date": ("ACT EFF DT",),
    "termination_date": ("TERM DT",),
    "action_code": ("ACTION CD",),
}
_LISTS = {
    "pricing_indicators": [f"PRICE{i}" for i in range(1, 5)],
    "cim": [f"CIM{i}" for i in range(1, 4)],
    "mcm": [f"MCM{i}" for i in range(1, 4)],
    "lab_cert": [f"LABCERT{i}" for i in range(1, 9)],
    "xref": [f"XREF{i}" for i in range(1, 6)],
    "tos": [f"TOS{i}" for i in range(1, 6)],
}
_DATES = ("asc_date", "opps_date", "add_date", "action_effective_date", "termination_date")
_ANWEB_COLUMNS: dict[str, Sequence[str]] = {
    **_SCALARS, **{n: (n,) for names in _LISTS.values() for n in names}
}
_DERIVED_COLUMNS: dict[str, Sequence[str]] = {
    "code": ("HCPCS_CODE",), "short": ("SHORT_DESCRIPTION",), "long": ("LONG_DESCRIPTION",)
}
_MODIFIER_ATTRS = ("pricing_indicators", "coverage", "add_date", "action_effective_date",
                   "termination_date", "action_code")


def _release(path: Path) -> tuple[str, str]:
    m = _NAME.search(path.name)
    if not m:
        raise ImportFormatError(path, None, "file name has no HCPC<yyyy>_<MON> release (e.g. HCPC2025_OCT)")
    month = month_number(path, None, m.group(2))
    return f"{m.group(1)}-{month:02d}", f"{m.group(1)}-{month:02d}-01"


def load(path: Path, sink: Sink) -> None:
    """Read one HCPCS file (xlsx, 48-column CSV or derived code list) and emit ``sink.code``."""
    label, effective = _release(path)
    rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else csv_rows(path, read_decoded(path, ("utf-8-sig",)))
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise ImportFormatError(path, 1, "the file is empty") from None
    norm = [" ".join(h.split()).upper() for h in header]
    derived = "HCPCS_CODE" in norm
    if derived:
        cols = header_index(path, header_line, header, _DERIVED_COLUMNS)
    else:
        cols = header_index(path, header_line, header, _ANWEB_COLUMNS)
    sink.source(
        dataset=DATASET,
        publisher="CMS",
        release=f"HCPCS {label}" + (" (derived code list)" if derived else " quarterly update"),
        effective=effective,
        complete="EXTRACT" not in path.name.upper(),
        systems=("HCPCS",),
    )
    if derived:
        _load_derived(path, sink, cols, len(header), rows)
    else:
        _load_anweb(path, sink, cols, len(header), rows, effective)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException ...
        raise ImportFormatError(path, None, f"cannot open the workbook: {exc}") from exc
    number = 0
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # a damaged sheet part inside an intact zip
                raise ImportFormatError(path, number + 1, f"cannot read the worksheet row: {exc}") from exc
            number += 1
            yield number, ["" if v is None else str(v) for v in values]
    finally:
        wb.close()


def _load_derived(path: Path, sink: Sink, cols: dict[str, int], width: int, rows: Any) -> None:
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != width:
            raise ImportFormatError(path, line, f"expected {width} columns like the header, found {len(cells)}")
        code = cells[cols["code"]].strip()
        long, short = cells[cols["long"]].strip() or None, cells[cols["short"]].strip() or None
        if _MODIFIER.fullmatch(code):
            sink.code("MODIFIER", code, long, short_title=short, kind="code")
        elif _CODE.fullmatch(code):
            sink.code("HCPCS", code, long, short_title=short, billable=True, kind="code")
        else:
            raise ImportFormatError(path, line, f"{code!r} is neither a HCPCS code nor a 2-character modifier")


def _load_anweb(path: Path, sink: Sink, cols: dict[str, int], width: int, rows: Any, effective: str) -> None:
    pending: dict[str, Any] | None = None
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < width:
            raise ImportFormatError(path, line, f"expected {width} columns like the header, found {len(cells)}")
        recid = cells[cols["recid"]].strip()
        code = cells[cols["hcpc"]].strip()
        if recid in ("4", "8"):  # continuation of the previous record's long description
            if pending is None or pending["code"] != code:
                raise ImportFormatError(path, line, f"continuation record for {code!r} does not follow its code")
            pending["long"] = f"{pending['long']} {cells[cols['long']].strip()}".strip()
            continue
        if pending is not None:
            _emit(sink, pending, effective)
        if recid == "3":
            if not _CODE.fullmatch(code):
                raise ImportFormatError(path, line, f"{code!r} is not a HCPCS Level II code")
        elif recid == "7":
            if not _MODIFIER.fullmatch(code):
                raise ImportFormatError(path, line, f"{code!r} is not a 2-character modifier")
        else:
            raise ImportFormatError(path, line, f"RECID {recid!r} is not 3, 4, 7 or 8")
        pending = _record(path, line, cells, cols, code, recid)
    if pending is not None:
        _emit(sink, pending, effective)


def _record(path: Path, line: int, cells: list[str], cols: dict[str, int], code: str, recid: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for field in _SCALARS:
        if field in ("hcpc", "recid", "long", "short"):
            continue
        value = cells[cols[field]].strip()
        if field in _DATES and value:
            value = iso_compact(path, line, value, field)
        attrs[field] = value or None
    for field, names in _LISTS.items():
        attrs[field] = [v for v in (cells[cols[n]].strip() for n in names) if v]
    return {
        "code": code,
        "recid": recid,
        "long": cells[cols["long"]].strip(),
        "short": cells[cols["short"]].strip() or None,
        "attrs": attrs,
    }


def _emit(sink: Sink, rec: dict[str, Any], effective: str) -> None:
    attrs = rec["attrs"]
    if rec["recid"] == "7":
        sink.code(
            "MODIFIER",
            rec["code"],
            rec["long"] or None,
            short_title=rec["short"],
            kind="code",
            attrs={k: attrs[k] for k in _MODIFIER_ATTRS},
        )
        return
    term = attrs["termination_date"]
    sink.code(
        "HCPCS",
        rec["code"],
        rec["long"] or None,
        short_title=rec["short"],
        billable=not (term is not None and term < effective),
        kind="code",
        attrs=attrs,
    )
