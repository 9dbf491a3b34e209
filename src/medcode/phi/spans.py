"""The span type the detectors return, and the merge that turns candidates into final spans."""

from __future__ import annotations

from dataclasses import dataclass

from medcode.model import Span


@dataclass(frozen=True, slots=True)
class PhiSpan(Span):
    """A :class:`medcode.model.Span` that also says how sure the detector is and which rule fired.

    ``rule`` is ``<recognizer-id>/<pattern-id>`` for pattern rules and ``phi-name/<cue>`` for names.
    """

    score: float = 1.0
    rule: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "label": self.label,
                "score": round(self.score, 3), "rule": self.rule}


def resolve(candidates: list[PhiSpan]) -> list[PhiSpan]:
    """Merge overlapping candidates into disjoint spans, sorted by start.

    Overlapping candidates become one span covering their union (a miss is worse than a few extra
    characters); it keeps the label and rule of the strongest candidate (score, then length).
    """
    if not candidates:
        return []
    ordered = sorted(candidates, key=lambda s: (s.start, -s.end))
    out: list[PhiSpan] = []
    group = [ordered[0]]
    end = ordered[0].end
    for span in ordered[1:]:
        if span.start < end:
            group.append(span)
            end = max(end, span.end)
            continue
        out.append(_merge(group, end))
        group = [span]
        end = span.end
    out.append(_merge(group, end))
    return out


def _merge(group: list[PhiSpan], end: int) -> PhiSpan:
    if len(group) == 1:
        return group[0]
    best = max(group, key=lambda s: (s.score, s.end - s.start))
    return PhiSpan(group[0].start, end, best.label, best.score, best.rule)
