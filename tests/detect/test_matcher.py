"""Mention finding: word order, inflection, abbreviations, misspellings, discontinuous mentions."""

from __future__ import annotations

import pytest

from medcode.detect import detect


@pytest.mark.parametrize(
    ("text", "mention", "code"),
    [
        ("Chest pain since this morning.", "Chest pain", "R07.9"),
        ("pain in the chest", "pain in the chest", "R07.9"),               # word order
        ("She has had a headache for two days.", "headache", "R51.9"),
        ("Knee pains, worse on stairs.", "Knee pains", "M25.569"),         # inflection (plural)
        ("Pt with HTN.", "HTN", "I10"),                                    # abbreviation
        ("High blood pressure, on lisinopril.", "High blood pressure", "I10"),
        ("Persistent coughing.", "coughing", "R05.9"),                     # inflection (-ing)
        ("Community acquired pneumonai.", "pneumonai", "J18.9"),           # misspelling
        ("Reflex sympathetic dystrophy of the left leg.", "Reflex sympathetic dystrophy", "G90.522"),
        ("CRPS of the right leg", "CRPS of the right leg", "G90.521"),     # abbreviation + synonym + side
        ("Pyrexia to 38.9 overnight.", "Pyrexia", "R50.9"),                # inclusion term
        ("Chronic lymphocytic leukemia, Rai stage 1.", "Chronic lymphocytic leukemia", "C91.10"),  # B-cell
        ("CLL, not in remission.", "CLL, not in remission", "C91.10"),
        ("CLL in remission.", "CLL in remission", "C91.11"),
    ],
)
def test_finds_mention_and_code(detect_kb, text: str, mention: str, code: str) -> None:
    entities = detect(text, detect_kb)
    found = {e.text: e.concepts[0].code for e in entities}
    assert found.get(mention) == code, found


def test_discontinuous_mention_spans_both_sides(detect_kb) -> None:
    [e] = detect("Pain in the right and left knee.", detect_kb)
    assert e.text == "Pain in the right and left knee"
    assert {c.code for c in e.concepts[:2]} == {"M25.561", "M25.562"}


def test_combination_from_index_with(detect_kb) -> None:
    [e] = detect("Type 2 diabetic with hyperglycemia.", detect_kb)
    assert e.concepts[0].code == "E11.65"
    assert "index term" in e.concepts[0].evidence


def test_no_mention_in_plain_text(detect_kb) -> None:
    assert detect("The patient walked to the office and signed the form.", detect_kb) == []


def test_offsets_point_into_the_text(detect_kb) -> None:
    text = "Assessment:\n  Essential hypertension, stable."
    [e] = detect(text, detect_kb)
    assert text[e.begin:e.end] == e.text == "Essential hypertension"


def test_without_is_part_of_the_title_not_a_negation(detect_kb) -> None:
    [e] = detect("Type 2 diabetes mellitus without complications.", detect_kb)
    assert e.concepts[0].code == "E11.9"
    assert not e.has("NEGATION")


def test_misspelling_lowers_mention_score(detect_kb) -> None:
    [good] = detect("Pneumonia.", detect_kb)
    [typo] = detect("Pneumonai.", detect_kb)
    assert typo.score < good.score


def test_index_lists_with_or_become_one_reading_per_item() -> None:
    from medcode.detect.matcher import _variants

    got = _variants("Displacement, intervertebral disc, lumbar region, with neuritis, radiculitis, radiculopathy or sciatica")
    assert [v.rsplit(", ", 1)[1] for v in got] == ["with neuritis", "with radiculitis", "with radiculopathy", "with sciatica"]
    # a two-item "or" is read as written: "drug or chemical" split apart matched too loosely
    assert _variants("Diabetes, due to drug or chemical, with, foot ulcer") == ["Diabetes, due to drug or chemical, with, foot ulcer"]


