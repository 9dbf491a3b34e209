"""Tests for the NUCC provider taxonomy importer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fixture_edit import assert_names_place, copy_fixture
from fixture_edit import replace_in_line as _replace_in_line

from medcode.codesets import nucc_taxonomy
from medcode.errors import ImportFormatError

REL = "nucc_taxonomy/nucc_taxonomy_251.csv"


def _copy(data_dir: Path, tmp_path: Path, edit: Callable[[list[bytes]], list[bytes]] | None = None,
          name: str | None = None) -> Path:
    return copy_fixture(data_dir / REL, tmp_path, edit, name, b"\n")




@pytest.mark.parametrize(
    ("name", "release", "effective"),
    [("nucc_taxonomy_251.csv", "25.1", "2025-07-01"), ("nucc_taxonomy_260.csv", "26.0", "2026-01-01")],
)
def test_source(sink, data_dir, tmp_path, name, release, effective):
    nucc_taxonomy.load(_copy(data_dir, tmp_path, name=name), sink)
    assert sink.sources == [dict(dataset="nucc-taxonomy", publisher="NUCC", release=release, effective=effective,
                                 complete=True, systems=("TAXONOMY",))]


@pytest.mark.parametrize(
    ("code", "title", "attrs"),
    [
        ("208VP0014X", "Interventional Pain Medicine Physician",
         dict(grouping="Allopathic & Osteopathic Physicians", classification="Pain Medicine",
              specialization="Interventional Pain Medicine",
              definition="Fixture definition for interventional pain medicine.", notes=None, section="Individual")),
        ("207LP2900X", "Pain Medicine (Anesthesiology) Physician",
         dict(grouping="Allopathic & Osteopathic Physicians", classification="Anesthesiology",
              specialization="Pain Medicine", definition="Fixture definition for an anesthesiology pain subspecialty.",
              notes="Fixture note, with a comma [7/1/2007: added]", section="Individual")),
        ("193200000X", "Multi-Specialty Group",
         dict(grouping="Group", classification="Multi-Specialty", specialization=None,
              definition="Fixture definition: a group practice, with several specialties.",
              notes="[7/1/2003: new]", section="Individual")),
        ("367500000X", "Certified Registered Nurse Anesthetist",
         dict(grouping="Physician Assistants & Advanced Practice Nursing Providers",
              classification="Nurse Anesthetist, Certified Registered", specialization=None,
              definition="Fixture definition for a nurse anesthetist.", notes=None, section="Individual")),
        ("261QM1300X", "Multi-Specialty Clinic/Center",
         dict(grouping="Ambulatory Health Care Facilities", classification="Clinic/Center",
              specialization="Multi-Specialty", definition="Definition to come...", notes=None,
              section="Non-Individual")),
    ],
)
def test_codes(sink, data_dir, code, title, attrs):
    nucc_taxonomy.load(data_dir / REL, sink)
    assert sink.code_map()[code] == dict(system="TAXONOMY", code=code, title=title, kind="code", attrs=attrs)


def test_terms(sink, data_dir):
    nucc_taxonomy.load(data_dir / REL, sink)
    assert len(sink.codes) == 6
    assert [t for t in sink.terms if t[1] in ("208VP0014X", "193200000X")] == [
        ("TAXONOMY", "193200000X", "Multi-Specialty", "synonym"),
        ("TAXONOMY", "208VP0014X", "Pain Medicine", "synonym"),
        ("TAXONOMY", "208VP0014X", "Interventional Pain Medicine", "synonym"),
    ]


@pytest.mark.parametrize(
    ("line", "old", "title"),
    [
        (5, b",Interventional Pain Medicine Physician,", "Pain Medicine / Interventional Pain Medicine"),
        (2, b",Multi-Specialty Group,", "Multi-Specialty"),
    ],
)
def test_title_falls_back_to_classification_and_specialization(sink, data_dir, tmp_path, line, old, title):
    nucc_taxonomy.load(_copy(data_dir, tmp_path, _replace_in_line(line, old, b",,")), sink)
    assert sink.codes[line - 2]["title"] == title


@pytest.mark.parametrize(
    ("case", "edit", "name", "line", "problem"),
    [
        ("missing column", _replace_in_line(1, b"Display Name", b"Label"), None, 1, "no column for 'display_name'"),
        ("bad code", _replace_in_line(3, b"207LP2900X", b"207LP2900"), None, 3, "'207LP2900' is not a 10-character"),
        ("extra column", _replace_in_line(4, b",Individual", b",Individual,x"), None, 4,
         "expected 8 columns like the header, found 9"),
        ("undecodable byte", _replace_in_line(6, b"Fixture", b"Fi\x81ture"), None, 6, "cannot be decoded"),
        ("empty file", lambda lines: [], None, 1, "the file is empty"),
        ("name without version", None, "taxonomy.csv", None, "no NUCC version"),
        ("impossible version", None, "nucc_taxonomy_252.csv", None, "only .0 (January) and .1 (July)"),
    ],
)
def test_malformed(sink, data_dir, tmp_path, case, edit, name, line, problem):
    path = _copy(data_dir, tmp_path, edit, name=name)
    with pytest.raises(ImportFormatError) as err:
        nucc_taxonomy.load(path, sink)
    assert_names_place(err.value, path, line, problem, case)
