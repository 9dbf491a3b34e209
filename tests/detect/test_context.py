"""Traits from ConText-style rules: negation, uncertainty, hypothetical, family, history, with scope."""

from __future__ import annotations

import pytest

from medcode.detect import detect
from medcode.detect.context import Rule, load_rules
from medcode.errors import ConfigError


def _traits(kb, text: str) -> dict[str, set[str]]:
    return {e.text.lower(): {t.name for t in e.traits} for e in detect(text, kb)}


@pytest.mark.parametrize(
    ("text", "mention", "trait"),
    [
        ("Denies chest pain.", "chest pain", "NEGATION"),
        ("Dysuria likely external; doubt UTI.", "uti", "NEGATION"),
        ("ROS neg: fever, chest pain, cough.", "cough", "NEGATION"),
        ("No fever or cough.", "cough", "NEGATION"),
        ("Negative for headache.", "headache", "NEGATION"),
        ("Pneumonia ruled out.", "pneumonia", "NEGATION"),
        ("Possible pneumonia.", "pneumonia", "LOW_CONFIDENCE"),
        ("Return if fever develops.", "fever", "HYPOTHETICAL"),
        ("Mother has type 2 diabetes.", "type 2 diabetes", "PERTAINS_TO_FAMILY"),
        ("History of pneumonia.", "pneumonia", "HISTORY"),
        ("Chest pain.", "chest pain", "SYMPTOM"),
        ("Essential hypertension.", "essential hypertension", "DIAGNOSIS"),
        ("Fever to 39.", "fever", "SIGN"),
        ("Return sooner for fever or cough.", "cough", "HYPOTHETICAL"),
        ("Call or come to L&D for headache.", "headache", "HYPOTHETICAL"),
        ("Pneumonia, resolved.", "pneumonia", "HISTORY"),
        ("Pneumonia was considered but ruled out.", "pneumonia", "NEGATION"),
        ("Chest pain concerning for pneumonia.", "pneumonia", "LOW_CONFIDENCE"),
        ("Pneumonia in 2019, treated.", "pneumonia", "HISTORY"),
        ("Pneumonia, probable.", "pneumonia", "LOW_CONFIDENCE"),
        ("CT to exclude pneumonia.", "pneumonia", "LOW_CONFIDENCE"),
        ("Seek emergency care for chest pain.", "chest pain", "HYPOTHETICAL"),
        ("Return precautions: fever, headache.", "headache", "HYPOTHETICAL"),
        ("Call for temperature of 100.4 F or higher, or headache.", "headache", "HYPOTHETICAL"),  # 100.4 is one token
        ("Two bouts of pneumonia this year.", "pneumonia", "HISTORY"),
        ("Hospitalized in 2016 for pneumonia.", "pneumonia", "HISTORY"),
        ("Three weeks ago she had chest pain.", "chest pain", "HISTORY"),
        ("ROS: (-) fever, (-) cough.", "cough", "NEGATION"),   # checklist marks
        ("Neg for headache.", "headache", "NEGATION"),
        ("Pneumonia 2019, fully recovered.", "pneumonia", "HISTORY"),
        ("Pneumonia as a child.", "pneumonia", "HISTORY"),
        ("ED precautions: new cough, or fever.", "fever", "HYPOTHETICAL"),
        ("Foot pain, ? pneumonia.", "pneumonia", "LOW_CONFIDENCE"),
        ("No antibiotics unless fever.", "fever", "HYPOTHETICAL"),
        ("ROS: +cough. Neg fever, headache.", "headache", "NEGATION"),  # ROS shorthand reaches the list
        ("Pneumonia excluded clinically.", "pneumonia", "NEGATION"),
        ("Pneumonia not seen on imaging.", "pneumonia", "NEGATION"),
        ("Pneumonia negative on CXR.", "pneumonia", "NEGATION"),        # a result stated after the test
        ("Pneumonia at age 5, none since.", "pneumonia", "HISTORY"),
        # a long return precaution: the whole condition of "If ..., ... -> ED"
        ("If cough keeps her up at night for a week, any chest pain, fever or headache -> ED.", "headache",
         "HYPOTHETICAL"),
        ("Aspiration precautions given the pneumonia risk.", "pneumonia", "HYPOTHETICAL"),
        ("Codeine allergy (headache).", "headache", "HISTORY"),
        ("Pneumonia - no evidence currently.", "pneumonia", "NEGATION"),
        ("Watch for pneumonia (none now).", "pneumonia", "NEGATION"),
        ("Not currently febrile, no headache.", "headache", "NEGATION"),
        ("Pneumonia 2019 - antibiotics at home.", "pneumonia", "HISTORY"),
        ("Kidney transplant 2016 (ESRD from chronic kidney disease, stage 3a).", "chronic kidney disease, stage 3a",
         "HISTORY"),
        ("Kidney transplant 2018 for chronic kidney disease, stage 3a.", "chronic kidney disease, stage 3a", "HISTORY"),
        ("No further headache overnight.", "headache", "NEGATION"),      # "no further" denies the finding
        ("Cough better. Headache none.", "headache", "NEGATION"),        # the answer after the item
        ("Dizzy at times, never any chest pain.", "chest pain", "NEGATION"),
        ("ROS: + cough. - fever, - headache.", "headache", "NEGATION"),   # a dash marks an item absent
        ("Allergic to sulfa (headache) and codeine.", "headache", "HISTORY"),  # a reaction in an allergy list
        ("Allergies: morphine - headache; contrast - fever.", "fever", "HISTORY"),
        ("Pneumonia at age 13, none since.", "pneumonia", "HISTORY"),
        ("Pneumonia and fever, both resolved.", "pneumonia", "HISTORY"),
        ("Pneumonia on the left, regressed.", "pneumonia", "HISTORY"),       # a finding that went away
        ("Pneumonia last Dec.", "pneumonia", "HISTORY"),
        ("Pneumonia in her 30s.", "pneumonia", "HISTORY"),
        ("- Headache: denies. Temp 37.2.", "headache", "NEGATION"),      # a protocol checklist answered
        ("Pneumonia on the left has now healed.", "pneumonia", "HISTORY"),
        ("Recheck 48 h. ED if fever or headache.", "headache", "HYPOTHETICAL"),     # instructions naming the ED
        ("Will call w/ cx. Return/ED for fever, cough or headache.", "cough", "HYPOTHETICAL"),
        ("RTC if not improved in 72 h or sooner with cough.", "cough", "HYPOTHETICAL"),
        ("Reviewed signs of pneumonia: fever, cough.", "cough", "HYPOTHETICAL"),
        ("New drug; counseled re: headache.", "headache", "HYPOTHETICAL"),
    ],
)
def test_trait(detect_kb, text: str, mention: str, trait: str) -> None:
    assert trait in _traits(detect_kb, text)[mention]


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("Denies fever but reports cough.", "cough"),          # terminated by "but"
        ("No fever. Chest pain since noon.", "chest pain"),    # sentence ends the scope
        ("No increase in headache.", "headache"),              # pseudo-cue
        ("Not only chest pain but also cough.", "chest pain"),
        ("TIA with no residual deficit, headache, cough.", "cough"),  # "no" stops at a comma ...
        ("No further workup for the headache.", "headache"),         # ... the work is denied, not the finding
        ("No further fever overnight, one more episode of cough.", "cough"),  # an item that asserts ends the list
        ("- headache, worse today", "headache"),                     # a dash opening a line is a bullet
        ("Migraine never treated, hypertension, cough.", "hypertension"),  # "never" stops at a comma too
    ],
)
def test_scope_limits(detect_kb, text: str, mention: str) -> None:
    assert "NEGATION" not in _traits(detect_kb, text)[mention]


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("Admitted after 4 days of cough.", "cough"),          # how long it lasted, not a past episode
        ("Admitted after a week of headache.", "headache"),
        ("Headache since last spring.", "headache"),           # when it began: still going
        # a relative's death dates the patient's own trouble
        ("Headache since her sister died last spring, and cough.", "headache"),
        ("Cough after his wife's death, now constant.", "cough"),
    ],
)
def test_current_trouble_dated_by_the_past(detect_kb, text: str, mention: str) -> None:
    assert not {"HISTORY", "PERTAINS_TO_FAMILY"} & _traits(detect_kb, text)[mention]


