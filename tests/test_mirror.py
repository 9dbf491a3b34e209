"""End to end on the real mirror of official downloads, when one is present.

The mirror is $MEDCODE_MIRROR, else ../shared/data beside the repository (as in CI). These checks
are the P1 acceptance criteria; the rest of the suite runs on tiny fixtures.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcode.cli import app

_ROOT = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("MEDCODE_MIRROR") or _ROOT.parent / "shared" / "data")

pytestmark = pytest.mark.skipif(not (MIRROR / "icd10cm").is_dir(), reason="no mirror of official data here")
runner = CliRunner()


@pytest.fixture(scope="module")
def full_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kb = tmp_path_factory.mktemp("full") / "kb.sqlite"
    result = runner.invoke(app, ["--kb", str(kb), "kb", "build", "--mirror", str(MIRROR)])
    assert result.exit_code == 0, result.output
    return kb


def cli(kb: Path, *args: str):
    return runner.invoke(app, ["--kb", str(kb), *args])


def test_full_build_loads_every_table(full_kb: Path) -> None:
    data = json.loads(cli(full_kb, "kb", "info", "--format", "json").stdout)
    counts = data["counts"]
    assert 98_000 <= counts["codes.ICD10CM"] <= 99_000  # with the 7th-character codes
    assert counts["fee_schedule"] > 19_000 and counts["mue"] > 33_000
    assert counts["codes.TAXONOMY"] == 883 and counts["codes.POS"] == 52
    assert counts["ptp"] > 5_000_000
    publishers = {s["publisher"] for s in data["sources"]}
    assert {"CDC/NCHS", "CMS", "CMS NCCI", "NUCC"} <= publishers


def test_0441t_page(full_kb: Path) -> None:
    page = json.loads(cli(full_kb, "show", "0441T", "--format", "json").stdout)
    fee = page["fee_schedule"]
    assert (fee["status"]["value"], fee["global_days"]["value"]) == ("C", "YYY")
    assert fee["bilateral"]["value"] == "0" and fee["team"]["value"] == "0"
    assert fee["co_surgeons"]["value"] == "0" and "62 not permitted" in fee["co_surgeons"]["meaning"]
    assert (page["mue"]["units"], page["mue"]["mai"]) == (3, 3)
    assert page["content"] and page["content"][0]["citations"]


def test_g9052_header(full_kb: Path) -> None:
    result = cli(full_kb, "show", "G90.52")
    assert result.exit_code == 0
    assert "header" in result.stdout and "lower limb" in result.stdout
    for child in ("G90.521", "G90.522", "G90.523", "G90.529"):
        assert child in result.stdout


def test_r522_is_not_a_code(full_kb: Path) -> None:
    result = cli(full_kb, "show", "R52.2")
    assert result.exit_code == 1 and "not a code" in result.stderr


def test_search_puts_g90521_first(full_kb: Path) -> None:
    result = cli(full_kb, "search", "complex regional pain syndrome right leg", "--format", "json")
    assert json.loads(result.stdout)[0]["code"] == "G90.521"


def test_deleted_code_is_reported(full_kb: Path) -> None:
    page = json.loads(cli(full_kb, "show", "S30.1XXA", "--format", "json").stdout)
    assert page["status"] == "deleted" and page["deleted"]["last_release"] == "FY2025"


def test_claim_checks_on_real_data(full_kb: Path, tmp_path: Path) -> None:
    claim = {"date_of_service": "2026-05-12", "place_of_service": "11", "patient": {"id": "p"},
             "diagnoses": ["G90.521", "G57.71"],
             "lines": [{"code": "0441T", "modifiers": ["RT", "50"], "units": 2, "dx_pointers": [1]},
                       {"code": "64450", "modifiers": ["RT"], "units": 1, "dx_pointers": [1]},
                       {"code": "76942", "units": 1, "dx_pointers": [1]}]}
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(claim))
    result = cli(full_kb, "check", str(path), "--format", "json")
    assert result.exit_code == 1
    found = {(f["rule"], f["severity"]) for f in json.loads(result.stdout)}
    assert {("icd-excludes1", "error"), ("mpfs-bilateral", "error"), ("ncci-ptp", "error"),
            ("pack-included", "error")} <= found
