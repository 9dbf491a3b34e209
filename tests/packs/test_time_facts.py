"""Facts stated per period of dates of service, and the office-visit time pack built on them."""

from __future__ import annotations

import pytest

from medcode.errors import PackError
from medcode.packs import dump_pack, from_dict, load_builtin_packs, load_pack

PACK = "em-office-visit-time"

# CMS MLN E/M Services Guide: 2021-2023 ranges; from 2024 one figure to meet or exceed.
FIGURES = {
    "99202": ("15-29", "15+"), "99203": ("30-44", "30+"), "99204": ("45-59", "45+"), "99205": ("60-74", "60+"),
    "99212": ("10-19", "10+"), "99213": ("20-29", "20+"), "99214": ("30-39", "30+"), "99215": ("40-54", "40+"),
}


def _pack(*facts: dict) -> dict:
    return {
        "pack": {"id": "t", "title": "T", "version": "1", "updated": "2026-01-01", "authors": ["tests"]},
        "citations": [{"id": "c1", "authority": "CMS", "title": "A source", "date": "2026", "kind": "official"}],
        "codes": [{"system": "CPT", "code": "99214", "label": "A visit level", "description": "A visit.",
                   "cite": ["c1"], "facts": list(facts)}],
    }


def _fact(value: str, effective: str | None = None, ends: str | None = None) -> dict:
    f = {"field": "time.total_minutes", "value": value, "cite": ["c1"]}
    if effective:
        f["effective"] = effective
    if ends:
        f["ends"] = ends
    return f


def test_time_pack_states_each_level_per_period() -> None:
    [pack] = [p for p in load_builtin_packs() if p.id == PACK]
    assert {e.code for e in pack.codes} == set(FIGURES)
    for entry in pack.codes:
        old, new = entry.facts
        assert (old.value, new.value) == FIGURES[entry.code]
        assert (old.effective, old.ends, new.effective, new.ends) == ("2021-01-01", "2023-12-31", "2024-01-01", None)
        assert old.holds_on("2023-12-31") and not old.holds_on("2024-01-01") and new.holds_on("2030-06-30")
    assert "MLN006764" in pack.citation("cms-mln-em-guide").title
    assert load_pack(dump_pack(pack)) == pack


def test_periods_that_do_not_overlap_are_fine() -> None:
    pack = from_dict(_pack(_fact("30-39", "2021", "2023"), _fact("30+", "2024-01")))
    old, new = pack.codes[0].facts
    assert old.holds_on("2023-12-31") and not old.holds_on("2020-12-31")
    assert new.holds_on("2024-01-01") and not new.holds_on("2023-12-31")


@pytest.mark.parametrize(("facts", "fragment"), [
    ((_fact("30-39", "2021-01-01"), _fact("30+", "2024-01-01")), "stated twice for overlapping dates"),
    ((_fact("30-39"), _fact("30+")), "stated twice"),
    ((_fact("30-39", "2024-01-01", "2023-12-31"),), "before effective"),
    ((_fact("thirty"),), "does not look like"),
    ((_fact("30-39", "2021-13-01"),), "not an ISO date"),
])
def test_bad_periods_are_refused(facts: tuple, fragment: str) -> None:
    with pytest.raises(PackError) as info:
        from_dict(_pack(*facts), name="t.toml")
    assert fragment in str(info.value)
