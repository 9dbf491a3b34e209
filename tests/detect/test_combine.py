"""Combination codes ICD-10-CM presumes from two conditions in one note, and "see" index pointers."""

from __future__ import annotations

import pytest

from medcode.detect import detect
from medcode.detect.combine import Rule, ckd_stage, combine, default_rules, load_rules
from medcode.detect.model import Concept, Entity, Trait
from medcode.errors import ConfigError


def _top(kb, text: str) -> dict[str, tuple[str, str]]:
    return {e.text.lower(): (e.concepts[0].code, e.concepts[0].evidence) for e in detect(text, kb)}


def test_hypertension_with_ckd_is_hypertensive_ckd(detect_kb) -> None:
    top = _top(detect_kb, "Essential hypertension. Chronic kidney disease, stage 3a.")
    code, evidence = top["essential hypertension"]
    assert code == "I12.9" and "I.C.9.a.2" in evidence and "N18.31" in evidence
    assert top["chronic kidney disease, stage 3a"][0] == "N18.31"  # the stage keeps its own code


def test_diabetes_with_ckd_is_the_with_code(detect_kb) -> None:
    top = _top(detect_kb, "Type 2 diabetes mellitus. Chronic kidney disease, stage 3a.")
    assert top["type 2 diabetes mellitus"][0] == "E11.22"


@pytest.mark.parametrize("text", [
    "Essential hypertension. Denies chronic kidney disease.",      # a denied companion links nothing
    "Essential hypertension. Mother has chronic kidney disease.",  # nor does a relative's
    "Essential hypertension. History of chronic kidney disease, stage 3a.",  # nor a past one
])
def test_only_asserted_companions_combine(detect_kb, text: str) -> None:
    assert _top(detect_kb, text)["essential hypertension"][0] == "I10"


def test_packaged_rules_load() -> None:
    rules = load_rules()
    assert {r.id for r in rules} >= {"hypertension-ckd", "type2-diabetes-ckd"}
    assert all(isinstance(r, Rule) for r in rules)


def test_bad_rule_rejected() -> None:
    with pytest.raises(ConfigError, match="'with'"):
        load_rules('[[rule]]\nid = "x"\nbasis = "b"\nwhen = ["I10"]\nwith = ["N18"]\ncode = "I12.9"')


def test_see_pointer_in_the_index_gives_a_term(detect_kb) -> None:
    code, evidence = _top(detect_kb, "Febrile since yesterday.")["febrile"]
    assert code == "R50.9" and "Febrile" in evidence


def test_bare_remention_takes_the_fuller_code(detect_kb) -> None:
    # (a blank line between them: within a paragraph the bare "pain" takes the site said before it)
    ents = detect("Pain in the right knee since Monday.\n\nThe pain is worse at night.", detect_kb)
    bare = next(e for e in ents if e.text.lower() == "pain")
    assert bare.concepts[0].code == "M25.561" and "refers back" in bare.concepts[0].evidence
    assert "R52" in [c.code for c in bare.concepts]  # its own reading is kept below


def test_denied_fuller_mention_is_not_referred_to(detect_kb) -> None:
    ents = detect("Denies pain in the right knee. Pain elsewhere.", detect_kb)
    bare = next(e for e in ents if e.text.lower() == "pain")
    assert bare.concepts[0].code == "R52"


