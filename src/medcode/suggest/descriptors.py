"""Match procedure sentences to codes by their words: content-pack terms and code descriptors.

Two sources of words, both read from the knowledge base:

* content-pack ``terms`` of CPT and HCPCS entries (medcode's own words, e.g. "nerve block"),
  found word for word in a sentence (plurals and word endings folded);
* descriptors: the CPT descriptors of a licensed file the user imported (never shipped with
  medcode) and the public HCPCS Level II long descriptions. A descriptor matches when the sentence
  holds enough of its word groups, in any order: "upper or lower limb" is two groups, {upper,
  lower} and {limb}; words that only qualify the code ("when performed", "(eg, ...)") and counting
  words are not required (``matching.toml``).

Matching is by words, not by clinical rules, so every match is a candidate for the coder to
confirm; :mod:`medcode.suggest` turns matches into claim lines with a low confidence and a question.
Written here rather than with the KB's FTS5 index because the test is coverage of the descriptor
(how much of it the sentence says), which FTS ranking does not give; the index below is built once
per knowledge base, in memory (about 20,000 descriptors with a full licensed file).
"""

from __future__ import annotations

import math
import re
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from medcode.kb.store import KB
from medcode.search.text import STOPWORDS, stem
from medcode.suggest.sentences import Sentence, negated, settings

_WORD = re.compile(r"[A-Za-z0-9]+")
_ALT = re.compile(r"\s*(?:\band/or\b|\bor\b|/)\s*", re.I)
_INDEXES: weakref.WeakKeyDictionary[KB, _Index] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class Match:
    """One code the words of one sentence fit, with the note's words and what they matched."""

    system: str
    code: str
    kind: str  # pack-term | cpt-descriptor | hcpcs-descriptor
    matched: str  # the pack term or the descriptor
    coverage: float  # share of the term's or descriptor's word groups found in the sentence
    source: str
    spans: tuple[tuple[int, int], ...]  # the note's words that matched
    sentence: Sentence
    near: tuple[str, ...] = ()  # other codes whose descriptors fit almost as well

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "system": self.system, "matched": self.matched,
                "coverage": round(self.coverage, 2), "source": self.source}


@dataclass(slots=True)
class _Doc:
    system: str
    code: str
    text: str
    groups: list[frozenset[str]]
    source: str
    words: frozenset[str]  # every content word, the optional text's too (for breaking ties)
    doses: frozenset[str]  # "40 mg" as "40mg"
    weights: list[float] = field(default_factory=list)  # per group: how rare its rarest word is
    total: float = 0.0


@dataclass(slots=True)
class _Index:
    docs: list[_Doc] = field(default_factory=list)
    by_word: dict[str, set[int]] = field(default_factory=dict)
    terms: list[tuple[str, str, tuple[str, ...], str, str]] = field(default_factory=list)  # system, code, words, term, source


@lru_cache(maxsize=65536)
def _norm(word: str) -> str:
    """A word with its plural and its ending folded (``suffixes`` in ``matching.toml``), so that
    "injected" and "injection", "guided" and "guidance" compare equal."""
    w = stem(word.lower())
    for suffix in _suffixes():
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[:-len(suffix)]
            break
    return w[:-1] if w.endswith("e") and len(w) > 4 else w


@lru_cache(maxsize=1)
def _suffixes() -> tuple[str, ...]:
    return tuple(sorted(settings()["descriptors"]["suffixes"], key=len, reverse=True))


@lru_cache(maxsize=1)
def _ignore() -> frozenset[str]:
    raw = STOPWORDS | set(settings()["descriptors"]["ignore_words"])
    return frozenset(raw | {_norm(w) for w in raw})


def _content(text: str) -> list[str]:
    ignore = _ignore()
    return [w for w in map(_norm, _WORD.findall(text)) if w not in ignore and not w.isdigit()]


def groups(descriptor: str) -> list[frozenset[str]]:
    """The word groups a sentence must cover: alternatives ("x or y", "x/y") form one group."""
    text = descriptor.lower()
    for rx in settings()["descriptors"]["optional"]:
        text = re.sub(rx, " ", text)
    out: list[set[str]] = []
    for clause in re.split(r"[,;:]", text):
        parts = _ALT.split(clause)
        for i, part in enumerate(parts):
            words = _content(part)
            if not words:
                continue
            if i > 0 and out and parts[i - 1].strip():  # "upper or lower limb": {upper, lower}, {limb}
                out[-1].add(words[0])
                words = words[1:]
            out += [{w} for w in words]
    return list(dict.fromkeys(frozenset(g) for g in out))


