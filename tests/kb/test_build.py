"""The knowledge-base build: sources, versioning, atomicity (including a killed build)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medcode import Workbench
from medcode.errors import ImportFormatError, KBNotBuilt, UnknownCode
from medcode.kb.build import build


def _sources(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT dataset, publisher, release, effective, file_name, sha256, row_count FROM sources").fetchall()


def test_sources_record_every_file(kb_path: Path) -> None:
    rows = _sources(kb_path)
    files = {r[4] for r in rows}
    for name in ("icd10cm_tabular_April-1-2026.xml", "PPRRVU2025_Oct.csv", "PPRRVU2026_Jul_nonQPP.csv",
                 "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv", "nucc_taxonomy_251.csv", "cms_pos.json",
                 "HCPC2025_OCT_ANWEB.xlsx", "ClinicianDescriptor_2026.txt"):
        assert name in files
    for _dataset, publisher, release, effective, _file, sha, count in rows:
        assert publisher and release and len(effective) == 10 and len(sha) == 64 and count > 0


def test_superseded_ptp_release_is_not_loaded(kb_path: Path) -> None:
    files = {r[4] for r in _sources(kb_path)}
    assert "ncci_ptp_practitioner_v302r0_eff2024-07-01_DERIVED.csv" in files
    assert "ncci_ptp_practitioner_v301r0_eff2024-04-01_DERIVED.csv" not in files


def test_info_lists_sources(workbench: Workbench) -> None:
    info = workbench.info()
    assert info["meta"]["schema_version"] == "1"
    assert any(s["publisher"] == "CDC/NCHS" for s in info["sources"])
    assert info["counts"]["codes.ICD10CM"] > 30


def test_missing_kb_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KBNotBuilt, match="medcode kb build"):
        Workbench(tmp_path / "none.sqlite").show("G90.521")


def test_failed_build_keeps_previous_kb(mirror_copy: Path, tmp_path: Path) -> None:
    target = tmp_path / "kb.sqlite"
    build(target, mirror_copy)
    before = target.read_bytes()
    (mirror_copy / "ncci_mue" / "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv").write_text(
        "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n0441T,three,3 x,y\n"
    )
    with pytest.raises(ImportFormatError, match="MCR_MUE_PractitionerServices_Eff_04-01-2026.csv, line 2"):
        build(target, mirror_copy)
    assert target.read_bytes() == before
    assert not list(tmp_path.glob("kb.sqlite.building-*"))


def test_killed_build_keeps_previous_kb(mirror_copy: Path, tmp_path: Path) -> None:
    target = tmp_path / "kb.sqlite"
    build(target, mirror_copy)
    before = target.read_bytes()
    # A large PTP table makes the build long enough to kill it mid-way.
    big = mirror_copy / "ncci_ptp" / "ncci_ptp_outpatient_hospital_v302r0_eff2024-07-01_DERIVED.csv"
    with big.open("w") as f:
        f.write("column1,column2,deletion_date,modifier_indicator,ptp_edit_rationale\n")
        for i in range(600_000):
            f.write(f"{10000 + i % 89999:05d},{20000 + i // 89999:05d},*,1,Standards of medical / surgical practice\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; from medcode.kb.build import build; "
         "build(Path(sys.argv[1]), Path(sys.argv[2]))", str(target), str(mirror_copy)],
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("kb.sqlite.building-*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)
    assert proc.poll() is None, "build finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert target.read_bytes() == before
    assert Workbench(target).show("G90.521")["title"].startswith("Complex regional pain syndrome I")
    # the next build clears the leftover temporary file
    build(target, mirror_copy)
    assert not list(tmp_path.glob("kb.sqlite.building-*"))


def test_build_without_mirror_uses_packaged_icd10cm(tmp_path: Path) -> None:
    target = tmp_path / "kb.sqlite"
    report = build(target, None)
    assert report.files[0]["importer"] == "icd10cm-tabular"
    assert report.counts["codes.ICD10CM"] > 90_000
    page = Workbench(target).show("G90.52")
    assert page["billable"] is False
    assert [c["code"] for c in page["billable_children"]] == ["G90.521", "G90.522", "G90.523", "G90.529"]


def test_deleted_code_reports_last_release(mirror_copy: Path, tmp_path: Path) -> None:
    # An older order file that still lists a code the newer releases dropped.
    older = mirror_copy / "icd10cm" / "icd10cm_order_2025.tsv"
    with older.open("a", encoding="utf-8") as f:
        f.write("00099\tG9058\tG90.58\t1\tFixture code dropped later\tFixture code dropped later\n")
    target = tmp_path / "kb.sqlite"
    build(target, mirror_copy)
    wb = Workbench(target)
    page = wb.show("G90.58")
    assert page["status"] == "deleted" and page["valid"] is False
    assert page["deleted"]["last_release"] == "FY2025"
    assert page["deleted"]["absent_from"].startswith("FY2026")
    old = wb.show("G90.58", as_of="2025-01-15")
    assert old["status"] == "active" and old["valid"] is True
    with pytest.raises(UnknownCode):
        wb.show("G90.57")


def test_as_of_before_any_loaded_release(workbench: Workbench) -> None:
    page = workbench.show("G90.521", as_of="2019-01-01")
    assert page["status"] == "before_loaded_releases" and page["valid"] is None
    assert "No ICD10CM release loaded" in page["messages"][0]


def test_as_of_before_the_code_was_added(workbench: Workbench) -> None:
    page = workbench.show("M79.2", as_of="2025-01-15")  # the fixture's FY2025 order file lacks it
    assert page["status"] == "not_yet_effective" and page["valid"] is False
