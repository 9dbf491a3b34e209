"""Time claims: checked against the public office-visit time facts for the dates of service the
text is about, a warning everywhere else (never "ok" without a source)."""

from __future__ import annotations

import pytest

from medcode import Workbench
from medcode.audit import time_claims

# (text, claim, verdict)
CASES = [
    # 2021-2023: ranges
    ("In 2022, 99214 typically takes 30-39 minutes.", "99214 takes 30-39 minutes", "ok"),
    ("In 2022, 99214 typically takes 30–39 minutes.", "99214 takes 30-39 minutes", "ok"),
    ("For 2023 visits 99213 takes between 20 and 29 minutes.", "99213 takes 20-29 minutes", "ok"),
    ("In 2021, 99204 takes 30-44 minutes.", "99204 takes 30-44 minutes", "wrong"),
    ("In 2022, 99213 takes about 15 minutes.", "99213 takes about 15 minutes", "wrong"),
    ("In 2022, 99215 requires at least 40 minutes.", "99215 takes at least 40 minutes", "ok"),
    ("In 2023, 99205 takes about an hour.", "99205 takes about 60 minutes", "ok"),
    ("In 2023, 99212 is a 25-minute visit.", "99212 takes about 25 minutes", "wrong"),
    # from 2024: thresholds to meet or exceed; the next level ends the level
    ("Since 2024, 99214 requires 30 minutes or more.", "99214 takes at least 30 minutes", "ok"),
    ("In 2025, 99214 takes 30-44 minutes.", "99214 takes 30-44 minutes", "wrong"),
    ("In 2025, 99214 takes 30-39 minutes.", "99214 takes 30-39 minutes", "ok"),
    ("In 2024, 99205 requires at least 74 minutes.", "99205 takes at least 74 minutes", "wrong"),
    ("In 2026, 99212 takes about 15 minutes.", "99212 takes about 15 minutes", "ok"),
    ("In 2026, 99215 takes more than 39 minutes.", "99215 takes at least 40 minutes", "ok"),
    # no public time source: a warning that says so
    ("0441T takes about 45 minutes.", "0441T takes about 45 minutes", "warning"),
    ("In 2022, 99211 takes 5 minutes.", "99211 takes about 5 minutes", "warning"),
    ("In 2019, 99213 took about 15 minutes.", "99213 takes about 15 minutes", "warning"),  # before the facts
]


@pytest.mark.parametrize(("text", "claim", "verdict"), CASES, ids=[c[0][:40] for c in CASES])
def test_time_claims(visits_workbench: Workbench, text: str, claim: str, verdict: str) -> None:
    got = {v["claim"]: v for v in visits_workbench.audit(text)}
    assert claim in got, got
    assert got[claim]["verdict"] == verdict
    assert got[claim]["expected"] and got[claim]["source"]


def test_warning_names_the_missing_source(visits_workbench: Workbench) -> None:
    [v] = [v for v in visits_workbench.audit("0441T takes about 45 minutes.") if "minutes" in v["claim"]]
    assert "no public time source is loaded for 0441T" in v["expected"]


def test_facts_cite_the_cms_guide(visits_workbench: Workbench) -> None:
    [v] = visits_workbench.audit("In 2022, 99214 typically takes 30-39 minutes.")
    assert "MLN" in v["source"] and "em-office-visit-time" in v["source"]
    assert "2021-01-01 to 2023-12-31" in v["expected"] and "2022" in v["expected"]


def test_year_named_earlier_in_the_text_applies(visits_workbench: Workbench) -> None:
    text = "Office visit time guide for 2022.\n99214 takes 30-39 minutes. 99203 takes 30 minutes or more."
    got = {v["claim"]: v["verdict"] for v in visits_workbench.audit(text)}
    assert got == {"99214 takes 30-39 minutes": "ok", "99203 takes at least 30 minutes": "ok"}


def test_each_time_goes_to_its_own_code(visits_workbench: Workbench) -> None:
    text = ("In 2023, 99213 (20-29 minutes) and 99214 (30-39 minutes) are common. "
            "In 2021, 99212 and 99215 took 10-19 and 40-54 minutes respectively.")
    got = {v["claim"]: v["verdict"] for v in visits_workbench.audit(text)}
    assert got == {"99213 takes 20-29 minutes": "ok", "99214 takes 30-39 minutes": "ok",
                   "99212 takes 10-19 minutes": "ok", "99215 takes 40-54 minutes": "ok"}


@pytest.mark.parametrize("text", [
    "G2212 is reported for each additional 15 minutes.",
    "Observe the patient for 15 minutes after J1885 is given within 30 minutes of arrival.",
    "J1885 is billed per 15 mg; 2000 mg is the most in a day.",
])
def test_units_and_intervals_are_not_time_claims(visits_workbench: Workbench, text: str) -> None:
    assert not [v for v in visits_workbench.audit(text) if "minutes" in v["claim"] and "takes" in v["claim"]]


def test_no_year_means_today(visits_workbench: Workbench, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time_claims, "dates_for", lambda years: [f"{y}-07-01" for y in years] or ["2026-11-22"])
    got = {v["claim"]: v for v in visits_workbench.audit("99213 takes 15 minutes. 99214 typically takes 30-39 minutes.")}
    assert got["99213 takes about 15 minutes"]["verdict"] == "wrong"
    assert got["99214 takes 30-39 minutes"]["verdict"] == "ok"
    assert "no year named" in got["99214 takes 30-39 minutes"]["expected"]


def test_facts_come_from_builtin_packs_when_the_kb_predates_them() -> None:
    class EmptyKB:
        def pack_ids(self) -> list[str]:
            return []

    facts = time_claims.facts(EmptyKB())  # type: ignore[arg-type]
    assert [str(t.fact.value) for t in facts["99214"]] == ["30-39", "30+"]
    assert facts["99214"][1].fact.holds_on("2024-01-01") and not facts["99214"][0].fact.holds_on("2024-01-01")
