"""Find condition mentions in tokenised text: a dictionary of ICD-10-CM term word-sets, compiled once per KB.

Every title, inclusion term and alphabetic-index path ("Syndrome, pain, complex regional I, lower
limb") of an active ICD-10-CM code becomes a *term*: its set of required content words (outside
parentheses, which hold nonessential modifiers; without the side, encounter and "unspecified" words that
only steer to a child code, see :mod:`medcode.detect.specificity`).

Why not Aho-Corasick: an automaton finds contiguous strings in one order, but clinicians write "knee
pain, right", "pain in the right and left knee" and "CRPS of the leg" for "Complex regional pain
syndrome I of lower limb". So the dictionary is an inverted index keyed by each term's *rarest* word
(its anchor). For every token of a sentence, only the terms anchored on one of its words are tried,
and a term matches when all its words occur in the same sentence within a short window around the
anchor, in any order and with gaps (discontinuous mentions). Looking up the anchor is a dict hit, and
the other words are set checks, so a 2 KB note costs well under a millisecond of matching.

Misspellings are corrected against the dictionary vocabulary with rapidfuzz (only words of six or more
letters that are neither dictionary words nor common English words, cached per word).
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources

from rapidfuzz import fuzz, process

from medcode.detect.tokens import ACRONYM, Token
from medcode.search.text import STOPWORDS, words

SYSTEM = "ICD10CM"
# Chapters outside "diagnoses, signs and symptoms": external causes (V–Y) and factors/status (Z).
EXCLUDED_PREFIXES = ("V", "W", "X", "Y", "Z")
STATUS_PREFIX = "Z"
# Words that steer to a child code (see specificity) or say nothing about the condition.
STEERING = frozenset(
    ["right", "left", "bilateral", "unilateral", "unspecified", "other", "specified", "nec", "initial", "subsequent", "sequela", "encounter", "site", "part", "region", "i", "process"]
)
KIND_WEIGHT = {"index": 0.98, "title": 1.0, "inclusion": 0.95, "pattern": 0.95, "denied only": 0.95, "learned": 1.0,
               "learned denied": 0.95}
# Exam words that stand alone only when the note denies them ("no erythema", "breasts: no masses"):
# asserted, they describe a condition the note names elsewhere, so they are dropped like the other
# generic words; denied, they are the pertinent negative a coder records. Their terms get this kind, and
# the detector keeps such a mention only when it is negated.
DENIED_ONLY = "denied only"
_DENIED_WORDS = frozenset({"swelling", "swollen", "erythema", "erythematous", "tender", "mass", "lesion", "papule",
                           "flatus"})  # "passing flatus" after surgery is bowel function back, "no flatus" a finding
_PARENS = re.compile(r"\([^()]*\)")
# The capital letter A naming a type ("Hepatitis A", "type A"): the word lists drop "a" as an article.
_LETTER_NAME = re.compile(r"(?<=\w )A(?![\w'’-])")
_ROMAN_SUFFIX = re.compile(r"^[A-Za-z]{2,12}[ -](?:I|II|III|IV)$")
_POSSESSIVE = re.compile(r"['’]s\b")
_NEC = re.compile(r"\bnot elsewhere classified\b|\bclassified elsewhere\b", re.IGNORECASE)
# One-word terms that are too generic to stand alone as a condition mention.
# Table of Neoplasms columns a note names by its words: "cancer", "adenocarcinoma" -> malignant primary,
# "metastases" -> malignant secondary, "benign" -> benign (markers in detect/abbreviations.tsv).
_NEOPLASM_COLUMNS = {"malignant primary": "neoprimary", "malignant secondary": "neosecondary", "benign": "neobenign"}

_GENERIC = frozenset(
    ["history", "status", "examination", "admission", "care", "problem", "disease", "disorder", "condition", "syndrome", "abnormal", "finding", "observation", "test", "use", "visit", "contact", "exposure", "complication", "lesion", "mass", "injury", "failure", "deficiency", "defect", "anomaly", "infection", "dependence", "abuse", "change", "disturbance", "state", "effect", "reaction", "absence", "loss", "stage", "type", "pressure", "late", "long", "term", "patient", "old", "previous", "recent", "new", "acute", "chronic", "severe", "mild", "moderate", "general", "stress", "cold", "falling", "flashback", "wound", "symptom", "sign", "illness", "sick",
     # exam adjectives and bare anatomy: a finding the assessment names, not a condition on its own
     "painful", "swollen", "swelling", "erythema", "erythematous", "tender", "nerve", "scale", "sugar",
     "fistula", "ganglion", "adherent", "analgesia", "sinus",
     # words of ordinary narrative that the index also lists as conditions
     "trauma", "heat", "anesthesia", "sensitive", "sensitivity", "decline", "scar", "callus", "papule",
     "short", "tract", "delivery", "labor", "pregnancy", "strain", "burn", "contact", "exposure", "may",
     "reflex", "break", "antibody", "worry", "worrying", "death", "freezing", "freeze", "cold", "fit",
     "bend", "bends", "bending", "operculum", "tetanus",
     # wound-bed, allergy-list and exam words that blind coders never coded on their own
     "slough", "allergy", "allergies", "allergic", "accessory", "tubercle", "mite", "mites", "adhesive",
     "behavior", "behaviour", "ischemic", "crust", "scratches", "scratching"]
)


@dataclass(frozen=True, slots=True)
class Term:
    code: str
    kind: str
    text: str
    required: frozenset[str]


@dataclass(slots=True)
class Match:
    term: Term
    positions: frozenset[int]  # token indexes that supplied the term's words
    first: int
    last: int


class Dictionary:
    """The compiled term dictionary of one knowledge base (see the module docstring)."""

    def __init__(self, terms: list[Term], codes: dict[str, tuple[str, bool, str | None]],
                 aliases: dict[str, str] | None = None) -> None:
        self.codes = codes  # code -> (title, billable, parent)
        self.aliases = aliases or {}  # adjective form -> main term word (diabetic -> diabetes)
        self.terms = terms
        df: dict[str, int] = defaultdict(int)
        for t in terms:
            for w in t.required:
                df[w] += 1
        self.vocabulary = frozenset(df)
        # anchor (rarest word) -> second-rarest word ("" for one-word terms) -> terms
        self.by_anchor: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for t in terms:
            ranked = sorted(t.required, key=lambda w: (df[w], w))
            self.by_anchor[ranked[0]][ranked[1] if len(ranked) > 1 else ""].append(t)
        self.by_anchor = {k: dict(v) for k, v in self.by_anchor.items()}  # type: ignore[assignment]
        self.children: dict[str, list[str]] = defaultdict(list)
        for code, (_, _, parent) in codes.items():
            if parent:
                self.children[parent].append(code)
        self._fuzzy_pool: dict[str, list[str]] = defaultdict(list)
        for w in sorted(self.vocabulary):  # sorted: a misspelling with two equal matches is corrected the same way every run
            if len(w) >= 6 and w.isalpha():
                self._fuzzy_pool[w[0]].append(w)
        self._corrections: dict[str, str | None] = {}
        self.resolve_cache: dict = {}    # used by specificity.resolve
        self.candidate_cache: dict = {}  # used by specificity._candidates
        self.learned: dict = {}  # learned Term -> its medcode.detect.learn.Learned (counts for evidence)

    def with_learned(self, learned: list) -> Dictionary:
        """This dictionary plus learned phrases (:mod:`medcode.detect.learn`) as terms of their own kind."""
        extra = {x.term(): x for x in learned}
        out = Dictionary(self.terms + list(extra), self.codes, self.aliases)
        out.learned = extra
        # spelling correction and word forms stay those of the code set: a learned "coughing" must not
        # stop "coughing" from being read as a form of "cough"
        out.vocabulary, out._fuzzy_pool = self.vocabulary, self._fuzzy_pool
        return out

    @classmethod
    def from_kb(cls, conn: sqlite3.Connection) -> Dictionary:
        rows = conn.execute(
            "SELECT c.code, c.title, c.billable, c.parent FROM code_status s JOIN codes c "
            "ON c.system = s.system AND c.code = s.code AND c.source_id = s.newest_source "
            "WHERE s.system = ? AND s.status = 'active'", (SYSTEM,)).fetchall()
        codes = {code: (title or "", bool(billable), parent) for code, title, billable, parent in rows
                 if not code.startswith(EXCLUDED_PREFIXES) and "-" not in code and not code.isdigit()}
        # Status codes (Z) are found only by the status patterns (detect/status.toml): their index terms
        # ("Status (post)", "Presence (of)") are not how notes word them, and "Encounter for..." is no
        # finding at all. They are known here so that specificity can pick their billable children.
        status = {code: (title or "", bool(billable), parent) for code, title, billable, parent in rows
                  if code.startswith(STATUS_PREFIX) and "-" not in code}
        # (chapters "14" and blocks "N17-N19" are headings of the classification, never a diagnosis)
        terms: list[Term] = []
        seen: set[tuple[str, frozenset[str]]] = set()

        index_rows = [(code.rstrip("-").rstrip("."), term, kind) for code, term, kind in conn.execute(
            "SELECT DISTINCT code, term, kind FROM terms WHERE system = ? AND kind IN ('inclusion', 'index', 'neoplasm')",
            (SYSTEM,))]
        aliases = _main_term_aliases(t for _, t, k in index_rows if k == "index")

        def add(code: str, kind: str, text: str) -> None:
            source = text
            if kind == "index" and code.startswith("S"):
                text = _TRAUMATIC.sub("Fracture", text)
            for plain in _bracket_variants(text):
                add_one(code, kind, plain, source)

        def add_one(code: str, kind: str, text: str, source: str) -> None:
            if kind == "neoplasm":
                # Table of Neoplasms: "Lung, upper lobe, malignant primary". The column becomes a marker
                # word that the note's "adenocarcinoma"/"metastases" stand for (detect/abbreviations.tsv).
                site, _, column = text.rpartition(", ")
                if column not in _NEOPLASM_COLUMNS:
                    return
                text = f"{site}, {_NEOPLASM_COLUMNS[column]}"
                kind = "index"
            for variant in (_variants(text) if kind == "index" else (text,)):
                required = term_words(_fold_main_term(variant, aliases) if kind == "index" else variant)
                if len(required) == 1 and _ROMAN_SUFFIX.search(variant):
                    continue  # "LAD-I", "Triple I": without the numeral the word alone ("LAD", "triple") means something else
                if len(required) <= 2 and _LETTER_NAME.search(_PARENS.sub(" ", variant)):
                    continue  # "Hepatitis A (acute)(viral) NOS": without its letter it would be any hepatitis
                if len(required) <= 2 and any(_YEAR.fullmatch(w) for w in required):
                    continue  # "Pneumonia, 2019 (novel)": in a note "2019" is a date ("pneumonia in 2019")
                if len(required) == 1 and _acronym(variant):
                    required = frozenset({ACRONYM + next(iter(required))})
                required = fracture_words(required)
                if not required or (code, required) in seen:
                    continue
                word = next(iter(required))
                if len(required) == 1 and (word in _GENERIC or word in _DENIED_WORDS or len(word) < 2):
                    if word not in _DENIED_WORDS or kind != "index":
                        continue
                    seen.add((code, required))
                    terms.append(Term(code, DENIED_ONLY, source, required))
                    continue
                seen.add((code, required))
                terms.append(Term(code, kind, source, required))

        for code, (title, _, _) in codes.items():
            add(code, "title", title)
        for code, term, kind in index_rows:
            if code in codes:
                add(code, kind, term)
        return cls(terms, codes | status, aliases)

    # --- words ----------------------------------------------------------------------------------

    def correct(self, word: str) -> str | None:
        """The dictionary word ``word`` is a misspelling of, or None."""
        if word in self._corrections:
            return self._corrections[word]
        fixed = None
        if len(word) >= 5 and word.isalpha():
            # Another form of a dictionary word ("wheezes" for "wheezing", "snores" for "snoring") is
            # recognised whether or not it is an English word; a spelling correction only when it is not.
            fixed = _inflection(word, self.vocabulary)
            if fixed is None and len(word) >= 6 and word not in english_words():
                best = process.extractOne(word, self._fuzzy_pool.get(word[0], []), scorer=fuzz.ratio,
                                          score_cutoff=86)
                fixed = best[0] if best else None
        self._corrections[word] = fixed
        return fixed

    def prepare(self, tokens: list[Token]) -> None:
        """Add the dictionary spelling of misspelled or inflected tokens to their words."""
        for t in tokens:
            if t.norm in self.aliases:
                t.words.add(self.aliases[t.norm])
            if t.norm in self.vocabulary:
                continue
            if len(t.words) == 1:
                fixed = self.correct(t.norm)
                if fixed:
                    t.words.add(fixed)
            elif t.words == {t.norm, "no:" + t.norm}:
                # "no palpitatons": a misspelling after "no" is corrected too, and is absent; another form
                # of a word is not taken there ("no slough" is no sloughing, gangrene, to the index)
                fixed = self.correct(t.norm)
                if fixed and _inflection(t.norm, self.vocabulary) is None:
                    t.words |= {fixed, "no:" + fixed}

    # --- matching -------------------------------------------------------------------------------

    def match(self, tokens: list[Token]) -> list[Match]:
        """Every term whose words all occur near one another within one sentence."""
        out: list[Match] = []
        commas = [0]
        for t in tokens:
            commas.append(commas[-1] + t.comma)
        by_sentence: dict[int, list[int]] = defaultdict(list)
        for i, t in enumerate(tokens):
            by_sentence[t.sentence].append(i)
        for idxs in by_sentence.values():
            where: dict[str, list[int]] = defaultdict(list)
            for i in idxs:
                ws = tokens[i].words
                for w in (ws if len(ws) == 1 else sorted(ws)):  # a fixed order: ties resolve the same in every run
                    where[w].append(i)
            present = set(where)  # a set: issubset would copy a keys view on every call
            for anchor, positions in where.items():
                seconds = self.by_anchor.get(anchor)
                if not seconds:
                    continue
                if len(seconds) <= len(where):
                    groups = [t for sec, t in seconds.items() if not sec or sec in where]
                else:
                    groups = [seconds[sec] for sec in ("", *where) if sec in seconds]
                for terms in groups:
                    for term in terms:
                        if len(term.required) > 2 and not term.required.issubset(present):
                            continue
                        placed: set[frozenset[int]] = set()
                        for p in positions:  # every placement: grouping keeps the most compact
                            m = _place(term, p, where, tokens, commas)
                            if m is not None and m.positions not in placed:
                                placed.add(m.positions)
                                out.append(m)
        return out


def _place(term: Term, anchor: int, where: dict[str, list[int]], tokens: list[Token],
           commas: list[int]) -> Match | None:
    """``commas``: how many of the tokens before each index a comma follows (a running count)."""
    if len(term.required) == 1 and tokens[anchor].group is None:
        return Match(term, frozenset((anchor,)), anchor, anchor)  # one word: nothing to place or check
    chosen = {anchor}
    for w in term.required:
        pos = where[w]
        if anchor in pos:
            continue
        chosen.add(min(pos, key=lambda q: abs(q - anchor)))
    if len(chosen) > 1 and commas[max(chosen)] > commas[min(chosen)]:
        # "CKD 3b, anemia of CKD": the nearest words cross a comma, but the anchor's own list item holds
        # them all; that item is the mention (the crossing one would be dropped as joining list items)
        inside = _in_item(term, anchor, where, tokens)
        if inside is not None:
            chosen = inside
        elif _lone_number(chosen, tokens, commas):
            return None  # "CKD stage 3b, type 2 DM": a number alone in another list item is not the stage
    if len(chosen) > 1 and _other_number(chosen, tokens):
        return None  # "day 1 (DM2": the "1" of another phrase is not the type of a diabetes that says its own
    grouped: set[int] = set()
    for p in chosen:
        group = tokens[p].group
        if group is not None:  # a multi-word abbreviation ("ear pain" -> otalgia) counts as a whole
            if len(chosen) > 1 and _borrows_one_word(term, tokens[group[0]:group[1] + 1]):
                return None
            grouped.update(range(group[0], group[1] + 1))
    chosen |= grouped
    first, last = min(chosen), max(chosen)
    if last - first + 1 > 2 * len(term.required) + 3:
        return None
    if tokens[last].absent and not tokens[first].absent and not any(w.startswith("no:") for w in term.required):
        return None  # "L knee w/o effusion" is no effusion of the knee; "Nausea without vomiting" names it
    if last - first + 1 > len(chosen):  # a gap: count the words in it that belong to neither
        foreign = sum(1 for i in range(first, last + 1)
                      if i not in chosen and tokens[i].norm not in STOPWORDS and tokens[i].words.isdisjoint(STEERING)
                      and not tokens[i].norm.replace(".", "").isdigit())  # "ribs 4-7 fx", "lac 3.5 cm": a count or size
        if foreign > max(1, len(term.required) // 2):
            return None  # too many unrelated words inside: not one mention
        if (not any(w.startswith("no:") for w in term.required)
                and any(tokens[i].norm in _DENIAL for i in range(first, last + 1) if i not in chosen)):
            return None  # "Psych: denies depression" is no "depression - psych": the denial is between
    return Match(term, frozenset(chosen), first, last)


# words that deny what follows them; a mention's words found on both sides of one are two readings
_DENIAL = frozenset({"no", "not", "denies", "denied", "deny", "neg", "negative"})


def _lone_number(chosen: set[int], tokens: list[Token], commas: list[int]) -> bool:
    """Whether one of the ``chosen`` words is a number with no other chosen word in its list item."""
    return any(tokens[p].norm.isdigit() and not any(commas[q] == commas[p] and not tokens[q].norm.isdigit()
                                                    for q in chosen) for p in chosen)


def _other_number(chosen: set[int], tokens: list[Token]) -> bool:
    """Whether a number written alone among the ``chosen`` words differs from one another chosen word
    already carries ("DM2" reads as type 2 diabetes, so a nearby "1" cannot make it type 1)."""
    alone: set[str] | None = None  # built only when there is a number: this runs for every placement
    for p in chosen:
        norm = tokens[p].norm
        if norm.isdigit():
            if alone is None:
                alone = set()
            alone.add(norm)
    if alone is None:
        return False
    return any(w.isdigit() and w not in alone
               for p in chosen if not tokens[p].norm.isdigit() for w in tokens[p].words)


def _borrows_one_word(term: Term, group: list[Token]) -> bool:
    """True when ``term`` takes a single word of a multi-word phrase's expansion, a word the phrase does
    not itself write, and its other words from outside the phrase: "low mood and poor sleep" is not a mood
    disorder, though "poor sleep" stands for "sleep disorder"."""
    inside = set().union(*(t.words for t in group))
    taken = term.required & inside
    return (len(taken) == 1 and not term.required <= inside
            and not any(w in (t.norm, ACRONYM + t.norm) for t in group for w in taken))


def _in_item(term: Term, anchor: int, where: dict[str, list[int]], tokens: list[Token]) -> set[int] | None:
    """The term's words placed within the comma-delimited list item of ``anchor``, or None."""
    lo = anchor
    while lo > 0 and not tokens[lo - 1].comma and tokens[lo - 1].sentence == tokens[anchor].sentence:
        lo -= 1
    hi = anchor
    while not tokens[hi].comma and hi + 1 < len(tokens) and tokens[hi + 1].sentence == tokens[anchor].sentence:
        hi += 1
    chosen = {anchor}
    for w in term.required:
        pos = [q for q in where[w] if lo <= q <= hi]
        if not pos:
            return None
        if anchor not in pos:
            chosen.add(min(pos, key=lambda q: abs(q - anchor)))
    return chosen


