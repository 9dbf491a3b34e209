"""Tests for the PFS Relative Value file importer (CY2025 and CY2026 layouts)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fixture_edit import assert_names_place, copy_fixture
from fixture_edit import replace_in_line as _replace_in_line

from medcode.codesets import mpfs_rvu
from medcode.errors import ImportFormatError

F2025 = "mpfs_rvu/PPRRVU2025_Oct.csv"
F2026 = "mpfs_rvu/PPRRVU2026_Jul_nonQPP.csv"
HEADER_LINE = 10  # the row starting with HCPCS in both fixtures
FIRST_DATA = 11


def _copy(data_dir: Path, tmp_path: Path, rel: str, edit: Callable[[list[bytes]], list[bytes]] | None = None,
          name: str | None = None) -> Path:
    return copy_fixture(data_dir / rel, tmp_path, edit, name, b"\r\n")


def _set_line(n: int, value: bytes) -> Callable[[list[bytes]], list[bytes]]:
    def edit(lines: list[bytes]) -> list[bytes]:
        lines[n - 1] = value
        return lines
    return edit




@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        (F2025, dict(dataset="mpfs-rvu", publisher="CMS", release="2025 October release, released 2025-09-11",
                     effective="2025-10-01", complete=True, systems=("CPT",))),
        (F2026, dict(dataset="mpfs-rvu", publisher="CMS", release="2026 July release (non-QPP), released 2026-06-30",
                     effective="2026-07-01", complete=True, systems=("CPT",))),
    ],
)
def test_source(sink, data_dir, rel, expected):
    mpfs_rvu.load(data_dir / rel, sink)
    assert sink.sources == [expected]


def _row(pctc="0", glob="XXX", mult="0", bilat="0", asst="0", co="0", team="0", **kw):
    base = dict(status="A", not_used_for_medicare=None, work_rvu=0.0, nonfac_pe_rvu=0.0, nonfac_na=None,
                fac_pe_rvu=0.0, fac_na=None, mp_rvu=0.0, nonfac_total=0.0, fac_total=0.0, pctc=pctc,
                global_days=glob, pre_op=0.0, intra_op=0.0, post_op=0.0, mult_proc=mult, bilateral=bilat,
                assistant=asst, co_surgeons=co, team=team, pricing_indicator=None, endo_base=None,
                conv_factor=32.3465, phys_supervision="09", calc_flag="0", imaging_family="99",
                opps_nonfac_pe=0.0, opps_fac_pe=0.0, opps_mp=0.0)
    base.update(kw)
    return base


CRYO_2025 = _row(status="C", glob="YYY")
CRYO_2026 = _row(status="C", glob="YYY", pricing_indicator="9", conv_factor=33.4009)


@pytest.mark.parametrize(
    ("rel", "code", "modifier", "fields"),
    [
        (F2025, "0440T", "", CRYO_2025),
        (F2025, "0441T", "", CRYO_2025),
        (F2025, "0442T", "", CRYO_2025),
        (F2025, "64450", "", _row(glob="000", mult="2", bilat="1", asst="1", work_rvu=0.75, nonfac_pe_rvu=1.40,
                                  fac_pe_rvu=0.42, mp_rvu=0.07, nonfac_total=2.22, fac_total=1.24)),
        (F2025, "64640", "", _row(glob="010", mult="2", bilat="1", asst="1", work_rvu=1.98, nonfac_pe_rvu=5.26,
                                  fac_pe_rvu=1.43, mp_rvu=0.21, nonfac_total=7.45, fac_total=3.62,
                                  pre_op=0.10, intra_op=0.80, post_op=0.10)),
        (F2025, "64999", "", _row(status="C", glob="YYY", mult="2", co="1", team="1")),
        (F2025, "76942", "26", _row(pctc="1", work_rvu=0.67, nonfac_pe_rvu=0.20, fac_pe_rvu=0.20, mp_rvu=0.03,
                                    nonfac_total=0.90, fac_total=0.90)),
        (F2025, "76942", "TC", _row(pctc="1", nonfac_pe_rvu=0.86, fac_pe_rvu=0.86, fac_na="NA", mp_rvu=0.01,
                                    nonfac_total=0.87, fac_total=0.87, phys_supervision="03")),
        (F2025, "77002", "", _row(pctc="1", glob="ZZZ", work_rvu=0.54, nonfac_pe_rvu=2.83, fac_pe_rvu=2.83,
                                  fac_na="NA", mp_rvu=0.04, nonfac_total=3.41, fac_total=3.41)),
        (F2025, "99024", "", _row(status="B", pctc="9", mult="9", bilat="9", asst="9", co="9", team="9")),
        (F2025, "99213", "", _row(work_rvu=1.30, nonfac_pe_rvu=1.35, fac_pe_rvu=0.57, mp_rvu=0.10,
                                  nonfac_total=2.75, fac_total=1.97)),
        (F2025, "22526", "", _row(status="N", not_used_for_medicare="+", glob="010", pctc="9", mult="9", bilat="9",
                                  asst="9", co="9", team="9", work_rvu=5.85, nonfac_pe_rvu=49.39, fac_pe_rvu=3.38,
                                  mp_rvu=0.60, nonfac_total=55.84, fac_total=9.83, pre_op=0.10, intra_op=0.80,
                                  post_op=0.10)),
        (F2025, "43239", "", _row(glob="000", mult="3", asst="1", endo_base="43235", work_rvu=2.39,
                                  nonfac_pe_rvu=8.36, fac_pe_rvu=1.42, mp_rvu=0.29, nonfac_total=11.04,
                                  fac_total=4.10)),
        (F2026, "0441T", "", CRYO_2026),
        (F2026, "64640", "", _row(glob="010", mult="2", bilat="1", asst="1", work_rvu=1.93, nonfac_pe_rvu=5.86,
                                  fac_pe_rvu=1.19, mp_rvu=0.22, nonfac_total=8.01, fac_total=3.34, pre_op=0.10,
                                  intra_op=0.80, post_op=0.10, pricing_indicator="9", conv_factor=33.4009)),
        (F2026, "77002", "TC", _row(pctc="1", glob="ZZZ", nonfac_pe_rvu=2.81, fac_pe_rvu=2.81, fac_na="NA",
                                    mp_rvu=0.01, nonfac_total=2.82, fac_total=2.82, phys_supervision="03",
                                    pricing_indicator="9", conv_factor=33.4009)),
    ],
)
def test_fee_rows(sink, data_dir, rel, code, modifier, fields):
    mpfs_rvu.load(data_dir / rel, sink)
    rows = {(c, m): f for c, m, f in sink.fees}
    assert rows[(code, modifier)] == fields


@pytest.mark.parametrize(
    ("rel", "n_fees", "cpt_codes"),
    [
        (F2025, 17, ["0440T", "0441T", "0442T", "22526", "43239", "64450", "64640", "64999", "76942", "77002",
                     "99024", "99213"]),
        (F2026, 12, ["0440T", "0441T", "0442T", "64450", "64640", "76942", "77002", "99213"]),
    ],
)
def test_cpt_codes_announced_once_without_text(sink, data_dir, rel, n_fees, cpt_codes):
    mpfs_rvu.load(data_dir / rel, sink)
    assert len(sink.fees) == n_fees
    assert [c["code"] for c in sink.codes] == cpt_codes  # once each, G0438 is not CPT-shaped
    assert all(c == {"system": "CPT", "code": c["code"], "title": None, "billable": None, "kind": "code"}
               for c in sink.codes)
    # the DESCRIPTION column never reaches the sink
    assert "Fixture item" not in repr((sink.codes, sink.fees, sink.sources))


def test_fields_match_documentation(sink, data_dir):
    for rel in (F2025, F2026):
        mpfs_rvu.load(data_dir / rel, sink)
    assert all(set(f) == set(mpfs_rvu.FIELDS) for _, _, f in sink.fees)


@pytest.mark.parametrize(
    ("name", "dataset", "complete", "systems"),
    [
        ("PPRRVU2026_Jul_nonQPP_EXTRACT.csv", "mpfs-rvu", False, ()),
        ("PPRRVU2026_Jul_QPP.csv", "mpfs-rvu-qpp", True, ("CPT",)),
    ],
)
def test_variants_from_file_name(sink, data_dir, tmp_path, name, dataset, complete, systems):
    path = _copy(data_dir, tmp_path, F2026, name=name)
    mpfs_rvu.load(path, sink)
    src = sink.sources[0]
    assert (src["dataset"], src["complete"], src["systems"]) == (dataset, complete, systems)


def test_release_from_file_name_when_banner_lacks_title(sink, data_dir, tmp_path):
    path = _copy(data_dir, tmp_path, F2025, _set_line(1, b",," + b"," * 28))
    mpfs_rvu.load(path, sink)
    assert sink.sources[0]["effective"] == "2025-10-01"
    assert sink.sources[0]["release"] == "2025 October release, released 2025-09-11"


@pytest.mark.parametrize(
    ("case", "edit", "name", "line", "problem"),
    [
        ("missing column", _replace_in_line(HEADER_LINE - 1, b",WORK,", b",,"), None, HEADER_LINE,
         "no column for 'work_rvu'"),
        ("non-numeric RVU", _replace_in_line(FIRST_DATA, b",0.00,", b",abc,"), None, FIRST_DATA,
         "work_rvu value 'abc' is not a number"),
        ("short row", _replace_in_line(FIRST_DATA + 2, b",99,", b","), None, FIRST_DATA + 2,
         "expected 31 columns like the header, found 30"),
        ("bad code", _replace_in_line(FIRST_DATA + 1, b"0441T,", b"441T,"), None, FIRST_DATA + 1,
         "HCPCS '441T' is not a 5-character code"),
        ("no status", _replace_in_line(FIRST_DATA, b",C,", b",,"), None, FIRST_DATA, "has no status code"),
        ("undecodable byte", _replace_in_line(FIRST_DATA + 3, b"Fixture", b"Fi\x81ture"), None, FIRST_DATA + 3,
         "cannot be decoded"),
        ("empty file", lambda lines: [b""], None, 1, "the file is empty"),
        ("no header", lambda lines: lines[:5], None, 5, "no header row starting with 'HCPCS'"),
        ("no release anywhere", _set_line(1, b",," + b"," * 28), "rvu_fixture.csv", 2,
         "no PPRRVU<year>_<Mon> file name"),
        ("bad month", _replace_in_line(1, b"October", b"Octember"), None, 1, "'Octember' is not a month name"),
    ],
)
def test_malformed(sink, data_dir, tmp_path, case, edit, name, line, problem):
    path = _copy(data_dir, tmp_path, F2025, edit, name=name)
    with pytest.raises(ImportFormatError) as err:
        mpfs_rvu.load(path, sink)
    assert_names_place(err.value, path, line, problem, case)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("status", "C", "Carrier (contractor) priced"),
        ("status", "A", "Active"),
        ("global_days", "YYY", "contractor decides"),
        ("global_days", "ZZZ", "Add-on code"),
        ("pctc", "1", "modifier 26"),
        ("bilateral", "0", "modifier 50 is not appropriate"),
        ("co_surgeons", "0", "modifier 62 not permitted"),
        ("team", "0", "modifier 66 not permitted"),
        ("assistant", "2", "may be paid"),
        ("mult_proc", "2", "50%"),
        ("status", "Q", None),
        ("work_rvu", "1", None),
        ("team", None, None),
    ],
)
def test_meaning(field, value, expected):
    got = mpfs_rvu.meaning(field, value)
    assert (got is None) if expected is None else (expected in got)


@pytest.mark.parametrize(
    ("field", "values", "modifiers"),
    [
        ("status", "ABCDEFIMNPRTX", ()),
        ("global_days", ["000", "010", "090", "MMM", "XXX", "YYY", "ZZZ"], ()),
        ("pctc", "0123456789", ("26", "TC")),
        ("mult_proc", "0123456789", ("51",)),
        ("bilateral", "01239", ("50",)),
        ("assistant", "0129", ("80", "81", "82")),
        ("co_surgeons", "0129", ("62",)),
        ("team", "0129", ("66",)),
    ],
)
def test_meanings_table_is_complete(field, values, modifiers):
    assert all(mpfs_rvu.meaning(field, v) for v in values)
    assert mpfs_rvu.governed_modifiers(field) == modifiers
    assert field in mpfs_rvu.MEANINGS
