"""Deficits left by a past stroke take their sequela code (ICD-10-CM category I69).

In a note that says the stroke is past and left deficits ("h/o L MCA stroke with residual R hemiparesis"),
the hemiparesis is I69.351, not G81.91, and the aphasia I69.320, not R47.01 (guideline I.C.9.d). The
note's words that say so, the code pairs and the kind of stroke are data (``sequela.toml``); the deficit's
own code stays among the concepts. A note about a stroke happening now is left alone. Applied after the
context rules, to asserted conditions that are not past themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from medcode.detect._data import any_of, optional_any_of, read_tables
from medcode.detect.model import Concept, Entity
from medcode.detect.prefilter import AnyOf
from medcode.errors import ConfigError

_BASE = "I69.3"  # the map's targets are written for a cerebral infarction; [kind] swaps this prefix


@dataclass(frozen=True, slots=True)
class Sequela:
    context: AnyOf
    stroke: AnyOf
    acute: AnyOf | None
    maps: tuple[tuple[str, str], ...]  # (code prefix, target), longest prefix first
    kinds: dict[str, str]
    additional: frozenset[str]


def load_sequela(text: str | None = None) -> Sequela:
    data = read_tables("sequela.toml", "sequela rules", {"context", "map", "kind", "additional"}, text)
    ctx = data.get("context", {})
    stroke = ctx.get("stroke")
    if not isinstance(stroke, str):
        raise ConfigError("sequela rules: context.stroke must be a regular expression")
    maps, kinds, extra = data.get("map", {}), data.get("kind", {}), data.get("additional", [])
    if not all(isinstance(v, str) and v.startswith(_BASE) for v in maps.values()):
        raise ConfigError(f"sequela rules: every map target must be a code under {_BASE}")
    if not all(isinstance(v, str) for v in kinds.values()) or not isinstance(extra, list):
        raise ConfigError("sequela rules: kind maps code prefixes to I69 subcategories; additional is a list")
    return Sequela(any_of(ctx.get("patterns", []), "sequela rules: context.patterns"),
                   any_of([stroke], "sequela rules: context.stroke"),
                   optional_any_of(ctx.get("acute", []), "sequela rules: context.acute"),
                   tuple(sorted(maps.items(), key=lambda kv: -len(kv[0]))), dict(kinds), frozenset(extra))


@lru_cache(maxsize=1)
def default_sequela() -> Sequela:
    return load_sequela()


def sequela(entities: list[Entity], text: str, rules: Sequela, codes: dict[str, tuple]) -> list[Entity]:
    """``codes`` maps a code to (title, billable, ...), as the detector's dictionary holds them."""
    if not rules.stroke.search(text):  # cheap first: most notes name no stroke
        return entities
    said = rules.context.search(text)
    if said is None or (rules.acute and rules.acute.search(text)):
        return entities
    kind = next((rules.kinds[e.concepts[0].code[:3]] for e in entities
                 if e.concepts and e.concepts[0].code[:3] in rules.kinds), _BASE)
    out = []
    for e in entities:
        head = e.concepts[0] if e.concepts else None
        target = None
        if head is not None and e.asserted and not e.has("HISTORY"):
            target = next((t for prefix, t in rules.maps if head.code.startswith(prefix)), None)
        if target is not None:
            target = kind + target[len(_BASE):]
        if head is None or target is None or target not in codes or not codes[target][1]:
            out.append(e)
            continue
        why = (f"a deficit left by a past stroke ({said.group(0)!r}): guideline I.C.9.d codes it under "
               f"I69, {target} for {head.code}")
        moved = Concept(target, codes[target][0], head.score, f"{head.evidence}; {why}")
        own = replace(head, score=round(head.score - 0.0001, 4), additional=target in rules.additional)
        out.append(replace(e, concepts=(moved, own, *(c for c in e.concepts[1:] if c.code != target))[:5]))
    return out
