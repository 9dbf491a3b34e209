"""Importer for NCCI procedure-to-procedure (PTP) edits, practitioner and outpatient hospital.

This module owns the PTP code pairs: column 1 / column 2 code, effective and deletion dates, the
modifier indicator (0 never paid together, 1 a qualifying modifier may bypass, 9 edit no longer
applies), the pre-1996 flag and CMS's rationale. Three layouts are read:

1. CMS's own quarterly text files, practitioner ``ccipra-vNNNrR-fP.txt`` and hospital
   ``ccioph-vNNNrR-fP.txt``: tab-delimited, a copyright line and ``Column1/Column2 Edits``, then a
   header written over several lines (``Column 1 | Column 2 | *=in existence | Effective |
   Deletion | Modifier | PTP Edit Rationale`` with ``prior to 1996``, ``Date``, ``*=no data``,
   ``0=not allowed`` ... on the following lines); dates ``YYYYMMDD``; ``*`` means "no deletion".
   We join each column's header cells top-down, so a one-line header reads the same. Based on the
   CMS PTP download pages' description of the tables and on several independent public parsers and
   fixtures of the ``ccipra``/``ccioph`` TXT files, which agree on this preamble and column order;
   no original CMS file was available to check against.
2. Our mirror's derived CSVs ``ncci_ptp_<setting>_vNNNrR_effYYYY-MM-DD_DERIVED.csv[.xz]``:
   ``column1,column2,[in_existence_prior_to_1996,]deletion_date,modifier_indicator,
   ptp_edit_rationale`` (no effective date; deletion ``*`` = active, else ISO).
3. The hospital pairs taken from the CMS I/OCE (``ncci_ptp_hospital_from_IOCE_...``):
   ``column1,column2,modifier_indicator,first_ioce_version,last_ioce_version,in_ioce_from,
   in_ioce_to``. Effective = ``in_ioce_from`` (the first I/OCE quarter that carried the pair; the
   earliest quarter means "on or before"), deletion = ``in_ioce_to`` unless ``*``. It is its own
   dataset because it has no rationale, no 9 indicator and a different time base.

Deletion dates are stored exactly as published, converted to ISO: the last day the edit applied.
(NCCI deletions are normally quarter-end dates; a deletion equal to the effective date means the
edit was withdrawn retroactively.)

NCCI numbers its quarterly versions ``major.minor`` with major = year - 1994 and minor = quarter
- 1 (v30.2 = 2024-07-01, v32.1 = 2026-04-01); we use that to date the CMS text files, whose
contents carry no date. The files are large (about 2.5 million practitioner rows), so they are
streamed line by line with plain string splitting; no row holds quotes in any of these layouts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from medcode.codesets._textio import iso_compact, iso_date, stream_lines
from medcode.codesets.base import Sink, header_index
from medcode.errors import ImportFormatError

PATTERNS = [
    "ncci_ptp/**/ccipra-v*.txt",
    "ncci_ptp/**/ccipra-v*.TXT",
    "ncci_ptp/**/ccioph-v*.txt",
    "ncci_ptp/**/ccioph-v*.TXT",
    "ncci_ptp/**/ncci_ptp_*_DERIVED.csv",
    "ncci_ptp/**/ncci_ptp_*_DERIVED.csv.xz",
]
#: extracts repeat rows of the full tables
SKIP = re.compile(r"_EXTRACT", re.I)

_CMS_NAME = re.compile(r"cci(pra|oph)-v(\d{2})(\d)r(\d+)(?:-f(\d+))?", re.I)
_DERIVED_NAME = re.compile(r"ncci_ptp_(practitioner|outpatient_hospital)_v(\d{2})(\d)r(\d+)_eff(\d{4}-\d\d-\d\d)", re.I)
_IOCE_NAME = re.compile(r"IOCE_v[\d.]+-v(\d+\.\d+)_\d{4}Q\d-(\d{4})Q([1-4])", re.I)
_MODIFIER_INDICATORS = frozenset({"0", "1", "9"})
_HEADER_SEARCH_LINES = 20

_CMS_COLUMNS: dict[str, Sequence[str]] = {
    "column1": ("Column 1",),
    "column2": ("Column 2",),
    "prior_1996": ("*=in existence prior to 1996",),
    "effective": ("Effective Date",),
    "deletion": ("Deletion Date *=no data", "Deletion Date"),
    "modifier": ("Modifier 0=not allowed 1=allowed 9=not applicable", "Modifier"),
    "rationale": ("PTP Edit Rationale",),
}
_DERIVED_COLUMNS: dict[str, Sequence[str]] = {
    "column1": ("column1",),
    "column2": ("column2",),
    "deletion": ("deletion_date",),
    "modifier": ("modifier_indicator",),
    "rationale": ("ptp_edit_rationale",),
}
_IOCE_COLUMNS: dict[str, Sequence[str]] = {
    "column1": ("column1",),
    "column2": ("column2",),
    "modifier": ("modifier_indicator",),
    "last_version": ("last_ioce_version",),
    "from": ("in_ioce_from",),
    "to": ("in_ioce_to",),
}


def newest_only(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """Keep the newest release of each PTP table; return (kept, superseded).

    A quarterly PTP table restates every active and deleted edit, so an older quarter of the same
    table adds nothing but millions of rows. Parts (-f1 .. -f4) of one CMS release are kept together.
    """
    groups: dict[tuple[str, ...], list[tuple[tuple[int, ...], Path]]] = {}
    for path in paths:
        if m := _CMS_NAME.search(path.name):
            key, version = ("cms", m.group(1).lower(), m.group(5) or ""), tuple(int(x) for x in m.group(2, 3, 4))
        elif m := _DERIVED_NAME.search(path.name):
            key, version = ("derived", m.group(1).lower()), tuple(int(x) for x in m.group(2, 3, 4))
        elif m := _IOCE_NAME.search(path.name):
            key, version = ("ioce",), _version_key(m.group(1))
        else:
            key, version = ("other", path.name), ()
        groups.setdefault(key, []).append((version, path))
    kept: list[Path] = []
    for members in groups.values():
        members.sort()
        kept.append(members[-1][1])
    superseded = [p for p in paths if p not in kept]
    return [p for p in paths if p in kept], superseded


def _quarter_start(major: str, minor: str) -> str:
    return f"{1994 + int(major)}-{1 + 3 * int(minor):02d}-01"


def load(path: Path, sink: Sink) -> None:
    """Read one PTP file in any of the three layouts and emit ``sink.ptp`` per row."""
    # CMS's text files are Windows text; the derived CSVs are written as UTF-8 only
    encodings = ("utf-8",) if ".csv" in path.name.lower() else ("utf-8", "cp1252")
    lines = stream_lines(path, encodings)
    first_line, first = next(lines)
    if first.startswith("column1,"):
        header = first.split(",")
        if "in_ioce_from" in header:
            _load_ioce(path, sink, header, lines)
        else:
            _load_derived(path, sink, header, lines)
    elif first.startswith("table,"):
        raise ImportFormatError(path, first_line, "this is the mirror's EXTRACT layout (a 'table' column "
                                "mixing settings); load the full tables instead")
    else:
        _load_cms(path, sink, first_line, first, lines)


def _check(path: Path, line: int, c1: str, c2: str, modifier: str) -> None:
    if not c1 or not c2:
        raise ImportFormatError(path, line, "column 1 or column 2 code is empty")
    if modifier not in _MODIFIER_INDICATORS:
        raise ImportFormatError(path, line, f"modifier indicator {modifier!r} is not 0, 1 or 9")


# --- CMS tab-delimited text ------------------------------------------------------------------------


def _load_cms(path: Path, sink: Sink, first_line: int, first: str, lines: Iterator[tuple[int, str]]) -> None:
    m = _CMS_NAME.search(path.name)
    if not m:
        raise ImportFormatError(
            path, None, "file name is not ccipra-/ccioph-vNNNrR[-fP]: cannot tell setting and version"
        )
    kind, major, minor, revision, part = m.groups()
    setting = "practitioner" if kind.lower() == "pra" else "outpatient_hospital"
    # find the header: the line whose first cell is "Column 1", plus continuation lines whose
    # first two cells are blank
    line, text = first_line, first
    while text.split("\t", 1)[0].strip().lower() != "column 1":
        try:
            line, text = next(lines)
        except StopIteration:
            raise ImportFormatError(path, line, "no 'Column 1' header line found") from None
        if line > _HEADER_SEARCH_LINES:
            raise ImportFormatError(path, line, f"no 'Column 1' header line in the first {_HEADER_SEARCH_LINES} lines")
    header_line = line
    block = [text.split("\t")]
    pending: tuple[int, str] | None = None
    for line, text in lines:
        cells = text.split("\t")
        if cells[0].strip() or (len(cells) > 1 and cells[1].strip()):
            pending = (line, text)
            break
        block.append(cells)
    width = max(len(r) for r in block)
    names = [" ".join(" ".join(r[i] for r in block if i < len(r)).split()) for i in range(width)]
    cols = header_index(path, header_line, names, _CMS_COLUMNS)
    sink.source(
        dataset=f"ncci-ptp-{setting}",
        publisher="CMS NCCI",
        release=f"NCCI PTP {setting.replace('_', ' ')} v{major}.{minor}r{revision}",
        effective=_quarter_start(major, minor),
        complete=part is None,
        systems=(),
    )
    if pending is None:
        return
    need = max(cols.values()) + 1
    i1, i2, ip, ie, idel, im, ir = (cols[k] for k in _CMS_COLUMNS)
    dates: dict[str, str] = {}

    def when(raw: str, line: int, what: str) -> str:
        iso = dates.get(raw)
        if iso is None:
            iso = dates[raw] = iso_compact(path, line, raw, what)
        return iso

    def rows() -> Iterator[tuple[int, str]]:
        assert pending is not None
        yield pending
        yield from lines

    for line, text in rows():
        if not text.strip():
            continue
        cells = text.split("\t")
        if len(cells) < need:
            raise ImportFormatError(path, line, f"expected {need} tab-separated columns, found {len(cells)}")
        c1, c2, modifier = cells[i1].strip(), cells[i2].strip(), cells[im].strip()
        if modifier not in _MODIFIER_INDICATORS or not c1 or not c2:
            _check(path, line, c1, c2, modifier)
        prior = cells[ip].strip()
        if prior not in ("", "*"):
            raise ImportFormatError(path, line, f"pre-1996 flag {prior!r} is neither '*' nor blank")
        eff = cells[ie].strip()
        dele = cells[idel].strip()
        sink.ptp(
            setting,
            c1,
            c2,
            effective=when(eff, line, "effective date") if eff else None,
            deletion=None if dele in ("*", "") else when(dele, line, "deletion date"),
            modifier_indicator=modifier,
            prior_1996=prior == "*",
            rationale=cells[ir].strip() or None,
        )


# --- mirror-derived CSVs ---------------------------------------------------------------------------


def _load_derived(path: Path, sink: Sink, header: list[str], lines: Iterator[tuple[int, str]]) -> None:
    m = _DERIVED_NAME.search(path.name)
    if not m:
        raise ImportFormatError(
            path, None, "file name lacks ncci_ptp_<setting>_vNNNrR_effYYYY-MM-DD: cannot tell setting and release"
        )
    setting, major, minor, revision, effective = m.groups()
    setting = setting.lower()
    cols = header_index(path, 1, header, _DERIVED_COLUMNS)
    ip = header.index("in_existence_prior_to_1996") if "in_existence_prior_to_1996" in header else None
    sink.source(
        dataset=f"ncci-ptp-{setting}",
        publisher="CMS NCCI",
        release=f"NCCI PTP {setting.replace('_', ' ')} v{major}.{minor}r{revision} (derived table)",
        effective=iso_date(path, None, effective, "file-name effective date"),
        complete="EXTRACT" not in path.name.upper(),
        systems=(),
    )
    width = len(header)
    i1, i2, idel, im, ir = (cols[k] for k in _DERIVED_COLUMNS)
    dates: dict[str, str] = {}
    for line, text in lines:
        if not text:
            continue
        cells = text.split(",")
        if len(cells) != width:
            raise ImportFormatError(path, line, f"expected {width} comma-separated columns, found {len(cells)}")
        c1, c2, modifier = cells[i1], cells[i2], cells[im]
        if modifier not in _MODIFIER_INDICATORS or not c1 or not c2:
            _check(path, line, c1, c2, modifier)
        dele = cells[idel]
        if dele == "*":
            deletion = None
        else:
            deletion = dates.get(dele)
            if deletion is None:
                deletion = dates[dele] = iso_date(path, line, dele, "deletion date")
        prior: bool | None = None
        if ip is not None:
            flag = cells[ip]
            if flag not in ("", "*"):
                raise ImportFormatError(path, line, f"pre-1996 flag {flag!r} is neither '*' nor blank")
            prior = flag == "*"
        sink.ptp(
            setting,
            c1,
            c2,
            effective=None,
            deletion=deletion,
            modifier_indicator=modifier,
            prior_1996=prior,
            rationale=cells[ir] or None,
        )


# --- hospital pairs from the I/OCE ----------------------------------------------------------------


def _load_ioce(path: Path, sink: Sink, header: list[str], lines: Iterator[tuple[int, str]]) -> None:
    cols = header_index(path, 1, header, _IOCE_COLUMNS)
    m = _IOCE_NAME.search(path.name)
    buffered: list[tuple[int, str]] | None = None
    if m:
        version, effective = m.group(1), f"{m.group(2)}-{1 + 3 * (int(m.group(3)) - 1):02d}-01"
    else:
        # no version in the name: read the newest version and in_ioce_from from the data first
        buffered = list(lines)
        version, effective = "", ""
        for _line, text in buffered:
            cells = text.split(",")
            if len(cells) == len(header):
                version = max(version, cells[cols["last_version"]], key=_version_key)
                effective = max(effective, cells[cols["from"]])
        if not effective:
            raise ImportFormatError(path, 2, "no data rows to take the I/OCE release from")
        version = ".".join(version.split(".")[:2])
        lines = iter(buffered)
    sink.source(
        dataset="ncci-ptp-ioce-hospital",
        publisher="CMS (I/OCE NCCI hospital edits)",
        release=f"I/OCE {version} hospital PTP",
        effective=iso_date(path, None, effective, "release effective date"),
        complete="EXTRACT" not in path.name.upper(),
        systems=(),
    )
    width = len(header)
    i1, i2, im, ifr, ito = cols["column1"], cols["column2"], cols["modifier"], cols["from"], cols["to"]
    dates: dict[str, str] = {}
    for line, text in lines:
        if not text:
            continue
        cells = text.split(",")
        if len(cells) != width:
            raise ImportFormatError(path, line, f"expected {width} comma-separated columns, found {len(cells)}")
        c1, c2, modifier = cells[i1], cells[i2], cells[im]
        if modifier not in _MODIFIER_INDICATORS or not c1 or not c2:
            _check(path, line, c1, c2, modifier)
        start, end = cells[ifr], cells[ito]
        eff = dates.get(start)
        if eff is None:
            eff = dates[start] = iso_date(path, line, start, "in_ioce_from")
        if end == "*":
            deletion = None
        else:
            deletion = dates.get(end)
            if deletion is None:
                deletion = dates[end] = iso_date(path, line, end, "in_ioce_to")
        sink.ptp(
            "outpatient_hospital",
            c1,
            c2,
            effective=eff,
            deletion=deletion,
            modifier_indicator=modifier,
            prior_1996=None,
            rationale=None,
        )


def _version_key(v: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in v.split(".")) if v else ()
    except ValueError:
        return ()
