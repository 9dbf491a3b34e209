"""Fee-schedule indicators against the modifiers on each line, and payment status codes."""

from __future__ import annotations

from functools import lru_cache

from medcode.edits.claim import Claim
from medcode.edits.context import Context, Finding, cite
from medcode.profile.page import FEE_FIELDS, modifier_rules

SEVERITY = {"not_permitted": "error", "documentation_required": "warning", "caution": "warning",
            "not_applicable": "warning"}
# Status codes that need a finding, with severity and what it means for the line.
STATUS = {
    "B": ("warning", "bundled: never paid separately"),
    "E": ("info", "excluded from the physician fee schedule by regulation; when covered it is paid under another fee schedule"),
    "I": ("error", "not valid for Medicare: another code is used"),
    "N": ("warning", "not covered by Medicare"),
    "P": ("warning", "bundled or excluded: no separate payment"),
    "R": ("warning", "restricted coverage: paid only in special circumstances"),
    "X": ("info", "statutory exclusion: not a physician fee-schedule service; another benefit may pay it"),
}


@lru_cache(maxsize=1)
def _governed() -> frozenset[str]:
    """Every modifier some fee-schedule indicator rule speaks about."""
    return frozenset(m for rule in modifier_rules().values() for m in rule["modifiers"])


def check(ctx: Context, claim: Claim) -> list[Finding]:
    out: list[Finding] = []
    rules = modifier_rules()
    governed = _governed()
    for line in claim.lines:
        found = ctx.fee(line.code, line.date_of_service)
        if found is None:
            continue
        fields, src = found
        status = fields.get("status")
        if status in STATUS:
            sev, meaning = STATUS[status]
            out.append(Finding("mpfs-status", sev, f"line {line.number}: {line.code} has fee-schedule status {status} ({meaning})",
                               (line.number,), (line.code,), cite(src)))
        if governed.isdisjoint(line.modifiers):
            continue  # no rule below would speak about this line's modifiers
        for page_field, rule in rules.items():
            value = fields.get(FEE_FIELDS[page_field])
            verdict = rule["verdicts"].get(str(value)) if value is not None else None
            for mod in line.modifiers:
                if mod not in rule["modifiers"] or verdict in (None, "permitted"):
                    continue
                words = {"not_permitted": "is not permitted", "documentation_required": "needs supporting documentation",
                         "caution": "changes payment (see the indicator)", "not_applicable": "does not apply"}[verdict]
                out.append(Finding(f"mpfs-{page_field.replace('_', '-')}", SEVERITY[verdict],
                                   f"line {line.number}: modifier {mod} {words} with {line.code}: "
                                   f"{page_field.replace('_', ' ')} indicator {value}", (line.number,), (line.code, mod), cite(src)))
    return out
