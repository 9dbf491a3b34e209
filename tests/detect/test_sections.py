"""Section headers set traits for what they contain."""

from __future__ import annotations

import pytest

from medcode.detect import detect
from medcode.detect.sections import load_rules
from medcode.errors import ConfigError

NOTE = """Chief complaint: chest pain.
Past medical history: pneumonia, essential hypertension.
Family history:
Type 2 diabetes.
Assessment and plan:
1. Chest pain, likely musculoskeletal.
2. Headache.
"""


def test_sections_set_traits(detect_kb) -> None:
    ents = detect(NOTE, detect_kb)
    by = [(e.text.lower(), e.section, {t.name for t in e.traits}) for e in ents]
    assert ("pneumonia", "past_medical_history") == by[1][:2] and "HISTORY" in by[1][2]
    fam = next(b for b in by if b[0] == "type 2 diabetes")
    assert fam[1] == "family_history" and "PERTAINS_TO_FAMILY" in fam[2]
    head = next(b for b in by if b[0] == "headache")
    assert head[1] == "assessment_and_plan" and not head[2] & {"HISTORY", "PERTAINS_TO_FAMILY"}
    assert by[0][1] == "chief_complaint" and "HISTORY" not in by[0][2]


def test_bad_section_rule_rejected() -> None:
    with pytest.raises(ConfigError, match="trait"):
        load_rules('[[section]]\nname = "x"\nliterals = ["x"]\ntrait = "NOPE"')
