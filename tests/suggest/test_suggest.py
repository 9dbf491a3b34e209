"""Case2Code on the example note and on ambiguous variants (fixture knowledge base)."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcode import Workbench

NOTE = (Path(__file__).resolve().parents[2] / "examples" / "cryoablation_case.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def result(workbench: Workbench) -> dict:
    return workbench.suggest(NOTE)


def test_proposes_0441t_right_two_units(result: dict) -> None:
    assert [(ln["code"], ln["modifiers"], ln["units"]) for ln in result["lines"]] == [("0441T", ["RT"], 2)]


def test_every_line_cites_the_note(result: dict) -> None:
    for ln in result["lines"]:
        assert ln["evidence"]
        for ev in ln["evidence"]:
            assert NOTE[ev["start"]:ev["end"]].lower() == ev["text"].lower()


def test_diagnosis_with_side(result: dict) -> None:
    assert "G90.521" in [d["code"] for d in result["diagnoses"]]
    first = result["lines"][0]["dx_pointers"][0]
    assert result["diagnoses"][first - 1]["code"] == "G90.521"


def test_imaging_is_not_a_line_and_is_explained(result: dict) -> None:
    assert "76942" not in [ln["code"] for ln in result["lines"]]
    assert any("part of 0441T" in q for q in result["questions"])


def test_never_modifier_50(workbench: Workbench) -> None:
    note = NOTE.replace("of the right lower\nextremity", "of both legs").replace("right", "both")
    lines = workbench.suggest(note)["lines"]
    assert all("50" not in ln["modifiers"] for ln in lines)


def test_no_side_is_a_question_not_a_guess(workbench: Workbench) -> None:
    note = "Date of service: 2026-05-12\nCryoneurolysis of the sural nerve of the leg under ultrasound guidance."
    out = workbench.suggest(note)
    assert out["lines"][0]["modifiers"] == []
    assert any("no side is stated" in q for q in out["questions"])


def test_phi_never_appears_in_output(result: dict) -> None:
    import json

    text = json.dumps(result)
    assert "Jordan" not in text and "000000" not in text


def test_planned_procedure_is_not_proposed(workbench: Workbench) -> None:
    note = ("Date of service: 2026-05-12\nHistory: CRPS I of the right lower limb.\n"
            "Plan: consider cryoneurolysis of the right sural nerve at the next visit.\n")
    out = workbench.suggest(note)
    assert "0441T" not in [ln["code"] for ln in out["lines"]]
    assert any("not as a procedure done" in q for q in out["questions"])


def test_procedure_words_are_not_diagnoses(result: dict) -> None:
    # "three freeze cycles" describes the procedure, not an effect of cold on the patient
    assert not [d for d in result["diagnoses"] if d["code"].startswith("T69")]


def test_status_codes_are_listed_last_and_not_pointed_to(workbench: Workbench) -> None:
    from medcode.detect import Detector
    from medcode.detect.model import Concept, Entity, Trait
    from medcode.suggest import suggest

    real = Detector(workbench.kb)

    class WithStatus:  # the real detections plus a long-term anticoagulant status found first
        def detect(self, text: str) -> list[Entity]:
            status = Entity(0, 5, text[:5], 0.9, (Trait("DIAGNOSIS", 0.8),),
                            (Concept("Z79.01", "Long term (current) use of anticoagulants", 0.9, "pattern"),))
            return [status, *real.detect(text)]

    out = suggest(workbench.kb, NOTE, detector=WithStatus())
    codes = [d["code"] for d in out["diagnoses"]]
    assert codes[-1] == "Z79.01" and "G90.521" in codes
    z = codes.index("Z79.01") + 1
    assert all(z not in ln["dx_pointers"] for ln in out["lines"])
