"""NCCI edits: procedure-to-procedure pairs on one date, and medically unlikely units."""

from __future__ import annotations

from collections import defaultdict

from medcode.edits.claim import Claim
from medcode.edits.context import HOSPITAL_POS, Context, Finding, cite

# Modifiers that may bypass a PTP edit whose modifier indicator is 1 (NCCI policy manual, ch. I).
QUALIFYING = frozenset(
    "59 XE XS XP XU 24 25 27 57 58 78 79 91 RT LT E1 E2 E3 E4 FA F1 F2 F3 F4 F5 F6 F7 F8 F9 TA T1 T2 T3 T4 T5 T6 T7 T8 T9 LC LD LM RC RI".split()
)

ANATOMIC = frozenset("RT LT E1 E2 E3 E4 FA F1 F2 F3 F4 F5 F6 F7 F8 F9 TA T1 T2 T3 T4 T5 T6 T7 T8 T9 LC LD LM RC RI".split())


def setting(claim: Claim) -> str:
    return "outpatient_hospital" if claim.place_of_service in HOSPITAL_POS else "practitioner"


def check(ctx: Context, claim: Claim) -> list[Finding]:
    out: list[Finding] = []
    where = setting(claim)
    by_date: dict[str, list] = defaultdict(list)
    for line in claim.lines:
        by_date[line.date_of_service].append(line)
    for dos, lines in by_date.items():
        by_code: dict[str, list] = defaultdict(list)
        for line in lines:
            by_code[line.code].append(line)
        for edit in ctx.ptp(set(by_code), where, dos):
            c1, c2, mod = edit["column1"], edit["column2"], edit["modifier_indicator"]
            if mod == "9":
                continue
            l1, l2 = by_code[c1], by_code[c2]
            numbers = tuple(sorted({x.number for x in l1 + l2}))
            src = cite(edit["source"])
            why = f" ({edit['rationale']})" if edit["rationale"] else ""
            if mod == "0":
                out.append(Finding("ncci-ptp", "error", f"{c2} is bundled into {c1} on {dos}{why}: modifier indicator 0, "
                                   "no modifier allows both", numbers, (c1, c2), src))
                continue
            # The bypass modifier goes on the column-2 line; an anatomic modifier only counts when the
            # column-1 line is on another site (RT against LT, different fingers ...).
            used = {m for x in l2 for m in x.modifiers} & QUALIFYING
            site1 = {m for x in l1 for m in x.modifiers} & ANATOMIC
            used = {m for m in used if m not in ANATOMIC or m not in site1}
            if used:
                out.append(Finding("ncci-ptp", "info", f"{c2} with {c1} on {dos}{why}: bypassed by modifier "
                                   f"{', '.join(sorted(used))}; the record must support a distinct service", numbers, (c1, c2), src))
            else:
                out.append(Finding("ncci-ptp", "error", f"{c2} is bundled into {c1} on {dos}{why}: modifier indicator 1, "
                                   "and no qualifying modifier (59, XE/XS/XP/XU, anatomic ...) is on the lines", numbers, (c1, c2), src))
        for code, code_lines in by_code.items():
            mue = ctx.mue(code, where)
            if mue is None:
                continue
            limit, mai, rationale, src = mue
            if mai == 1:
                for x in code_lines:
                    if x.units > limit:
                        out.append(Finding("ncci-mue", "error", f"line {x.number}: {x.units} units of {code} exceed the MUE of {limit} "
                                           f"per line (MAI 1, {rationale})", (x.number,), (code,), cite(src)))
            else:
                total = sum(x.units for x in code_lines)
                if total > limit:
                    kind = "policy: not payable above the limit" if mai == 2 else "clinical: appealable with documentation"
                    out.append(Finding("ncci-mue", "error", f"{total} units of {code} on {dos} exceed the MUE of {limit} per day "
                                       f"(MAI {mai}, {kind}; {rationale})", tuple(x.number for x in code_lines), (code,), cite(src)))
    return out
