"""Tests for the CDC tabular XML importer, on a hand-written excerpt in the CDC layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcode.codesets import icd10cm_tabular
from medcode.errors import ImportFormatError

FIXTURE = "icd10cm/icd10cm_tabular_April-1-2026.xml"


@pytest.fixture
def loaded(sink, data_dir: Path):
    icd10cm_tabular.load(data_dir / FIXTURE, sink)
    return sink


# (code, kind, billable, parent, title): every code the fixture yields, in emission order.
CODES = [
    ("1", "chapter", None, None, "Certain infectious and parasitic diseases (A00-B99)"),
    ("B99", "category", False, "1", "Other and unspecified infectious diseases"),
    ("B99.8", "code", True, "B99", "Other infectious disease"),
    ("B99.9", "code", True, "B99", "Unspecified infectious disease"),
    ("6", "chapter", None, None, "Diseases of the nervous system (G00-G99)"),
    ("G89-G99", "block", None, "6", "Other disorders of the nervous system (G89-G99)"),
    ("G90", "category", False, "G89-G99", "Disorders of autonomic nervous system"),
    ("G90.5", "header", False, "G90", "Complex regional pain syndrome I (CRPS I)"),
    ("G90.50", "code", True, "G90.5", "Complex regional pain syndrome I, unspecified"),
    ("G90.52", "header", False, "G90.5", "Complex regional pain syndrome I of lower limb"),
    ("G90.521", "code", True, "G90.52", "Complex regional pain syndrome I of right lower limb"),
    ("G90.522", "code", True, "G90.52", "Complex regional pain syndrome I of left lower limb"),
    ("G90.523", "code", True, "G90.52", "Complex regional pain syndrome I of lower limb, bilateral"),
    ("G90.529", "code", True, "G90.52", "Complex regional pain syndrome I of unspecified lower limb"),
    ("G90.8", "header", False, "G90", "Other disorders of autonomic nervous system"),
    ("G90.81", "code", True, "G90.8", "Serotonin syndrome"),
    ("13", "chapter", None, None, "Diseases of the musculoskeletal system and connective tissue (M00-M99)"),
    ("M70-M79", "block", None, "13", "Other soft tissue disorders (M70-M79)"),
    ("M79", "category", False, "M70-M79", "Other and unspecified soft tissue disorders, not elsewhere classified"),
    ("M79.2", "code", True, "M79", "Neuralgia and neuritis, unspecified"),
    ("18", "chapter", None, None,
     "Symptoms, signs and abnormal clinical and laboratory findings, not elsewhere classified (R00-R99)"),
    ("R50-R69", "block", None, "18", "General symptoms and signs (R50-R69)"),
    ("R52", "category", True, "R50-R69", "Pain, unspecified"),
    ("19", "chapter", None, None, "Injury, poisoning and certain other consequences of external causes (S00-T88)"),
    ("S00-S09", "block", None, "19", "Injuries to the head (S00-S09)"),
    ("S06", "category", False, "S00-S09", "Intracranial injury"),
    ("S06.1", "header", False, "S06", "Traumatic cerebral edema"),
    ("S06.1X", "header", False, "S06.1", "Traumatic cerebral edema"),
    ("S06.1X0", "header", False, "S06.1X", "Traumatic cerebral edema without loss of consciousness"),
    ("S06.1X0A", "code", True, "S06.1X0", "Traumatic cerebral edema without loss of consciousness, initial encounter"),
    ("S06.1X0D", "code", True, "S06.1X0",
     "Traumatic cerebral edema without loss of consciousness, subsequent encounter"),
    ("S06.1X0S", "code", True, "S06.1X0", "Traumatic cerebral edema without loss of consciousness, sequela"),
    ("S06.1X7", "header", False, "S06.1X", "Traumatic cerebral edema with loss of consciousness of any duration "
     "with death due to brain injury prior to regaining consciousness"),
    # 6th character 7: the S06 note says D and S do not apply, so only A is generated.
    ("S06.1X7A", "code", True, "S06.1X7", "Traumatic cerebral edema with loss of consciousness of any duration "
     "with death due to brain injury prior to regaining consciousness, initial encounter"),
    ("S80-S89", "block", None, "19", "Injuries to the knee and lower leg (S80-S89)"),
    ("S82", "category", False, "S80-S89", "Fracture of lower leg, including ankle"),
    ("S82.1", "header", False, "S82", "Fracture of upper end of tibia"),
    ("S82.16", "header", False, "S82.1", "Torus fracture of upper end of tibia"),
    ("S82.161", "header", False, "S82.16", "Torus fracture of upper end of right tibia"),
    # S82.16 has its own table (A, G), which replaces the category's (A, B, S).
    ("S82.161A", "code", True, "S82.161",
     "Torus fracture of upper end of right tibia, initial encounter for closed fracture"),
    ("S82.161G", "code", True, "S82.161",
     "Torus fracture of upper end of right tibia, subsequent encounter for fracture with delayed healing"),
    ("S82.9", "header", False, "S82", "Unspecified fracture of lower leg"),
    ("S82.90", "header", False, "S82.9", "Unspecified fracture of unspecified lower leg"),
    ("S82.90XA", "code", True, "S82.90",
     "Unspecified fracture of unspecified lower leg, initial encounter for closed fracture"),
    ("S82.90XB", "code", True, "S82.90",
     "Unspecified fracture of unspecified lower leg, initial encounter for open fracture type I or II"),
    ("S82.90XS", "code", True, "S82.90", "Unspecified fracture of unspecified lower leg, sequela"),
    ("T36-T50", "block", None, "19",
     "Poisoning by, adverse effect of and underdosing of drugs, medicaments and biological substances (T36-T50)"),
    ("T36", "category", False, "T36-T50", "Poisoning by, adverse effect of and underdosing of systemic antibiotics"),
    ("T36.0", "header", False, "T36", "Poisoning by, adverse effect of and underdosing of penicillins"),
    ("T36.0X", "header", False, "T36.0", "Poisoning by, adverse effect of and underdosing of penicillins"),
    ("T36.0X1", "header", False, "T36.0X", "Poisoning by penicillins, accidental (unintentional)"),
    ("T36.0X1A", "code", True, "T36.0X1", "Poisoning by penicillins, accidental (unintentional), initial encounter"),
    ("T36.0X1D", "code", True, "T36.0X1", "Poisoning by penicillins, accidental (unintentional), subsequent encounter"),
    ("T36.0X1S", "code", True, "T36.0X1", "Poisoning by penicillins, accidental (unintentional), sequela"),
    ("20", "chapter", None, None, "External causes of morbidity (V00-Y99)"),
    ("W00-W19", "block", None, "20", "Slipping, tripping, stumbling and falls (W00-W19)"),
    # A 3-character leaf under a 7th-character table stays a (non-billable) category; X fills places 4-6.
    ("W08", "category", False, "W00-W19", "Fall from other furniture"),
    ("W08.XXXA", "code", True, "W08", "Fall from other furniture, initial encounter"),
    ("W08.XXXD", "code", True, "W08", "Fall from other furniture, subsequent encounter"),
    ("W08.XXXS", "code", True, "W08", "Fall from other furniture, sequela"),
]


def test_source(loaded) -> None:
    assert loaded.sources == [
        {
            "dataset": "icd10cm",
            "publisher": "CDC/NCHS",
            "release": "FY2026 April 1, 2026 update",
            "effective": "2026-04-01",
            "end": "2026-09-30",
            "complete": True,
            "systems": ("ICD10CM",),
        }
    ]


def test_emits_exactly_these_codes_in_order(loaded) -> None:
    assert [c["code"] for c in loaded.codes] == [row[0] for row in CODES]
    assert {c["system"] for c in loaded.codes} == {"ICD10CM"}


@pytest.mark.parametrize("code,kind,billable,parent,title", CODES, ids=[row[0] for row in CODES])
def test_code_record(loaded, code, kind, billable, parent, title) -> None:
    record = loaded.code_map()[code]
    got = (record["kind"], record.get("billable"), record["parent"], record["title"])
    assert got == (kind, billable, parent, title)


def test_g90_52_is_a_header_over_its_four_laterality_codes(loaded) -> None:
    children = [c["code"] for c in loaded.codes if c["parent"] == "G90.52"]
    assert children == ["G90.521", "G90.522", "G90.523", "G90.529"]


@pytest.mark.parametrize(
    "code,kind,text,refs",
    [
        ("B99", "note", "Section-level note kept on the category", ()),
        ("6", "excludes2", "certain conditions originating in the perinatal period (P04-P96)", ("P04", "P96")),
        ("G90", "excludes1", "dysfunction of the autonomic nervous system due to alcohol (G31.2)", ("G31.2",)),
        ("G90.5", "inclusion", "Reflex sympathetic dystrophy", ()),
        ("G90.5", "excludes1", "causalgia of lower limb (G57.7-)", ("G57.7",)),
        ("G90.5", "excludes1", "causalgia of upper limb (G56.4-)", ("G56.4",)),
        ("G90.81", "code_first", "poisoning due to drug or toxin, such as:", ()),
        ("G90.81", "code_first", "linezolid (T36.8X- with sixth character 1-4)", ("T36.8X",)),
        ("G90.81", "use_additional", "code for adverse effect, if applicable, to identify drug, such as:", ()),
        ("G90.81", "use_additional", "linezolid (T36.8X5)", ("T36.8X5",)),
        ("M79.2", "excludes1", "mononeuropathies (G56-G58)", ("G56", "G58")),
        ("M79.2", "excludes1", "sciatica (M54.3-M54.4)", ("M54.3", "M54.4")),
        ("R52", "inclusion", "Acute pain NOS", ()),
        ("R52", "code_also", "related psychological factors associated with pain (F45.42)", ("F45.42",)),
        ("S06", "includes", "traumatic brain injury", ()),
        ("S06", "seventh_character", "A: initial encounter", ()),
        ("S06", "seventh_character", "D: subsequent encounter", ()),
        ("S06", "seventh_character", "S: sequela", ()),
        ("S82", "seventh_character", "The appropriate 7th character is to be added to all codes from category S82",
         ("S82",)),
        ("S82", "seventh_character", "B: initial encounter for open fracture type I or II", ()),
        ("S82", "seventh_character", "initial encounter for open fracture NOS", ()),
        ("S82.16", "seventh_character", "G: subsequent encounter for fracture with delayed healing", ()),
        ("W08", "seventh_character", "Fall from stool", ()),
    ],
)
def test_note(loaded, code, kind, text, refs) -> None:
    wanted = {"system": "ICD10CM", "code": code, "kind": kind, "text": text, "refs": refs}
    assert wanted in loaded.notes


def test_note_counts_by_kind(loaded) -> None:
    kinds: dict[str, int] = {}
    for note in loaded.notes:
        kinds[note["kind"]] = kinds.get(note["kind"], 0) + 1
    assert kinds == {
        "note": 2, "excludes2": 1, "excludes1": 5, "inclusion": 2, "code_first": 2, "use_additional": 2,
        "code_also": 1, "includes": 2, "seventh_character": 21,
    }


def test_inclusion_terms(loaded) -> None:
    assert loaded.terms == [
        ("ICD10CM", "G90.5", "Reflex sympathetic dystrophy", "inclusion"),
        ("ICD10CM", "R52", "Acute pain NOS", "inclusion"),
    ]


@pytest.mark.parametrize(
    "name,version,release,effective,end",
    [
        ("icd10cm_tabular_2026.xml", "2026", "FY2026", "2025-10-01", "2026-09-30"),
        ("icd10cm-tabular-April-2025.xml", "2025", "FY2025 April 1, 2025 update", "2025-04-01", "2025-09-30"),
        ("icd10cm_tabular.xml", "2024", "FY2024", "2023-10-01", "2024-09-30"),
    ],
)
def test_release_from_name_and_version(tmp_path, sink, data_dir, name, version, release, effective, end) -> None:
    text = (data_dir / FIXTURE).read_text(encoding="utf-8")
    text = text.replace("<version>2026</version>", f"<version>{version}</version>")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    icd10cm_tabular.load(path, sink)
    source = sink.sources[0]
    assert (source["release"], source["effective"], source["end"]) == (release, effective, end)


def _tabular(body: str, version: str = "2026") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f"<ICD10CM.tabular>\n<version>{version}</version>\n"
        '<chapter>\n<name>6</name>\n<desc>Diseases of the nervous system (G00-G99)</desc>\n'
        '<section id="G89-G99">\n<desc>Other disorders of the nervous system (G89-G99)</desc>\n'
        f"{body}"
        "</section>\n</chapter>\n</ICD10CM.tabular>\n"
    )


_G90 = "<diag>\n<name>G90</name>\n<desc>Disorders of autonomic nervous system</desc>\n{}</diag>\n"

MALFORMED = [
    ("empty", b"", 1, "empty"),
    ("not xml", b"G90.5 Complex regional pain syndrome\n", 1, "not well-formed"),
    ("unclosed", _tabular(_G90.format("<diag><name>G90.5</name>\n")).encode(), 14, "not well-formed"),
    ("wrong root", b'<?xml version="1.0"?>\n<ICD10CM.index>\n</ICD10CM.index>\n', 2, "expected <ICD10CM.tabular>"),
    ("undecodable", _tabular(_G90.format("")).replace("autonomic", "auton\xffmic").encode("latin-1"), 11,
     "not valid UTF-8"),
    ("diag without name", _tabular(_G90.format("<diag>\n<desc>Complex regional pain syndrome I</desc>\n</diag>\n"))
     .encode(), 12, "has no <name>"),
    ("diag without desc", _tabular(_G90.format("<diag>\n<name>G90.5</name>\n</diag>\n")).encode(), 12, "has no <desc>"),
    ("not a code", _tabular(_G90.format("<diag>\n<name>G90.52345</name>\n<desc>x</desc>\n</diag>\n")).encode(),
     12, "'G90.52345' is not an ICD-10-CM code"),
    ("not under parent", _tabular(_G90.format("<diag>\n<name>G91.5</name>\n<desc>x</desc>\n</diag>\n")).encode(), 12,
     "not its prefix"),
    ("bad 7th character", _tabular(_G90.format(
        '<sevenChrDef>\n<extension char="A">initial encounter</extension>\n<extension char="ab">x</extension>\n'
        "</sevenChrDef>\n")).encode(), 14, "'ab' is not one letter or digit"),
    ("7th character without meaning", _tabular(_G90.format(
        '<sevenChrDef>\n<extension char="A"></extension>\n</sevenChrDef>\n')).encode(), 13, "has no meaning"),
    ("seven characters already", _tabular(_G90.format(
        '<sevenChrDef>\n<extension char="A">initial encounter</extension>\n</sevenChrDef>\n'
        "<diag>\n<name>G90.5211</name>\n<desc>x</desc>\n</diag>\n")).encode(), 15, "already has 7 characters"),
    ("bad section id", _tabular("").replace('id="G89-G99"', 'id="G89 to G99"').encode(), 7, "not a code range"),
    ("bad chapter name", _tabular("").replace("<name>6</name>", "<name>VI</name>").encode(), 4, "not a chapter number"),
    ("version disagrees with name", _tabular(_G90.format(""), version="2025").encode(), 3, "file name says 2026"),
]


@pytest.mark.parametrize("data,line,problem", [row[1:] for row in MALFORMED], ids=[row[0] for row in MALFORMED])
def test_malformed_input_names_file_and_line(tmp_path, sink, data, line, problem) -> None:
    path = tmp_path / "icd10cm_tabular_2026.xml"
    path.write_bytes(data)
    with pytest.raises(ImportFormatError) as info:
        icd10cm_tabular.load(path, sink)
    assert info.value.file == str(path)
    assert info.value.line == line
    assert problem in info.value.problem
    assert str(info.value).startswith(f"{path}, line {line}: ")


def test_no_year_anywhere(tmp_path, sink) -> None:
    path = tmp_path / "tabular.xml"
    path.write_text(_tabular(_G90.format("")).replace("<version>2026</version>\n", ""), encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"tabular\.xml, line 2: cannot tell the fiscal year"):
        icd10cm_tabular.load(path, sink)


def test_patterns_and_skip() -> None:
    assert icd10cm_tabular.PATTERNS == ("icd10cm/**/*tabular*.xml",)
    assert icd10cm_tabular.SKIP.search("icd10cm_tabular_addenda_2026.xml")
    assert not icd10cm_tabular.SKIP.search("icd10cm_tabular_April-1-2026.xml")


def test_packaged_tabular_loads(sink) -> None:
    # The full April 2026 release bundled with simple-icd-10-cm: about 1.5 s.
    path = icd10cm_tabular.packaged_path()
    assert path.is_file()
    icd10cm_tabular.load(path, sink)
    assert sink.sources[0]["release"] == "FY2026 April 1, 2026 update"
    codes = sink.code_map()
    assert sum(1 for c in sink.codes if c["kind"] not in ("chapter", "block")) == 98186
    assert sum(1 for c in sink.codes if c.get("billable")) == 74719
    assert codes["G90.52"]["kind"] == "header" and codes["G90.52"]["billable"] is False
    assert [c["code"] for c in sink.codes if c["parent"] == "G90.52"] == ["G90.521", "G90.522", "G90.523", "G90.529"]