def _index(kb: KB) -> _Index:
    idx = _INDEXES.get(kb)
    if idx is not None:
        return idx
    idx = _Index()
    rows = kb.conn.execute(
        "SELECT c.system, c.code, c.title, c.source_id FROM code_status s JOIN codes c ON c.system=s.system"
        " AND c.code=s.code AND c.source_id=s.newest_source WHERE s.system='HCPCS' AND s.status='active'"
        " AND c.title IS NOT NULL").fetchall()
    # CPT text only ever comes from the user's own licensed file (the RVU file's short descriptors
    # are not loaded as titles); a code another release deleted is left out.
    rows += kb.conn.execute(
        "SELECT c.system, c.code, c.title, c.source_id FROM codes c JOIN sources src ON src.id=c.source_id"
        " LEFT JOIN code_status s ON s.system=c.system AND s.code=c.code WHERE c.system='CPT'"
        " AND src.dataset='cpt-licensed' AND c.title IS NOT NULL AND coalesce(s.status, 'active')='active'"
        " UNION ALL SELECT t.system, t.code, t.term, t.source_id FROM terms t JOIN sources src ON src.id=t.source_id"
        " WHERE t.system='CPT' AND src.dataset='cpt-licensed'").fetchall()
    for system, code, text, source_id in rows:
        g = groups(text)
        if len(g) >= settings()["thresholds"]["descriptor_min_groups"]:
            idx.docs.append(_Doc(system, code, text, g, kb.source(source_id).cite(), frozenset(_content(text)),
                                 _doses(text)))
    # A group weighs as much as its rarest word is rare (inverse document frequency), so a
    # descriptor whose one specific word ("trigeminal") the sentence lacks does not match on the rest.
    for i, doc in enumerate(idx.docs):
        for word in set().union(*doc.groups):
            idx.by_word.setdefault(word, set()).add(i)
    n = len(idx.docs) + 1
    for doc in idx.docs:
        doc.weights = [max(math.log(n / (len(idx.by_word[w]) + 1)) + 1 for w in g) for g in doc.groups]
        doc.total = sum(doc.weights)
    for pack_id in kb.pack_ids():
        body = kb.pack(pack_id)
        src = f"medcode content pack {pack_id} {body['pack'].get('version')} ({body.get('_file')})"
        for entry in body.get("codes", []):
            if entry.get("system") in ("CPT", "HCPCS"):
                for term in entry.get("terms", []):
                    words = tuple(_norm(w) for w in _WORD.findall(term))
                    if words:
                        idx.terms.append((entry["system"], entry["code"], words, term, src))
    _INDEXES[kb] = idx
    return idx


_DOSE = re.compile(r"(\d+(?:\.\d+)?)\s*(mg|mcg|ml|units?|gm?)\b", re.I)


def _doses(text: str) -> frozenset[str]:
    return frozenset(f"{m.group(1)}{m.group(2).lower()}" for m in _DOSE.finditer(text))


def _tokens(note: str, s: Sentence) -> list[tuple[str, int, int]]:
    return [(_norm(m.group(0)), m.start(), m.end()) for m in _WORD.finditer(note, s.start, s.end)]


def pack_terms(kb: KB, note: str, sentences: list[Sentence]) -> list[Match]:
    """Content-pack terms found word for word in the sentences (not right after a negation)."""
    out = []
    for s in sentences:
        toks = _tokens(note, s)
        words_here = [t for t, _, _ in toks]
        for system, code, words, term, src in _index(kb).terms:
            n = len(words)
            for i in range(len(toks) - n + 1):
                if tuple(words_here[i:i + n]) == words:
                    start, end = toks[i][1], toks[i + n - 1][2]
                    if not negated(note, s, start):
                        out.append(Match(system, code, "pack-term", term, 1.0, src, ((start, end),), s))
                    break
    return out


def descriptors(kb: KB, note: str, sentences: list[Sentence]) -> list[Match]:
    """Per sentence, the descriptor the sentence covers best (near ties named in ``near``)."""
    th = settings()["thresholds"]
    full_prefixes = tuple(settings()["descriptors"]["full_coverage_prefixes"])
    idx = _index(kb)
    out = []
    for s in sentences:
        first: dict[str, tuple[int, int]] = {}  # word -> its first place in the sentence
        for t, a, b in _tokens(note, s):
            first.setdefault(t, (a, b))
        doses = _doses(s.text)
        scored = []
        for d in set().union(*(idx.by_word.get(w, set()) for w in first)):
            doc = idx.docs[d]
            hits, weight = [], 0.0
            for g, w in zip(doc.groups, doc.weights, strict=True):
                hit = next((first[x] for x in g if x in first), None)
                if hit:
                    hits.append(hit)
                    weight += w
            coverage, weighted = len(hits) / len(doc.groups), weight / doc.total
            need = 1.0 if doc.system == "HCPCS" and doc.code.startswith(full_prefixes) else th["descriptor_coverage"]
            if len(hits) < th["descriptor_min_groups"] or min(coverage, weighted) < need:
                continue
            if negated(note, s, min(a for a, _ in hits)):
                continue
            full = len(doc.words & first.keys()) / max(len(doc.words), 1)
            scored.append((round(weighted, 3), full, len(doc.doses & doses), len(hits), doc, tuple(sorted(set(hits)))))
        if not scored:
            continue
        # best: most of the descriptor said (weighted), then least of its optional text unsaid
        # (a brand name in parentheses), then the dose the note gives, then the most words
        scored.sort(key=lambda x: (-x[0], -x[1], -x[2], -x[3], x[4].code))
        best, _, _, _, doc, spans = scored[0]
        near = tuple(dict.fromkeys(x[4].code for x in scored[1:]
                                   if best - x[0] <= th["close_call"] and x[4].code != doc.code))
        kind = "cpt-descriptor" if doc.system == "CPT" else "hcpcs-descriptor"
        out.append(Match(doc.system, doc.code, kind, doc.text, best, doc.source, spans, s, near[:3]))
    return out
