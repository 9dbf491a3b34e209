"""Combination codes that ICD-10-CM presumes from two conditions documented in one note.

ICD-10-CM links some conditions without the note having to say so: hypertension with chronic kidney
disease is hypertensive chronic kidney disease (I12), type 2 diabetes with chronic kidney disease is
E11.22 (guidelines I.A.15 and I.C.9.a). Entity by entity the detector cannot see this, so after the
whole note is read each rule in ``combinations.toml`` looks for its pair among the asserted entities
and moves the combination code to the top of the condition's concepts, with the companion named in
the evidence. Only asserted entities count: a denied or family-history condition links nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from medcode.detect._data import check_entry, read_tables
from medcode.detect.agreement import NOT_ASSERTED
from medcode.detect.model import Concept, Entity, Trait
from medcode.detect.prefilter import AnyOf
from medcode.errors import ConfigError
from medcode.search.text import content_words

_KEYS = frozenset({"id", "basis", "when", "with", "code", "by_companion", "absorb", "present"})


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    basis: str
    when: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]
    code: str
    by_companion: tuple[tuple[str, str], ...] = ()
    absorb: bool = False
    present: tuple[str, ...] = ()  # with absorb: the companions combine whenever one of these is asserted

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str) -> Rule:
        check_entry(d, _KEYS, ("id", "basis", "code"), where)
        when = d.get("when")
        groups = d.get("with")
        if not isinstance(when, list) or not when or not all(isinstance(w, str) for w in when):
            raise ConfigError(f"{where}: 'when' must be a non-empty list of code prefixes")
        if (not isinstance(groups, list) or not groups
                or not all(isinstance(g, list) and g and all(isinstance(c, str) for c in g) for g in groups)):
            raise ConfigError(f"{where}: 'with' must be a non-empty list of non-empty lists of code prefixes")
        by = d.get("by_companion", {})
        if not isinstance(by, dict) or not all(isinstance(v, str) for v in by.values()):
            raise ConfigError(f"{where}: 'by_companion' must map code prefixes to codes")
        absorb = d.get("absorb", False)
        if not isinstance(absorb, bool):
            raise ConfigError(f"{where}: 'absorb' must be true or false")
        present = d.get("present", [])
        if not isinstance(present, list) or not all(isinstance(c, str) for c in present):
            raise ConfigError(f"{where}: 'present' must be a list of code prefixes")
        return cls(d["id"], d["basis"], tuple(when), tuple(tuple(g) for g in groups), d["code"],
                   tuple(by.items()), absorb, tuple(present))


def load_rules(text: str | None = None) -> list[Rule]:
    data = read_tables("combinations.toml", "combination rules", {"rule"}, text)
    return [Rule.from_dict(d, f"combination rule {n} ({d.get('id')!r})") for n, d in enumerate(data.get("rule", []), 1)]


@lru_cache(maxsize=1)
def default_rules() -> tuple[Rule, ...]:
    return tuple(load_rules())


def combine(entities: list[Entity], rules: tuple[Rule, ...], titles: dict[str, tuple]) -> list[Entity]:
    """``entities`` with presumed combination codes applied; ``titles`` maps code -> (title, ...)."""
    asserted = [k for k, e in enumerate(entities) if e.asserted and e.concepts]
    top = {k: entities[k].concepts[0].code for k in asserted}
    # a companion may be an entity's additional code: "ESRD due to HTN" is I12.0 with N18.6 after it
    held = {k: (top[k], *(c.code for c in entities[k].concepts[1:] if c.additional)) for k in asserted}
    out = list(entities)
    done: set[int] = set()
    for rule in rules:
        if rule.code not in titles:
            continue  # not in this knowledge base's release
        takers = [k for k in asserted if k not in done and top[k].startswith(rule.when)]
        # A diabetes already coded with another complication (E11.42) still links a later peripheral
        # artery disease to E11.51: the companion takes the code, the diabetes keeps its own.
        hosts = takers or [k for k in asserted if rule.absorb and rule.present and top[k].startswith(rule.present)]
        if not hosts:
            continue
        companions: list[list[int]] = []
        for group in rule.groups:
            # a past companion ("transplant in 2018 for ESRD") no longer links: the link is between
            # conditions the patient has now
            found = [k for k in asserted if k not in hosts and k not in done
                     and any(c.startswith(group) for c in held[k])
                     and not any(t.name == "HISTORY" for t in entities[k].traits)]
            if not found:
                break
            companions.append(found)
        else:
            first = [entities[g[0]] for g in companions]
            lead = [next(c for c in held[g[0]] if c.startswith(group)) for g, group in zip(companions, rule.groups)]
            code = next((c for own in lead for prefix, c in rule.by_companion if own.startswith(prefix)), rule.code)
            if rule.absorb and rule.by_companion:
                # the most specific companion decides ("stable angina" over a later bare "angina")
                specific = [entities[k].concepts[0].code for g in companions for k in g]
                code = next((c for own in specific for prefix, c in rule.by_companion if own.startswith(prefix)), code)
            if code not in titles:
                continue
            named = ", ".join(f'"{e.text}" ({own})' for e, own in zip(first, lead))
            why = f"combination with {named} in the same note: {rule.basis}"
            for k in takers:
                out[k] = _promote(out[k], code, titles[code][0], why)
                done.add(k)
            if rule.absorb:
                for k in (k for g in companions for k in g):
                    out[k] = _promote(out[k], code, titles[code][0],
                                      f'part of {code} with "{entities[hosts[0]].text}": {rule.basis}')
                    done.add(k)
    return out


# The stage a kidney disease mention names, for the codes whose tabular notes say "use additional code to
# identify the stage of chronic kidney disease": hypertensive CKD (I12, I13) and diabetic CKD (E08-E13 .22).
_STAGE = re.compile(r"\b(?P<esrd>ESRD|end[- ]stage)\b|\b(?:CKD|stage|chronic kidney disease)[ \t]*(?:stage[ \t]*)?"
                    r"(?P<n>[1-5]|IV|V|I{1,3})[ \t]*(?P<ab>[ab])?\b", re.IGNORECASE)
_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5"}
_STAGED = re.compile(r"I1[23]\.|E(?:0[89]|1[013])\.22")
# a stage counts only with a kidney word beside it ("HTN stage 2" is the hypertension's stage)
_KIDNEY = re.compile(r"\b(?:CKD|ESRD|kidney|renal|nephropathy)", re.IGNORECASE)
# where the clause after the mention ends: the stage is looked for up to there
_CLAUSE_END = re.compile(r"[,;.\n(]")


def _stage_code(text: str) -> str | None:
    m = _STAGE.search(text)
    if m is None or not _KIDNEY.search(text):
        return None
    if m.group("esrd"):
        return "N18.6"
    n = _ROMAN.get(m.group("n").upper(), m.group("n"))
    if n == "3":
        return {"a": "N18.31", "b": "N18.32"}.get((m.group("ab") or "").lower(), "N18.30")
    return f"N18.{n}"


def ckd_stage(entities: list[Entity], text: str, titles: dict[str, tuple]) -> list[Entity]:
    """"ESRD due to HTN", "DM2 w/ CKD 3a" and "Hypertensive CKD stage IV", each read as one mention, take
    the stage they name, in the mention or right after it, as an additional code: I12.0 with N18.6, E11.22
    with N18.31, I12.9 with N18.4."""
    out = []
    for e in entities:
        head = e.concepts[0] if e.concepts else None
        code = None
        if head is not None and _STAGED.match(head.code):
            after = _CLAUSE_END.search(text, e.end, e.end + 16)
            code = _stage_code(text[e.begin:after.start() if after else min(len(text), e.end + 16)])
        if head is not None and code in titles and not any(c.additional for c in e.concepts):
            why = (f"the stage the mention names ({code}): tabular note at {head.code[:3]}, use additional code to "
                   "identify the stage of chronic kidney disease")
            own = next((c for c in e.concepts if c.code == code), None)
            stage = (replace(own, evidence=f"{own.evidence}; {why}", additional=True) if own is not None
                     else Concept(code, titles[code][0], round(head.score - 0.0001, 4), why, additional=True))
            e = replace(e, concepts=(head, stage, *(c for c in e.concepts[1:] if c.code != code))[:5])
        out.append(e)
    return out


_TYPE1 = re.compile(r"\b(?:type\s*(?:1|I|one)\b|T1D|T1DM|DM\s*1|DM1|IDDM|juvenile)", re.IGNORECASE)
_TYPE2 = re.compile(r"\b(?:type\s*(?:2|II|two)\b|T2D|T2DM|DM\s*2|DM2|NIDDM)", re.IGNORECASE)


def diabetes_type(entities: list[Entity], titles: dict[str, tuple]) -> list[Entity]:
    """In a note that states type 1 diabetes and never type 2, "diabetic gastroparesis" is E10.43, not E11.43.

    ICD-10-CM defaults diabetes of unstated type to E11 (guideline I.C.4.a.2); a complication named
    without the type ("diabetic", "hypoglycemia" in a diabetic) takes the type the note states elsewhere.
    """
    diabetic = [e for e in entities if e.asserted and e.concepts and e.concepts[0].code.startswith(("E10", "E11"))]
    if not any(_TYPE1.search(e.text) for e in diabetic) or any(_TYPE2.search(e.text) for e in diabetic):
        return entities
    out = []
    for e in entities:
        head = e.concepts[0] if e.concepts else None
        if head is not None and head.code.startswith("E11") and not _TYPE2.search(e.text):
            code = "E10" + head.code[3:]
            if code in titles:
                e = _promote(e, code, titles[code][0], "the note states type 1 diabetes (guideline I.C.4.a.2 "
                             "defaults only an unstated type to E11)")
        out.append(e)
    return out


# the product a note names when it says how much a patient smokes: packs and pack-years are cigarettes
_CIGARETTES = re.compile(r"\b(?:cigarettes?|cigs?|ppd|packs?\s*(?:/|per|a)\s*day|pack[- ]?y(?:ea)?rs?|pk[- ]?yrs?|py)\b",
                         re.IGNORECASE)


def tobacco_product(entities: list[Entity], text: str, titles: dict[str, tuple]) -> list[Entity]:
    """"Tobacco dependence" in a note that says "1 ppd" or "40 pack-years" elsewhere is F17.210, not F17.200.

    Nicotine dependence of unstated product is F17.20- (index: Dependence, drug, nicotine); a note that
    states the patient smokes cigarettes has stated the product, even in another sentence.
    """
    said = _CIGARETTES.search(text)
    if said is None:
        return entities
    why = f"the note says the product: {said.group(0)!r} is cigarettes"
    return _recode(entities, titles, lambda head: ("F17.21" + head.code[6:], why, head.evidence)
                   if head.code.startswith("F17.20") else None)


# "poorly controlled", "uncontrolled" (index: Diabetes, poorly controlled / inadequately controlled / out of
# control: code to Diabetes, by type, with hyperglycemia; uncontrolled, meaning hyperglycemia: likewise).
# Said right after the diabetes in the same clause ("T2DM, poorly controlled (A1c 9.8)") or just before it
# ("uncontrolled T2DM"); a clause that names a complication first ("DM2 with neuropathy, poorly
# controlled") is coded by its complication.
_POOR_CONTROL = r"(?:poorly|poor|inadequately|suboptimal(?:ly)?|not well)[- ]?(?:controlled|control)|uncontrolled|out of control"
_CONTROL_AFTER = re.compile(r"(?:(?!\bwith\b|\bw/|\band\b)(?:[^.;\n]|\.(?=\d))){0,30}?\b(?:" + _POOR_CONTROL + r")\b", re.IGNORECASE)
_CONTROL_BEFORE = re.compile(r"\b(?:" + _POOR_CONTROL + r")\s+(?:\w+\s+){0,1}$", re.IGNORECASE)
_WITHOUT_COMPLICATIONS = ("E10.9", "E11.9", "E13.9")


def diabetes_control(entities: list[Entity], text: str, titles: dict[str, tuple]) -> list[Entity]:
    """Diabetes said to be poorly controlled is coded with hyperglycemia (E11.9 becomes E11.65)."""
    out = []
    for e in entities:
        head = e.concepts[0] if e.concepts else None
        if head is not None and e.asserted and head.code in _WITHOUT_COMPLICATIONS:
            said = _CONTROL_AFTER.match(text, e.end) or _CONTROL_BEFORE.search(text, max(0, e.begin - 30), e.begin)
            code = head.code[:3] + ".65"
            if said and code in titles:
                e = _promote(e, code, titles[code][0], f"{said.group(0).strip()!r}: index Diabetes, poorly "
                             "controlled, code to Diabetes, by type, with hyperglycemia")
        out.append(e)
    return out


# Dementia due to a disease classified elsewhere (tabular note at F02: "code first the underlying
# physiological condition", e.g. Alzheimer's disease G30.-): the disease first, then F02 with the same
# severity and behavior characters as the F03 reading ("Alzheimer's dementia, severe": G30.9 + F02.C0).
_DEMENTIA_CAUSES = ("G30", "G31.0", "G31.83", "G20", "G10", "G35")


def _as_f02(code: str) -> str:
    return "F02.8" + code[5:] if code.startswith("F03.9") else "F02" + code[3:]


def dementia_cause(entities: list[Entity], titles: dict[str, tuple]) -> list[Entity]:
    """A dementia read as F03 (unspecified dementia) in a note that names its cause becomes F02."""
    causes = [c for e in entities if e.asserted and not e.has("HISTORY")
              for c in e.concepts[:1] if c.code.startswith(_DEMENTIA_CAUSES)]
    out = []
    for e in entities:
        head = e.concepts[0] if e.concepts else None
        if head is None or not head.code.startswith("F03") or not e.asserted:
            out.append(e)
            continue
        own = next((c for c in e.concepts if c.code.startswith(_DEMENTIA_CAUSES)), None)
        cause = own or (causes[0] if causes else None)
        f02 = _as_f02(head.code)
        if cause is None or f02 not in titles or not titles[f02][1]:
            out.append(e)
            continue
        why = (f"dementia due to {cause.code} ({cause.description}): tabular note at F02, code first the "
               f"underlying condition; {f02} for {head.code}")
        dementia = Concept(f02, titles[f02][0], head.score, f"{head.evidence}; {why}", additional=own is not None)
        rest = tuple(c for c in e.concepts if c.code not in (f02, cause.code))
        first = (replace(own, evidence=f"{own.evidence}; {why}"), dementia) if own else (dementia,)
        out.append(replace(e, concepts=(*first, *rest)[:5]))
    return out


# A note whose title or first line says it is a follow-up of an injury ("FRACTURE CLINIC - RETURN VISIT",
# "UC F/U VISIT", "BURN CLINIC F/U"): the injury is in its healing phase.
_FOLLOW_UP = re.compile(r"\b(?:f/u|follow[- ]?up|followup|return visit|re-?check|revisit|wound check|cast check|"
                        r"suture removal|post[- ]?op(?:erative)? (?:visit|check))\b", re.IGNORECASE)
_ASSUMED_INITIAL = "episode (assumed initial encounter)"


def follow_up(entities: list[Entity], text: str, titles: dict[str, tuple]) -> list[Entity]:
    """Injuries in a follow-up visit's note are a subsequent encounter (7th character D).

    The guidelines (I.C.19.a) make "subsequent" the encounter after active treatment, in the healing or
    recovery phase, which a note titled as a follow-up, recheck or return visit is. Only an injury whose
    episode the text left unstated (so initial was assumed) moves; "initial encounter" written out stays.
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    said = _FOLLOW_UP.search(first)
    if said is None:
        return entities
    why = f"episode: subsequent, the note is a follow-up visit ({said.group(0)!r} in its first line)"

    def pick(head: Concept) -> tuple[str, str, str] | None:
        if (head.code[0] in "ST" and len(head.code) == 8 and head.code.endswith("A")
                and not head.code.startswith("T8")  # a complication of care is treated actively at each visit
                and _ASSUMED_INITIAL in head.evidence):
            return head.code[:-1] + "D", why, _ASSUMED_EPISODE.sub("", head.evidence)
        return None

    return _recode(entities, titles, pick)