def test_spinal_level_pairs_name_the_region() -> None:
    from medcode.detect.tokens import tokenize

    words = {t.raw: t.words for t in tokenize("Stenosis C5-C6 and disc bulge L5-S1. S1 S2 normal.")}
    assert {"cervical", "spinal"} <= words["C5"]
    assert "lumbosacral" in words["L5"]
    assert "sacral" not in words["S2"]  # heart sounds are not a level pair


def test_without_ends_at_of_in_titles() -> None:
    from medcode.detect.matcher import marked_words

    # the foreign body is absent; the right hand is not
    assert marked_words("Laceration without foreign body of right hand") == [
        "laceration", "no:foreign", "no:body", "right", "hand"]
    assert marked_words("Nausea without vomiting") == ["nausea", "no:vomiting"]


def test_a_detail_after_without_is_not_a_list_item() -> None:
    from medcode.detect.detector import _split_lists
    from medcode.detect.matcher import Match, Term
    from medcode.detect.tokens import tokenize

    text = "MDD, recurrent, severe without psychotic features"
    tokens = tokenize(text)
    whole = Match(Term("F33.2", "title", "MDD recurrent severe without psychotic features",
                       frozenset({"mdd"})), frozenset({0, 1, 2, 4}), 0, 5)
    mdd = Match(Term("F32.A", "title", "MDD", frozenset({"mdd"})), frozenset({0}), 0, 0)
    psychotic = Match(Term("F23", "index", "psychotic", frozenset({"psychotic"})), frozenset({4}), 4, 4)
    kept = _split_lists([whole, mdd, psychotic], tokens, text)
    assert whole in kept  # "psychotic" names what is absent, so the commas do not cut a list
    listed = "Headache, psychotic features"
    tokens = tokenize(listed)
    joined = Match(Term("X", "index", "x", frozenset()), frozenset({0, 1}), 0, 2)
    parts = [Match(Term("R51.9", "title", "headache", frozenset()), frozenset({0}), 0, 0),
             Match(Term("F23", "index", "psychotic", frozenset()), frozenset({1}), 1, 1)]
    assert joined not in _split_lists([joined, *parts], tokens, listed)


def test_sbp_with_a_pressure_value_is_a_blood_pressure(detect_kb) -> None:
    found = detect("Orthostatics: SBP 134 -> 102 standing. If SBP < 90 call.", detect_kb)
    assert not [e for e in found if "SBP" in e.text or e.concepts[0].code.startswith("K65")]
    (ent,) = detect("Cirrhosis with SBP 2022, treated.", detect_kb)
    assert ent.text == "SBP" and ent.concepts[0].code == "K65.2"


def test_a_term_does_not_reach_past_without(detect_kb) -> None:
    # "knee w/o pain" is no knee pain: the term's words may not straddle "without" unless its title
    # names the absence itself ("Nausea without vomiting")
    found = {e.text: ({t.name for t in e.traits}, e.concepts[0].code) for e in detect("R knee w/o pain.", detect_kb)}
    assert "R knee w/o pain" not in found and "NEGATION" in found["pain"][0]


def test_a_genus_initial_does_not_end_the_sentence() -> None:
    from medcode.detect.tokens import tokenize

    tokens = tokenize("Recurrent C. difficile colitis. E. coli in urine. Vitamin D. Denies pain.")
    sentence = {t.raw: t.sentence for t in tokens}
    assert sentence["Recurrent"] == sentence["colitis"]          # "C. difficile" is one species
    assert sentence["E"] == sentence["urine"]
    assert sentence["Vitamin"] != sentence["Denies"]            # an ordinary full stop still ends one


def test_a_list_number_is_no_word_of_a_term() -> None:
    from medcode.detect.tokens import tokenize

    tokens = tokenize("#1 Obesity, class 2. Problem #3: HTN")
    assert [t.raw for t in tokens] == ["Obesity", "class", "2", "Problem", "HTN"]
    assert tokens[0].sentence != tokens[-2].sentence  # "#3" starts an item of its own


def test_adhd_presentation_after_a_comma_is_read_as_its_type() -> None:
    from medcode.detect.tokens import tokenize

    for text in ("ADHD, inattentive type", "ADHD-inattentive", "ADHD, predominantly inattentive"):
        words = set().union(*(t.words for t in tokenize(text)))
        assert {"predominantly", "inattentive", "type", "hyperactivity"} <= words, text


