"""Importer for the CDC ICD-10-CM Tabular List XML (root ``<ICD10CM.tabular>``).

This module owns the tabular list: the hierarchy chapter > section (block) > diag > diag ..., the
instructional notes, the inclusion terms, and the expansion of 7th-character tables into billable
codes. It does not read the order file (``icd10cm_order``) or the alphabetic index
(``icd10cm_index``).

What it emits, all in system ICD10CM with codes in dotted display form:

* ``chapter`` (code = the chapter number the XML gives, "6"), ``block`` (the section id, "G89-G99"),
  ``category`` (3 characters), ``header`` (a subcategory that is not billable) and ``code``
  (billable), each with its parent;
* every ``<inclusionTerm>/<note>`` as a term of kind ``inclusion`` and as a note;
* notes of kind includes, inclusion, excludes1, excludes2, code_first, use_additional, code_also,
  note and seventh_character, each with the codes its text mentions.

7th characters: a ``<sevenChrDef>`` applies to the diag that holds it and to all its descendants
(a nearer definition replaces it). Every leaf under one becomes a header, and each 7th character
gives a billable child: the leaf is padded with the placeholder X to six characters first
(S00.00 + A -> S00.00XA). One exception is written in the tabular as prose on category S06
("7th characters D and S do not apply to codes in category S06 with 6th character 7 ... or 8 ...");
:func:`_restrictions` reads such sentences so those combinations are not generated.

Sections whose id is a single category ("B99", "QA0") hold just that category, and the block code
would collide with it; those sections are folded into their category, which then hangs from the
chapter and also carries the section's notes.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

from medcode.codesets._icd10cm import DOTTED, PUBLISHER, SYSTEM, dotted, note_refs, release_of
from medcode.codesets._xmltree import Node, parse
from medcode.codesets.base import Sink, read_bytes
from medcode.errors import ImportFormatError

PATTERNS = ("icd10cm/**/*tabular*.xml",)
# The CDC also publishes addenda (changes only) with "tabular" in their names.
SKIP = re.compile(r"addend", re.IGNORECASE)

DATASET = "icd10cm"
ROOT = "ICD10CM.tabular"

# The tabular file simple-icd-10-cm 1.5.0 bundles (its name spells "icd10c").
_PACKAGED = ("simple_icd_10_cm", "data/icd10c-tabular-April-1-2026.xml")

# XML element -> note kind. sevenChrDef is handled on its own (one note per character).
_NOTE_KINDS = {
    "includes": "includes",
    "inclusionTerm": "inclusion",
    "excludes1": "excludes1",
    "excludes2": "excludes2",
    "codeFirst": "code_first",
    "useAdditionalCode": "use_additional",
    "codeAlso": "code_also",
    "notes": "note",
    "sevenChrNote": "seventh_character",
}

_CHAPTER = re.compile(r"[0-9]{1,2}")
_SECTION = re.compile(rf"{DOTTED.pattern}(?:-{DOTTED.pattern})?")
_SEVENTH_CHAR = re.compile(r"[0-9A-Z]")
# "7th characters D and S do not apply to codes in category S06 with 6th character 7 - ..., or 8 - ..."
_RESTRICTION = re.compile(
    r"7th characters? (?P<chars>[0-9A-Z](?:(?:,? and |,? or |, )[0-9A-Z])*) do(?:es)? not apply to codes in "
    r"(?:sub)?category (?P<code>[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]+)?) with 6th characters? (?P<rest>.*)"
)


def packaged_path() -> Path:
    """The tabular XML inside the installed ``simple_icd_10_cm`` package, for machines without a
    mirror of the CDC files.

    The package is located with ``importlib.util.find_spec`` rather than
    ``importlib.resources.files``: the latter imports the package, and simple_icd_10_cm parses its
    whole data set (and warns about deprecated APIs) at import time.
    """
    package, member = _PACKAGED
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the {package} package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / member


@dataclass(frozen=True, slots=True)
class _Restriction:
    """7th characters ``chars`` are not used on codes under ``prefix`` whose 6th character is in ``sixth``."""

    chars: frozenset[str]
    prefix: str
    sixth: frozenset[str]


@dataclass(slots=True)
class _Seventh:
    """A 7th-character table: (character, meaning) pairs and the exceptions stated beside it."""

    chars: list[tuple[str, str]]
    restrictions: list[_Restriction] = field(default_factory=list)

    def applicable(self, leaf: str) -> list[tuple[str, str]]:
        """The characters that may follow ``leaf`` (undotted and padded to six characters)."""
        skip: set[str] = set()
        for rule in self.restrictions:
            if leaf.startswith(rule.prefix) and leaf[5] in rule.sixth:
                skip |= rule.chars
        return [(c, text) for c, text in self.chars if c not in skip]


def load(path: Path, sink: Sink) -> None:
    """Read one tabular XML file and hand its codes, terms and notes to ``sink``."""
    root = parse(path, read_bytes(path))
    if root.tag != ROOT:
        raise ImportFormatError(path, root.line, f"root element is <{root.tag}>, expected <{ROOT}>")
    version = root.find("version")
    if version is None:
        rel = release_of(path, None, line=root.line)
    else:
        rel = release_of(path, version.content(), line=version.line)
    sink.source(
        dataset=DATASET,
        publisher=PUBLISHER,
        release=rel.release,
        effective=rel.effective,
        end=rel.end,
        complete=True,
        systems=(SYSTEM,),
    )
    reader = _Reader(path, sink)
    chapters = root.findall("chapter")
    if not chapters:
        raise ImportFormatError(path, root.line, "no <chapter> elements")
    for chapter in chapters:
        reader.chapter(chapter)


class _Reader:
    """Walks the tree once, emitting parents before their children."""

    def __init__(self, path: Path, sink: Sink) -> None:
        self.path = path
        self.sink = sink

    def fail(self, node: Node, problem: str) -> ImportFormatError:
        return ImportFormatError(self.path, node.line, problem)

    def required(self, node: Node, tag: str) -> str:
        text = node.findtext(tag)
        if not text:
            raise self.fail(node, f"<{node.tag}> has no <{tag}>")
        return text

    def chapter(self, node: Node) -> None:
        code = self.required(node, "name")
        if not _CHAPTER.fullmatch(code):
            raise self.fail(node, f"chapter <name> {code!r} is not a chapter number")
        self.sink.code(SYSTEM, code, self.required(node, "desc"), kind="chapter", parent=None)
        self.notes(node, code)
        for section in node.findall("section"):
            self.section(section, code)

    def section(self, node: Node, chapter: str) -> None:
        block = node.get("id")
        if not _SECTION.fullmatch(block):
            raise self.fail(node, f"<section> id {block!r} is not a code range such as G89-G99")
        diags = node.findall("diag")
        if "-" not in block and len(diags) == 1 and diags[0].findtext("name") == block:
            # A one-category section: the block and its category share a code (see module docstring).
            self.diag(diags[0], chapter, None, section=node)
            return
        self.sink.code(SYSTEM, block, self.required(node, "desc"), kind="block", parent=chapter)
        self.notes(node, block)
        for diag in diags:
            self.diag(diag, block, None)

    def diag(self, node: Node, parent: str, seventh: _Seventh | None, section: Node | None = None) -> None:
        code = self.required(node, "name")
        if not DOTTED.fullmatch(code):
            raise self.fail(node, f"<name> {code!r} is not an ICD-10-CM code")
        plain = code.replace(".", "")
        if section is None and len(plain) > 3 and not plain.startswith(parent.replace(".", "")):
            raise self.fail(node, f"{code} sits under {parent}, which is not its prefix")
        title = self.required(node, "desc")
        own = self.seventh_table(node, code)
        seventh = own or seventh
        children = node.findall("diag")
        expand = not children and seventh is not None
        billable = not children and not expand
        kind = "category" if len(plain) == 3 else ("code" if billable else "header")
        self.sink.code(SYSTEM, code, title, billable=billable, kind=kind, parent=parent)
        if section is not None:
            self.notes(section, code)
        self.notes(node, code)
        for child in children:
            self.diag(child, code, seventh)
        if expand:
            assert seventh is not None
            if len(plain) > 6:
                raise self.fail(node, f"{code} already has 7 characters but a 7th-character table applies to it")
            padded = plain.ljust(6, "X")
            for char, meaning in seventh.applicable(padded):
                self.sink.code(
                    SYSTEM, dotted(padded + char), f"{title}, {meaning}", billable=True, kind="code", parent=code
                )

    def seventh_table(self, node: Node, code: str) -> _Seventh | None:
        table = node.find("sevenChrDef")
        if table is None:
            return None
        chars: list[tuple[str, str]] = []
        for ext in table.findall("extension"):
            char = ext.get("char")
            if not _SEVENTH_CHAR.fullmatch(char):
                raise self.fail(ext, f"7th-character table of {code}: {char!r} is not one letter or digit")
            meaning = ext.content()
            if not meaning:
                raise self.fail(ext, f"7th-character table of {code}: character {char} has no meaning")
            chars.append((char, meaning))
        if not chars:
            raise self.fail(table, f"7th-character table of {code} lists no characters")
        return _Seventh(chars, _restrictions(node))

    def notes(self, node: Node, code: str) -> None:
        """Emit the instructional notes (and inclusion terms) held directly by ``node``."""
        for child in node.children:
            if child.tag == "sevenChrDef":
                self.seventh_notes(child, code)
                continue
            kind = _NOTE_KINDS.get(child.tag)
            if kind is None:
                continue
            for note in child.findall("note"):
                text = note.content()
                if not text:
                    continue
                self.sink.note(SYSTEM, code, kind, text, note_refs(text))
                if kind == "inclusion":
                    self.sink.term(SYSTEM, code, text, "inclusion")

    def seventh_notes(self, table: Node, code: str) -> None:
        # One note per character ("A: initial encounter"). A few tables carry a stray <note> (a second
        # wording of the previous character, or an inclusion-like phrase); it is kept as its own note.
        for child in table.children:
            text = child.content()
            if child.tag == "extension" and text:
                self.sink.note(SYSTEM, code, "seventh_character", f"{child.get('char')}: {text}", ())
            elif child.tag == "note" and text:
                self.sink.note(SYSTEM, code, "seventh_character", text, ())


def _restrictions(node: Node) -> list[_Restriction]:
    """Read "7th characters X and Y do not apply to codes in category Z with 6th character N" sentences
    from the notes held by the diag that defines a 7th-character table."""
    found: list[_Restriction] = []
    for holder in node.children:
        if holder.tag not in ("notes", "sevenChrNote"):
            continue
        for note in holder.findall("note"):
            match = _RESTRICTION.search(note.content())
            if not match:
                continue
            chars = frozenset(re.findall(r"[0-9A-Z]", re.sub(r"\b(?:and|or)\b", " ", match.group("chars"))))
            sixth = frozenset(re.findall(r"(?<![\w.])([0-9A-Z]) - ", match.group("rest")))
            if chars and sixth:
                found.append(_Restriction(chars, match.group("code").replace(".", ""), sixth))
    return found
