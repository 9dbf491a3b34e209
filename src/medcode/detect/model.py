"""Result types of ``medcode.detect``, shaped like AWS Comprehend Medical's InferICD10CM output.

``Entity.as_dict()`` gives exactly the InferICD10CM field names (``begin``, ``end``, ``text``,
``category``, ``type``, ``score``, ``traits``, ``concepts``) so callers can swap the two; ``concepts``
carry an extra ``evidence`` string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Trait:
    name: str   # NEGATION, DIAGNOSIS, SIGN, SYMPTOM, PERTAINS_TO_FAMILY, HYPOTHETICAL, HISTORY, LOW_CONFIDENCE
    score: float
    cue: str = ""  # the cue or section header that set it (not part of the AWS shape)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class Concept:
    code: str
    description: str
    score: float
    evidence: str
    # reported together with the entity's first concept rather than instead of it: the other side
    # when no bilateral code exists, or the condition's own code after its chapter 15 code in pregnancy
    additional: bool = False

    def as_dict(self) -> dict[str, Any]:
        out = {"code": self.code, "description": self.description, "score": round(self.score, 4),
               "evidence": self.evidence}
        if self.additional:
            out["additional"] = True
        return out


_NOT_ASSERTED = frozenset({"NEGATION", "HYPOTHETICAL", "PERTAINS_TO_FAMILY", "LOW_CONFIDENCE"})


@dataclass(frozen=True, slots=True)
class Entity:
    begin: int  # half-open character offsets into the input text
    end: int
    text: str
    score: float
    traits: tuple[Trait, ...] = ()
    concepts: tuple[Concept, ...] = ()
    section: str | None = None
    category: str = "MEDICAL_CONDITION"
    type: str = "DX_NAME"

    def has(self, trait: str) -> bool:
        return any(t.name == trait for t in self.traits)

    @property
    def asserted(self) -> bool:
        """Present in the patient now: not negated, hypothetical, uncertain or about a relative."""
        return not any(t.name in _NOT_ASSERTED for t in self.traits)

    def as_dict(self) -> dict[str, Any]:
        return {"begin": self.begin, "end": self.end, "text": self.text, "category": self.category,
                "type": self.type, "score": round(self.score, 4),
                "traits": [t.as_dict() for t in self.traits], "concepts": [c.as_dict() for c in self.concepts]}


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two codes found in one note that an Excludes1 note says are never coded together."""

    code: str
    other: str
    note_code: str  # the code (or ancestor) whose Excludes1 note applies
    note: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "other": self.other, "note_code": self.note_code, "note": self.note}


@dataclass(frozen=True, slots=True)
class Detection:
    entities: tuple[Entity, ...]
    conflicts: tuple[Conflict, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {"entities": [e.as_dict() for e in self.entities],
                "excludes1_conflicts": [c.as_dict() for c in self.conflicts]}
