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


def _one_by_one(kb, claims):
    """The findings ``edits.check`` gives, worked out without the bulk prefetch: each look-up
    on demand, claim by claim (the reference the batched path must match exactly)."""
    from medcode import edits
    from medcode.edits.context import Context

    ctx = Context(kb)
    keyed = []
    for index, c in enumerate(claims):
        for rule in edits.RULES.values():
            for f in rule(ctx, c):
                keyed.append((edits._ORDER[f.severity], index, f.lines, dict(f.as_dict(), claim=c.id)))
    for rule in edits.CROSS_CLAIM_RULES.values():
        keyed += [(edits._ORDER[f.severity], len(claims), f.lines, f.as_dict()) for f in rule(ctx, claims)]
    keyed.sort(key=lambda k: k[:3])
    return [k[3] for k in keyed]


def test_batch_matches_one_by_one(workbench: Workbench) -> None:
    from medcode import edits

    data = [dict(c[1], id=c[0]) for c in CASES]
    data += [claim([{"code": "0441T", "modifiers": ["RT"]}, {"code": "64450", "modifiers": ["59"]}, {"code": "99213"}],
                   dx=("G90.521", "g90.52", "M79.2", "Z99.99"), dos=dos, cid=f"mix-{dos}", pos=pos)
             for dos in ("2020-01-02", "2025-01-02", "2026-05-12") for pos in ("11", "22")]
    data.append(claim([{"code": "0441T"}, {"code": "12345X"}, {"code": "A9999"}], cid="odd codes"))
    claims = [edits.from_dict(d) for d in data]
    batched = edits.check(workbench.kb, claims)
    assert batched == _one_by_one(workbench.kb, claims)
    assert {f["rule"] for f in batched} >= {"code-unknown", "code-not-yet-effective", "data-coverage", "ncci-ptp", "dx-header"}


def test_one_code_on_dates_in_different_releases(workbench: Workbench) -> None:
    # The state of a code is memoised per set of releases in force, not per claim: both answers hold.
    early = claim([{"code": "64640"}], dx=("M79.2",), dos="2025-01-02", cid="early")
    late = claim([{"code": "64640"}], dx=("M79.2",), dos="2026-05-12", cid="late")
    found = workbench.check([early, late, dict(early, id="early again")])
    not_yet = [f["claim"] for f in found if f["rule"] == "code-not-yet-effective"]
    assert not_yet == ["early", "early again"]


def test_check_leaves_the_garbage_collector_as_it_was(workbench: Workbench) -> None:
    import gc

    workbench.check(claim([{"code": "0441T"}]))
    assert gc.isenabled()