@pytest.mark.parametrize(("text", "code"), [
    ("G2P1 at 30 weeks gestation. Essential hypertension.", "O10.013"),         # weeks give the trimester
    ("Pregnant, second trimester. Essential hypertension.", "O10.012"),
    ("Currently pregnant. Essential hypertension.", "O10.019"),                   # trimester not stated
    ("Essential hypertension. Not pregnant.", "I10"),
    ("Pregnancy: no, LMP 1 wk ago. Essential hypertension.", "I10"),              # a checklist answer
    ("Essential hypertension. Pregnancy test neg.", "I10"),
    ("Postpartum visit, 3 weeks after delivery. Essential hypertension.", "O10.03"),  # the puerperium
    ("History of postpartum hemorrhage in 2015. Essential hypertension.", "I10"),      # not after delivery now
    # an infant born at 35 weeks: the gestational age is the baby's, and nobody here is pregnant
    ("4 mo old ex-35-weeker, born at 35 wk GA. Essential hypertension.", "I10"),
    ("26-month-old. Prenatal/birth: born at 34 weeks. Essential hypertension.", "I10"),
    # a past pregnancy named by its order or year; packs per day before a numbered list item
    ("Gestational diabetes w/ 2nd pregnancy (2004), resolved. Essential hypertension.", "I10"),
    ("Smokes 1 ppd\n13. Essential hypertension.", "I10"),
    ("Postpartum, PPD #2. Essential hypertension.", "O10.03"),
    # a pregnancy planned or supposed is none under way
    ("She is planning a pregnancy next year. Essential hypertension.", "I10"),
    ("If she becomes pregnant she will call. Essential hypertension.", "I10"),
    # her pregnancies counted, or one wanted or avoided: no pregnancy under way
    ("Varicose veins worse after each pregnancy. Essential hypertension.", "I10"),
    ("Not seeking pregnancy. Essential hypertension.", "I10"),
    ("PMH: anemia in pregnancy (resolved). Essential hypertension.", "I10"),
    # an infertility visit: none under way, whatever the note says of pregnancy
    ("Not currently pregnant (UPT neg today). Essential hypertension.", "I10"),
    ("Trying x18 months, regular intercourse, no pregnancy. Essential hypertension.", "I10"),
    ("If pregnancy occurs before treatment, call. Essential hypertension.", "I10"),
    ("Her only pregnancy, in 2021, ended in a loss. Essential hypertension.", "I10"),
    # a pregnancy planned, denied, or the one a young child was born of
    ("CC: wants to plan pregnancy. Essential hypertension.", "I10"),
    ("Pregnancy denied. Essential hypertension.", "I10"),
    ("No history of gestational diabetes (never pregnant). Essential hypertension.", "I10"),
    ("8 mo F. PMH: prenatal US w/ mild hydronephrosis. Essential hypertension.", "I10"),
    # a man's note, and a home with no pregnant persons in it
    ("69 yo M, on the pregnancy registry with his wife. Essential hypertension.", "I10"),
    ("Lives w/ wife (no children/pregnant persons in home). Essential hypertension.", "I10"),
    ("- Pregnant: N/A\n- Essential hypertension.", "I10"),  # an intake form's answer
    # a pregnancy-related condition of a past pregnancy
    ("Pregnancy-related hypertension in 1998, resolved after delivery. Essential hypertension.", "I10"),
    ("Ectopic pregnancy excluded, IUP at 7 weeks gestation. Essential hypertension.", "O10.011"),
])
def test_pregnancy_moves_conditions_to_chapter_15(detect_kb, text: str, code: str) -> None:
    top = _top(detect_kb, text)["essential hypertension"]
    assert top[0] == code
    if code.startswith("O"):
        assert "I.C.15.a.1" in top[1]


def test_a_past_pregnancys_complication_is_this_pregnancys_supervision(detect_kb) -> None:
    ent = next(e for e in detect("G2P1001 at 22w3d. History of pre-eclampsia.", detect_kb)
               if e.text.lower() == "pre-eclampsia")
    assert [c.code for c in ent.concepts[:2]] == ["O09.292", "O14.90"]  # O09.29-, second trimester
    assert not ent.has("HISTORY") and "earlier pregnancy" in ent.concepts[0].evidence
    # not in a note with no pregnancy under way
    ent = next(e for e in detect("History of pre-eclampsia.", detect_kb) if e.text.lower() == "pre-eclampsia")
    assert ent.concepts[0].code.startswith("O14") and ent.has("HISTORY")


def test_an_earlier_delivery_leaves_the_pregnancy_under_way(detect_kb) -> None:
    # "postpartum" and "delivered" said after the pregnancy is stated are about an earlier delivery
    top = _top(detect_kb, "G3P1011 at 9w2d. Hx of postpartum hemorrhage. Essential hypertension.")
    assert top["essential hypertension"][0] == "O10.011"
    assert top["postpartum hemorrhage"][0] == "O09.291"
    # stated first, they make the note one written after delivery
    top = _top(detect_kb, "Postpartum visit, delivered 3/10 at 39w1d. Essential hypertension.")
    assert top["essential hypertension"][0] == "O10.03"


def test_a_trimester_child_is_chosen_by_its_trimester_words(detect_kb) -> None:
    # O72.1 has no trimester children: O72.0 "Third-stage hemorrhage" is no third trimester
    top = _top(detect_kb, "G2P1 at 39w2d in labor. Delivered. Postpartum hemorrhage, QBL 1200 mL.")
    assert top["postpartum hemorrhage"][0] == "O72.1"


@pytest.mark.parametrize(("title", "code"), [
    ("DELIVERY NOTE", "O10.02"),  # she delivers in this admission: "complicating childbirth"
    ("OPERATIVE REPORT\nPreop dx: IUP at 39w0d, repeat cesarean.", "O10.02"),
    ("OB DISCHARGE SUMMARY\nAdmit 10/3, SVD 10/4, D/C 10/5.", "O10.02"),
    ("L&D ADMISSION H&P", "O10.013"),  # written before the delivery: the trimester
    ("PPD#1 s/p SVD, progress note", "O10.03"),  # a later day of the stay: the puerperium
    ("OB READMISSION H&P, postpartum day 6 after SVD", "O10.03"),
])
def test_the_admission_she_delivers_in_takes_the_childbirth_code(detect_kb, title: str, code: str) -> None:
    code_at, evidence = _top(detect_kb, f"{title}\nG2P1 at 39w2d. Essential hypertension.")["essential hypertension"]
    assert code_at == code
    if code == "O10.02":
        assert "I.C.15.a.3" in evidence


