"""Look-ups the claim rules share, over one knowledge base, with the release each answer came from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from medcode.kb.store import KB, CodeRow, Source, code_variants
from medcode.model import CPT, HCPCS, ICD10CM

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
        found, rows = self._cached(("rows", system, code), lambda: self._rows(system, code))
        if not found:
            result = CodeState("unknown", code)
        else:
            canonical = found
            current = next((r for r in rows if r.source.effective <= dos), None)
            ref = self._cached(("ref", system, dos), lambda: self.kb.reference_source(system, dos))
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
        return self._cached(("anc", state.code), lambda: self._ancestors(state))

    def _ancestors(self, state: CodeState) -> list[str]:
        out, parent = [], state.row.parent if state.row else None
        while parent and len(out) < 8:
            out.append(parent)
            rows = self.kb.rows(ICD10CM, parent)
            parent = rows[0].parent if rows else None
        return out

    def notes(self, state: CodeState, kind: str) -> list[tuple[str, str, list[str], Source]]:
        """(owner code, text, refs, source) of ``kind`` notes on the code and its ancestors."""
        if state.row is None:
            return []
        return [(owner, text, refs, src) for owner, text, refs, src, k in self._all_notes(state) if k == kind]

    def _all_notes(self, state: CodeState) -> list[tuple[str, str, list[str], Source, str]]:
        def compute() -> list[tuple[str, str, list[str], Source, str]]:
            assert state.row is not None
            out = []
            for owner in [state.code, *self.ancestors(state)]:
                for k, text, refs in self.kb.notes(ICD10CM, owner, state.row.source.id):
                    out.append((owner, text, refs, state.row.source, k))
            return out

        return self._cached(("notes", state.code, state.row.source.id if state.row else 0), compute)

    def fee(self, code: str, dos: str) -> tuple[dict[str, Any], Source] | None:
        return self._cached(("fee", code, dos), lambda: self._fee(code, dos))

    def _fee(self, code: str, dos: str) -> tuple[dict[str, Any], Source] | None:
        rows = self._cached(("fee-rows", code), lambda: self.kb.fee_schedule(code))
        for modifier, fields, src in rows:
            if modifier == "" and src.effective <= dos:
                return fields, src
        return (rows[-1][1], rows[-1][2]) if rows and rows[-1][0] == "" else None

    def mue(self, code: str, setting: str) -> tuple[int, int | None, str | None, Source] | None:
        return self._cached(("mue", code, setting), lambda: self._mue(code, setting))

    def _mue(self, code: str, setting: str) -> tuple[int, int | None, str | None, Source] | None:
        for s, units, mai, rationale, src in self.kb.mue(code):
            if s == setting:
                return units, mai, rationale, src
        return None

    def ptp(self, codes: set[str], setting: str, dos: str) -> list[dict[str, Any]]:
        """Active edits on ``dos`` where both columns are among ``codes`` (one indexed query per claim)."""
        if len(codes) < 2:
            return []
        key = ("ptp", frozenset(codes), setting)
        if key not in self._memo:
            marks = ",".join("?" * len(codes))
            self._memo[key] = self.kb.conn.execute(
                f"SELECT column1, column2, effective, deletion, modifier_indicator, r.text, source_id FROM ptp"
                f" LEFT JOIN ptp_rationales r ON r.id = ptp.rationale_id"
                f" WHERE column1 IN ({marks}) AND column2 IN ({marks}) AND setting=?",
                (*codes, *codes, setting),
            ).fetchall()
        out = []
        for c1, c2, eff, deletion, mod, rationale, sid in self._memo[key]:
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