# the "not stated" note on an assumed initial encounter, once a subsequent one is stated after all
_ASSUMED_EPISODE = re.compile(r"(?:; not stated: |, )episode \(assumed initial encounter\)|"
                              r"(?<=not stated: )episode \(assumed initial encounter\), ")


def _recode(entities: list[Entity], titles: dict[str, tuple],
            pick: Callable[[Concept], tuple[str, str, str] | None]) -> list[Entity]:
    """Each asserted entity whose first concept ``pick`` maps to (code, why, own evidence) takes that
    billable code first, its own reading kept after it."""
    out = []
    for e in entities:
        head = e.concepts[0] if e.concepts else None
        found = pick(head) if head is not None and e.asserted else None
        if head is not None and found and found[0] in titles and titles[found[0]][1]:
            code, why, own = found
            e = _promote(replace(e, concepts=(replace(head, evidence=own), *e.concepts[1:])), code,
                         titles[code][0], why)
        out.append(e)
    return out


def _promote(entity: Entity, code: str, title: str, why: str) -> Entity:
    head = entity.concepts[0]
    combined = Concept(code, title, head.score, f"{head.evidence}; {why}")
    rest = tuple(c for c in entity.concepts if c.code != code)
    return replace(entity, concepts=(combined, *rest)[:5])


