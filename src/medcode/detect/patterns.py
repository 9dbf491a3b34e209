"""Mentions found by regular expression: conditions stated with numbers or verbs, which no index term has.

"Lost 3 kg since spring" and "smokes 1 ppd" are codable (R63.4 abnormal weight loss; F17.21- nicotine
dependence, cigarettes), but the ICD-10-CM index words ("Loss, weight", "Dependence, drug, nicotine")
are not in the sentence. A pattern turns such a span into a match of a pseudo-term, so it goes through
the same grouping, specificity, context and section steps as a dictionary match. The patterns are data
(``patterns.toml``); a regex is the right tool here because the shape (a verb, a number, a unit) is
what identifies the condition.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from medcode.detect._data import check_entry, read_tables
from medcode.detect.matcher import Match, Term
from medcode.detect.tokens import Token
from medcode.errors import ConfigError

_KEYS = frozenset({"name", "regex", "code", "before", "sections"})
_BEFORE = 40  # characters before a hit that a "before" regex may look at
KIND = "pattern"


@dataclass(frozen=True, slots=True)
class Pattern:
    name: str
    regex: re.Pattern[str]
    code: str
    # When either is set, a hit counts only if the text just before it matches ``before`` ("on", "takes")
    # or it lies in one of ``sections`` (a medication list): a drug named in a plan is not long-term use.
    before: re.Pattern[str] | None = None
    sections: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()  # literal words of the regex; a note with none of them cannot match

    def applies(self, text: str, start: int, section: str | None) -> bool:
        if self.before is None and not self.sections:
            return True
        if section in self.sections:
            return True
        return bool(self.before and self.before.search(text, max(0, start - _BEFORE), start))


def load_patterns(text: str | None = None, name: str = "patterns.toml") -> tuple[Pattern, ...]:
    data = read_tables(name, f"pattern list {name}", {"pattern"}, text)
    out = []
    for n, entry in enumerate(data.get("pattern", []), 1):
        where = f"pattern list {name}, entry {n}"
        check_entry(entry, _KEYS, ("name", "regex", "code"), where)
        try:
            regex = re.compile(entry["regex"], re.IGNORECASE)
            before = re.compile(f"(?:{entry['before']})\\s*$", re.IGNORECASE) if "before" in entry else None
        except re.error as exc:
            raise ConfigError(f"{where}: bad regex: {exc}") from None
        sections = entry.get("sections", [])
        if not isinstance(sections, list) or not all(isinstance(x, str) for x in sections):
            raise ConfigError(f"{where}: 'sections' must be a list of section names")
        out.append(Pattern(entry["name"], regex, entry["code"], before, frozenset(sections), literal_words(regex)))
    return tuple(out)


def literal_words(regex: re.Pattern[str]) -> tuple[str, ...]:
    """Words one of which every match of ``regex`` contains (lower-cased), or () when none can be named.

    A cheap necessary condition: a note that contains none of them is skipped without running the
    regex. Forty case-insensitive regexes cost about 2 ms on a 2 KB note; the substring checks cost a
    few µs. The words are read from the regex's required parts only: a literal run outside optional
    groups, or every branch of a required group.
    """
    found = _required(regex.pattern)
    return tuple(sorted(found)) if found else ()


def _required(pattern: str) -> set[str] | None:
    branches = _top_level_branches(pattern)
    out: set[str] = set()
    for branch in branches:
        need = _branch_required(branch)
        if not need:
            return None
        out |= need
    return out


def _branch_required(branch: str) -> set[str] | None:
    """The best required element of one sequence: a literal word, or a required group's words."""
    best: set[str] | None = None
    k, n = 0, len(branch)
    while k < n:
        ch = branch[k]
        if ch == "\\":
            k += 2
            continue
        if ch == "[":
            k = _class_end(branch, k)
            continue
        if ch == "(":
            end = _group_end(branch, k)
            inner = branch[k + 1:end]
            optional = _quantified_optional(branch, end + 1)
            if not optional and not inner.startswith(("?=", "?!", "?<=", "?<!")):
                candidate = _required(inner.removeprefix("?:"))
                best = _better(best, candidate)
            k = end + 1
            continue
        if ch.isalpha():
            j = k
            while j < n and branch[j].isalnum():
                j += 1
            run = branch[k:j]
            if _quantified_optional(branch, j):
                run = run[:-1]  # "lbs?" requires "lb"
            if len(run) >= 2:
                best = _better(best, {run.lower()})
            k = j
            continue
        k += 1
    return best


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """The more selective of two requirements: fewer short words, then fewer words."""
    if not b:
        return a
    if not a:
        return b
    score = lambda ws: (sum(len(w) < 3 or w in _COMMON for w in ws), len(ws))
    return b if score(b) < score(a) else a


def _quantified_optional(pattern: str, at: int) -> bool:
    return at < len(pattern) and (pattern[at] in "?*" or pattern.startswith("{0", at))


def _class_end(pattern: str, k: int) -> int:
    j = k + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def _group_end(pattern: str, k: int) -> int:
    depth, j = 0, k
    while j < len(pattern):
        ch = pattern[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "[":
            j = _class_end(pattern, j)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return len(pattern) - 1


def _top_level_branches(pattern: str) -> list[str]:
    """``a|b(c|d)|e`` -> ["a", "b(c|d)", "e"]: the alternatives outside any group or class."""
    out, cur, k, depth = [], "", 0, 0
    while k < len(pattern):
        ch = pattern[k]
        if ch == "\\":
            cur += pattern[k:k + 2]
            k += 2
            continue
        if ch == "[":
            end = _class_end(pattern, k)
            cur += pattern[k:end]
            k = end
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(cur)
            cur = ""
            k += 1
            continue
        cur += ch
        k += 1
    out.append(cur)
    return out


_COMMON = frozenset(["on", "by", "from", "up", "about", "of", "the", "to", "in", "at", "with", "has", "have", "an", "or", "and", "is", "was", "for", "over", "almost", "nearly", "prior", "previous", "history", "status", "post", "left", "right", "home", "chronic", "daily", "use", "uses", "using", "takes", "taking", "continue", "continues", "remains", "long", "term", "planned", "scheduled", "recommended", "given", "allergy", "allergic", "allergies", "has"])


def match_patterns(patterns: tuple[Pattern, ...], text: str, tokens: list[Token],
                   codes: dict[str, tuple], section_at=lambda offset: None) -> list[Match]:
    """A match per pattern hit that covers at least one token, for codes the dictionary knows.

    ``section_at(offset)`` names the section an offset lies in (for patterns limited to sections).
    """
    if not tokens:
        return []
    starts = [t.start for t in tokens]
    low = text.lower()
    out = []
    for p in patterns:
        if p.code not in codes or (p.words and not any(w in low for w in p.words)):
            continue
        for m in p.regex.finditer(text):
            if not p.applies(text, m.start(), section_at(m.start())):
                continue
            first = bisect.bisect_left(starts, m.start())
            last = bisect.bisect_left(starts, m.end()) - 1
            if first > last or tokens[first].sentence != tokens[last].sentence:
                continue
            positions = frozenset(range(first, last + 1))
            # one pseudo-word per token: a pattern that spans three words outranks a one-word term inside it
            required = frozenset(f"{KIND}:{i}" for i in range(len(positions)))
            out.append(Match(Term(p.code, KIND, p.name, required), positions, first, last))
    return out
