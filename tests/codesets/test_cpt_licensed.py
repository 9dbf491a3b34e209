"""Tests for the licensed AMA CPT file importer (header tables and plain code lists).

All descriptors in the fixtures are invented; no AMA text is stored in this repository.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from fixture_edit import assert_names_place, copy_fixture
from fixture_edit import replace_in_line as _replace_in_line

from medcode.codesets import cpt_licensed
from medcode.errors import ImportFormatError

CLIN = "cpt_licensed/ClinicianDescriptor_2026.txt"
LONG = "cpt_licensed/LONGULT.txt"
SHORT = "cpt_licensed/SHORTU.txt"


def _copy(data_dir: Path, tmp_path: Path, rel: str, edit: Callable[[list[bytes]], list[bytes]] | None = None,
          name: str | None = None) -> Path:
    return copy_fixture(data_dir / rel, tmp_path, edit, name, b"\r\n")




def _cpt(code: str, text: str) -> dict:
    return dict(system="CPT", code=code, title=text, billable=True, kind="code")


def test_source_from_file_name_year(sink, data_dir):
    cpt_licensed.load(data_dir / CLIN, sink)
    assert sink.sources == [dict(dataset="cpt-licensed", publisher="AMA (user licensed file)",
                                 release="CPT 2026 (user licensed file)", effective="2026-01-01", complete=False,
                                 systems=())]


@pytest.mark.parametrize(
    ("how", "year", "release", "effective"),
    [
        ("argument", 2025, "CPT 2025 (user licensed file)", "2025-01-01"),
        ("folder name", None, "CPT 2027 (user licensed file)", "2027-01-01"),
        ("nothing", None, "user file", "2024-05-06"),
    ],
)
def test_release_year(sink, data_dir, tmp_path, how, year, release, effective):
    folder = tmp_path / ("2027 Data File Standard" if how == "folder name" else "licensed")
    folder.mkdir()
    path = _copy(data_dir, folder, LONG)
    os.utime(path, (1715000000, 1715000000))  # 2024-05-06 UTC
    cpt_licensed.load(path, sink, year=year)
    assert (sink.sources[0]["release"], sink.sources[0]["effective"]) == (release, effective)


def test_clinician_table(sink, data_dir):
    cpt_licensed.load(data_dir / CLIN, sink)
    assert sink.codes == [
        _cpt("0441T", "Fixture text: freezing a leg nerve through the skin"),
        _cpt("64640", "Fixture text: destroying a peripheral nerve branch"),
        _cpt("99213", "Fixture text: office follow-up visit, low complexity"),
    ]
    assert sink.terms == [("CPT", "0441T", "Fixture text: cold ablation of a lower-limb nerve", "synonym")]


def test_consumer_table(sink, tmp_path):
    path = tmp_path / "ConsumerDescriptor_2026.txt"
    path.write_text("Concept Id\tCPT Code\tConsumer Friendly Descriptor\n1\t0440T\tFixture: arm nerve freeze\n",
                    encoding="utf-8")
    cpt_licensed.load(path, sink)
    assert sink.codes == [_cpt("0440T", "Fixture: arm nerve freeze")]


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        (LONG, [_cpt("0440T", "Fixture text: freezing an arm nerve through the skin"),
                _cpt("0441T", "Fixture text: freezing a leg nerve through the skin"),
                _cpt("64640", "Fixture text: destroying a peripheral nerve branch"),
                _cpt("99213", "Fixture text: office follow-up visit")]),
        (SHORT, [_cpt("0440T", "FIXTURE ARM NERVE FREEZE"), _cpt("0441T", "FIXTURE LEG NERVE FREEZE"),
                 _cpt("99213", "FIXTURE OFFICE VISIT")]),
    ],
)
def test_plain_lists(sink, data_dir, rel, expected):
    cpt_licensed.load(data_dir / rel, sink, year=2026)
    assert sink.codes == expected
    assert sink.terms == []


def test_no_patterns():
    assert cpt_licensed.PATTERNS == []


@pytest.mark.parametrize(
    ("case", "rel", "edit", "line", "problem"),
    [
        ("table: no descriptor column", CLIN, _replace_in_line(1, b"Id\tClinician Descriptor", b"Id\tText"), 1,
         "no '... Descriptor' column"),
        ("table: short row", CLIN, _replace_in_line(3, b"\t20000002\tFixture text: cold ablation of a lower-limb nerve",
                                                    b""), 3, "expected at least 4 tab-separated columns, found 2"),
        ("table: bad code", CLIN, _replace_in_line(4, b"\t64640\t", b"\t6464\t"), 4, "'6464' is not a CPT code"),
        ("table: empty descriptor", CLIN, _replace_in_line(5, b"Fixture text: office follow-up visit, low complexity",
                                                           b" "), 5, "CPT 99213 has an empty descriptor"),
        ("plain: garbage line", LONG, _replace_in_line(6, b"64640\t", b"64640:"), 6, "expected '<code> <descriptor>'"),
        ("plain: no code lines", LONG, lambda lines: lines[:3], 1, "neither a 'CPT Code' header nor"),
        ("undecodable byte", LONG, _replace_in_line(5, b"Fixture", b"Fi\x81ture"), 5, "cannot be decoded"),
        ("empty file", LONG, lambda lines: [b""], 1, "the file is empty"),
    ],
)
def test_malformed(sink, data_dir, tmp_path, case, rel, edit, line, problem):
    path = _copy(data_dir, tmp_path, rel, edit)
    with pytest.raises(ImportFormatError) as err:
        cpt_licensed.load(path, sink, year=2026)
    assert_names_place(err.value, path, line, problem, case)
