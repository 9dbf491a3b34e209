"""Code agreement: counting how often coders agreed with the detector's asserted codes, the table file,
and how the detector withholds the codes they rarely agreed with."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from medcode.detect import Detector, agreement
from medcode.detect.model import Concept, Entity, Trait
from medcode.errors import ConfigError


def _entity(text: str, code: str, *traits: str) -> Entity:
    return Entity(0, len(text), text, 0.9, tuple(Trait(t, 0.9) for t in traits),
                  (Concept(code, "a title", 0.9, "index term"),))


def _note(text: str, *coded: tuple[str, str, tuple[str, ...]]) -> dict:
    return {"text": text, "mentions": [{"begin": 0, "end": len(x), "code": c, "also": [], "traits": list(t)}
                                       for x, c, t in coded]}


def test_entity_words_ignore_case_and_punctuation() -> None:
    assert agreement.entity_words("HR 102,") == "hr 102"
    assert agreement.entity_words("Knee-pain") == "knee pain"


def test_train_counts_each_asserted_code_once_per_note() -> None:
    readings = {
        "a": [_entity("HR 102", "R00.0"), _entity("HR 102", "R00.0"), _entity("knee pain", "M25.561")],
        "b": [_entity("HR 110", "R00.0"), _entity("knee pain", "M25.561", "NEGATION")],
        "c": [_entity("HR 102", "R00.0")],
    }
    notes = [_note("a", ("x", "M25.561", ())),
             _note("b", ("x", "R00.0", ()), ("y", "M25.561", ("NEGATION",))),
             _note("c", ("x", "R00.0", ("HISTORY",)))]  # a past finding is not a present code
    rows = {(a.code, a.words): (a.right, a.wrong)
            for a in agreement.train(notes, lambda text: readings[text], min_notes=1) if a.when == "asserted"}
    assert rows[("R00.0", "")] == (1, 2)
    assert rows[("R00.0", "hr 102")] == (0, 2)
    assert rows[("R00.0", "hr 110")] == (1, 0)
    assert rows[("M25.561", "")] == (1, 0)  # the negated reading in note b asserts nothing
    assert all(a.notes >= 2 for a in agreement.train(notes, lambda text: readings[text]))


def test_a_code_written_by_its_own_title_is_not_judged_by_the_codes_other_readings() -> None:
    table = agreement.Table([agreement.Agreement("A41.52", "", "asserted", 1, 4)])
    titled = Entity(0, 25, "Sepsis due to Pseudomonas", 0.9, (),
                    (Concept("A41.52", "Sepsis due to Pseudomonas", 0.9, "title term"),))
    bare = Entity(0, 11, "Pseudomonas", 0.9, (), (Concept("A41.52", "Sepsis due to Pseudomonas", 0.9, "inclusion"),))
    assert table.apply([titled, bare]) == [titled]


def test_a_code_written_by_a_code_set_term_of_its_own_is_kept_too() -> None:
    table = agreement.Table([agreement.Agreement("I27.23", "", "asserted", 4, 9)])
    title = "Pulmonary hypertension due to lung diseases and/or hypoxia"

    def reading(text: str, evidence: str, code: str = "I27.23", description: str = title) -> Entity:
        return Entity(0, len(text), text, 0.9, (), (Concept(code, description, 0.9, evidence),))

    written = reading("pulmonary hypertension, group 3", 'inclusion term "Group 3 pulmonary hypertension" (I27.23)')
    short = reading("group 3 PH", 'inclusion term "Group 3 pulmonary hypertension" (I27.23)')  # not every word
    learned = reading("pulmonary hypertension, group 3", 'learned phrase "pulmonary hypertension, group 3" (I27.23)')
    open_detail = reading("pulmonary hypertension, group 3", 'inclusion term "Group 3 pulmonary hypertension" (I27.23)',
                          description="Pulmonary hypertension, unspecified")  # a code that leaves a detail open
    assert table.apply([written, short, learned, open_detail]) == [written]


def test_table_withholds_rarely_agreed_codes_and_says_why_it_keeps_others() -> None:
    table = agreement.Table([agreement.Agreement("R00.0", "hr 102", "asserted", 1, 9),
                             agreement.Agreement("R00.0", "", "asserted", 30, 20),
                             agreement.Agreement("R52", "", "asserted", 1, 1),
                             agreement.Agreement("M25.561", "", "asserted", 2, 8)])
    hr102, hr110, pain = _entity("HR 102", "R00.0"), _entity("HR 110", "R00.0"), _entity("pain", "R52")
    knee, denied = _entity("knee pain", "M25.561"), _entity("knee pain", "M25.561", "NEGATION")
    kept = table.apply([hr102, hr110, pain, knee, denied])
    # the words' own count decides "HR 102"; "HR 110" falls back on the code's count
    assert [e.text for e in kept] == ["HR 110", "pain", "knee pain"]
    assert kept[0].concepts[0].evidence.endswith("coders agreed with this code as R00.0 in 30 of 50 training notes")
    assert kept[1].concepts[0].evidence.endswith("in 1 of 2 training notes")
    assert kept[2] is denied  # a negated reading asserts no code and is never withheld
    assert agreement.Table([], min_notes=2).apply([hr102]) == [hr102]  # an unknown code is kept


def test_table_round_trip_and_errors(tmp_path: Path) -> None:
    rows = [agreement.Agreement("B19.20", "hcv", "asserted", 1, 9, "B18.2", 8),
            agreement.Agreement("R00.0", "", "asserted", 30, 20)]
    path = tmp_path / "a.tsv"
    path.write_text(agreement.dump(rows), encoding="utf-8")
    assert agreement.load(path) == rows
    path.write_text("code\tphrase\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="header"):
        agreement.load(path)
    path.write_text(agreement.dump(rows) + "R52\t\tasserted\tmany\t0\t\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=":4: counts"):
        agreement.load(path)
    path.write_text(agreement.dump(rows) + "R52\t\tasserted\t1\t5\tR07.9 some\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=":4: counts"):
        agreement.load(path)
    path.write_text(agreement.dump(rows) + "R52\t\tsometimes\t1\t0\t\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=":4: 'when'"):
        agreement.load(path)
    path.write_text(agreement.dump(rows) + "R52\tpain\t1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=":4: expected 6"):
        agreement.load(path)
    # a table written before the "instead" column loads, with nothing given instead
    path.write_text("code\twords\twhen\tright\twrong\nR00.0\t\tasserted\t30\t20\n", encoding="utf-8")
    assert agreement.load(path) == [agreement.Agreement("R00.0", "", "asserted", 30, 20)]


def test_a_withheld_reading_takes_the_code_coders_gave_its_words() -> None:
    from medcode.detect.model import Concept, Entity, Trait

    def hcv(score: float = 0.9) -> Entity:
        return Entity(0, 3, "HCV", score, (Trait("DIAGNOSIS", 0.8, "code"),),
                      (Concept("B19.20", "Unspecified viral hepatitis C without hepatic coma", score, "index term"),))

    codes = {"B18.2": ("Chronic viral hepatitis C", True), "B19.20": ("Unspecified viral hepatitis C", True)}
    table = agreement.Table([agreement.Agreement("B19.20", "hcv", "asserted", 1, 9, "B18.2", 8)])
    [moved] = table.apply([hcv()], codes)
    assert moved.concepts[0].code == "B18.2"
    assert "coders gave \"hcv\" B18.2 in 8 of 10 training notes" in moved.concepts[0].evidence
    assert table.apply([hcv()]) == []  # no code list to take the title from: withheld as before
    few = agreement.Table([agreement.Agreement("B19.20", "hcv", "asserted", 1, 9, "B18.2", 2)])
    assert few.apply([hcv()], codes) == []  # given too rarely: withheld
    knee = Entity(0, 8, "swelling", 0.9, (Trait("SIGN", 0.8, "code"),),
                  (Concept("M25.469", "Effusion, unspecified knee", 0.9, "index term"),))
    sided = agreement.Table([agreement.Agreement("M25.469", "swelling", "asserted", 1, 6, "M25.462", 5)])
    assert sided.apply([knee], {"M25.462": ("Effusion, left knee", True)}) == []  # the training notes' side: not taken


def test_training_counts_what_coders_gave_instead() -> None:
    from medcode.detect.model import Concept, Entity, Trait

    def detect(text: str) -> list[Entity]:
        at = text.index("HCV")
        return [Entity(at, at + 3, "HCV", 0.9, (Trait("DIAGNOSIS", 0.8, "code"),),
                       (Concept("B19.20", "Unspecified viral hepatitis C", 0.9, "index term"),))]

    notes = [{"text": f"Note {i}: HCV.", "mentions": [{"begin": 7 + len(str(i)), "end": 10 + len(str(i)),
                                                       "code": "B18.2", "traits": []}]} for i in range(3)]
    rows = {(a.code, a.words): a for a in agreement.train(notes, detect)}
    assert rows[("B19.20", "hcv")] == agreement.Agreement("B19.20", "hcv", "asserted", 0, 3, "B18.2", 3)


def test_detector_uses_a_table_file_and_none_turns_it_off(detect_kb, tmp_path: Path) -> None:
    text = "Left knee pain for two weeks."
    plain = Detector(detect_kb, agreement=False).detect(text)
    assert plain and plain[0].concepts[0].code == "M25.562"
    path = tmp_path / "a.tsv"
    path.write_text(agreement.dump([agreement.Agreement("M25.562", "knee pain", "asserted", 1, 5)]), encoding="utf-8")
    assert Detector(detect_kb, agreement=path).detect(text) == [e for e in plain if e.concepts[0].code != "M25.562"]
    other = tmp_path / "b.tsv"
    other.write_text(agreement.dump([agreement.Agreement("M25.562", "knee pain", "asserted", 5, 1)]), encoding="utf-8")
    kept = Detector(detect_kb, agreement=other).detect(text)
    assert "coders agreed" in kept[0].concepts[0].evidence


def test_denied_readings_are_counted_per_entity_against_denied_mentions() -> None:
    bone = Entity(3, 7, "bone", 0.9, (Trait("NEGATION", 0.95),), (Concept("C79.51", "a title", 0.9, "index"),))
    pain = Entity(12, 16, "pain", 0.9, (Trait("NEGATION", 0.95),), (Concept("R52", "a title", 0.9, "index"),))
    note = {"text": "no bone, no pain", "mentions": [
        {"begin": 12, "end": 16, "code": "R52", "also": [], "traits": ["NEGATION"]}]}
    rows = {(a.code, a.words, a.when): (a.right, a.wrong)
            for a in agreement.train([note, note], lambda text: [bone, pain])}
    assert rows[("C79.51", "bone", "denied")] == (0, 2)  # exam words, not a condition ruled out
    assert rows[("R52", "", "denied")] == (2, 0)
    table = agreement.Table(agreement.Agreement(*k, *v) for k, v in rows.items())
    kept = table.apply([bone, pain])
    assert [e.text for e in kept] == ["pain"]
    assert "as a denied finding 2 of 2 times" in kept[0].concepts[0].evidence


def test_a_past_reading_coders_code_as_current_becomes_current_and_is_then_checked() -> None:
    hist = (Trait("DIAGNOSIS", 0.8), Trait("HISTORY", 0.85, "hx of"))
    htn = Entity(6, 9, "HTN", 0.9, hist, (Concept("I10", "a title", 0.9, "index"),))
    dvt = Entity(20, 23, "DVT", 0.9, hist, (Concept("I82.409", "a title", 0.9, "index"),))
    table = agreement.Table([agreement.Agreement("I10", "", "past", 1, 9),
                             agreement.Agreement("I10", "", "asserted", 40, 10),
                             agreement.Agreement("I82.409", "", "past", 8, 2)])
    kept = table.apply([htn, dvt])
    assert not kept[0].has("HISTORY") and kept[0].has("DIAGNOSIS")
    assert "read as current: coders marked this code (I10) past only 1 of 10 times" in kept[0].concepts[0].evidence
    assert kept[0].concepts[0].evidence.endswith("in 40 of 50 training notes")
    assert kept[1].has("HISTORY")
    note = {"text": "hx of HTN, hx of DVT", "mentions": [
        {"begin": 6, "end": 9, "code": "I10", "also": [], "traits": []},
        {"begin": 20, "end": 23, "code": "I82.409", "also": [], "traits": ["HISTORY"]}]}
    rows = {(a.code, a.words, a.when): (a.right, a.wrong)
            for a in agreement.train([note, note], lambda text: [htn, dvt])}
    assert rows[("I10", "htn", "past")] == (0, 2)
    assert rows[("I82.409", "", "past")] == (2, 0)


def test_an_allergys_reaction_stays_past_whatever_the_codes_past_count() -> None:
    # "Allergies: codeine (itching)": the count of itching read as past (mostly past illnesses coders took
    # as current) does not make the drug's reaction current
    table = agreement.Table([agreement.Agreement("L29.9", "", "past", 1, 9),
                             agreement.Agreement("L29.9", "", "asserted", 40, 10)])
    reaction = Entity(20, 27, "itching", 0.9, (Trait("SYMPTOM", 0.8), Trait("HISTORY", 0.85, "allergy reaction")),
                      (Concept("L29.9", "a title", 0.9, "index"),))
    assert [e.has("HISTORY") for e in table.apply([reaction])] in ([], [True])  # withheld or past, never current
    past = replace(reaction, traits=(Trait("SYMPTOM", 0.8), Trait("HISTORY", 0.85, "hx of")))
    assert not table.apply([past])[0].has("HISTORY")  # a past illness's reading is still checked


def test_a_withheld_code_gives_way_to_a_runner_up_coders_agreed_with_for_the_same_words() -> None:
    hf = Entity(0, 5, "HFrEF", 0.9, (Trait("DIAGNOSIS", 0.8),),
                (Concept("I50.20", "a title", 1.0, "title term"), Concept("I50.22", "a title", 0.9, "learned phrase"),
                 Concept("I50.89", "a title", 0.7, "title term")))
    table = agreement.Table([agreement.Agreement("I50.20", "hfref", "asserted", 4, 8),
                             agreement.Agreement("I50.22", "hfref", "asserted", 6, 0),
                             agreement.Agreement("I50.89", "", "asserted", 9, 1)])
    (kept,) = table.apply([hf])
    assert [c.code for c in kept.concepts] == ["I50.22", "I50.20", "I50.89"]
    assert "in place of I50.20" in kept.concepts[0].evidence
    # only the same words count: a code agreed with elsewhere ("I50.89" alone) does not stand in
    alone = agreement.Table([agreement.Agreement("I50.20", "hfref", "asserted", 4, 8),
                             agreement.Agreement("I50.89", "", "asserted", 9, 1)])
    assert alone.apply([hf]) == []
    # two notes are too few to stand in (bare "pain" had become chronic pain, G89.29, on two)
    few = agreement.Table([agreement.Agreement("I50.20", "hfref", "asserted", 4, 8),
                           agreement.Agreement("I50.22", "hfref", "asserted", 2, 0)])
    assert few.apply([hf]) == []
    # ... and so are five of the 210 notes bare "pain" was read in: G89.29 was first only in a chronic
    # pain visit's notes, and must not stand in for R52 on every "pain"
    pain = Entity(0, 4, "pain", 0.9, (Trait("SYMPTOM", 0.8),),
                  (Concept("R52", "a title", 1.0, "title term"), Concept("G89.29", "a title", 0.9, "title term")))
    corner = agreement.Table([agreement.Agreement("R52", "pain", "asserted", 24, 186),
                              agreement.Agreement("G89.29", "pain", "asserted", 5, 0)])
    assert corner.apply([pain]) == []


def test_words_with_a_value_decide_only_on_enough_notes() -> None:
    # counted per value, "spo2 84" right 2 of 7 is too few to overrule the reading's code (109 of 148)
    table = agreement.Table([agreement.Agreement("R09.02", "spo2 84", "asserted", 2, 5),
                             agreement.Agreement("R09.02", "", "asserted", 109, 39),
                             agreement.Agreement("R09.02", "spo2 86", "asserted", 1, 9)])
    kept = table.apply([_entity("SpO2 84", "R09.02"), _entity("SpO2 86", "R09.02")])
    assert [e.text for e in kept] == ["SpO2 84"]  # "spo2 86", ten notes, decides for itself
    assert "109 of 148" in kept[0].concepts[0].evidence


def test_a_weeks_of_gestation_code_is_judged_with_its_category() -> None:
    # each Z3A code is one number of weeks, so its own count is small: Z3A.20's 1 of 3 is chance where
    # the Z3A codes together were right 19 times in 33
    table = agreement.Table([agreement.Agreement("Z3A.20", "", "asserted", 1, 2),
                             agreement.Agreement("Z3A.24", "", "asserted", 16, 4),
                             agreement.Agreement("Z3A.01", "", "asserted", 2, 8)])
    kept = table.apply([_entity("20w2d", "Z3A.20"), _entity("6w1d", "Z3A.01")])
    assert [e.text for e in kept] == ["20w2d"]  # Z3A.01, ten notes of its own, decides for itself
    assert "the Z3A codes together in 19 of 33" in kept[0].concepts[0].evidence


def test_a_pregnancys_code_is_not_given_instead_in_a_note_with_no_pregnancy() -> None:
    bleeding = Entity(0, 16, "vaginal bleeding", 0.9, (Trait("SIGN", 0.8, "code"),),
                      (Concept("N93.9", "Abnormal uterine and vaginal bleeding, unspecified", 0.9, "index term"),))
    codes = {"O20.9": ("Hemorrhage in early pregnancy, unspecified", True)}
    table = agreement.Table([agreement.Agreement("N93.9", "vaginal bleeding", "asserted", 0, 7, "O20.9", 5)])
    assert table.apply([bleeding], codes)[0].concepts[0].code == "O20.9"
    # the coders' count is about pregnant patients' notes: in another note the reading stands as it is
    assert table.apply([bleeding], codes, obstetric=False) == [bleeding]
