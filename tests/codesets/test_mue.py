"""Tests for the NCCI MUE importer (practitioner, outpatient hospital, DME layouts)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fixture_edit import assert_names_place, copy_fixture
from fixture_edit import replace_in_line as _replace_in_line

from medcode.codesets import mue
from medcode.errors import ImportFormatError

PRAC = "ncci_mue/MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"
OPH = "ncci_mue/MCR_MUE_OutpatientHospitalServices_Eff_04-01-2026.csv"
DME = "ncci_mue/MCR_MUE_DMESupplierServices_Eff_04-01-2026.csv"
HEADER_LINE = 7  # the banner cell spans lines 1-5, the header record lines 6-7 (reported where it ends)
FIRST_DATA = 8


def _copy(data_dir: Path, tmp_path: Path, rel: str, edit: Callable[[list[bytes]], list[bytes]] | None = None,
          name: str | None = None) -> Path:
    return copy_fixture(data_dir / rel, tmp_path, edit, name, b"\n")




@pytest.mark.parametrize(
    ("rel", "setting"),
    [(PRAC, "practitioner"), (OPH, "outpatient_hospital"), (DME, "dme")],
)
def test_source(sink, data_dir, rel, setting):
    mue.load(data_dir / rel, sink)
    assert sink.sources == [dict(dataset=f"ncci-mue-{setting}", publisher="CMS NCCI",
                                 release=f"MUE {setting.replace('_', ' ')} effective 2026-04-01",
                                 effective="2026-04-01", complete=True, systems=())]


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        (PRAC, [
            ("practitioner", "0440T", 3, 3, "Clinical: CMS Workgroup"),
            ("practitioner", "0441T", 3, 3, "Clinical: CMS Workgroup"),
            ("practitioner", "0442T", 3, 3, "Clinical: CMS Workgroup"),
            ("practitioner", "20552", 1, 2, "Code Descriptor / CPT Instruction"),
            ("practitioner", "64450", 10, 3, "Clinical: Data"),
            ("practitioner", "64640", 5, 3, "Clinical: Data"),
            ("practitioner", "76942", 1, 3, "CMS Policy"),
            ("practitioner", "77002", 1, 3, "CMS Policy"),
            ("practitioner", "99213", 2, 3, "Clinical: Data"),
            ("practitioner", "G0438", 1, 2, "Code Descriptor / CPT Instruction"),
            ("practitioner", "J1885", 8, 3, "Prescribing Information"),
            ("practitioner", "L3000", 0, 3, "CMS Policy"),
        ]),
        (OPH, [
            ("outpatient_hospital", "0441T", 3, 3, "Clinical: CMS Workgroup"),
            ("outpatient_hospital", "64640", 5, 3, "Clinical: Data"),
            ("outpatient_hospital", "77002", 1, 3, "Clinical: Data"),
            ("outpatient_hospital", "L3000", 2, 3, "Anatomic Consideration"),
        ]),
        (DME, [
            ("dme", "A6460", 1, 1, "Clinical: CMS Workgroup"),
            ("dme", "E0601", 1, 3, "Nature of Equipment"),
            ("dme", "L3000", 2, 3, "Anatomic Consideration"),
        ]),
    ],
)
def test_rows(sink, data_dir, rel, expected):
    mue.load(data_dir / rel, sink)
    assert sink.mues == expected


def test_header_without_banner_and_extract_name(sink, data_dir, tmp_path):
    """The mirror's extract has a one-line header and no banner; extracts are incomplete."""
    path = _copy(data_dir, tmp_path, PRAC, lambda lines: [b"HCPCS/CPT Code,Practitioner Services MUE Values,"
                                                         b"MUE Adjudication Indicator,MUE Rationale"] + lines[7:9],
                 name="MCR_MUE_PractitionerServices_Eff_04-01-2026_EXTRACT.csv")
    mue.load(path, sink)
    assert sink.sources[0]["complete"] is False
    assert sink.mues == [("practitioner", "0440T", 3, 3, "Clinical: CMS Workgroup"),
                         ("practitioner", "0441T", 3, 3, "Clinical: CMS Workgroup")]