def _split_main(text: str) -> tuple[str, str, list[str]] | None:
    parts = text.split(", ")
    if len(parts) < 2:
        return None
    head = words(_PARENS.sub(" ", parts[0]))
    adj = words(_PARENS.sub(" ", parts[1]))
    if len(head) != 1 or len(adj) != 1 or head[0] == adj[0] or head[0][:4] != adj[0][:4]:
        return None
    return head[0], adj[0], parts


_YEAR = re.compile(r"(?:19|20)\d\d")
_CAPS_WORD = re.compile(r"\b[A-Z]{2,6}\b")
# The index files every injury fracture under "Fracture, traumatic", a word notes leave out ("5th
# metatarsal fx"); the other kinds have main terms of their own ("Fracture, pathological", "Fracture,
# insufficiency"), so the injury reading is the one a bare "fracture" means.
_TRAUMATIC = re.compile(r"^Fracture, traumatic(?: \([^()]*\))*(?=, |$)")
_BONE_WORDS = frozenset({"bone", "bones"})
# Square brackets in the tabular hold another name for the word or words before them: "navicular
# [scaphoid] bone of wrist", "human immunodeficiency virus [HIV] disease". A note writes one name, so
# each is a reading of its own.
_BRACKET = re.compile(r"\s*\[([^\[\]]+)\]")