_RESIDUAL = ("R", "T14")


def refer_back(entities: list[Entity]) -> list[Entity]:
    """A bare re-mention ("the fracture", "angina") takes the code of the fuller mention it refers to.

    Notes name a condition fully once ("displaced fracture of the left distal radius") and then by its
    head word. Coded on its own, the head word gives an unspecified code the coder would never add. An
    asserted entity whose words are a strict subset of another asserted entity's words, and whose own
    best code is an unspecified one (or which is a single word), takes that entity's code first; its
    own stays second, and the evidence names the fuller mention. The fuller mention must be in the same
    category, unless the bare one fell into a residual class (symptoms R00-R99, injury of unspecified
    body region T14) that any specific diagnosis of it replaces.
    """
    asserted = [e for e in entities if e.asserted and e.concepts]
    words = {id(e): frozenset(content_words(e.text)) for e in asserted}
    out = []
    for e in entities:
        w = words.get(id(e))
        head = e.concepts[0] if e.concepts else None
        if w and head and "without complications" in head.description.lower():
            # "DM2" in a note that codes a complication of the same diabetes elsewhere (E11.42) is not
            # "without complications": it is that diabetes (likewise for any "without complications" code)
            same = [f for f in asserted if f is not e and f.concepts[0].code[:3] == head.code[:3]
                    and f.concepts[0].code != head.code]
            if same:
                f = min(same, key=lambda f: abs(f.begin - e.begin))
                code, title = f.concepts[0].code, f.concepts[0].description
                moved = Concept(code, title, head.score, f'the note codes this condition as {code} at "{f.text}"; '
                                                         f"own reading: {head.evidence}")
                out.append(replace(e, concepts=(moved, *(c for c in e.concepts if c.code != code))[:5]))
                continue
        if not w or head is None or not (len(w) == 1 or "unspecified" in head.description.lower()):
            out.append(e)
            continue
        fuller = [f for f in asserted if f is not e and w < words[id(f)] and f.concepts[0].code != head.code
                  and (f.concepts[0].code[:3] == head.code[:3] or head.code.startswith(_RESIDUAL))]
        if not fuller:
            out.append(e)
            continue
        f = min(fuller, key=lambda f: abs(f.begin - e.begin))
        code, title = f.concepts[0].code, f.concepts[0].description
        moved = Concept(code, title, head.score, f'refers back to "{f.text}" ({code}); own reading: {head.evidence}')
        out.append(replace(e, concepts=(moved, *(c for c in e.concepts if c.code != code))[:5]))
    return out


