"""Importer for the CDC ICD-10-CM index files: the Alphabetic Index, the External Cause of Injuries
Index, the Table of Drugs and Chemicals, the Table of Neoplasms (all XML with root
``<ICD10CM.index>``), and a derived CSV flattening of the Alphabetic Index.

This module owns search terms only. Each index entry that leads to a code becomes
``sink.term("ICD10CM", code, path, kind)`` where ``path`` joins the main term and its sub-terms with
", " ("Syndrome, pain, complex regional I, lower limb") and a term's nonessential modifiers follow it
in parentheses. It emits no codes: the code list comes from the tabular and order files.

Layouts (CDC schemas icd10cm-index-2025.xsd and icd-10-cm-drug-neoplasm-2025.xsd):

* index / external cause: ``letter > mainTerm > title (with <nemod>), code, manif, seecat, subcat,
  see, seeAlso, term level=N`` nested. ``manif`` is the manifestation code printed in brackets;
  ``seecat``/``subcat`` ("see category T71", "see subcategory T75.0") point at codes and are emitted
  too. ``see``/``seeAlso`` point at other index entries by their titles ("Dysfunction, erectile — see
  Dysfunction, sexual, male, erectile"). After the whole file is read, an entry that has no code of
  its own takes the code of the entry it points at, so "Dysfunction, erectile" becomes a term for
  N52.9; pointers to entries without a code ("see Condition", "see Neoplasm, benign, by site") are
  counted and skipped.
* drug and neoplasm tables: ``indexHeading`` names the columns; each ``mainTerm``/``term`` carries
  ``cell col=N`` codes, one term per (row, column) with the heading appended ("Acetaminophen,
  poisoning, accidental (unintentional)"). The neoplasm table has a single main term, "Neoplasm,
  neoplastic"; its sites are written as entries of their own ("Breast, malignant primary").
* derived CSV ``RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code`` (Level 0 = main term): the
  path is rebuilt from the levels; See/SeeAlso are resolved as in the XML.

A trailing "-" on a code (more characters needed) is dropped. Kinds and datasets: index ->
``icd10cm-index``, external_cause -> ``icd10cm-eindex``, drug -> ``icd10cm-drug``, neoplasm ->
``icd10cm-neoplasm``; each is an incomplete release (``complete=False``) defining no code system.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from medcode.codesets._icd10cm import PUBLISHER, SYSTEM, clean_code, decode_text, release_of
from medcode.codesets._xmltree import Node, parse
from medcode.codesets.base import Sink, csv_rows, header_index, read_bytes
from medcode.errors import ImportFormatError

PATTERNS = (
    "icd10cm/**/icd*10*cm*index*.xml",
    "icd10cm/**/icd*10*cm*drug*.xml",
    "icd10cm/**/icd*10*cm*neoplasm*.xml",
    "icd10cm/**/icd10cm*index*.csv",
    "icd10cm/**/ICD10CM*Index*.csv",
)
# Addenda files list changes only.
SKIP = re.compile(r"addend", re.IGNORECASE)

ROOT = "ICD10CM.index"
DATASETS = {
    "index": "icd10cm-index",
    "external_cause": "icd10cm-eindex",
    "drug": "icd10cm-drug",
    "neoplasm": "icd10cm-neoplasm",
}
_CODE_TAGS = ("code", "manif", "seecat", "subcat")
_NO_CODE = re.compile(r"-*|—")  # table cells with no code print "-" or "--"
_CSV_COLUMNS: dict[str, Sequence[str]] = {
    "level": ("Level",),
    "term": ("Term",),
    "see": ("See",),
    "see_also": ("SeeAlso",),
    "nemod": ("NonEssModif",),
    "code": ("Code",),
}

log = logging.getLogger(__name__)


def load(path: Path, sink: Sink) -> None:
    """Read one index file (XML or the derived CSV) and hand its terms to ``sink``."""
    if path.name.lower().removesuffix(".xz").removesuffix(".gz").endswith(".csv"):
        _load_csv(path, sink)
    else:
        _load_xml(path, sink)


def _source(sink: Sink, path: Path, kind: str, version: str | None, line: int, publisher: str = PUBLISHER) -> None:
    rel = release_of(path, version, line=line, folder=True)
    sink.source(
        dataset=DATASETS[kind],
        publisher=publisher,
        release=rel.release,
        effective=rel.effective,
        end=rel.end,
        complete=False,
        systems=(),
    )


class _CrossReferences:
    """Resolves "see"/"see also" pointers once every entry of the file is known.

    Entries are keyed by their titles without nonessential modifiers, joined with ", " and lower-cased,
    which is how the pointers spell them ("Syndrome, Sjögren"). Only an entry without a code of its own
    follows its pointer: one that has a code already says what it is coded to.
    """

    def __init__(self) -> None:
        self.codes: dict[str, list[str]] = {}
        self.pending: list[tuple[str, str, str]] = []  # (referring path, its key, target key)

    def entry(self, keys: tuple[str, ...] | list[str], code: str | None) -> None:
        names = [", ".join(keys)]
        if ", " in keys[0]:
            # Pointers drop a main term's adjective form: "see Edema, legs" means "Edema, edematous, legs".
            names.append(", ".join([keys[0].split(", ")[0], *keys[1:]]))
        for key in names:
            codes = self.codes.setdefault(key, [])
            if code is not None and code not in codes:
                codes.append(code)

    def pointer(self, path: str, key: str, target: str) -> None:
        self.pending.append((path, key, target.strip().rstrip(".").lower()))

    def emit(self, sink: Sink, kind: str, stats: Counter[str]) -> None:
        for path, key, target in self.pending:
            if self.codes.get(key):
                continue
            codes = self.codes.get(target)
            if not codes:
                stats["see_unresolved"] += 1
                continue
            for code in codes:
                sink.term(SYSTEM, code, path, kind)
            stats["see_resolved"] += 1


def _bare(title: str) -> str:
    """A title without its parenthesised nonessential modifiers, lower-cased."""
    return " ".join(_PAREN.sub(" ", title).split()).lower()


_PAREN = re.compile(r"\([^()]*\)")


# --- XML -------------------------------------------------------------------------------------------


def _load_xml(path: Path, sink: Sink) -> None:
    root = parse(path, read_bytes(path))
    if root.tag != ROOT:
        raise ImportFormatError(path, root.line, f"root element is <{root.tag}>, expected <{ROOT}>")
    if root.get("isAddenda") == "true":
        raise ImportFormatError(path, root.line, "this is an addenda file (changes only), not a complete index")
    heading = root.find("indexHeading")
    headings = _headings(path, heading) if heading is not None else {}
    kind = _kind(path, root, headings)
    version = root.find("version")
    if version is None:
        _source(sink, path, kind, None, root.line)
    else:
        _source(sink, path, kind, version.content(), version.line)

    walker = _Walker(path, sink, kind, headings)
    for letter in root.findall("letter"):
        for main in letter.findall("mainTerm"):
            walker.term(main, (), 0)
    if not walker.seen_term:
        raise ImportFormatError(path, root.line, "no <letter>/<mainTerm> entries")
    walker.refs.emit(sink, kind, walker.stats)
    log.debug("%s: %s", path.name, dict(walker.stats))


def _headings(path: Path, heading: Node) -> dict[int, str]:
    """Column number -> the phrase appended to a table row's path ("poisoning, accidental (unintentional)")."""
    out: dict[int, str] = {}
    for head in heading.findall("head"):
        col = head.get("col")
        if not col.isdigit():
            raise ImportFormatError(path, head.line, f"<head> col {col!r} is not a column number")
        text = head.content(skip=frozenset({"old"}))
        lower = text.lower()
        # "Poisoning Accidental (unintentional)" reads as "poisoning, accidental (unintentional)".
        out[int(col)] = "poisoning, " + lower[len("poisoning ") :] if lower.startswith("poisoning ") else lower
    if not out:
        raise ImportFormatError(path, heading.line, "<indexHeading> has no <head> columns")
    return out


