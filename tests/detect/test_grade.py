"""The stage or grade written next to a condition picks the code that names it (medcode.detect.grade)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from medcode.detect.grade import stated_grade
from medcode.detect.model import Concept, Entity, Trait

# a slice of the tabular: code -> (title, billable, parent)
CODES = {
    "H35.1": ("Retinopathy of prematurity", False, "H35"),
    "H35.10": ("Retinopathy of prematurity, unspecified", False, "H35.1"),
    "H35.101": ("Retinopathy of prematurity, unspecified, right eye", True, "H35.10"),
    "H35.13": ("Retinopathy of prematurity, stage 2", False, "H35.1"),
    "H35.131": ("Retinopathy of prematurity, stage 2, right eye", True, "H35.13"),
    "H35.14": ("Retinopathy of prematurity, stage 3", False, "H35.1"),
    "H35.141": ("Retinopathy of prematurity, stage 3, right eye", True, "H35.14"),
    "H35.143": ("Retinopathy of prematurity, stage 3, bilateral", True, "H35.14"),
    "P52": ("Intracranial nontraumatic hemorrhage of newborn", False, "P50-P61"),
    "P52.0": ("Intraventricular (nontraumatic) hemorrhage, grade 1, of newborn", True, "P52"),
    "P52.1": ("Intraventricular (nontraumatic) hemorrhage, grade 2, of newborn", True, "P52"),
    "P52.2": ("Intraventricular (nontraumatic) hemorrhage, grade 3 and grade 4, of newborn", False, "P52"),
    "P52.21": ("Intraventricular (nontraumatic) hemorrhage, grade 3, of newborn", True, "P52.2"),
    "P52.22": ("Intraventricular (nontraumatic) hemorrhage, grade 4, of newborn", True, "P52.2"),
    "P52.3": ("Unspecified intraventricular (nontraumatic) hemorrhage of newborn", True, "P52"),
    "R52": ("Pain, unspecified", True, "R50-R69"),
    "K64": ("Hemorrhoids and perianal venous thrombosis", False, "K55-K64"),
    "K64.0": ("First degree hemorrhoids", True, "K64"),
    "K64.1": ("Second degree hemorrhoids", True, "K64"),
    "K64.8": ("Other hemorrhoids", True, "K64"),
}
CHILDREN: dict[str, list[str]] = {}
for _code, (_, _, _parent) in CODES.items():
    CHILDREN.setdefault(_parent, []).append(_code)
DICTIONARY = SimpleNamespace(codes=CODES, children=CHILDREN)


def _entity(text: str, words: str, code: str) -> Entity:
    begin = text.index(words)
    return Entity(begin, begin + len(words), words, 1.0, (Trait("DIAGNOSIS", 0.8, "code"),),
                  (Concept(code, CODES[code][0], 1.0, "learned phrase"),))


@pytest.mark.parametrize(("text", "words", "code", "expected"), [
    # the phrase cut off the number ("... stage" + " 3"); "zone II" is no stage
    ("ROP: OD zone II, stage 3.", "OD zone II, stage", "H35.131", "H35.141"),
    ("ROP stage 3, right eye.", "ROP stage 3, right eye", "H35.101", "H35.141"),  # unspecified stage -> stage 3, same eye
    ("IVH grade I on the left.", "IVH", "P52.1", "P52.0"),                # Roman numerals
    ("Head US: grade III IVH.", "IVH", "P52.3", "P52.21"),                # unspecified -> the grade named
    ("IVH grade 2.", "IVH", "P52.1", None),                               # already the code that names it
    ("IVH, stable. Knee pain grade 3.", "IVH", "P52.3", None),            # too far away, another sentence
    ("Pain grade 3.", "Pain", "R52", None),                               # a code with no stages
    ("Internal hemorrhoids, grade I.", "Internal hemorrhoids", "K64.8", "K64.0"),  # degrees count the grades
    ("Grade II internal hemorrhoids.", "internal hemorrhoids", "K64.1", None),
])
def test_the_stated_stage_or_grade_picks_the_sibling(text: str, words: str, code: str, expected: str | None) -> None:
    (out,) = stated_grade([_entity(text, words, code)], text, DICTIONARY)
    assert out.concepts[0].code == (expected or code)
    if expected:
        assert "stated next to it" in out.concepts[0].evidence and out.concepts[1].code == code


def test_two_different_stages_inside_the_words_decide_nothing() -> None:
    text = "ROP stage 2 OD stage 3 OS"
    (out,) = stated_grade([_entity(text, text, "H35.131")], text, DICTIONARY)
    assert out.concepts[0].code == "H35.131"
