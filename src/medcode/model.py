"""The domain model shared by every subpackage: small frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

# Code systems medcode knows. Values are the identifiers used in the knowledge base and on the CLI.
ICD10CM = "ICD10CM"
CPT = "CPT"
HCPCS = "HCPCS"
MODIFIER = "MODIFIER"
TAXONOMY = "TAXONOMY"
POS = "POS"
SYSTEMS = (ICD10CM, CPT, HCPCS, MODIFIER, TAXONOMY, POS)


@dataclass(frozen=True, slots=True)
class Code:
    """One code of one system, as the search and code pages report it."""

    system: str
    code: str
    title: str | None
    billable: bool | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character offsets into an input text."""

    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of a rule: what rule fired, how sure, and which data release says so."""

    kind: str
    score: float
    rule: str
    source: str
    span: Span | None = None
    code: Code | None = None
