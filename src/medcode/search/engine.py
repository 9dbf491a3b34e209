"""Ranked search across code systems: SQLite FTS5 finds candidates, a small re-ranker orders them.

Retrieval is FTS5 (porter stemming, prefix indexes) over one document per title or term of every
active code: all concepts must match (then each concept left out in turn, when that finds too few),
and the first matches in rowid order are taken, which the builder sorted shortest text first. FTS5's
bm25 ordering is not used: computing it over the thousands of matches of a type-ahead prefix costs
tens of milliseconds, and it ranks long titles that repeat a word above the exact code a coder wants
and knows nothing of billable codes or laterality. The candidates are re-ranked here by

* coverage: the share of the query's concepts the document matches (abbreviations and synonyms
  count as the concept they stand for),
* precision: the share of the document's words the query accounts for (prefers the exact title over
  a longer one that merely contains it),
* billable codes above their headers, and a small penalty for a side (right/left/bilateral) the
  query did not ask for, so "crps leg" prefers the unspecified-side code over the right-side one.

Typos are corrected against the index vocabulary with rapidfuzz, only for words the index lacks.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from medcode.kb.store import KB, code_variants
from medcode.search.query import SIDE_WORDS, Group, Query, parse
from medcode.search.text import words

# Weight of the kind of text that matched (titles are the publisher's own wording).
# The alphabetic index is the official route from a term to a code, so its entries weigh most.
KIND_BONUS = {
    "index": 0.05,
    "title": 0.04,
    "inclusion": 0.03,
    "pack": 0.03,
    "short_title": 0.02,
    "synonym": 0.02,
    "drug": 0.015,
    "neoplasm": 0.015,
    "external_cause": 0.01,
}
W_COVERAGE, W_PRECISION, W_BILLABLE = 0.62, 0.22, 0.08
SIDE_PENALTY = 0.03
LATER_EPISODES = frozenset({"subsequent", "sequela"})
CANDIDATES = 120
HEADERS_EXPANDED = 3
CHILD_DISCOUNT = 0.02  # a child reached through its header ranks just below a direct match
RELAXED = 40


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked result. ``matched`` is the title or term that matched and ``match_kind`` its kind."""

    system: str
    code: str
    title: str | None
    billable: bool | None
    score: float
    matched: str
    match_kind: str

    def as_dict(self) -> dict[str, object]:
        return {
            "system": self.system,
            "code": self.code,
            "title": self.title,
            "billable": self.billable,
            "score": self.score,
            "matched": self.matched,
            "match_kind": self.match_kind,
        }