def fracture_words(required: frozenset[str]) -> frozenset[str]:
    """A fracture term's words without "bone" when it names the bone ("Fracture of fifth metatarsal
    bone"): notes say "5th metatarsal fx"."""
    if "fracture" in required and len(required - _BONE_WORDS) >= 3:
        return required - _BONE_WORDS
    return required


def _bracket_variants(text: str) -> list[str]:
    """``text`` read with each bracketed name left out, and with the first one in place of the words it
    names (one word before it, or as many as an acronym has letters when their initials spell it)."""
    found = _BRACKET.search(text)
    if found is None:
        return [text]
    out = [_BRACKET.sub("", text)]
    name = found.group(1).strip()
    before = text[:found.start()].split(" ")
    if _CAPS_WORD.fullmatch(name) and len(before) >= len(name) and "".join(
            w[:1] for w in before[-len(name):]).upper() == name:
        n = len(name)  # "human immunodeficiency virus [HIV]": the acronym stands for the three words
    elif " " not in name and not name.isupper():
        n = 1  # "navicular [scaphoid]": another name of one word
    elif (not _BRACKET.sub("", text[found.end():]).strip() and len(before) <= 2 and "," not in text
          and not name.isupper()):
        n = len(before)  # "Rubella [German measles]": the title's other name ("scalp [any part]" is no name)
    else:
        return out  # "[E. coli]" after "Escherichia coli": the name without it is read already
    rest = _BRACKET.sub("", text[found.end():])
    out.append(" ".join([*before[:-n], name]) + rest)
    return out


