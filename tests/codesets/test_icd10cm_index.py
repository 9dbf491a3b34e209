"""Tests for the ICD-10-CM index importer: Alphabetic Index, External Cause Index, Table of Drugs and
Chemicals, Table of Neoplasms (CDC XML) and the derived main-index CSV."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from medcode.codesets import icd10cm_index
from medcode.errors import ImportFormatError

FOLDER = "icd10cm/icd10cm-table-index-April-2025"

# file -> (dataset, publisher, kind, every (code, path) pair in emission order)
EXPECTED = {
    "icd-10-cm-index-2025.xml": ("icd10cm-index", "CDC/NCHS", "index", [
        ("E85.9", "Amyloidosis (generalized) (primary)"),
        ("E85.4", "Amyloidosis (generalized) (primary), heart"),
        ("I43", "Amyloidosis (generalized) (primary), heart"),  # the bracketed manifestation code
        ("G56.4", "Causalgia (upper limb)"),
        ("G57.7", "Causalgia (upper limb), lower limb"),
        ("M79.2", "Neuralgia, neuralgic (acute)"),
        ("R52", "Pain(s) (see also Painful)"),
        ("G89.29", "Pain(s) (see also Painful), chronic"),
        ("G90.50", "Syndrome, pain, complex regional I"),
        ("G90.52", "Syndrome, pain, complex regional I, lower limb"),
        ("G90.59", "Syndrome, pain, complex regional I, specified site NEC"),
        ("G90.51", "Syndrome, pain, complex regional I, upper limb"),
        # "see" / "see also" pointers, resolved once the file is read: an entry without a code of its
        # own takes the code of the entry it points at.
        ("G90.50", "Dystrophy, dystrophia, reflex (neuromuscular) (sympathetic)"),
        ("R52", "Syndrome, pain"),
        ("G56.4", "Syndrome, pain, complex regional II"),
    ]),
    "icd-10-cm-eindex-2025.xml": ("icd10cm-eindex", "CDC/NCHS", "external_cause", [
        ("X58", "Abandonment NEC (causing exposure to weather conditions) (with intent to injure or kill)"),
        ("X58", "Accident (to)"),
        ("T75.0", "Accident (to), caused by, due to, lightning"),  # <subcat>
        ("T71", "Entanglement, in, bed linen, causing suffocation"),  # <seecat>
        ("W19", "Fall, falling (accidental)"),
        ("W08", "Fall, falling (accidental), from, off, out of, furniture NEC"),
    ]),
    "icd-10-cm-drug-2025.xml": ("icd10cm-drug", "CDC/NCHS", "drug", [
        ("T51.3X1", "1-propanol, poisoning, accidental (unintentional)"),
        ("T51.3X2", "1-propanol, poisoning, intentional self-harm"),
        ("T51.3X3", "1-propanol, poisoning, assault"),
        ("T51.3X4", "1-propanol, poisoning, undetermined"),
        ("T39.1X1", "Acetaminophen, poisoning, accidental (unintentional)"),
        ("T39.1X2", "Acetaminophen, poisoning, intentional self-harm"),
        ("T39.1X3", "Acetaminophen, poisoning, assault"),
        ("T39.1X4", "Acetaminophen, poisoning, undetermined"),
        ("T39.1X5", "Acetaminophen, adverse effect"),
        ("T39.1X6", "Acetaminophen, underdosing"),
        ("T41.3X1", "Lidocaine, poisoning, accidental (unintentional)"),
        ("T41.3X5", "Lidocaine, adverse effect"),
        ("T41.3X1", "Lidocaine, spinal, poisoning, accidental (unintentional)"),
        ("T41.3X6", "Lidocaine, spinal, underdosing"),
        ("T36.0X1", "Penicillin (any), poisoning, accidental (unintentional)"),
        ("T36.0X5", "Penicillin (any), adverse effect"),
    ]),
    "icd-10-cm-neoplasm-2025.xml": ("icd10cm-neoplasm", "CDC/NCHS", "neoplasm", [
        ("C80.1", "Neoplasm, neoplastic, malignant primary"),
        ("C79.9", "Neoplasm, neoplastic, malignant secondary"),
        ("D09.9", "Neoplasm, neoplastic, ca in situ"),
        ("D36.9", "Neoplasm, neoplastic, benign"),
        ("D48.9", "Neoplasm, neoplastic, uncertain behavior"),
        ("D49.9", "Neoplasm, neoplastic, unspecified behavior"),
        ("C06.89", "Book-leaf (mouth), ventral surface of tongue and floor of mouth, malignant primary"),
        ("D10.39", "Book-leaf (mouth), ventral surface of tongue and floor of mouth, benign"),
        ("C50.9", "Breast (connective tissue) (glandular tissue) (soft parts), malignant primary"),
        ("C79.81", "Breast (connective tissue) (glandular tissue) (soft parts), malignant secondary"),
        ("D05", "Breast (connective tissue) (glandular tissue) (soft parts), ca in situ"),
        ("D24", "Breast (connective tissue) (glandular tissue) (soft parts), benign"),
        ("D48.6", "Breast (connective tissue) (glandular tissue) (soft parts), uncertain behavior"),
        ("D49.3", "Breast (connective tissue) (glandular tissue) (soft parts), unspecified behavior"),
        ("C50.6", "Breast (connective tissue) (glandular tissue) (soft parts), axillary tail, malignant primary"),
    ]),
    "ICD10CM_2025_Index_DERIVED.csv": ("icd10cm-index", "CDC/NCHS (third-party CSV conversion)", "index", [
        ("F44.4", "Abasia (-astasia) (hysterical)"),
        ("G56.4", "Causalgia (upper limb)"),
        ("G57.7", "Causalgia (upper limb), lower limb"),
        ("F45.41", "Disorder (of), persistent, (somatoform)"),  # the conversion lost the title after <nemod>
        ("R52", "Pain(s) (see also Painful)"),
        ("G90.50", "Syndrome, pain, complex regional I"),
        ("G90.52", "Syndrome, pain, complex regional I, lower limb"),
        ("G90.59", "Syndrome, pain, complex regional I, specified site NEC"),
        ("G90.51", "Syndrome, pain, complex regional I, upper limb"),
        ("H51.0", "Syndrome, Parinaud's"),
        # "see" / "see also" pointers, resolved once the file is read: an entry without a code of its
        # own takes the code of the entry it points at.
        ("G90.50", "Dystrophy, dystrophia, reflex (neuromuscular) (sympathetic)"),
        ("R52", "Syndrome, pain"),
        ("G56.4", "Syndrome, pain, complex regional II"),
    ]),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_source(sink, data_dir: Path, name: str) -> None:
    dataset, publisher, _, _ = EXPECTED[name]
    icd10cm_index.load(data_dir / FOLDER / name, sink)
    assert sink.sources == [
        {
            "dataset": dataset,
            "publisher": publisher,
            # The CDC's April zip drops the month from member names; the folder name keeps it.
            "release": "FY2025 April 1, 2025 update",
            "effective": "2025-04-01",
            "end": "2025-09-30",
            "complete": False,
            "systems": (),
        }
    ]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_exact_terms(sink, data_dir: Path, name: str) -> None:
    _, _, kind, pairs = EXPECTED[name]
    icd10cm_index.load(data_dir / FOLDER / name, sink)
    assert sink.terms == [("ICD10CM", code, text, kind) for code, text in pairs]
    assert not sink.codes and not sink.notes


def test_see_references_follow_to_coded_entries_only(sink, data_dir: Path, caplog) -> None:
    with caplog.at_level(logging.DEBUG, logger="medcode.codesets.icd10cm_index"):
        icd10cm_index.load(data_dir / FOLDER / "icd-10-cm-index-2025.xml", sink)
    # "Dystrophy, reflex — see Syndrome, pain, complex regional I" takes G90.50
    assert ("ICD10CM", "G90.50", "Dystrophy, dystrophia, reflex (neuromuscular) (sympathetic)", "index") in sink.terms
    # "Neuralgia — see also Neuritis": Neuralgia has its own code, and Neuritis is not in the file
    assert "'see': 2" in caplog.text and "'seeAlso': 3" in caplog.text
    assert "'see_resolved': 3" in caplog.text and "'see_unresolved': 1" in caplog.text


def test_october_release_outside_an_april_folder(tmp_path, sink, data_dir: Path) -> None:
    path = tmp_path / "icd10cm_drug_2026.xml"
    text = (data_dir / FOLDER / "icd-10-cm-drug-2025.xml").read_text(encoding="utf-8")
    path.write_text(text.replace("<version>2025</version>", "<version>2026</version>"), encoding="utf-8")
    icd10cm_index.load(path, sink)
    assert (sink.sources[0]["release"], sink.sources[0]["effective"]) == ("FY2026", "2025-10-01")


def test_patterns_find_the_cdc_names(tmp_path) -> None:
    names = [
        "icd10cm_index_2026.xml", "icd-10-cm-eindex-2025.xml", "icd10cm_drug_2026.xml",
        "icd-10-cm-neoplasm-2025.xml", "ICD10CM_2025_Index_DERIVED_wbdill.csv", "icd10cm_tabular_2026.xml",
    ]
    folder = tmp_path / "icd10cm" / "tables"
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_text("x")
    found = {p.name for pattern in icd10cm_index.PATTERNS for p in tmp_path.glob(pattern)}
    assert found == set(names) - {"icd10cm_tabular_2026.xml"}


def _index(body: str, root: str = "ICD10CM.index", heading: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f"<{root}>\n<version>2025</version>\n{heading}"
        f"<letter>\n<title>S</title>\n<mainTerm>\n<title>Syndrome</title>\n{body}</mainTerm>\n</letter>\n</{root}>\n"
    ).encode("utf-8")


_TABLE = (
    '<indexHeading>\n<head col="1">Neoplasm</head>\n<head col="2">Malignant Primary</head>\n</indexHeading>\n'
)
_CSV_HEADER = "RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n"

MALFORMED = [
    ("empty xml", "icd10cm_index_2025.xml", b"", 1, "empty"),
    ("not xml", "icd10cm_index_2025.xml", b"Syndrome, pain G90.50\n", 1, "not well-formed"),
    ("wrong root", "icd10cm_index_2025.xml", _index("", root="ICD10CM.tabular"), 2, "expected <ICD10CM.index>"),
    ("addenda", "icd10cm_index_2025.xml", _index("").replace(b"<ICD10CM.index>", b'<ICD10CM.index isAddenda="true">'),
     2, "addenda"),
    ("undecodable", "icd10cm_index_2025.xml", _index("<code>G90.50</code>\n").replace(b"Syndrome", b"Syndr\xf4me"), 7,
     "not valid UTF-8"),
    ("term without title", "icd10cm_index_2025.xml", _index('<term level="1">\n<code>G90.50</code>\n</term>\n'), 8,
     "<term> has no <title>"),
    ("wrong level", "icd10cm_index_2025.xml", _index('<term level="2">\n<title>pain</title>\n</term>\n'), 8,
     "level '2' at nesting depth 1"),
    ("bad code", "icd10cm_index_2025.xml", _index("<code>G90.5O1X2</code>\n"), 8,
     "'G90.5O1X2' is not an ICD-10-CM code"),
    ("bad cell", "icd10cm_neoplasm_2025.xml",
     _index('<cell col="2">C50</cell>\n<cell col="2">breast</cell>\n', heading=_TABLE), 13,
     "'breast' is not an ICD-10-CM code"),
    ("cell without heading", "icd10cm_neoplasm_2025.xml", _index('<cell col="5">C50.9</cell>\n', heading=_TABLE), 12,
     "col '5' has no column heading"),
    ("unknown table", "icd10cm_table_2025.xml", _index("", heading=_TABLE.replace(">Neoplasm<", ">Procedure<")), 2,
     "neither drugs nor neoplasms"),
    ("no entries", "icd10cm_index_2025.xml",
     b'<?xml version="1.0"?>\n<ICD10CM.index>\n<version>2025</version>\n</ICD10CM.index>\n', 2,
     "no <letter>/<mainTerm>"),
    ("empty csv", "ICD10CM_2025_Index.csv", b"", 1, "empty"),
    ("csv missing column", "ICD10CM_2025_Index.csv", _CSV_HEADER.replace("Level", "Depth").encode(), 1,
     "no column for 'level'"),
    ("csv column count", "ICD10CM_2025_Index.csv",
     (_CSV_HEADER + "1,S,0,Syndrome,,,,\n2,S,1,pain,,,G90.50\n").encode(), 3, "expected 8 columns, found 7"),
    ("csv level jump", "ICD10CM_2025_Index.csv",
     (_CSV_HEADER + "1,S,0,Syndrome,,,,\n2,S,2,pain,,,,G90.50\n").encode(), 3, "Level '2'"),
    ("csv first row not a main term", "ICD10CM_2025_Index.csv", (_CSV_HEADER + "1,S,1,pain,,,,R52\n").encode(), 2,
     "Level '1'"),
    ("csv bad code", "ICD10CM_2025_Index.csv", (_CSV_HEADER + "1,S,0,Syndrome,,,,Syndrome\n").encode(), 2,
     "'Syndrome' is not an ICD-10-CM code"),
    ("csv empty term", "ICD10CM_2025_Index.csv", (_CSV_HEADER + "1,S,0,,,,,R52\n").encode(), 2, "neither a Term"),
    ("csv undecodable", "ICD10CM_2025_Index.csv", (_CSV_HEADER + "1,S,0,Syndr").encode() + b"\x81me,,,,R52\n", 2,
     "neither UTF-8 nor Windows-1252"),
    ("csv header only", "ICD10CM_2025_Index.csv", _CSV_HEADER.encode(), 1, "no index rows"),
]


@pytest.mark.parametrize("name,data,line,problem", [row[1:] for row in MALFORMED], ids=[row[0] for row in MALFORMED])
def test_malformed_input_names_file_and_line(tmp_path, sink, name, data, line, problem) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ImportFormatError) as info:
        icd10cm_index.load(path, sink)
    assert info.value.file == str(path)
    assert info.value.line == line
    assert problem in info.value.problem
    assert str(info.value).startswith(f"{path}, line {line}: ")