def test_an_inline_header_ends_the_scope_before_it(detect_kb) -> None:
    # "father" does not reach back over "FH:" to the patient's own condition, nor "denies" on over "VS:"
    assert "PERTAINS_TO_FAMILY" not in _traits(detect_kb, "PMH: hypertension, cough FH: father had headache.")["cough"]
    assert "PERTAINS_TO_FAMILY" in _traits(detect_kb, "PMH: hypertension FH: father had headache.")["headache"]
    # a checklist mark right after a header still heads its list
    assert "NEGATION" in _traits(detect_kb, "ROS: (-) cough, (-) headache")["cough"]


def test_the_ed_named_as_where_she_came_is_no_instruction(detect_kb) -> None:
    assert "HYPOTHETICAL" not in _traits(detect_kb, "ED for chest pain since noon.")["chest pain"]


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("Brought by mother for fever.", "fever"),          # the relative is the informant
        ("Lives with her daughter; cough for 2 days.", "cough"),
        ("Mother reports headache since Monday.", "headache"),
        ("81F found by daughter with fever and cough.", "fever"),   # the relative found her
        ("Mom also worried about headache at night.", "headache"),
        ("Here w/ mom. Cough for 2 days.", "cough"),
    ],
)
def test_relative_as_informant_is_not_family_history(detect_kb, text: str, mention: str) -> None:
    assert "PERTAINS_TO_FAMILY" not in _traits(detect_kb, text)[mention]


