"""Section headers of a clinical note ("Family history:", "Past medical history:", "Assessment and plan:").

Rules live in ``section_rules.toml``: a header is one of a section's literals at the start of a line,
followed by a colon or the end of the line. A section runs to the next header. Sections may carry a
trait that every entity inside them gets (family history → PERTAINS_TO_FAMILY, past history → HISTORY).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from medcode.errors import ConfigError

_ALLOWED_KEYS = frozenset({"name", "literals", "trait"})
_TRAITS = frozenset({"HISTORY", "PERTAINS_TO_FAMILY", "HYPOTHETICAL"})


@dataclass(frozen=True, slots=True)
class SectionRule:
    name: str
    literals: tuple[str, ...]
    trait: str | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str) -> SectionRule:
        unknown = set(d) - _ALLOWED_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
        if not isinstance(d.get("name"), str) or not re.fullmatch(r"[a-z_]+", d["name"]):
            raise ConfigError(f"{where}: 'name' must be snake_case")
        lits = d.get("literals")
        if not isinstance(lits, list) or not lits or not all(isinstance(x, str) and x for x in lits):
            raise ConfigError(f"{where}: 'literals' must be a non-empty list of strings")
        trait = d.get("trait")
        if trait is not None and trait not in _TRAITS:
            raise ConfigError(f"{where}: trait {trait!r} not in {sorted(_TRAITS)}")
        return cls(d["name"], tuple(lits), trait)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "literals": list(self.literals)}
        if self.trait:
            out["trait"] = self.trait
        return out


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    start: int  # offset of the header
    body: int   # offset where the section's text begins (after the header)
    end: int
    trait: str | None


def load_rules(text: str | None = None) -> list[SectionRule]:
    if text is None:
        text = resources.files("medcode.detect").joinpath("section_rules.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"section rules: {exc}") from None
    unknown = set(data) - {"section"}
    if unknown:
        raise ConfigError(f"section rules: unknown tables {sorted(unknown)}")
    return [SectionRule.from_dict(d, f"section rule {n}") for n, d in enumerate(data.get("section", []), 1)]


class Sectionizer:
    def __init__(self, rules: list[SectionRule]) -> None:
        self.rules = rules
        lits = sorted(((lit, i) for i, r in enumerate(rules) for lit in r.literals), key=lambda x: -len(x[0]))
        self._by_literal = {lit.lower(): i for lit, i in lits}
        alternation = "|".join(re.escape(lit) for lit, _ in lits)
        self._regex = re.compile(rf"^[ \t]*(?P<h>{alternation})[ \t]*(?::|$)", re.IGNORECASE | re.MULTILINE)

    def sections(self, text: str) -> list[Section]:
        heads = [(m.start(), m.end(), self.rules[self._by_literal[m.group("h").lower()]])
                 for m in self._regex.finditer(text)]
        out = []
        for k, (start, body, rule) in enumerate(heads):
            end = heads[k + 1][0] if k + 1 < len(heads) else len(text)
            out.append(Section(rule.name, start, body, end, rule.trait))
        return out


@lru_cache(maxsize=1)
def default_sectionizer() -> Sectionizer:
    return Sectionizer(load_rules())