def _learned(kb, tmp_path, rows: list[tuple]):
    from medcode.detect import Detector
    from medcode.detect._data import write_tsv

    table = tmp_path / "p.tsv"
    table.write_text(write_tsv(("words", "code", "phrase", "right", "wrong", "when"), rows), encoding="utf-8")
    return Detector(kb, learned=table, agreement=False)


def test_a_learned_phrase_of_qualifiers_only_is_the_detail_of_the_next_finding(detect_kb, tmp_path) -> None:
    # "mild persistent", learned from "Asthma, mild persistent", stands for that asthma only after it
    det = _learned(detect_kb, tmp_path, [("mild persistent", "R05.9", "mild persistent", 9, 0, "any")])
    found = {e.text: e.concepts[0].code for e in det.detect("Improving, persistent mild headache.")}
    assert "R05.9" not in found.values() and "R51.9" in found.values(), found
    found = {e.text: e.concepts[0].code for e in det.detect("Cough, mild persistent.")}
    assert "R05.9" in found.values(), found


def test_a_learned_phrase_does_not_reach_over_another_finding_joined_by_and(detect_kb, tmp_path) -> None:
    det = _learned(detect_kb, tmp_path, [("breath mild shortness", "R06.02", "Mild shortness of breath", 9, 0, "any")])
    found = {e.text: e.concepts[0].code for e in det.detect("Mild cough and shortness of breath x2 days.")}
    assert found.get("cough") == "R05.9" and found.get("shortness of breath") == "R06.02", found
    found = {e.text: e.concepts[0].code for e in det.detect("Mild shortness of breath on stairs.")}
    assert "R06.02" in found.values(), found


def test_a_word_that_stands_for_a_phrase_is_not_expanded_where_the_note_spells_the_phrase_out() -> None:
    from medcode.detect.tokens import tokenize

    # abbreviations.tsv: "orthostatic" alone stands for orthostatic hypotension ("positive orthostatic")
    alone = tokenize("Positive orthostatic today.")[1]
    assert "hypotension" in alone.words
    # followed by "hypotension" it is one word of the phrase: one mention, not "orthostatic" + "hypotension"
    spelled = tokenize("Orthostatic hypotension.")[0]
    assert "hypotension" not in spelled.words


def test_broken_glass_is_no_fracture() -> None:
    from medcode.detect.tokens import tokenize

    # "Cut L hand on broken glass" once read as a fracture of the hand ("broken" = fracture, "hand" before it)
    assert not any("fracture" in t.words for t in tokenize("Cut L hand on broken glass."))
    assert "fracture" in tokenize("Broken nose.")[0].words


def test_a_number_of_another_phrase_is_not_the_type_a_diabetes_states(detect_kb) -> None:
    codes = [e.concepts[0].code for e in detect("Glucose up on day 1 (DM2, metformin held).", detect_kb) if e.concepts]
    assert "E10.9" not in codes and any(c.startswith("E11") for c in codes), codes


def test_due_to_is_a_cause_not_a_secondary_diabetes(detect_kb) -> None:
    codes = [e.concepts[0].code for e in detect("ESRD due to type 2 diabetes.", detect_kb)]
    assert "E13.9" not in codes and "E11.9" in codes
    assert [e.concepts[0].code for e in detect("Secondary diabetes.", detect_kb)] == ["E13.9"]


@pytest.mark.parametrize("text", ["Steroid-induced DM on insulin.", "Diabetes due to long-term prednisone.",
                                  "Drug-induced diabetes mellitus."])
def test_diabetes_a_drug_caused_is_e09(detect_kb, text: str) -> None:
    codes = [e.concepts[0].code for e in detect(text, detect_kb) if e.concepts]
    assert "E09.9" in codes and "E11.9" not in codes, codes