def test_checklist_boxes_mark_each_item(detect_kb) -> None:
    traits = _traits(detect_kb, "ROS: [x] cough [ ] headache [ ] fever")
    assert "NEGATION" not in traits["cough"]
    assert "NEGATION" in traits["headache"] and "NEGATION" in traits["fever"]


def test_a_denial_heading_a_long_list_reaches_its_end(detect_kb) -> None:
    text = ("ROS: Denies weight loss, fevers, night sweats, palpitations, SOB, abd pain, hematuria, "
            "dizziness, fatigue, chest pain, cough. + knee pain.")
    traits = _traits(detect_kb, text)
    assert "NEGATION" in traits["chest pain"] and "NEGATION" in traits["cough"], traits
    assert "NEGATION" not in traits["knee pain"], traits  # the next sentence asserts
    traits = _traits(detect_kb, "Denies fever, chills, nausea, vomiting, diarrhea, dysuria, hematuria, "
                                "but has a cough for three weeks with a headache.")
    assert "NEGATION" not in traits["headache"], traits  # a long clause is no list item


def test_dash_ends_the_scope_of_a_plan(detect_kb) -> None:
    traits = _traits(detect_kb, "1. Pneumonia - chest x-ray vs CT.")
    assert "LOW_CONFIDENCE" not in traits["pneumonia"]


