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
from medcode.detect.age import note_age
from medcode.detect.matcher import Match, Term
from medcode.detect.prefilter import led, literal_words, windows
from medcode.detect.tokens import Token
from medcode.errors import ConfigError

_KEYS = frozenset({"name", "regex", "code", "before", "after", "sections", "age_limits"})
_BEFORE = 40  # characters before a hit that a "before" regex may look at, and after it an "after" regex
# a hit that an "after" regex accepts ("prednisone 5 mg daily") is still not current use when the words
# before it start it now ("start prednisone 40 mg daily")
_STARTED = re.compile(r"\b(?:start|starting|begin|beginning|initiate|initiating|add|adding|trial of|prescribe|"
                      r"prescribed|rx|consider|considering|recommend|recommended|switch to|change to|offered|"
                      r"give|given|gave|dose of|burst|taper)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
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
    # ... or the text right after it matches ``after`` (a maintenance dose: "tacrolimus 2 mg BID")
    after: re.Pattern[str] | None = None
    # (age in years, highest normal value) pairs, youngest first: in a note whose patient is younger than
    # an age, a hit whose "value" group is at most that age's normal value is no finding ("HR 142" at 2 years)
    age_limits: tuple[tuple[float, float], ...] = ()

    def normal_for_age(self, hit: re.Match[str], age: float | None) -> bool:
        if not self.age_limits or age is None:
            return False
        limit = next((high for below, high in self.age_limits if age < below), None)
        return limit is not None and float(hit.group("value")) <= limit

    def applies(self, text: str, start: int, section: str | None, end: int | None = None) -> bool:
        if self.before is None and not self.sections and self.after is None:
            return True
        if section in self.sections:
            return True
        if self.before and self.before.search(text, max(0, start - _BEFORE), start):
            return True
        return bool(self.after and end is not None and self.after.match(text, end, end + _BEFORE)
                    and not _STARTED.search(text, max(0, start - _BEFORE), start))


def load_patterns(text: str | None = None, name: str = "patterns.toml") -> tuple[Pattern, ...]:
    """The patterns of ``text`` or the packaged file ``name``. A ``before`` or ``after`` written
    ``{ shared = "name" }`` takes the regex of that name in the file's ``[shared]`` table (the
    maintenance dose that many long-term drug patterns read is written once)."""
    data = read_tables(name, f"pattern list {name}", {"pattern", "shared"}, text)
    shared = data.get("shared", {})
    out = []
    for n, entry in enumerate(data.get("pattern", []), 1):
        where = f"pattern list {name}, entry {n}"
        check_entry(entry, _KEYS, ("name", "regex", "code"), where)
        entry = {k: _shared(v, shared, f"{where}, '{k}'") if k in ("before", "after") else v for k, v in entry.items()}
        try:
            regex = re.compile(entry["regex"], re.IGNORECASE)
            before = re.compile(f"(?:{entry['before']})\\s*$", re.IGNORECASE) if "before" in entry else None
            after = re.compile(entry["after"], re.IGNORECASE) if "after" in entry else None
        except re.error as exc:
            raise ConfigError(f"{where}: bad regex: {exc}") from None
        limits = entry.get("age_limits", [])
        if not (isinstance(limits, list) and all(isinstance(x, list) and len(x) == 2 for x in limits)
                and all(isinstance(v, (int, float)) for x in limits for v in x)):
            raise ConfigError(f"{where}: 'age_limits' must be a list of [age in years, highest normal value] pairs")
        if limits and "value" not in regex.groupindex:
            raise ConfigError(f"{where}: a pattern with 'age_limits' needs a (?P<value>...) group in its regex")
        sections = entry.get("sections", [])
        if not isinstance(sections, list) or not all(isinstance(x, str) for x in sections):
            raise ConfigError(f"{where}: 'sections' must be a list of section names")
        out.append(Pattern(entry["name"], led(regex), entry["code"], before, frozenset(sections), literal_words(regex), after,
                           tuple(sorted((float(a), float(v)) for a, v in limits))))
    return tuple(out)


def _shared(value: object, shared: dict[str, object], where: str) -> str:
    """A ``before``/``after`` regex, or the ``[shared]`` one a ``{ shared = "name" }`` table names."""
    if isinstance(value, dict):
        named = shared.get(str(value["shared"])) if set(value) == {"shared"} else None
        if not isinstance(named, str):
            raise ConfigError(f"{where}: {value!r} names no regex of the [shared] table")
        return named
    if not isinstance(value, str):
        raise ConfigError(f"{where}: must be a regex or {{ shared = \"name\" }}")
    return value


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
    seen: dict[str, list[int]] = {}
    age: list[float | None] = []  # read once, at the first hit that needs it
    for p in patterns:
        if p.code not in codes:
            continue
        for m in (m for lo, hi in windows(low, p.words, seen) for m in p.regex.finditer(text, lo, hi)):
            if not p.applies(text, m.start(), section_at(m.start()), m.end()):
                continue
            if p.age_limits:
                if not age:
                    age.append(note_age(text))
                if p.normal_for_age(m, age[0]):
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