def _kind(path: Path, root: Node, headings: dict[int, str]) -> str:
    name = path.name.lower()
    if headings:
        first = headings.get(1, "")
        if first == "substance" or "drug" in name:
            return "drug"
        if first == "neoplasm" or "neoplasm" in name:
            return "neoplasm"
        raise ImportFormatError(
            path, root.line, f"a table whose first column is {first!r}: neither drugs nor neoplasms"
        )
    title = (root.findtext("title") or "").lower()
    return "external_cause" if "eindex" in name or "external cause" in title else "index"


class _Walker:
    """Walks main terms and their nested sub-terms, carrying the path of titles."""

    def __init__(self, path: Path, sink: Sink, kind: str, headings: dict[int, str]) -> None:
        self.path = path
        self.sink = sink
        self.kind = kind
        self.headings = headings
        self.stats: Counter[str] = Counter()
        self.seen_term = False
        self.refs = _CrossReferences()

    def term(self, node: Node, parents: tuple[str, ...], depth: int, keys: tuple[str, ...] = ()) -> None:
        self.seen_term = True
        if depth:
            level = node.get("level")
            if level != str(depth):
                raise ImportFormatError(self.path, node.line, f"<term> level {level!r} at nesting depth {depth}")
        text = self.title(node)
        if self.kind == "neoplasm" and depth == 1:
            # Sites of the one main term "Neoplasm, neoplastic" start entries of their own.
            parents, text = (), text[:1].upper() + text[1:]
        path = parents + (text,)
        joined = ", ".join(path)
        keys = keys + (_bare(text),)
        key = ", ".join(keys)
        self.refs.entry(keys, None)
        for child in node.children:
            if child.tag in _CODE_TAGS:
                code = self.code(child)
                if code is not None:
                    self.sink.term(SYSTEM, code, joined, self.kind)
                    self.refs.entry(keys, code)
                    self.stats[child.tag] += 1
            elif child.tag == "cell":
                self.cell(child, joined)
            elif child.tag in ("see", "seeAlso"):
                self.refs.pointer(joined, key, child.content())
                self.stats[child.tag] += 1
            elif child.tag == "term":
                self.term(child, path, depth + 1, keys)

    def title(self, node: Node) -> str:
        title = node.find("title")
        if title is None:
            title = node.find("diff")
        if title is None:
            raise ImportFormatError(self.path, node.line, f"<{node.tag}> has no <title>")
        text = title.content(skip=frozenset({"nemod", "old"}))
        nemods = [_parenthesised(n.content()) for n in title.iter("nemod") if n.content()]
        text = " ".join([text, *nemods]).strip()
        if not text:
            raise ImportFormatError(self.path, title.line, f"<{node.tag}> has an empty <title>")
        # A <manif> that is not a code (one neoplasm row has plain words) qualifies the title.
        manif = node.find("manif")
        if manif is not None and manif.content() and clean_code(manif.content().strip("[]")) is None:
            text = f"{text}, {manif.content()}"
        return text

    def code(self, node: Node) -> str | None:
        raw = node.content(skip=frozenset({"old"}))
        if node.tag == "manif":
            raw = raw.strip("[]")
            if clean_code(raw) is None:
                return None  # plain words, already folded into the title
        code = clean_code(raw)
        if code is None:
            raise ImportFormatError(self.path, node.line, f"<{node.tag}> {raw!r} is not an ICD-10-CM code")
        return code

    def cell(self, node: Node, joined: str) -> None:
        col = node.get("col")
        if not col.isdigit() or int(col) not in self.headings:
            raise ImportFormatError(self.path, node.line, f"<cell> col {col!r} has no column heading")
        raw = node.content(skip=frozenset({"old"}))
        if _NO_CODE.fullmatch(raw):
            return
        code = clean_code(raw)
        if code is None:
            raise ImportFormatError(self.path, node.line, f"<cell> {raw!r} is not an ICD-10-CM code")
        self.sink.term(SYSTEM, code, f"{joined}, {self.headings[int(col)]}", self.kind)
        self.stats["cell"] += 1


