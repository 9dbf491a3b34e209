"""Look-ups the claim rules share, over one knowledge base, with the release each answer came from."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from medcode.kb.store import KB, CodeRow, Source, code_variants
from medcode.model import CPT, HCPCS, ICD10CM, MODIFIER

CPT_SHAPE = re.compile(r"^\d{4}[0-9FTU]$")
HCPCS_SHAPE = re.compile(r"^[A-V]\d{4}$")
# Hospital outpatient places of service use the hospital PTP and MUE tables.
HOSPITAL_POS = {"19", "22"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of a claim rule, shaped as `medcode check --format json` prints it."""

    rule: str
    severity: str  # error | warning | info
    message: str
    lines: tuple[int, ...] = ()
    codes: tuple[str, ...] = ()
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "message": self.message, "lines": list(self.lines),
                "codes": list(self.codes), "source": self.source}


@dataclass(frozen=True, slots=True)
class CodeState:
    status: str  # valid | deleted | not_yet_effective | before_loaded_releases | unknown
    code: str
    row: CodeRow | None = None
    source: Source | None = None  # for deleted: the release that dropped it


def cite(src: Source | None) -> str:
    return f"{src.publisher} {src.release} ({src.file_name})" if src else ""


class Context:
    def __init__(self, kb: KB) -> None:
        self.kb = kb
        # Claims repeat the same few thousand codes: every look-up is memoised for the run.
        self._state: dict[tuple[str, str, int], CodeState] = {}
        # What is in force on a date depends only on which loaded releases have taken effect by
        # then, so answers that depend on the date are memoised per "epoch" (the number of distinct
        # release effective dates on or before it) rather than per date: a few thousand codes seen
        # on dozens of dates are each worked out once.
        self._effective_dates = sorted({s.effective for s in kb.sources()})
        self._epochs: dict[str, int] = {}
        self._memo: dict[tuple[Any, ...], Any] = {}
        # PTP edits as setting -> column 1 -> column 2 -> rows (pairs with edits only), and for each
        # column-1 code the codes whose pairs with it have been fetched (every setting at once).
        self._ptp_edits: dict[str, dict[str, dict[str, list[tuple[Any, ...]]]]] = {}
        self._ptp_known: dict[str, set[str]] = {}

    def prefetch(self, claims: list[Any]) -> None:
        """Fetch what the rules will ask about every code and code pair on ``claims`` in bulk, so the
        first look-up of a code costs a share of a few queries instead of queries of its own."""
        diagnoses: set[str] = set()
        modifiers: set[str] = set()
        claim_codes: list[set[str]] = []
        for claim in claims:
            diagnoses.update(claim.diagnoses)
            codes = set()
            for line in claim.lines:
                codes.add(line.code)
                modifiers.update(line.modifiers)
            claim_codes.append(codes)
        line_codes: set[str] = set().union(*claim_codes)
        wanted: dict[str, set[str]] = {ICD10CM: diagnoses, CPT: set(), HCPCS: set(), MODIFIER: modifiers}
        for code in line_codes:
            system = self.procedure_system(code)
            if system:
                wanted[system].add(code)
        for system, codes in wanted.items():
            # What ``_rows`` would find: the first spelling (as typed, with or without the ICD dot)
            # that the system has. Codes of no release are known to be unknown without a query.
            variants = {c: code_variants(c) for c in codes}
            found = self.kb.rows_many(system, sorted({v for vs in variants.values() for v in vs}))
            for given, vs in variants.items():
                stored = next((v for v in vs if v in found), None)
                self._memo[("rows", system, given)] = (stored, found[stored]) if stored else (None, [])
        self._prefetch_notes([v for k, v in self._memo.items() if k[0] == "rows" and k[1] == ICD10CM])
        procedures = sorted(line_codes)
        self._prefetch_ptp(claim_codes)
        for code, fee_rows in self.kb.fee_schedule_many(procedures).items():
            self._memo[("fee-rows", code)] = fee_rows
        for code, entries in self.kb.pack_entries_many(procedures).items():
            self._memo[("pack", code)] = self._pack_relations(code, entries)
        for code, mue_rows in self.kb.mue_many(procedures).items():
            mue_rows.sort(key=lambda r: (r[4].effective, r[4].id), reverse=True)  # newest release first
            newest: dict[str, tuple[Any, ...]] = {}
            for st, u, m, r, s in mue_rows:
                newest.setdefault(st, (u, m, r, s))
            for setting in ("practitioner", "outpatient_hospital", "dme"):
                self._memo[("mue", code, setting)] = newest.get(setting)

    def _prefetch_ptp(self, claim_codes: list[set[str]]) -> None:
        """PTP edits for every pair of codes that share a claim, in one query per code."""
        partners: dict[str, set[str]] = {}
        for codes in claim_codes:
            if len(codes) > 1:
                for a in codes:
                    partners.setdefault(a, set()).update(codes)
        self._fetch_ptp(partners)

    def _fetch_ptp(self, partners: dict[str, set[str]]) -> None:
        """Cache the edits (every setting) of the pairs column1 -> partners[column1] not fetched yet."""
        need: dict[str, set[str]] = {}
        for a, bs in partners.items():
            known = self._ptp_known.setdefault(a, set())
            new = bs - known
            if new:
                need[a] = new
                known.update(new)
        for row in self.kb.ptp_pairs(need):
            setting, c1, c2 = row[0], row[1], row[2]
            if c1 != c2:
                self._ptp_edits.setdefault(setting, {}).setdefault(c1, {}).setdefault(c2, []).append(row[1:])

    def _prefetch_notes(self, found: list[tuple[str, list[CodeRow]]]) -> None:
        """Ancestors and notes of many diagnosis codes (their newest release) in bulk."""
        by_source: dict[int, dict[str, list[str]]] = {}
        for code, rows in found:
            if not rows:
                continue
            plain = code.replace(".", "")
            prefixes = [p if len(p) <= 3 else f"{p[:3]}.{p[3:]}" for p in (plain[:n] for n in range(3, len(plain)))]
            by_source.setdefault(rows[0].source.id, {})[code] = prefixes
        for sid, codes in by_source.items():
            candidates = sorted({p for ps in codes.values() for p in ps})
            present: set[str] = set()
            for i in range(0, len(candidates), 500):
                part = candidates[i:i + 500]
                present.update(r[0] for r in self.kb.conn.execute(
                    f"SELECT code FROM codes WHERE system=? AND source_id=? AND code IN ({','.join('?' * len(part))})",
                    (ICD10CM, sid, *part)))
            owners_of: dict[str, list[str]] = {}
            for code, prefixes in codes.items():
                anc = sorted((p for p in prefixes if p in present), key=len, reverse=True)
                self._memo[("anc", code)] = anc
                owners_of[code] = [code, *anc]
            owners = sorted({o for os_ in owners_of.values() for o in os_})
            src = self.kb.source(sid)
            note_rows: dict[str, list[tuple[int, str, str, str]]] = {}
            for i in range(0, len(owners), 500):
                part = owners[i:i + 500]
                for code, seq, kind, text, refs in self.kb.conn.execute(
                    "SELECT code, seq, kind, text, refs FROM notes WHERE system=? AND source_id=?"
                    f" AND code IN ({','.join('?' * len(part))})", (ICD10CM, sid, *part)):
                    note_rows.setdefault(code, []).append((seq, kind, text, refs))
            # Each owner's notes in order, parsed once: sibling codes share their ancestors' notes.
            notes = {owner: [(kind, (owner, text, json.loads(refs), src)) for _seq, kind, text, refs in sorted(of_owner)]
                     for owner, of_owner in note_rows.items()}
            for code, os_ in owners_of.items():
                by_kind: dict[str, list[tuple[str, str, list[str], Source]]] = {}
                for owner in os_:
                    for kind, note in notes.get(owner, ()):
                        by_kind.setdefault(kind, []).append(note)
                self._memo[("notes-by-kind", code, sid)] = by_kind

    def _cached(self, key: tuple[Any, ...], compute: Any) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def memo(self, key: tuple[Any, ...], compute: Any) -> Any:
        """``compute()``, once per ``key`` for the run: for rules to keep what they derive per code."""
        return self._cached(key, compute)

    @staticmethod
    @lru_cache(maxsize=65536)  # called for every line; claims repeat their codes
    def procedure_system(code: str) -> str | None:
        return CPT if CPT_SHAPE.match(code) else HCPCS if HCPCS_SHAPE.match(code) else None

    def _epoch(self, dos: str) -> int:
        epoch = self._epochs.get(dos)
        if epoch is None:
            epoch = self._epochs[dos] = bisect_right(self._effective_dates, dos)
        return epoch

    def state(self, system: str, code: str, dos: str) -> CodeState:
        epoch = self._epochs.get(dos)
        key = (system, code, self._epoch(dos) if epoch is None else epoch)
        known = self._state.get(key)
        if known is not None:
            return known
        # The rows of a code are fetched once; only the date logic runs per date of service.
        rows_key = ("rows", system, code)
        if rows_key not in self._memo:
            self._memo[rows_key] = self._rows(system, code)
        found, rows = self._memo[rows_key]
        if not found:
            result = CodeState("unknown", code)
        else:
            canonical = found
            current = next((r for r in rows if r.source.effective <= dos), None)
            ref_key = ("ref", system, key[2])
            if ref_key not in self._memo:
                self._memo[ref_key] = self.kb.reference_source(system, dos)
            ref = self._memo[ref_key]
            if current is None and ref is None:
                # No release of this system loaded for that date: the data cannot say the code was
                # not yet in force, so judge it by its earliest loaded release (validity notes this).
                result = CodeState("before_loaded_releases", canonical, rows[-1], rows[-1].source)
            elif current is None:
                result = CodeState("not_yet_effective", canonical, rows[-1], rows[-1].source)
            elif ref is not None and (current.source.effective, current.source.id) < (ref.effective, ref.id) \
                    and not any(r.source.id == ref.id for r in rows):
                result = CodeState("deleted", canonical, current, ref)
            else:
                result = CodeState("valid", canonical, current, current.source)
        self._state[key] = result
        return result

    def _rows(self, system: str, code: str) -> tuple[str | None, list[CodeRow]]:
        found = self.kb.find(code, system)
        if not found:
            return None, []
        return found[0][1], self.kb.rows(system, found[0][1])

    def dx(self, code: str, dos: str) -> CodeState:
        return self.state(ICD10CM, code, dos)

    def ancestors(self, state: CodeState) -> list[str]:
        """The code's ancestors, nearest first. ICD-10-CM codes extend their parents, so every
        ancestor is a prefix of the code: one query finds them all."""
        key = ("anc", state.code)
        if key not in self._memo:
            self._memo[key] = self._ancestors(state)
        return self._memo[key]

    def _ancestors(self, state: CodeState) -> list[str]:
        if state.row is None:
            return []
        plain = state.code.replace(".", "")
        prefixes = {p if len(p) <= 3 else f"{p[:3]}.{p[3:]}" for p in (plain[:n] for n in range(3, len(plain)))}
        if not prefixes:
            return []
        marks = ",".join("?" * len(prefixes))
        found = {r[0] for r in self.kb.conn.execute(
            f"SELECT code FROM codes WHERE system=? AND source_id=? AND code IN ({marks})",
            (ICD10CM, state.row.source.id, *prefixes))}
        return sorted(found, key=len, reverse=True)

    def notes(self, state: CodeState, kind: str) -> list[tuple[str, str, list[str], Source]]:
        """(owner code, text, refs, source) of ``kind`` notes on the code and its ancestors."""
        return self.notes_by_kind(state).get(kind, [])

    def notes_by_kind(self, state: CodeState) -> dict[str, list[tuple[str, str, list[str], Source]]]:
        """``notes`` of every kind at once (empty for most codes)."""
        if state.row is None:
            return {}
        key = ("notes-by-kind", state.code, state.row.source.id)
        by_kind = self._memo.get(key)
        if by_kind is None:
            by_kind = {}
            for owner, text, refs, src, k in self._all_notes(state):
                by_kind.setdefault(k, []).append((owner, text, refs, src))
            self._memo[key] = by_kind
        return by_kind

    def _all_notes(self, state: CodeState) -> list[tuple[str, str, list[str], Source, str]]:
        """Every note on the code and its ancestors, in one query."""
        assert state.row is not None
        owners = [state.code, *self.ancestors(state)]
        marks = ",".join("?" * len(owners))
        src = state.row.source
        rows = self.kb.conn.execute(
            f"SELECT code, kind, text, refs FROM notes WHERE system=? AND source_id=? AND code IN ({marks})"
            " ORDER BY seq", (ICD10CM, src.id, *owners)).fetchall()
        order = {o: i for i, o in enumerate(owners)}
        rows.sort(key=lambda r: order[r[0]])
        return [(code, text, json.loads(refs), src, kind) for code, kind, text, refs in rows]

    def billable_descendants(self, code: str, source_id: int) -> list[tuple[str, str]]:
        """The first billable ICD-10-CM codes under a header (what ``dx-header`` findings list)."""
        return self._cached(("billable-under", code, source_id),
                            lambda: self.kb.billable_descendants(ICD10CM, code, source_id, limit=12))

    def fee(self, code: str, dos: str) -> tuple[dict[str, Any], Source] | None:
        key = ("fee", code, self._epoch(dos))
        if key not in self._memo:
            self._memo[key] = self._fee(code, dos)
        return self._memo[key]

    def _fee(self, code: str, dos: str) -> tuple[dict[str, Any], Source] | None:
        rows = self._cached(("fee-rows", code), lambda: self.kb.fee_schedule(code))
        for modifier, fields, src in rows:
            if modifier == "" and src.effective <= dos:
                return fields, src
        return (rows[-1][1], rows[-1][2]) if rows and rows[-1][0] == "" else None

    def mue(self, code: str, setting: str) -> tuple[int, int | None, str | None, Source] | None:
        key = ("mue", code, setting)
        if key not in self._memo:
            self._memo[key] = self._mue(code, setting)
        return self._memo[key]

    def _mue(self, code: str, setting: str) -> tuple[int, int | None, str | None, Source] | None:
        for s, units, mai, rationale, src in self.kb.mue(code):
            if s == setting:
                return units, mai, rationale, src
        return None

    def ptp(self, codes: set[str], setting: str, dos: str) -> list[dict[str, Any]]:
        """Active edits on ``dos`` where both columns are among ``codes``.

        Edits are cached per code pair (``prefetch`` fetches those of a whole run), so only pairs
        not seen before cost a query."""
        if len(codes) < 2:
            return []
        known = self._ptp_known
        missing = {a: codes for a in codes if a not in known or not codes <= known[a]}
        if missing:
            self._fetch_ptp(missing)
        edits = self._ptp_edits.get(setting, {})
        out = []
        for a in codes:
            with_a = edits.get(a)
            if not with_a:
                continue
            for b in codes:
                for c1, c2, eff, deletion, mod, rationale, sid in with_a.get(b, ()):
                    if (eff and eff > dos) or (deletion and deletion < dos):
                        continue
                    out.append({"column1": c1, "column2": c2, "modifier_indicator": mod, "rationale": rationale,
                                "source": self.kb.source(sid)})
        return out

    def pack_relations(self, code: str) -> list[tuple[str, dict[str, Any]]]:
        found = self._memo.get(("pack", code))
        if found is None:
            found = self._memo[("pack", code)] = self._pack_relations(code)
        return found

    def _pack_relations(self, code: str, entries: list[tuple[str, dict[str, Any]]] | None = None
                        ) -> list[tuple[str, dict[str, Any]]]:
        out = []
        for pack_id, entry in self.kb.pack_entries(code) if entries is None else entries:
            for rel in entry.get("related", []):
                out.append((pack_id, rel))
        return out


def same_code(a: str, b: str) -> bool:
    return a.replace(".", "") == b.replace(".", "")


def starts(code: str, ref: str) -> bool:
    """Does an Excludes/code-first reference (a code or a family like G57.7) cover ``code``?"""
    return code.replace(".", "").startswith(ref.replace(".", "").rstrip("-"))


__all__ = ["Context", "Finding", "CodeState", "cite", "code_variants", "same_code", "starts", "HOSPITAL_POS"]