def test_a_planned_procedure_is_no_status(detect_kb) -> None:
    assert detect("Referred for CABG x3.", detect_kb) == []
    assert [e.concepts[0].code for e in detect("s/p CABG x3.", detect_kb)] == ["Z95.1"]


def test_weight_loss_as_a_treatment_is_no_symptom(detect_kb) -> None:
    for text in ("Obesity, BMI 36 - continue weight loss.", "Plan: discussed weight loss.",
                 "Weight loss would help her knees.", "Retest after further weight loss."):
        assert "R63.4" not in [c.code for e in detect(text, detect_kb) for c in e.concepts[:1]], text
    assert [e.concepts[0].code for e in detect("Weight loss over 3 months.", detect_kb)] == ["R63.4"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Syphilis 2018, treated with benzathine PCN.", "Z88.0"),     # the drug given, no allergy
        ("GBS positive - PCN G x3 doses.", "Z88.0"),
        ("Consider celiac plexus block.", "K90.0"),                   # the artery's plexus
        ("Celiac serologies to r/o celiac disease.", "K90.0"),
        ("CMV D+/R-, on valganciclovir.", "B25.9"),                   # a transplant's serostatus
        ("Check orthostatic vitals next visit.", "I95.1"),            # the measurement
        ("HIV PrEP offered - pt interested.", "B20"),                  # prophylaxis, no infection
        ("Start ART ~day 14, HIV partner notification done.", "B20"),
        ("Plan: baseline HIV, HCV Ab, LFTs.", "B20"),                  # a list of tests ordered
        ("MRI L-spine: conus normal.", "Q14.8"),                        # the spinal cord's end
        ("Plan L PCN replacement; PCN tract patent.", "Z88.0"),        # a nephrostomy
        ("HIV nPEP started; repeat HIV at 6 wks.", "B20"),            # prophylaxis and a test to come
    ],
)
def test_words_that_name_no_condition_here(detect_kb, text: str, code: str) -> None:
    assert code not in [c.code for e in detect(text, detect_kb) if not e.has("LOW_CONFIDENCE") for c in e.concepts[:1]]


@pytest.mark.parametrize(
    ("text", "code"),
    [("Allergies: PCN (hives).", "Z88.0"), ("Celiac disease.", "K90.0"),
     ("CMV viremia, CMV PCR 48,000 IU/mL.", "B25.9"), ("Orthostatic hypotension.", "I95.1")],
)
def test_the_same_words_naming_the_condition(detect_kb, text: str, code: str) -> None:
    assert code in [e.concepts[0].code for e in detect(text, detect_kb)]


def test_misspelling_is_corrected_after_no(detect_kb) -> None:
    for text in ("Has headahce.", "No headahce."):
        ents = detect(text, detect_kb)
        assert [e.concepts[0].code for e in ents] == ["R51.9"], text
    assert detect("No headahce.", detect_kb)[0].has("NEGATION")


def test_a_term_takes_its_words_from_the_anchor_list_item() -> None:
    # "CKD 3b, anemia of CKD": the nearest "chronic" (in "3b", part of "CKD 3b") lies across the comma;
    # the anchor's own list item holds another, and that is the mention
    from medcode.detect.matcher import Dictionary, Term
    from medcode.detect.tokens import tokenize

    term = Term("D63.1", "title", "Anemia in chronic kidney disease", frozenset({"anemia", "chronic"}))
    dictionary = Dictionary([term], {"D63.1": ("Anemia in chronic kidney disease", True, None)})
    tokens = tokenize("CKD 3b, anemia of CKD")
    dictionary.prepare(tokens)
    placed = {(m.first, m.last) for m in dictionary.match(tokens)}
    assert (2, 4) in placed and (1, 2) not in placed


@pytest.mark.parametrize(("text", "code"), [
    ("Mother had breast cancer.", "C50.919"),  # "cancer" alone also reads as both words of "Malignant neoplasm"
    ("Breast cancer, stable.", "C50.919"),
])
def test_a_site_and_cancer_read_together_beat_cancer_alone(detect_kb, text: str, code: str) -> None:
    ents = detect(text, detect_kb)
    assert [(e.text.lower(), e.concepts[0].code) for e in ents] == [("breast cancer", code)]