def _acronym(text: str) -> bool:
    """Whether a one-word term is an acronym in the index or tabular ("AIDS (related complex)", "PRES")."""
    head = _PARENS.sub(" ", text).split(",")[0].strip()
    return bool(_CAPS_WORD.fullmatch(head))


_LINK = re.compile(r"(?:with|without|due to|in|of)\s+", re.IGNORECASE)


def _variants(text: str, limit: int = 6) -> list[str]:
    """An index path with each run of word forms read one form at a time.

    The index prints a sub-term's forms side by side, "Pain, pleura, pleural, pleuritic": the three are
    one sub-term, and a note says only one of them. Consecutive one-word segments after the main term
    that share their first four letters are such a run; each form becomes its own reading. So are the
    main term's own forms, hyphenated ones too: "Alcohol, alcoholic, alcohol-induced, withdrawal" is
    read as "alcohol withdrawal" as well as "alcohol-induced withdrawal".
    """
    parts = text.split(", ")
    if len(parts) < 3 and " or " not in text:
        return [text]
    groups: list[list[str]] = [[parts[0]]]
    # the main term's own forms come first ("Alcohol, alcoholic, alcohol-induced, withdrawal"): a run
    # right after it joins it
    head = words(_PARENS.sub(" ", parts[0]))
    prev: str | None = head[0] if len(head) == 1 else None
    for part in parts[1:]:
        bare = _PARENS.sub(" ", part)
        w = words(bare)
        one = w[0] if len(w) == 1 else None
        if one is None and len(groups) == 1 and re.fullmatch(r"[A-Za-z]+-[a-z]+", bare.strip()):
            one = w[0]  # a hyphenated form of the main term, "alcohol-induced"
        if " or " in bare or bare.startswith("or "):
            # "with neuritis, radiculitis, radiculopathy or sciatica": a list of alternatives, of which a
            # note names one; the one-word segments just before belong to it. Two-item "or"s ("drug or
            # chemical", "gland or node") are read as written: splitting them matched too loosely.
            oxford = bare.startswith("or ")  # "child, adolescent, or adult"
            alts = [a.strip() for a in re.split(r"(?:^|\s+)or\s+", bare) if a.strip()]
            taken: list[str] = []
            lead = ""
            k = len(groups)
            while k > 1 and len(groups[k - 1]) == 1:
                item = _PARENS.sub(" ", groups[k - 1][0]).strip()
                link = _LINK.match(item)
                if len(words(item[link.end():] if link else item)) != 1:
                    break
                if link:  # "with" governs every item of the list, and opens it
                    lead, item = link.group(), item[link.end():]
                taken.insert(0, item)
                k -= 1
                if link:
                    break
            if (lead or oxford) and len(taken) + len(alts) >= 3:  # "with A, B, C or D"; "A, B, or C"
                del groups[k:]
                groups.append([lead + a if lead and not _LINK.match(a) else a for a in taken + alts])
                prev = None
                continue
        if one and prev and one[:4] == prev[:4]:
            groups[-1].append(part)
        else:
            groups.append([part])
        prev = one
    if all(len(g) == 1 for g in groups):
        return [text]
    out = [""]
    for g in groups:
        out = [f"{o}, {p}" if o else p for o in out for p in g][:limit]
    return out


