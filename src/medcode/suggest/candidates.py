"""Claim lines from word matches (:mod:`medcode.suggest.descriptors`), for the codes the
hand-written recognisers of ``procedures.toml`` do not cover.

Each line carries the note's words and what they matched (pack term or descriptor, with its
source), a confidence below the recognisers', units 1 within the practitioner MUE, RT/LT only when
the sentence states the side and the fee schedule's bilateral indicator is one where a side is
reported (1 or 3), and an open question asking the coder to confirm the code. Codes a recogniser
already handled, or whose words a recogniser used, are left to that recogniser.
"""

from __future__ import annotations

import re
from typing import Any

from medcode.kb.store import KB
from medcode.suggest.descriptors import Match
from medcode.suggest.sentences import settings

_SIDE = re.compile(r"\b(right|left|bilateral|both (?:sides|legs|arms|knees|hips|shoulders|feet|hands))\b", re.I)
_DOSE = re.compile(r"\bper\s+[\d.]+\s*(?:mg|mcg|ml|units?|gm?)\b", re.I)
_AMOUNT = re.compile(r"\b\d+(?:\.\d+)?\s*(?:mg|mcg|ml|units?|gm?)\b", re.I)
# Bilateral indicators under which a procedure is done on one side of a paired body part, so the
# side goes on the line as RT/LT (0: the adjustment does not apply and says nothing about sides;
# 2: the code is bilateral already; 9: sides do not apply).
_SIDED = {"1", "3"}


def word_lines(kb: KB, note: str, matches: list[Match], diagnoses: list[dict[str, Any]],
               owned_codes: set[str], owned_spans: list[tuple[int, int]]) -> tuple[list[dict[str, Any]], list[str]]:
    """(lines, questions) for the matches, one line per code, in the order the note documents them."""
    by_code: dict[str, list[Match]] = {}
    for m in matches:
        if m.code in owned_codes or all(any(a < e and s < b for s, e in owned_spans) for a, b in m.spans):
            continue  # a recogniser's code, or words a recogniser already explained
        by_code.setdefault(m.code, []).append(m)
    lines: list[dict[str, Any]] = []
    questions: list[str] = []
    for code, found in sorted(by_code.items(), key=lambda kv: min(m.spans[0][0] for m in kv[1])):
        fee = _fee(kb, code)
        if _skipped(code, fee):
            continue
        line, asks = _line(kb, note, code, found, fee, diagnoses)
        lines.append(line)
        questions += asks
    return lines, questions


def _skipped(code: str, fee: dict[str, Any] | None) -> str | None:
    conf = settings()["skip"]
    for low, high, why in conf["ranges"]:
        if len(code) == len(low) and low <= code <= high:
            return why
    if fee and fee.get("status") in conf["fee_status"]:
        return f"fee-schedule status {fee.get('status')}"
    return None


def _fee(kb: KB, code: str) -> dict[str, Any] | None:
    return next((fields for modifier, fields, _ in kb.fee_schedule(code) if not modifier), None)


def _line(kb: KB, note: str, code: str, found: list[Match], fee: dict[str, Any] | None,
          diagnoses: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    th = settings()["thresholds"]
    spans = sorted({sp for m in found for sp in m.spans})
    spans = [sp for sp in spans if not any(o != sp and o[0] <= sp[0] and sp[1] <= o[1] for o in spans)]
    sentences = {m.sentence for m in found}
    sides = [(s.start + x.start(), s.start + x.end(), x.group(1).lower()) for s in sentences for x in _SIDE.finditer(s.text)]
    side_words = {w for _, _, w in sides}
    asks: list[str] = []
    confidence = max(th["confidence_pack_term"] if m.kind == "pack-term" else th["confidence_descriptor"] * m.coverage
                     for m in found)
    said = "; ".join(dict.fromkeys(f"{m.kind} \"{m.matched}\"" for m in found))
    asks.append(f"{code}: proposed from the words of the note only ({said}); confirm the code against the record "
                "before billing")
    near = [c for m in found for c in m.near if c != code]
    if near:
        asks.append(f"{code}: the same words also fit {', '.join(dict.fromkeys(near))}; pick the code the record supports")
    bilateral = str(fee.get("bilateral")) if fee else None
    modifiers: list[str] = []
    both = "bilateral" in side_words or any(w.startswith("both") for w in side_words) or {"right", "left"} <= side_words
    if sides and bilateral is None:
        asks.append(f"{code}: the note states a side, but no fee-schedule row is loaded for {code}, so whether RT/LT "
                    "applies cannot be checked; none proposed")
    elif both:
        asks.append(f"{code}: both sides are mentioned (bilateral indicator {bilateral}); confirm both were treated and "
                    "how the payer wants them reported; no modifier proposed")
    elif sides and bilateral in _SIDED:
        modifiers = ["RT" if "right" in side_words else "LT"]
    elif sides:
        asks.append(f"{code}: the note states the {sides[0][2]} side, but bilateral indicator {bilateral} does not call "
                    "for RT/LT on this code; none proposed")
    mue = next((units for setting, units, *_ in kb.mue(code) if setting == "practitioner"), None)
    if mue == 0:
        asks.append(f"{code}: the practitioner MUE is 0 units, so Medicare does not expect this code from a practitioner")
    dose = next((m.matched for m in found if _DOSE.search(m.matched)), None)
    amounts: list[tuple[int, int]] = []
    if dose:
        asks.append(f"{code}: units count doses (\"{dose}\"); 1 unit proposed, set it from the amount given")
        amounts = [(s.start + x.start(), s.start + x.end()) for s in sentences for x in _AMOUNT.finditer(s.text)]
    side_word = next(iter(side_words), "")
    order = sorted(range(len(diagnoses)), key=lambda i: side_word not in diagnoses[i]["description"].lower())
    evidence = spans + amounts + ([sides[0][:2]] if modifiers else [])
    line = {"code": code, "modifiers": modifiers, "units": 1, "dx_pointers": [i + 1 for i in order][:4],
            "evidence": [{"start": s, "end": e, "text": note[s:e]} for s, e in sorted(set(evidence))],
            "reason": f"words of the note match {said}", "confidence": round(confidence, 2),
            "matches": [m.as_dict() for m in found]}
    if mue is not None:
        line["mue"] = mue
    return line, asks
