"""A newborn's conditions take their perinatal codes (ICD-10-CM chapter 16).

In a note about a patient in the first 28 days of life ("DOL 3", "4-day-old", "NICU admission"), jaundice
is P59.9, not R17, and thrush P37.5, not B37.0 (guideline I.C.16.a). These readings follow, all driven by
``newborn.toml``:

* the note's own conditions move to their chapter 16 codes (``[[map]]``); the condition's own code
  stays among the concepts as the reading for an older patient;
* the mother's conditions that the note records ("maternal GBS+", "mom smokes 1/2 ppd", "born to a
  mother with chronic HTN") are the newborn's P00-P04 codes, "newborn affected by ..." (``[[maternal]]``),
  and no relative's condition: the trait PERTAINS_TO_FAMILY is dropped;
* the gestational age and birth weight the note states give P07.2-/P07.3- (completed weeks under 37) and
  P07.0-/P07.1- (under 2,500 g), the band read from the code titles of the knowledge base; a newborn small
  for gestational age takes the weight's P05.1- band instead;
* what is never the newborn's goes (``[drop]``: weeks of gestation, the mother's insulin, a white count
  read from a value), and the mother's outcome of delivery is the newborn's birth, Z38.- (``[[liveborn]]``).

Newborn notes speak of the pregnancy and the delivery ("born at 39w4d to a G3P2", "gestational HTN"), so
the opening lines decide who the patient is (``[context] head``): a note that opens as a newborn's is
not read as a pregnant patient's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from medcode.detect._data import any_of, optional_any_of, read_tables
from medcode.detect.combine import CodeMaps, code_maps, mapped
from medcode.detect.model import Concept, Entity, Trait
from medcode.detect.prefilter import AnyOf
from medcode.errors import ConfigError

HEAD = 300  # characters of the note's opening read by [context] head: a title and the first line or two
# the newborn's completed weeks of gestation ("39w4d", "GA 26w1d", "born at 35 weeks 2 days", "28 2/7 wk");
# a corrected age ("CGA 27w3d", "PMA 34 wk") or a dated event ("PPROM at 24w5d") is not the birth's
_WEEKS = re.compile(r"(?<![\w/])(2[2-9]|3\d|4[0-4])\s*(?:(?:\+\s*\d|\s\d/7)\s*(?:weeks?|wks?|wk|w)\b|w\s*\d\s*d\b|"
                    r"(?:completed\s+)?(?:weeks?|wks?|w)\b|-?weeks?\b|-?weeker\b)", re.IGNORECASE)
_NOT_BIRTH = re.compile(r"(?:\b(?:CGA|PMA|corrected|PPROM|ROM|rupture|US|ultrasound|dating|now|currently|"
                        r"postmenstrual|at)\s*(?:age\s*)?(?:of\s*)?$)", re.IGNORECASE)
_BORN_AT = re.compile(r"\b(?:born|delivered|birth|GA|gestational age|ex)\b[^.\n]{0,12}$", re.IGNORECASE)
# birth weight: "BW 3,460 g", "birth weight 1,310 g", "ELBW 840 g", "a 2,280 g male infant"
_GRAMS = re.compile(r"\b(?:(?:BW|birth\s*weight|birthweight|[EV]?LBW)\s*(?:of\s*|:\s*|=\s*)?(\d,?\d{3}|\d{3})\s*(?:g|gm|grams)\b|"
                    r"(\d,?\d{3}|\d{3})\s*(?:g|gm|grams)\s+(?:male|female|infant|baby|newborn|neonate)\b)",
                    re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_MOTHER = re.compile(r"\b(?:mother|mom|maternal|MOB)\b", re.IGNORECASE)
_TITLE_WEEKS = re.compile(r"gestational age (less than )?(\d{2}) completed weeks")
_TITLE_GRAMS = re.compile(r"(?:(less than )(\d+)|(\d+)-(\d+)) grams|(\d+) grams and over")


@dataclass(frozen=True, slots=True)
class Newborn:
    context: AnyOf
    maps: CodeMaps
    head: AnyOf | None = None
    not_head: AnyOf | None = None  # the opening says the patient is the mother ("Postpartum day 2")
    maternal_cue: re.Pattern[str] | None = None  # the words before a condition that make it the mother's
    maternal: CodeMaps = ()
    drop: tuple[str, ...] = ()  # first characters of codes never on the newborn's record
    drop_values: tuple[str, ...] = ()  # the same, when read from a number
    liveborn: tuple[tuple[tuple[str, ...], str, str], ...] = ()  # (Z37 codes, vaginal Z38, cesarean Z38)
    cesarean: re.Pattern[str] | None = None


def load_newborn(text: str | None = None) -> Newborn:
    data = read_tables("newborn.toml", "newborn rules",
                       {"context", "map", "maternal_cue", "maternal", "drop", "liveborn", "cesarean"}, text)
    ctx = data.get("context", {})
    cue_re = _pattern(data.get("maternal_cue", {}).get("pattern"), "maternal_cue.pattern")
    cesarean = _pattern(data.get("cesarean", {}).get("pattern"), "cesarean.pattern")
    drop = data.get("drop", {})
    lists = (drop.get("codes", []), drop.get("values", []))
    if not all(isinstance(x, list) and all(isinstance(c, str) for c in x) for x in lists):
        raise ConfigError("newborn rules: drop.codes and drop.values must be lists of codes")
    liveborn = []
    for row in data.get("liveborn", []):
        if not (isinstance(row, dict) and isinstance(row.get("codes"), list)
                and isinstance(row.get("vaginal"), str) and isinstance(row.get("cesarean"), str)):
            raise ConfigError("newborn rules: each [[liveborn]] needs codes (a list), vaginal and cesarean (codes)")
        liveborn.append((tuple(row["codes"]), row["vaginal"], row["cesarean"]))
    return Newborn(any_of(ctx.get("patterns", []), "newborn rules: context.patterns"),
                   code_maps(data.get("map", []), "newborn rules"),
                   optional_any_of(ctx.get("head", []), "newborn rules: context.head"),
                   optional_any_of(ctx.get("not_head", []), "newborn rules: context.not_head"),
                   cue_re, code_maps(data.get("maternal", []), "newborn rules: maternal"),
                   tuple(lists[0]), tuple(lists[1]), tuple(liveborn), cesarean)


def _pattern(text: object, where: str) -> re.Pattern[str] | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise ConfigError(f"newborn rules: {where} must be a regular expression")
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(f"newborn rules: {where}: bad pattern ({exc})") from None


@lru_cache(maxsize=1)
def default_newborn() -> Newborn:
    return load_newborn()


def opens_as_newborn(text: str, rules: Newborn) -> re.Match[str] | None:
    """The words of the note's opening that make its patient a newborn, or None."""
    if rules.head is None:
        return None
    head = text[:HEAD]
    said = rules.head.search(head)
    if said is None or rules.not_head is None:
        return said
    # whichever the opening says first: "NEWBORN DISCHARGE ... mother 33 yo, postpartum course" is the
    # newborn's note, "4 MONTH WELL CHILD ... NICU x5 d" and "Postpartum day 2 ... baby boy" are not
    other = rules.not_head.search(head)
    return said if other is None or said.start() < other.start() else None


