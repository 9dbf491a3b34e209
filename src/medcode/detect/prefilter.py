"""Words a regular expression needs: a substring test that skips a regex on a note it cannot match.

Python's ``re`` tries a case-insensitive pattern such as ``\\b(?:apixaban|warfarin)\\b`` at every
position of the text, so forty of them cost about 2 ms on a 2 KB note. When every match must contain
one of a few literal words, a note that holds none of them is skipped with ``in`` tests that cost a few
µs. The words are read from the pattern's required parts only (a literal run outside optional groups,
or every branch of a required group); a pattern with a branch that needs no word gets no filter. Used
by the pattern mentions (``patterns.py``) and the ConText rules (``context.py``), and by :class:`AnyOf`,
the note-wide tests of the rule files ("is this patient pregnant?", "a past stroke?").

``windows`` goes one step further: where the words occur, the regex is run only on the stretches of
text around them (``RADIUS`` characters either side), since every match contains one of the words.
A match longer than ``RADIUS`` could be cut, so the radius is far above the longest cue or pattern.

``led`` makes each try cheaper where the regex is run: Python's ``re`` has no first-character table for a
case-insensitive pattern that opens with ``\\b`` and an alternation, so at every word start it tries all
thirty alternatives of ``\\b(?:but|however|although|...)``. A lookahead for the characters a match can
begin with fails at once where none of them stands.
"""

from __future__ import annotations

import re
import re._constants as _sc  # type: ignore[import-not-found]  # the parsed form of a pattern: no public module gives it
import re._parser as _sp  # type: ignore[import-not-found]

RADIUS = 120  # the longest cue or pattern allows about 80 characters ("dated diagnosis")
_MANY = 6  # more hits than this and the stretches cover most of a 2 KB note anyway


def windows(lowered: str, words: tuple[str, ...], seen: dict[str, list[int]] | None = None) -> list[tuple[int, int]]:
    """Stretches of the text, as (start, end), that can hold a match needing one of ``words``.

    No words means no filter: the whole text. A text without any of the words gives no stretch.
    ``seen``, when given, keeps each word's first places in this text for the next call: the rules of
    one note ask for the same words ("no", "history") many times.
    """
    if not words:
        return [(0, len(lowered))]
    spans = []
    for w in words:
        places = seen.get(w) if seen is not None else None
        if places is None:
            places = _places(lowered, w)
            if seen is not None:
                seen[w] = places
        for at in places:
            spans.append((max(0, at - RADIUS), min(len(lowered), at + len(w) + RADIUS)))
            if len(spans) > _MANY:
                return [(0, len(lowered))]  # a word on every line ("no", "in"): the windows would cover it all
    if not spans:
        return []
    spans.sort()
    merged = [spans[0]]
    for lo, hi in spans[1:]:
        if lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _places(lowered: str, w: str) -> list[int]:
    """Where ``w`` occurs, up to one more place than :func:`windows` ever uses."""
    out: list[int] = []
    at = lowered.find(w)
    while at >= 0 and len(out) <= _MANY:
        out.append(at)
        at = lowered.find(w, at + 1)
    return out


class AnyOf:
    """A list of regular expressions searched as their alternation ``a|b|c``, each only where its words are.

    One joined pattern cannot be filtered when any of its branches names no word (``\\bG\\d+P\\d+ at
    \\d+ wks``), and then it is tried at every place of the note: about 0.2 ms for the twenty pregnancy
    patterns on a 2 KB note, on every note. Apart, each pattern is run on the windows of its own words.
    :meth:`search` finds what the joined pattern finds: the leftmost match, and at one place the first
    pattern listed.
    """

    def __init__(self, patterns: list[str], flags: int = re.IGNORECASE):
        self.pattern = "|".join(patterns)
        regexes = [re.compile(p, flags) for p in patterns]
        self._parts = [(led(r), literal_words(r)) for r in regexes]

    def search(self, text: str, lowered: str | None = None) -> re.Match[str] | None:
        low = text.lower() if lowered is None else lowered
        seen: dict[str, list[int]] = {}
        best: re.Match[str] | None = None
        for regex, words in self._parts:
            for lo, hi in windows(low, words, seen):
                if best is not None and lo >= best.start():
                    break  # only an earlier match can replace it; at the same place the earlier pattern stays
                m = regex.search(text, lo, hi)
                if m is not None and (best is None or m.start() < best.start()):
                    best = m
                if m is not None:
                    break  # the windows come in order: this one holds the pattern's leftmost match
        return best