# --- pregnancy ---------------------------------------------------------------------------------


CodeMaps = tuple[tuple[tuple[tuple[str, str], ...], str], ...]  # ((first, last) code ranges, target)


@dataclass(frozen=True, slots=True)
class Pregnancy:
    context: AnyOf
    negated: AnyOf | None
    maps: CodeMaps
    puerperium: AnyOf | None = None  # the note is about the weeks after delivery
    puerperium_targets: dict[str, str] = field(default_factory=dict)  # category -> puerperium code
    # gestational diabetes control, in the order read: (6th character, patterns)
    control: tuple[tuple[str, re.Pattern[str]], ...] = ()
    early: dict[str, str] = field(default_factory=dict)  # target -> its code in the first trimester
    absent: AnyOf | None = None  # the part of ``negated`` that says no pregnancy and no delivery either
    history: CodeMaps = ()  # a past pregnancy's complication -> the O09.2- subcategory it is coded under
    alone: tuple[str, ...] = ()  # conditions whose chapter 15 code says it all: their own code is not reported
    first_only: frozenset[str] = frozenset()  # targets that apply in the first trimester only
    childbirth: AnyOf | None = None  # the note's title says the delivery happens in this admission
    childbirth_opening: AnyOf | None = None  # or its opening lines do
    not_childbirth: AnyOf | None = None  # ... unless the opening says a readmission, a later day, a newborn
    childbirth_targets: dict[str, str] = field(default_factory=dict)  # category -> its code in a delivery admission
    fetal_heart: re.Pattern[str] | None = None  # an abnormal fetal heart rate or tracing: O76 in a delivery admission


def code_maps(entries: list, what: str) -> CodeMaps:
    """[[map]] tables of codes ("D50-D64", "N39.0") and the target code they move to, as ranges."""
    maps = []
    for n, m in enumerate(entries, 1):
        codes, target = m.get("codes"), m.get("target")
        if set(m) - {"codes", "target"} or not isinstance(target, str) or not isinstance(codes, list) or not codes:
            raise ConfigError(f"{what}: map {n} needs codes (a list) and target (a code), nothing else")
        maps.append((tuple(tuple(c.split("-", 1)) if "-" in c else (c, c) for c in codes), target))
    return tuple(maps)