def newborn(entities: list[Entity], text: str, rules: Newborn, codes: dict[str, tuple],
            opening: re.Match[str] | None = None) -> list[Entity]:
    """``codes`` maps a code to (title, billable, ...), as the detector's dictionary holds them; ``opening``
    is what :func:`opens_as_newborn` found, when the caller has asked already."""
    said = opening or rules.context.search(text)
    if said is None:
        return entities
    out = []
    for e in entities:
        head = e.concepts[0] if e.concepts else None
        if head is None:
            out.append(e)
            continue
        if head.code.startswith(rules.drop) or (head.code.startswith(rules.drop_values) and _DIGIT.search(e.text)):
            continue
        if (born := _liveborn(head, text, rules)) and born in codes and codes[born][1]:
            why = f"the newborn's own birth ({said.group(0)!r}): {born} for the mother's outcome of delivery {head.code}"
            out.append(replace(e, concepts=(Concept(born, codes[born][0], head.score, f"{head.evidence}; {why}"),)))
            continue
        # a chapter 15 code is the mother's whatever words come before it (guideline I.C.15.a: never on
        # the newborn's record): "delivered after preterm labor", "shoulder dystocia"
        mother = "a pregnancy's code" if head.code.startswith("O") else _mothers(e, text, rules)
        if mother is not None:
            target = mapped(head.code, rules.maternal)
            if target is None and head.code.startswith("O"):
                continue  # the mother's pregnancy, no condition of the newborn's
            if target is not None and target in codes and codes[target][1]:
                why = (f"the mother's condition in a newborn's note ({mother!r}): {target}, newborn affected by "
                       f"it, for the mother's {head.code}")
                moved = Concept(target, codes[target][0], head.score, f"{head.evidence}; {why}")
                traits = tuple(t for t in e.traits if t.name != "PERTAINS_TO_FAMILY")
                out.append(replace(e, traits=traits, concepts=(moved, *(c for c in e.concepts if c.code != target))[:5]))
                continue
        target = None
        if e.asserted and not e.has("HISTORY"):
            target = mapped(head.code, rules.maps)
        if target is None or target not in codes or not codes[target][1]:
            out.append(e)
            continue
        why = (f"the patient is a newborn ({said.group(0)!r}): guideline I.C.16.a codes a condition of the "
               f"perinatal period in chapter 16, {target} for {head.code}")
        moved = Concept(target, codes[target][0], head.score, f"{head.evidence}; {why}")
        out.append(replace(e, concepts=(moved, *(c for c in e.concepts if c.code != target))[:5]))
    return _gestation(out, text, codes)