def test_acute_blood_loss_anemia_after_delivery_is_anemia_of_the_puerperium(detect_kb) -> None:
    for title in ("DELIVERY NOTE\nG2P1 at 39w2d, SVD.", "Postpartum visit, 2 weeks after SVD."):
        ent = next(e for e in detect(f"{title} Acute posthemorrhagic anemia.", detect_kb) if e.concepts
                   and e.concepts[0].code.startswith(("O90", "D62", "O99")))
        assert [c.code for c in ent.concepts[:2]] == ["O90.81", "D62"] and ent.concepts[1].additional


def test_an_abnormal_fetal_heart_rate_in_a_delivery_note_is_o76(detect_kb) -> None:
    text = "DELIVERY NOTE\nG2P1 at 39w2d, SVD. Labor c/b fetal tachycardia and a Category II tracing."
    top = _top(detect_kb, text)
    assert top["fetal tachycardia"][0] == "O76" and "tachycardia" not in top  # not the mother's R00.0
    assert top["category ii tracing"][0] == "O76"
    assert "late decels" not in _top(detect_kb, "DELIVERY NOTE\nG2P1 at 39w2d, SVD. Category I tracing, no late decels.")
    # outside the admission she delivers in coders split, so it is left alone
    assert "fetal tachycardia" not in _top(detect_kb, "G2P1 at 32w2d, NST: fetal tachycardia.")


def test_a_bad_childbirth_table_is_a_clear_error() -> None:
    from medcode.detect.combine import load_pregnancy

    with pytest.raises(ConfigError, match="childbirth"):
        load_pregnancy("[context]\npatterns = ['pregnant']\n[childbirth]\ntitle = 'DELIVERY'\n")


@pytest.mark.parametrize(("text", "code"), [
    ("G2P1 at 24w3d. Prior C-section x1 (2022).", "O34.219"),  # maternal care for the scar
    ("G2P1 at 24w3d. Desires TOLAC after prior LTCS.", "O34.211"),  # low transverse
    ("45F. PSH: C-section x2, appendectomy.", "Z98.891"),  # no pregnancy: the scar's history
])
def test_a_previous_cesarean(detect_kb, text: str, code: str) -> None:
    [ent] = [e for e in detect(text, detect_kb) if e.concepts and e.concepts[0].code[:3] in ("O34", "Z98")]
    assert ent.concepts[0].code == code
    assert not any(c.additional for c in ent.concepts)  # Z98.891 is not reported with O34.21-


def test_a_relatives_pregnancy_is_not_the_patients(detect_kb) -> None:
    top = _top(detect_kb, "45M referred after his pregnant wife had a reactive test. Essential hypertension.")
    assert top["essential hypertension"][0] == "I10"


def test_pregnancy_keeps_the_condition_code_as_an_additional_code(detect_kb) -> None:
    ent = next(e for e in detect("Pregnant, second trimester. Essential hypertension.", detect_kb)
               if e.text.lower() == "essential hypertension")
    first, second = ent.concepts[:2]
    assert (first.code, first.additional) == ("O10.012", False)
    assert (second.code, second.additional) == ("I10", True)  # reported with O10.012, not instead of it
    assert second.as_dict()["additional"] is True and "additional" not in first.as_dict()


def test_pregnancy_codes_within_the_mapped_subcategory(detect_kb) -> None:
    # N39.0 maps to O23.4 "Unspecified infection of urinary tract in pregnancy"; its title starts
    # "Unspecified", but the map names it, so its cousin O23.92 (genitourinary tract) must not win
    top = _top(detect_kb, "Pregnant, second trimester. Urinary tract infection.")
    assert top["urinary tract infection"][0] == "O23.42"


@pytest.mark.parametrize(("text", "code"), [
    ("G2P1 at 24w3d. Vaginal bleeding since this morning.", "O46.92"),   # antepartum hemorrhage, by trimester
    ("G1P0 at 9w2d. Vaginal bleeding since this morning.", "O20.9"),     # early pregnancy
    ("Vaginal bleeding since this morning. Not pregnant.", "N93.9"),
])
def test_vaginal_bleeding_in_pregnancy(detect_kb, text: str, code: str) -> None:
    assert _top(detect_kb, text)["vaginal bleeding"][0] == code


def test_a_condition_its_chapter_15_code_names_in_full_is_not_added(detect_kb) -> None:
    ent = next(e for e in detect("G2P1 at 24w3d. Vaginal bleeding since this morning.", detect_kb)
               if e.text.lower() == "vaginal bleeding")
    assert ent.concepts[0].code == "O46.92" and not any(c.additional for c in ent.concepts)  # [alone]


