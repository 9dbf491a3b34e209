"""Child-code choice from the words around a mention; unspecified fallback explains what was missing."""

from __future__ import annotations

import pytest

from medcode.detect import detect


@pytest.mark.parametrize(
    ("text", "code", "evidence"),
    [
        ("Right knee pain.", "M25.561", "laterality: right"),
        ("Knee pain, left.", "M25.562", "laterality: left"),
        ("Knee pain.", "M25.569", "not stated: laterality"),
        ("CRPS of both legs.", "G90.523", "laterality: bilateral"),
        ("CKD stage 3a.", "N18.31", ""),
        ("Chronic kidney disease stage 3.", "N18.30", ""),
        ("Fracture of the left patella.", "S82.002A", "episode (assumed initial encounter)"),
        ("Left patella fracture, follow-up visit, healing well.", "S82.002D", "episode: subsequent"),
        ("Left patella fracture with delayed healing.", "S82.002G", "delayed"),  # "with" opens no new condition here
        ("Fracture of patella, sequela.", "S82.009S", "episode: sequela"),
        # "distal tibia" is the code set's "lower end of tibia"
        ("Left distal tibia fracture.", "S82.302A", "laterality: left"),
        # "diastolic HF" is diastolic heart failure; a bare "HF" is left alone ("HF SNHL": high-frequency)
        ("Chronic diastolic HF, stable.", "I50.32", ""),
        # the organ of a side-specific code is implied ("Tinnitus, bilateral" names no ear)
        ("Tinnitus in both ears.", "H93.13", "laterality: bilateral"),
        ("L ear tinnitus.", "H93.12", "laterality: left"),
        ("Tinnitus.", "H93.19", "not stated: laterality"),
        ("Tinnitus, both ears bilaterally.", "H93.13", "laterality: bilateral"),
        # a paired site in the plural names both sides where a bilateral code exists ...
        ("Tinnitus in the ears.", "H93.13", "laterality: bilateral"),
        # ... and leaves the side unstated where none does
        ("Pain in knees.", "M25.569", "not stated: laterality"),
        # a problem list's clause after the comma still describes the mention...
        ("Knee pain, right side, worse on stairs.", "M25.561", "laterality: right"),
        # a narrower body site than the titles use counts for the broader one, below an exact word
        ("Pain in the right great toe.", "M79.674", "laterality: right"),
    ],
)
def test_child_code_from_context(detect_kb, text: str, code: str, evidence: str) -> None:
    [e] = detect(text, detect_kb)
    top = e.concepts[0]
    assert top.code == code, [c.code for c in e.concepts]
    assert evidence in top.evidence


def test_header_codes_never_emitted(detect_kb) -> None:
    headers = {"M25.56", "G90.52", "S82.00", "N18.3", "E11.6", "S82.001"}
    for text in ("Knee pain", "CRPS lower limb", "fracture of patella", "CKD stage 3", "Type 2 diabetes"):
        for e in detect(text, detect_kb):
            assert not {c.code for c in e.concepts} & headers


def test_at_most_five_concepts_best_first(detect_kb) -> None:
    for e in detect("Pain in the right knee with CRPS and chest pain", detect_kb):
        scores = [c.score for c in e.concepts]
        assert len(scores) <= 5 and scores == sorted(scores, reverse=True)


def test_a_site_before_a_blank_line_is_not_recalled(detect_kb) -> None:
    codes = [e.concepts[0].code for e in detect("Twisted the L knee.\n\nPain 6/10.", detect_kb) if e.concepts]
    assert "M25.562" not in codes


def test_clause_naming_another_condition_keeps_its_side(detect_kb) -> None:
    knee = next(e for e in detect("Knee pain, history of left patella fracture.", detect_kb) if "knee" in e.text.lower())
    assert knee.concepts[0].code == "M25.569"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Exam: R knee - small effusion, no warmth.", "M25.461"),  # a sided body-site label starts the line
        ("L knee: effusion.", "M25.462"),
        ("#2 L knee: moderate effusion.", "M25.462"),
        ("Effusion noted.", "M25.48"),                               # no site: the "other site" code stays
        ("R knee: pain 2/10 with stairs.", "M25.561"),                 # a bare "pain" takes the label's site
        ("Twisted the L knee on stairs.\nPain 6/10, worse on stairs.", "M25.562"),  # ... or the site just before
        ("Hit to the left knee 4 days ago. Medial knee pain.", "M25.562"),   # the side said with the same site
    ],
)
def test_site_label_and_other_site_codes(detect_kb, text: str, code: str) -> None:
    codes = [e.concepts[0].code for e in detect(text, detect_kb) if e.concepts]
    assert code in codes, codes


