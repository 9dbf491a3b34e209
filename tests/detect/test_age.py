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
    ("47M. Hidradenitis x 8 yrs, obesity BMI 36.", 47.0),  # an age run into the sex; "x 8 yrs" is a duration
    ("HPI: 63 F w/ cirrhosis.", 63.0),
    ("PCOS dx'd 2 yrs ago. Pt 24F.", 24.0),                # "2 yrs ago" is no age
    ("Pt 72 yrs, retired.", 72.0),
    ("OB INTAKE. 36 y.o. G3P1011 at 8 weeks.", 36.0),
    ("Name: ---  Age: 54  Sex: F", 54.0),
    ("RECEIVING SCREENING. AGE 58, male.", 58.0),
    ("Peanut allergy dx age 2. Doing well.", None),      # an age at diagnosis, not the patient's
    ("Thank you for asking me to see Mr. L, 72, for risk assessment.", 72.0),
    ("T 101.4 F, HR 110.", None),                        # a temperature
    ("HOME HEALTH F2F ENCOUNTER. Reversed with 4F-PCC.", None),
    ("Home visit for 92 yo woman.", 92.0),
    ("Urology: 16F Foley placed, clear urine.", None),    # a catheter's French size
    ("A/P: gout, no flares in 2 yrs. RTC 6 wks, then 1 yr.", None),  # intervals, not ages
    ("HEART TRANSPLANT CLINIC - 6 YR POST OHT", None),
    ("Patient: 2 yr 9 mo male, cough.", 2.0),            # years (and months)
    ("Bone age 12 yr 6 mo (delayed). 14 yo M.", 14.0),   # a bone age is not the patient's
])
def test_note_age(text: str, years: float | None) -> None:
    assert note_age(text) == (pytest.approx(years) if years is not None else None)
