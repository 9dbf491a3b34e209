"""Content packs: the shipped pack loads and round-trips; malformed packs fail with a located PackError."""

from __future__ import annotations

import copy
import csv
import os
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from medcode.errors import PackError
from medcode.packs import (
    Pack,
    _toml,
    builtin_packs,
    dump_pack,
    from_dict,
    load_builtin_packs,
    load_pack,
    to_dict,
)

CRYO = "peripheral-nerve-cryoablation"


@pytest.fixture(scope="module")
def cryo() -> Pack:
    [pack] = [p for p in load_builtin_packs() if p.id == CRYO]
    return pack


# --------------------------------------------------------------------------------------------
# The shipped pack


def test_builtin_packs_are_found_as_package_data() -> None:
    names = [p.name for p in builtin_packs()]
    assert "cryoablation.toml" in names
    assert names == sorted(names)


def test_cryo_pack_covers_the_family(cryo: Pack) -> None:
    codes = {(e.system, e.code) for e in cryo.codes}
    for code in ("0440T", "0441T", "0442T", "64640", "64999", "64450", "76942", "77002",
                 "77012", "77021", "99213", "99024"):
        assert ("CPT", code) in codes
    for code in ("G90.52", "G57.7", "M79.2", "G89.29"):
        assert ("ICD10CM", code) in codes
    assert all(e.cite and e.label and e.description for e in cryo.codes)
    assert cryo.source and cryo.source.endswith("cryoablation.toml")


@pytest.mark.parametrize("cat3", ["0440T", "0441T", "0442T"])
def test_imaging_is_included_in_category_iii_both_ways(cryo: Pack, cat3: str) -> None:
    [entry] = cryo.entries(cat3, "CPT")
    includes = {r.code for r in entry.related if r.relation == "includes"}
    assert includes == {"76942", "77002", "77012", "77021"}
    for imaging in includes:
        [img] = cryo.entries(imaging, "CPT")
        assert any(r.code == cat3 and r.relation == "included_in" for r in img.related)


def test_category_iii_facts(cryo: Pack) -> None:
    [e] = cryo.entries("0441T")
    facts = {(f.field, f.pair): f.value for f in e.facts}
    assert facts[("fee_schedule.status", None)] == "C"
    assert facts[("fee_schedule.global_days", None)] == "YYY"
    assert facts[("mue.practitioner.units", None)] == 3
    assert facts[("mue.practitioner.mai", None)] == 3
    assert facts[("ncci_ptp.practitioner.column2_modifier_indicator", "64450")] == 0
    assert facts[("ncci_ptp.practitioner.edit_exists", "64640")] is False
    cited = {c for f in e.facts for c in f.cite}
    assert {"cms-pfs-rvu26c", "cms-mue-practitioner-2026q2", "cms-ptp-practitioner-2024q3"} <= cited
    [n] = cryo.entries("64640")
    assert {(f.field, f.value) for f in n.facts} >= {
        ("fee_schedule.status", "A"), ("fee_schedule.global_days", "010"),
        ("fee_schedule.bilateral", 1), ("mue.practitioner.units", 5),
    }


def test_64640_conflict_keeps_positions_apart(cryo: Pack) -> None:
    [conflict] = [c for c in cryo.conflicts_for("64640") if "64640" in c.topic]
    assert set(conflict.codes) >= {"64640", "0440T", "0441T", "0442T"}
    by_cite = {p.cite: p for p in conflict.positions}
    assert by_cite[("cpt-assistant-2019-cryo",)].stance == "conditional"
    assert by_cite[("cgs-j15-2022-cryo",)].stance == "opposes"
    assert cryo.citation("cpt-assistant-2019-cryo").kind == "editorial"
    assert cryo.citation("cgs-j15-2022-cryo").kind == "contractor"


def test_payer_policies_are_cited(cryo: Pack) -> None:
    payers = {c.id for c in cryo.citations if c.kind == "payer"}
    assert {"elevance-surg-00155", "bcbsal-mp-626", "bcbstx-sur701-035"} <= payers
    [e] = cryo.entries("0441T")
    investigational = [g for g in e.guidance if "investigational" in g.text]
    assert investigational and payers & set(investigational[0].cite)