@pytest.mark.parametrize(("text", "code"), [
    ("G1P0 at 9w2d. Nausea and vomiting daily.", "O21.9"),
    ("G2P1 at 31w2d. Nausea and vomiting daily.", "R11.2"),  # later in pregnancy, the symptom's own code
])
def test_vomiting_of_pregnancy_is_a_first_trimester_code(detect_kb, text: str, code: str) -> None:
    assert next(v for k, v in _top(detect_kb, text).items() if "nausea" in k)[0] == code


@pytest.mark.parametrize(("text", "code"), [
    ("Pregnant. Gestational diabetes, on insulin.", "O24.414"),
    ("Pregnant. Gestational diabetes. Diet controlled, glucose log reviewed.", "O24.410"),
    ("Pregnant. Gestational diabetes. Meds: metformin 500 mg BID.", "O24.415"),
    ("Pregnant. Gestational diabetes.", "O24.419"),                 # no control stated
])
def test_gestational_diabetes_takes_the_control_the_note_states(detect_kb, text: str, code: str) -> None:
    assert _top(detect_kb, text)["gestational diabetes"][0] == code


def test_a_comma_item_keeps_its_own_words(detect_kb) -> None:
    # "gestational" belongs to the item after the comma, not to the hypertension before it (O13)
    top = _top(detect_kb, "Hypertension, gestational diabetes.")
    assert top["hypertension"][0] == "I10" and top["gestational diabetes"][0] == "O24.419"


def test_a_year_is_not_covid(detect_kb) -> None:
    assert _top(detect_kb, "Hospitalized in 2019 for pneumonia.")["pneumonia"][0] == "J18.9"


def test_trimester_from_weeks() -> None:
    from medcode.detect.combine import trimester

    assert [trimester(t) for t in ("10 weeks gestation", "EGA 27w", "36 wks", "3rd trimester", "no dates")] == \
        ["first", "second", "third", "third", None]


def test_other_forms_of_a_dictionary_word(detect_kb) -> None:
    # "coughs"/"coughing" are English words, so they are never spelling-corrected, but they are still
    # forms of the dictionary word "cough"
    assert _top(detect_kb, "Coughing at night.")["coughing"][0] == "R05.9"


@pytest.mark.parametrize(("text", "code"), [
    ("Adenocarcinoma of the left breast.", "C50.912"),   # Table of Neoplasms: Breast, malignant primary
    ("Breast metastases.", "C79.81"),                     # Breast, malignant secondary
])
def test_table_of_neoplasms(detect_kb, text: str, code: str) -> None:
    ents = detect(text, detect_kb)
    assert ents and ents[0].concepts[0].code == code


def test_misleading_search_synonym_is_dropped_in_notes(detect_kb) -> None:
    # search maps "sugar" to diabetes for queries; in a note "blood sugars" is not a diagnosis
    assert not [e for e in detect("Blood sugars are stable.", detect_kb) if e.concepts[0].code.startswith("E1")]


def test_acronym_terms_need_capitals(detect_kb) -> None:
    from medcode.detect.matcher import _acronym

    assert _acronym("AIDS (related complex)") and _acronym("PRES") and not _acronym("Gout")
    from medcode.detect.tokens import ACRONYM, tokenize

    words = {t.raw: t.words for t in tokenize("AIDS and hearing aids")}
    assert ACRONYM + "aid" in words["AIDS"] and ACRONYM + "aid" not in words["aids"]


def test_vaccine_and_exposure_are_not_conditions(detect_kb) -> None:
    assert not [e for e in detect("Pneumonia vaccine given today.", detect_kb) if e.text.lower() == "pneumonia"]
    for text in ("Influenza 2025-26 vaccine given.", "Influenza updated vaccine offered.", "Pneumonia consult.",
                 "Fever meds reviewed."):
        # the vaccine given is the visit's reason (Z23), not an influenza
        assert [e.concepts[0].code for e in detect(text, detect_kb)] in ([], ["Z23"]), text


def test_bare_diabetes_takes_the_complication_coded_elsewhere(detect_kb) -> None:
    top = _top(detect_kb, "Type 2 diabetes mellitus. Type 2 diabetes mellitus with hyperglycemia.")
    assert {code for code, _ in top.values()} == {"E11.65"}


