"""ICD-10-CM conventions across the diagnoses of one claim: Excludes1 pairs, "code first" and
"use additional code" requirements, and laterality against the procedure's RT/LT."""

from __future__ import annotations

from functools import lru_cache

from medcode.edits.claim import Claim
from medcode.edits.context import CodeState, Context, Finding, cite
from medcode.kb.store import Source


def check(ctx: Context, claim: Claim) -> list[Finding]:
    out: list[Finding] = []
    states = [ctx.dx(d, claim.date_of_service) for d in claim.diagnoses]
    valid = [s for s in states if s.status in ("valid", "before_loaded_releases")]
    codes = [s.code for s in valid]
    plain = {c: c.replace(".", "") for c in codes}
    seen: set[frozenset[str]] = set()
    for st in valid:
        notes = _notes(ctx, st)
        if not notes:  # most codes: no such notes on the code or its ancestors
            continue
        for owner, text, refs, src, prefixes in notes.get("excludes1", ()):
            for other in codes:
                if other != st.code and plain[other].startswith(prefixes):
                    pair = frozenset((st.code, other))
                    if pair in seen:
                        continue
                    seen.add(pair)
                    out.append(Finding("icd-excludes1", "error",
                                       f"{st.code} and {other} are not coded together: Excludes1 at {owner} ({text})",
                                       (), (st.code, other), cite(src)))
        for kind, rule, word in (("code_first", "icd-code-first", "code first"),
                                 ("use_additional", "icd-use-additional", "use additional code")):
            for owner, text, refs, src, prefixes in notes.get(kind, ()):
                if not refs:
                    continue
                if not any(plain[c].startswith(prefixes) for c in codes if c != st.code):
                    sev = "warning" if kind == "code_first" else "info"
                    out.append(Finding(rule, sev, f"{st.code}: '{word}' note at {owner} asks for one of "
                                       f"{', '.join(refs[:6])} ({text}); none is on the claim", (), (st.code,), cite(src)))
    out += _laterality(ctx, claim, states)
    return out


_KINDS = ("excludes1", "code_first", "use_additional")


def _notes(ctx: Context, st: CodeState) -> dict[str, list[tuple[str, str, list[str], Source, tuple[str, ...]]]]:
    """The code's notes of the kinds checked here, each with its references as the plain code
    prefixes ``starts`` matches (so ``plain_code.startswith(prefixes)`` tests them all at once);
    derived once per code."""
    def compute() -> dict[str, list[tuple[str, str, list[str], Source, tuple[str, ...]]]]:
        by_kind = ctx.notes_by_kind(st)
        return {kind: [(owner, text, refs, src, tuple(r.replace(".", "").rstrip("-") for r in refs))
                       for owner, text, refs, src in by_kind[kind]]
                for kind in _KINDS if by_kind.get(kind)}
    return ctx.memo(("icd-notes", st.code, st.row.source.id if st.row else None), compute)


@lru_cache(maxsize=8192)  # titles repeat: lower-casing each once
def _side(title: str | None) -> str | None:
    t = (title or "").lower()
    if "bilateral" in t:
        return "bilateral"
    if "right" in t and "left" not in t:
        return "RT"
    if "left" in t and "right" not in t:
        return "LT"
    return None


def _laterality(ctx: Context, claim: Claim, states: list) -> list[Finding]:
    out = []
    for line in claim.lines:
        sides = {m for m in line.modifiers if m in ("RT", "LT")}
        if len(sides) != 1:
            continue
        side = next(iter(sides))
        pointed = [states[p - 1] for p in line.dx_pointers] if line.dx_pointers else states
        for st in pointed:
            if st.status not in ("valid", "before_loaded_releases"):
                continue
            dx_side = _side(st.row.title if st.row else None)
            if dx_side in ("RT", "LT") and dx_side != side:
                out.append(Finding("laterality-conflict", "error",
                                   f"line {line.number}: {line.code}-{side} but diagnosis {st.code} is on the other side "
                                   f"({st.row.title})", (line.number,), (line.code, st.code), cite(st.row.source)))
    return out
