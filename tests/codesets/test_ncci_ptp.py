"""Tests for the NCCI PTP importer: CMS text layout, derived CSVs and I/OCE hospital pairs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fixture_edit import assert_names_place, copy_fixture
from fixture_edit import replace_in_line as _replace_in_line

from medcode.codesets import ncci_ptp
from medcode.errors import ImportFormatError

PRA = "ncci_ptp/ccipra-v302r0-f1.txt"
OPH = "ncci_ptp/ccioph-v321r0-f1.txt"
DER = "ncci_ptp/ncci_ptp_practitioner_v302r0_eff2024-07-01_DERIVED.csv"
DER_1996 = "ncci_ptp/ncci_ptp_practitioner_v301r0_eff2024-04-01_DERIVED.csv"
IOCE = "ncci_ptp/ncci_ptp_hospital_from_IOCE_v20.2-v27.1_2019Q3-2026Q2_DERIVED.csv"
MIS = "Misuse of Column Two code with Column One code"
CPTM = "CPT Manual or CMS manual coding instruction"


def _copy(data_dir: Path, tmp_path: Path, rel: str, edit: Callable[[list[bytes]], list[bytes]] | None = None,
          name: str | None = None) -> Path:
    return copy_fixture(data_dir / rel, tmp_path, edit, name, b"\r\n" if rel.endswith(".txt") else b"\n")




def _ptp(setting, c1, c2, eff, dele, mod, prior, rationale):
    return dict(setting=setting, column1=c1, column2=c2, effective=eff, deletion=dele, modifier_indicator=mod,
                prior_1996=prior, rationale=rationale)


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        (PRA, dict(dataset="ncci-ptp-practitioner", publisher="CMS NCCI", release="NCCI PTP practitioner v30.2r0",
                   effective="2024-07-01", complete=False, systems=())),
        (OPH, dict(dataset="ncci-ptp-outpatient_hospital", publisher="CMS NCCI",
                   release="NCCI PTP outpatient hospital v32.1r0", effective="2026-04-01", complete=False,
                   systems=())),
        (DER, dict(dataset="ncci-ptp-practitioner", publisher="CMS NCCI",
                   release="NCCI PTP practitioner v30.2r0 (derived table)", effective="2024-07-01", complete=True,
                   systems=())),
        (DER_1996, dict(dataset="ncci-ptp-practitioner", publisher="CMS NCCI",
                        release="NCCI PTP practitioner v30.1r0 (derived table)", effective="2024-04-01",
                        complete=True, systems=())),
        (IOCE, dict(dataset="ncci-ptp-ioce-hospital", publisher="CMS (I/OCE NCCI hospital edits)",
                    release="I/OCE 27.1 hospital PTP", effective="2026-04-01", complete=True, systems=())),
    ],
)
def test_source(sink, data_dir, rel, expected):
    ncci_ptp.load(data_dir / rel, sink)
    assert sink.sources == [expected]


PRA_ROWS = [
    _ptp("practitioner", "0001A", "90473", "2020-12-11", "2022-01-01", "9", False, CPTM),
    _ptp("practitioner", "0440T", "0228T", "2018-01-01", "2020-12-31", "0", False, MIS),
    _ptp("practitioner", "0440T", "64450", "2018-01-01", None, "0", False, MIS),
    _ptp("practitioner", "0441T", "0213T", "2018-01-01", None, "0", False, MIS),
    _ptp("practitioner", "0441T", "36000", "2018-01-01", None, "1", False, MIS),
    _ptp("practitioner", "0441T", "64450", "2018-01-01", None, "0", False, MIS),
    _ptp("practitioner", "0441T", "99213", "2017-01-01", "2019-12-31", "1", False, CPTM),
    _ptp("practitioner", "0441T", "99213", "2021-01-01", None, "1", False, CPTM),
    _ptp("practitioner", "0442T", "64450", "2018-01-01", None, "0", False, MIS),
    _ptp("practitioner", "10060", "10040", "1996-01-01", None, "1", True, "Standards of medical/surgical practice"),
    _ptp("practitioner", "46505", "64640", "2014-01-01", None, "1", False, MIS),
    _ptp("practitioner", "64640", "20552", "2015-01-01", None, "1", False, CPTM),
    _ptp("practitioner", "64640", "64450", "2015-01-01", None, "1", False, "Standards of medical/surgical practice"),
    _ptp("practitioner", "64642", "0440T", "2020-01-01", None, "1", False, "Mutually exclusive procedures"),
]


def _derived(row: dict) -> dict:
    return {**row, "effective": None, "prior_1996": None}


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        (PRA, PRA_ROWS),
        (OPH, [
            _ptp("outpatient_hospital", "0441T", "64450", "2019-07-01", None, "1", False, MIS),
            _ptp("outpatient_hospital", "0441T", "99213", "2020-10-01", None, "1", False, CPTM),
            _ptp("outpatient_hospital", "64640", "20552", "2019-07-01", None, "1", False, CPTM),
        ]),
        (DER, [_derived(r) for r in PRA_ROWS]),
        (DER_1996, [
            _ptp("practitioner", "0442T", "64450", None, None, "0", False, MIS),
            _ptp("practitioner", "10060", "10040", None, None, "1", True, "Standards of medical/surgical practice"),
            _ptp("practitioner", "46505", "64640", None, None, "1", False, MIS),
        ]),
        (IOCE, [
            _ptp("outpatient_hospital", "0441T", "0228T", "2019-07-01", "2020-12-31", "1", None, None),
            _ptp("outpatient_hospital", "0441T", "64450", "2019-07-01", None, "1", None, None),
            _ptp("outpatient_hospital", "0441T", "99213", "2019-07-01", "2019-12-31", "1", None, None),
            _ptp("outpatient_hospital", "0441T", "99213", "2020-10-01", None, "1", None, None),
            _ptp("outpatient_hospital", "64640", "20552", "2019-07-01", None, "1", None, None),
            _ptp("outpatient_hospital", "64642", "0440T", "2019-07-01", None, "1", None, None),
            _ptp("outpatient_hospital", "0441T", "69990", "2019-07-01", None, "0", None, None),
        ]),
    ],
)
def test_rows(sink, data_dir, rel, expected):
    ncci_ptp.load(data_dir / rel, sink)
    assert sink.ptps == expected


def test_single_line_header_and_combined_file(sink, data_dir, tmp_path):
    """A one-line header reads the same; a file without -fN is a complete table."""
    header = (b"Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\t"
              b"Modifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale")
    path = _copy(data_dir, tmp_path, PRA, lambda lines: [lines[0], header] + lines[6:], name="ccipra-v302r0.txt")
    ncci_ptp.load(path, sink)
    assert sink.sources[0]["complete"] is True
    assert sink.ptps == PRA_ROWS


def test_compressed_copy_and_newest_quarter_from_data(sink, data_dir, tmp_path):
    """An .xz copy streams the same; without version/quarter in the name they come from the data."""
    path = _copy(data_dir, tmp_path, IOCE, name="hospital_pairs_ioce_DERIVED.csv.xz")
    ncci_ptp.load(path, sink)
    assert sink.sources[0]["release"] == "I/OCE 27.1 hospital PTP"
    assert sink.sources[0]["effective"] == "2020-10-01"
    assert len(sink.ptps) == 7


def test_patterns_and_skip():
    assert ncci_ptp.SKIP.search("ncci_ptp_EXTRACT_0440T_0441T_0442T_64640.csv")
    assert not ncci_ptp.SKIP.search(Path(DER).name)


@pytest.mark.parametrize(
    ("case", "rel", "edit", "name", "line", "problem"),
    [
        ("missing column", PRA, _replace_in_line(3, b"\tPTP Edit Rationale", b"\tWhy"), None, 3,
         "no column for 'rationale'"),
        ("no header", PRA, lambda lines: lines[:2] + lines[6:], None, 16, "no 'Column 1' header line"),
        ("bad modifier", PRA, _replace_in_line(8, b"\t0\t", b"\t2\t"), None, 8, "modifier indicator '2'"),
        ("bad date", PRA, _replace_in_line(9, b"20180101", b"2018-01-01"), None, 9,
         "effective date '2018-01-01' is not a YYYYMMDD date"),
        ("bad month", PRA, _replace_in_line(9, b"20180101", b"20181301"), None, 9, "is not a valid date"),
        ("bad prior flag", PRA, _replace_in_line(10, b"\t\t2018", b"\tY\t2018"), None, 10, "pre-1996 flag 'Y'"),
        ("short row", PRA, _replace_in_line(10, b"\t0\tMisuse of Column Two code with Column One code", b""),
         None, 10, "expected 7 tab-separated columns, found 5"),
        ("empty column 2", PRA, _replace_in_line(12, b"0441T\t64450", b"0441T\t"), None, 12,
         "column 1 or column 2 code is empty"),
        ("undecodable byte", PRA, _replace_in_line(13, b"CPT Manual", b"CPT\x81Manual"), None, 13,
         "byte 0x81 cannot be decoded"),
        ("empty file", PRA, lambda lines: [b""], None, 1, "the file is empty"),
        ("name without version", PRA, None, "ptp_practitioner.txt", None, "ccipra-/ccioph-vNNNrR"),
        ("derived: wrong column count", DER, _replace_in_line(4, b",0,", b",0,x,"), None, 4,
         "expected 5 comma-separated columns, found 6"),
        ("derived: bad deletion date", DER, _replace_in_line(3, b"2020-12-31", b"12/31/2020"), None, 3,
         "deletion date '12/31/2020' is not a YYYY-MM-DD date"),
        ("derived: bad modifier", DER, _replace_in_line(5, b",0,", b",,"), None, 5, "modifier indicator ''"),
        ("derived: missing column", DER, _replace_in_line(1, b"ptp_edit_rationale", b"why"), None, 1,
         "no column for 'rationale'"),
        ("derived: undecodable byte", DER, _replace_in_line(6, b"Misuse", b"Mis\xffuse"), None, 6,
         "cannot be decoded"),
        ("derived: name without release", DER, None, "ncci_ptp_practitioner_DERIVED.csv", None,
         "cannot tell setting and release"),
        ("derived: bad pre-1996 flag", DER_1996, _replace_in_line(3, b",*,", b",yes,"), None, 3,
         "pre-1996 flag 'yes'"),
        ("ioce: bad from date", IOCE, _replace_in_line(4, b"2019-07-01", b"2019-7-1"), None, 4,
         "in_ioce_from '2019-7-1'"),
        ("ioce: bad to date", IOCE, _replace_in_line(2, b"2020-12-31", b"-"), None, 2, "in_ioce_to '-'"),
        ("ioce: short row", IOCE, _replace_in_line(5, b",*", b""), None, 5,
         "expected 7 comma-separated columns, found 6"),
        ("ioce: missing column", IOCE, _replace_in_line(1, b"in_ioce_to", b"until"), None, 1,
         "no column for 'to'"),
        ("mirror extract layout", DER, _replace_in_line(1, b"column1,", b"table,column1,"), None, 1,
         "EXTRACT layout"),
    ],
)
def test_malformed(sink, data_dir, tmp_path, case, rel, edit, name, line, problem):
    path = _copy(data_dir, tmp_path, rel, edit, name=name)
    with pytest.raises(ImportFormatError) as err:
        ncci_ptp.load(path, sink)
    assert_names_place(err.value, path, line, problem, case)


def test_broken_compressed_stream(sink, data_dir, tmp_path):
    good = _copy(data_dir, tmp_path, DER, name="x.csv.xz").read_bytes()
    path = tmp_path / Path(DER).with_suffix(".csv.xz").name
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(ImportFormatError) as err:
        ncci_ptp.load(path, sink)
    assert err.value.file == str(path)
    assert err.value.line is not None
    assert "compressed stream is broken" in err.value.problem