def test_note_stating_type_1_moves_untyped_diabetic_codes(detect_kb) -> None:
    from medcode.detect.combine import diabetes_type
    from medcode.detect.model import Concept, Entity

    titles = {"E10.65": ("Type 1 diabetes mellitus with hyperglycemia",), "E11.65": ("Type 2 ...",)}
    dm1 = Entity(0, 15, "Type 1 diabetes", 1.0, (), (Concept("E10.9", "Type 1 diabetes mellitus without complications", 1.0, ""),))
    hyper = Entity(20, 33, "hyperglycemia", 1.0, (), (Concept("E11.65", "Type 2 ...", 1.0, ""),))
    out = diabetes_type([dm1, hyper], titles)
    assert out[1].concepts[0].code == "E10.65"
    dm2 = Entity(40, 44, "DM2", 1.0, (), (Concept("E11.9", "Type 2 diabetes mellitus without complications", 1.0, ""),))
    assert diabetes_type([dm1, hyper, dm2], titles)[1].concepts[0].code == "E11.65"  # both types stated: as is


def test_a_comma_list_is_separate_conditions(detect_kb) -> None:
    # "Fever, chest pain" could join into one discontinuous term; each item is its own mention
    ents = [e for e in detect("Fever, chest pain.", detect_kb) if e.concepts]
    assert [(e.text, e.concepts[0].code) for e in ents] == [("Fever", "R50.9"), ("chest pain", "R07.9")]


@pytest.mark.parametrize(("text", "code"), [
    ("Newborn visit, DOL 4. Jaundice to the chest.", "P59.9"),            # guideline I.C.16.a
    ("4-day-old term infant with jaundice.", "P59.9"),
    ("Adult with jaundice and dark urine.", "R17"),                        # not a newborn
    ("Postpartum visit, 3 weeks after delivery; baby's newborn check went well. Jaundice.", "R17"),  # the mother
])
def test_a_newborns_conditions_take_perinatal_codes(detect_kb, text: str, code: str) -> None:
    assert _top(detect_kb, text)["jaundice"][0] == code


def test_a_newborns_note_codes_the_mothers_conditions_and_the_weeks_and_grams(detect_kb) -> None:
    text = ("NICU ADMISSION NOTE\nMale infant born at 35w2d to a 34 yo G4P2 mother with gestational hypertension. "
            "BW 2,280 g. Jaundice.")
    ents = {e.text: e for e in detect(text, detect_kb) if e.concepts}
    htn = ents["gestational hypertension"]
    # the mother's condition is the newborn's P00.0, not her O13 and not a relative's condition
    assert htn.concepts[0].code == "P00.0" and htn.asserted and "mother" in htn.concepts[0].evidence
    assert ents["35w2d"].concepts[0].code == "P07.38"       # 35 completed weeks
    assert ents["BW 2,280 g"].concepts[0].code == "P07.18"  # 2000-2499 grams
    assert ents["Jaundice"].concepts[0].code == "P59.9"     # the opening made the note a newborn's
    assert not any(c.code.startswith("O") and e.asserted for e in ents.values() for c in e.concepts[:1])


def test_a_stated_prematurity_takes_the_band_of_the_weeks(detect_kb) -> None:
    ents = {e.text: e for e in detect("NICU day 3. Prematurity, born at 26 completed weeks. ELBW 840 g.", detect_kb)
            if e.concepts}
    codes = {e.concepts[0].code for e in ents.values()}
    assert {"P07.25", "P07.03"} <= codes and "P07.30" not in codes


@pytest.mark.parametrize(("text", "newborn"), [
    ("NEWBORN NURSERY - DOL 2\nBaby boy born at 39w1d to a 31 yo G3P3 mother.", True),
    ("NICU ADMISSION NOTE\nThis is a 2,280 g male infant born to a 34 year old mother.", True),
    ("Newborn discharge summary. Mother 33 yo, postpartum course uneventful.", True),   # the newborn first
    ("4 MONTH WELL CHILD CHECK\n4 mo old ex-35-weeker (NICU x5 d for TTN).", False),   # an older child
    ("NICU FOLLOW-UP CLINIC\nPt: 7 mo old, ex-30 wk preemie, BW 1320 g.", False),
    ("Postpartum day 2, G2P2 s/p SVD of a baby boy now in the nursery.", False),      # the mother
    ("PRENATAL VISIT\n37 yo G4P2103 GA: 22w4d.", False),
    ("ANTENATAL TESTING UNIT - NST / BPP\nIndication: GDM A2. GA 34w4d. 37 yo G2P1001.", False),  # fetal testing
    ("Adult with jaundice; works as a NICU nurse.", False),
])
def test_the_opening_says_whether_the_patient_is_a_newborn(text: str, newborn: bool) -> None:
    from medcode.detect.newborn import default_newborn, opens_as_newborn

    assert (opens_as_newborn(text, default_newborn()) is not None) is newborn


def test_the_mothers_conditions_in_a_newborns_note(detect_kb) -> None:
    top = _top(detect_kb, "Newborn nursery note, DOL 1. Mom smokes 1 ppd.")
    assert next(v for k, v in top.items() if "smok" in k)[0] == "P04.2"