# --------------------------------------------------------------------------------------------
# Round trip


def test_round_trip_through_toml_is_stable(cryo: Pack, tmp_path: Path) -> None:
    text = dump_pack(cryo)
    again = load_pack(text)
    assert again == cryo
    assert to_dict(again) == to_dict(cryo)
    assert dump_pack(again) == text
    path = tmp_path / "copy.toml"
    path.write_text(text, encoding="utf-8")
    assert load_pack(path) == cryo
    assert from_dict(to_dict(cryo)) == cryo


def test_toml_writer_matches_tomllib() -> None:
    data = {
        "a": "quote \" backslash \\ tab \t newline \n del \x7f é",
        "n": 3, "x": 0.1, "t": True, "l": ["x" * 50, "y" * 50],
        "t1": {"k": 1},
        "arr": [{"k": 1, "sub": [{"z": "1"}, {"z": "2"}]}, {"k": 2}],
    }
    assert tomllib.loads(_toml.dumps(data)) == data


# --------------------------------------------------------------------------------------------
# Malformed packs: one table row per problem. Each mutates a small valid pack, writes it to a
# file and expects a PackError with a line "<file>: <where>: ...<fragment>...".

MINIMAL = """
[pack]
id = "mini"
title = "Minimal pack"
version = "1"
updated = "2026-01-01"
authors = ["tests"]

[[citations]]
id = "c1"
authority = "CMS"
title = "A source"
date = "2026-01-01"
kind = "official"

[[codes]]
system = "CPT"
code = "0441T"
label = "Lower-limb nerve cryoablation"
description = "Freezing a leg nerve."
cite = ["c1"]

[[codes.related]]
code = "76942"
relation = "includes"
cite = ["c1"]

[[codes.guidance]]
text = "Imaging is included."
date = "2026-01-01"
cite = ["c1"]

[[codes.facts]]
field = "mue.practitioner.units"
value = 3
cite = ["c1"]

[[codes]]
system = "CPT"
code = "64640"
label = "Peripheral neurolysis"
description = "Destroying a nerve."
cite = ["c1"]

[[conflicts]]
id = "k1"
topic = "Which code?"
codes = ["0441T", "64640"]

[[conflicts.positions]]
cite = ["c1"]
date = "2019"
stance = "conditional"
summary = "One view."

[[conflicts.positions]]
cite = ["c1"]
date = "2022-01-31"
stance = "opposes"
summary = "Another view."
"""

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    """Set a value at a dotted path like ``codes.0.related.0.relation``."""
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]

    def apply(d: dict[str, Any]) -> None:
        for p in parents:
            d = d[p]
        d[last] = value

    return apply


def _del(path: str) -> Mutation:
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]

    def apply(d: dict[str, Any]) -> None:
        for p in parents:
            d = d[p]
        del d[last]

    return apply


def _append(path: str, value: Any) -> Mutation:
    def apply(d: dict[str, Any]) -> None:
        for p in [int(p) if p.isdigit() else p for p in path.split(".")]:
            d = d[p]
        d.append(copy.deepcopy(value))  # type: ignore[attr-defined]

    return apply