# O24.41- "Gestational diabetes mellitus in pregnancy": 0 diet controlled, 4 insulin controlled, 5 controlled
# by oral hypoglycemic drugs, 9 unspecified control (likewise O24.42- childbirth, O24.43- puerperium)
_CONTROL_CHARACTER = {"insulin": "4", "oral": "5", "diet": "0"}
_UNSPECIFIED_CONTROL = re.compile(r"O24\.4[123]9")


def gestational_control(entities: list[Entity], text: str, rules: Pregnancy, titles: dict[str, tuple]) -> list[Entity]:
    """Gestational diabetes of unspecified control takes the control the note states anywhere."""
    out = []
    for e in entities:
        head = e.concepts[0] if e.concepts else None
        if head is not None and _UNSPECIFIED_CONTROL.fullmatch(head.code):
            for character, regex in rules.control:
                said = regex.search(text)
                code = head.code[:-1] + character
                if said and code in titles:
                    e = _promote(e, code, titles[code][0], f"control stated in the note ({said.group(0)!r})")
                    break
        out.append(e)
    return out


_SCAR_KIND = ((re.compile(r"\bLTCS\b|\blow[- ]transverse\b", re.IGNORECASE), ("low", "transverse")),
              (re.compile(r"\bclassical\b|\bvertical\b", re.IGNORECASE), ("vertical",)))


def _named(code: str, maps: CodeMaps) -> bool:
    """Whether a map names ``code`` itself, not in a range of categories (a status code, Z98.891)."""
    return any(lo == hi == code for ranges, _ in maps for lo, hi in ranges)


def mapped(code: str, maps: CodeMaps) -> str | None:
    """The target of the first map whose ranges cover ``code``."""
    return next((t for ranges, t in maps if any(_within(code, lo, hi) for lo, hi in ranges)), None)


def load_pregnancy(text: str | None = None) -> Pregnancy:
    data = read_tables("pregnancy.toml", "pregnancy rules",
                       {"context", "map", "puerperium", "gestational_control", "early", "history", "alone", "first_trimester",
                        "childbirth"}, text)
    ctx = data.get("context", {})
    pats, absent, after = ctx.get("patterns", []), ctx.get("negated", []), ctx.get("after_delivery", [])
    if not isinstance(absent, list) or not isinstance(after, list):
        raise ConfigError("pregnancy rules: context.negated and context.after_delivery must be lists of regular expressions")
    neg = absent + after
    puer = data.get("puerperium", {})
    puer_pats, puer_targets = puer.get("patterns", []), puer.get("targets", {})
    if not all(isinstance(x, str) for x in puer_pats) or not isinstance(puer_targets, dict):
        raise ConfigError("pregnancy rules: puerperium.patterns must be regular expressions, targets a table")
    if not pats or not all(isinstance(x, str) for x in pats + neg):
        raise ConfigError("pregnancy rules: context.patterns must be a non-empty list of regular expressions")
    maps = code_maps(data.get("map", []), "pregnancy rules")
    early, alone = data.get("early", {}), data.get("alone", {}).get("codes", [])
    first_only = data.get("first_trimester", {}).get("only", [])
    if not all(isinstance(x, list) and all(isinstance(c, str) for c in x) for x in (alone, first_only)):
        raise ConfigError("pregnancy rules: alone.codes and first_trimester.only must be lists of codes")
    if not all(isinstance(v, str) for v in early.values()):
        raise ConfigError("pregnancy rules: early maps a target code to a code")
    birth = data.get("childbirth", {})
    birth_title, birth_open, birth_not = birth.get("title", []), birth.get("opening", []), birth.get("not", [])
    birth_targets, fetal_heart = birth.get("targets", {}), birth.get("fetal_heart", [])
    if set(birth) - {"title", "opening", "not", "targets", "fetal_heart"} or not isinstance(birth_targets, dict) or not all(
            isinstance(x, list) and all(isinstance(p, str) for p in x) for x in (birth_title, birth_open, birth_not, fetal_heart)):
        raise ConfigError("pregnancy rules: childbirth takes title, opening, not and fetal_heart, each a list of "
                          "regular expressions, and targets, a table")
    control = data.get("gestational_control", {})
    if set(control) - set(_CONTROL_CHARACTER) or not all(
            isinstance(v, list) and v and all(isinstance(x, str) for x in v) for v in control.values()):
        raise ConfigError("pregnancy rules: gestational_control takes insulin, oral and diet, each a list of "
                          "regular expressions")
    try:
        return Pregnancy(AnyOf(pats), AnyOf(neg) if neg else None, maps,
                         AnyOf(puer_pats) if puer_pats else None,
                         {str(k): str(v) for k, v in puer_targets.items()},
                         tuple((_CONTROL_CHARACTER[k], re.compile("|".join(v), re.IGNORECASE))
                               for k, v in sorted(control.items(), key=lambda kv: list(_CONTROL_CHARACTER).index(kv[0]))),
                         {str(k): v for k, v in early.items()}, AnyOf(absent) if absent else None,
                         code_maps(data.get("history", []), "pregnancy rules: history"), tuple(alone),
                         frozenset(first_only), AnyOf(birth_title) if birth_title else None,
                         AnyOf(birth_open) if birth_open else None, AnyOf(birth_not) if birth_not else None,
                         {str(k): str(v) for k, v in birth_targets.items()},
                         re.compile("|".join(fetal_heart), re.IGNORECASE) if fetal_heart else None)
    except re.error as exc:
        raise ConfigError(f"pregnancy rules: bad pattern ({exc})") from None


@lru_cache(maxsize=1)
def default_pregnancy() -> Pregnancy:
    return load_pregnancy()