def test_blank_mai_and_rationale_are_none(sink, data_dir, tmp_path):
    path = _copy(data_dir, tmp_path, DME, _replace_in_line(FIRST_DATA, b"1 Line Edit,Clinical: CMS Workgroup", b","))
    mue.load(path, sink)
    assert sink.mues[0] == ("dme", "A6460", 1, None, None)


def test_skip_pattern():
    assert mue.SKIP.search("MCR_MUE_PractitionerServices_Eff_04-01-2026_EXTRACT.csv")
    assert not mue.SKIP.search("MCR_MUE_PractitionerServices_Eff_04-01-2026.csv")


@pytest.mark.parametrize(
    ("case", "rel", "edit", "name", "line", "problem"),
    [
        ("missing column", PRAC, _replace_in_line(HEADER_LINE, b",MUE Rationale", b",Why"), None, HEADER_LINE,
         "no column for 'rationale'"),
        ("no units column", PRAC, _replace_in_line(HEADER_LINE, b"MUE Values", b"Limits"), None, HEADER_LINE,
         "no '<Setting> Services MUE Values' column"),
        ("unknown setting", PRAC, _replace_in_line(HEADER_LINE, b"Practitioner", b"Ambulance"), None,
         HEADER_LINE, "unknown MUE setting"),
        ("setting disagrees with name", OPH, None, "MCR_MUE_DMESupplierServices_Eff_04-01-2026.csv", HEADER_LINE,
         "header says 'outpatient_hospital' but the file name says 'dme'"),
        ("non-numeric units", PRAC, _replace_in_line(FIRST_DATA + 1, b",3,3 ", b",three,3 "), None, FIRST_DATA + 1,
         "MUE value 'three' for 0441T is not a whole number"),
        ("fractional units", PRAC, _replace_in_line(FIRST_DATA, b",3,3 ", b",2.5,3 "), None, FIRST_DATA,
         "is not a whole number"),
        ("bad MAI", PRAC, _replace_in_line(FIRST_DATA + 2, b",3 Date", b",Date"), None, FIRST_DATA + 2,
         "does not start with 1, 2 or 3"),
        ("extra column", PRAC, _replace_in_line(FIRST_DATA + 3, b"Instruction", b"Instruction,x"), None,
         FIRST_DATA + 3, "expected 4 columns like the header, found 5"),
        ("bad code", PRAC, _replace_in_line(FIRST_DATA, b"0440T,", b"04-0T,"), None, FIRST_DATA,
         "'04-0T' is not a HCPCS/CPT code"),
        ("undecodable byte", PRAC, _replace_in_line(FIRST_DATA + 4, b"Clinical", b"Clin\x81cal"), None,
         FIRST_DATA + 4, "cannot be decoded"),
        ("unbalanced quote", PRAC, _replace_in_line(FIRST_DATA + 4, b"Clinical: Data", b'"Clinical: Data'), None,
         FIRST_DATA + 4, "runs over several lines"),
        ("empty file", PRAC, lambda lines: [b"   "], None, 1, "the file is empty"),
        ("no header", PRAC, lambda lines: lines[:5] + lines[7:], None, 17, "no 'HCPCS/CPT Code' header row"),
        ("no date in name", PRAC, None, "MCR_MUE_PractitionerServices.csv", None, "no '_Eff_MM-DD-YYYY'"),
    ],
)
def test_malformed(sink, data_dir, tmp_path, case, rel, edit, name, line, problem):
    path = _copy(data_dir, tmp_path, rel, edit, name=name)
    with pytest.raises(ImportFormatError) as err:
        mue.load(path, sink)
    assert_names_place(err.value, path, line, problem, case)
