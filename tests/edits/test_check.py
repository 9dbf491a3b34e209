"""Claim checks on the fixture knowledge base: each rule with a case that fires and one that must not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcode import Workbench
from medcode.cli import app
from medcode.edits import ClaimError


def claim(lines, dx=("G90.521",), dos="2026-05-12", pos="11", patient="p1", cid="c1"):
    return {"id": cid, "date_of_service": dos, "place_of_service": pos, "patient": {"id": patient},
            "diagnoses": list(dx), "lines": [dict({"units": 1, "modifiers": [], "dx_pointers": [1]}, **ln) for ln in lines]}


def rules(findings, severity=None):
    return {(f["rule"], f["severity"]) if severity is None else f["rule"] for f in findings
            if severity is None or f["severity"] == severity}


CASES = [
    # (name, claim, rule that must fire as (rule, severity), or None for "no errors")
    ("clean single line", claim([{"code": "0441T", "modifiers": ["RT"]}]), None),
    ("unknown procedure", claim([{"code": "0999T"}]), ("code-unknown", "error")),
    ("unknown diagnosis", claim([{"code": "64640"}], dx=("R52.2",)), ("code-unknown", "error")),
    ("header diagnosis", claim([{"code": "64640"}], dx=("G90.52",)), ("dx-header", "error")),
    ("missing 7th character", claim([{"code": "64640"}], dx=("S82.90",)), ("dx-missing-7th-character", "error")),
    ("diagnosis added in a later release", claim([{"code": "64640"}], dx=("M79.2",), dos="2025-01-02"), ("code-not-yet-effective", "error")),
    ("date before any loaded release", claim([{"code": "64640"}], dos="2020-01-02"), ("data-coverage", "info")),
    ("50 with bilateral 0", claim([{"code": "0441T", "modifiers": ["50"]}]), ("mpfs-bilateral", "error")),
    ("62 with co-surgeons 0", claim([{"code": "0441T", "modifiers": ["62"]}]), ("mpfs-co-surgeons", "error")),
    ("66 with team 0", claim([{"code": "0441T", "modifiers": ["66"]}]), ("mpfs-team", "error")),
    ("26 where PC/TC is 0", claim([{"code": "0441T", "modifiers": ["26"]}]), ("mpfs-pctc", "error")),
    ("26 where PC/TC is 1 is fine", claim([{"code": "76942", "modifiers": ["26"]}]), None),
    ("51 with no multiple-procedure rule", claim([{"code": "0441T", "modifiers": ["51"]}]), ("mpfs-multiple-procedure", "warning")),
    ("status B", claim([{"code": "99024"}]), ("mpfs-status", "warning")),
    ("PTP indicator 0", claim([{"code": "0441T", "modifiers": ["RT"]}, {"code": "64450", "modifiers": ["RT"]}]), ("ncci-ptp", "error")),
    ("PTP indicator 1 without modifier", claim([{"code": "0441T"}, {"code": "99213"}]), ("ncci-ptp", "error")),
    ("PTP indicator 1 with 25", claim([{"code": "0441T"}, {"code": "99213", "modifiers": ["25"]}]), ("ncci-ptp", "info")),
    ("MUE per day exceeded", claim([{"code": "0441T", "units": 2}, {"code": "0441T", "units": 2}]), ("ncci-mue", "error")),
    ("MUE within limit", claim([{"code": "0441T", "units": 3}]), None),
    ("imaging included in cryoablation", claim([{"code": "0441T"}, {"code": "76942"}]), ("pack-included", "error")),
    ("laterality conflict", claim([{"code": "0441T", "modifiers": ["LT"]}]), ("laterality-conflict", "error")),
    ("no Excludes1 between unrelated codes", claim([{"code": "64640"}], dx=("G90.521", "R52")), None),
]


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rules(workbench: Workbench, name: str, data: dict, expected) -> None:
    found = workbench.check(data)
    if expected is None:
        assert not [f for f in found if f["severity"] == "error"], found
    else:
        assert expected in rules(found), found


def test_findings_cite_their_source(workbench: Workbench) -> None:
    found = workbench.check(claim([{"code": "0441T", "modifiers": ["50"]}, {"code": "64450"}]))
    assert all(f["source"] for f in found if f["rule"] in ("mpfs-bilateral", "ncci-ptp"))
    assert all(set(f) >= {"rule", "severity", "message", "lines", "codes", "source"} for f in found)


def test_global_period_across_claims(workbench: Workbench) -> None:
    proc = claim([{"code": "64640"}], dos="2026-05-12", cid="a")
    visit = claim([{"code": "99213"}], dos="2026-05-18", cid="b")
    postop = claim([{"code": "99024"}], dos="2026-05-18", cid="c")
    later = claim([{"code": "99213"}], dos="2026-06-30", cid="d")
    found = workbench.check([proc, visit, postop, later])
    glob = [f for f in found if f["rule"] == "global-period"]
    assert {(f["severity"], f["codes"][1]) for f in glob} == {("warning", "99213"), ("info", "99024")}


@pytest.mark.parametrize("bad", [
    {"date_of_service": "12/05/2026", "lines": [{"code": "0441T"}]},
    {"date_of_service": "2026-05-12", "lines": []},
    {"date_of_service": "2026-05-12", "lines": [{"code": "0441T", "units": 0}]},
    {"date_of_service": "2026-05-12", "diagnoses": ["G90.521"], "lines": [{"code": "0441T", "dx_pointers": [2]}]},
])
def test_malformed_claims(workbench: Workbench, bad: dict) -> None:
    with pytest.raises(ClaimError):
        workbench.check(bad)


def test_cli_and_csv(kb_path: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "lines.csv"
    csv_file.write_text("claim_id,date_of_service,place_of_service,patient_id,diagnoses,code,modifiers,units,dx_pointers\n"
                        "1,2026-05-12,11,p1,G90.521,0441T,50,1,1\n1,2026-05-12,11,p1,G90.521,64450,,1,1\n")
    result = CliRunner().invoke(app, ["--kb", str(kb_path), "check", str(csv_file), "--format", "json"])
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert {"mpfs-bilateral", "ncci-ptp"} <= {f["rule"] for f in found}