def _main_term_aliases(index_terms) -> dict[str, str]:
    """Adjective forms the index lists after its main terms ("Diabetes, diabetic", "Hypertension, hypertensive").

    Only a second segment that follows (nearly) every entry of its main term is an adjective form;
    "Pneumonia, pneumococcal" is a sub-term, not another name for pneumonia.
    """
    total: dict[str, int] = defaultdict(int)
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for text in index_terms:
        head = words(_PARENS.sub(" ", text.split(", ")[0]))
        if len(head) == 1:
            total[head[0]] += 1
        split = _split_main(text)
        if split:
            pairs[(split[0], split[1])] += 1
    return {adj: head for (head, adj), n in pairs.items() if n >= 2 and n >= 0.9 * total[head]}


def _fold_main_term(text: str, aliases: dict[str, str]) -> str:
    """"Diabetes, diabetic (mellitus), type 2" -> "Diabetes (mellitus), type 2" when diabetic is an alias."""
    split = _split_main(text)
    if split and aliases.get(split[1]) == split[0]:
        parts = split[2]
        rest = parts[1][len(parts[1].split(" ")[0]):]
        return ", ".join([parts[0] + rest, *parts[2:]])
    return text


def term_words(text: str) -> frozenset[str]:
    """The required words of a term: content words outside parentheses, without steering words.

    Words after "without" (up to the next comma) become "no:<word>", matching the tokens' marking.
    """
    return frozenset(marked_words(_PARENS.sub(" ", text), STEERING))


