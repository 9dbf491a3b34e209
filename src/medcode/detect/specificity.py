"""Pick the billable code under a matched code from the words around the mention.

A term matched "Pain in knee" (M25.56, a header). Its billable descendants differ by the words their
titles add: "right" (M25.561), "left" (M25.562), "unspecified" (M25.569). Each descendant scores +1 for
each added word the mention's context has, 0 for words that state an official default (closed and
displaced fractures, initial encounter for active treatment, "unspecified"), a small penalty for
"other"/"specified" and -1 for every other word the text does not support. The best descendant wins;
ties go to the shorter title. Axes the text did not state (laterality, acuity, type, stage, episode) are
reported in the evidence, so a coder sees why the unspecified code was chosen.

Context words are normalised like the dictionary's and extended with what the text implies: "right and
left" or "both" means bilateral; one side means unilateral; "follow-up" means a subsequent encounter.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from medcode.search.text import STOPWORDS, words

# Words an official default covers when the text is silent (ICD-10-CM guidelines I.C.19.c.1 for
# fractures: not stated displaced → displaced, not stated open → closed; 7th character A for active
# treatment).
DEFAULTS = frozenset(
    "unspecified closed displaced initial encounter fracture routine healing primary without "
    "complication nos site part type".split()
)
WEAK = frozenset({"other", "specified", "nec"})
AXES: dict[str, frozenset[str]] = {
    "laterality": frozenset({"right", "left", "bilateral"}),
    "acuity": frozenset({"acute", "chronic", "subacute", "recurrent"}),
    "episode": frozenset({"initial", "subsequent", "sequela"}),
    "type": frozenset({"1", "2", "i", "ii"}),
    "stage": frozenset({"stage"}),
    "displacement": frozenset({"displaced", "nondisplaced"}),
}
_IMPLIED = {
    "followup": "subsequent", "follow": "subsequent", "healing": "subsequent", "recheck": "subsequent",
    "late": "sequela", "residual": "sequela", "sequelae": "sequela",
    "bilat": "bilateral", "both": "bilateral",
    "nondisplaced": "nondisplaced", "undisplaced": "nondisplaced",
    "i": "1", "ii": "2", "one": "1", "two": "2",
}


@dataclass(frozen=True, slots=True)
class Choice:
    code: str
    title: str
    score: float           # 0..1, how well the text supports this child
    stated: tuple[str, ...]   # context words that selected it (e.g. "right")
    missing: tuple[str, ...]  # axes the code could have had but the text did not state


def context_words(tokens_words: list[set[str]]) -> set[str]:
    ctx: set[str] = set()
    for ws in tokens_words:
        ctx |= ws
    for w in list(ctx):
        if w in _IMPLIED:
            ctx.add(_IMPLIED[w])
    if {"right", "left"} <= ctx:
        ctx.add("bilateral")
    elif ctx & {"right", "left"}:
        ctx.add("unilateral")
    return ctx


@lru_cache(maxsize=200_000)
def _title_words(title: str) -> frozenset[str]:
    return frozenset(w for w in words(title) if w not in STOPWORDS or w in {"without", "with"})


def resolve(dictionary, code: str, ctx: set[str], limit: int = 400) -> Choice | None:  # noqa: ANN001
    """The best billable code at or under ``code`` for the context words ``ctx``."""
    codes = dictionary.codes
    if code not in codes:
        return None
    base = _title_words(codes[code][0])
    cands = _billable_under(dictionary, code, limit)
    if not cands:
        return None
    best: tuple[float, int, str] | None = None
    best_stated: tuple[str, ...] = ()
    for c in cands:
        extra = _title_words(codes[c][0]) - base
        score = 0.0
        stated = []
        for w in extra:
            if w in ctx:
                score += 1.0
                stated.append(w)
            elif w in DEFAULTS:
                continue
            elif w in WEAK:
                score -= 0.4
            elif w == "with" or w == "without":
                continue
            else:
                score -= 1.0
        if "without" in extra and not ({"with"} & ctx and extra - {"without"} & ctx):
            score += 0.1  # "without complication" is the default when nothing else is said
        key = (score, -len(extra), c)
        if best is None or key[:2] > best[:2]:
            best, best_stated = key, tuple(sorted(stated))
    assert best is not None
    chosen = best[2]
    missing = _missing(dictionary, cands, chosen, ctx)
    quality = 1.0 if best[0] >= 0 else max(0.3, 1.0 + 0.2 * best[0])
    return Choice(chosen, codes[chosen][0], quality, best_stated, missing)


def _missing(dictionary, cands: list[str], chosen: str, ctx: set[str]) -> tuple[str, ...]:  # noqa: ANN001
    chosen_words = _title_words(dictionary.codes[chosen][0])
    offered: set[str] = set()
    for c in cands:
        offered |= _title_words(dictionary.codes[c][0])
    out = []
    for axis, vocab in AXES.items():
        if axis == "type" or axis == "stage":
            continue
        if offered & vocab and not (chosen_words & vocab & ctx):
            if axis == "episode" and "initial" in chosen_words and "initial" not in ctx:
                out.append("episode (assumed initial encounter)")
            elif axis == "displacement" and "displaced" in chosen_words and "displaced" not in ctx:
                out.append("displacement (defaulted to displaced)")
            elif axis in ("laterality", "acuity") and "unspecified" in chosen_words:
                out.append(axis)
            elif axis in ("laterality", "acuity") and not chosen_words & vocab:
                out.append(axis)
    if "unspecified" in chosen_words and not out:
        out.append("detail (code says unspecified)")
    return tuple(out)


def _billable_under(dictionary, code: str, limit: int) -> list[str]:  # noqa: ANN001
    cache = dictionary.__dict__.setdefault("_billable_cache", {}) if hasattr(dictionary, "__dict__") else None
    if cache is not None and code in cache:
        return cache[code]
    out: list[str] = []
    stack = [code]
    while stack and len(out) < limit:
        c = stack.pop()
        if dictionary.codes[c][1]:
            out.append(c)
        stack.extend(dictionary.children.get(c, ()))
    if cache is not None:
        cache[code] = out
    return out
