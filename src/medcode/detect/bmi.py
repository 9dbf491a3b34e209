"""Body mass index values in a note, coded to Z68 when a weight diagnosis makes them reportable.

ICD-10-CM guideline I.B.14 lets a BMI code be reported only with an associated reportable diagnosis
(obesity, overweight, underweight, malnutrition), and Z68.1-Z68.45 are for adults (20 years and
over). So a "BMI 33" in the vitals of a patient with no weight diagnosis gives nothing. A child's BMI
is coded by its percentile for age (Z68.5-): "BMI 97th %ile" is Z68.54, "BMI >=120% of the 95th
percentile" Z68.55; a percentile in the normal range (5th to under 85th) is not reported here.

The value ranges are read from the Z68 titles in the knowledge base ("Body mass index [BMI] 33.0-33.9,
adult"), so a new release's ranges need no change here.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from medcode.detect.age import note_age
from medcode.detect.model import Concept, Entity, Trait

_VALUE = re.compile(r"\b(?:BMI|body mass index)\b\s*(?:\[BMI\]\s*)?(?:of|is|was|=|:|~)?\s*(\d{2,3}(?:\.\d+)?)(?!\d|\.\d|\s*%|\s*(?:th|st|nd|rd)\b)",
                    re.IGNORECASE)
_RANGE = re.compile(r"(\d+(?:\.\d)?)\s*-\s*(\d+(?:\.\d)?)|(\d+(?:\.\d)?) or less|(\d+(?:\.\d)?) or greater")
# Diagnoses that make an adult BMI reportable (guideline I.B.14): obesity and overweight (E66),
# malnutrition (E40-E46), underweight (R63.6) and cachexia (R64). Obesity complicating pregnancy (O99.21-)
# is left out on purpose: the guidelines (I.C.21.c.3) say not to assign BMI codes during pregnancy, though
# the hand-coded sets' coders did so at 44 of the 84 BMI values in pregnant patients' notes with obesity.
ASSOCIATED = ("E66", "E40", "E41", "E42", "E43", "E44", "E45", "E46", "R63.6", "R64")
ADULT_AGE = 20
# "BMI 97th %ile", "BMI 31 (97th %ile)", "BMI >= 95th %ile", "BMI 85th-<95th %ile", "BMI >120% of 95th pct",
# "BMI 31.4, 128% of 95th percentile"
_PERCENTILE = re.compile(r"\b(?:BMI|body mass index)\b(?:[^.\n;]|\.(?=\d)){0,20}?(?:(?P<over>>=|≥|>|at least|above|over)\s*)?"
                         r"(?:(?P<times>1\d\d)\s*%\s*of\s+(?:the\s+)?95(?:th)?|(?P<below>below|under|<)?\s*(?P<pct>\d{1,2})"
                         r"(?:st|nd|rd|th)?)\s*(?:-\s*<?\s*\d{1,2}(?:st|nd|rd|th)?\s*)?(?:%ile|percentile|pctl?\b|%)",
                         re.IGNORECASE)
# percentile band -> Z68.5- code (titles read from the knowledge base for the evidence)
_PEDIATRIC = (("Z68.51", 0, 5), ("Z68.53", 85, 95), ("Z68.54", 95, 101))


@dataclass(frozen=True, slots=True)
class Band:
    code: str
    title: str
    low: float
    high: float  # inclusive, to one decimal


def _z68(conn: sqlite3.Connection, prefix: str) -> list[tuple[str, str]]:
    """(code, title) of the active billable ICD-10-CM codes under ``prefix`` in the knowledge base."""
    return conn.execute(
        "SELECT c.code, c.title FROM code_status s JOIN codes c ON c.system = s.system AND c.code = s.code "
        "AND c.source_id = s.newest_source WHERE s.system = 'ICD10CM' AND s.status = 'active' "
        "AND c.billable = 1 AND c.code LIKE ?", (prefix + "%",)).fetchall()


def load_bands(conn: sqlite3.Connection) -> tuple[Band, ...]:
    """Adult BMI bands from the billable Z68 codes of the knowledge base (empty if it has none)."""
    out = []
    for code, title in _z68(conn, "Z68."):
        if "adult" not in (title or "").lower():
            continue
        m = _RANGE.search(title)
        if not m:
            continue
        if m.group(1):
            low, high = float(m.group(1)), float(m.group(2))
        elif m.group(3):
            low, high = 0.0, float(m.group(3))
        else:
            low, high = float(m.group(4)), 1000.0
        out.append(Band(code, title, low, high))
    return tuple(sorted(out, key=lambda b: b.low))


def load_pediatric(conn: sqlite3.Connection) -> dict[str, str]:
    """Title of each billable pediatric BMI code (Z68.5-) in the knowledge base."""
    return dict(_z68(conn, "Z68.5"))


def _percentile_code(m: re.Match[str]) -> str | None:
    if m.group("times"):  # Z68.54 is the 95th percentile to under 120% of it, Z68.55 120% to under 140%
        times = int(m.group("times"))
        return "Z68.54" if times < 120 else "Z68.55" if times < 140 else "Z68.56"
    pct = int(m.group("pct"))
    if m.group("below"):
        return "Z68.51" if pct <= 5 else None
    if m.group("over") and pct == 95:
        return "Z68.54"
    return next((code for code, low, high in _PEDIATRIC if low <= pct < high), None)


def bmi(entities: list[Entity], text: str, bands: tuple[Band, ...],
        pediatric: dict[str, str] | None = None) -> list[Entity]:
    """``entities`` plus one Z68 entity per stated BMI (an adult's value, a child's percentile), when an
    asserted weight diagnosis exists."""
    if not bands and not pediatric:
        return entities
    reason = next((e for e in entities if e.asserted and e.concepts and not e.has("HISTORY")
                   and e.concepts[0].code.startswith(ASSOCIATED)), None)
    if reason is None:
        return entities
    years = note_age(text)
    percentiles = list(_PERCENTILE.finditer(text))
    out = list(entities)
    if pediatric and not (years is not None and years >= ADULT_AGE):
        for m in percentiles:
            code = _percentile_code(m)
            if code not in pediatric or any(e.begin < m.end() and m.start() < e.end for e in out):
                continue
            evidence = (f"BMI stated as {m.group(0)[m.group(0).lower().find('bmi') + 3:].strip()!r}: "
                        f"{pediatric[code]!r}; reportable with {reason.concepts[0].code} ({reason.text!r})")
            out.append(Entity(m.start(), m.end(), text[m.start():m.end()], 0.9,
                              (Trait("DIAGNOSIS", 0.8, "code"),), (Concept(code, pediatric[code], 0.9, evidence),)))
    if not bands or (years is not None and years < ADULT_AGE) or percentiles:
        out.sort(key=lambda e: e.begin)
        return out  # a child's BMI is coded by percentile for age (Z68.5-), not by its value
    for m in _VALUE.finditer(text):
        value = round(float(m.group(1)), 1)
        band = next((b for b in bands if b.low <= value <= b.high + 0.05), None)
        if band is None:
            continue
        over = [e for e in out if e.begin < m.end() and m.start() < e.end]
        if any(not _trimmable(e, m.start(), m.end()) for e in over):
            continue
        for e in over:  # "obesity BMI", "BMI 31 (obesity)" matched as one name: the weight diagnosis keeps its own words
            out[out.index(e)] = trimmed = _trim(e, m.start(), m.end(), text)
            reason = trimmed if e is reason else reason
        evidence = (f"BMI {m.group(1)} falls in {band.title!r}; reportable with "
                    f"{reason.concepts[0].code} ({reason.text!r} at {reason.begin}-{reason.end}), guideline I.B.14"
                    + ("" if years is not None else "; age not stated, adult assumed"))
        concept = Concept(band.code, band.title, 0.9, evidence)
        out.append(Entity(m.start(), m.end(), text[m.start():m.end()], 0.9,
                          (Trait("DIAGNOSIS", 0.8, "code"),), (concept,)))
    out.sort(key=lambda e: e.begin)
    return out


def _trimmable(e: Entity, start: int, end: int) -> bool:
    """A weight diagnosis that begins before a BMI value and runs into it, or begins with the value and runs
    past it ("BMI 31 (obesity)")."""
    return ((e.begin < start or e.end > end) and bool(e.concepts)
            and e.concepts[0].code.startswith(ASSOCIATED))


def _trim(e: Entity, start: int, end: int, text: str) -> Entity:
    """``e`` without the BMI value at ``start``-``end``: the words before it, or else those after it."""
    if e.begin < start:
        first, last = e.begin, len(text[:start].rstrip(" ,;:-("))
    else:
        after = text[end:e.end]
        first, last = end + len(after) - len(after.lstrip(" ,;:-(")), e.end
    return Entity(first, last, text[first:last], e.score, e.traits, e.concepts, e.section, e.category, e.type)