def marked_words(text: str, skip: frozenset[str] = frozenset()) -> list[str]:
    """Content words of ``text``; those after "without" as "no:<word>" until "of" or a clause that starts
    with "with"."""
    out: list[str] = []
    negated = False
    text = _POSSESSIVE.sub("", _NEC.sub(" ", text))  # Parkinson's -> Parkinson, as the tokenizer does
    clauses = text.split(",")
    # "without A, B, and C" negates the whole list; otherwise a comma ends "without".
    listed = any(c.strip().lower().startswith(("and ", "or ")) for c in clauses[1:])
    for clause in clauses:
        if not listed or clause.strip().lower().startswith("with "):
            negated = False
        once = False
        for w in words(clause):
            if w == "without":
                negated = True
                continue
            if w == "not":
                once = True
                continue
            if once:
                if w == "having":
                    once, negated = False, True  # "not having achieved remission": all of it is absent
                    continue
                if w == "specified" or w in STOPWORDS:
                    continue  # "not specified as recurrent": the negation falls on "recurrent"
                once = False
                if w not in skip:
                    out.append("no:" + w)
                continue
            if negated and w == "of" and out[-1:] != ["no:mention"]:
                negated = False  # "Laceration without foreign body of right hand": the hand is there
                continue  # (but "without mention of fluctuations" leaves the fluctuations out)
            if w in STOPWORDS or w in skip:
                continue
            out.append("no:" + w if negated else w)
    return out


