"""Turn what a coder types into concept groups: each group is one idea with its alternative wordings.

"crps right leg" becomes three groups::

    [complex regional pain syndrome | crps]  [right]  [leg | lower limb | lower leg | lower extremity]

Abbreviations and synonyms come from the TSV files next to this module. Typo correction is done by
the engine, which knows the index vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from medcode.search.text import STOPWORDS, words

# Query words that steer to a child code rather than describe the condition.
SIDE_WORDS = frozenset({"right", "left", "bilateral"})

_CODE_LIKE = re.compile(r"^(?=.*\d)[A-Za-z0-9]{1,3}(\.[A-Za-z0-9]{0,4}|[A-Za-z0-9]{0,5})$")


@dataclass
class Group:
    """One concept of the query. ``alternatives`` are word tuples; any one of them matching counts."""

    word: str
    alternatives: list[tuple[str, ...]]
    prefix: bool = False  # the last word of a type-ahead query: match as a prefix
    corrected: str | None = None  # the vocabulary word a misspelling was corrected to

    @property
    def is_side(self) -> bool:
        return self.word in SIDE_WORDS


@dataclass
class Query:
    text: str
    groups: list[Group] = field(default_factory=list)
    code_like: bool = False

    @property
    def sides(self) -> set[str]:
        return {g.word for g in self.groups if g.is_side}


def load_map(name: str, package: str = "medcode.search") -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Read a ``key | key <TAB> alt | alt`` file into {key words: [alternative words, ...]}."""
    out: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            keys, alts = line.split("\t")
        except ValueError:
            raise ValueError(f"{name}, line {n}: expected two tab-separated columns") from None
        alternatives = [tuple(words(a)) for a in alts.split("|") if words(a)]
        for key in keys.split("|"):
            kw = tuple(words(key))
            if kw:
                out.setdefault(kw, []).extend(alternatives)
    return out


@lru_cache(maxsize=1)
def vocabularies() -> tuple[dict[tuple[str, ...], list[tuple[str, ...]]], int]:
    merged = load_map("abbreviations.tsv")
    for key, alts in load_map("synonyms.tsv").items():
        merged.setdefault(key, []).extend(alts)
    longest = max((len(k) for k in merged), default=1)
    return merged, longest


def looks_like_code(text: str) -> bool:
    return bool(_CODE_LIKE.match(text.strip()))


def parse(text: str, *, type_ahead: bool = True) -> Query:
    """Split ``text`` into concept groups, expanding abbreviations and synonyms (longest match first)."""
    query = Query(text=text, code_like=looks_like_code(text))
    tokens = words(text)
    content = [t for t in tokens if t not in STOPWORDS] or tokens
    mapping, longest = vocabularies()
    i = 0
    while i < len(content):
        for n in range(min(longest, len(content) - i), 0, -1):
            key = tuple(content[i : i + n])
            if n > 1 and key not in mapping:
                continue
            alts = [key, *mapping.get(key, [])]
            seen: list[tuple[str, ...]] = []
            for a in alts:
                if a not in seen:
                    seen.append(a)
            query.groups.append(Group(word=" ".join(key), alternatives=seen))
            i += n
            break
    if query.groups and type_ahead and text and not text[-1].isspace():
        last = query.groups[-1]
        if len(last.alternatives[0]) == 1:
            last.prefix = True
    return query
