"""Codes a content pack marks as included in another (imaging guidance inside 0440T-0442T)."""

from __future__ import annotations

from collections import defaultdict

from medcode.edits.claim import Claim
from medcode.edits.context import Context, Finding


def check(ctx: Context, claim: Claim) -> list[Finding]:
    if not any(ctx.pack_relations(line.code) for line in claim.lines):
        return []  # the usual case: no code on the claim is in a content pack
    out: list[Finding] = []
    by_date: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for line in claim.lines:
        by_date[line.date_of_service][line.code].append(line.number)
    for dos, codes in by_date.items():
        for code in codes:
            for pack_id, rel in ctx.pack_relations(code):
                other = rel.get("code")
                if rel.get("relation") == "includes" and other in codes and other != code:
                    out.append(Finding("pack-included", "error",
                                       f"{other} is included in {code} on {dos} and is not reported separately"
                                       + (f": {rel['note']}" if rel.get("note") else ""),
                                       tuple(sorted(codes[code] + codes[other])), (code, other),
                                       f"medcode content pack {pack_id} (cites {', '.join(rel.get('cite', []))})"))
    return out