def led(regex: re.Pattern[str], most: int = 40) -> re.Pattern[str]:
    """``regex`` behind a lookahead for the characters its matches can begin with (same matches, same
    groups); ``regex`` itself when they are unknown, more than ``most``, or a match can be empty."""
    try:
        chars, empty = _first(list(_sp.parse(regex.pattern, regex.flags)))
    except (AttributeError, IndexError, TypeError, ValueError):  # a parsed form this reading does not know
        return regex
    if chars is None or empty or len(chars) > most:
        return regex
    allowed = "".join(re.escape(c) for c in sorted(chars))
    return re.compile(f"(?=[{allowed}])(?:{regex.pattern})", regex.flags)


def _first(items: list) -> tuple[set[str] | None, bool]:
    """The characters a match of the parsed ``items`` can begin with (in both cases: the lookahead then
    holds with or without IGNORECASE), or None when any can; and whether the items can match the empty
    string."""
    out: set[str] = set()
    for op, av in items:
        if op in (_sc.AT, _sc.ASSERT, _sc.ASSERT_NOT):
            continue  # "\\b", a lookahead or lookbehind: no character taken
        if op is _sc.LITERAL:
            return out | _cases(chr(av)), False
        if op is _sc.IN:
            for kind, arg in av:
                if kind is _sc.LITERAL:
                    out |= _cases(chr(arg))
                elif kind is _sc.RANGE and arg[1] - arg[0] <= 60:
                    out.update(c for n in range(arg[0], arg[1] + 1) for c in _cases(chr(n)))
                else:
                    return None, False  # a negated class, "\\w", "\\s": too many characters to list
            return out, False
        if op is _sc.BRANCH:
            empty = False
            for alt in av[1]:
                chars, can_be_empty = _first(list(alt))
                if chars is None:
                    return None, False
                out |= chars
                empty |= can_be_empty
        elif op is _sc.SUBPATTERN:
            chars, empty = _first(list(av[3]))
            if chars is None:
                return None, False
            out |= chars
        elif op in (_sc.MAX_REPEAT, _sc.MIN_REPEAT):
            chars, empty = _first(list(av[2]))
            if chars is None:
                return None, False
            out |= chars
            empty = empty or av[0] == 0
        else:
            return None, False  # any character, a back-reference...: unknown
        if not empty:
            return out, False
    return out, True


def _cases(ch: str) -> set[str]:
    return {ch, *ch.lower(), *ch.upper()}


def literal_words(regex: re.Pattern[str]) -> tuple[str, ...]:
    """Words one of which every match of ``regex`` contains (lower-cased), or () when none can be named."""
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
            if k + 1 < n and branch[k + 1] in _RARE_MARKS and not _quantified_optional(branch, k + 2):
                best = _better(best, {branch[k + 1]})  # "\\?": a question mark is rare in notes
            k += 2
            continue
        if ch == "[":
            k = _class_end(branch, k)
            continue
        if ch == "(":
            end = _group_end(branch, k)
            inner = branch[k + 1:end]
            optional = _quantified_optional(branch, end + 1)
            if not optional and not inner.startswith(("?!", "?<!")):
                # a lookahead or lookbehind's text lies right next to the match, inside its window
                body = next((inner[len(p):] for p in ("?:", "?<=", "?=") if inner.startswith(p)), inner)
                if body.startswith("?P<"):
                    body = body[body.index(">") + 1:]  # a named group: its name is no word of the text
                candidate = _required(body)
                best = _better(best, candidate)
            k = end + 1
            continue
        if ch.isalpha():
            j = k
            while j < n and (branch[j].isalnum() or (branch[j] == "/" and j + 1 < n and branch[j + 1].isalnum())):
                j += 1  # "h/o", "s/p": a slash inside a word keeps it one word
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
    """The more selective of two requirements: fewer common words ("on", "home"), then fewer short ones,
    then fewer words. "on|receives ... (hemodialysis|HD|dialysis)" is filtered by the dialysis words."""
    if not b:
        return a
    if not a:
        return b
    score = lambda ws: (sum(w in _COMMON for w in ws), sum(len(w) < 3 and w not in _RARE_MARKS for w in ws), len(ws))
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


_RARE_MARKS = frozenset("?")
_COMMON = frozenset(["on", "by", "from", "up", "about", "of", "the", "to", "in", "at", "with", "has", "have", "an", "or", "and", "is", "was", "for", "over", "almost", "nearly", "prior", "previous", "history", "status", "post", "left", "right", "home", "chronic", "daily", "use", "uses", "using", "takes", "taking", "continue", "continues", "remains", "long", "term", "planned", "scheduled", "recommended", "given", "allergy", "allergic", "allergies", "has"])
