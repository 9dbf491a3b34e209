"""Section headers of a clinical note ("Family history:", "Past medical history:", "Assessment and plan:").

Rules live in ``section_rules.toml``: a header is one of a section's literals at the start of a line,
followed by a colon or the end of the line. A section runs to the next header; a family history
ends with its paragraph. Sections may carry a trait that every entity inside them gets (family
history → PERTAINS_TO_FAMILY, surgical history → HISTORY).

Any other capitalised "Label:" at the start of a line ("MRI brain:", "DEXA:", "Hospital course:") also
ends the section before it, so a family-history trait does not leak into the imaging results that
follow. Labels naming a relative ("Mother:") never do, and a section marked ``subheaders = true``
(patient instructions: "Diet:", "Activity:") keeps its trait across such labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from medcode.detect._data import read_tables
from medcode.errors import ConfigError

_ALLOWED_KEYS = frozenset({"name", "literals", "trait", "subheaders"})
_TABLES = {"section", "not_headers", "title_lines"}
_TRAITS = frozenset({"HISTORY", "PERTAINS_TO_FAMILY", "HYPOTHETICAL"})


@dataclass(frozen=True, slots=True)
class SectionRule:
    name: str
    literals: tuple[str, ...]
    trait: str | None = None
    subheaders: bool = False  # unknown "Label:" lines inside this section do not end it

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str) -> SectionRule:
        unknown = set(d) - _ALLOWED_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
        if not isinstance(d.get("name"), str) or not re.fullmatch(r"[a-z_]+", d["name"]):
            raise ConfigError(f"{where}: 'name' must be snake_case")
        lits = d.get("literals")
        if not isinstance(lits, list) or not lits or not all(isinstance(x, str) and x for x in lits):
            raise ConfigError(f"{where}: 'literals' must be a non-empty list of strings")
        trait = d.get("trait")
        if trait is not None and trait not in _TRAITS:
            raise ConfigError(f"{where}: trait {trait!r} not in {sorted(_TRAITS)}")
        subheaders = d.get("subheaders", False)
        if not isinstance(subheaders, bool):
            raise ConfigError(f"{where}: 'subheaders' must be true or false")
        return cls(d["name"], tuple(lits), trait, subheaders)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "literals": list(self.literals)}
        if self.trait:
            out["trait"] = self.trait
        if self.subheaders:
            out["subheaders"] = True
        return out


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    start: int  # offset of the header
    body: int   # offset where the section's text begins (after the header)
    end: int
    trait: str | None


def load_rules(text: str | None = None) -> list[SectionRule]:
    data = read_tables("section_rules.toml", "section rules", _TABLES, text)
    return [SectionRule.from_dict(d, f"section rule {n}") for n, d in enumerate(data.get("section", []), 1)]


def _words(table: str, text: str | None) -> frozenset[str]:
    words = read_tables("section_rules.toml", "section rules", _TABLES, text).get(table, {}).get("words", [])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise ConfigError(f"section rules: {table}.words must be a list of strings")
    return frozenset(w.lower() for w in words)


def load_not_headers(text: str | None = None) -> frozenset[str]:
    """Words that make a "Label:" line part of the section it is in (relatives in a family history)."""
    return _words("not_headers", text)


def load_title_words(text: str | None = None) -> frozenset[str]:
    """Words that make an all-capitals line a document title ("DISCHARGE SUMMARY")."""
    return _words("title_lines", text)


_CAPS_LINE = re.compile(r"^[ \t]*([A-Z][A-Z0-9&/' -]*[A-Z])[ \t]*$", re.MULTILINE)


# A capitalised label of up to five words at the start of a line, then a colon.
_LABEL = re.compile(r"^[ \t]*(?P<label>[A-Z][A-Za-z0-9&/'-]*(?:[ \t]+[A-Za-z0-9&/'-]+){0,4})[ \t]*"
                    r"(?:\([^()\n]{0,40}\)[ \t]*)?:", re.MULTILINE)


_WORDS = re.compile(r"\w")
_BLANK = re.compile(r"\n[ \t]*\n")


class Sectionizer:
    def __init__(self, rules: list[SectionRule], not_headers: frozenset[str] = frozenset(),
                 title_words: frozenset[str] = frozenset()) -> None:
        self.rules = rules
        self.not_headers = not_headers
        self.title_words = title_words
        lits = sorted(((lit, i) for i, r in enumerate(rules) for lit in r.literals), key=lambda x: -len(x[0]))
        self._by_literal = {lit.lower(): i for lit, i in lits}
        alternation = "|".join(re.escape(lit) for lit, _ in lits)
        # "ROS (x = positive):" — a short parenthetical may sit between a header and its colon
        self._regex = re.compile(rf"^[ \t]*(?P<h>{alternation})[ \t]*(?:\([^()\n]{{0,40}}\)[ \t]*)?(?::|$)",
                                 re.IGNORECASE | re.MULTILINE)
        # A short header written in capitals opens its section without a colon ("ROS otherwise negative").
        shorts = "|".join(re.escape(lit.upper()) for lit, _ in lits if len(lit) <= 4 and lit.isalpha())
        self._bare = re.compile(rf"^[ \t]*(?P<h>{shorts})(?=[ \t]+[a-z])", re.MULTILINE) if shorts else None

    def titles(self, text: str) -> list[tuple[int, int]]:
        """Character spans of all-capitals title lines, in a note that is not itself all capitals."""
        if not any(c.islower() for c in text):
            return []
        return [(m.start(1), m.end(1)) for m in _CAPS_LINE.finditer(text)
                if self.title_words.intersection(m.group(1).lower().split())]

    def sections(self, text: str) -> list[Section]:
        heads: list[tuple[int, int, SectionRule | None]] = [
            (m.start(), m.end(), self.rules[self._by_literal[m.group("h").lower()]]) for m in self._regex.finditer(text)]
        known = {h[0] for h in heads}
        if self._bare is not None:
            for m in self._bare.finditer(text):
                if m.start() not in known:
                    heads.append((m.start(), m.end(), self.rules[self._by_literal[m.group("h").lower()]]))
                    known.add(m.start())
        for m in _LABEL.finditer(text):
            words = m.group("label").lower().split()
            if m.start() not in known and not self.not_headers.intersection(words):
                heads.append((m.start(), m.end(), None))
        heads.sort(key=lambda h: h[0])
        out = []
        current: SectionRule | None = None
        for k, (start, body, rule) in enumerate(heads):
            end = heads[k + 1][0] if k + 1 < len(heads) else len(text)
            if rule is None:
                if current is not None and current.subheaders:
                    continue  # a sub-label inside patient instructions: the section goes on
                out.append(Section("other", start, body, end, None))
                current = None
                continue
            current = rule
            out.append(Section(rule.name, start, body, end, rule.trait))
        # a section that absorbed sub-labels runs to the next section that was kept
        for k in range(len(out) - 1):
            if out[k].end < out[k + 1].start:
                out[k] = Section(out[k].name, out[k].start, out[k].body, out[k + 1].start, out[k].trait)
        if out and out[-1].end < len(text):
            last = out[-1]
            out[-1] = Section(last.name, last.start, last.body, len(text), last.trait)
        # a relative's section is its paragraph: after a blank line that follows its first words, the note
        # speaks of the patient again ("Family history: father with T2DM.\n\nDaniel does not have seizures")
        for k, s in enumerate(out):
            if s.trait == "PERTAINS_TO_FAMILY":
                words = _WORDS.search(text, s.body, s.end)
                gap = _BLANK.search(text, words.end(), s.end) if words else None
                if gap is not None:
                    out[k] = Section(s.name, s.start, s.body, gap.start(), s.trait)
        return out


@lru_cache(maxsize=1)
def default_sectionizer() -> Sectionizer:
    return Sectionizer(load_rules(), load_not_headers(), load_title_words())