class Searcher:
    """Search one knowledge base. Create once and reuse: it loads the index vocabulary."""

    def __init__(self, kb: KB) -> None:
        self.kb = kb
        self.conn: sqlite3.Connection = kb.conn
        self._vocab: dict[str, int] = dict(self.conn.execute("SELECT word, freq FROM search_words"))
        self._sorted = sorted(self._vocab)
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for w in self._sorted:
            if not w.isdigit():
                self._by_initial[w[0]].append(w)

    # --- public ---------------------------------------------------------------------------------

    def search(self, text: str, *, system: str | None = None, limit: int = 10, type_ahead: bool = True) -> list[Hit]:
        """Codes for ``text``, best first.

        >>> Searcher(kb).search("crps right leg")[0].code   # doctest: +SKIP
        'G90.521'
        """
        text = text.strip() if not type_ahead else text.lstrip()
        if not text.strip():
            return []
        query = parse(text, type_ahead=type_ahead)
        if query.code_like:
            hits = self._code_hits(text.strip(), system, limit)
            if hits:
                return hits
        if not query.groups:
            return []
        self._correct(query)
        # A one-letter type-ahead word matches a fifth of the index: it steers the ranking only.
        used = [g for g in query.groups if not (g.prefix and len(g.word) < 2)]
        exprs = [self._group_expr(g) for g in used]
        if not exprs:
            return []
        rows = self._fetch(" AND ".join(exprs), system, CANDIDATES)
        if len(rows) < limit and len(exprs) > 1:
            # Relax: every query with one concept left out, so a word the index lacks costs one concept.
            seen = {r[0] for r in rows}
            for i in range(len(exprs)):
                for r in self._fetch(" AND ".join(exprs[:i] + exprs[i + 1 :]), system, RELAXED):
                    if r[0] not in seen:
                        seen.add(r[0])
                        rows.append(r)
        if not rows and len(exprs) > 2:
            # Still nothing: keep only the two rarest concepts, then the rarest alone.
            rarity = sorted(range(len(exprs)), key=lambda i: self._df(used[i]))
            for keep in (rarity[:2], rarity[:1]):
                rows = self._fetch(" AND ".join(exprs[i] for i in sorted(keep)), system, RELAXED)
                if rows:
                    break
        return self._rank(query, rows, limit)

    def _df(self, g: Group) -> int:
        return min(sum(self._vocab.get(w, 0) for w in alt) for alt in g.alternatives)

    # --- steps ----------------------------------------------------------------------------------

    def _code_hits(self, text: str, system: str | None, limit: int) -> list[Hit]:
        for variant in code_variants(text):
            found = [r for r in self.kb.prefix(variant, limit) if system is None or r[0] == system]
            if found:
                return [
                    Hit(s, c, t, b, 1.0 if c == variant else 0.9, c, "code")
                    for s, c, t, b in found
                ]
        return []

    def _known_prefix(self, word: str) -> bool:
        i = bisect.bisect_left(self._sorted, word)
        return i < len(self._sorted) and self._sorted[i].startswith(word)

    def _correct(self, query: Query) -> None:
        for g in query.groups:
            if len(g.alternatives) != 1 or len(g.alternatives[0]) != 1:
                continue
            word = g.alternatives[0][0]
            if word in self._vocab or word.isdigit() or len(word) < 3 or (g.prefix and self._known_prefix(word)):
                continue
            pool = [w for w in self._by_initial.get(word[0], ()) if abs(len(w) - len(word)) <= 2]
            best = process.extractOne(word, pool, scorer=fuzz.ratio, score_cutoff=75)
            if best:
                g.alternatives = [(best[0],)]
                g.corrected = best[0]
                g.prefix = False

    @staticmethod
    def _group_expr(g: Group) -> str:
        parts = []
        for alt in g.alternatives:
            phrase = '"' + " ".join(alt) + '"'
            parts.append(phrase + "*" if g.prefix and len(alt) == 1 else phrase)
        return "(" + " OR ".join(parts) + ")"

    def _fetch(self, expr: str, system: str | None, limit: int) -> list[tuple]:
        """The first ``limit`` matches in rowid order, which the builder made shortest-text-first."""
        sql = (
            "SELECT d.id, d.system, d.code, d.kind, d.text, d.norm, d.core, d.billable FROM search_fts"
            " JOIN search_docs d ON d.id = search_fts.rowid WHERE search_fts MATCH ?"
        )
        args: list[object] = [expr]
        if system:
            sql += " AND d.system = ?"
            args.append(system)
        sql += " LIMIT ?"
        args.append(limit)
        try:
            return self.conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError:
            return []

    def _score(self, query: Query, kind: str, norm: str, core: str, billable: int | None) -> float:
        doc_set = set(norm.split())
        matched: set[str] = set()
        covered = 0
        for g in query.groups:
            for alt in g.alternatives:
                if g.prefix and len(alt) == 1:
                    hit = {w for w in doc_set if w.startswith(alt[0])}
                    if hit:
                        matched |= hit
                        covered += 1
                        break
                elif all(w in doc_set for w in alt):
                    matched.update(alt)
                    covered += 1
                    break
        core_set = core.split()
        precision = sum(1 for w in core_set if w in matched) / max(1, len(core_set))
        score = W_COVERAGE * covered / len(query.groups) + W_PRECISION * precision + KIND_BONUS.get(kind, 0.0)
        if billable:
            score += W_BILLABLE
        if (doc_set & SIDE_WORDS) - query.sides:
            score -= SIDE_PENALTY
        asked = {w for g in query.groups for alt in g.alternatives for w in alt}
        if (doc_set & LATER_EPISODES) - asked:
            score -= SIDE_PENALTY  # unasked, the episode of care is the initial encounter
        return score

    def _rank(self, query: Query, rows: list[tuple], limit: int) -> list[Hit]:
        best: dict[tuple[str, str], tuple[float, str, str, int | None]] = {}
        for _id, system, code, kind, text, norm, core, billable in rows:
            score = self._score(query, kind, norm, core, billable)
            key = (system, code)
            if key not in best or score > best[key][0]:
                best[key] = (score, text, kind, billable)
        self._steer_to_children(query, rows, best)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0][1]))[:limit]
        titles = self._titles([k for k, _ in ranked])
        return [
            Hit(s, c, titles.get((s, c)), None if v[3] is None else bool(v[3]), round(v[0], 4), v[1], v[2])
            for (s, c), v in ranked
        ]

    def _steer_to_children(self, query: Query, rows: list[tuple], best: dict) -> None:
        """An index or inclusion term often names a header ("Neuroma, Morton's" → G57.6); the query's
        side or other qualifiers then pick its billable child. Each child of the best few headers is
        scored on the header's matched words plus its own title."""
        headers = sorted(
            ((v[0], k, v[1]) for k, v in best.items() if k[0] == "ICD10CM" and not v[3]), reverse=True
        )[:HEADERS_EXPANDED]
        docs = {(r[1], r[2], r[4]): (r[3], r[5], r[6]) for r in rows}
        for head_score, (system, code), matched_text in headers:
            kind, head_norm, head_core = docs.get((system, code, matched_text), ("title", "", ""))
            status = self.conn.execute(
                "SELECT newest_source FROM code_status WHERE system=? AND code=?", (system, code)).fetchone()
            if not status:
                continue
            for child, title in self.kb.billable_descendants(system, code, status[0], limit=40):
                norm = f"{head_norm} {' '.join(words(title))}"
                score = self._score(query, kind, norm, head_core, 1) - CHILD_DISCOUNT
                key = (system, child)
                if score > head_score and (key not in best or score > best[key][0]):
                    best[key] = (score, f"{matched_text} → {title}", "header_child", 1)

    def _titles(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        out: dict[tuple[str, str], str | None] = {}
        for system, code in keys:
            row = self.conn.execute(
                "SELECT c.title FROM code_status s JOIN codes c ON c.system=s.system AND c.code=s.code"
                " AND c.source_id=s.newest_source WHERE s.system=? AND s.code=?",
                (system, code),
            ).fetchone()
            out[(system, code)] = row[0] if row else None
        return out
