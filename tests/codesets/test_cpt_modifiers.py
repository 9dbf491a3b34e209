"""Tests for the CPT modifier list importer (codes and CMS flags only, never AMA names)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fixture_edit import assert_names_place, copy_fixture
from fixture_edit import replace_in_line as _replace_in_line

from medcode.codesets import cpt_modifiers
from medcode.errors import ImportFormatError

REL = "modifiers/cpt_modifiers_codes_short_names.csv"


def _copy(data_dir: Path, tmp_path: Path, edit: Callable[[list[bytes]], list[bytes]] | None = None) -> Path:
    return copy_fixture(data_dir / REL, tmp_path, edit, None, b"\n")




def test_source(sink, data_dir):
    cpt_modifiers.load(data_dir / REL, sink)
    assert sink.sources == [dict(dataset="cpt-modifiers", publisher="AMA (codes); CMS I/OCE (flags)",
                                 release="CPT modifier codes with I/OCE 27.1 flags (2026 Q2)",
                                 effective="2026-04-01", complete=True, systems=())]


@pytest.mark.parametrize(
    ("code", "category", "valid", "ncci"),
    [
        ("25", "General", True, True),
        ("26", "General", True, False),
        ("50", "General", True, False),
        ("59", "General", True, True),
        ("62", "General", True, False),
        ("66", "General", True, False),
        ("80", "Assist at Surgery", True, False),
        ("92", None, True, False),
        ("1P", "Physician Quality Reporting System PQRS", False, None),
    ],
)
def test_codes(sink, data_dir, code, category, valid, ncci):
    cpt_modifiers.load(data_dir / REL, sink)
    assert sink.code_map()[code] == dict(system="MODIFIER", code=code, title=None, kind="code",
                                         attrs=dict(category=category, ioce_valid=valid, ioce_version="27.1",
                                                    ncci_associated=ncci))


def test_short_names_never_reach_the_sink(sink, data_dir):
    cpt_modifiers.load(data_dir / REL, sink)
    assert len(sink.codes) == 9
    assert "Fixture name" not in repr(sink.codes)


@pytest.mark.parametrize(
    ("case", "edit", "line", "problem"),
    [
        ("no I/OCE column", _replace_in_line(1, b"valid_in_ioce_v27.1_2026Q2", b"valid"), 1,
         "no valid_in_ioce_<version>_<yyyy>Q<n> column"),
        ("missing column", _replace_in_line(1, b"ioce_ncci_associated", b"ncci"), 1,
         "no column for 'ncci_associated'"),
        ("bad flag", _replace_in_line(3, b",Y,N", b",yes,N"), 3, "ioce_valid flag 'YES' is not Y, N or blank"),
        ("bad code", _replace_in_line(4, b"50,", b"500,"), 4, "modifier '500' is not two characters"),
        ("short row", _replace_in_line(5, b",Y,Y", b",Y"), 5, "expected 5 columns like the header, found 4"),
        ("undecodable byte", _replace_in_line(6, b"Fixture", b"Fi\xfeture"), 6, "cannot be decoded"),
        ("empty file", lambda lines: [b"\n"], 1, "the file is empty"),
    ],
)
def test_malformed(sink, data_dir, tmp_path, case, edit, line, problem):
    path = _copy(data_dir, tmp_path, edit)
    with pytest.raises(ImportFormatError) as err:
        cpt_modifiers.load(path, sink)
    assert_names_place(err.value, path, line, problem, case)
