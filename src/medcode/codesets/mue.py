"""Importer for the CMS NCCI Medically Unlikely Edit (MUE) tables.

This module owns the MUE facts: per code and care setting (practitioner, outpatient hospital, DME
supplier), the most units CMS expects on one claim line / one date of service, the adjudication
indicator (MAI 1 line edit, 2 date-of-service by policy, 3 date-of-service on clinical grounds) and
CMS's rationale.

Layout of the CMS CSV (``MCR_MUE_<Setting>Services_Eff_MM-DD-YYYY.csv``): optionally a first row
holding one quoted, multi-line AMA notice; then the header row whose first cell itself contains a
line break (``"HCPCS/\\nCPT Code"``), ``<Setting> Services MUE Values``, ``MUE Adjudication
Indicator``, ``MUE Rationale``; then one row per code. The setting is read from the header, the
effective date from the file name (CMS prints it nowhere inside the file).
"""

from __future__ import annotations

import re
from pathlib import Path

from medcode.codesets._textio import read_decoded
from medcode.codesets.base import Sink, csv_rows, header_index
from medcode.errors import ImportFormatError

PATTERNS = ["ncci_mue/MCR_MUE_*.csv"]
#: the mirror's stop-gap extract repeats rows of the full practitioner table
SKIP = re.compile(r"_EXTRACT", re.I)

# header text of the units column → our setting name
_SETTINGS = {
    "practitioner services": "practitioner",
    "outpatient hospital services": "outpatient_hospital",
    "dme supplier services": "dme",
}
_NAME_SETTINGS = {
    "practitionerservices": "practitioner",
    "outpatienthospitalservices": "outpatient_hospital",
    "dmesupplierservices": "dme",
}
_EFF = re.compile(r"Eff_(\d{2})-(\d{2})-(\d{4})", re.I)
_MAI = re.compile(r"\s*([123])\b")
_HEADER_SEARCH_ROWS = 30


def _squash(cell: str) -> str:
    return "".join(cell.split()).lower()


def _setting(path: Path, line: int, header: list[str]) -> tuple[str, str]:
    """(setting, header text of the units column)."""
    for cell in header:
        norm = " ".join(cell.split()).lower()
        if norm.endswith("mue values"):
            for prefix, setting in _SETTINGS.items():
                if norm.startswith(prefix):
                    return setting, cell
            raise ImportFormatError(path, line, f"unknown MUE setting in header cell {cell!r}")
    raise ImportFormatError(path, line, f"header has no '<Setting> Services MUE Values' column (found {header})")


def load(path: Path, sink: Sink) -> None:
    """Read one MUE CSV and emit ``sink.mue`` per code."""
    rows = csv_rows(path, read_decoded(path))
    header: list[str] | None = None
    line = 0
    for line, cells in rows:
        if cells and _squash(cells[0]) == "hcpcs/cptcode":
            header = cells
            break
        if line > _HEADER_SEARCH_ROWS:
            break
    if header is None:
        raise ImportFormatError(path, max(line, 1), "no 'HCPCS/CPT Code' header row near the top of the file")
    setting, units_header = _setting(path, line, header)
    name_setting = next((s for k, s in _NAME_SETTINGS.items() if k in path.name.lower()), None)
    if name_setting is not None and name_setting != setting:
        raise ImportFormatError(
            path, line, f"header says {setting!r} but the file name says {name_setting!r}"
        )
    norm_header = [" ".join(c.split()) for c in header]
    norm_header[0] = "HCPCS/CPT Code"
    cols = header_index(
        path,
        line,
        norm_header,
        {
            "code": ("HCPCS/CPT Code",),
            "units": (units_header,),
            "mai": ("MUE Adjudication Indicator",),
            "rationale": ("MUE Rationale",),
        },
    )
    m = _EFF.search(path.name)
    if not m:
        raise ImportFormatError(path, None, "file name has no '_Eff_MM-DD-YYYY' effective date")
    effective = f"{m.group(3)}-{m.group(1)}-{m.group(2)}"
    complete = "EXTRACT" not in path.name.upper()
    sink.source(
        dataset=f"ncci-mue-{setting}",
        publisher="CMS NCCI",
        release=f"MUE {setting.replace('_', ' ')} effective {effective}",
        effective=effective,
        complete=complete,
        systems=(),
    )
    width = len(header)
    c_code, c_units, c_mai, c_rat = cols["code"], cols["units"], cols["mai"], cols["rationale"]
    prev = line
    for line, cells in rows:
        start, prev = prev + 1, line
        if not any(c.strip() for c in cells):
            continue
        if any("\n" in c for c in cells):  # csv_rows gives the line a record ends on
            raise ImportFormatError(path, start, "a quoted cell runs over several lines (unbalanced quote?)")
        if len(cells) != width:
            raise ImportFormatError(path, start, f"expected {width} columns like the header, found {len(cells)}")
        code = cells[c_code].strip()
        if not code.isalnum():
            raise ImportFormatError(path, line, f"code {code!r} is not a HCPCS/CPT code")
        raw_units = cells[c_units].strip()
        if not raw_units.isdigit():
            raise ImportFormatError(path, line, f"MUE value {raw_units!r} for {code} is not a whole number")
        raw_mai = cells[c_mai].strip()
        mai: int | None = None
        if raw_mai:
            mm = _MAI.match(raw_mai)
            if not mm:
                raise ImportFormatError(path, line, f"adjudication indicator {raw_mai!r} does not start with 1, 2 or 3")
            mai = int(mm.group(1))
        sink.mue(setting, code, int(raw_units), mai, cells[c_rat].strip() or None)
