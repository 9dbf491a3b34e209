"""Importer for the CMS Physician Fee Schedule national Relative Value file (``PPRRVU*.csv``).

This module owns the fee-schedule row of every HCPCS/CPT code and modifier (RVUs, payment policy
indicators, conversion factor) and the plain-language meaning of those indicators
(``mpfs_indicators.toml``, exposed as :data:`MEANINGS` / :func:`meaning`).

Layout (read from the file, never from fixed positions): a few banner rows (title with year and
release month, AMA/ADA notices, ``RELEASED mm/dd/yyyy``), then column names written vertically
over several rows ending with the row that starts with ``HCPCS``; each column's name is its cells
joined top-down (``CO-`` over ``SURG`` gives ``CO- SURG``). CY2026 added ``PRIC IND`` after
``TEAM SURG``; since we locate columns by name both layouts load with the same code.

The DESCRIPTION column is never read: for CPT codes it holds AMA-copyrighted short descriptors.
CPT-shaped codes are announced to the sink without any text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from medcode.codesets._textio import month_number, read_decoded
from medcode.codesets.base import Sink, csv_rows, header_index
from medcode.errors import ImportFormatError

PATTERNS = ["mpfs_rvu/**/PPRRVU*.csv"]

DATASET = "mpfs-rvu"

#: our field name → what the column means (and the header text it is read from, in brackets)
FIELDS: dict[str, str] = {
    "status": "payment status of the code [STATUS CODE]",
    "not_used_for_medicare": (
        "'+' when the RVUs are published but not used for Medicare payment [NOT USED FOR MEDICARE PAYMENT]"
    ),
    "work_rvu": "physician work relative value units [WORK RVU]",
    "nonfac_pe_rvu": "practice expense RVUs in a non-facility setting such as an office [NON-FAC PE RVU]",
    "nonfac_na": "'NA' when the code is not paid in a non-facility setting [NON-FAC NA INDICATOR]",
    "fac_pe_rvu": "practice expense RVUs in a facility setting [FACILITY PE RVU]",
    "fac_na": "'NA' when the code is not paid in a facility setting [FACILITY NA INDICATOR]",
    "mp_rvu": "malpractice (professional liability) RVUs [MP RVU]",
    "nonfac_total": "total RVUs, non-facility [NON-FACILITY TOTAL]",
    "fac_total": "total RVUs, facility [FACILITY TOTAL]",
    "pctc": "professional/technical component split; governs modifiers 26 and TC [PCTC IND]",
    "global_days": "global surgery period [GLOB DAYS]",
    "pre_op": "share of the global package for pre-operative care [PRE OP]",
    "intra_op": "share of the global package for the procedure itself [INTRA OP]",
    "post_op": "share of the global package for post-operative care [POST OP]",
    "mult_proc": "multiple procedure payment rule; governs modifier 51 [MULT PROC]",
    "bilateral": "bilateral surgery payment rule; governs modifier 50 [BILAT SURG]",
    "assistant": "assistant at surgery payment rule; governs modifiers 80/81/82 [ASST SURG]",
    "co_surgeons": "co-surgeon payment rule; governs modifier 62 [CO- SURG]",
    "team": "team surgery payment rule; governs modifier 66 [TEAM SURG]",
    "pricing_indicator": "pricing indicator added in the CY2026 layout; None for earlier files [PRIC IND]",
    "endo_base": "base endoscopy code for the endoscopic reduction rule [ENDO BASE]",
    "conv_factor": "conversion factor in dollars per RVU [CONV FACTOR]",
    "phys_supervision": (
        "level of physician supervision required for diagnostic tests "
        "[PHYSICIAN SUPERVISION OF DIAGNOSTIC PROCEDURES]"
    ),
    "calc_flag": "calculation flag [CALCULATION FLAG]",
    "imaging_family": "diagnostic imaging family for the imaging reduction rule [DIAGNOSTIC IMAGING FAMILY INDICATOR]",
    "opps_nonfac_pe": (
        "non-facility PE amount used for the OPPS payment cap [NON-FACILITY PE USED FOR OPPS PAYMENT AMOUNT]"
    ),
    "opps_fac_pe": "facility PE amount used for the OPPS payment cap [FACILITY PE USED FOR OPPS PAYMENT AMOUNT]",
    "opps_mp": "MP amount used for the OPPS payment cap [MP USED FOR OPPS PAYMENT AMOUNT]",
}

# header spellings (cells joined top-down, compared case/space-insensitively)
_COLUMNS: dict[str, Sequence[str]] = {
    "code": ("HCPCS",),
    "modifier": ("MOD",),
    "status": ("STATUS CODE",),
    "not_used_for_medicare": ("NOT USED FOR MEDICARE PAYMENT",),
    "work_rvu": ("WORK RVU",),
    "nonfac_pe_rvu": ("NON-FAC PE RVU",),
    "nonfac_na": ("NON-FAC NA INDICATOR",),
    "fac_pe_rvu": ("FACILITY PE RVU",),
    "fac_na": ("FACILITY NA INDICATOR",),
    "mp_rvu": ("MP RVU",),
    "nonfac_total": ("NON-FACILITY TOTAL",),
    "fac_total": ("FACILITY TOTAL",),
    "pctc": ("PCTC IND",),
    "global_days": ("GLOB DAYS",),
    "pre_op": ("PRE OP",),
    "intra_op": ("INTRA OP",),
    "post_op": ("POST OP",),
    "mult_proc": ("MULT PROC",),
    "bilateral": ("BILAT SURG",),
    "assistant": ("ASST SURG",),
    "co_surgeons": ("CO- SURG", "CO-SURG"),
    "team": ("TEAM SURG",),
    "endo_base": ("ENDO BASE",),
    "conv_factor": ("CONV FACTOR",),
    "phys_supervision": ("PHYSICIAN SUPERVISION OF DIAGNOSTIC PROCEDURES",),
    "calc_flag": ("CALCULATION FLAG",),
    "imaging_family": ("DIAGNOSTIC IMAGING FAMILY INDICATOR",),
    "opps_nonfac_pe": ("NON-FACILITY PE USED FOR OPPS PAYMENT AMOUNT",),
    "opps_fac_pe": ("FACILITY PE USED FOR OPPS PAYMENT AMOUNT",),
    "opps_mp": ("MP USED FOR OPPS PAYMENT AMOUNT",),
}
_OPTIONAL: dict[str, Sequence[str]] = {"pricing_indicator": ("PRIC IND",)}
_NUMERIC = frozenset(
    "work_rvu nonfac_pe_rvu fac_pe_rvu mp_rvu nonfac_total fac_total pre_op intra_op post_op "
    "conv_factor opps_nonfac_pe opps_fac_pe opps_mp".split()
)

_CPT = re.compile(r"\d{4}[0-9FTU]")
_CODE = re.compile(r"[0-9A-Z]{5}")
_TITLE = re.compile(r"(\d{4}) National Physician Fee Schedule Relative Value File (\w+) Release", re.I)
_RELEASED = re.compile(r"RELEASED\s+(\d{1,2})/(\d{1,2})/(\d{4})", re.I)
_NAME = re.compile(r"PPRRVU(\d{4}|\d{2})_?([A-Za-z]{3})", re.I)
_HEADER_SEARCH_ROWS = 40


def _norm(cell: str) -> str:
    return " ".join(cell.split())


def _release(path: Path, banner: list[tuple[int, str]]) -> tuple[str, str]:
    """(release label, effective ISO date) from the banner title, else from the file name."""
    year = month = None
    released = None
    for line, text in banner:
        if year is None and (m := _TITLE.search(text)):
            year, month = m.group(1), month_number(path, line, m.group(2))
        if released is None and (m := _RELEASED.search(text)):
            released = f"{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}"
    if year is None:
        m = _NAME.search(path.name)
        if not m:
            raise ImportFormatError(
                path, banner[0][0] if banner else 1,
                "no 'YYYY National Physician Fee Schedule Relative Value File <Month> Release' title "
                "and no PPRRVU<year>_<Mon> file name to take the release from",
            )
        year = m.group(1) if len(m.group(1)) == 4 else f"20{m.group(1)}"
        month = month_number(path, None, m.group(2))
    assert month is not None
    effective = f"{year}-{month:02d}-01"
    label = f"{year} {_month_title(month)} release"
    if "nonqpp" in path.name.lower():
        label += " (non-QPP)"
    elif "qpp" in path.name.lower():
        label += " (QPP)"
    if released:
        label += f", released {released}"
    return label, effective


def _month_title(month: int) -> str:
    return ("January February March April May June July August September October November "
            "December").split()[month - 1]


def _dataset(path: Path) -> str:
    """CY2026 publishes separate files for qualifying APM participants (QPP) and everyone else;
    they differ in conversion factor, so the QPP file is its own lineage."""
    name = path.name.lower()
    return f"{DATASET}-qpp" if "qpp" in name and "nonqpp" not in name else DATASET


def load(path: Path, sink: Sink) -> None:
    """Read one PPRRVU CSV and emit ``sink.fee`` per row (plus ``sink.code`` for CPT-shaped codes)."""
    rows = csv_rows(path, read_decoded(path))
    head: list[tuple[int, list[str]]] = []
    header_line = 0
    for line, cells in rows:
        head.append((line, cells))
        if cells and cells[0].strip().upper() == "HCPCS":
            header_line = line
            break
        if len(head) >= _HEADER_SEARCH_ROWS:
            break
    if not header_line:
        last = head[-1][0] if head else 1
        raise ImportFormatError(path, last, "no header row starting with 'HCPCS' in the first "
                                f"{_HEADER_SEARCH_ROWS} rows")
    names = head[-1][1]
    width = len(names)
    try:
        desc_col = [_norm(c).upper() for c in names].index("DESCRIPTION")
    except ValueError:
        desc_col = 2
    # Walk up from the HCPCS row: a row belongs to the header block when it has text in a data
    # column right of DESCRIPTION; banner rows carry their text in the DESCRIPTION column only.
    block = [names]
    start = len(head) - 1
    for i in range(len(head) - 2, -1, -1):
        cells = head[i][1]
        if not any(c.strip() for c in cells[desc_col + 1:]):
            break
        block.insert(0, cells)
        start = i
    joined = [
        _norm(" ".join(r[col] for r in block if col < len(r) and r[col].strip())) for col in range(width)
    ]
    banner = [(ln, _norm(" ".join(c))) for ln, c in head[:start] if any(c2.strip() for c2 in c)]
    cols = header_index(path, header_line, joined, _COLUMNS)
    try:
        cols.update(header_index(path, header_line, joined, _OPTIONAL))
    except ImportFormatError:
        pass
    release, effective = _release(path, banner)
    complete = "EXTRACT" not in path.name.upper()
    sink.source(
        dataset=_dataset(path),
        publisher="CMS",
        release=release,
        effective=effective,
        complete=complete,
        systems=("CPT",) if complete else (),
    )
    _emit_rows(path, sink, rows, cols, width)


def _emit_rows(path: Path, sink: Sink, rows: Any, cols: dict[str, int], width: int) -> None:
    code_col, mod_col = cols.pop("code"), cols.pop("modifier")
    text_cols = [(f, i) for f, i in cols.items() if f not in _NUMERIC]
    num_cols = [(f, i) for f, i in cols.items() if f in _NUMERIC]
    has_pric = "pricing_indicator" in cols
    seen_cpt: set[str] = set()
    for line, cells in rows:
        if len(cells) != width:
            if not any(c.strip() for c in cells):
                continue
            raise ImportFormatError(path, line, f"expected {width} columns like the header, found {len(cells)}")
        code = cells[code_col].strip()
        if not code and not any(c.strip() for c in cells):
            continue
        if not _CODE.fullmatch(code):
            raise ImportFormatError(path, line, f"HCPCS {code!r} is not a 5-character code")
        fields: dict[str, Any] = {}
        for field, i in text_cols:
            fields[field] = cells[i].strip() or None
        for field, i in num_cols:
            raw = cells[i].strip()
            if not raw:
                fields[field] = None
                continue
            try:
                fields[field] = float(raw)
            except ValueError:
                raise ImportFormatError(path, line, f"{field} value {raw!r} is not a number") from None
        if not has_pric:
            fields["pricing_indicator"] = None
        if fields["status"] is None:
            raise ImportFormatError(path, line, f"code {code} has no status code")
        if code not in seen_cpt and _CPT.fullmatch(code):
            seen_cpt.add(code)
            sink.code("CPT", code, None, billable=None, kind="code")
        sink.fee(code, cells[mod_col].strip(), fields)


# --- indicator meanings ---------------------------------------------------------------------------


@cache
def _meanings() -> dict[str, dict[str, Any]]:
    text = resources.files("medcode.codesets").joinpath("mpfs_indicators.toml").read_text("utf-8")
    return tomllib.loads(text)["fields"]


#: field → {"label": str, "modifiers": [str], "values": {value: meaning}} from mpfs_indicators.toml
MEANINGS: dict[str, dict[str, Any]] = _meanings()


def meaning(field: str, value: str | None) -> str | None:
    """Plain-language meaning of an indicator value (``meaning("co_surgeons", "0")``), or None."""
    if value is None:
        return None
    entry = _meanings().get(field)
    if entry is None:
        return None
    return entry.get("values", {}).get(value.strip())


def governed_modifiers(field: str) -> tuple[str, ...]:
    """The modifiers whose use an indicator field governs (``bilateral`` → ``("50",)``)."""
    return tuple(_meanings().get(field, {}).get("modifiers", ()))
