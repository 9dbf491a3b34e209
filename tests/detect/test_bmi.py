"""Adult BMI values coded to Z68 only when a weight diagnosis makes them reportable (guideline I.B.14)."""

from __future__ import annotations

from medcode.detect import detect


def _codes(kb, text: str) -> dict[str, str]:
    return {e.concepts[0].code: e.concepts[0].evidence for e in detect(text, kb) if e.concepts}


def test_bmi_with_obesity_is_coded_from_the_z68_titles(detect_kb) -> None:
    codes = _codes(detect_kb, "58 yo M. Obesity, counseled on diet. BMI 33.4.")
    assert "E66.9" in codes
    assert "Z68.33" in codes
    assert "E66.9" in codes["Z68.33"] and "I.B.14" in codes["Z68.33"]


def test_bmi_without_a_weight_diagnosis_is_not_reported(detect_kb) -> None:
    assert "Z68.33" not in _codes(detect_kb, "BMI 33. Headache.")


def test_negated_weight_diagnosis_does_not_count(detect_kb) -> None:
    assert "Z68.33" not in _codes(detect_kb, "BMI 33, no obesity per patient.")


def test_child_bmi_is_left_to_percentiles(detect_kb) -> None:
    assert not {c for c in _codes(detect_kb, "12 yo with obesity, BMI 33.") if c.startswith("Z68")}


def test_child_bmi_percentile_takes_its_pediatric_code() -> None:
    from medcode.detect.bmi import bmi
    from medcode.detect.model import Concept, Entity, Trait

    pediatric = {"Z68.51": "less than 5th", "Z68.53": "85th to less than 95th", "Z68.54": "95th to 120%",
                 "Z68.55": "120% to 140%", "Z68.56": "140% or more"}
    for text, code in [("12 yo. Obesity. BMI 97th %ile.", "Z68.54"), ("12 yo. Obesity. BMI 85th-<95th %ile.", "Z68.53"),
                       ("9 yo. Obesity. BMI >=120% of 95th pct.", "Z68.55"), ("9 yo. Obesity. BMI 45th %ile.", None),
                       ("Obesity, class 2 (BMI 31.4, 128% of 95th percentile)", "Z68.55"),
                       ("7 yo. Obesity. BMI 112% of the 95th %ile.", "Z68.54"),
                       ("7 yo. Obesity. BMI 150% of 95th percentile.", "Z68.56")]:
        at = text.index("Obesity")
        obesity = Entity(at, at + 7, "Obesity", 0.9, (Trait("DIAGNOSIS", 0.8, "code"),),
                         (Concept("E66.9", "Obesity, unspecified", 0.9, "test"),))
        found = {e.concepts[0].code for e in bmi([obesity], text, (), pediatric)} - {"E66.9"}
        assert found == ({code} if code else set()), text


def test_percent_and_percentile_are_not_bmi_values(detect_kb) -> None:
    codes = _codes(detect_kb, "Obesity. BMI 95th percentile. BMI 33% above goal.")
    assert not {c for c in codes if c.startswith("Z68")}


def test_lay_words_for_fatigue(detect_kb) -> None:
    for text in ("Feeling tired all the time.", "Low energy for a month.", "Exhausted."):
        assert "R53.83" in _codes(detect_kb, text), text


def test_a_weight_diagnosis_that_runs_into_the_value_is_trimmed(detect_kb, tmp_path) -> None:
    from medcode.detect import Detector
    from medcode.detect._data import write_tsv

    table = tmp_path / "p.tsv"  # "obesity BMI" learned as one name, as coded notes can teach it
    table.write_text(write_tsv(("words", "code", "phrase", "right", "wrong", "when"),
                               [("bmi obesity", "E66.9", "obesity BMI", 5, 0, "any")]), encoding="utf-8")
    ents = Detector(detect_kb, learned=table, agreement=False).detect("58 yo M. Obesity BMI 33.4.")
    got = {e.text: e.concepts[0].code for e in ents}
    assert got == {"Obesity": "E66.9", "BMI 33.4": "Z68.33"}


def test_a_weight_diagnosis_that_starts_at_the_value_keeps_the_words_after_it(detect_kb, tmp_path) -> None:
    from medcode.detect import Detector
    from medcode.detect._data import write_tsv

    table = tmp_path / "p.tsv"  # "BMI 33.4 (obesity" learned as one name
    table.write_text(write_tsv(("words", "code", "phrase", "right", "wrong", "when"),
                               [("bmi obesity", "E66.9", "BMI (obesity", 5, 0, "any")]), encoding="utf-8")
    ents = Detector(detect_kb, learned=table, agreement=False).detect("58 yo M. BMI 33.4 (obesity).")
    got = {e.text: e.concepts[0].code for e in ents}
    assert got == {"obesity": "E66.9", "BMI 33.4": "Z68.33"}


def test_an_interval_in_years_is_no_age(detect_kb) -> None:
    # "then 1 yr" once read as the patient's age, which left an adult's BMI uncoded as a child's
    codes = _codes(detect_kb, "Obesity, counseled on diet. BMI 33.4. RTC 6 wks, then 1 yr.")
    assert "Z68.33" in codes
