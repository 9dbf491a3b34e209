"""Find US city and county names from the gazetteer, with context to settle ordinary words.

Street addresses, ZIP codes, ``City, ST`` and ``X County`` are pattern rules in
``recognizers.toml``; this module adds bare place names: a run of one to four capitalised words
that is a known city or county. A multi-word place (``Salt Lake City``) counts on its own; a
one-word place counts when a preposition or a location word comes before it (``moved to
Boston``), and never when it is an ordinary or clinical word (``Mobile``, ``Normal``).
"""

from __future__ import annotations

import re

from .lexicon import Lexicon
from .spans import PhiSpan

_PREP = re.compile(
    r"(?i)\b(?:in|from|to|near|at|of|outside|around|toward|towards|lives|living|resides|"
    r"visiting|visited|moved|relocated|born|raised|native|resident|travel(?:ed|led|ing)?|"
    r"trip|home|city|town|village|county)[ \t,]+$"
)
_STATES = frozenset("""alabama alaska arizona arkansas california colorado connecticut delaware florida
georgia hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts
michigan minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania
tennessee texas utah vermont virginia washington wisconsin wyoming america usa canada mexico
""".split())


class PlaceFinder:
    def __init__(self, lexicon: Lexicon, never: frozenset[str] = frozenset()) -> None:
        self.lex = lexicon
        self.never = never
        self.max_words = 4
        # first words of every known place: most capitalised words start none, and are skipped
        # before any phrase is built
        self.heads = frozenset(p.split(" ", 1)[0] for p in lexicon.cities | lexicon.counties)

    def find(self, text: str, toks: list[tuple[int, int]]) -> list[PhiSpan]:
        """Place names among ``toks``, the capitalised words found by the name finder."""
        lex = self.lex
        out: list[PhiSpan] = []
        n = len(toks)
        heads = self.heads
        i = 0
        while i < n:
            s0, e0 = toks[i]
            if text[s0:e0].lower().replace("’", "'") not in heads:
                i += 1
                continue
            # the run of capitalised words separated by single spaces that starts at i
            j = i + 1
            while j < n and j - i < self.max_words and text[toks[j - 1][1]:toks[j][0]] == " ":
                j += 1
            hit = 0
            for k in range(j - i, 0, -1):
                phrase = text[toks[i][0]:toks[i + k - 1][1]].lower().replace("’", "'")
                if phrase in lex.cities or (k > 1 and phrase in lex.counties):
                    hit = k
                    break
            if not hit:
                i += 1
                continue
            s, e = toks[i][0], toks[i + hit - 1][1]
            words = text[s:e].lower().split()
            score = self._score(text, s, words)
            if score > 0:
                out.append(PhiSpan(s, e, "LOCATION", score, "phi-place/gazetteer"))
            i += hit
        return out

    def _score(self, text: str, start: int, words: list[str]) -> float:
        lex = self.lex
        if all(w in _STATES for w in words) or " ".join(words) in _STATES:
            return 0.0
        if any(w in self.never for w in words) and len(words) == 1:
            return 0.0
        ordinary = [lex.is_common(w) or w in lex.clinical or w in lex.eponym for w in words]
        if len(words) == 1 and ordinary[0]:
            return 0.0  # decided without the (costlier) context search
        before = text[max(0, start - 24):start]
        cued = _PREP.search(before) is not None
        if len(words) > 1:
            if all(ordinary):
                return 0.55 if cued else 0.0
            return 0.7 if cued else 0.6
        named = words[0] in lex.first or words[0] in lex.last
        if cued:
            return 0.55 if named else 0.6
        return 0.0 if named else 0.45