def test_the_mother_who_brings_the_baby_in_gives_it_no_condition(detect_kb) -> None:
    top = _top(detect_kb, "Newborn ED visit, DOL 10. Brought in by mom for fever at home.")
    assert top["fever"][0] != "P00.89"  # the baby's fever, not the mother's
    top = _top(detect_kb, "NICU admission note, DOL 0. Maternal fever in labor.")
    assert next(v for k, v in top.items() if "fever" in k)[0] == "P00.89"


def test_a_bad_maternal_cue_is_a_clear_error() -> None:
    from medcode.detect.newborn import load_newborn

    with pytest.raises(ConfigError, match="maternal_cue"):
        load_newborn("[context]\npatterns = ['DOL']\n[maternal_cue]\npattern = '(mother'\n")


def test_packs_elsewhere_in_the_note_say_the_product_is_cigarettes(detect_kb) -> None:
    top = _top(detect_kb, "Nicotine dependence. Social: 40 pack-years.")
    code, evidence = top["nicotine dependence"]
    assert code == "F17.210" and "cigarettes" in evidence
    assert _top(detect_kb, "Nicotine dependence.")["nicotine dependence"][0] == "F17.200"


def _injury(code: str, evidence: str):
    from medcode.detect.model import Concept, Entity, Trait

    return Entity(0, 9, "fx", 1.0, (Trait("DIAGNOSIS", 0.8, "code"),), (Concept(code, "a title", 1.0, evidence),))


@pytest.mark.parametrize(("text", "evidence", "expected"), [
    ("FRACTURE CLINIC - RETURN VISIT\nL tibia fx.", "index term; not stated: episode (assumed initial encounter)",
     "S82.002D"),
    ("UC F/U VISIT\nL tibia fx.", "index term; not stated: laterality, episode (assumed initial encounter)", "S82.002D"),
    # the episode was written out: it stays
    ("FRACTURE CLINIC - RETURN VISIT\nL tibia fx, initial encounter.", "index term; episode: initial", "S82.002A"),
    # a follow-up mentioned further down is no follow-up visit
    ("ED NOTE\nL tibia fx. Follow-up with ortho.", "index term; not stated: episode (assumed initial encounter)",
     "S82.002A"),
])
def test_follow_up_visit_makes_injuries_subsequent(text: str, evidence: str, expected: str) -> None:
    from medcode.detect.combine import follow_up

    titles = {"S82.002A": ("initial", True), "S82.002D": ("subsequent", True)}
    [e] = follow_up([_injury("S82.002A", evidence)], text, titles)
    assert e.concepts[0].code == expected
    if expected.endswith("D"):
        assert "follow-up visit" in e.concepts[0].evidence and "assumed initial" not in e.concepts[0].evidence
        assert e.concepts[1].code == "S82.002A"


@pytest.mark.parametrize(("text", "code"), [
    ("Type 2 diabetes, poorly controlled (A1c 9.8).", "E11.65"),
    ("Uncontrolled type 2 diabetes.", "E11.65"),
    ("Type 2 diabetes, well controlled.", "E11.9"),
    ("Hypertension, uncontrolled. Type 2 diabetes.", "E11.9"),
])
def test_poorly_controlled_diabetes_is_coded_with_hyperglycemia(detect_kb, text: str, code: str) -> None:
    ent = next(e for e in detect(text, detect_kb) if "diabetes" in e.text.lower())
    assert ent.concepts[0].code == code
    if code == "E11.65":
        assert "poorly controlled" in ent.concepts[0].evidence


def _entity(text: str, *codes: str, begin: int = 0) -> Entity:
    return Entity(begin, begin + len(text), text, 1.0, (Trait("DIAGNOSIS", 0.8, "code"),),
                  tuple(Concept(c, f"title of {c}", 1.0 - k / 10, "index term") for k, c in enumerate(codes)))


_TITLES = {c: (f"title of {c}", True, None) for c in ("F02.C0", "F02.80", "F03.C0", "F03.90", "G30.9", "G20.A1",
                                                   "E21.1", "N25.81", "N18.4", "I12.0", "I12.9", "N18.31",
                                                   "N18.6", "E11.22", "E11.9", "I10")}


def test_dementia_with_its_cause_is_coded_cause_first() -> None:
    from medcode.detect.combine import dementia_cause

    (ent,) = dementia_cause([_entity("Alzheimer's dementia, severe", "F03.C0", "G30.9")], _TITLES)
    assert [(c.code, c.additional) for c in ent.concepts][:2] == [("G30.9", False), ("F02.C0", True)]
    assert "F02" in ent.concepts[0].evidence
    ents = dementia_cause([_entity("Parkinson disease", "G20.A1"), _entity("Dementia", "F03.90")], _TITLES)
    assert ents[1].concepts[0].code == "F02.80"  # the cause named elsewhere in the note
    assert dementia_cause([_entity("Dementia", "F03.90")], _TITLES)[0].concepts[0].code == "F03.90"


