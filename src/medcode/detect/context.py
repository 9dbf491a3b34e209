"""ConText-style modifiers (negation, uncertainty, hypothetical, family, history) as data.

The rules live in ``context_rules.toml`` and are validated on load the way medspaCy's ``ConTextRule``
is (``_ALLOWED_KEYS``, ``_ALLOWED_DIRECTIONS``), and can be written back out with :meth:`Rule.to_dict`.

Why not medspaCy's ConText itself: it runs inside a spaCy pipeline (tokenizer, sentence splitter,
PhraseMatcher) and measured at roughly a quarter of our notes-per-second target on 2 KB notes in
``bench/bench_detect.py``; the algorithm is small, so it is done here with one compiled regex over
the text and token-index scopes, and medspaCy is the benchmark peer. The semantics follow ConText
(Harkema et al. 2009) and medspaCy:

* a cue modifies targets in its direction until the end of the sentence, its ``max_scope`` words, or a
  TERMINATE cue, whichever comes first;
* PSEUDO cues ("no increase", "history of present illness") are matched in the same pass, longest first,
  so the cue inside them never fires.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from medcode.detect._data import check_entry, read_tables
from medcode.detect.prefilter import led, literal_words, windows
from medcode.detect.tokens import Token
from medcode.errors import ConfigError

CATEGORIES = ("NEGATED_EXISTENCE", "POSSIBLE_EXISTENCE", "HYPOTHETICAL", "FAMILY", "HISTORICAL", "PSEUDO",
              "TERMINATE")
DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO")
_ALLOWED_KEYS = frozenset({"literal", "pattern", "category", "direction", "max_scope", "list_scope"})
# ConText category -> InferICD10CM trait name.
TRAITS = {
    "NEGATED_EXISTENCE": "NEGATION",
    "POSSIBLE_EXISTENCE": "LOW_CONFIDENCE",
    "HYPOTHETICAL": "HYPOTHETICAL",
    "FAMILY": "PERTAINS_TO_FAMILY",
    "HISTORICAL": "HISTORY",
}
DEFAULT_SCOPE = 12


@dataclass(frozen=True, slots=True)
class Rule:
    literal: str
    category: str
    direction: str
    pattern: str | None = None
    max_scope: int | None = None
    # A short cue ("no", "without", "prior") reaches past a comma only into an "or" list ("no fever,
    # chills or sweats"); "no residual deficit, hyperlipidemia" ends at the comma. Backwards such a cue
    # never crosses a comma ("HTN, gout, prostatitis in 2015": only prostatitis is past). Cues such as
    # "denies" keep their whole scope.
    list_scope: bool = False

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "rule") -> Rule:
        check_entry(d, _ALLOWED_KEYS, ("literal", "category", "direction"), where)
        if d["category"] not in CATEGORIES:
            raise ConfigError(f"{where}: category {d['category']!r} not in {CATEGORIES}")
        if d["direction"] not in DIRECTIONS:
            raise ConfigError(f"{where}: direction {d['direction']!r} not in {DIRECTIONS}")
        scope = d.get("max_scope")
        if scope is not None and (not isinstance(scope, int) or scope < 1):
            raise ConfigError(f"{where}: max_scope must be a positive integer")
        pattern = d.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"{where}: bad pattern ({exc})") from None
        list_scope = d.get("list_scope", False)
        if not isinstance(list_scope, bool):
            raise ConfigError(f"{where}: list_scope must be true or false")
        return cls(d["literal"], d["category"], d["direction"], pattern, scope, list_scope)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"literal": self.literal, "category": self.category, "direction": self.direction}
        if self.pattern is not None:
            out["pattern"] = self.pattern
        if self.max_scope is not None:
            out["max_scope"] = self.max_scope
        if self.list_scope:
            out["list_scope"] = True
        return out

    @property
    def regex(self) -> str:
        if self.pattern is not None:
            return self.pattern
        words = [re.escape(w) for w in self.literal.lower().split()]
        return r"\b" + r"\s+".join(words) + r"\b"


def reaches(scopes: list[tuple[int, int, int]], first: int, last: int, begin: int, end: int) -> bool:
    """Whether one of ``scopes`` ((first token, last token, cue start offset) of a modifier) covers the
    tokens ``first``..``last`` with its cue outside the text ``begin``..``end``: a cue inside a mention is
    part of its name. Shared by the detector and by phrase learning, which must read negation alike."""
    return any(f <= last and first <= l and not begin <= start < end for f, l, start in scopes)


@dataclass(frozen=True, slots=True)
class Modifier:
    """A cue found in the text and the token range [first, last] it modifies."""

    rule: Rule
    start: int
    end: int
    first: int
    last: int

    @property
    def trait(self) -> str | None:
        return TRAITS.get(self.rule.category)


def load_rules(text: str | None = None) -> list[Rule]:
    """Rules from ``text`` (TOML) or the packaged ``context_rules.toml``."""
    data = read_tables("context_rules.toml", "context rules", {"rule"}, text)
    return [Rule.from_dict(d, f"context rule {n} ({d.get('literal')!r})") for n, d in enumerate(data.get("rule", []), 1)]


_WORD = re.compile(r"[a-z0-9]+")


class ConText:
    """Finds modifiers in a text and the token ranges they cover.

    Literal cues are matched on lower-cased token sequences, longest first (a dict look-up per token),
    so a PSEUDO cue wins over the cue it contains; rules with a ``pattern`` are matched one regex each,
    PSEUDO first, and a later cue overlapping one already kept is dropped.
    """

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self._literal: dict[tuple[str, ...], Rule] = {}
        # PSEUDO rules first: where two cues cover the same words the first kept wins, and "mother
        # reports" must be read as a pseudo-cue, not as a relative.
        # One regex per pattern rule, each behind a check that a word it needs is in the note
        # (medcode.detect.prefilter): one alternation of all of them cost milliseconds a note.
        self._patterns: list[tuple[int, re.Pattern[str], tuple[str, ...]]] = []
        for i, r in sorted(enumerate(rules), key=lambda ir: ir[1].direction != "PSEUDO"):
            if r.pattern is None:
                key = tuple(_WORD.findall(r.literal.lower()))
                if key:
                    self._literal.setdefault(key, r)
            else:
                regex = re.compile(r.pattern, re.IGNORECASE)
                self._patterns.append((i, led(regex), literal_words(regex)))
        self._first: dict[str, int] = {}  # first word of a literal cue -> its longest cue
        for key in self._literal:
            self._first[key[0]] = max(self._first.get(key[0], 0), len(key))

    def _cues(self, text: str, tokens: list[Token]) -> list[tuple[Rule, int, int, int, int]]:
        found: list[tuple[Rule, int, int, int, int]] = []  # rule, start, end, first token, last token
        low = [t.raw.lower() for t in tokens]
        n = len(tokens)
        i = 0
        while i < n:
            longest = self._first.get(low[i])
            if longest is None:
                i += 1
                continue
            for size in range(min(longest, n - i), 0, -1):
                rule = self._literal.get(tuple(low[i:i + size]))
                if rule is not None:
                    found.append((rule, tokens[i].start, tokens[i + size - 1].end, i, i + size - 1))
                    i += size
                    break
            else:
                i += 1
        if self._patterns:
            starts = [t.start for t in tokens]
            lowered = text.lower()
            hits: list[tuple[int, int, re.Match[str], Rule]] = []
            seen: dict[str, list[int]] = {}
            for order, (i, regex, needed) in enumerate(self._patterns):
                for lo, hi in windows(lowered, needed, seen):
                    hits.extend((m.start(), order, m, self.rules[i]) for m in regex.finditer(text, lo, hi))
            hits.sort(key=lambda h: h[:2])  # leftmost first; at one place, PSEUDO and then file order
            # pattern spans kept: one cue per stretch of text. Hits come leftmost first, so a hit overlaps
            # a kept span exactly when it starts before the furthest end kept so far (an empty match
            # also needs a kept span that starts before it).
            taken: list[tuple[int, int]] = []
            reach = -1
            for _, _, m, rule in hits:
                if m.start() < reach and (m.end() > m.start() or any(a < m.start() < b for a, b in taken)):
                    continue
                taken.append((m.start(), m.end()))
                reach = max(reach, m.end())
                first = bisect.bisect_left(starts, m.start())
                last = bisect.bisect_left(starts, m.end()) - 1
                if first > last:
                    # a cue of punctuation only sits between words: "(-)", "[x]" before the next word,
                    # "?" after the word it questions
                    if not ((rule.direction == "BACKWARD" and first > 0)
                            or (rule.direction in ("FORWARD", "TERMINATE") and first < len(tokens))):
                        continue
                    last = first - 1
                if not any(f[3] <= last and first <= f[4] and f[0].direction == "PSEUDO" for f in found):
                    found.append((rule, m.start(), m.end(), first, last))
            # a pseudo-cue pattern hides the literal cues inside it ("organism not identified"), and so does
            # a backward one: in "ileus possible given distension" the "possible" modifies what precedes it
            spans = [(f[1], f[2]) for f in found if f[0].pattern is not None and f[0].direction in ("PSEUDO", "BACKWARD")]
            if spans:
                found = [f for f in found if f[0].pattern is not None
                         or not any(a <= f[1] and f[2] <= b for a, b in spans)]
        return found

    def modifiers(self, text: str, tokens: list[Token]) -> list[Modifier]:
        found = self._cues(text, tokens)
        # (first word, character) of each terminating cue: a cue of punctuation only ("(-)") takes the
        # word after it as its first, like a terminating colon just before it ("ROS: (-) CP"), which
        # must not end the scope of the cue it precedes
        terms = sorted((f[3], f[1]) for f in found if f[0].direction == "TERMINATE")
        term_first = [t[0] for t in terms]
        term_last = sorted(f[4] for f in found if f[0].direction == "TERMINATE")
        out: list[Modifier] = []
        n = len(tokens)
        for rule, start, end, first, last in found:
            if rule.direction in ("TERMINATE", "PSEUDO"):
                continue
            scope = rule.max_scope or DEFAULT_SCOPE
            sentence = tokens[min(first, n - 1)].sentence if n else 0
            if rule.direction in ("FORWARD", "BIDIRECTIONAL") and last + 1 < n:
                ahead = sentence
                if (last >= first and tokens[last + 1].sentence != sentence
                        and _DASH.fullmatch(text, tokens[last].end, tokens[last + 1].start)):
                    ahead = tokens[last + 1].sentence  # "Mother - ovarian ca", "mom: Graves'"
                stop = min(n - 1, last + scope)
                k = bisect.bisect_right(term_first, last)
                while k < len(terms) and terms[k][1] < start:
                    k += 1
                if k < len(term_first):
                    stop = min(stop, term_first[k] - 1)
                hi = last + 1
                if rule.list_scope and not _or_list(tokens, last + 1, stop):
                    leads = _leads(text, tokens, first, last, start)
                    while hi <= stop and tokens[hi].sentence == ahead and not (
                            hi - 1 > last and tokens[hi - 1].comma
                            and (not leads or _asserted_item(text, tokens, hi))):
                        hi += 1
                else:
                    while hi <= stop and tokens[hi].sentence == ahead:
                        hi += 1
                if (hi - 1 == stop == last + scope and rule.category == "NEGATED_EXISTENCE"
                        and _leads(text, tokens, first, last, start)):
                    hi = _list_end(text, tokens, hi, ahead, term_first)
                if hi - 1 > last:
                    out.append(Modifier(rule, start, end, last + 1, hi - 1))
            if rule.direction in ("BACKWARD", "BIDIRECTIONAL") and first > 0:
                stop = max(0, first - scope)
                k = bisect.bisect_left(term_last, first) - 1
                if k >= 0:
                    stop = max(stop, term_last[k] + 1)
                lo = first - 1
                if last < first or start < tokens[first].start or (
                        tokens[first].sentence != tokens[first - 1].sentence
                        and _DASH.fullmatch(text, tokens[first - 1].end, tokens[first].start)):
                    # a punctuation cue (or one that starts with punctuation: "Asthma? No") ends the
                    # sentence of the word before it, and a cue right after a dash or colon on the same
                    # line qualifies the item before it ("Gestational HTN - resolved", "Cardiogenic shock
                    # - not present", "DVT/PE: none")
                    sentence = tokens[first - 1].sentence
                # (a comma right before the cue is the one that sets it off: "AKI, resolved")
                while lo >= stop and tokens[lo].sentence == sentence and not (
                        rule.list_scope and tokens[lo].comma and lo < first - 1):
                    lo -= 1
                if lo + 1 < first:
                    out.append(Modifier(rule, start, end, lo + 1, first - 1))
        return out


_OR = frozenset({"or", "nor"})
_DASH = re.compile(r"[ \t]*[-\u2013\u2014:][ \t]*")


def _leads(text: str, tokens: list[Token], first: int, last: int, start: int) -> bool:
    """Whether the cue starting at character ``start`` (tokens ``first``..``last``; a mark such as "(-)"
    has none of its own) opens its line, sentence or a label ("No fever, chills, cough", "ROS: no
    nausea, vomiting", "(-) cough, SOB"): such a cue heads the whole list after it, as a review of
    systems writes it, rather than one item of a problem list ("HTN, no residual deficit, gout")."""
    if first == 0 or first >= len(tokens):
        return True
    prev = tokens[first - 1]
    gap = text[prev.end:start]
    if last >= first and prev.sentence == tokens[first].sentence:
        return ":" in gap and gap.strip() == ":"
    if last < first and not any(ch in gap for ch in ".;:\n"):
        return False  # a mark inside a line of items
    # after a dash only "no" heads a list ("otherwise neg - no fever, cough"); "OSA - not using CPAP,
    # obesity" is one item's note
    return "-" not in gap or (last >= first and tokens[last].norm == "no")


# An item of a denied list that asserts after all: "+ orthopnea", "mild fatty liver", "brief amnesia",
# "flu A positive".
_ASSERTING = frozenset({"mild", "moderate", "severe", "brief", "chronic", "positive", "pos", "small", "large",
                        "on", "but", "with", "has", "had", "some", "slight", "minimal", "trace", "soft", "faint",
                        "more", "another"})


_LIST_ITEM = 4  # words of one item of a review-of-systems list ("abd pain", "weight loss")


def _list_end(text: str, tokens: list[Token], at: int, sentence: int, term_first: list[int]) -> int:
    """Where a denial that heads a list ends when its word scope ran out inside the list: "ROS: Denies
    weight loss, fevers, night sweats, chest pain, palpitations, SOB, dysphagia, abd pain, melena,
    hematuria" denies every item, however long the list. It reaches on through short comma items to
    the end of the sentence, and stops before an item that asserts ("+ orthopnea"), a longer phrase or
    a terminating cue."""
    hi = at
    while hi < len(tokens) and tokens[hi].sentence == sentence:
        k = hi
        while k + 1 < len(tokens) and tokens[k + 1].sentence == sentence and not tokens[k].comma:
            k += 1
        if k - hi + 1 > _LIST_ITEM or (hi > at and _asserted_item(text, tokens, hi)):
            break
        j = bisect.bisect_left(term_first, hi)
        if j < len(term_first) and term_first[j] <= k:
            break  # a terminating cue inside the item
        hi = k + 1
    return hi


def _asserted_item(text: str, tokens: list[Token], at: int) -> bool:
    """Whether the comma item starting at token ``at`` asserts a finding rather than continuing the list."""
    if "+" in text[tokens[at - 1].end:tokens[at].start]:
        return True
    j = at
    while j < len(tokens) and tokens[j].sentence == tokens[at].sentence:
        if tokens[j].norm in _ASSERTING:
            return True
        if tokens[j].comma:
            break
        j += 1
    return False


def _or_list(tokens: list[Token], first: int, stop: int) -> bool:
    """Whether the words from ``first`` to ``stop`` in one sentence form an "or" list: an "or" after a
    comma ("no fever, chills or sweats"). An "or" before the first comma closed its own short list: "w/o
    necrosis or infection, superimposed on chronic pancreatitis" denies nothing after the comma."""
    sentence = tokens[first].sentence if first < len(tokens) else -1
    comma = False
    for t in tokens[first:stop + 1]:
        if t.sentence != sentence:
            continue
        if t.norm in _OR and comma:
            return True
        comma = comma or t.comma
    return False


@lru_cache(maxsize=1)
def default_context() -> ConText:
    return ConText(load_rules())
