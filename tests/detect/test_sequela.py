"""Deficits left by a past stroke take their I69 sequela code (guideline I.C.9.d)."""

from __future__ import annotations

import pytest

from medcode.detect import detect
from medcode.detect.sequela import load_sequela
from medcode.errors import ConfigError


def _top(kb, text: str) -> dict[str, list[str]]:
    return {e.text.lower(): [c.code for c in e.concepts] for e in detect(text, kb) if e.concepts and e.asserted}


def test_deficits_after_a_past_stroke_are_sequelae(detect_kb) -> None:
    top = _top(detect_kb, "History of stroke 2019 with residual right hemiparesis and aphasia.")
    assert top["hemiparesis"][:2] == ["I69.351", "G81.91"]
    assert top["aphasia"][0] == "I69.320"
    ent = next(e for e in detect("Prior stroke, residual left hemiparesis.", detect_kb) if e.text.lower() == "hemiparesis")
    assert ent.concepts[0].code == "I69.354" and "I.C.9.d" in ent.concepts[0].evidence


def test_an_acute_stroke_keeps_its_symptom_codes(detect_kb) -> None:
    top = _top(detect_kb, "Acute stroke today with right hemiparesis and aphasia. Prior stroke 2019.")
    assert top["hemiparesis"][0] == "G81.91" and top["aphasia"][0] == "R47.01"


def test_rehabilitation_after_an_acute_stroke_codes_sequelae(detect_kb) -> None:
    top = _top(detect_kb, "Admitted to rehab after an acute stroke. Residual right hemiparesis and aphasia.")
    assert top["hemiparesis"][0] == "I69.351" and top["aphasia"][0] == "I69.320"


def test_no_past_stroke_no_sequela(detect_kb) -> None:
    assert _top(detect_kb, "Right hemiparesis since birth.")["hemiparesis"][0] == "G81.91"
    # "without residual deficits" says there are none
    top = _top(detect_kb, "TIA 2019 without residual deficits. Aphasia after a fall.")
    assert top["aphasia"][0] == "R47.01"


def test_the_kind_of_stroke_picks_the_subcategory(detect_kb) -> None:
    top = _top(detect_kb, "Hx of nontraumatic intracerebral hemorrhage (stroke) in 2018; residual right hemiparesis.")
    assert top["hemiparesis"][0] == "I69.151"


def test_rule_file_errors_are_clear() -> None:
    with pytest.raises(ConfigError, match="context.stroke must be"):
        load_sequela('[context]\npatterns = ["x"]\n')
    with pytest.raises(ConfigError, match="context.patterns must be"):
        load_sequela('[context]\nstroke = "y"\n')
    with pytest.raises(ConfigError, match="under I69.3"):
        load_sequela('[context]\npatterns = ["x"]\nstroke = "y"\n[map]\n"G81.91" = "G81.91"\n')
    with pytest.raises(ConfigError, match="bad pattern"):
        load_sequela('[context]\npatterns = ["("]\nstroke = "y"\n')


def test_a_denied_past_stroke_is_no_context(detect_kb) -> None:
    top = _top(detect_kb, "No hx of stroke. Right hemiparesis and aphasia since this morning.")
    assert top["hemiparesis"][0] == "G81.91"