def test_findings_joined_by_or_are_read_one_by_one(detect_kb) -> None:
    # "no fever or chills" denies each finding; it does not name the index's "Fever, with chills"
    ents = detect("No fever or chills.", detect_kb)
    assert [(e.text, e.concepts[0].code, e.has("NEGATION")) for e in ents] == [
        ("fever", "R50.9", True), ("chills", "R68.83", True)]
    assert [e.concepts[0].code for e in detect("Fever with chills.", detect_kb)] == ["R50.9"]


def test_a_term_borrows_no_single_word_of_another_phrases_expansion(detect_kb) -> None:
    # "poor sleep" stands for "sleep disorder"; its "disorder" does not join "mood" into a mood disorder
    codes = [c.code for e in detect("She reports low mood and poor sleep.", detect_kb) for c in e.concepts]
    assert "F39" not in codes
    assert "G47.9" in codes


@pytest.mark.parametrize("text", ["Stress urinary incontinence - pelvic floor PT.", "She has stress urinary incontinence."])
def test_stress_urinary_incontinence_is_stress_incontinence(detect_kb, text: str) -> None:
    assert [e.concepts[0].code for e in detect(text, detect_kb)] == ["N39.3"]


def test_an_abbreviation_takes_its_eye_sense_in_an_eye_examination() -> None:
    from medcode.detect import tokens
    from medcode.detect.tokens import tokenize
    from medcode.errors import ConfigError

    eye = "VA 20/40 OD, 20/25 OS. IOP 14/15. DFE: acute PVD OD. Lens: 1+ PSC OU."
    words = {t.raw: t.words for t in tokenize(eye)}
    assert {"posterior", "vitreous", "detachment"} <= words["PVD"] and "vascular" not in words["PVD"]
    assert {"subcapsular", "cataract"} <= words["PSC"]
    # anywhere else, the general sense: peripheral vascular disease
    assert "vascular" in next(t.words for t in tokenize("PMH: PVD s/p fem-pop bypass.") if t.raw == "PVD")
    with pytest.raises(ConfigError, match="min_cues"):
        tokens._senses('[[sense]]\nname = "eye"\ncues = ["OD"]\nmin_cues = 2\nabbreviations = { pvd = "x" }\n')
    with pytest.raises(ConfigError, match="unknown keys"):
        tokens._senses('[[sense]]\nname = "eye"\ncues = ["OD"]\nabbreviation = { pvd = "x" }\n')


def test_without_mention_of_leaves_out_all_that_follows() -> None:
    from medcode.detect.matcher import marked_words

    assert marked_words("Parkinson's disease without dyskinesia, without mention of fluctuations") == [
        "parkinson", "disease", "no:dyskinesia", "no:mention", "no:fluctuation"]
    # "not having achieved remission" is the default reading of a leukemia, not a detail it needs
    assert marked_words("Acute lymphoblastic leukemia not having achieved remission") == [
        "acute", "lymphoblastic", "leukemia", "no:achieved", "no:remission"]


@pytest.mark.parametrize(
    ("title", "readings"),
    [
        ("Fracture of navicular [scaphoid] bone of wrist",
         ["Fracture of navicular bone of wrist", "Fracture of scaphoid bone of wrist"]),
        ("Human immunodeficiency virus [HIV] disease", ["Human immunodeficiency virus disease", "HIV disease"]),
        ("Rubella [German measles]", ["Rubella", "German measles"]),
        # an organism's short name after its full one adds nothing; "[any part]" names no condition
        ("Sepsis due to Escherichia coli [E. coli]", ["Sepsis due to Escherichia coli"]),
        ("Burn of unspecified degree of scalp [any part]", ["Burn of unspecified degree of scalp"]),
        ("Fracture of patella", ["Fracture of patella"]),
    ],
)
def test_a_bracketed_name_is_a_reading_of_its_own(title: str, readings: list[str]) -> None:
    from medcode.detect.matcher import _bracket_variants

    assert _bracket_variants(title) == readings


