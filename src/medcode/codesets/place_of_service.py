"""Importer for the CMS Place of Service (POS) code set.

This module owns the ``POS`` code system (two-digit codes: 11 office, 19/22 outpatient hospital off
/ on campus, 24 ambulatory surgical center ...) and, as a separate annotation dataset, CMS's long
descriptions of each place.

Files read:

* the code list as JSON ``{"code_system": ..., "codes": [{"code": "11", "name": "Office"}, ...],
  "unassigned": [...]}`` (our mirror's ``cms_pos.json``) or as CSV ``pos_code,pos_name``;
  dataset ``pos``, complete, ``systems=("POS",)``.
* the descriptions CSV ``pos_code,pos_name,pos_description,facility_nonfacility_thirdparty``:
  dataset ``pos-descriptions`` (an annotation, ``complete=False``), one ``note`` of kind
  ``description`` per assigned code. Unassigned rows are skipped and the third party's
  facility grouping is not imported (it is not a CMS column).

Neither layout prints a release date. We take it, in this order, from a date key in the JSON
(``effective``, ``as_of``, ``retrieved``, ``updated``), from :data:`KNOWN_RELEASES` (files we have
checked, keyed by SHA-256), or from a date in the file name (``..._2026-10-08``, or a bare year
``..._2024`` meaning January 1 of it); otherwise the import fails.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
import json
import re
from pathlib import Path

from medcode.codesets._textio import decode, iso_date
from medcode.codesets.base import Sink, csv_rows, header_index, read_bytes
from medcode.errors import ImportFormatError

# place_of_service.csv in the mirror is made from cms_pos.json: reading both would load the list twice.
PATTERNS = ["place_of_service/cms_pos.json", "place_of_service/pos_codes_with_descriptions_*.csv"]

#: Release dates that come from outside a file, for the exact files we checked (SHA-256 → (release
#: label, effective date)). Sources: shared/data/place_of_service/PROVENANCE.md.
KNOWN_RELEASES: dict[str, tuple[str, str]] = {
    # cms_pos.json: CMS POS web page as scraped on 2026-10-08 (the scraper's manifest date)
    "5efce4a48079426f81f7220948ea79c6e0caf3050a8acd74dc34304f8df15c3b": (
        "CMS POS code set, web page as of 2026-10-08", "2026-10-08"),
    # pos_codes_with_descriptions_2024.csv: transcription of the CMS page dated 2024-06-28
    "446620b957f10562ae19a18cdbcadcd94f91aae6104ef3cbc39ac05137fc27cb": (
        "CMS POS descriptions, web page as of 2024-06-28", "2024-06-28"),
}

_DATE_KEYS = ("effective", "effective_date", "as_of", "retrieved", "updated", "date")
_FULL_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_CODE = re.compile(r"\d{2}")


def _release(path: Path, data: bytes, found: str | None, what: str) -> tuple[str, str]:
    if found:
        iso = iso_date(path, None, found[:10], "release date in the file")
        return f"{what}, as of {iso}", iso
    known = KNOWN_RELEASES.get(hashlib.sha256(data).hexdigest())
    if known:
        return known
    if m := _FULL_DATE.search(path.name):
        iso = iso_date(path, None, "-".join(m.groups()), "file-name date")
        return f"{what}, as of {iso}", iso
    if m := _YEAR.search(path.name):
        return f"{what} {m.group(1)}", f"{m.group(1)}-01-01"
    # The CMS page carries no date. A user's own download is dated by when it was saved (the file's
    # modification time), and the release label says so, rather than refusing the file.
    iso = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).date().isoformat()
    return f"{what}, downloaded {iso} (no date in the file; dated by file time)", iso


def load(path: Path, sink: Sink) -> None:
    """Read a POS code list (JSON or CSV) or the POS descriptions CSV."""
    data = read_bytes(path)
    text = decode(path, data, ("utf-8-sig",))
    if path.suffix.lower() == ".json":
        _load_json(path, sink, data, text)
        return
    rows = csv_rows(path, text)
    line, header = next(rows)
    norm = [h.strip().lower() for h in header]
    if "pos_description" in norm or "description" in path.name.lower():
        cols = header_index(path, line, header, {"code": ("pos_code",), "name": ("pos_name",),
                                                 "description": ("pos_description",)})
        label, effective = _release(path, data, None, "CMS POS descriptions")
        sink.source(dataset="pos-descriptions", publisher="CMS", release=label, effective=effective,
                    complete=False, systems=())
    else:
        cols = header_index(path, line, header, {"code": ("pos_code",), "name": ("pos_name",)})
        label, effective = _release(path, data, None, "CMS POS code set")
        sink.source(dataset="pos", publisher="CMS", release=label, effective=effective,
                    complete=True, systems=("POS",))
    width = len(header)
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != width:
            raise ImportFormatError(path, line, f"expected {width} columns like the header, found {len(cells)}")
        code, name = cells[cols["code"]].strip(), cells[cols["name"]].strip()
        if not _CODE.fullmatch(code):
            raise ImportFormatError(path, line, f"POS code {code!r} is not two digits")
        if "description" in cols:
            text = cells[cols["description"]].strip()
            if name.lower() == "unassigned" or not text:
                continue
            sink.note("POS", code, "description", text)
        else:
            if not name:
                raise ImportFormatError(path, line, f"POS code {code} has no name")
            sink.code("POS", code, name, kind="code")


def _load_json(path: Path, sink: Sink, data: bytes, text: str) -> None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(path, exc.lineno, f"invalid JSON: {exc.msg}") from None
    codes = doc.get("codes") if isinstance(doc, dict) else None
    if not isinstance(codes, list):
        raise ImportFormatError(path, 1, "expected an object with a 'codes' list")
    found = next((str(doc[k]) for k in _DATE_KEYS if doc.get(k)), None)
    label, effective = _release(path, data, found, "CMS POS code set")
    sink.source(dataset="pos", publisher="CMS", release=label, effective=effective,
                complete=True, systems=("POS",))
    # JSON has no row numbers; the i-th '"code"' key is the i-th entry, which is where we point.
    positions = [m.start() for m in re.finditer(r'"code"\s*:', text)]
    for i, entry in enumerate(codes):
        line = text.count("\n", 0, positions[i]) + 1 if i < len(positions) else None
        if not isinstance(entry, dict):
            raise ImportFormatError(path, line, f"codes[{i}] is not an object")
        code, name = str(entry.get("code", "")).strip(), str(entry.get("name") or "").strip()
        if not _CODE.fullmatch(code):
            raise ImportFormatError(path, line, f"codes[{i}]: POS code {code!r} is not two digits")
        if not name:
            raise ImportFormatError(path, line, f"codes[{i}]: POS code {code} has no name")
        sink.code("POS", code, name, kind="code")