_SUFFIXES = (("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("ly", ""), ("es", ""), ("al", ""),
             ("e", "ing"), ("es", "ing"), ("", "ing"), ("ed", "ing"), ("y", "ing"), ("ness", ""),
             ("ity", ""), ("ic", "ia"), ("ical", "y"), ("ose", "osis"), ("ase", "asis"),  # keratoses -> keratosis
             ("ent", "ence"), ("ant", "ance"),  # somnolent -> somnolence, incontinent -> incontinence
             ("", "ism"))  # hypothyroid -> hypothyroidism


def _inflection(word: str, vocabulary: frozenset[str]) -> str | None:
    """The dictionary form of an inflected word: wheezes/wheeze -> wheezing, snores -> snoring."""
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and (cand := word[: len(word) - len(suffix)] + repl) in vocabulary:
            return cand
    return None


_ENGLISH: frozenset[str] | None = None


def english_words() -> frozenset[str]:
    """English and clinical-narrative words that are never treated as misspellings.

    The english-words package's Webster's 2nd and GCIDE lists ("reaching", "overhead" are words, not
    misspellings of "retching" and "overheated") plus this package's common_words.tsv for narrative
    inflections those lists lack.
    """
    global _ENGLISH
    if _ENGLISH is None:
        from english_words import get_english_words_set

        text = resources.files("medcode.detect").joinpath("common_words.tsv").read_text(encoding="utf-8")
        own = {w for line in text.splitlines() if not line.startswith("#") for w in line.split()}
        _ENGLISH = frozenset(own | get_english_words_set(["web2", "gcide"], lower=True, alpha=True))
    return _ENGLISH
