"""Claim checks: each rule family is one module with ``check(ctx, claim) -> list[Finding]``.

``RULES`` is the registry (a plain dict, so what exists can be grepped); ``check`` runs them all,
plus the rules that look across several claims of one patient. Rules report findings and never
change a claim.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from medcode.edits import bundles, fee, globals_, icd, ncci, validity
from medcode.edits.claim import Claim, ClaimError, from_dict, load
from medcode.edits.context import Context, Finding
from medcode.kb.store import KB

RULES: dict[str, Callable[[Context, Claim], list[Finding]]] = {
    "validity": validity.check,
    "icd": icd.check,
    "fee-schedule": fee.check,
    "ncci": ncci.check,
    "pack-bundles": bundles.check,
}
CROSS_CLAIM_RULES: dict[str, Callable[[Context, list[Claim]], list[Finding]]] = {
    "global-period": globals_.check_all,
}


_ORDER = {"error": 0, "warning": 1, "info": 2}


def check(kb: KB, claims: list[Claim]) -> list[dict[str, object]]:
    """Findings for ``claims`` (each with its claim id), errors first."""
    # A run allocates a few small objects per finding and frees almost none until it ends, so the
    # cyclic garbage collector would repeatedly re-scan every claim, cache entry and finding (over
    # a third of the run's time on large batches). Pause it for the run.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _check(kb, claims)
    finally:
        if was_enabled:
            gc.enable()


def _check(kb: KB, claims: list[Claim]) -> list[dict[str, object]]:
    ctx = Context(kb)
    ctx.prefetch(claims)
    keyed: list[tuple[int, int, tuple[int, ...], dict[str, object]]] = []
    # Rule by rule rather than claim by claim: a quarter faster, as one rule's code and cache
    # entries stay hot. The stable sort below puts findings back in claim order, and within a
    # claim they keep the order of RULES either way.
    for rule in RULES.values():
        for index, claim in enumerate(claims):
            for f in rule(ctx, claim):
                d = f.as_dict()
                d["claim"] = claim.id
                keyed.append((_ORDER[f.severity], index, f.lines, d))
    for cross in CROSS_CLAIM_RULES.values():
        keyed += [(_ORDER[f.severity], len(claims), f.lines, f.as_dict()) for f in cross(ctx, claims)]
    keyed.sort(key=lambda k: k[:3])
    return [k[3] for k in keyed]


__all__ = ["Claim", "ClaimError", "Finding", "RULES", "check", "from_dict", "load"]
