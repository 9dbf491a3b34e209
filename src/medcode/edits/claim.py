"""Claims as the checker reads them: a JSON object (or a CSV of lines) parsed into frozen dataclasses.

A claim::

    {"date_of_service": "2026-05-12", "place_of_service": "11", "provider_taxonomy": "208VP0014X",
     "patient": {"id": "p1", "age": 58, "sex": "F"}, "diagnoses": ["G90.521"],
     "lines": [{"code": "0441T", "modifiers": ["RT"], "units": 2, "dx_pointers": [1]}]}

A line may carry its own "date_of_service". A CSV has one row per line with the columns
claim_id, date_of_service, place_of_service, patient_id, diagnoses (separated by ";" or "|"),
code, modifiers, units, dx_pointers.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medcode.errors import MedcodeError

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ClaimError(MedcodeError):
    """A claim file is malformed: the message says which claim, line and field."""


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # 1-based position on the claim
    code: str
    modifiers: tuple[str, ...] = ()
    units: int = 1
    dx_pointers: tuple[int, ...] = ()
    date_of_service: str = ""


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    date_of_service: str
    place_of_service: str | None
    provider_taxonomy: str | None
    patient_id: str | None
    age: int | None
    sex: str | None
    diagnoses: tuple[str, ...]
    lines: tuple[Line, ...] = field(default_factory=tuple)


def _date(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _DATE.match(value):
        raise ClaimError(f"{where}: date_of_service must be YYYY-MM-DD, not {value!r}")
    return value


def from_dict(data: Any, where: str = "claim") -> Claim:
    if not isinstance(data, dict):
        raise ClaimError(f"{where}: a claim is a JSON object")
    dos = _date(data.get("date_of_service"), where)
    patient = data.get("patient") or {}
    if not isinstance(patient, dict):
        raise ClaimError(f"{where}: patient must be an object")
    dx = data.get("diagnoses") or []
    if not isinstance(dx, list) or not all(isinstance(d, str) and d.strip() for d in dx):
        raise ClaimError(f"{where}: diagnoses must be a list of codes")
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise ClaimError(f"{where}: lines must be a non-empty list")
    lines = []
    for n, raw in enumerate(raw_lines, 1):
        here = f"{where}, line {n}"
        if not isinstance(raw, dict) or not isinstance(raw.get("code"), str) or not raw["code"].strip():
            raise ClaimError(f"{here}: each line needs a code")
        units = raw.get("units", 1)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise ClaimError(f"{here}: units must be a whole number of at least 1, not {units!r}")
        mods = raw.get("modifiers") or []
        if not isinstance(mods, list) or not all(isinstance(m, str) for m in mods):
            raise ClaimError(f"{here}: modifiers must be a list of strings")
        pointers = raw.get("dx_pointers") or []
        if not isinstance(pointers, list) or not all(isinstance(p, int) and 1 <= p <= len(dx) for p in pointers):
            raise ClaimError(f"{here}: dx_pointers must be numbers from 1 to {len(dx)} (the diagnoses)")
        line_dos = _date(raw["date_of_service"], here) if raw.get("date_of_service") else dos
        lines.append(Line(n, raw["code"].strip().upper(), tuple(m.strip().upper() for m in mods), units,
                          tuple(pointers), line_dos))
    age = patient.get("age")
    return Claim(
        id=str(data.get("id") or data.get("claim_id") or where),
        date_of_service=dos,
        place_of_service=str(data["place_of_service"]) if data.get("place_of_service") else None,
        provider_taxonomy=data.get("provider_taxonomy"),
        patient_id=str(patient["id"]) if patient.get("id") is not None else None,
        age=age if isinstance(age, int) else None,
        sex=patient.get("sex"),
        diagnoses=tuple(d.strip().upper() for d in dx),
        lines=tuple(lines),
    )


def load(path: Path) -> list[Claim]:
    """Claims from a JSON file (one claim or a list) or a CSV of claim lines."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ClaimError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ClaimError(f"{path}: {exc.strerror}") from None
    if path.suffix.lower() == ".csv":
        return _from_csv(path, text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ClaimError(f"{path}, line {exc.lineno}: not JSON ({exc.msg})") from None
    items = data if isinstance(data, list) else [data]
    return [from_dict(item, f"{path.name}[{i}]" if isinstance(data, list) else path.name) for i, item in enumerate(items)]


def _split(value: str) -> list[str]:
    return [v.strip() for v in re.split(r"[;|,\s]+", value or "") if v.strip()]


def _from_csv(path: Path, text: str) -> list[Claim]:
    reader = csv.DictReader(io.StringIO(text))
    needed = {"date_of_service", "code"}
    if not reader.fieldnames or not needed <= set(reader.fieldnames):
        raise ClaimError(f"{path}, line 1: the header needs at least {sorted(needed)}")
    claims: dict[str, dict[str, Any]] = {}
    for row in reader:
        cid = row.get("claim_id") or "1"
        claim = claims.setdefault(cid, {
            "id": cid, "date_of_service": row["date_of_service"], "place_of_service": row.get("place_of_service"),
            "provider_taxonomy": row.get("provider_taxonomy"), "patient": {"id": row.get("patient_id")},
            "diagnoses": _split(row.get("diagnoses", "")), "lines": []})
        try:
            units = int(row.get("units") or 1)
            pointers = [int(p) for p in _split(row.get("dx_pointers", ""))]
        except ValueError:
            raise ClaimError(f"{path}, line {reader.line_num}: units and dx_pointers must be numbers") from None
        claim["lines"].append({"code": row["code"], "modifiers": _split(row.get("modifiers", "")), "units": units,
                               "dx_pointers": pointers, "date_of_service": row["date_of_service"]})
    return [from_dict(c, f"{path.name} claim {cid}") for cid, c in claims.items()]
