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

_KEYS = frozenset({"name", "regex", "code"})
KIND = "pattern"


@dataclass(frozen=True, slots=True)
class Pattern:
    name: str
    regex: re.Pattern[str]
    code: str


def load_patterns(text: str | None = None) -> tuple[Pattern, ...]:
    data = read_tables("patterns.toml", "pattern list", {"pattern"}, text)
    out = []
    for n, entry in enumerate(data.get("pattern", []), 1):
        where = f"pattern list, entry {n}"
        check_entry(entry, _KEYS, ("name", "regex", "code"), where)
        try:
            regex = re.compile(entry["regex"], re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(f"{where}: bad regex: {exc}") from None
        out.append(Pattern(entry["name"], regex, entry["code"]))
    return tuple(out)


def match_patterns(patterns: tuple[Pattern, ...], text: str, tokens: list[Token],
                   codes: dict[str, tuple]) -> list[Match]:
    """A match per pattern hit that covers at least one token, for codes the dictionary knows."""
    if not tokens:
        return []
    starts = [t.start for t in tokens]
    out = []
    for p in patterns:
        if p.code not in codes:
            continue
        for m in p.regex.finditer(text):
            first = bisect.bisect_left(starts, m.start())
            last = bisect.bisect_left(starts, m.end()) - 1
            if first > last or tokens[first].sentence != tokens[last].sentence:
                continue
            positions = frozenset(range(first, last + 1))
            # one pseudo-word per token: a pattern that spans three words outranks a one-word term inside it
            required = frozenset(f"{KIND}:{i}" for i in range(len(positions)))
            out.append(Match(Term(p.code, KIND, p.name, required), positions, first, last))
    return out