def test_secondary_hyperparathyroidism_with_ckd_is_renal() -> None:
    from medcode.detect.combine import combine, default_rules

    ents = combine([_entity("CKD 4", "N18.4"), _entity("Secondary hyperparathyroidism", "E21.1")],
                   default_rules(), _TITLES)
    assert ents[1].concepts[0].code == "N25.81"
    alone = combine([_entity("Secondary hyperparathyroidism", "E21.1")], default_rules(), _TITLES)
    assert alone[0].concepts[0].code == "E21.1"


def test_a_condition_named_as_its_test_is_not_a_finding(detect_kb) -> None:
    for text in ("Pneumonia/HCV screening ordered.", "Pneumonia test pending.", "Pneumonia status unknown."):
        assert not [e for e in detect(text, detect_kb) if e.text.lower() == "pneumonia"], text
    kept = [e for e in detect("Pneumonia test positive.", detect_kb) if e.text.lower() == "pneumonia"]
    assert kept and kept[0].concepts[0].code == "J18.9"


def test_numbers_between_a_terms_words_do_not_split_it(detect_kb) -> None:
    found = [e for e in detect("R patella 2 3 fx.", detect_kb) if e.concepts]
    assert found and found[0].concepts[0].code.startswith("S82.00")


def test_influenza_with_pneumonia_is_one_combination_code(detect_kb) -> None:
    top = _top(detect_kb, "Influenza. CXR: RLL pneumonia.")
    assert top["influenza"][0] == "J11.00" and "I.A.15" in top["influenza"][1]
    assert _top(detect_kb, "Influenza. CXR: no pneumonia.")["influenza"][0] == "J11.1"  # a denied one is not


def test_the_stated_gestational_age_outranks_a_trimester_named_in_passing() -> None:
    from medcode.detect.combine import trimester

    assert trimester("27 yo G1P0 at 22w5d. A1c 6.4 in the first trimester, now 5.9.") == "second"
    assert trimester("Pregnant, 2nd trimester. Anatomy scan at 20 wks was normal.") == "second"


@pytest.mark.parametrize(("text", "code"), [
    ("Newborn nursery admission, DOL 0. Term male, single liveborn, vaginal delivery.", "Z38.00"),
    ("Newborn nursery admission, DOL 0. Single liveborn female born by repeat C-section.", "Z38.01"),
    ("Delivery note: delivered a live-born female over an intact perineum.", "Z37.0"),  # the mother's record
    ("Delivery note, G2P1 at 39w2d: spontaneous vaginal delivery of a live male infant, Apgars 8/9.", "Z37.0"),
    ("C-section op note, IUP at 38w3d: viable female delivered from a transverse lie.", "Z37.0"),
])
def test_a_liveborn_is_the_newborns_birth_and_the_mothers_outcome(detect_kb, text: str, code: str) -> None:
    assert next(v for k, v in _top(detect_kb, text).items() if "live" in k or "viable" in k)[0] == code


def test_a_newborns_note_drops_what_is_never_the_newborns(detect_kb) -> None:
    ents = [e for e in detect("NICU admission note, DOL 0. Born at 39w4d, weight 3.4 kg. WBC 17.8. Na 128.",
                              detect_kb) if e.concepts]
    codes = {e.concepts[0].code for e in ents}
    # weeks of gestation are the mother's record; a newborn's white count of 17,800 is normal
    assert not any(c.startswith(("Z3A", "D72")) for c in codes)
    assert "P74.22" in codes  # the newborn's own hyponatremia


def test_a_bad_liveborn_table_is_a_clear_error() -> None:
    from medcode.detect.newborn import load_newborn

    with pytest.raises(ConfigError, match="liveborn"):
        load_newborn("[context]\npatterns = ['DOL']\n[[liveborn]]\ncodes = ['Z37.0']\nvaginal = 'Z38.00'\n")


def test_a_newborn_small_for_gestational_age_takes_the_band_of_its_weight(detect_kb) -> None:
    ents = [e for e in detect("Newborn nursery admission, DOL 0. Newborn small for gestational age. BW 2,310 g.",
                              detect_kb) if e.concepts]
    codes = {e.concepts[0].code for e in ents}
    # P07's Excludes1: low birth weight from slow fetal growth is P05.-, not P07.18
    assert "P05.18" in codes and "P07.18" not in codes


@pytest.mark.parametrize(("text", "code"), [
    ("Prenatal visit, G2P1 at 36w2d. GBS positive.", "O99.820"),
    ("Postpartum day 1 after SVD. GBS positive, adequately treated.", "O99.824"),
    ("Newborn nursery admission, DOL 0. Maternal hx: GBS positive, treated.", "P00.82"),
    ("Urine culture: GBS positive.", "Z22.330"),
])
def test_a_group_b_streptococcus_carrier(detect_kb, text: str, code: str) -> None:
    assert next(v for k, v in _top(detect_kb, text).items() if "gbs" in k)[0] == code


