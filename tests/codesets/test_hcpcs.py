"""Tests for the HCPCS Level II importer (CMS workbook, its 48-column CSV form, derived code list)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from fixture_edit import assert_names_place, copy_fixture
from fixture_edit import replace_in_line as _replace_in_line

from medcode.codesets import hcpcs
from medcode.errors import ImportFormatError

XLSX = "hcpcs/HCPC2025_OCT_ANWEB.xlsx"
CSV48 = "hcpcs/HCPC2025_OCT_ANWEB_48cols.csv"
JAN = "hcpcs/HCPC2026_JAN_codes_short_long_DERIVED.csv"


def _copy(data_dir: Path, tmp_path: Path, rel: str, edit: Callable[[list[bytes]], list[bytes]] | None = None,
          name: str | None = None) -> Path:
    return copy_fixture(data_dir / rel, tmp_path, edit, name, b"\n")




def _workbook(data_dir: Path, tmp_path: Path, edit: Callable[[list[list[str]]], None]) -> Path:
    with (data_dir / CSV48).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    edit(rows)
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    out = tmp_path / Path(XLSX).name
    wb.save(out)
    return out


@pytest.mark.parametrize(
    ("rel", "release", "effective"),
    [
        (XLSX, "HCPCS 2025-10 quarterly update", "2025-10-01"),
        (CSV48, "HCPCS 2025-10 quarterly update", "2025-10-01"),
        (JAN, "HCPCS 2026-01 (derived code list)", "2026-01-01"),
    ],
)
def test_source(sink, data_dir, rel, release, effective):
    hcpcs.load(data_dir / rel, sink)
    assert sink.sources == [dict(dataset="hcpcs", publisher="CMS", release=release, effective=effective,
                                 complete=True, systems=("HCPCS",))]


def _attrs(**kw):
    base = dict(mult_pi=None, statute=None, coverage=None, asc_group=None, asc_date=None, opps=None, opps_pi=None,
                opps_date=None, procnote=None, betos=None, anesthesia_base_units="0", add_date=None,
                action_effective_date=None, termination_date=None, action_code="N", pricing_indicators=[], cim=[],
                mcm=[], lab_cert=[], xref=[], tos=[])
    base.update(kw)
    return base


def _mod_attrs(add, act, term=None):
    return dict(pricing_indicators=[], coverage="C", add_date=add, action_effective_date=act,
                termination_date=term, action_code="N")


EXPECTED_2025 = {
    "JG": dict(system="MODIFIER", code="JG", title="Drug or biological acquired with 340b drug pricing program "
               "discount, reported for informational purposes", short_title="340b acquired drug", kind="code",
               attrs=_mod_attrs("2018-01-01", "2025-01-01", "2024-12-31")),
    "RT": dict(system="MODIFIER", code="RT", title="Right side (used to identify procedures performed on the right "
               "side of the body)", short_title="Right side", kind="code",
               attrs=_mod_attrs("1984-01-01", "1997-01-01")),
    "A0021": dict(system="HCPCS", code="A0021", title="Ambulance service, outside state per mile, transport "
                  "(medicaid only)", short_title="Outside state ambulance serv", billable=True, kind="code",
                  attrs=_attrs(pricing_indicators=["00"], mult_pi="9", xref=["A0030"], coverage="I", betos="O1A",
                               tos=["D"], add_date="1985-01-01", action_effective_date="1996-09-10")),
    "A4397": dict(system="HCPCS", code="A4397", title="Irrigation supply; sleeve, each",
                  short_title="Irrigation supply sleeve", billable=False, kind="code",
                  attrs=_attrs(pricing_indicators=["37"], mult_pi="A", mcm=["2130"], coverage="D", betos="D1F",
                               tos=["P"], add_date="1990-01-01", action_effective_date="2022-01-01",
                               termination_date="2021-12-31")),
    "C9803": dict(system="HCPCS", code="C9803", title="Hospital outpatient clinic visit specimen collection for "
                  "severe acute respiratory syndrome coronavirus  2 (sars-cov-2) (coronavirus disease [covid-19]), "
                  "any specimen source", short_title="Hopd covid-19 spec collect", billable=False, kind="code",
                  attrs=_attrs(pricing_indicators=["53"], mult_pi="A", statute="1833(t)", coverage="D",
                               betos="T1G", tos=["9"], add_date="2020-03-01", action_effective_date="2024-01-01",
                               termination_date="2023-12-31")),
    "J1885": dict(system="HCPCS", code="J1885", title="Injection, ketorolac tromethamine, per 15 mg",
                  short_title="Ketorolac tromethamine inj", billable=True, kind="code",
                  attrs=_attrs(pricing_indicators=["51"], mult_pi="A", mcm=["2049"], coverage="D", asc_group="YY",
                               asc_date="2025-01-01", betos="O1E", tos=["1", "P"], add_date="1993-01-01",
                               action_effective_date="2025-01-01")),
    "E0601": dict(system="HCPCS", code="E0601", title="Continuous positive airway pressure (cpap) device",
                  short_title="Cont airway pressure device", billable=True, kind="code",
                  attrs=_attrs(pricing_indicators=["36"], mult_pi="A", cim=["60-17"], coverage="D", betos="D1E",
                               tos=["R"], add_date="1988-01-01", action_effective_date="2014-01-01")),
}


@pytest.mark.parametrize("rel", [XLSX, CSV48])
@pytest.mark.parametrize("code", sorted(EXPECTED_2025))
def test_anweb_records(sink, data_dir, rel, code):
    hcpcs.load(data_dir / rel, sink)
    assert sink.code_map()[code] == EXPECTED_2025[code]


def test_xlsx_and_csv_copies_agree(sink, data_dir):
    a, b = sink, type(sink)()
    hcpcs.load(data_dir / XLSX, a)
    hcpcs.load(data_dir / CSV48, b)
    assert a.codes == b.codes
    assert [c["code"] for c in a.codes] == ["JG", "LT", "RT", "XS", "A0021", "A4397", "C9803", "E0601", "G0438",
                                            "J1885", "L3000"]


def test_derived_code_list(sink, data_dir):
    hcpcs.load(data_dir / JAN, sink)
    assert [(c["system"], c["code"], c.get("billable"), c["short_title"]) for c in sink.codes] == [
        ("HCPCS", "A4295", True, "Straigh tip hydrophilic cath"),
        ("HCPCS", "C9815", True, "Peristlc pmp nonopioid dev"),
        ("HCPCS", "G0438", True, "Ppps, initial visit"),
        ("HCPCS", "J1885", True, "Ketorolac tromethamine inj"),
        ("MODIFIER", "LT", None, "Left side"),
        ("MODIFIER", "RT", None, "Right side"),
        ("MODIFIER", "XS", None, "Separate organ/structure"),
    ]
    assert sink.code_map()["J1885"]["title"] == "Injection, ketorolac tromethamine, per 15 mg"
    assert "attrs" not in sink.code_map()["J1885"]


def test_continuation_records_extend_the_long_description(sink, data_dir, tmp_path):
    def add_continuation(lines: list[bytes]) -> list[bytes]:
        lines.insert(7, b"A4397,0020,4,and more words" + b"," * 44)
        return lines

    hcpcs.load(_copy(data_dir, tmp_path, CSV48, add_continuation), sink)
    assert sink.code_map()["A4397"]["title"] == "Irrigation supply; sleeve, each and more words"
    assert len(sink.codes) == 11


def test_patterns_pick_one_copy_per_release(tmp_path):
    for rel in (XLSX, "hcpcs/HCPC2025_OCT_ANWEB_48cols.csv.xz", "hcpcs/HCPC2026_JAN_codes_short_long_DERIVED.csv.xz"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"")
    found = sorted(p.name for pattern in hcpcs.PATTERNS for p in tmp_path.glob(pattern))
    assert found == ["HCPC2025_OCT_ANWEB.xlsx", "HCPC2026_JAN_codes_short_long_DERIVED.csv.xz"]


@pytest.mark.parametrize(
    ("case", "rel", "edit", "name", "line", "problem"),
    [
        ("missing column", CSV48, _replace_in_line(1, b",BETOS,", b",BETA,"), None, 1, "no column for 'betos'"),
        ("bad RECID", CSV48, _replace_in_line(3, b",0010,7,", b",0010,5,"), None, 3, "RECID '5' is not 3, 4, 7 or 8"),
        ("bad code", CSV48, _replace_in_line(6, b"A0021,", b"A21,"), None, 6, "'A21' is not a HCPCS Level II code"),
        ("bad modifier", CSV48, _replace_in_line(4, b"   RT,", b"  RTX,"), None, 4, "'RTX' is not a 2-character"),
        ("bad date", CSV48, _replace_in_line(7, b"19900101", b"1990-01-01"), None, 7,
         "add_date '1990-01-01' is not a YYYYMMDD date"),
        ("short row", CSV48, _replace_in_line(8, b",N", b""), None, 8, "expected 48 columns like the header, found 47"),
        ("orphan continuation", CSV48, _replace_in_line(2, b",0010,7,", b",0010,8,"), None, 2,
         "continuation record for 'JG' does not follow its code"),
        ("undecodable byte", CSV48, _replace_in_line(9, b"Cont airway", b"Cont\xff airway"), None, 9,
         "cannot be decoded"),
        ("empty file", CSV48, lambda lines: [b""], None, 1, "the file is empty"),
        ("name without release", CSV48, None, "hcpcs_codes.csv", None, "no HCPC<yyyy>_<MON> release"),
        ("derived: bad code", JAN, _replace_in_line(2, b"A4295,", b"A42955,"), None, 2,
         "neither a HCPCS code nor a 2-character modifier"),
        ("derived: missing column", JAN, _replace_in_line(1, b"SHORT_DESCRIPTION", b"SHORT"), None, 1,
         "no column for 'short'"),
        ("derived: extra column", JAN, _replace_in_line(6, b"Left side,", b"Left side,x,"), None, 6,
         "expected 3 columns like the header, found 4"),
    ],
)
def test_malformed(sink, data_dir, tmp_path, case, rel, edit, name, line, problem):
    path = _copy(data_dir, tmp_path, rel, edit, name=name)
    with pytest.raises(ImportFormatError) as err:
        hcpcs.load(path, sink)
    assert_names_place(err.value, path, line, problem, case)


@pytest.mark.parametrize(
    ("case", "edit", "line", "problem"),
    [
        ("missing column", lambda rows: rows[0].__setitem__(37, "BETA"), 1, "no column for 'betos'"),
        ("bad RECID", lambda rows: rows[4].__setitem__(2, "9"), 5, "RECID '9'"),
        ("bad date", lambda rows: rows[10].__setitem__(44, "1993"), 11, "add_date '1993'"),
        ("empty sheet", lambda rows: rows.clear(), 1, "the file is empty"),
    ],
)
def test_malformed_workbook(sink, data_dir, tmp_path, case, edit, line, problem):
    path = _workbook(data_dir, tmp_path, edit)
    with pytest.raises(ImportFormatError) as err:
        hcpcs.load(path, sink)
    assert err.value.file == str(path)
    assert err.value.line == line, case
    assert problem in err.value.problem, case


def test_corrupt_workbook(sink, tmp_path):
    path = tmp_path / Path(XLSX).name
    path.write_bytes(b"not a zip file")
    with pytest.raises(ImportFormatError) as err:
        hcpcs.load(path, sink)
    assert err.value.file == str(path)
    assert "cannot open the workbook" in err.value.problem
