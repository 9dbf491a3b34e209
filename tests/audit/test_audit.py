"""Audit of coding content: planted errors are found, correct statements pass."""

from __future__ import annotations

import pytest

from medcode import Workbench

TEXT = """\
Cryoablation of a leg nerve is reported with 0441T. Append modifier 50 to 0441T when both legs are treated.
Modifier 62 does not apply to 0441T. Modifier 26 may be used with 76942.
G90.52 (Complex regional pain syndrome I of lower limb) is a billable code.
G90.529 is billable.
For the right leg use G90.521 (Complex regional pain syndrome I of left lower limb).
G90.522 - Complex regional pain syndrome I of left lower limb.
R52.2 (Chronic pain, other) is also used.
Report the provider as 208VP0014X (Interventional Pain Medicine).
64640 has a 90-day global period. 0441T may be billed up to 3 units per day. 64640 allows up to 8 units per day.
"""

EXPECTED = [
    ("modifier 50 applies to 0441T", "wrong"),
    ("modifier 62 does not apply to 0441T", "ok"),
    ("modifier 26 applies to 76942", "ok"),
    ('G90.52 is titled "Complex regional pain syndrome I of lower limb"', "ok"),
    ("G90.52 is billable", "wrong"),
    ("G90.529 is billable", "ok"),
    ('G90.521 is titled "Complex regional pain syndrome I of left lower limb"', "wrong"),
    ("G90.521 is left", "wrong"),
    ('G90.522 is titled "Complex regional pain syndrome I of left lower limb"', "ok"),
    ("R52.2 is a code", "invalid"),
    ('208VP0014X is the specialty "Interventional Pain Medicine"', "ok"),
    ("64640 has a 90-day global period", "wrong"),
    ("0441T allows up to 3 units a day", "ok"),
    ("64640 allows up to 8 units a day", "wrong"),
]


@pytest.fixture(scope="module")
def verdicts(workbench: Workbench) -> dict[str, str]:
    return {v["claim"]: v["verdict"] for v in workbench.audit(TEXT)}


@pytest.mark.parametrize(("claim", "verdict"), EXPECTED, ids=[c for c, _ in EXPECTED])
def test_claims(verdicts: dict[str, str], claim: str, verdict: str) -> None:
    assert verdicts.get(claim) == verdict, verdicts


def test_no_false_alarms_on_correct_text(workbench: Workbench) -> None:
    text = ("G90.521 (Complex regional pain syndrome I of right lower limb) is billable. "
            "Modifier 50 is not appropriate with 0441T. M79.2 - Neuralgia and neuritis, unspecified.")
    assert {v["verdict"] for v in workbench.audit(text)} <= {"ok", "warning"}


def test_every_verdict_names_its_source(workbench: Workbench) -> None:
    for v in workbench.audit(TEXT):
        if v["verdict"] != "invalid":
            assert v["source"], v