def test_varices_in_a_cirrhotic_patient_are_secondary(detect_kb) -> None:
    # guideline I.A.15 reads the index's "in (due to) cirrhosis of liver" as "with"
    top = _top(detect_kb, "Alcoholic cirrhosis of liver without ascites. Esophageal varices without bleeding.")
    assert top["esophageal varices without bleeding"][0] == "I85.10"
    assert _top(detect_kb, "Esophageal varices without bleeding.")["esophageal varices without bleeding"][0] == "I85.00"


@pytest.mark.parametrize(("text", "coded"), [
    ("Hx: s/p TAH/BSO 2015 for fibroids.", True),
    ("PSH: TAH/BSO for fibroids (2010).", True),
    ("Recommended TLH/BSO with gyn onc.", False),        # a plan
    ("Procedure 5/2: robotic TLH/BSO, SLN mapping.", False),  # today's operation
])
def test_an_oophorectomy_is_a_status_only_once_done(detect_kb, text: str, coded: bool) -> None:
    codes = {e.concepts[0].code for e in detect(text, detect_kb) if e.concepts and e.asserted}
    assert ("Z90.722" in codes) is coded


def test_advanced_maternal_age_in_a_pregnancy_under_way(detect_kb) -> None:
    # an age of 35 or more before the gravidity and parity: an elderly multigravida, in her trimester
    codes = {e.concepts[0].code for e in detect("36 yo G3P1011 at 24w2d, routine prenatal visit.", detect_kb) if e.concepts}
    assert "O09.522" in codes
    # not in a note with no pregnancy under way, nor when "AMA" is a patient leaving against advice
    assert not any(c.startswith("O09") for e in detect("40 yo G3P2 here for an IUD check. AMA.", detect_kb)
                   for c in (x.code for x in e.concepts))
    assert not any(c.startswith("O09") for e in detect("G2P1 at 30 weeks. Pt left AMA last year.", detect_kb)
                   for c in (x.code for x in e.concepts))



def test_a_newborns_code_is_never_the_mothers(detect_kb) -> None:
    # "small for gestational age" in a pregnant patient's note is her fetus's, not a code of hers
    codes = {e.concepts[0].code for e in detect("G2P1 at 36 weeks. Newborn small for gestational age.", detect_kb)
             if e.concepts}
    assert not any(c.startswith("P") for c in codes)


def test_a_valves_regurgitation_is_no_vomiting(detect_kb) -> None:
    def codes(text: str) -> list[str]:
        return [e.concepts[0].code for e in detect(text, detect_kb) if e.concepts]

    assert "R11.10" not in codes("TTE: moderate paravalvular regurgitation.")
    assert codes("Infant with regurgitation after feeds.") == ["R11.10"]
    # ... and "reflux" on a venous duplex is a vein's
    assert "K21.9" not in codes("Duplex: R GSV reflux >0.5 s.")
    assert codes("Reflux at night.") == ["K21.9"]


@pytest.mark.parametrize(("text", "codes", "stage"), [
    ("ESRD due to HTN", ("I12.0", "I12.9", "N18.6"), "N18.6"),
    ("DM2 w/ CKD 3a", ("E11.22", "N18.2", "N18.31"), "N18.31"),   # the stage written, not the one ranked
    ("Hypertensive CKD stage IV", ("I12.9",), "N18.4"),             # a Roman numeral, not among the concepts
])
def test_a_staged_kidney_mention_takes_its_stage_as_an_additional_code(text: str, codes: tuple, stage: str) -> None:
    (e,) = ckd_stage([_entity(text, *codes)], text, _TITLES)
    assert e.concepts[0].code == codes[0]
    assert (e.concepts[1].code, e.concepts[1].additional) == (stage, True)
    assert "use additional code" in e.concepts[1].evidence


@pytest.mark.parametrize("text", ["hypertensive ckd", "HTN stage 2"])  # no stage, or the hypertension's
def test_no_stage_is_added_when_no_kidney_stage_is_named(text: str) -> None:
    (e,) = ckd_stage([_entity(text, "I12.9", "N18.9")], text, _TITLES)
    assert not any(c.additional for c in e.concepts)


def test_an_additional_stage_code_is_a_companion_for_the_combination_rules() -> None:
    text = "ESRD due to HTN. DM2."
    staged = ckd_stage([_entity("ESRD due to HTN", "I12.0", "N18.6"), _entity("DM2", "E11.9", begin=17)], text, _TITLES)
    out = combine(staged, default_rules(), _TITLES)
    assert out[1].concepts[0].code == "E11.22" and "N18.6" in out[1].concepts[0].evidence
