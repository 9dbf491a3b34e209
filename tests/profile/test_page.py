"""Code pages: the JSON contract, golden files for rendered pages, absent data said plainly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcode import UnknownCode, Workbench
from medcode.profile import render

GOLDEN = Path(__file__).parent / "golden"


def _check_golden(request: pytest.FixtureRequest, name: str, text: str) -> None:
    path = GOLDEN / name
    if request.config.getoption("--update-golden") or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not request.config.getoption("--update-golden"):
            pytest.fail(f"golden file {name} was missing and has been written: review it and re-run")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (run pytest --update-golden and review the diff)"


@pytest.mark.parametrize("code", ["0441T", "G90.52", "G90.521", "M79.2", "208VP0014X", "11", "J1885", "S82.90XA"])
def test_golden_pages(request: pytest.FixtureRequest, workbench: Workbench, code: str) -> None:
    page = workbench.show(code)
    slug = code.replace(".", "_")
    _check_golden(request, f"{slug}.json", json.dumps(page, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    _check_golden(request, f"{slug}.md", render.markdown(page))


def test_0441t_fee_schedule_and_mue(workbench: Workbench) -> None:
    page = workbench.show("0441T")
    fee = page["fee_schedule"]
    assert fee["status"]["value"] == "C" and fee["global_days"]["value"] == "YYY"
    assert fee["bilateral"]["value"] == "0" and fee["team"]["value"] == "0"
    assert fee["co_surgeons"] == {"value": "0", "meaning": fee["co_surgeons"]["meaning"]}
    assert "62" in fee["co_surgeons"]["meaning"] and "not permitted" in fee["co_surgeons"]["meaning"]
    verdicts = {m["modifier"]: m["verdict"] for m in fee["modifiers"]}
    assert verdicts["50"] == verdicts["62"] == verdicts["66"] == "not_permitted"
    assert page["mue"]["units"] == 3 and page["mue"]["mai"] == 3 and page["mue"]["rationale"]
    assert page["mue"]["source"]["publisher"] == "CMS NCCI"
    content = page["content"][0]
    assert content["pack"] == "peripheral-nerve-cryoablation" and content["citations"]
    assert any(c["codes"] and "64640" in c["codes"] for c in content["conflicts"])


def test_json_contract_keys(workbench: Workbench) -> None:
    page = workbench.show("0441T")
    for key in ("system", "code", "title", "valid", "billable", "children", "fee_schedule", "mue", "sources"):
        assert key in page
    for key in ("status", "global_days", "pctc", "multiple_procedure", "bilateral", "assistant", "co_surgeons", "team"):
        assert set(page["fee_schedule"][key]) == {"value", "meaning"}
    assert set(page["mue"]) >= {"units", "mai", "rationale"}
    assert all({"section", "publisher", "release", "file"} <= set(s) for s in page["sources"])


def test_header_lists_billable_children(workbench: Workbench) -> None:
    page = workbench.show("G90.52")
    assert page["billable"] is False and page["kind"] == "header"
    assert [c["code"] for c in page["billable_children"]] == ["G90.521", "G90.522", "G90.523", "G90.529"]
    assert "lower limb" in page["title"]


def test_icd_notes_carry_refs(workbench: Workbench) -> None:
    notes = workbench.show("M79.2")["notes"]
    assert "excludes1" in notes and any("G56" in " ".join(n["refs"]) or n["refs"] for n in notes["excludes1"])


def test_cpt_without_licensed_file_says_so(kb_nocpt_path: Path) -> None:
    page = Workbench(kb_nocpt_path).show("0441T")
    assert page["title"] is None
    assert any("licensed CPT file" in m for m in page["messages"])


def test_cpt_with_licensed_file_shows_its_descriptor(workbench: Workbench) -> None:
    assert workbench.show("0441T")["title"].startswith("Fixture text")


@pytest.mark.parametrize("code", ["R52.2", "ZZZ.9", "0000T", "12345"])
def test_unknown_codes(workbench: Workbench, code: str) -> None:
    with pytest.raises(UnknownCode, match="not a"):
        workbench.show(code)


def test_undotted_input(workbench: Workbench) -> None:
    assert workbench.show("g90521")["code"] == "G90.521"