def _liveborn(head: Concept, text: str, rules: Newborn) -> str | None:
    """The Z38 code for the mother's outcome-of-delivery code ``head``, by how the baby was born."""
    for prefixes, vaginal, cesarean in rules.liveborn:
        if head.code.startswith(prefixes):
            return cesarean if rules.cesarean is not None and rules.cesarean.search(text) else vaginal
    return None


def _mothers(e: Entity, text: str, rules: Newborn) -> str | None:
    """The cue that makes ``e`` the mother's condition: a family trait set by a word for the mother, or a
    word for her earlier in the same sentence ("Maternal hx: GBS positive, gestational HTN")."""
    if rules.maternal_cue is None:
        return None
    start = max(text.rfind("\n", 0, e.begin), text.rfind(". ", 0, e.begin), e.begin - 160)
    # a relative's condition (the context rules set no family trait for a mother who only brings the
    # baby in or reports) is the mother's when she is the relative named before it: "Mom smokes"
    cue = rules.maternal_cue if not e.has("PERTAINS_TO_FAMILY") else _MOTHER
    cues = list(cue.finditer(text, start + 1, e.begin)) or list(cue.finditer(e.text))
    return cues[-1].group(0) if cues else None


def _gestation(entities: list[Entity], text: str, codes: dict[str, tuple]) -> list[Entity]:
    """P07 codes for a preterm or low-birth-weight newborn, from the weeks and grams the note states; a
    newborn small for gestational age (P05.1-) takes the birth weight's band there instead."""
    found = []
    weeks = _birth_weeks(text)
    if weeks is not None and weeks[0] < 37:
        code = _band(codes, ("P07.2", "P07.3"), lambda t: _weeks_fit(t, weeks[0]))
        if code:
            found.append((weeks[1], code, f"born at {weeks[0]} completed weeks ({weeks[1].group(0)!r})"))
    grams = _birth_grams(text)
    small = [k for k, e in enumerate(entities) if e.concepts and e.concepts[0].code.startswith("P05.1")]
    if small and grams is not None:
        # P07's Excludes1: low birth weight due to slow fetal growth is P05.-, coded by the weight
        band = _band(codes, ("P05.1",), lambda t: _grams_fit(t, grams[0]))
        entities = list(entities)
        for k in small:
            e = entities[k]
            if band and e.concepts[0].code != band:
                why = f"birth weight {grams[0]} g ({grams[1].group(0)!r}): small for gestational age is coded by its band"
                concept = Concept(band, codes[band][0], e.concepts[0].score, f"{e.concepts[0].evidence}; {why}")
                entities[k] = replace(e, concepts=(concept, *(c for c in e.concepts if c.code != band))[:5])
    if grams is not None and grams[0] < 2500 and not small:
        code = _band(codes, ("P07.0", "P07.1"), lambda t: _grams_fit(t, grams[0]))
        if code:
            found.append((grams[1], code, f"birth weight {grams[0]} g ({grams[1].group(0)!r})"))
    if not found:
        return entities
    out = list(entities)
    for m, code, said in found:
        why = f"{said}: a newborn of short gestation or low birth weight is coded by the band (P07)"
        concept = Concept(code, codes[code][0], 0.9, why)
        # "Prematurity NOS" (P07.30), "ELBW" or "LBW" read alone take the band the note states
        group = ("P07.2", "P07.3") if code[:5] in ("P07.2", "P07.3") else ("P07.0", "P07.1")
        upgraded = False
        for k, e in enumerate(out):
            if e.concepts and e.concepts[0].code[:5] in group and e.concepts[0].code != code:
                out[k] = replace(e, concepts=(replace(concept, evidence=f"{e.concepts[0].evidence}; {why}"),
                                              *e.concepts[1:]))
                upgraded = True
        if upgraded or any(e.concepts and e.concepts[0].code == code for e in out):
            continue
        if any(e.begin < m.end() and m.start() < e.end for e in out):
            continue
        out.append(Entity(m.start(), m.end(), m.group(0), 0.9, (Trait("DIAGNOSIS", 0.8, "code"),), (concept,)))
    return sorted(out, key=lambda e: e.begin)