BAD: list[tuple[str, Mutation, str, str]] = [
    # unknown key at each level
    ("unknown-top-key", _set("extra", 1), "top level", "unknown key 'extra'"),
    ("unknown-pack-key", _set("pack.titel", "x"), "pack", "unknown key 'titel'"),
    ("unknown-citation-key", _set("citations.0.page", "4"), "citations[0]", "unknown key 'page'"),
    ("unknown-code-key", _set("codes.1.lable", "x"), "codes[1]", "unknown key 'lable'"),
    ("unknown-related-key", _set("codes.0.related.0.relaton", "x"), "codes[0].related[0]", "unknown key 'relaton'"),
    ("unknown-guidance-key", _set("codes.0.guidance.0.level", "x"), "codes[0].guidance[0]", "unknown key 'level'"),
    ("unknown-fact-key", _set("codes.0.facts.0.unit", 1), "codes[0].facts[0]", "unknown key 'unit'"),
    ("unknown-conflict-key", _set("conflicts.0.title", "x"), "conflicts[0]", "unknown key 'title'"),
    ("unknown-position-key", _set("conflicts.0.positions.1.author", "x"), "conflicts[0].positions[1]", "unknown key 'author'"),
    # missing required keys
    ("missing-pack-id", _del("pack.id"), "pack", "missing required key 'id'"),
    ("missing-pack-table", _del("pack"), "top level", "missing required key 'pack'"),
    ("missing-citation-kind", _del("citations.0.kind"), "citations[0]", "missing required key 'kind'"),
    ("missing-code-label", _del("codes.1.label"), "codes[1]", "missing required key 'label'"),
    ("missing-code-cite", _del("codes.1.cite"), "codes[1]", "missing required key 'cite'"),
    ("missing-relation", _del("codes.0.related.0.relation"), "codes[0].related[0]", "missing required key 'relation'"),
    ("missing-position-stance", _del("conflicts.0.positions.0.stance"), "conflicts[0].positions[0]", "missing required key 'stance'"),
    # dates
    ("bad-month", _set("pack.updated", "2026-13-01"), "pack.updated", "not an ISO date"),
    ("partial-updated", _set("pack.updated", "2026-01"), "pack.updated", "YYYY-MM-DD"),
    ("slashed-date", _set("codes.0.guidance.0.date", "01/02/2026"), "codes[0].guidance[0].date", "not an ISO date"),
    ("bad-citation-date", _set("citations.0.date", "2026-02-30"), "citations[0].date", "not an ISO date"),
    # allowed values
    ("bad-system", _set("codes.1.system", "CPT4"), "codes[1].system", "'CPT4' is not allowed"),
    ("bad-relation", _set("codes.0.related.0.relation", "contains"), "codes[0].related[0].relation", "'contains' is not allowed"),
    ("bad-severity", _set("codes.0.guidance.0.severity", "urgent"), "codes[0].guidance[0].severity", "'urgent' is not allowed"),
    ("bad-stance", _set("conflicts.0.positions.0.stance", "maybe"), "conflicts[0].positions[0].stance", "'maybe' is not allowed"),
    ("bad-kind", _set("citations.0.kind", "blog"), "citations[0].kind", "'blog' is not allowed"),
    ("bad-setting", _set("codes.0.settings", ["clinic"]), "codes[0].settings", "'clinic' is not allowed"),
    ("family-for-cpt", _set("codes.0.covers", "family"), "codes[0].covers", "only for ICD10CM"),
    # citations
    ("undefined-cite-code", _set("codes.1.cite", ["nope"]), "codes[1].cite", "'nope' is not a citation id"),
    ("undefined-cite-related", _set("codes.0.related.0.cite", ["c1", "nope"]), "codes[0].related[0].cite", "'nope' is not a citation id"),
    ("undefined-cite-position", _set("conflicts.0.positions.1.cite", ["cms"]), "conflicts[0].positions[1].cite", "'cms' is not a citation id"),
    ("empty-cite", _set("codes.0.facts.0.cite", []), "codes[0].facts[0].cite", "cites nothing"),
    ("duplicate-citation", _append("citations", {"id": "c1", "authority": "A", "title": "T", "date": "2020", "kind": "payer"}),
     "citations[1].id", "defined twice"),
    ("unused-citation", _append("citations", {"id": "c2", "authority": "A", "title": "T", "date": "2020", "kind": "payer"}),
     "citations[1]", "never cited"),
    # code syntax per system
    ("bad-cpt", _set("codes.0.code", "0441X"), "codes[0].code", "not a valid CPT code"),
    ("short-cpt", _set("codes.1.code", "6464"), "codes[1].code", "not a valid CPT code"),
    ("icd-without-dot", lambda d: d["codes"][1].update(system="ICD10CM", code="G90521"), "codes[1].code", "not a valid ICD10CM code"),
    ("hcpcs-letter", lambda d: d["codes"][1].update(system="HCPCS", code="W1234"), "codes[1].code", "not a valid HCPCS code"),
    ("bad-related-code", _set("codes.0.related.0.code", "7694"), "codes[0].related[0].code", "not a valid CPT code"),
    ("bad-modifier", lambda d: d["codes"][0]["related"][0].update(system="MODIFIER", code="RTX"),
     "codes[0].related[0].code", "not a valid MODIFIER code"),
    ("bad-fact-pair", lambda d: d["codes"][0]["facts"].append(
        {"field": "ncci_ptp.practitioner.edit_exists", "pair": "6445", "value": False, "cite": ["c1"]}),
     "codes[0].facts[1].pair", "not a valid CPT code"),
    # facts
    ("unknown-fact-field", _set("codes.0.facts.0.field", "mue.units"), "codes[0].facts[0].field", "unknown fact field 'mue.units'"),
    ("fact-wrong-type", _set("codes.0.facts.0.value", "3"), "codes[0].facts[0].value", "expected int"),
    ("fact-not-allowed", lambda d: d["codes"][0]["facts"][0].update(field="fee_schedule.status", value="Q"),
     "codes[0].facts[0].value", "'Q' is not allowed"),
    ("fact-pair-missing", _set("codes.0.facts.0.field", "ncci_ptp.practitioner.edit_exists"), "codes[0].facts[0].pair", "pair-wise"),
    # structure and consistency
    ("related-not-array", _set("codes.0.related", {"code": "76942"}), "codes[0].related", "array of tables"),
    ("duplicate-code", _append("codes", {"system": "CPT", "code": "64640", "label": "x", "description": "y", "cite": ["c1"]}),
     "codes[2]", "already has an entry"),
    ("self-relation", _set("codes.0.related.0.code", "0441T"), "codes[0].related[0]", "related to itself"),
    ("inverse-mismatch", lambda d: (
        d["codes"][0]["related"].append({"code": "64640", "relation": "alternative", "cite": ["c1"]}),
        d["codes"][1].__setitem__("related", [{"code": "0441T", "relation": "includes", "cite": ["c1"]}])),
     "codes[0]", "expected alternative"),
    ("conflict-code-not-in-pack", _set("conflicts.0.codes", ["0441T", "64999"]), "conflicts[0].codes", "'64999' has no entry"),
    ("conflict-one-position", lambda d: d["conflicts"][0]["positions"].pop(), "conflicts[0].positions", "at least two positions"),
    ("conflict-agreement", _set("conflicts.0.positions.1.stance", "conditional"), "conflicts[0].positions", "same stance"),
    ("position-code-outside-conflict", _set("conflicts.0.positions.0.codes", ["0442T"]), "conflicts[0].positions[0].codes",
     "not one of the conflict's codes"),
    ("label-too-long", _set("codes.0.label", "x" * 101), "codes[0].label", "one line"),
    ("bad-url", _set("citations.0.url", "ftp://x"), "citations[0].url", "http(s)"),
    ("bad-id", _set("pack.id", "Mini Pack"), "pack.id", "not a valid id"),
    ("bad-schema", _set("pack.schema", 2), "pack.schema", "supported schema"),
    ("empty-authors", _set("pack.authors", []), "pack.authors", "at least one author"),
    ("codes-not-array", _set("codes", {"system": "CPT"}), "codes", "array of tables"),
    ("duplicate-relation", _append("codes.0.related", {"code": "76942", "relation": "includes", "cite": ["c1"]}),
     "codes[0].related[1]", "listed twice"),
    ("duplicate-fact", _append("codes.0.facts", {"field": "mue.practitioner.units", "value": 4, "cite": ["c1"]}),
     "codes[0].facts[1]", "stated twice"),
    ("pair-on-plain-fact", _set("codes.0.facts.0.pair", "64450"), "codes[0].facts[0].pair", "not a pair-wise fact"),
    ("pair-system-alone", _set("codes.0.facts.0.pair_system", "CPT"), "codes[0].facts[0].pair_system", "without pair"),
]


