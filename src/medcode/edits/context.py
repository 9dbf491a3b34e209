"""Look-ups the claim rules share, over one knowledge base, with the release each answer came from."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
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
        self._state: dict[tuple[str, str, str], CodeState] = {}
        self._memo: dict[tuple[Any, ...], Any] = {}

    def prefetch(self, claims: list[Any]) -> None:
        """Fetch the rows, fee-schedule and MUE entries of every code on ``claims`` in bulk, so the
        first look-up of each code costs a share of a few queries instead of queries of its own."""
        wanted: dict[str, set[str]] = {ICD10CM: set(), CPT: set(), HCPCS: set(), MODIFIER: set()}
        for claim in claims:
            wanted[ICD10CM].update(claim.diagnoses)
            for line in claim.lines:
                system = self.procedure_system(line.code)
                if system:
                    wanted[system].add(line.code)
                wanted[MODIFIER].update(line.modifiers)
        for system, codes in wanted.items():
            # the stored spelling: ICD-10-CM with its dot after the third character
            spelled = {c: (f"{c[:3]}.{c[3:]}" if system == ICD10CM and "." not in c and len(c) > 3 else c) for c in codes}
            found = self.kb.rows_many(system, sorted(set(spelled.values())))
            for given, stored in spelled.items():
                if stored in found:
                    self._memo[("rows", system, given)] = (stored, found[stored])
        self._prefetch_notes([v for k, v in self._memo.items() if k[0] == "rows" and k[1] == ICD10CM])
        procedures = sorted(wanted[CPT] | wanted[HCPCS])
        self._prefetch_ptp(claims)
        for code, rows in self.kb.fee_schedule_many(procedures).items():
            self._memo[("fee-rows", code)] = rows
        for code, rows in self.kb.mue_many(procedures).items():
            rows.sort(key=lambda r: (r[4].effective, r[4].id), reverse=True)  # newest release first
            for setting in ("practitioner", "outpatient_hospital", "dme"):
                match = next(((u, m, r, s) for st, u, m, r, s in rows if st == setting), None)
                self._memo[("mue", code, setting)] = match

    def _prefetch_ptp(self, claims: list[Any], top: int = 400) -> None:
        """PTP edits among the most frequent procedure codes of the run, in one query per setting:
        claims made of those codes then need no query of their own."""
        from collections import Counter

        from medcode.edits.ncci import setting as setting_of

        by_setting: dict[str, Counter[str]] = {}
        for claim in claims:
            by_setting.setdefault(setting_of(claim), Counter()).update({line.code for line in claim.lines})
        for setting, counts in by_setting.items():
            common = sorted(c for c, n in counts.most_common(top) if n > 1)
            if len(common) < 2:
                continue
            cache: dict[tuple[str, str], list[tuple[Any, ...]]] = self._memo.setdefault(("ptp-pairs", setting), {})
            for a in common:
                for b in common:
                    if a != b:
                        cache.setdefault((a, b), [])
            marks = ",".join("?" * len(common))
            for row in self.kb.conn.execute(
                f"SELECT column1, column2, effective, deletion, modifier_indicator, r.text, source_id FROM ptp"
                f" LEFT JOIN ptp_rationales r ON r.id = ptp.rationale_id"
                f" WHERE column1 IN ({marks}) AND column2 IN ({marks}) AND setting=?", (*common, *common, setting)):
                if row[0] != row[1]:
                    cache[(row[0], row[1])].append(row)

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
            notes: dict[str, list[tuple[int, str, str, str]]] = {}
            for i in range(0, len(owners), 500):
                part = owners[i:i + 500]
                for code, seq, kind, text, refs in self.kb.conn.execute(
                    "SELECT code, seq, kind, text, refs FROM notes WHERE system=? AND source_id=?"
                    f" AND code IN ({','.join('?' * len(part))})", (ICD10CM, sid, *part)):
                    notes.setdefault(code, []).append((seq, kind, text, refs))
            src = self.kb.source(sid)
            for code, os_ in owners_of.items():
                by_kind: dict[str, list[tuple[str, str, list[str], Source]]] = {}
                for owner in os_:
                    for _seq, kind, text, refs in sorted(notes.get(owner, [])):
                        by_kind.setdefault(kind, []).append((owner, text, json.loads(refs), src))
                self._memo[("notes-by-kind", code, sid)] = by_kind

    def _cached(self, key: tuple[Any, ...], compute: Any) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @staticmethod
    def procedure_system(code: str) -> str | None:
        return CPT if CPT_SHAPE.match(code) else HCPCS if HCPCS_SHAPE.match(code) else None

    def state(self, system: str, code: str, dos: str) -> CodeState:
        key = (system, code, dos)
        if key in self._state:
            return self._state[key]
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
            ref_key = ("ref", system, dos)
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
        if state.row is None:
            return []
        key = ("notes-by-kind", state.code, state.row.source.id)
        by_kind = self._memo.get(key)
        if by_kind is None:
            by_kind = {}
            for owner, text, refs, src, k in self._all_notes(state):
                by_kind.setdefault(k, []).append((owner, text, refs, src))
            self._memo[key] = by_kind
        return by_kind.get(kind, [])

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

    def fee(self, code: str, dos: str) -> tuple[dict[str, Any], Source] | None:
        key = ("fee", code, dos)
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

        Edits are cached per code pair, so only pairs not seen before in this run cost a query
        (one indexed query for all of a claim's new pairs)."""
        if len(codes) < 2:
            return []
        cache: dict[tuple[str, str], list[tuple[Any, ...]]] = self._memo.setdefault(("ptp-pairs", setting), {})
        pairs = [(a, b) for a in codes for b in codes if a != b]
        missing = [p for p in pairs if p not in cache]
        missing_set = set(missing)
        if missing:
            for p in missing:
                cache[p] = []
            # Plain IN lists use the (column1, column2) index; a row-value IN (VALUES ...) would scan.
            firsts = sorted({a for a, _ in missing})
            seconds = sorted({b for _, b in missing})
            for row in self.kb.conn.execute(
                f"SELECT column1, column2, effective, deletion, modifier_indicator, r.text, source_id FROM ptp"
                f" LEFT JOIN ptp_rationales r ON r.id = ptp.rationale_id"
                f" WHERE column1 IN ({','.join('?' * len(firsts))}) AND column2 IN ({','.join('?' * len(seconds))})"
                f" AND setting=?",
                (*firsts, *seconds, setting),
            ):
                if (row[0], row[1]) in cache and (row[0], row[1]) in missing_set:
                    cache[(row[0], row[1])].append(row)
        out = []
        for p in pairs:
            for c1, c2, eff, deletion, mod, rationale, sid in cache[p]:
                if (eff and eff > dos) or (deletion and deletion < dos):
                    continue
                out.append({"column1": c1, "column2": c2, "modifier_indicator": mod, "rationale": rationale,
                            "source": self.kb.source(sid)})
        return out

    def pack_relations(self, code: str) -> list[tuple[str, dict[str, Any]]]:
        return self._cached(("pack", code), lambda: self._pack_relations(code))

    def _pack_relations(self, code: str) -> list[tuple[str, dict[str, Any]]]:
        out = []
        for pack_id, entry in self.kb.pack_entries(code):
            for rel in entry.get("related", []):
                out.append((pack_id, rel))
        return out


def same_code(a: str, b: str) -> bool:
    return a.replace(".", "") == b.replace(".", "")


def starts(code: str, ref: str) -> bool:
    """Does an Excludes/code-first reference (a code or a family like G57.7) cover ``code``?"""
    return code.replace(".", "").startswith(ref.replace(".", "").rstrip("-"))


__all__ = ["Context", "Finding", "CodeState", "cite", "code_variants", "same_code", "starts", "HOSPITAL_POS"]
