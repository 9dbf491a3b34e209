"""Excludes1 conflicts among the asserted codes of one note."""

from __future__ import annotations

from medcode.detect import Detector, detect_document, excludes1_conflicts


def test_conflict_reported(detect_kb) -> None:
    doc = detect_document("Type 1 diabetes. Type 2 diabetes.", detect_kb)
    [c] = doc.conflicts
    assert {c.code, c.other} == {"E10.9", "E11.9"} and c.note_code in {"E10", "E11"}
    assert doc.as_dict()["excludes1_conflicts"][0]["note"]


def test_negated_code_does_not_conflict(detect_kb) -> None:
    det = Detector(detect_kb)
    ents = det.detect("Type 2 diabetes. No type 1 diabetes.")
    assert det.conflicts(ents) == []


def test_unrelated_codes_do_not_conflict(detect_kb) -> None:
    assert excludes1_conflicts(detect_kb, ["I10", "R07.9", "M25.561"]) == []
