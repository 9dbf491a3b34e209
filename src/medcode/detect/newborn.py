"""A newborn's conditions take their perinatal codes (ICD-10-CM chapter 16).

In a note about a patient in the first 28 days of life ("DOL 3", "4-day-old", "newborn visit"), jaundice
is P59.9, not R17, and thrush P37.5, not B37.0 (guideline I.C.16.a). The note's words that say so and
the code pairs are data (``newborn.toml``); the condition's own code stays among the concepts as the
reading for an older patient. Applied after the other whole-note rules, to asserted conditions only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from medcode.detect._data import any_of, read_tables
from medcode.detect.combine import CodeMaps, code_maps, mapped
from medcode.detect.model import Concept, Entity
from medcode.detect.prefilter import AnyOf


@dataclass(frozen=True, slots=True)
class Newborn:
    context: AnyOf
    maps: CodeMaps


def load_newborn(text: str | None = None) -> Newborn:
    data = read_tables("newborn.toml", "newborn rules", {"context", "map"}, text)
    return Newborn(any_of(data.get("context", {}).get("patterns", []), "newborn rules: context.patterns"),
                   code_maps(data.get("map", []), "newborn rules"))


@lru_cache(maxsize=1)
def default_newborn() -> Newborn:
    return load_newborn()


def newborn(entities: list[Entity], text: str, rules: Newborn, codes: dict[str, tuple]) -> list[Entity]:
    """``codes`` maps a code to (title, billable, ...), as the detector's dictionary holds them."""
    said = rules.context.search(text)
    if said is None:
        return entities
    out = []
    for e in entities:
        head = e.concepts[0] if e.concepts else None
        target = None
        if head is not None and e.asserted and not e.has("HISTORY"):
            target = mapped(head.code, rules.maps)
        if target is None or target not in codes or not codes[target][1]:
            out.append(e)
            continue
        why = (f"the patient is a newborn ({said.group(0)!r}): guideline I.C.16.a codes a condition of the "
               f"perinatal period in chapter 16, {target} for {head.code}")
        moved = Concept(target, codes[target][0], head.score, f"{head.evidence}; {why}")
        out.append(replace(e, concepts=(moved, *(c for c in e.concepts if c.code != target))[:5]))
    return out
