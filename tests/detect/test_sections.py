"""Section headers set traits for what they contain."""

from __future__ import annotations

import pytest

from medcode.detect import detect
from medcode.detect.sections import load_rules
from medcode.errors import ConfigError

NOTE = """Chief complaint: chest pain.
Past medical history: pneumonia, essential hypertension.
Past surgical history: appendicitis.
Family history:
Type 2 diabetes.
Assessment and plan:
1. Chest pain, likely musculoskeletal.
2. Headache.
"""


def test_sections_set_traits(detect_kb) -> None:
    ents = detect(NOTE, detect_kb)
    by = [(e.text.lower(), e.section, {t.name for t in e.traits}) for e in ents]
    # Chronic conditions listed under past medical history are current: no HISTORY from the section.
    assert ("pneumonia", "past_medical_history") == by[1][:2] and "HISTORY" not in by[1][2]
    surg = next((b for b in by if b[1] == "past_surgical_history"), None)
    assert surg is None or "HISTORY" in surg[2]
    fam = next(b for b in by if b[0] == "type 2 diabetes")
    assert fam[1] == "family_history" and "PERTAINS_TO_FAMILY" in fam[2]
    head = next(b for b in by if b[0] == "headache")
    assert head[1] == "assessment_and_plan" and not head[2] & {"HISTORY", "PERTAINS_TO_FAMILY"}
    assert by[0][1] == "chief_complaint" and "HISTORY" not in by[0][2]


def test_bad_section_rule_rejected() -> None:
    with pytest.raises(ConfigError, match="trait"):
        load_rules('[[section]]\nname = "x"\nliterals = ["x"]\ntrait = "NOPE"')


def test_other_label_ends_family_history(detect_kb) -> None:
    note = "Family history:\nMother: type 2 diabetes.\nMRI brain: headache.\n"
    by = {e.text.lower(): {t.name for t in e.traits} for e in detect(note, detect_kb)}
    assert "PERTAINS_TO_FAMILY" in by["type 2 diabetes"]  # "Mother:" stays inside the section
    assert "PERTAINS_TO_FAMILY" not in by["headache"]      # "MRI brain:" ends it


@pytest.mark.parametrize("note", [
    "Family history: mother with type 2 diabetes.\n\nHe has headache most days.\n",  # a letter's next paragraph
    "FH: mother with type 2 diabetes.\n\nAssessment / Plan\n- Headache.\n",          # a header without a colon
])
def test_family_history_ends_with_its_paragraph(detect_kb, note: str) -> None:
    by = {e.text.lower(): {t.name for t in e.traits} for e in detect(note, detect_kb)}
    assert "PERTAINS_TO_FAMILY" in by["type 2 diabetes"]
    assert "PERTAINS_TO_FAMILY" not in by["headache"]


def test_a_blank_line_under_the_family_header_does_not_end_it(detect_kb) -> None:
    by = {e.text.lower(): {t.name for t in e.traits} for e in detect("Family history:\n\nType 2 diabetes.\n", detect_kb)}
    assert "PERTAINS_TO_FAMILY" in by["type 2 diabetes"]


def test_instruction_sublabels_keep_hypothetical(detect_kb) -> None:
    note = "Discharge instructions:\nDiet: regular.\nCall for headache.\n"
    head = next(e for e in detect(note, detect_kb) if e.text.lower() == "headache")
    assert head.has("HYPOTHETICAL")


def test_capitals_title_line_is_not_a_finding(detect_kb) -> None:
    note = "PAIN CLINIC NOTE\nChief complaint: left knee pain.\n"
    texts = [e.text for e in detect(note, detect_kb)]
    assert "PAIN" not in texts and "knee pain" in texts
    # a note written wholly in capitals is still read
    assert any(e.text == "KNEE PAIN" for e in detect("PAIN CLINIC NOTE\nLEFT KNEE PAIN.\n", detect_kb))


def test_condition_as_a_plan_label_is_still_found(detect_kb) -> None:
    note = "Assessment and plan:\nEssential hypertension: continue lisinopril.\nAllergies: none.\n"
    assert "essential hypertension" in [e.text.lower() for e in detect(note, detect_kb)]


def test_earlier_pregnancies_and_birth_are_history(detect_kb) -> None:
    note = "HPI: cough and fever.\nOB hx: G2 pneumonia in third trimester.\nBirth history: newborn jaundice.\n"
    by = {e.text.lower(): (e.section, {t.name for t in e.traits}) for e in detect(note, detect_kb)}
    assert by["pneumonia"] == ("obstetric_history", by["pneumonia"][1]) and "HISTORY" in by["pneumonia"][1]
    assert "HISTORY" not in by["cough"][1]
    jaundice = next(v for k, v in by.items() if "jaundice" in k)
    assert jaundice[0] == "birth_history" and "HISTORY" in jaundice[1]


def test_resolved_list_is_history(detect_kb) -> None:
    ents = detect("Plan: CXR.\nResolved: pneumonia, headache.\nPending: cultures.", detect_kb)
    by = {e.text.lower(): (e.section, {t.name for t in e.traits}) for e in ents}
    assert by["pneumonia"] == ("resolved_problems", by["pneumonia"][1]) and "HISTORY" in by["pneumonia"][1]
    assert "HISTORY" in by["headache"][1]