# Weeks of gestation stated as such ("at 24 weeks", "33w2d", "GA 39+2 wks"), not a duration ("cough x 2
# weeks"): chapter 15 codes are reported with a Z3A code for the weeks (tabular note at O00-O9A).
_GESTATION = re.compile(
    r"\b(?:at|@|GA|EGA|IUP at|gestational age(?: of)?)\s*:?\s*(\d{1,2})\s*(?:\+\s*\d\s*)?(?:weeks?|wks?|w)\b"
    r"|\b(\d{1,2})\s*w\s*\d\s*d\b"
    r"|\b(\d{1,2})\s*(?:\+\s*\d\s*)?(?:weeks?|wks?)\s*(?:\d\s*days?\s*)?(?:gestation|pregnant|GA|EGA|by LMP|by dating|IUP)\b",
    re.IGNORECASE)


def _weeks_of_gestation(entities: list[Entity], text: str,
                        resolve: Callable[[str, set[str]], tuple[str, str] | None]) -> list[Entity]:
    m = _GESTATION.search(text)
    if m is None:
        return entities
    weeks = int(next(g for g in m.groups() if g))
    code = "Z3A.01" if weeks < 8 else "Z3A.49" if weeks > 42 else f"Z3A.{weeks:02d}"
    found = resolve(code, set())
    # one Z3A per note; a mention that spans the weeks ("Pregnancy at 22 weeks, UTI") does not code them
    if found is None or found[0] != code or any(e.concepts and e.concepts[0].code.startswith("Z3A") for e in entities):
        return entities
    evidence = f"weeks of gestation stated ({m.group(0)!r}): the tabular asks for a Z3A code with the pregnancy's codes"
    entity = Entity(m.start(), m.end(), m.group(0), 0.9, (Trait("DIAGNOSIS", 0.8, "code"),),
                    (Concept(code, found[1], 0.9, evidence),))
    return sorted([*entities, entity], key=lambda e: e.begin)


_WEEKS = re.compile(r"\b(\d{1,2})\s*(?:\+\s*\d\s*)?(?:weeks?|wks?|w)(?:\s*\d\s*d)?\b", re.IGNORECASE)  # "34w2d"
_TRIMESTER = re.compile(r"\b(first|second|third|1st|2nd|3rd)\s+trimester\b", re.IGNORECASE)
_ORDINAL = {"1st": "first", "2nd": "second", "3rd": "third"}


def trimester(text: str) -> str | None:
    """The trimester of the gestational age the note states ("G1P0 at 22w5d"), else the trimester it
    names, else the one of the first number of weeks it gives. A named trimester may be a past one ("A1c
    6.4 in the first trimester" in a note at 22 weeks): in the hand-coded sets the stated age agreed
    with the coders' trimester in 163 of 164 pregnant patients' notes, the named trimester first in 158."""
    stated = _GESTATION.search(text)
    if stated is not None and 4 <= (weeks := int(next(g for g in stated.groups() if g))) <= 42:
        return _trimester_of(weeks)
    m = _TRIMESTER.search(text)
    if m:
        word = m.group(1).lower()
        return _ORDINAL.get(word, word)
    for m in _WEEKS.finditer(text):
        weeks = int(m.group(1))
        if 4 <= weeks <= 42:
            return _trimester_of(weeks)
    return None


def _trimester_of(weeks: int) -> str:
    return "first" if weeks < 14 else "second" if weeks < 28 else "third"