def test_packaged_rules_load_and_round_trip() -> None:
    rules = load_rules()
    assert len(rules) > 50
    assert all(Rule.from_dict(r.to_dict()) == r for r in rules)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[rule]]\nliteral = "no"\ncategory = "NEGATED_EXISTENCE"\ndirection = "SIDEWAYS"', "direction"),
        ('[[rule]]\nliteral = "no"\ncategory = "NEGATION"\ndirection = "FORWARD"', "category"),
        ('[[rule]]\nliteral = "no"\ncategory = "NEGATED_EXISTENCE"\ndirection = "FORWARD"\nscope = 3', "unknown keys"),
        ('[[rule]]\nliteral = "no"\ncategory = "NEGATED_EXISTENCE"\ndirection = "FORWARD"\nmax_scope = 0', "max_scope"),
        ('[[rule]]\nliteral = "x"\npattern = "(("\ncategory = "PSEUDO"\ndirection = "PSEUDO"', "bad pattern"),
    ],
)
def test_bad_rules_rejected(toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_rules(toml)


def test_no_reaches_an_or_list(detect_kb) -> None:
    assert "NEGATION" in _traits(detect_kb, "No fever, headache or cough.")["cough"]  # ... unless an "or" list follows


def test_dated_diagnosis_is_not_history(detect_kb) -> None:
    assert "HISTORY" not in _traits(detect_kb, "Diagnosed with essential hypertension in 2015.")["essential hypertension"]


def test_negated_past_condition_is_only_negated(detect_kb) -> None:
    assert _traits(detect_kb, "No prior history of pneumonia.")["pneumonia"] & {"NEGATION", "HISTORY"} == {"NEGATION"}


def test_shorthand_with_and_without() -> None:
    from medcode.detect.tokens import tokenize

    assert [t.norm for t in tokenize("cystitis w/o hematuria, pt w/ fever")][:3] == ["cystitis", "without", "hematuria"]
    assert "with" in [t.norm for t in tokenize("pt w/ fever")]


@pytest.mark.parametrize(
    ("text", "mention", "trait"),
    [
        ("Pneumonia, organism not identified.", "pneumonia", "NEGATION"),   # names the unspecified code
        ("Hypertension s/p PCI 2020, stable.", "hypertension", "HISTORY"),  # the year dates the procedure
        ("Pt s/p CVA with headache.", "headache", "HISTORY"),               # "s/p" names an operation
        ("Hx: hypertension.", "hypertension", "HISTORY"),                   # a PMH label, not "history of"
        ("Two headaches in the past month.", "headaches", "HISTORY"),       # recent, not past
        ("SLR neg, knee pain.", "knee pain", "NEGATION"),                   # a test result, not a cue
    ],
)
def test_not_a_cue_here(detect_kb, text: str, mention: str, trait: str) -> None:
    found = {k: v for k, v in _traits(detect_kb, text).items() if k.startswith(mention)}
    assert found and not any(trait in v for v in found.values()), found


@pytest.mark.parametrize(("text", "mention"), [
    ("Pneumonia? - CXR pending.", "Pneumonia"),                       # a trailing question mark
    ("Fever? Tmax not recorded.", "Fever"),
    ("Pneumonia possible given the cough.", "Pneumonia"),             # a trailing qualifier
])
def test_trailing_uncertainty(detect_kb, text: str, mention: str) -> None:
    from medcode.detect import detect

    ents = {e.text: {t.name for t in e.traits} for e in detect(text, detect_kb)}
    assert "LOW_CONFIDENCE" in ents.get(mention, set()), ents


@pytest.mark.parametrize(("text", "mention", "trait"), [
    ("3. Pneumonia - resolved; no follow-up.", "Pneumonia", "HISTORY"),     # a cue right after a dash
    ("2. Pneumonia - ruled out by CXR.", "Pneumonia", "NEGATION"),
    ("Hx pneumonia - no recurrence.", "pneumonia", "HISTORY"),               # "hx" without "of"
    ("Pneumonia 5 months ago, treated.", "Pneumonia", "HISTORY"),
    ("Pneumonia not suspected (clear CXR).", "Pneumonia", "NEGATION"),
    ("Pneumonia: none on imaging.", "Pneumonia", "NEGATION"),
    ("Pneumonia ppx with antibiotics.", "Pneumonia", "HYPOTHETICAL"),      # prevention, not a condition
    ("Notify MD for fever or pneumonia.", "pneumonia", "HYPOTHETICAL"),
    ("Mother - pneumonia at 52.", "pneumonia", "PERTAINS_TO_FAMILY"),      # a forward cue before a dash
    ("Fever neg. Chest pain.", "Fever", "NEGATION"),                       # a result after the test
    ("Pneumonia in May, treated.", "Pneumonia", "HISTORY"),                # a month dates it
    ("Pneumonia last month, resolved with antibiotics.", "Pneumonia", "HISTORY"),
    ("Pneumonia 3 weeks ago, now resolved.", "Pneumonia", "HISTORY"),     # "now" is part of the cue
    ("Cough that has since resolved.", "Cough", "HISTORY"),
    ("Treated for pneumonia last year.", "pneumonia", "HISTORY"),
    ("Cough w/o fever.", "fever", "NEGATION"),                              # "w/o" is one token
    ("Pneumonia - none on exam.", "Pneumonia", "NEGATION"),
    ("Chest pain not endorsed today.", "Chest pain", "NEGATION"),
    ("Clear lungs, which argues against pneumonia.", "pneumonia", "NEGATION"),
    ("Neg: fever, dysuria now, chest pain.", "chest pain", "NEGATION"),   # "now" trails an item of the list
    ("Warned about fever after the first dose.", "fever", "HYPOTHETICAL"),  # risks talked over
    ("Risks: pneumonia, bleeding.", "pneumonia", "HYPOTHETICAL"),
    ("Smoking could cause pneumonia.", "pneumonia", "HYPOTHETICAL"),
])
def test_backward_cues_and_history(detect_kb, text: str, mention: str, trait: str) -> None:
    ents = {e.text: {t.name for t in e.traits} for e in detect(text, detect_kb)}
    assert trait in ents.get(mention, set()), ents


def test_being_treated_is_current(detect_kb) -> None:
    ents = {e.text: {t.name for t in e.traits} for e in detect("She is being treated for pneumonia.", detect_kb)}
    assert not ents["pneumonia"] & {"HISTORY", "NEGATION"}


def test_problem_after_a_dash_is_current(detect_kb) -> None:
    ents = {e.text: {t.name for t in e.traits} for e in detect("1. Pneumonia - continue antibiotics.", detect_kb)}
    assert not ents["Pneumonia"] & {"HISTORY", "NEGATION"}


def test_a_bare_exam_word_counts_only_when_denied(detect_kb) -> None:
    denied = {e.text: {t.name for t in e.traits} for e in detect("Calf soft, no swelling.", detect_kb)}
    assert "NEGATION" in denied["swelling"]
    assert not [e for e in detect("Mild swelling.", detect_kb) if e.text.lower() == "swelling"]


def test_a_relatives_past_condition_is_family_history_only(detect_kb) -> None:
    traits = _traits(detect_kb, "Family history: mother had pneumonia in 2019.")["pneumonia"]
    assert "PERTAINS_TO_FAMILY" in traits and "HISTORY" not in traits


def test_an_allergy_list_does_not_make_the_next_item_past(detect_kb) -> None:
    assert "HISTORY" not in _traits(detect_kb, "Penicillin allergy, chest pain since noon.")["chest pain"]


def test_an_age_of_onset_is_not_a_past_condition(detect_kb) -> None:
    assert "HISTORY" not in _traits(detect_kb, "Type 1 diabetes dx age 7.")["type 1 diabetes"]


def test_relative_speaking_for_code_status_is_not_family(detect_kb) -> None:
    # Z66 is the patient's own status: the daughter who confirms it is not the one it describes
    for text in ("Daughter (HCP) confirms DNR.", "Code status DNR per HCP (son)."):
        ent = next(e for e in detect(text, detect_kb) if e.concepts and e.concepts[0].code == "Z66")
        assert "PERTAINS_TO_FAMILY" not in {t.name for t in ent.traits}, text


def test_relative_who_notices_is_an_informant(detect_kb) -> None:
    assert "PERTAINS_TO_FAMILY" not in _traits(detect_kb, "Chest pain at night, mom notices he is pale.")["chest pain"]


def test_wanting_to_quit_is_current_use(detect_kb) -> None:
    # past use would read as Z87.891 (history of nicotine dependence)
    assert detect("Wants to quit smoking.", detect_kb)[0].concepts[0].code == "F17.200"
    assert detect("Quit smoking.", detect_kb)[0].concepts[0].code == "Z87.891"


def test_neg_after_a_comma_opens_the_next_item(detect_kb) -> None:
    traits = _traits(detect_kb, "Resp: + cough, neg headache, neg fever.")
    assert "NEGATION" not in traits["cough"]
    assert "NEGATION" in traits["headache"] and "NEGATION" in traits["fever"]
    # a result after the test still denies it
    assert "NEGATION" in _traits(detect_kb, "Influenza neg, cough present.")["influenza"]


def test_absent_denies_only_its_own_item(detect_kb) -> None:
    traits = _traits(detect_kb, "Exam: cough, headache absent.")
    assert "NEGATION" not in traits["cough"] and "NEGATION" in traits["headache"]


def test_other_than_ends_a_denial(detect_kb) -> None:
    traits = _traits(detect_kb, "No complaints other than cough.")
    assert "NEGATION" not in traits["cough"]


def test_an_ability_lost_is_no_denial(detect_kb) -> None:
    assert "NEGATION" not in _traits(detect_kb, "He can no longer tolerate the cough.")["cough"]


@pytest.mark.parametrize("text", ["FH hypertension.", "Family hx of hypertension.", "Fam hx hypertension."])
def test_family_history_written_inline(detect_kb, text: str) -> None:
    assert "PERTAINS_TO_FAMILY" in _traits(detect_kb, text)["hypertension"]


@pytest.mark.parametrize(
    ("text", "mention", "trait"),
    [
        ("Partner is HIV-negative, on PrEP.", "hiv", "NEGATION"),          # a result joined by a hyphen
        ("Pneumonia was considered but CXR clear.", "pneumonia", "NEGATION"),  # weighed and set aside
        ("Bipolar disorder considered given FHx.", "bipolar disorder", "LOW_CONFIDENCE"),  # only weighed
        ("Pneumonia - no (CXR clear).", "pneumonia", "NEGATION"),          # a question answered "no"
        ("Denys dysuria or fever.", "dysuria", "NEGATION"),                 # misspelt, still a denial
        ("CTCAE: Fever: G0, cough: G1.", "fever", "NEGATION"),              # graded zero
        ("Cannot exclude early pneumonia.", "pneumonia", "LOW_CONFIDENCE"),  # not excluded, not found
    ],
)
def test_set_aside_answered_or_graded_away(detect_kb, text: str, mention: str, trait: str) -> None:
    assert trait in _traits(detect_kb, text)[mention]


@pytest.mark.parametrize("text", ["Hx pneumonia - no recurrence since.", "Pneumonia, considered for ICU transfer."])
def test_a_history_or_a_plan_is_no_denial(detect_kb, text: str) -> None:
    # "- no recurrence" tells a history; "considered for" weighs a plan, not the diagnosis
    assert not _traits(detect_kb, text)["pneumonia"] & {"NEGATION", "LOW_CONFIDENCE"}


@pytest.mark.parametrize(("text", "past", "current"), [
    ("PMH: HTN, hx of pneumonia 2021, asthma.", "pneumonia", "asthma"),       # one item of a list
    ("PMH: asthma (hx of pneumonia 2021), chest pain.", "pneumonia", "chest pain"),
    ("Hx of pneumonia, fever with it.", "pneumonia", None),
])
def test_a_history_cue_inside_a_list_covers_its_own_item(detect_kb, text: str, past: str, current: str | None) -> None:
    ents = {e.text: {t.name for t in e.traits} for e in detect(text, detect_kb)}
    assert any("HISTORY" in traits for name, traits in ents.items() if past in name), ents
    if current:
        assert not any("HISTORY" in traits for name, traits in ents.items() if current in name.lower()), ents


@pytest.mark.parametrize(("text", "mention"), [
    ("Yesterday grandmother noticed a cough.", "cough"),        # the relative saw it, the patient has it
    ("Mom called this AM for a cough overnight.", "cough"),
    ("Called mom: cough improving.", "cough"),
])
def test_a_relative_who_calls_or_notices_is_an_informant(detect_kb, text: str, mention: str) -> None:
    assert "PERTAINS_TO_FAMILY" not in _traits(detect_kb, text)[mention]


@pytest.mark.parametrize("text", ["Pneumonia dx 2 months ago, on amoxicillin.", "Pneumonia diagnosed 3 years ago."])
def test_a_dated_diagnosis_is_current(detect_kb, text: str) -> None:
    assert "HISTORY" not in _traits(detect_kb, text)["pneumonia"]


@pytest.mark.parametrize(("text", "past"), [
    ("Hx hypertension, on lisinopril.", False),     # treated now: current
    ("History of hypertension on amlodipine.", False),
    ("Hx of hypertension.", True),
    ("Hx pneumonia on CT 2019.", True),             # "on CT" dates the finding, it is no treatment
])
def test_a_history_treated_now_is_current(detect_kb, text: str, past: bool) -> None:
    traits = next(v for k, v in _traits(detect_kb, text).items() if "hypertension" in k or "pneumonia" in k)
    assert ("HISTORY" in traits) is past


@pytest.mark.parametrize(("text", "mention"), [
    ("Pt told to report severe headache, cough, or fever.", "fever"),
    ("Report fever, cough or chest pain.", "cough"),
    ("Red flags reviewed: chest pain, fever -> ED.", "fever"),
    ("Discussed risks (bleeding, infection, fever).", "fever"),
])
def test_what_to_report_is_hypothetical(detect_kb, text: str, mention: str) -> None:
    assert "HYPOTHETICAL" in _traits(detect_kb, text)[mention]


def test_a_patient_who_reports_states_a_finding(detect_kb) -> None:
    assert "HYPOTHETICAL" not in _traits(detect_kb, "Pt reports cough and fever.")["cough"]


@pytest.mark.parametrize(("text", "denied"), [("67 yo M, NON-diabetic (A1c 5.4).", True), ("Type 2 diabetic on metformin.", False)])
def test_non_before_diabetic_denies_it(detect_kb, text: str, denied: bool) -> None:
    traits = next(v for k, v in _traits(detect_kb, text).items() if "diabetic" in k)
    assert ("NEGATION" in traits) is denied


def test_a_reading_inside_a_longer_one_with_its_code_is_not_repeated() -> None:
    from medcode.detect.detector import _without_nested
    from medcode.detect.model import Concept, Entity, Trait

    def entity(begin: int, end: int, code: str, *traits: str) -> Entity:
        return Entity(begin, end, "x" * (end - begin), 0.9, tuple(Trait(t, 0.9) for t in traits),
                      (Concept(code, "a title", 0.9, "index term"),))

    outer, inner = entity(0, 16, "F05", "DIAGNOSIS"), entity(8, 16, "F05", "DIAGNOSIS")  # "post-op delirium"
    other_code, other_trait = entity(8, 16, "R41.0", "DIAGNOSIS"), entity(8, 16, "F05", "DIAGNOSIS", "HISTORY")
    assert _without_nested([outer, inner]) == [outer]
    assert _without_nested([outer, other_code, other_trait]) == [outer, other_code, other_trait]


def test_a_relative_named_before_what_they_have_reaches_forward_only(detect_kb) -> None:
    traits = _traits(detect_kb, "Essential hypertension, sister with type 2 diabetes mellitus.")
    assert "PERTAINS_TO_FAMILY" not in traits["essential hypertension"]
    assert "PERTAINS_TO_FAMILY" in traits["type 2 diabetes mellitus"]
    # named after the condition, the relative still reaches back to it
    assert "PERTAINS_TO_FAMILY" in _traits(detect_kb, "Type 2 diabetes mellitus in sister.")["type 2 diabetes mellitus"]