def test_both_sides_take_the_categorys_bilateral_code(detect_kb) -> None:
    # the index sends "osteoarthritis, knee" to M17.1- (unilateral); both knees are M17.0
    (ent,) = detect("Osteoarthritis of both knees.", detect_kb)
    assert [c.code for c in ent.concepts][:1] == ["M17.0"] and not any(c.additional for c in ent.concepts)
    (ent,) = detect("Osteoarthritis of the right knee.", detect_kb)
    assert ent.concepts[0].code == "M17.11"
    (ent,) = detect("Osteoarthritis of knees.", detect_kb)
    assert ent.concepts[0].code == "M17.0"


def test_both_sides_with_no_bilateral_code_code_each_side_with_its_own_evidence(detect_kb) -> None:
    (ent,) = detect("Pain in both knees.", detect_kb)
    first, pair = ent.concepts[:2]
    assert {first.code, pair.code} == {"M25.561", "M25.562"} and pair.additional
    side = {"M25.561": "right", "M25.562": "left"}
    assert f"laterality: {side[first.code]}" in first.evidence and f"laterality: {side[pair.code]}" in pair.evidence


def test_an_unspecified_quadrant_is_no_detail_the_text_must_state(detect_kb) -> None:
    (ent,) = detect("Lump in the left breast.", detect_kb)
    assert ent.concepts[0].code == "N63.20"
    (ent,) = detect("Lump in the left breast, upper outer quadrant.", detect_kb)
    assert ent.concepts[0].code == "N63.21"


def test_a_learned_fracture_code_keeps_routine_healing_but_not_a_complication_of_healing() -> None:
    from types import SimpleNamespace

    from medcode.detect.specificity import learned_hint

    title = "Displaced fracture of shaft of left clavicle, subsequent encounter for fracture with delayed healing"
    hint = learned_hint(SimpleNamespace(codes={"S42.022G": (title, True, "S42.022")}), "S42.022G")
    assert "delayed" not in hint and {"healing", "displaced"} <= hint
    assert "left" not in hint and "subsequent" not in hint  # side and encounter come from the note, as before


@pytest.mark.parametrize(("text", "code"), [("L4-5: moderate spinal stenosis.", "M48.061"),
                                            ("Spinal stenosis at C5-6.", "M48.02"),
                                            ("Spinal stenosis.", "M48.00")])
def test_a_spinal_level_names_the_region(detect_kb, text: str, code: str) -> None:
    assert [e.concepts[0].code for e in detect(text, detect_kb)] == [code]


def test_a_spine_lines_level_label_names_the_region(detect_kb) -> None:
    text = "FINDINGS:\nL4-5: broad-based bulge, mild facet hypertrophy and ligamentum flavum thickening, with moderate spinal stenosis."
    assert [e.concepts[0].code for e in detect(text, detect_kb)] == ["M48.061"]


@pytest.mark.parametrize(("text", "code"), [("Crampy RLQ pain since noon.", "R10.31"),
                                            ("Crampy lower abdominal pain.", "R10.30")])
def test_a_quadrant_with_its_side_varies_unspecified_lower_abdominal_pain(detect_kb, text: str, code: str) -> None:
    assert detect(text, detect_kb)[0].concepts[0].code == code


def test_a_number_alone_in_the_next_list_item_is_not_the_stage(detect_kb) -> None:
    codes = [e.concepts[0].code for e in detect("PMH: HFpEF, CKD stage 3b, type 2 DM on metformin.", detect_kb)]
    assert "N18.32" in codes and "N18.2" not in codes


def test_a_word_stated_in_a_longer_form_counts_for_the_longer(detect_kb) -> None:
    from types import SimpleNamespace

    from medcode.detect.specificity import _choose

    codes = {"E11.40": ("Type 2 diabetes mellitus with diabetic neuropathy, unspecified", True, "E11.4"),
             "E11.42": ("Type 2 diabetes mellitus with diabetic polyneuropathy", True, "E11.4")}
    cands = [("E11.40", frozenset({"diabetic", "neuropathy", "unspecified"}),
              frozenset({"type", "2", "diabetes", "mellitus", "diabetic", "neuropathy", "unspecified"})),
             ("E11.42", frozenset({"diabetic", "polyneuropathy"}),
              frozenset({"type", "2", "diabetes", "mellitus", "diabetic", "polyneuropathy"}))]
    dictionary = SimpleNamespace(codes=codes)
    # "diabetic peripheral neuropathy": "peripheral neuropathy" also reads as "polyneuropathy"
    ctx = {"type", "2", "diabetes", "diabetic", "peripheral", "neuropathy", "polyneuropathy"}
    assert _choose(dictionary, cands, ctx, origin="E11.40").code == "E11.42"
    assert _choose(dictionary, cands, ctx - {"polyneuropathy"}, origin="E11.40").code == "E11.40"
