"""Global surgery periods across the claims of one patient: visits inside another procedure's global days."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from medcode.edits.claim import Claim
from medcode.edits.context import Context, Finding, cite

GLOBAL_DAYS = {"000": 0, "010": 10, "090": 90}
OUT_OF_GLOBAL_MODIFIERS = {"24", "25", "57", "79"}


def _is_visit(code: str) -> bool:
    return code == "99024" or (code.isdigit() and 99202 <= int(code) <= 99499)


def check_all(ctx: Context, claims: list[Claim]) -> list[Finding]:
    out: list[Finding] = []
    by_patient: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.patient_id:
            by_patient[c.patient_id].append(c)
    for patient, group in by_patient.items():
        procedures = []
        for c in group:
            for line in c.lines:
                found = ctx.fee(line.code, line.date_of_service)
                if found and found[0].get("global_days") in ("010", "090"):
                    days = GLOBAL_DAYS[found[0]["global_days"]]
                    procedures.append((date.fromisoformat(line.date_of_service), days, line, found[1], c))
        for c in group:
            for line in c.lines:
                if not _is_visit(line.code):
                    continue
                d = date.fromisoformat(line.date_of_service)
                for start, days, proc, src, pc in procedures:
                    if not (start < d <= start + timedelta(days=days)):
                        continue
                    if line.code == "99024":
                        sev, msg = "info", "is the post-operative visit inside the global period: included, reported for tracking only"
                    elif OUT_OF_GLOBAL_MODIFIERS & set(line.modifiers):
                        sev, msg = "info", "is inside the global period with a modifier that claims it unrelated; the record must support it"
                    else:
                        sev, msg = "warning", "is inside the global period and is included unless unrelated (modifier 24, 25, 57 or 79)"
                    out.append(Finding("global-period", sev,
                                       f"claim {c.id} line {line.number}: {line.code} on {d} {msg}: {proc.code} on {start} "
                                       f"(claim {pc.id}) has a {days}-day global period", (line.number,), (proc.code, line.code), cite(src)))
    return out