def test_minimal_pack_is_valid() -> None:
    pack = load_pack(MINIMAL, name="mini.toml")
    assert [e.code for e in pack.codes] == ["0441T", "64640"]
    assert pack.codes[0].related[0].system == "CPT"  # defaults to the entry's system


def test_native_dates_and_single_cite_are_normalised(tmp_path: Path) -> None:
    text = MINIMAL.replace('updated = "2026-01-01"', "updated = 2026-01-01").replace(
        'label = "Peripheral neurolysis"\ndescription = "Destroying a nerve."\ncite = ["c1"]',
        'label = "Peripheral neurolysis"\ndescription = "Destroying a nerve."\ncite = "c1"',
    )
    assert text.count("updated = 2026-01-01") == 1 and 'cite = "c1"' in text
    path = tmp_path / "mini.toml"
    path.write_text(text, encoding="utf-8")
    pack = load_pack(str(path))
    assert pack == load_pack(MINIMAL)
    assert pack.updated == "2026-01-01" and pack.codes[1].cite == ("c1",)


@pytest.mark.parametrize(("mutate", "where", "fragment"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_malformed_pack_names_file_and_place(mutate: Mutation, where: str, fragment: str, tmp_path: Path) -> None:
    data = tomllib.loads(MINIMAL)
    mutate(data)
    path = tmp_path / "bad.toml"
    path.write_text(_toml.dumps(data), encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(path)
    message = str(info.value)
    lines = [ln for ln in message.splitlines() if ln.startswith(f"{path}: {where}: ")]
    assert any(fragment in ln for ln in lines), message


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"this is not toml at all\n", "not valid TOML"),
        (b"[pack]\nid = \n", "not valid TOML"),
        (b"\xff\xfe\x00binary", "not UTF-8"),
    ],
    ids=["prose", "broken-toml", "binary"],
)
def test_unreadable_files(content: bytes, fragment: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_bytes(content)
    with pytest.raises(PackError, match=re.escape(f"{path}: file: ") + ".*" + fragment):
        load_pack(path)


def test_toml_error_reports_line() -> None:
    with pytest.raises(PackError, match=r"<string>: file: not valid TOML: .*line 2"):
        load_pack("[pack]\nid = \n")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="cannot read"):
        load_pack(tmp_path / "absent.toml")


