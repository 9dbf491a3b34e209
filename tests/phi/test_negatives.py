"""Hard negatives: clinical language that must survive untouched."""

from __future__ import annotations

import pytest

KEEP = [
    "History of Parkinson's disease and Crohn's disease.",
    "Known Hodgkin lymphoma, in remission.",
    "Down syndrome with hypothyroidism.",
    "Bell's palsy resolved. Murphy sign is negative. Babinski sign absent.",
    "Guillain-Barre syndrome in 2019.",
    "Kussmaul respirations noted; Cheyne-Stokes breathing overnight.",
    "Foley catheter in place. Swan-Ganz catheter removed.",
    "The patient was seen by the attending physician and the nurse practitioner.",
    "Metoprolol tartrate 25 mg PO BID; Lasix 40 mg IV once; Norco 5/325 q6h prn.",
    "BP 132/84, HR 88, strength 5/5 throughout, 2/6 systolic murmur, pain 3/10.",
    "Hgb 12.3, WBC 8.2, Na 138, K 4.1, A1c 7.2%.",
    "A 67-year-old man; smoked from 1990 to 2005.",
    "Diagnoses coded as E11.9 and I10. Billed CPT 99213 and G0439.",
    "Frank blood noted in the stool; gross hematuria resolved.",
    "Mild degenerative change at the L4-L5 disc space.",
    "Grew E. coli, pan-sensitive. C. diff toxin negative.",
    "Sent to Cardiology Clinic for evaluation.",
    "Lives in Ohio.",
    # capitals: a facility or place pattern must not start inside "TO" / "FROM" ("O CARDIOLOGY CLINIC")
    "SENT TO CARDIOLOGY CLINIC FOR EVALUATION.",
    # a unit after a dose is not an initial with a credential ("G IV")
    "CONTINUE VANCOMYCIN 1.25 G IV Q12H.",
]


def test_capitalised_facility_starts_at_a_word(analyzer):
    text = "TRANSFERRED FROM LAKEVIEW MEDICAL GROUP TODAY."
    found = [(text[s.start:s.end], s.label) for s in analyzer.find(text)]
    assert found == [("LAKEVIEW MEDICAL GROUP", "FACILITY")]


@pytest.mark.parametrize("text", KEEP)
def test_clinical_text_kept(analyzer, text):
    assert analyzer.find(text) == [], [text[s.start:s.end] for s in analyzer.find(text)]


def test_eponym_as_person_with_title(analyzer):
    text = "Seen by Dr. Parkinson for Parkinson disease."
    found = [text[s.start:s.end] for s in analyzer.find(text)]
    assert found == ["Parkinson"]
    assert analyzer.find(text)[0].start == text.index("Parkinson")


def test_title_word_not_redacted(analyzer):
    text = "Dr. Nguyen, MD"
    spans = analyzer.find(text)
    assert [text[s.start:s.end] for s in spans] == ["Nguyen"]


def test_vocabulary_passed_in():
    from medcode.phi import Analyzer

    text = "Patient notes Zzyzxine helps."
    assert Analyzer(vocabulary=["zzyzxine"]).find(text) == []
