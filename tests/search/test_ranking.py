"""Search ranking on the fixture knowledge base: coders' queries and what must come first."""

from __future__ import annotations

import pytest

from medcode import Workbench
from medcode.search.query import parse


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("complex regional pain syndrome right leg", "G90.521"),
        ("crps right leg", "G90.521"),
        ("crps rt le", "G90.521"),
        ("right leg complex regional pain syndrome", "G90.521"),  # any word order
        ("complex regional pain syndrome left lower extremity", "G90.522"),
        ("complex regional pain syndrome both legs", "G90.523"),
        ("complex regional pain syndrome lower limb", "G90.529"),  # no side: the unspecified-side code
        ("complx regional pian syndrom right leg", "G90.521"),  # typos
        ("complex regional pain syndrome ri", "G90.521"),  # type-ahead prefix
        ("neuralgia", "M79.2"),
        ("interventional pain", "208VP0014X"),
        ("office", "11"),
    ],
)
def test_first_result(workbench: Workbench, query: str, first: str) -> None:
    hits = workbench.search(query)
    assert hits, query
    assert hits[0].code == first, [(h.code, h.score) for h in hits[:5]]


def test_billable_codes_rank_above_their_header(workbench: Workbench) -> None:
    codes = [h.code for h in workbench.search("complex regional pain syndrome lower limb")]
    assert codes.index("G90.529") < codes.index("G90.52")


@pytest.mark.parametrize(("query", "expected"), [
    ("G90.5", ["G90.5", "G90.50", "G90.52", "G90.521", "G90.522", "G90.523", "G90.529"]),
    ("g9052", ["G90.52", "G90.521", "G90.522", "G90.523", "G90.529"]),
])
def test_code_prefix_lists_the_family(workbench: Workbench, query: str, expected: list[str]) -> None:
    assert [h.code for h in workbench.search(query, limit=20)] == expected


def test_system_filter(workbench: Workbench) -> None:
    assert {h.system for h in workbench.search("pain", system="TAXONOMY")} == {"TAXONOMY"}


def test_cpt_codes_found_by_licensed_descriptor(workbench: Workbench) -> None:
    assert workbench.search("freezing a leg nerve")[0].code == "0441T"


def test_hits_say_what_matched(workbench: Workbench) -> None:
    hit = workbench.search("crps right leg")[0]
    assert hit.match_kind in {"title", "inclusion", "index"} and hit.matched


def test_empty_and_junk_queries(workbench: Workbench) -> None:
    assert workbench.search("") == []
    assert workbench.search("   ") == []
    assert workbench.search('"*(AND OR NEAR') == []
    assert workbench.search("zzzzqqqq") == []


def test_batch(workbench: Workbench) -> None:
    out = list(workbench.search_batch([{"id": "a", "query": "crps right leg"}, {"id": 2, "query": ""}]))
    assert out[0]["id"] == "a" and out[0]["results"][0]["code"] == "G90.521"
    assert out[1] == {"id": 2, "results": []}


@pytest.mark.parametrize(("text", "groups"), [
    ("crps right leg", [["crps", "complex regional pain syndrome"], ["right"], ["leg", "lower limb", "lower leg", "lower extremity"]]),
    ("heart attack", [["heart attack", "myocardial infarction"]]),
    ("pain in the knee", [["pain"], ["knee"]]),
])
def test_query_groups(text: str, groups: list[list[str]]) -> None:
    parsed = parse(text, type_ahead=False)
    assert [[" ".join(a) for a in g.alternatives] for g in parsed.groups] == groups