def test_every_problem_is_reported_at_once() -> None:
    data = tomllib.loads(MINIMAL)
    data["pack"]["updated"] = "soon"
    data["codes"][1]["system"] = "CPT4"
    with pytest.raises(PackError) as info:
        from_dict(data, name="two.toml")
    message = str(info.value)
    assert message.startswith("two.toml: 2 problems")
    assert "two.toml: pack.updated: " in message and "two.toml: codes[1].system: " in message
    assert [w for w, _ in info.value.problems] == ["pack.updated", "codes[1].system"]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------
# No AMA descriptor text in the shipped packs


def _mirror() -> Path:
    """The mirror of official files: $MEDCODE_MIRROR, else ``shared/data`` beside the repository."""
    if os.environ.get("MEDCODE_MIRROR"):
        return Path(os.environ["MEDCODE_MIRROR"])
    beside = Path(__file__).resolve().parents[3] / "shared" / "data"
    return beside if beside.is_dir() else Path("/work/shared/data")


def _rvu_descriptors(path: Path) -> set[str]:
    out: set[str] = set()
    with path.open(encoding="latin-1", newline="") as fh:
        rows = csv.reader(fh)
        cols: list[str] | None = None
        for row in rows:
            if cols is None:
                if row and row[0].strip() == "HCPCS":
                    cols = [c.strip() for c in row]
                continue
            rec = dict(zip(cols, row, strict=False))
            code, desc = rec.get("HCPCS", "").strip(), " ".join(rec.get("DESCRIPTION", "").split())
            if re.fullmatch(r"\d{4}[0-9T]", code) and len(desc) >= 14:
                out.add(desc.lower())
    return out


@pytest.mark.parametrize(
    "relative",
    ["mpfs_rvu/cy2025_rvu25d/PPRRVU2025_Oct.csv", "mpfs_rvu/cy2026_rvu26c_extract/PPRRVU2026_Jul_nonQPP_EXTRACT.csv"],
)
def test_no_cpt_descriptor_text_in_packs(relative: str) -> None:
    rvu = _mirror() / relative
    if not rvu.is_file():
        pytest.skip(f"{rvu} not present")
    descriptors = _rvu_descriptors(rvu)
    assert len(descriptors) > 10
    for pack_file in builtin_packs():
        text = " ".join(pack_file.read_text(encoding="utf-8").split()).lower()
        found = sorted(d for d in descriptors if d in text)
        assert not found, f"{pack_file.name} contains CPT descriptor text: {found[:5]}"