def _parenthesised(text: str) -> str:
    return text if text.startswith("(") else f"({text})"


# --- derived CSV -----------------------------------------------------------------------------------


def _load_csv(path: Path, sink: Sink) -> None:
    text = decode_text(path, read_bytes(path))
    rows = csv_rows(path, text)
    first = next(rows, None)
    if first is None:
        raise ImportFormatError(path, 1, "the file is empty")
    line, header = first
    col = header_index(path, line, header, _CSV_COLUMNS)
    _source(sink, path, "index", None, line, publisher=f"{PUBLISHER} (third-party CSV conversion)")

    stack: list[str] = []
    keys: list[str] = []
    refs = _CrossReferences()
    stats: Counter[str] = Counter()
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise ImportFormatError(path, line, f"expected {len(header)} columns, found {len(cells)}")
        level_text = cells[col["level"]].strip()
        if not level_text.isdigit() or int(level_text) > len(stack):
            raise ImportFormatError(
                path, line, f"Level {level_text!r} does not follow the previous row (deepest allowed {len(stack)})"
            )
        level = int(level_text)
        term = cells[col["term"]].strip()
        nemod = cells[col["nemod"]].strip()
        part = " ".join(p for p in (term, _parenthesised(nemod) if nemod else "") if p)
        if not part:
            raise ImportFormatError(path, line, "row has neither a Term nor a NonEssModif")
        del stack[level:]
        del keys[level:]
        stack.append(part)
        keys.append(_bare(term))
        key = ", ".join(keys)
        refs.entry(keys, None)
        for field in ("see", "see_also"):
            if cells[col[field]].strip():
                refs.pointer(", ".join(stack), key, cells[col[field]])
                stats[field] += 1
        raw = cells[col["code"]].strip()
        if raw:
            code = clean_code(raw)
            if code is None:
                raise ImportFormatError(path, line, f"Code {raw!r} is not an ICD-10-CM code")
            sink.term(SYSTEM, code, ", ".join(stack), "index")
            refs.entry(keys, code)
            stats["code"] += 1
    if not stats:
        raise ImportFormatError(path, line, "no index rows after the header")
    refs.emit(sink, "index", stats)
    log.debug("%s: %s", path.name, dict(stats))
