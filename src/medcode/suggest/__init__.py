"""Case2Code: from a case note, propose claim lines and check them.

The note is first masked with RedactPHI (same-length masking, so offsets still point into the
note and no identifier is shown); diagnoses come from ``detect``; procedures first from the
recognisers in ``procedures.toml`` (site, side, count and imaging rules per family), then, for
everything else the note documents, from its procedure sentences matched against content-pack
terms and code descriptors (:mod:`.sentences`, :mod:`.descriptors`, :mod:`.candidates`); the
proposal then goes through the claim checks. Every proposed line cites the words of the note that
support it and says how sure it is (``confidence``), and where the note is ambiguous the open
question is listed instead of a guess.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from medcode.edits import check, from_dict
from medcode.kb.store import KB
from medcode.suggest.candidates import word_lines
from medcode.suggest.descriptors import descriptors, pack_terms
from medcode.suggest.sentences import procedure_sentences, settings

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "single": 1, "both": 2}
_COUNT = re.compile(r"\b(\d+|one|two|three|four|five|six|single)\s+(?:peripheral\s+|sensory\s+|separate\s+)?(?:nerves?|branches)\b", re.I)
_SIDE = re.compile(r"\b(right|left|bilateral|both (?:sides|legs|arms|knees))\b", re.I)
_DOS = re.compile(r"\b(?:date of service|dos|procedure date|date)\s*:\s*(\d{4}-\d{2}-\d{2})", re.I)
_POS = re.compile(r"\bplace of service\s*:[^\n]*?\((\d{2})\)|\bPOS\s*:?\s*(\d{2})\b", re.I)


@lru_cache(maxsize=1)
def recognisers() -> list[dict[str, Any]]:
    data = tomllib.loads(resources.files("medcode.suggest").joinpath("procedures.toml").read_text("utf-8"))
    for p in data["procedure"]:
        if not {"id", "triggers", "site"} <= set(p):
            raise ValueError(f"procedures.toml: recogniser {p.get('id')!r} needs id, triggers and site")
    return data["procedure"]


def _find(text: str, words: list[str]) -> list[tuple[int, int, str]]:
    out = []
    for w in words:
        for m in re.finditer(r"\b" + re.escape(w), text, re.I):
            out.append((m.start(), m.end(), text[m.start():m.end()]))
    return sorted(out)


def _inside(spans: list[tuple[int, int, str]], sentences) -> list[tuple[int, int, str]]:
    return [sp for sp in spans if any(x.start <= sp[0] and sp[1] <= x.end for x in sentences)]


def _ev(spans: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    return [{"start": s, "end": e, "text": t} for s, e, t in spans]


def suggest(kb: KB, note: str, *, detector: Any = None) -> dict[str, Any]:
    """Proposed claim for ``note``: diagnoses, lines with evidence, open questions, and the checks."""
    from medcode.detect import Detector
    from medcode.phi import redact

    masked = redact(note, mode="mask").text  # same length: offsets below point into the note
    det = detector or Detector(kb)
    entities = [e for e in det.detect(masked) if e.asserted and not e.has("HISTORY") and e.concepts]
    diagnoses: list[dict[str, Any]] = []
    # a bare re-mention ("pain") that only refers back to a fuller one is never a diagnosis's evidence
    for e in sorted(entities, key=lambda e: e.concepts[0].evidence.startswith("refers back")):
        # the first concept, and any the detector says is reported with it (the other side, or the
        # condition's own code after its pregnancy code)
        for top in [e.concepts[0], *(c for c in e.concepts[1:] if c.additional)]:
            if top.code not in [d["code"] for d in diagnoses]:
                diagnoses.append({"code": top.code, "description": top.description, "evidence":
                                  [{"start": e.begin, "end": e.end, "text": masked[e.begin:e.end]}], "why": top.evidence})
    # ICD-10-CM guideline I.B.5: signs and symptoms routine to a confirmed diagnosis are not coded
    # separately; symptom codes (chapter 18, R00-R99) are kept only when nothing else is found.
    if any(not d["code"].startswith("R") for d in diagnoses):
        diagnoses = [d for d in diagnoses if not d["code"].startswith("R")]
    # Status codes (Z79 long-term drug use, Z95 implants ...) are reported after the conditions and are
    # no reason for a procedure: they are listed last and pointed to only when nothing else is found.
    diagnoses.sort(key=lambda d: d["code"].startswith("Z"))
    lines: list[dict[str, Any]] = []
    questions: list[str] = []
    owned_codes: set[str] = set()  # codes and words a recogniser used are not matched again by words
    owned_spans: list[tuple[int, int]] = []
    sentences = procedure_sentences(masked)
    for rec in recognisers():
        # Only a procedure documented as done counts: "consider cryoneurolysis" in the plan, or a
        # history of one, proposes nothing.
        triggers = _inside(_find(masked, rec["triggers"]), sentences)
        if not triggers:
            planned = _find(masked, rec["triggers"])
            if planned:
                questions.append(f"{rec['id']}: the note mentions {planned[0][2]!r} but not as a procedure done "
                                 "in this encounter; nothing proposed")
            continue
        owned_codes.update([s["code"] for s in rec["site"]] + rec.get("included", []) + rec.get("alternatives", []))
        owned_spans += [(s, e) for s, e, _ in triggers + _find(masked, rec.get("imaging_words", []))]
        sites = [(site["code"], _find(masked, site["words"])) for site in rec["site"]]
        sites = [(code, spans) for code, spans in sites if spans]
        if not sites:
            questions.append(f"{rec['id']}: the note does not say which nerve or limb was treated, so the code cannot be chosen")
            continue
        if len(sites) > 1:
            sites.sort(key=lambda s: -len(s[1]))
            questions.append(f"{rec['id']}: the note names sites for {', '.join(c for c, _ in sites)}; "
                             f"confirm which nerves were treated (proposed {sites[0][0]} from the most mentions)")
        code, site_spans = sites[0]
        sides = {m.group(1).lower() for m in _SIDE.finditer(masked)}
        side_spans = [(m.start(), m.end(), m.group(0)) for m in _SIDE.finditer(masked)]
        count = _COUNT.search(masked)
        units = (_NUMBER_WORDS.get(count.group(1).lower()) or int(count.group(1))) if count else 1
        if not count:
            questions.append(f"{code}: the note does not state how many nerves were treated; 1 unit proposed")
        # point first at the diagnoses that name the treated side
        side_word = next(iter(sides), "")
        order = sorted(range(len(diagnoses)), key=lambda i: side_word not in diagnoses[i]["description"].lower())
        conditions = [i for i in order if not diagnoses[i]["code"].startswith("Z")]
        pointers = [i + 1 for i in (conditions or order)]
        evidence = triggers[:2] + site_spans[:3] + ([(count.start(), count.end(), count.group(0))] if count else [])
        mods: list[list[str]]
        if "bilateral" in sides or any(s.startswith("both") for s in sides) or {"right", "left"} <= sides:
            mods = [["RT"], ["LT"]]
            questions.append(f"{code}: both sides are mentioned; confirm both were treated (proposed one line per side, "
                             "never modifier 50, whose bilateral indicator is 0)")
        elif sides:
            mods = [["RT" if "right" in sides else "LT"]]
            evidence += side_spans[:1]
        else:
            mods = [[]]
            questions.append(f"{code}: no side is stated; add RT or LT once the record says which")
        for m in mods:
            lines.append({"code": code, "modifiers": m, "units": units, "dx_pointers": pointers[:4],
                          "evidence": _ev(sorted(set(evidence))), "reason": f"{rec['id']}: site words name {code}",
                          "confidence": settings()["thresholds"]["confidence_family"]})
        imaging = _find(masked, rec.get("imaging_words", []))
        if imaging:
            questions.append(f"{code}: imaging guidance is documented ({imaging[0][2]}) and is part of {code}: "
                             f"do not report {'/'.join(rec.get('included', []))} separately")
        for alt in rec.get("alternatives", []):
            for pack_id in kb.pack_ids():
                for c in kb.pack(pack_id).get("conflicts", []):
                    if alt in c.get("codes", []) and code in c.get("codes", []):
                        questions.append(f"{code} or {alt}: authorities differ ({c.get('topic')}); "
                                         f"see `medcode show {alt}` for the positions side by side")
    matches = pack_terms(kb, masked, sentences) + descriptors(kb, masked, sentences)
    more, asks = word_lines(kb, masked, matches, diagnoses, owned_codes, owned_spans)
    lines += more
    questions += asks
    dos = _DOS.search(note)
    pos = _POS.search(note)
    claim = {"date_of_service": dos.group(1) if dos else None, "place_of_service": (pos.group(1) or pos.group(2)) if pos else None,
             "diagnoses": [d["code"] for d in diagnoses], "lines": [
                 {k: ln[k] for k in ("code", "modifiers", "units", "dx_pointers")} for ln in lines]}
    findings: list[dict[str, Any]] = []
    if not dos:
        questions.append("the note has no date of service: the checks used no date rules")
    if lines and claim["date_of_service"]:
        findings = check(kb, [from_dict(claim | {"patient": {}}, "proposal")])
    return {"claim": claim, "diagnoses": diagnoses, "lines": lines, "questions": list(dict.fromkeys(questions)),
            "findings": findings, "phi_masked": True}
