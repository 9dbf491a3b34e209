"""Find person names (patients, relatives, clinicians) by word lists plus context.

A word's prior comes from the lexicon: a census first name or surname that is not also an ordinary
or clinical word is *strong*; one that is (Brown, Will, Hope, Bell) is *weak*; a capitalised word in
no list is *unknown*. Context decides the rest, with cues from the ``[names]`` table of
``recognizers.toml``:

* a title before (``Dr. Hope``), a credential after (``Hope Lee, MD``), a label (``Patient:``,
  ``signed by``) or a relative (``her son Will``) makes a weak or unknown word a name;
* two name words side by side (``Mary Nguyen``), ``Last, First`` and initials (``Anna S.``) make
  each other names;
* an eponym before a clinical head word (``Parkinson disease``, ``Murphy sign``) or in the
  possessive (``Crohn's``) is clinical language, not a person;
* a word found as a name with high confidence is a name everywhere else in the same note.

The module owns these rules and nothing else; it returns candidate spans for the analyzer.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping

from ._regex import trie
from .lexicon import Lexicon
from .spans import PhiSpan

# word classes
NONE, COMMON, UNKNOWN, WEAK, STRONG, INITIAL = range(6)
_NAMEISH = (UNKNOWN, WEAK, STRONG, INITIAL)
_PARTICLES = frozenset({"de", "del", "della", "van", "von", "der", "den", "da", "di", "la", "le",
                        "du", "dos", "das", "bin", "ibn", "al", "el", "st", "mac", "ter"})


def _rev_cue_regex(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """A regex matched at position 0 of the *reversed* text before a word: is a cue right there?"""
    if not words:
        return None
    return re.compile(r"[ \t]*[:#\-,]?[ \t]*" + trie([w.lower()[::-1] for w in words])
                      + r"(?![A-Za-z])", re.IGNORECASE)


class NameFinder:
    """Scores every word of a note as a possible name; see the module docstring."""

    def __init__(self, lexicon: Lexicon, cues: Mapping[str, tuple[str, ...]]) -> None:
        self.lex = lexicon
        self.titles = frozenset(w.rstrip(".") for w in cues.get("titles", ()))
        self.postnominals = frozenset(w.replace(".", "") for w in cues.get("postnominals", ()))
        self.relations = frozenset(cues.get("relation_cues", ()))
        self.heads = frozenset(cues.get("eponym_heads", ()))
        self.never = frozenset(cues.get("never", ()))
        self.label_rev = _rev_cue_regex(cues.get("label_cues", ()))
        self.soft_rev = _rev_cue_regex(cues.get("soft_cues", ()))
        creds = [c.lower() for c in cues.get("postnominals", ())]
        self.postnom_re = re.compile(r",?[ \t]{0,2}(" + trie(creds) + r")(?![A-Za-z])", re.IGNORECASE)
        self._cls_cache: dict[str, int] = {}
        self._tok_cache: dict[str, tuple[str, int, int, bool, bool, bool, int]] = {}

    # ------------------------------------------------------------------ word classes
    def word_class(self, key: str) -> int:
        """Class of a lower-cased word: NONE, COMMON, UNKNOWN, WEAK or STRONG."""
        c = self._cls_cache.get(key)
        if c is not None:
            return c
        if "-" in key:
            parts = [self.word_class(p) for p in key.split("-") if p]
            if not parts or any(p in (NONE,) for p in parts):
                c = NONE
            elif STRONG in parts and COMMON not in parts:
                c = STRONG
            elif any(p in (WEAK, STRONG) for p in parts):
                c = WEAK
            elif all(p == UNKNOWN for p in parts):
                c = UNKNOWN
            else:
                c = COMMON
        elif key in self.never:
            c = NONE
        else:
            lex = self.lex
            named = key in lex.first or key in lex.last
            common = lex.is_common(key) or key in lex.clinical
            if named:
                c = WEAK if common else STRONG
                if c == WEAK and key not in lex.curated and lex.first_rank.get(key, 10**6) < 1200:
                    c = STRONG  # a frequent name beats an obscure dictionary sense ("steven", "carter")
                if c == STRONG and key in lex.eponym and lex.last_rank.get(key, 0) > 3000 \
                        and key not in lex.first:
                    c = WEAK  # a rare surname that is mostly an eponym: Kussmaul, Cheyne
            else:
                c = COMMON if common else UNKNOWN
        if len(self._cls_cache) < 200_000:
            self._cls_cache[key] = c
        return c

    def _token_info(self, w: str) -> tuple[str, int, int, bool, bool, bool, int]:
        """What a token's text alone tells (cached per note-independent string): lower-case key
        without a possessive, word class, characters trimmed, possessive, all capitals, capital
        first, length."""
        trim = 0
        is_poss = False
        if len(w) > 3 and w[-2] in "'’" and w[-1] in "sS":
            trim = 2
            w = w[:-2]
            is_poss = True
        key = w.lower()
        up = w.isupper()
        if len(w) == 1:
            c = INITIAL if up else NONE
        else:
            c = self.word_class(key)
        return key, c, trim, is_poss, up, w[0].isupper(), len(w)

    # ------------------------------------------------------------------ main entry
    def candidates(self, text: str) -> list[tuple[int, int]]:
        """Offsets of capitalised words, plus lower-case words right after a title."""
        toks = [m.span() for m in CAND.finditer(text)]
        if _LOWER_TITLE.search(text) is not None:
            extra = [m.span(1) for m in _LOWER_TITLE.finditer(text)]
            toks = sorted(set(toks) | set(extra))
        return toks

    def find(self, text: str, threshold: float = 0.5,
             toks: list[tuple[int, int]] | None = None) -> list[PhiSpan]:
        if toks is None:
            toks = self.candidates(text)
        n = len(toks)
        if n == 0:
            return []
        lex = self.lex
        upper_spans = _upper_lines(text)
        keys: list[str] = []
        ends: list[int] = []
        cls: list[int] = []
        cap: list[bool] = []
        poss: list[bool] = []
        upper_tok: list[bool] = []
        tcache = self._tok_cache
        for s, e in toks:
            w = text[s:e]
            info = tcache.get(w)
            if info is None:
                info = self._token_info(w)
                if len(tcache) < 200_000:
                    tcache[w] = info
            key, c, trim, is_poss, up, first_up, wlen = info
            if wlen == 1:
                cp = up
            elif first_up:
                if up:
                    in_upper = bool(upper_spans) and _inside(upper_spans, s)
                    cp = in_upper or (wlen >= 3 and c in (STRONG, WEAK))
                    if not in_upper and c == STRONG:
                        c = WEAK  # "SMITH" in a mixed-case line needs a cue or a partner
                else:
                    cp = True
            else:
                cp = False
            upper_tok.append(wlen > 1 and up)
            keys.append(key)
            ends.append(e - trim)
            cls.append(c)
            cap.append(cp)
            poss.append(is_poss)

        starts = [t[0] for t in toks]
        score = [0.0] * n
        why = [""] * n
        strong_cue = [False] * n

        def set_score(i: int, value: float, reason: str) -> None:
            if value > score[i]:
                score[i] = value
                why[i] = reason

        def gap(i: int) -> str:  # text between candidate i-1 and candidate i
            return text[toks[i - 1][1]:starts[i]] if i > 0 else ""

        label_rev, soft_rev = self.label_rev, self.soft_rev
        for i in range(n):
            c = cls[i]
            if c == NONE:
                continue
            if c == COMMON and not (cap[i] and i + 1 < n and cap[i + 1]
                                    and cls[i + 1] in (STRONG, WEAK, UNKNOWN)):
                continue  # an ordinary word can only be named by "Label: Word Name" (step 3)
            s = starts[i]
            rw = text[max(0, s - 48):s][::-1]
            if keys[i] in _STATES and (rw.startswith(" ,") or rw.startswith(",")):
                continue  # "Naples, Florida": a state after a comma is a place, not a name
            # 1. lexical prior
            if cap[i]:
                if c == STRONG:
                    stripped = rw.lstrip(" \t")
                    sentence_start = not stripped or stripped[0] in ".!?:;\n"
                    if upper_spans and text[s + 1:s + 2].isupper() and _inside(upper_spans, s):
                        set_score(i, 0.55 if len(keys[i]) >= 4 else 0.3, "lexicon")
                    else:
                        set_score(i, 0.6 if sentence_start else 0.65, "lexicon")
                elif c == WEAK:
                    set_score(i, 0.3, "lexicon")
                elif c == UNKNOWN:
                    set_score(i, 0.15, "lexicon")
            # 2. the word before: a title or a relative
            m = _PREV_REV.match(rw)
            if m is not None:
                prev = m.group(3)[::-1].lower()
                sep = m.group(2) + m.group(1)[::-1]
                if prev in self.titles and _title_ok(prev, m.group(3), sep, rw, m.end()):
                    title_upper = m.group(3)[-1].isupper()  # reversed: last char is the first
                    if (cap[i] and c in _NAMEISH and title_upper) or (not cap[i] and c in (STRONG, WEAK)):
                        set_score(i, 0.95, "title")
                        strong_cue[i] = True
                        continue
                if prev in self.relations and _REL_SEP.match(sep) and (cap[i] or upper_tok[i]) \
                        and c in _NAMEISH:
                    set_score(i, 0.9, "relation")
                    strong_cue[i] = True
                    continue
            # 3. a label or a softer cue before
            if label_rev is not None and label_rev.match(rw):
                if ((cap[i] or upper_tok[i]) and c in _NAMEISH) or c == STRONG:
                    set_score(i, 0.9, "label")
                    strong_cue[i] = True
                    continue
                if c == COMMON and cap[i] and i + 1 < n and gap(i + 1) == " " and cap[i + 1] \
                        and cls[i + 1] in (STRONG, WEAK, UNKNOWN):
                    set_score(i, 0.85, "label")  # "Guarantor: Skip Texier"
                    set_score(i + 1, 0.85, "label")
                    continue
            if soft_rev is not None and cap[i] and c in (STRONG, UNKNOWN) and soft_rev.match(rw):
                set_score(i, 0.85, "soft-cue")
            # 4. a credential after: "Mary Hope, MD"; not a unit after a number ("1.25 G IV")
            if cap[i] and c in _NAMEISH and not (c == INITIAL and rw.lstrip(" \t")[:1].isdigit()):
                pm = self.postnom_re.match(text, toks[i][1])
                if pm is not None and pm.group(1)[0].isupper():
                    cred = pm.group(1).replace(".", "").lower()
                    if cred in _STATE_CREDENTIALS and _ZIP_AFTER.match(text, pm.end()):
                        continue  # "Boston, MA 02115"
                    if cred in _AMBIGUOUS_CREDENTIALS and c not in (STRONG, WEAK, INITIAL) \
                            and not pm.group(0).startswith(","):
                        continue
                    set_score(i, 0.95, "credential")
                    strong_cue[i] = True
                    k = i - 1
                    while k >= 0 and i - k <= 3 and _CHAIN_GAP.match(gap(k + 1)) and cap[k] \
                            and cls[k] in _NAMEISH:
                        set_score(k, 0.9, "credential")
                        k -= 1

        # 5. pairs: "Mary Nguyen", "Nguyen, Mary"
        for i in range(n - 1):
            j = i + 1
            if not (cap[i] and cap[j]):
                continue
            a, b = cls[i], cls[j]
            g = gap(j)
            if g == " " or g == "  ":
                ka, kb = keys[i], keys[j]
                a_first = ka in lex.first and a in (STRONG, WEAK)
                if a_first and (b == STRONG or (a == STRONG and b in (WEAK, UNKNOWN))):
                    set_score(i, 0.85, "pair")
                    set_score(j, 0.85, "pair")
                elif a_first and b == WEAK and kb in lex.last:
                    set_score(i, 0.4, "pair")
                    set_score(j, 0.4, "pair")
                elif a == UNKNOWN and b == STRONG and kb in lex.last:
                    set_score(i, 0.7, "pair")
                    set_score(j, 0.75, "pair")
            elif g in (", ", ","):
                ka, kb = keys[i], keys[j]
                if ka in lex.last and kb in lex.first and (a == STRONG or b == STRONG) \
                        and a in (STRONG, WEAK) and b in (STRONG, WEAK) and kb not in _STATES:
                    set_score(i, 0.85, "last-first")
                    set_score(j, 0.85, "last-first")

        # 6. grow from confident words over neighbouring capitalised words and initials
        before_grow: list[float] = []
        for rnd in range(2):
            if rnd == 1 and score == before_grow:
                break  # the first pass changed nothing, so a second would not either
            before_grow = score[:]
            for i in range(n):
                if score[i] < 0.8:
                    continue
                base = score[i] - 0.05
                j = i + 1
                cued = why[i] in ("label", "title", "relation", "credential")
                if j < n and (cap[j] or (cued and upper_tok[j])) and cls[j] in _NAMEISH:
                    g = gap(j)
                    if (_CHAIN_GAP.match(g) or (cls[i] == INITIAL and g in (". ", "."))) \
                            and not self.postnom_re.match(text, toks[i][1]):
                        set_score(j, base, why[i])
                    elif g in (", ", ",") and cued and (keys[j] in lex.first or (
                            why[i] == "label" and cls[j] in (UNKNOWN, STRONG, WEAK)
                            and _LINE_END.match(text, ends[j]))):
                        set_score(j, base, why[i])
                k = i - 1
                if k >= 0 and cls[k] == INITIAL and gap(i) in (". ", " ", "."):
                    set_score(k, base, why[i])
        # particles inside names ("Maria de la Cruz") are not candidates; join across them
        # trailing initial: "Anna S." / "SMITH, JOHN A"
        for i in range(1, n):
            if cls[i] == INITIAL and score[i] < threshold and score[i - 1] >= 0.6 and gap(i) == " ":
                set_score(i, score[i - 1] - 0.05, why[i - 1])

        # 7. eponyms and clinical heads: "Parkinson disease", "Crohn's", "Murphy sign"
        for i in range(n):
            if score[i] <= 0 or why[i] == "title":
                continue
            hm = _NEXT_WORD.match(text, ends[i])
            head_next = hm is not None and hm.group(1).lower() in self.heads
            if (poss[i] and keys[i] in lex.eponym) or (head_next and not strong_cue[i]):
                score[i] = 0.0
                k = i - 1
                while k >= 0 and score[k] > 0 and gap(k + 1) in (" ", "-") and not strong_cue[k]:
                    score[k] = 0.0
                    k -= 1

        # 8. a confident name is a name everywhere in this note
        confident = {keys[i] for i in range(n)
                     if score[i] >= 0.8 and cls[i] in (STRONG, WEAK, UNKNOWN) and len(keys[i]) > 1}
        if confident:
            for i in range(n):
                if score[i] >= threshold or keys[i] not in confident:
                    continue
                hm = _NEXT_WORD.match(text, ends[i])
                if (hm is not None and hm.group(1).lower() in self.heads) or \
                        (poss[i] and keys[i] in lex.eponym):
                    continue
                if cls[i] == WEAK:
                    before = text[max(0, starts[i] - 3):starts[i]].rstrip(" \t")
                    if (not before or before[-1] in ".!?:;\n" or (
                            upper_spans and _inside(upper_spans, starts[i]))) and not (
                            hm is not None and (hm.group(1).lower() in _PERSON_VERBS
                                                or hm.group(1).lower() in confident)):
                        continue  # "Frank blood noted": an ordinary word opening a sentence
                set_score(i, 0.8, "same-note")

        # 9. spans
        out: list[PhiSpan] = []
        i = 0
        while i < n:
            if score[i] < threshold:
                i += 1
                continue
            start = starts[i]
            end = ends[i] + (1 if cls[i] == INITIAL and text[ends[i]:ends[i] + 1] == "." else 0)
            best = score[i]
            reason = why[i]
            j = i + 1
            while j < n and score[j] >= threshold and not poss[j - 1]:
                g = text[end:starts[j]]
                if not _JOIN_GAP.match(g) or ("." in g and cls[j - 1] != INITIAL
                                              and not g.startswith(".")) or (
                        g.startswith(".") and cls[j - 1] != INITIAL):
                    break
                end = ends[j] + (1 if cls[j] == INITIAL and text[ends[j]:ends[j] + 1] == "." else 0)
                best = max(best, score[j])
                j += 1
            out.append(PhiSpan(start, end, "NAME", min(best, 1.0), f"phi-name/{reason}"))
            i = j
        return out


CAND = re.compile(r"(?<![A-Za-z'’\-])[A-Z](?:[A-Za-z'’]*[A-Za-z])?(?:-[A-Za-z](?:[A-Za-z'’]*[A-Za-z])?)*")
_LOWER_TITLE = re.compile(r"\b(?:dr|mr|mrs|ms)\.?[ \t]+([a-z][a-z'\-]*[a-z])")
_PREV_REV = re.compile(r"([ \t]{0,3}|[ \t]*[:\-,\(][ \t]*)(\.?)([A-Za-z]+)(?![A-Za-z])")
_TITLE_SEP = re.compile(r"\.?[ \t]{1,3}$|\.$")
_ABBREV_TITLES = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "rev", "sr", "fr", "capt", "lt", "col",
                            "sgt", "hon", "dra", "sra", "mme", "mlle"})
_STATES = frozenset("""alabama alaska arizona arkansas california colorado connecticut delaware florida
georgia hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts
michigan minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania
tennessee texas utah vermont virginia washington wisconsin wyoming carolina dakota jersey hampshire
york mexico island""".split())


def _title_ok(prev: str, raw_rev: str, sep: str, rw: str, used: int) -> bool:
    """``Dr. Hope`` yes; ``440 ms. Procedure`` and ``retired nurse. Smoked`` no."""
    if not _TITLE_SEP.match(sep):
        return False
    if "." in sep and prev not in _ABBREV_TITLES:
        return False
    before = rw[used:used + 2]
    return not (before[:1] == " " and before[1:2].isdigit()) and not before[:1].isdigit()
_REL_SEP = re.compile(r",?[ \t]{1,2}(?:\()?$|[ \t]*[:\-][ \t]*$")
_NEXT_WORD = re.compile(r"(?i:'s|’s)?[ \t\-]{1,2}([A-Za-z]+)")
_LINE_END = re.compile(r"[ \t]*(?:[A-Z]\.?)?[ \t]*(?:\n|$|[ \t]{2,}|\|)")
_PERSON_VERBS = frozenset("""is was has had reports reported states stated denies denied presents presented
returns returned complains notes noted says said feels felt endorses admits agrees declined declines wants
prefers lives understands tolerated tolerates remains appears will would does did called calls came""".split())
_AMBIGUOUS_CREDENTIALS = frozenset({"pt", "ms", "do", "ot", "rd"})
_STATE_CREDENTIALS = frozenset({"pa", "ma", "md", "me", "or", "ms", "de", "in"})
_CHAIN_GAP = re.compile(r"[ \t]{1,2}$|-$")
_JOIN_GAP = re.compile(r"[ \t]{0,2}$|-$|,[ \t]?$|\.[ \t]?$|[ \t]?'[ \t]?$")
_ZIP_AFTER = re.compile(r"\.?,?[ \t]*\d{5}")


_UPPER8 = re.compile(r"(?:[^A-Z\n]*[A-Z]){8}")
_UPPER_LINE0 = re.compile(r"[^a-z\n]{8,}(?=\n|\Z)")
_UPPER_LINE = re.compile(r"\n([^a-z\n]{8,})(?=\n|\Z)")


def _upper_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line written in capitals (no lower-case letter, 8+ capitals)."""
    out = []
    m = _UPPER_LINE0.match(text)
    if m is not None and _UPPER8.match(m.group()):
        out.append(m.span())
    # the literal "\n" prefix lets re jump from line to line instead of trying every position
    for m in _UPPER_LINE.finditer(text):
        if _UPPER8.match(m.group(1)):
            out.append(m.span(1))
    return out


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect.bisect_right(spans, (pos, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]
