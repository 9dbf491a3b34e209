"""Procedure sentences of a note, and the word folding and grouping of descriptors."""

from __future__ import annotations

import copy

import pytest

from medcode.suggest.descriptors import _norm, groups
from medcode.suggest.sentences import (
    check_settings,
    procedure_sentences,
    settings,
    split,
)

# (note, the procedure sentences found)
CASES = [
    ("Procedure: Nerve block of the sural nerve.", ["Nerve block of the sural nerve."]),
    ("PROCEDURE:\n\nThe skin was prepped. A nerve block was performed.\n\nPLAN:\nRepeat the block.",
     ["The skin was prepped.", "A nerve block was performed."]),
    ("A nerve block was performed under ultrasound guidance.", ["A nerve block was performed under ultrasound guidance."]),
    ("The patient has knee pain.", []),  # no procedure context word
    ("History: nerve block performed in 2019.", []),
    ("Assessment: doing well after the injection performed today.", []),
    ("Date of service: 2026-05-12\nThe nerve branch was treated by destruction.",
     ["The nerve branch was treated by destruction."]),
    ("Procedure: Injection of the knee was performed.\n\nWill repeat the injection if needed.",
     ["Injection of the knee was performed."]),
    ("The injection was performed two years ago.", []),
    ("Prior to the injection the skin was cleaned and the injection was performed.",
     ["Prior to the injection the skin was cleaned and the injection was performed."]),
    ("Procedures performed:\n- Knee injection\n- Ultrasound guidance", ["Knee injection", "Ultrasound guidance"]),
]


@pytest.mark.parametrize(("note", "expected"), CASES, ids=[c[0][:35] for c in CASES])
def test_procedure_sentences(note: str, expected: list[str]) -> None:
    found = procedure_sentences(note)
    assert [s.text for s in found] == expected
    for s in found:
        assert note[s.start:s.end] == s.text


def test_wrapped_line_is_not_a_header() -> None:
    note = "Procedure: cryoablation of two nerves of the right lower\nextremity: the sural nerve and another."
    assert {s.section for s in split(note)} == {"procedure"}


@pytest.mark.parametrize(("a", "b"), [("injected", "injection"), ("guided", "guidance"), ("ablated", "ablation"),
                                      ("removed", "removal"), ("fluoroscopic", "fluoroscopy"), ("nerves", "nerve"),
                                      ("biopsies", "biopsy")])
def test_word_endings_fold_together(a: str, b: str) -> None:
    assert _norm(a) == _norm(b)


@pytest.mark.parametrize(("a", "b"), [("hyaluronan", "hyaluronidase"), ("surgical", "surgery"), ("knee", "kneel")])
def test_different_words_stay_apart(a: str, b: str) -> None:
    assert _norm(a) != _norm(b)


def test_descriptor_groups() -> None:
    got = groups("Freezing of a nerve, upper or lower limb (eg, with a probe), each, including imaging when performed")
    assert got == [frozenset({_norm("freezing")}), frozenset({_norm("nerve")}),
                   frozenset({_norm("upper"), _norm("lower")}), frozenset({_norm("limb")})]
    assert groups("Probe/needle, cryoablation") == [frozenset({_norm("probe"), _norm("needle")}),
                                                    frozenset({_norm("cryoablation")})]


def test_settings_are_checked() -> None:
    assert settings()["thresholds"]["confidence_pack_term"] < settings()["thresholds"]["confidence_family"]
    bad = copy.deepcopy(settings())
    bad["cues"]["negatoin"] = ["x"]
    bad["descriptors"]["optional"].append("(")
    del bad["skip"]["ranges"]
    with pytest.raises(ValueError) as info:
        check_settings(bad)
    message = str(info.value)
    assert "[cues] unknown key 'negatoin'" in message
    assert "[skip] missing key 'ranges'" in message
    assert "does not compile" in message
