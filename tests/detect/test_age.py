"""The patient's age read from a note, for thresholds that depend on it (heart rate, BMI)."""

from __future__ import annotations

import pytest

from medcode.detect.age import note_age


@pytest.mark.parametrize(("text", "years"), [
    ("WELL CHILD CHECK - 4 YEAR. 4 yo here with mom.", 4.0),
    ("Pt is a 72 y/o F with HTN.", 72.0),
    ("9-year-old boy, shortest in his class.", 9.0),
    ("S: 7 mo old F here for f/u of eczema.", 7 / 12),
    ("18 mo M with fever.", 1.5),
    ("3 wk old infant, feeding well.", 3 / 52),
    ("Newborn f/u, DOL 5.", 0.0),
    ("Cough x 2 days, 3 mo ago similar.", None),   # durations, not ages
    ("Smoker for 3 years.", None),
    ("58 yo M; his 80 yo mother has dementia.", 58.0),  # the first age stated is the patient's
])
def test_note_age(text: str, years: float | None) -> None:
    assert note_age(text) == (pytest.approx(years) if years is not None else None)