def test_an_injury_fracture_needs_neither_traumatic_nor_bone() -> None:
    from medcode.detect.matcher import _TRAUMATIC, fracture_words, term_words

    path = "Fracture, traumatic (abduction) (adduction) (separation), metatarsal bone, fifth (displaced)"
    assert _TRAUMATIC.sub("Fracture", path) == "Fracture, metatarsal bone, fifth (displaced)"
    assert fracture_words(term_words("Fracture of fifth metatarsal bone")) == {"fracture", "fifth", "metatarsal"}
    assert fracture_words(term_words("Fracture of bone")) == {"fracture", "bone"}  # "bone" is all it names


def test_plural_ribs_are_several() -> None:
    from medcode.detect.tokens import tokenize

    words = {t.raw: t.words for t in tokenize("fx L ribs 4-6; rib fractures; 6th rib fracture")}
    assert "multiple" in words["ribs"] and "multiple" in words["fractures"]
    assert "multiple" not in words["fracture"]


def test_fracture_eponyms_and_bone_names_take_the_code_sets_words() -> None:
    from medcode.detect.tokens import tokenize

    words = set().union(*(t.words for t in tokenize("Jones fx")))
    assert {"fifth", "metatarsal", "fracture"} <= words
    assert {"head", "radius"} <= set().union(*(t.words for t in tokenize("radial head fracture")))
    assert "wrist" in next(t.words for t in tokenize("scaphoid fracture") if t.raw == "scaphoid")
    assert {"intervertebral", "degeneration"} <= set().union(*(t.words for t in tokenize("lumbar DDD")))


def test_lay_aches_take_the_code_sets_words() -> None:
    from medcode.detect.tokens import tokenize

    assert {"back", "pain"} <= set().union(*(t.words for t in tokenize("back ache")))  # M54.9, not R52
    assert "otalgia" in set().union(*(t.words for t in tokenize("L ear ache x2 days")))


def test_pda_in_a_bypass_note_is_the_posterior_descending_artery() -> None:
    from medcode.detect.tokens import ACRONYM, tokenize

    cabg = next(t for t in tokenize("CABG x3 (LIMA-LAD, SVG-OM, SVG-PDA).") if t.raw == "PDA")
    assert {"posterior", "descending", "artery"} <= cabg.words and ACRONYM + "pda" not in cabg.words
    echo = next(t for t in tokenize("Infant with a small PDA on echo.") if t.raw == "PDA")
    assert ACRONYM + "pda" in echo.words  # the ductus arteriosus, read as everywhere else


def test_cp_in_a_cerebral_palsy_note_is_cerebral_palsy() -> None:
    from medcode.detect.tokens import tokenize

    cp = next(t for t in tokenize("Spastic quadriplegic CP, GMFCS V, on baclofen.") if t.raw == "CP")
    assert {"cerebral", "palsy"} <= cp.words
    chest = next(t for t in tokenize("Denies CP or SOB.") if t.raw == "CP")
    assert "palsy" not in chest.words  # chest pain, as everywhere else


def test_a_phrase_learned_from_a_newborn_gives_no_perinatal_code_to_an_adult(detect_kb, tmp_path) -> None:
    det = _learned(detect_kb, tmp_path, [("coating tongue white", "P05.10", "white coating on tongue", 9, 0, "any")])
    assert [e.concepts[0].code for e in det.detect("3 wk old F with white coating on tongue.")] == ["P05.10"]
    assert det.detect("68 yo F with white coating on tongue.") == []


def test_a_denial_between_a_mentions_words_splits_it(detect_kb) -> None:
    # "chest ... pain" around "denies" is no chest pain: the words are two readings, and the pain is denied
    entities = detect("Chest: denies pain.", detect_kb)
    assert not any(e.concepts[0].code == "R07.9" and not e.has("NEGATION") for e in entities)
    assert any(e.text == "Chest pain" for e in detect("Chest pain, no fever.", detect_kb))
