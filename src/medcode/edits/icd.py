"""ICD-10-CM conventions across the diagnoses of one claim: Excludes1 pairs, "code first" and
"use additional code" requirements, and laterality against the procedure's RT/LT."""

from __future__ import annotations

from medcode.edits.claim import Claim
from medcode.edits.context import Context, Finding, cite, starts


def check(ctx: Context, claim: Claim) -> list[Finding]:
    out: list[Finding] = []
    states = [ctx.dx(d, claim.date_of_service) for d in claim.diagnoses]
    valid = [s for s in states if s.status in ("valid", "before_loaded_releases")]
    codes = [s.code for s in valid]
    seen: set[frozenset[str]] = set()
    for st in valid:
        for owner, text, refs, src in ctx.notes(st, "excludes1"):
            for other in codes:
                if other != st.code and any(starts(other, r) for r in refs):
                    pair = frozenset((st.code, other))
                    if pair in seen:
                        continue
                    seen.add(pair)
                    out.append(Finding("icd-excludes1", "error",
                                       f"{st.code} and {other} are not coded together: Excludes1 at {owner} ({text})",
                                       (), (st.code, other), cite(src)))
        for kind, rule, word in (("code_first", "icd-code-first", "code first"),
                                 ("use_additional", "icd-use-additional", "use additional code")):
            for owner, text, refs, src in ctx.notes(st, kind):
                if not refs:
                    continue
                others = [c for c in codes if c != st.code]
                if not any(starts(c, r) for c in others for r in refs):
                    sev = "warning" if kind == "code_first" else "info"
                    out.append(Finding(rule, sev, f"{st.code}: '{word}' note at {owner} asks for one of "
                                       f"{', '.join(refs[:6])} ({text}); none is on the claim", (), (st.code,), cite(src)))
    out += _laterality(ctx, claim, states)
    return out


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
