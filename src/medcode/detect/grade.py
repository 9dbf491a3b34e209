"""The stage or grade a note states next to a condition, where the code set has one code per stage.

Retinopathy of prematurity (H35.1-) and a newborn's intraventricular hemorrhage (P52.-) are coded by the
stage or grade: "ROP stage 3 zone II OD" is H35.141, "IVH grade I on the left" P52.0. The term matcher
reads numbers as context words, so "zone II" counts as a 2 as much as "stage 3" counts as a 3, and a
learned phrase keeps the code it was learned with whatever number the note writes ("stage 2 zone II OD"
also matches "stage 3 zone II OD"). This step reads the number the way a coder does: the one written
right after "stage" or "grade" (in digits or Roman numerals) in or just next to the entity's words, and
moves the entity to the sibling code whose title names that stage or grade and otherwise says the same.

Written here because the rule is small and specific to the code set's titles; no library reads them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from medcode.detect.model import Concept, Entity
from medcode.detect.specificity import _billable_under

# "stage 3", "grade III", "Stage: 2", "grade-1"; Bell's "stage IIA" is stage 2 (a letter sub-stage)
_STATED = re.compile(r"\b(stage|grade)\s*[:-]?\s*(IV|V|I{1,3}|[0-5])[AB]?\b(?![.,]\d)", re.IGNORECASE)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5"}
_TITLE_WORD = re.compile(r"[a-z0-9]+")
_PARENS = re.compile(r"\([^()]*\)")
NEAR = 12  # characters after (or before) the entity's words where the number may stand: "OD: zone II, stage 3"


def _words(title: str) -> frozenset[str]:
    return frozenset(_TITLE_WORD.findall(_PARENS.sub(" ", title.lower())))


def _stated(e: Entity, text: str) -> tuple[str, str] | None:
    """("stage" | "grade", number) the note writes for ``e``: inside its words first, else just after
    or just before them on the same line; None when there is none or two disagree inside."""
    start = max(text.rfind("\n", 0, e.begin) + 1, e.begin - NEAR)
    line_end = text.find("\n", e.end)
    stop = min(e.end + NEAR, len(text) if line_end < 0 else line_end)
    inside, outside = set(), []
    for m in _STATED.finditer(text, start, stop):
        said = (m.group(1).lower(), _ROMAN.get(m.group(2).lower(), m.group(2)))
        if e.begin <= m.start() and m.end() <= e.end + 2:  # "... stage" + " 3": the number the phrase cut off
            inside.add(said)
        else:
            outside.append((abs(m.start() - e.end) if m.start() >= e.end else e.begin - m.end(), said))
    if inside:
        return next(iter(inside)) if len(inside) == 1 else None
    return min(outside)[1] if outside else None


def stated_grade(entities: list[Entity], text: str, dictionary) -> list[Entity]:
    """``entities`` with a first code moved to the sibling that names the stage or grade stated next to
    it. ``dictionary`` has ``codes`` (code -> (title, billable, parent)) and ``children`` (parent -> codes)."""
    if not _STATED.search(text):
        return entities
    out = []
    for e in entities:
        if not e.concepts:
            out.append(e)
            continue
        head = e.concepts[0]
        moved = _moved(head, e, text, dictionary)
        if moved is None:
            out.append(e)
            continue
        why = f"{moved[1]} {moved[2]} stated next to it: {moved[0]}, the code that names it"
        concept = Concept(moved[0], dictionary.codes[moved[0]][0], head.score, f"{head.evidence}; {why}")
        out.append(replace(e, concepts=(concept, *(c for c in e.concepts if c.code != moved[0]))[:5]))
    return out


def _moved(head: Concept, e: Entity, text: str, dictionary):
    codes = dictionary.codes
    title = codes.get(head.code)
    if title is None or title[2] is None:
        return None
    said = _stated(e, text)
    if said is None:
        return None
    parent = title[2]
    grand = codes[parent][2] if parent in codes else None
    # the category or subcategory around the code: H35.1 for H35.131, P52 for P52.3 (not a chapter block)
    family = grand if grand is not None and grand in codes and "-" not in grand else parent
    if family not in codes:
        return None  # a chapter block ("R50-R69"): no family of stages
    staged = [c for c in _billable_under(dictionary, family, 80) if _STAGE_IN_TITLE.search(codes[c][0])]
    if not staged:
        return None
    kind, number = said
    own = _words(title[0])
    ordinal = _ORDINAL.get(number) if kind == "grade" else None
    if (kind in own and number in own) or (ordinal is not None and ordinal in own and "degree" in own):
        return None  # the code names it already
    # the head's title without its own stage (or "unspecified", "other"), with the stated one: "grade 3" or,
    # where the code set counts degrees, "third degree" ("grade I internal hemorrhoids": K64.0 "First
    # degree hemorrhoids")
    base = own - _NUMBER_WORDS
    wants = [base | {kind, number}] + ([base | {ordinal, "degree"}] if ordinal else [])
    for c in staged:
        if _words(codes[c][0]) in wants:
            return c, kind, number
    return None


_STAGE_IN_TITLE = re.compile(r"\b(?:(?:stage|grade) [0-5]|(?:first|second|third|fourth) degree)\b", re.IGNORECASE)
_ORDINAL = {"1": "first", "2": "second", "3": "third", "4": "fourth"}
_NUMBER_WORDS = frozenset({"unspecified", "other", "stage", "grade", "degree", "0", "1", "2", "3", "4", "5",
                           "first", "second", "third", "fourth"})

