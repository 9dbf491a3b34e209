"""Tokens of clinical text with character offsets, sentence numbers and the words each one stands for.

A token's ``words`` are its normalised form (``medcode.search.text.stem``) plus, for abbreviations and
lay words, the words of what it stands for (``medcode.search`` abbreviations.tsv / synonyms.tsv): "CRPS"
stands for {crps, complex, regional, pain, syndrome}. The matcher treats a mention as a bag of words,
so an expansion simply adds words at the token's position.

This module owns tokenisation only; which words exist in the code dictionary is the matcher's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from medcode.detect._data import check_entry, read_tables
from medcode.errors import ConfigError
from medcode.search.query import load_map, vocabularies
from medcode.search.text import fold, stem, words

# A dash with space on both sides ("Osteoarthritis, right knee - injection today") separates a problem
# from its plan the way a full stop does, so it breaks the sentence too.
# A decimal number ("100.4 F", "A1c 7.4") is one token: its point does not end a sentence.
# "w/o" and "w/" are one token each, read as "without" and "with".
# "#1" numbers a problem list: it starts an item, and its digit is no word of a term ("#1 Obesity, class 2").
_TOKEN = re.compile(r"(?<![A-Za-z0-9])#\d+|\d+\.\d+|\b[wW]/[oO]\b|\b[wW]/(?=\s)|[A-Za-z0-9]+(?:'s)?|[.;!?\n:,()/\[|]|(?<=\s)-{1,2}(?=\s)")
_SHORTHAND = {"w/o": "without", "w/": "with"}
# Species written with the genus as an initial ("C. diff", "E. coli"): detect/species.toml.
_SPECIES = re.compile(r"[ \t]?([a-z]+)")
_SPECIES_WORDS = frozenset(read_tables("species.toml", "species list", {"words"}).get("words", []))
# "[" opens a checklist box ("[x] sore throat [ ] ear pain"): each box starts an item of its own
_BREAK = frozenset([".", ";", "!", "?", "\n", "-", "--", "[", "|"])  # "|": a table's cell border
# Short shorthand that keeps its reading in title case, as it opens a line ("Fx R wrist", "Htn, stable")
_TITLE_CASE_SHORTHAND = frozenset({"fx", "lac", "htn", "chf", "ckd", "dvt", "mdd", "osa", "bph"})
# Short abbreviations that are also ordinary words or honorifics in running text ("Ms. Lee", "pad").
_AMBIGUOUS = frozenset({"ms", "pad", "pe", "cp", "le", "ue", "dx", "hx", "af", "ra", "oa", "mi", "als", "uri",
                        "rt", "lt", "ca", "r", "l", "doe", "si", "ild", "pnd", "gdm", "hrs", "scc", "bcc",
                        "od", "os", "ou", "hi", "ah", "vh", "vb", "vt", "vf", "acs", "cap"})


@dataclass(slots=True)
class Token:
    start: int
    end: int
    raw: str
    norm: str
    sentence: int
    words: set[str] = field(default_factory=set)
    comma: bool = False  # a comma follows the token
    group: tuple[int, int] | None = None  # token range of the multi-word abbreviation it is part of
    absent: bool = False  # named after "without" or "no": "effusion" in "knee w/o effusion", "flare" in "gout, no flare"


_stem = lru_cache(maxsize=50_000)(stem)
# A word written in capitals also stands as "acr:<word>": index terms that are acronyms ("AIDS",
# "ARC", "PRES") match only a word in capitals, so "hearing aids" and "pre-op" are not conditions.
ACRONYM = "acr:"


def _expansions() -> dict[tuple[str, ...], set[str]]:
    """medcode.search's abbreviations and synonyms plus this package's abbreviations.tsv."""
    mapping, _ = vocabularies()
    out = {key: {w for alt in alts for w in alt} for key, alts in mapping.items()}
    for kw, alts in load_map("abbreviations.tsv", "medcode.detect").items():
        if alts == [()] or alts == [("-",)] or not any(alts):
            out.pop(kw, None)  # "-": a search synonym that misleads in notes ("blood sugars" is not diabetes)
            continue
        out.setdefault(kw, set()).update(w for alt in alts for w in alt)
    return out


_EXP = _expansions()


@dataclass(frozen=True)
class _Sense:
    cues: tuple[re.Pattern[str], ...]
    min_cues: int
    words: dict[str, frozenset[str]]  # an abbreviation's normal form -> its words in such a note


_SENSE_FIELDS = frozenset({"name", "cues", "min_cues", "abbreviations"})


def _senses(text: str | None = None) -> tuple[_Sense, ...]:
    """senses.toml: abbreviations read in another sense in one kind of note (see there)."""
    data = read_tables("senses.toml", "abbreviation senses", {"sense"}, text)
    out = []
    for n, entry in enumerate(data.get("sense", []), 1):
        where = f"abbreviation senses, sense {n}"
        check_entry(entry, _SENSE_FIELDS, ("name",), where)
        cues, need, abbrs = entry.get("cues"), entry.get("min_cues", 1), entry.get("abbreviations")
        if not isinstance(cues, list) or not cues or not all(isinstance(c, str) for c in cues):
            raise ConfigError(f"{where}: 'cues' must be a non-empty list of regular expressions")
        if not isinstance(need, int) or not 1 <= need <= len(cues):
            raise ConfigError(f"{where}: 'min_cues' must be a whole number from 1 to the number of cues")
        if not isinstance(abbrs, dict) or not abbrs or not all(isinstance(v, str) and v for v in abbrs.values()):
            raise ConfigError(f"{where}: 'abbreviations' must be a table of abbreviation = \"its words\"")
        try:
            compiled = tuple(re.compile(c) for c in cues)
        except re.error as exc:
            raise ConfigError(f"{where}: bad cue ({exc})") from None
        # the words normalised as abbreviations.tsv's expansions are
        out.append(_Sense(compiled, need, {_stem(k.lower()): frozenset(words(v)) for k, v in abbrs.items()}))
    return tuple(out)


_SENSES = _senses()
_SENSE_KEYS = frozenset(k for sense in _SENSES for k in sense.words)


def note_senses(text: str) -> dict[str, frozenset[str]]:
    """The abbreviations ``text`` reads in another sense than the general one, with their words."""
    out: dict[str, frozenset[str]] = {}
    for sense in _SENSES:
        if sum(1 for cue in sense.cues if cue.search(text)) >= sense.min_cues:
            out.update(sense.words)
    return out


# the lengths of the keys that start with each word, longest first: most tokens start none and cost one
# dict look-up, and a word that starts keys of two lengths tries those two only
_SIZES: dict[str, tuple[int, ...]] = {}
for _key in _EXP:
    _SIZES[_key[0]] = tuple(sorted({*_SIZES.get(_key[0], ()), len(_key)}, reverse=True))


# What a token's text reads as: (the token's text, its normal form, its words), or (None, ...) for
# punctuation. Kept per distinct text: notes repeat their words, and this is most of tokenising.
_READ: dict[str, tuple] = {}


def _read(raw: str) -> tuple:
    short = _SHORTHAND.get(raw.lower())
    if short:
        return raw, short, frozenset({short})
    if not raw[0].isalnum():
        return None, None, None
    raw = raw.removesuffix("'s")
    norm = _stem(raw.lower())
    return raw, norm, frozenset({norm, ACRONYM + norm} if len(raw) >= 2 and raw.isupper() and raw.isalpha() else {norm})


def tokenize(text: str) -> list[Token]:
    """Word tokens of ``text`` (punctuation dropped) with sentence numbers and expanded words."""
    tokens: list[Token] = []
    sentence = 0
    folded = fold(text)
    for m in _TOKEN.finditer(folded):
        raw = m.group()
        read = _READ.get(raw)
        if read is None:
            read = _read(raw)
            if len(_READ) < 200_000:  # bounded: a stream of notes with ever new numbers and typos
                _READ[raw] = read
        if read[0] is None:  # punctuation
            if raw == "." and tokens and len(tokens[-1].raw) == 1 and tokens[-1].raw.isupper() and (
                    (species := _SPECIES.match(folded, m.end())) and species.group(1) in _SPECIES_WORDS):
                continue  # "C. difficile colitis", "E. coli": a genus initial, not a full stop
            if raw in _BREAK or raw[0] == "#":
                sentence += 1
            elif raw == "," and tokens:
                tokens[-1].comma = True
            continue
        word, norm, words = read
        tokens.append(Token(m.start(), m.start() + len(word), word, norm, sentence, set(words)))
    _expand(tokens)
    # the kind of note is read only when it has an abbreviation whose sense it could change
    if any(t.norm in _SENSE_KEYS and t.raw.isupper() for t in tokens):
        senses = note_senses(text)
        for t in tokens:
            if t.norm in senses and t.raw.isupper():  # "PVD" in an eye examination: posterior vitreous detachment
                t.words = {t.norm, *senses[t.norm]}
    _spine_levels(text, tokens)
    _several_ribs(tokens)
    _mark_without(tokens)
    return tokens


_BREAKS = frozenset({"fractures", "fxs", "fx's"})


def _several_ribs(tokens: list[Token]) -> None:
    """"Rib fractures", "fx L ribs": more than one rib, which ICD-10-CM codes as multiple fractures of ribs
    (S22.4-), not as one (S22.3-). The plural is lost to the normalised words, so it is read here."""
    for i, t in enumerate(tokens):
        if ((t.norm == "rib" and t.raw.lower() == "ribs")
                or (i > 0 and tokens[i - 1].norm == "rib" and t.raw.lower() in _BREAKS)):
            t.words.add("multiple")


# "L4-5", "L5-S1", "C5-C6": a spinal level names the region ICD-10-CM titles use ("lumbar region",
# "lumbosacral region"). Pairs only: a lone "S1" or "T4" is as often a heart sound or a thyroid test.
_LEVEL_PAIR = re.compile(r"\b([CTLS])(\d{1,2})\s*-\s*([CTLS])?(\d{1,2})\b")
_REGION = {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "sacral"}
_JUNCTION = {("C", "T"): "cervicothoracic", ("T", "L"): "thoracolumbar", ("L", "S"): "lumbosacral"}


def _spine_levels(text: str, tokens: list[Token]) -> None:
    for m in _LEVEL_PAIR.finditer(text):
        first, second = m.group(1), m.group(3) or m.group(1)
        region = _REGION[first] if first == second else _JUNCTION.get((first, second))
        if region is None:
            continue
        for t in tokens:
            if m.start() <= t.start < m.end():
                t.words.update((region, "spinal"))  # "C5-6 stenosis" is spinal, not of the cervix


_WITHOUT_SCOPE = 3
_LIST_BREAK = frozenset({"with", "but", "and"})


def _mark_without(tokens: list[Token]) -> None:
    """Words after "without" (and the one word after "not" or "no") also stand as "no:<word>", the form
    ICD-10-CM titles use for absent findings ("nausea, no vomiting" is "Nausea without vomiting")."""
    for i, t in enumerate(tokens):
        if t.norm not in ("without", "not", "no"):
            continue
        for u in tokens[i + 1:i + 1 + (_WITHOUT_SCOPE if t.norm == "without" else 1)]:
            if u.sentence != t.sentence or u.norm in _LIST_BREAK:
                break
            u.words |= {"no:" + w for w in u.words if not w.startswith("no:")}
            u.absent = u.absent or t.norm in ("without", "no")
            if u.comma:
                break  # "w/o dyskinesia, dementia (mild)": the comma ends what is absent


def _expand(tokens: list[Token]) -> None:
    n = len(tokens)
    covered = 0  # tokens before this index belong to a longer phrase already read ("on RA" = room air)
    for i in range(n):
        if i < covered:
            continue
        sizes = _SIZES.get(tokens[i].norm)
        if sizes is None:
            continue
        for size in sizes:
            if size > n - i:
                continue
            group = tokens[i:i + size]
            if group[-1].sentence != group[0].sentence:
                continue
            key = tuple(t.norm for t in group)
            alts = _EXP.get(key)
            if alts is None:
                continue
            raw = group[0].raw
            if size == 1 and key[0] in _AMBIGUOUS and not raw.removesuffix("s").isupper():  # "UTIs" counts
                continue
            if (size == 1 and len(raw) <= 3 and raw[:1].isupper() and raw[1:].islower() and len(raw) > 1
                    and key[0] not in _TITLE_CASE_SHORTHAND):
                continue  # "Ms", "Pad": title-case short words are not abbreviations
            if size == 1 and key[0] in alts and i + 1 < n and tokens[i + 1].sentence == group[0].sentence \
                    and alts - {key[0]} <= tokens[i + 1].words:
                continue  # "orthostatic hypotension": the note spells out what the one word stands for
            for t in group:
                t.words |= alts
                if size > 1:
                    t.group = (i, i + size - 1)
            if size > 1:
                covered = i + size
            break