def pregnancy(entities: list[Entity], text: str, rules: Pregnancy,
              resolve: Callable[[str, set[str]], tuple[str, str] | None],
              said: tuple[bool, bool | None] | None = None) -> list[Entity]:
    """In a note about a pregnant patient, asserted conditions take their chapter 15 code first.

    ``resolve(code, context_words)`` returns the billable (code, title) under a chapter 15
    subcategory for the trimester words, or None when the knowledge base lacks it. ``said``: what the
    caller already read of ``text``, whether ``rules.context`` matches and (None if not read) whether
    ``rules.puerperium`` does.
    """
    pregnant, puerperal = said if said is not None else (rules.context.search(text) is not None, None)
    puerperium = False
    if pregnant and rules.negated and (stop := rules.negated.search(text)):
        # "Hx of postpartum hemorrhage", "treat postpartum", "first baby delivered at 36 wk" after "G3P1011
        # at 9w2d": an earlier or a later delivery. The note is a pregnant patient's when it states the
        # pregnancy under way before any word of a delivery (and nowhere that she is not pregnant): in the
        # hand-coded sets this reads 117 of the 125 such notes as their coders did; read as after delivery,
        # as before, 50 were.
        now = _CURRENT_PREGNANCY.search(text, 0, stop.start())
        pregnant = now is not None and not (rules.absent and rules.absent.search(text))
    if not pregnant:
        # after delivery (guideline I.C.15.a.1 covers the puerperium too): "complicating the puerperium"
        if puerperal is None:
            puerperal = bool(rules.puerperium and rules.puerperium.search(text))
        if not puerperal or _PREGNANT_NOW.search(text):
            return entities
    delivery = delivers_here(text, rules)
    puerperium = not pregnant and not delivery  # a delivery admission's discharge summary: in childbirth
    tri = None if puerperium else trimester(text)
    ctx = {"puerperium"} if puerperium else {tri, "trimester"} if tri else set()
    out = []
    for e in entities:
        head = e.concepts[0] if e.concepts else None
        if not puerperium and head is not None and (prior := _prior_pregnancy(e, head, rules, resolve, ctx)):
            out.append(prior)
            continue
        if (head is not None and head.code in rules.first_only and tri in ("second", "third")
                and (own := next((c for c in e.concepts[1:] if not c.code.startswith("O")), None))):
            # a learned phrase's O21.9 later in pregnancy: the condition's own code, as coders gave it
            why = f"{tri} trimester: {head.code} is coded in the first trimester only"
            e = replace(e, concepts=(replace(own, evidence=f"{own.evidence}; {why}", additional=False),
                                     *(c for c in e.concepts if c is not own)))
            out.append(e)
            continue
        if (delivery and head is not None and head.code.startswith("O")
                and (born := _named_child(head.code[:-1].rstrip("."), "childbirth", resolve)[0])):
            # a chapter 15 code in the admission she delivers in: its "in childbirth" child
            if born[0] != head.code:
                why = "she delivers in this admission: the 'in childbirth' code (guideline I.C.15.a.3)"
                moved = Concept(born[0], born[1], head.score, f"{head.evidence}; {why}")
                e = replace(e, concepts=(moved, *(c for c in e.concepts if c.code != born[0]))[:5])
            out.append(e)
            continue
        if head is not None and head.code.startswith("O") and (tri or (puerperium and "trimester" in head.description)):
            # a chapter 15 code already: take the child for the note's trimester ("Obesity complicating
            # pregnancy" under O99.21 is O99.211 in the first trimester, not the puerperium's O99.215),
            # or the puerperium's ("Pre-eclampsia ... complicating the puerperium", O14.05)
            when = f"{tri} trimester" if tri else "puerperium"  # not "Third-stage hemorrhage" (O72.0)
            parent = head.code[:-1].rstrip(".")
            found = resolve(parent, ctx) if len(parent) >= 3 else None  # O13.9 -> O13.5
            if found and found[0] != head.code and when in found[1].lower():
                moved = Concept(found[0], found[1], head.score, f"{head.evidence}; {'trimester: ' + tri if tri else 'the puerperium'}")
                e = replace(e, concepts=(moved, *(c for c in e.concepts if c.code != found[0]))[:5])
            out.append(e)
            continue
        if (head is None or not e.asserted or head.code.startswith(("O", "S", "T", "V", "W", "X", "Y"))
                or (head.code.startswith("Z") and not _named(head.code, rules.maps))  # Z98.891 is named
                or _OBSTETRIC_TITLE.search(head.description)):  # F53.0 "Postpartum depression" stays
            out.append(e)
            continue
        target: str | None
        if puerperium and head.code[:3] in rules.puerperium_targets:
            target = rules.puerperium_targets[head.code[:3]]
            found = resolve(target, ctx)
        elif delivery and head.code[:3] in rules.childbirth_targets:
            target = rules.childbirth_targets[head.code[:3]]
            found = resolve(target, ctx)
        else:
            target = mapped(head.code, rules.maps)
            if target and tri == "first":
                target = rules.early.get(target, target)
            elif target in rules.first_only and tri is not None:
                target = None  # later in pregnancy the condition keeps its own code (nausea: R11)
            # the scar's kind names the child of O34.21- ("prior LTCS": low transverse, O34.211)
            kind = {w for rx, words in _SCAR_KIND for w in words if rx.search(e.text)} if head.code.startswith("Z") else set()
            found = None
            if target and (delivery or puerperium):
                # after delivery, or in the admission she delivers in, the child that names it ("Obesity
                # complicating the puerperium"), else the parent's ("Anemia complicating pregnancy",
                # O99.01, has neither; its parent O99.0 has O99.02 childbirth and O99.03 puerperium)
                found, target = _named_child(target, "childbirth" if delivery else "puerperium", resolve, kind)
            if found is None and target and not puerperium:
                found = resolve(target, ctx | kind)
        if found is None:
            out.append(e)
            continue
        code, title = found
        state = ("in the puerperium" if puerperium else "delivering in this admission" if "childbirth" in title.lower()
                 else f"pregnant{f' ({tri} trimester)' if tri else ''}")
        # a status code the chapter 15 code takes in (Z98.891 under O34.21-) is not reported with it, nor a
        # condition the chapter 15 code names in full (hemorrhoids in pregnancy, O22.4-)
        additional = not head.code.startswith(("Z", *rules.alone))
        after = "follows as an additional code" if additional else "is not reported with it"
        why = f"the patient is {state}: guideline I.C.15.a.1 puts {head.code} under {target}; {head.code} {after}"
        if delivery and "childbirth" in title.lower():
            why += "; the 'in childbirth' code, as she delivers in this admission (I.C.15.a.3)"
        moved = Concept(code, title, head.score, f"{head.evidence}; {why}")
        own = replace(head, score=round(head.score - 0.0001, 4), additional=additional)
        rest = (c for c in e.concepts[1:] if c.code != code)
        out.append(replace(e, concepts=(moved, own, *rest)[:5]))
    if not puerperium:
        out = _weeks_of_gestation(out, text, resolve)
    if delivery and rules.fetal_heart is not None:
        out = _fetal_heart(out, text, rules.fetal_heart, resolve)
    return out


_FETAL_HEART = "O76"  # Abnormality in fetal heart rate and rhythm complicating labor and delivery


