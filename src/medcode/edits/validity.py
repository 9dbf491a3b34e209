"""Codes valid on the date of service: unknown, deleted, not yet effective, ICD-10-CM headers and
codes missing their 7th character."""

from __future__ import annotations

from medcode.edits.claim import Claim
from medcode.edits.context import Context, Finding, cite
from medcode.model import ICD10CM, MODIFIER


def check(ctx: Context, claim: Claim) -> list[Finding]:
    out: list[Finding] = []
    for i, dx in enumerate(claim.diagnoses, 1):
        out += _code(ctx, ICD10CM, dx, claim.date_of_service, (), f"diagnosis {i}")
    for line in claim.lines:
        system = ctx.procedure_system(line.code)
        if system is None:
            out.append(Finding("code-unknown", "error", f"line {line.number}: {line.code} is not a CPT or HCPCS code",
                               (line.number,), (line.code,)))
            continue
        out += _code(ctx, system, line.code, line.date_of_service, (line.number,), f"line {line.number}")
        for mod in line.modifiers:
            if ctx.state(MODIFIER, mod, line.date_of_service).status == "unknown":
                out.append(Finding("modifier-unknown", "error", f"line {line.number}: modifier {mod} is not in any loaded modifier list",
                                   (line.number,), (line.code, mod)))
    return out


def _code(ctx: Context, system: str, code: str, dos: str, lines: tuple[int, ...], where: str) -> list[Finding]:
    st = ctx.state(system, code, dos)
    if st.status == "unknown":
        return [Finding("code-unknown", "error", f"{where}: {code} is not a {system} code in any loaded release", lines, (code,))]
    if st.status == "deleted":
        return [Finding("code-deleted", "error", f"{where}: {st.code} was deleted: last in {st.row.source.release}, "
                        f"not in {st.source.release} (in force on {dos})", lines, (st.code,), cite(st.source))]
    if st.status == "not_yet_effective":
        return [Finding("code-not-yet-effective", "error", f"{where}: {st.code} first takes effect {st.source.effective} "
                        f"({st.source.release}), after the date of service {dos}", lines, (st.code,), cite(st.source))]
    row = st.row
    note: list[Finding] = []
    if st.status == "before_loaded_releases":
        note = [Finding("data-coverage", "info", f"{where}: no {system} release loaded is in force on {dos}; "
                        f"{st.code} was checked against {st.source.release} (effective {st.source.effective})",
                        lines, (st.code,), cite(st.source))]
    if system == ICD10CM and row is not None and row.billable is False:
        kids = ctx.billable_descendants(st.code, row.source.id)
        needs_7th = kids and all(len(k.replace(".", "")) == 7 for k, _ in kids) and len(st.code.replace(".", "")) < 7
        rule = "dx-missing-7th-character" if needs_7th else "dx-header"
        what = "needs a 7th character" if needs_7th else "is a header, not a billable code"
        listed = ", ".join(k for k, _ in kids[:10]) + (" …" if len(kids) > 10 else "")
        return note + [Finding(rule, "error", f"{where}: {st.code} {what}; billable codes under it: {listed}", lines,
                               (st.code,), cite(row.source))]
    return note