def _birth_weeks(text: str) -> tuple[int, re.Match[str]] | None:
    """The weeks of gestation at birth: the first stated after "born", "GA" or "delivered", else the first
    stated at all that is not a corrected age or a dated event."""
    first = None
    for m in _WEEKS.finditer(text):
        before = text[max(0, m.start() - 24):m.start()]
        if _BORN_AT.search(before):
            return int(m.group(1)), m
        if _NOT_BIRTH.search(before):
            continue
        if first is None:
            first = (int(m.group(1)), m)
    return first


def _birth_grams(text: str) -> tuple[int, re.Match[str]] | None:
    m = _GRAMS.search(text)
    if m is None:
        return None
    return int((m.group(1) or m.group(2)).replace(",", "")), m


def _band(codes: dict[str, tuple], parents: tuple[str, ...], fits: Callable[[str], bool]) -> str | None:
    """The billable code under ``parents`` whose title fits the stated weeks or grams."""
    return next((c for p in parents for d in "0123456789" if (c := p + d) in codes and codes[c][1] and fits(codes[c][0])),
                None)


def _weeks_fit(title: str, weeks: int) -> bool:
    m = _TITLE_WEEKS.search(title)
    if m is None:
        return False
    return weeks < int(m.group(2)) if m.group(1) else weeks == int(m.group(2))


def _grams_fit(title: str, grams: int) -> bool:
    m = _TITLE_GRAMS.search(title)
    if m is None:
        return False
    if m.group(1):
        return grams < int(m.group(2))
    if m.group(5):
        return grams >= int(m.group(5))
    return int(m.group(3)) <= grams <= int(m.group(4))