def _fetal_heart(entities: list[Entity], text: str, said: re.Pattern[str],
                 resolve: Callable[[str, set[str]], tuple[str, str] | None]) -> list[Entity]:
    """In the admission she delivers in, an abnormal fetal heart rate or tracing ("fetal tachycardia",
    "Category II tracing", "recurrent late decels") is O76; the mother's own R00.- read from "tachycardia"
    gives way to it."""
    found = resolve(_FETAL_HEART, set())
    if found is None:
        return entities
    out = list(entities)
    for m in said.finditer(text):
        begin, end = m.start(), m.end()
        over = [e for e in out if e.begin < end and begin < e.end]
        if any(not e.concepts or not e.concepts[0].code.startswith("R00") for e in over):
            continue  # a span already read as something else
        # the context of the mother's R00.- it replaces ("no fetal tachycardia"); with none there, a denial
        # just before the words ("Category I, no late decels") leaves them out
        kept = tuple(t for e in over for t in e.traits if t.name in NOT_ASSERTED)
        if not over and _DENIED_BEFORE.search(text, max(0, begin - 30), begin):
            continue
        out = [e for e in out if e not in over]
        evidence = f"an abnormal fetal heart rate in the admission she delivers in ({m.group(0)!r})"
        out.append(Entity(begin, end, m.group(0), 0.9, (Trait("SIGN", 0.8, "code"), *kept),
                          (Concept(found[0], found[1], 0.9, evidence),)))
    return sorted(out, key=lambda e: e.begin)


_DENIED_BEFORE = re.compile(r"\b(?:no|without|w/o|denies|negative for|absent|resolved)\b[^.;:\n]*$", re.IGNORECASE)


# A note's opening: its title and first lines ("OPERATIVE NOTE | Preop dx: IUP at 39w0d, previous
# cesarean"), where [childbirth] reads whether the delivery happens in this admission.
_OPENING = 160


def delivers_here(text: str, rules: Pregnancy) -> bool:
    """Whether the note is of the admission in which she delivers, by its title or opening lines
    (``rules.childbirth``, ``rules.childbirth_opening``) unless the opening says otherwise."""
    opening = text[:_OPENING]
    said = ((rules.childbirth is not None and rules.childbirth.search(opening.split("\n", 1)[0]) is not None)
            or (rules.childbirth_opening is not None and rules.childbirth_opening.search(opening) is not None))
    return said and not (rules.not_childbirth is not None and rules.not_childbirth.search(opening) is not None)


def _named_child(code: str, word: str, resolve: Callable[[str, set[str]], tuple[str, str] | None],
                 kind: set[str] | None = None) -> tuple[tuple[str, str] | None, str]:
    """The code whose title says ``word`` ("childbirth", "puerperium") under ``code`` or under its parent,
    and the subcategory it was found under; (None, ``code``) when neither has one."""
    for c in (code, code[:-1].rstrip(".")):
        found = resolve(c, {word} | (kind or set())) if len(c) >= 3 else None
        if found is not None and word in found[1].lower():
            return found, c
    return None, code


def _prior_pregnancy(e: Entity, head: Concept, rules: Pregnancy,
                     resolve: Callable[[str, set[str]], tuple[str, str] | None], ctx: set[str]) -> Entity | None:
    """A complication of an earlier pregnancy, read as past in a pregnant patient's note ("Hx preterm
    delivery", "Hx PPH", "h/o preeclampsia"), is coded as this pregnancy's supervision with that
    history (O09.21- preterm labor, O09.29- other poor reproductive or obstetric history): a current
    code, with the complication's own code after it. Which complications, ``rules.history`` says. Over
    the 136 readable hand-coded sets 78 of the 105 mentions so read were coded this way; coders marked 17
    of the others past (with Z87.59), and 9 were a current complication read as past ("GDM again this
    pregnancy")."""
    if {t.name for t in e.traits} & NOT_ASSERTED != {"HISTORY"}:
        return None
    target = mapped(head.code, rules.history)
    found = resolve(target, ctx) if target else None
    if found is None:
        return None
    code, title = found
    why = f"a complication of an earlier pregnancy in a pregnant patient's note: {target}- ({head.code} is the past one)"
    first = Concept(code, title, head.score, f"{head.evidence}; {why}")
    past = replace(head, score=round(head.score - 0.0001, 4))
    return replace(e, traits=tuple(t for t in e.traits if t.name != "HISTORY"),
                   concepts=(first, past, *(c for c in e.concepts[1:] if c.code != code))[:5])


_OBSTETRIC_TITLE = re.compile(r"puerper|postpartum|pregnan|childbirth", re.IGNORECASE)
# A pregnancy stated outright wins over postpartum words ("postpartum hemorrhage in her last pregnancy").
# A pregnancy under way, stated: its gestational age ("G3P1011 at 9w2d", "22w3d", "GA: 31", "24 weeks
# pregnant"), an intrauterine pregnancy, a prenatal or antepartum visit.
_CURRENT_PREGNANCY = re.compile(
    r"\bG\d+\s*P\d+\w*\s+(?:at|@)\s*\d{1,2}\s*(?:\+\s*\d\s*)?(?:weeks?|wks?|w)|\b\d{1,2}\s*w\s*\d\s*d\b"
    r"|\b(?:ga|ega)\b\s*:?\s*\d|\biup\b|\bprenatal\b(?!\s+vitamin)|\bantepartum\b"
    r"|\b\d{1,2}\s*(?:weeks?|wks?)\s*(?:\d\s*days?\s*)?(?:gestation|pregnant)\b|\b(?:currently|is) pregnant\b",
    re.IGNORECASE)
_PREGNANT_NOW = re.compile(r"\b(?:currently pregnant|is pregnant|\d{1,2}\s*(?:weeks?|wks?)\s+(?:pregnant|gestation))\b",
                           re.IGNORECASE)


def _within(code: str, lo: str, hi: str) -> bool:
    """Whether ``code`` falls in the range lo..hi of codes or code prefixes ("D50"-"D64", "N39.0")."""
    return lo <= code[:len(lo)] and code[:len(hi)] <= hi
