"""Case2Code beyond the cryoablation family: pack terms, licensed-CPT and HCPCS descriptors.

The CPT descriptors come from tests/data/cpt_licensed/SuggestDescriptors_2026.txt, which is
invented text (no AMA descriptor is in the repository).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from medcode import Workbench

DOS = "Date of service: 2026-05-12\n"
CRYO_NOTE = (Path(__file__).resolve().parents[2] / "examples" / "cryoablation_case.txt").read_text(encoding="utf-8")


def _lines(wb: Workbench, note: str) -> dict[str, dict]:
    return {ln["code"]: ln for ln in wb.suggest(note)["lines"]}


# (note body, code expected, kind of match, modifiers)
FOUND = [
    ("Procedure: A peripheral nerve block of the left sural nerve was performed.", "64450", "pack-term", ["LT"]),
    ("Procedure: Ketorolac tromethamine 30 mg was injected intramuscularly.", "J1885", "hcpcs-descriptor", []),
    ("Procedure: Neurolytic destruction of the right radial nerve branch was performed with phenol.", "64640",
     "cpt-descriptor", ["RT"]),
    ("The branch of the nerve was treated by neurolytic destruction.", "64640", "cpt-descriptor", []),
    ("Ultrasound guidance was used for the injection on the left.", "76942", "pack-term", []),
]


@pytest.mark.parametrize(("body", "code", "kind", "mods"), FOUND, ids=[f[1] + "-" + f[2] for f in FOUND])
def test_documented_procedure_is_proposed(words_workbench: Workbench, body: str, code: str, kind: str,
                                          mods: list[str]) -> None:
    note = DOS + body
    lines = _lines(words_workbench, note)
    assert code in lines, lines
    line = lines[code]
    assert line["modifiers"] == mods
    assert line["units"] == 1
    assert kind in [m["kind"] for m in line["matches"]]
    assert all(m["source"] for m in line["matches"])
    for ev in line["evidence"]:
        assert note[ev["start"]:ev["end"]] == ev["text"]


# (note body, code that must not be proposed)
NOT_FOUND = [
    ("Procedure: No nerve block was performed today.", "64450"),
    ("History: a peripheral nerve block of the sural nerve gave relief last year.", "64450"),
    ("Plan: schedule a peripheral nerve block of the sural nerve.", "64450"),
    ("We will consider a peripheral nerve block next month.", "64450"),
    ("The sural nerve block idea was discussed with the patient.", "64450"),
    ("Ketorolac tromethamine allergy noted.", "J1885"),  # no procedure context word
    ("Procedure: The patient was not given ketorolac tromethamine.", "J1885"),
    ("Procedure: office visit with an established patient for follow-up.", "99213"),  # E/M level: never by words
    ("Procedure: Upper endoscopy through the mouth with biopsy.", "43239"),  # deleted in the fixture KB
    ("Procedure: destruction of a wart.", "64640"),  # one descriptor word group is not enough
]


@pytest.mark.parametrize(("body", "code"), NOT_FOUND, ids=[b[:40] for b, _ in NOT_FOUND])
def test_not_proposed(words_workbench: Workbench, body: str, code: str) -> None:
    assert code not in _lines(words_workbench, DOS + body)


def test_word_lines_are_less_sure_than_the_family_and_ask(words_workbench: Workbench) -> None:
    note = CRYO_NOTE + "\nProcedure: Ketorolac tromethamine 30 mg was injected intramuscularly.\n"
    out = words_workbench.suggest(note)
    by_code = {ln["code"]: ln for ln in out["lines"]}
    assert by_code["J1885"]["confidence"] < by_code["0441T"]["confidence"]
    assert any(q.startswith("J1885: proposed from the words of the note only") for q in out["questions"])
    assert any(q.startswith("J1885: units count doses") for q in out["questions"])
    assert "30 mg" in [e["text"] for e in by_code["J1885"]["evidence"]]


def test_example_nerve_block_note(words_workbench: Workbench) -> None:
    note = (Path(__file__).resolve().parents[2] / "examples" / "nerve_block_case.txt").read_text(encoding="utf-8")
    out = words_workbench.suggest(note)
    assert [(ln["code"], ln["modifiers"]) for ln in out["lines"]] == [("64450", ["LT"]), ("76942", []), ("J1885", [])]
    assert "Casey" not in str(out)  # the note's name is masked before matching


def test_family_keeps_its_words(words_workbench: Workbench) -> None:
    """The cryoablation note gives exactly the family's line: its trigger, imaging and alternative
    codes (0440T/0442T terms, 76942 ultrasound, 64640) are not proposed again by words."""
    out = words_workbench.suggest(CRYO_NOTE)
    assert [(ln["code"], ln["modifiers"], ln["units"]) for ln in out["lines"]] == [("0441T", ["RT"], 2)]


def test_side_needs_a_bilateral_indicator_that_takes_it(words_workbench: Workbench) -> None:
    out = words_workbench.suggest(DOS + "Procedure: Ultrasound guidance was used for the injection on the left.")
    [line] = [ln for ln in out["lines"] if ln["code"] == "76942"]
    assert line["modifiers"] == []
    assert any("bilateral indicator 0 does not call for RT/LT" in q for q in out["questions"])


def test_both_sides_ask_and_never_modifier_50(words_workbench: Workbench) -> None:
    out = words_workbench.suggest(DOS + "Procedure: Peripheral nerve block of the right and left sural nerves performed.")
    [line] = [ln for ln in out["lines"] if ln["code"] == "64450"]
    assert line["modifiers"] == []
    assert any("both sides are mentioned" in q for q in out["questions"])
    assert all("50" not in ln["modifiers"] for ln in out["lines"])


def test_units_stay_within_the_mue(words_workbench: Workbench) -> None:
    line = _lines(words_workbench, DOS + "Procedure: peripheral nerve block performed.")["64450"]
    assert line["units"] == 1 <= line["mue"]


def test_proposal_goes_through_the_checks(words_workbench: Workbench) -> None:
    note = CRYO_NOTE.replace("No complications.", "A peripheral nerve block of the right sural nerve was also "
                             "performed. No complications.")
    out = words_workbench.suggest(note)
    assert [(ln["code"], ln["modifiers"]) for ln in out["claim"]["lines"]] == [("0441T", ["RT"]), ("64450", ["RT"])]
    assert any(f["rule"] == "ncci-ptp" and "64450" in f["message"] for f in out["findings"])


def test_no_cpt_descriptors_without_a_licensed_file(kb_nocpt_path: Path) -> None:
    wb = Workbench(kb_nocpt_path)
    try:
        lines = _lines(wb, DOS + "Procedure: Neurolytic destruction of the right radial nerve branch was performed.")
    finally:
        wb.close()
    assert "64640" not in lines


def test_near_descriptors_are_named(words_workbench: Workbench) -> None:
    from medcode.suggest.descriptors import descriptors
    from medcode.suggest.sentences import procedure_sentences

    note = "Procedure: Neurolytic destruction of a nerve branch; numbing injection at a single nerve outside the spine."
    found = descriptors(words_workbench.kb, note, procedure_sentences(note))
    assert {m.code for m in found} == {"64640", "64450"}
