"""The detection pipeline: tokens → mentions → billable codes with evidence → traits → Excludes1 conflicts.

Pure over text and a :class:`~medcode.kb.store.KB` handle; the compiled dictionary is cached per
knowledge-base file (path and modification time), so the first call on a full KB pays a few seconds
and every later call only matching.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from medcode.detect import agreement, learn, specificity
from medcode.detect._data import optional_any_of, read_tables
from medcode.detect.age import note_age
from medcode.detect.bmi import bmi, load_bands, load_pediatric
from medcode.detect.combine import (
    ckd_stage,
    combine,
    default_pregnancy,
    default_rules,
    dementia_cause,
    diabetes_control,
    diabetes_type,
    follow_up,
    gestational_control,
    mapped,
    pregnancy,
    refer_back,
    tobacco_product,
)
from medcode.detect.context import ConText, default_context, reaches
from medcode.detect.grade import stated_grade
from medcode.detect.matcher import DENIED_ONLY, KIND_WEIGHT, Dictionary, Match
from medcode.detect.model import Concept, Conflict, Detection, Entity, Trait
from medcode.detect.newborn import default_newborn, newborn, opens_as_newborn
from medcode.detect.patterns import load_patterns, match_patterns
from medcode.detect.sections import Sectionizer, default_sectionizer
from medcode.detect.sequela import default_sequela, sequela
from medcode.detect.tokens import Token, tokenize
from medcode.errors import ConfigError
from medcode.kb.store import KB
from medcode.search.text import STOPWORDS, words

_PARENS = re.compile(r"\([^()]*\)")

MAX_CONCEPTS = 5
WINDOW = 4  # words either side of a mention that may state laterality, acuity or episode
_STOP_WINDOW = frozenset({"and", "or", "with", "but", "no", "not"})
_HEALING = frozenset({"delayed", "routine", "nonunion", "malunion"})
_DRUG_THERAPY = "Z79."
_ADULT = 18  # years
# words of running text near a mention that a title uses to steer: "Her other problems include iron
# deficiency anemia" is no "Other iron deficiency anemias" (D50.8)
_NOT_A_DETAIL = frozenset({"other", "specified"})
_PREVENTS = frozenset({"prophylaxis", "ppx"})
# R-code categories whose findings a patient reports (symptoms); other R codes are signs.
_SYMPTOM_CATEGORIES = frozenset(
    ["R05", "R06", "R07", "R10", "R11", "R12", "R13", "R14", "R19", "R20", "R30", "R32", "R35", "R39", "R41", "R42", "R43", "R44", "R45", "R46", "R48", "R51", "R52", "R53", "R54", "R63", "R68"])
_DENIED_KINDS = frozenset({DENIED_ONLY, learn.DENIED})  # terms kept only in a negated mention
_LEARNED_KINDS = frozenset({learn.LEARNED, learn.DENIED})
_BODY_MASS = re.compile(r"\bbody mass\b|\bBMI\b", re.IGNORECASE)
_TRAIT_SCORE = {"NEGATION": 0.95, "LOW_CONFIDENCE": 0.8, "HYPOTHETICAL": 0.85, "PERTAINS_TO_FAMILY": 0.9,
                "HISTORY": 0.85}
_AXIS_OF = {w: axis for axis, vocab in specificity.AXES.items() for w in vocab} | {"unilateral": "laterality"}

_CACHE: dict[tuple, Dictionary] = {}
_AGREEMENT: dict[str, agreement.Table] = {}


def dictionary_for(kb: KB, learned: Path | bool = True) -> Dictionary:
    """The compiled dictionary of ``kb`` plus learned phrases (:mod:`medcode.detect.learn`): the packaged
    table when ``learned`` is True, none when False, else the table in that file. Built once per
    knowledge-base file, modification time and phrase table."""
    path = Path(kb.path)
    key = (str(path.resolve()), path.stat().st_mtime)
    if key not in _CACHE:
        _CACHE[key] = Dictionary.from_kb(kb.conn)
    base = _CACHE[key]
    if learned is False:
        return base
    lkey = (*key, str(learned))
    if lkey not in _CACHE:
        phrases = [x for x in learn.load(None if learned is True else learned) if x.code in base.codes]
        _CACHE[lkey] = base.with_learned(phrases) if phrases else base
    return _CACHE[lkey]


def agreement_for(table: Path | bool = True) -> agreement.Table | None:
    """The learned code-agreement counts (:mod:`medcode.detect.agreement`): the packaged table when
    ``table`` is True, none when False, else the table in that file."""
    if table is False:
        return None
    if table is not True and not Path(table).is_file():
        raise ConfigError(f"code-agreement table {table} does not exist")
    key = "packaged" if table is True else f"{Path(table).resolve()}:{Path(table).stat().st_mtime_ns}"
    if key not in _AGREEMENT:
        _AGREEMENT[key] = agreement.Table(agreement.load(None if table is True else table))
    return _AGREEMENT[key] or None


@dataclass(slots=True)
class _Mention:
    positions: set[int]
    first: int
    last: int
    size: int  # word count of the best term
    matches: list[Match]


class Detector:
    """Detection over one knowledge base; reuse one instance for many notes.

    >>> det = Detector(KB.open("kb.sqlite"))          # doctest: +SKIP
    >>> [c.code for c in det.detect("Left knee pain.")[0].concepts][:1]  # doctest: +SKIP
    ['M25.562']
    """

    def __init__(self, kb: KB, *, context: ConText | None = None, sectionizer: Sectionizer | None = None,
                 learned: Path | bool = True, agreement: Path | bool = True) -> None:
        self.kb = kb
        self.dictionary = dictionary_for(kb, learned)
        self.agreement = agreement_for(agreement)
        self.context = context or default_context()
        self.sectionizer = sectionizer or default_sectionizer()
        self.combinations = default_rules()
        self.pregnancy = default_pregnancy()
        self.newborn = default_newborn()
        self.sequela = default_sequela()
        self.bmi_bands = load_bands(kb.conn)
        self.bmi_pediatric = load_pediatric(kb.conn)
        self.patterns = _default_patterns()
        self._evidence_cache: dict[tuple, str] = {}

    def detect(self, text: str) -> list[Entity]:
        tokens = tokenize(text)
        if not tokens:
            return []
        self.dictionary.prepare(tokens)
        sections = self.sectionizer.sections(text)
        matches = self.dictionary.match(tokens)
        # a newborn's note tells of the pregnancy and the delivery ("born at 39w4d to a G3P2 with gestational
        # HTN"): its opening says whose note it is, and then nothing in it is the pregnant patient's
        infant = opens_as_newborn(text, self.newborn)
        pregnant = infant is None and self.pregnancy.context.search(text) is not None
        puerperal = (None if pregnant else infant is None and self.pregnancy.puerperium is not None
                     and self.pregnancy.puerperium.search(text) is not None)
        # "not pregnant", "hCG negative": whatever else the note says of a pregnancy, none is under way
        maternal = bool(puerperal) or (pregnant and not (self.pregnancy.absent is not None
                                                         and self.pregnancy.absent.search(text) is not None))
        if not maternal:
            # a phrase learned from a pregnant patient's note carries her chapter 15 code ("breast cancer,
            # UOQ" as O9A.112); in a note with no pregnancy it names the condition, which the code set's
            # own terms read; in a newborn's note, one that names the newborn's condition too ("fetal growth
            # restriction": P05.1-) goes on to newborn.toml's [[maternal]]
            matches = [m for m in matches if not (m.term.kind in _LEARNED_KINDS and m.term.code.startswith("O")
                                                  and (infant is None or mapped(m.term.code, self.newborn.maternal) is None))]
        found = match_patterns(self.patterns, text, tokens, self.dictionary.codes,
                               lambda at: next((s.name for s in sections if s.body <= at < s.end), None))
        if not (maternal and pregnant):
            # supervision of a pregnancy (O09, "36 yo G3P1011", "AMA") is a pregnant patient's only
            found = [m for m in found if not m.term.code.startswith("O09")]
        if found and self.dictionary.learned:
            # the curated patterns (smoking, weight change, status codes) own their words and their
            # sentence's detail: a learned phrase there ("Non-smoker", "s/p TAH/BSO", the "ppd" of
            # "Smokes 1 ppd") would replace or split a reading the rules made on purpose
            taken = {p for m in found for p in range(m.first, m.last + 1)}
            near = {(tokens[m.first].sentence, m.term.code[:3]) for m in found}
            matches = [m for m in matches if m.term.kind not in _LEARNED_KINDS or (
                taken.isdisjoint(m.positions) and (tokens[m.first].sentence, m.term.code[:3]) not in near)]
        matches += found
        scopes = [(mod.first, mod.last, mod.trait, mod.start, mod.rule.literal)
                  for mod in self.context.modifiers(text, tokens) if mod.trait]
        # words kept only when denied ("erythema", a learned "fluctuance") that the note does not deny
        # are no match: they must not split lists, join mentions or hold words another mention reads
        negations = [(first, last, start) for first, last, trait, start, _ in scopes if trait == "NEGATION"]
        matches = [m for m in matches if m.term.kind not in _DENIED_KINDS
                   or reaches(negations, m.first, m.last, tokens[m.first].start, tokens[m.last].end)]
        mentions = _group(_split_lists(_drop_misreadings(matches, tokens, text), tokens, text), tokens)
        titles = self.sectionizer.titles(text)
        labels = _labels(text)
        covering: dict[int, list[int]] = defaultdict(list)  # token -> the scopes over it, in scope order
        for n, (first, last, *_) in enumerate(scopes):
            for i in range(first, last + 1):
                covering[i].append(n)
        owner: dict[int, int] = {}
        for k, m in enumerate(mentions):
            for p in m.positions:
                owner[p] = k
        starts = [t.start for t in tokens]

        def denied(at: int) -> bool:
            i = bisect.bisect_right(starts, at) - 1
            return reaches(negations, i, i, -1, -1)

        out = []
        for k, m in enumerate(mentions):
            begin, end = tokens[m.first].start, tokens[m.last].end
            if any(a <= begin and end <= b for a, b in titles):
                continue  # "INFECTIOUS DISEASE CONSULT" names the document, not a condition
            if any(sec.name != "other" and sec.start <= begin and end <= sec.body for sec in sections):
                continue  # a known header itself ("Allergies:") is not a finding; "Hypertension:" in a plan is
            if len(text[begin:end]) <= 3 and text[begin:end].isupper() and _AFTER_PERCENT.search(text, max(0, begin - 16), begin):
                continue  # "SpO2 95% RA": room air, not rheumatoid arthritis
            if text[begin:end] in _EXAM_LABELS and _EXAM_FOLLOWS.match(text, end):
                continue  # "PE: BP 132/76" is the physical exam, "MS: alert" the mental status
            if text[begin:end] == "PE" and _PE_TUBES.match(text, end):
                continue
            if text[begin:end] == "SBP" and _PRESSURE_VALUE.match(text, end):
                continue  # "SBP 82", "SBP goal <140": systolic blood pressure, not bacterial peritonitis
            said = text[begin:end].lower()
            if said == "faint" and (_FAINT_BEFORE.match(text, end)
                                    or _FAINT_SIGN.search(text, max(0, begin - 12), begin)):
                continue
            if said == "frequency" and _PITCH.search(text, max(0, begin - 6), begin):
                continue  # "high-frequency hearing loss": the pitch of a sound, not urinary frequency
            if said == "tattooed":
                continue  # "lesion tattooed distally": the endoscopist's ink mark, not a tattoo of the skin (L81.8)
            if (said in _OTHER_SENSE and (said == "callus" or not denied(begin))  # a denied one stays a pertinent negative
                    and _OTHER_SENSE[said].search(text, _sentence_start(text, begin), _sentence_end(text, end))):
                continue  # "early callus" on an X-ray, "paravalvular regurgitation", "GSV reflux": see _OTHER_SENSE
            if _NOT_FINDING.match(text, end) and not all(mt.term.code.startswith(_DRUG_THERAPY) for mt in m.matches):
                continue  # "influenza vaccine", "rabies exposure": not the patient's condition (but a drug
                # taken as "nitrofurantoin prophylaxis" is long-term drug therapy)
            label = _label_words(text, begin, labels)
            concepts = self._concepts(m, tokens, owner, k, label)  # after the cheap span checks above
            if not concepts:
                continue
            if concepts[0].code.startswith(_PROCEDURE_STATUS) and (
                    _PLANNED_BEFORE.search(text, max(0, begin - 40), begin) or _PLANNED_AFTER.match(text, end)):
                continue  # "consulted for CABG", "kidney transplant evaluation": the procedure is yet to come
            if concepts[0].code.startswith(_ALLERGY_STATUS) and (_DRUG_GIVEN_BEFORE.search(text, max(0, begin - 40), begin)
                                                                 or _DRUG_GIVEN_AFTER.match(text, end)):
                continue  # "treated with benzathine PCN", "penicillin G started": the drug given, no allergy
            if concepts[0].code == _WEIGHT_LOSS and (_AIM_BEFORE.search(text, max(0, begin - 60), begin)
                                                     or _AIM_AFTER.match(text, end)):
                continue  # "Obesity - continue wt loss", "weight loss would help knees": a treatment, not a symptom
            if concepts[0].code.startswith(_COMA_PARTS) and not _COMA_SCALE.search(
                    text, text.rfind("\n", 0, begin) + 1, _line_end(text, end)):
                continue  # "episodes of screaming at night": a behaviour, not a verbal score of the coma scale
            if concepts[0].code in _SITELESS:
                if label:
                    concepts = self._with_label_site(text[begin:end], label, concepts, "the line's label")
                elif (site := _site_before(text, begin, denied)) is not None:
                    concepts = self._with_label_site(text[begin:end], _site_words(site.group(0)), concepts,
                                                     f"{site.group(0)!r} earlier in the paragraph")
            elif ("H00" <= concepts[0].code < "H60" and _NO_SIDE.search(concepts[0].evidence)
                  and (eye := _eye_before(text, begin, denied)) is not None):
                concepts = self._with_eye_side(m, tokens, owner, k, eye, concepts)
            elif _NO_SIDE.search(concepts[0].evidence) and (site := _site_before(text, begin, denied)) is not None:
                concepts = self._with_recalled_side(m, tokens, owner, k, text[begin:end], site.group(0), concepts)
            span = m.last - m.first + 1
            fuzzy = any(tokens[p].norm not in self.dictionary.vocabulary and len(tokens[p].words) == 2
                        for p in m.positions)
            score = (0.6 + 0.4 * len(m.positions) / span) * (0.9 if fuzzy else 1.0)
            traits: list[Trait] = []
            seen: set[str] = set()
            learned = any(mt.term.kind in _LEARNED_KINDS for mt in m.matches)
            # only a scope over one of the mention's tokens can give it a trait
            nearby = sorted({n for i in range(m.first, m.last + 1) for n in covering.get(i, ())})
            for first, last, trait, start, cue in (scopes[n] for n in nearby):
                inside = begin <= start < end  # a cue inside the mention is part of its name ...
                if (inside and cue in ("not", "no") and first in m.positions
                        and "without" not in concepts[0].evidence.lower()  # "Nausea without vomiting"
                        and "without" not in concepts[0].description.lower()
                        and not _names_absence(concepts[0].description)):
                    inside = False  # ... except "liver not enlarged": "not" before one of its words
                if (inside and learned and (trait not in _NAMED_INSIDE or _relative_not_named(trait, concepts[0].code))
                        and not concepts[0].code.startswith("Z")
                        and not _PAST_CODE.search(concepts[0].description) and _cue_learned_only(m, tokens, start)):
                    inside = False  # ... or only a learned phrase took the cue along ("Return if fever", "Hx migraine")
                if cue in _PREVENTS and concepts[0].code.startswith(_DRUG_THERAPY):
                    continue  # "TMP-SMX prophylaxis": the drug is taken, to prevent an infection
                if (trait not in seen and first <= m.last and m.first <= last and not inside):
                    seen.add(trait)
                    traits.append(Trait(trait, _TRAIT_SCORE[trait], cue))
            if "NEGATION" not in seen and all(mt.term.kind in _DENIED_KINDS for mt in m.matches):
                continue  # "erythema" asserted on its own: see matcher.DENIED_ONLY and learn.DENIED
            section = None
            for s in sections:
                if s.body <= begin < s.end:
                    section = s.name
                    if s.trait and s.trait not in seen:
                        seen.add(s.trait)
                        traits.append(Trait(s.trait, _TRAIT_SCORE[s.trait], f"section:{s.name}"))
            if "HISTORY" in seen and concepts[0].code.startswith("F17.2") and not seen & {"NEGATION", "PERTAINS_TO_FAMILY"}:
                # a former smoker: ICD-10-CM codes the past dependence as Z87.891 (index: History, personal,
                # nicotine dependence), a status that is current
                past = self.dictionary.codes.get(_NICOTINE_HISTORY)
                if past:
                    concepts = [Concept(_NICOTINE_HISTORY, past[0], concepts[0].score,
                                        concepts[0].evidence + "; past use: History, personal, nicotine dependence"),
                                *concepts[:MAX_CONCEPTS - 1]]
            if "PERTAINS_TO_FAMILY" in seen and concepts[0].code.startswith(_OWN_CIRCUMSTANCES):
                # "Caregiver strain - daughter tearful", "daughter (HCP) confirms DNR": the relative is part of
                # the patient's own circumstance (Z55-Z65) or speaks for the patient's code status (Z66);
                # 2 of 455 such gold mentions were a relative's
                seen.discard("PERTAINS_TO_FAMILY")
                traits = [t for t in traits if t.name != "PERTAINS_TO_FAMILY"]
            if "HISTORY" in seen and (seen & {"NEGATION", "PERTAINS_TO_FAMILY"}
                                      or _PAST_CODE.search(concepts[0].description)
                                      or concepts[0].code.startswith("Z")):
                # "no prior history of arrhythmia": absent, not past; "father had an MI at 50": a relative's
                # condition is family history, not the patient's past (4 of 1,374 family mentions in the gold
                # sets were also marked past); "history of preterm delivery" in a pregnancy (O09.21-): the
                # code itself is about the history, so it is current
                traits = [t for t in traits if t.name != "HISTORY"]
            kind = _kind(concepts[0].code)
            traits.insert(0, Trait(kind, 0.8, "code"))
            out.append(Entity(begin, end, text[begin:end], round(score, 4), tuple(traits), tuple(concepts), section))
        out.sort(key=lambda e: e.begin)
        out = refer_back(combine(ckd_stage(out, text, self.dictionary.codes), self.combinations, self.dictionary.codes))
        out = diabetes_type(out, self.dictionary.codes)
        out = diabetes_control(out, text, self.dictionary.codes)
        out = dementia_cause(out, self.dictionary.codes)
        out = tobacco_product(out, text, self.dictionary.codes)
        out = follow_up(out, text, self.dictionary.codes)
        out = pregnancy(out, text, self.pregnancy, self._resolve, (pregnant, puerperal))  # read once, above
        out = gestational_control(out, text, self.pregnancy, self.dictionary.codes)
        if not maternal:  # a mother's note that mentions her baby's newborn visit is still about her
            out = newborn(out, text, self.newborn, self.dictionary.codes, infant)
            if (any(_perinatal(e) for e in out)
                    and (age := note_age(text)) is not None and age >= _ADULT):
                # a phrase learned from a newborn's note ("white coating on tongue": P37.5, neonatal
                # candidiasis) names the adult's condition, which the code set's own terms read
                out = [e for e in out if not (_perinatal(e) and e.concepts[0].evidence.startswith("learned phrase"))]
        else:
            # perinatal codes (chapter 16, P00-P96) are the newborn's and never go on the mother's record
            # (guideline I.C.16.a): "caput" in a labor note is the baby's head
            out = [e for e in out if not _perinatal(e)]
        out = stated_grade(out, text, self.dictionary)
        out = sequela(out, text, self.sequela, self.dictionary.codes)
        out = bmi(out, text, self.bmi_bands, self.bmi_pediatric)
        if self.agreement:
            out = self.agreement.apply(out, self.dictionary.codes, maternal)
        return _without_nested(out)

    def _resolve(self, code: str, ctx: set[str]) -> tuple[str, str] | None:
        choice = specificity.resolve(self.dictionary, code, ctx, widen=False)  # the rule names the subcategory
        return (choice.code, choice.title) if choice else None

    def _concepts(self, m: _Mention, tokens: list[Token], owner: dict[int, int], k: int,
                  label: Sequence[set[str]] = ()) -> list[Concept]:
        # "Nausea without vomiting" names an absent detail ("no:vomiting"), but in "No chest pain" the "no"
        # before the mention denies all of it: there "chest" still says which pain
        outside = _denied_whole(m, tokens)
        ctx_tokens = [tokens[i].words if i not in outside else {w for w in tokens[i].words if not w.startswith("no:")}
                      for i in range(m.first, m.last + 1)] + list(label)
        sentence = tokens[m.first].sentence
        for step in (-1, 1):
            i = (m.first if step < 0 else m.last) + step
            crossed = step < 0 and i >= 0 and tokens[i].comma
            commas = 0
            # A problem list's "Pressure ulcer, sacrum, stage 3": the clause after the first comma still
            # describes the mention unless it names another condition ("OA of the right hip, history of
            # left breast cancer"); so its words are held until the clause ends.
            clause: list[set[str]] = []
            for _ in range(WINDOW):
                if not (0 <= i < len(tokens)) or tokens[i].sentence != sentence:
                    break
                if step > 0 and tokens[i - 1].comma:
                    commas += 1
                    crossed = commas > 1  # past a second comma only "right", "acute"... still belong
                    ctx_tokens.extend(clause)
                    clause = []
                if tokens[i].norm == "with" and step > 0 and i + 1 < len(tokens) and tokens[i + 1].norm in _HEALING:
                    i += step  # "fracture with delayed healing": the 7th character's words, not another condition
                    continue
                if owner.get(i, k) != k or tokens[i].norm in _STOP_WINDOW:
                    clause = []
                    break
                if crossed and tokens[i].norm not in specificity.DETAIL_WORDS:
                    break  # across a comma only "right", "acute", "follow-up"... still belong to the mention
                if tokens[i].norm not in _NOT_A_DETAIL:
                    (clause if commas == 1 else ctx_tokens).append(tokens[i].words)
                if step < 0 and i > 0 and tokens[i - 1].comma:
                    crossed = True
                i += step
            ctx_tokens.extend(clause)
        ctx = specificity.context_words(ctx_tokens)
        if not ctx & specificity.SIDES and any(
                tokens[i].raw.lower() in specificity.PAIRED_PLURALS
                or (i > m.first and f"{tokens[i - 1].raw} {tokens[i].raw}".lower() in specificity.PAIRED_PLURALS)
                for i in range(m.first, m.last + 1)):
            ctx = ctx | {specificity.PLURAL_PAIR}  # "OA knees", "dry eyes": the plural names both sides
        negated = {p for p in m.positions if p not in outside and any(w.startswith("no:") for w in tokens[p].words)}
        best: dict[str, tuple] = {}  # code -> (score, title, term, choice, hinted words, paired side)
        resolved: dict[tuple[str, bool], specificity.Choice | None] = {}  # a mention's terms share codes
        denied_only = all(match.term.kind in _DENIED_KINDS for match in m.matches)
        for match in m.matches:
            term = match.term
            if term.kind in _DENIED_KINDS and not denied_only:
                continue  # a bare exam word is no reading of a fuller mention
            code, words = term.code, ctx
            learned_kind = term.kind in _LEARNED_KINDS
            if learned_kind:
                # a learned phrase's code took its side and encounter from the notes it was learned from;
                # here only this note's words may choose them, so it starts from the widened code, with
                # the learned code's other details
                words = ctx | specificity.learned_hint(self.dictionary, code)
                code = specificity._widen(self.dictionary, code)
            key = (term.code, learned_kind)
            if key not in resolved:
                resolved[key] = specificity.resolve(self.dictionary, code, words)
            choice = resolved[key]
            if choice is None:
                continue
            coverage = (0.5 + 0.5 * len(match.positions) / len(m.positions)) * (0.85 + 0.15 * len(term.required) / m.size)
            score = coverage * KIND_WEIGHT.get(term.kind, 0.9) * choice.score
            score *= 0.8 ** len(_weak_words(term.text) - ctx) * 0.7 ** len(_side_words(term.text) - ctx)
            if match.positions & negated and any("no:" + w in tokens[p].words
                                                 for p in match.positions & negated for w in term.required):
                score *= 0.5  # a word the term needs is present only after "without"
            if choice.code in best and best[choice.code][0] >= score:
                continue
            best[choice.code] = (round(score, 4), choice.title, term, choice, words - ctx, False)
            if choice.pair and choice.pair not in best:
                best[choice.pair] = (round(score, 4) - 0.0001, self.dictionary.codes[choice.pair][0], term, choice,
                                     words - ctx, True)
        # the evidence text is written for the concepts kept only
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:MAX_CONCEPTS]
        out = []
        first = ranked[0][0] if ranked else None
        for code, (score, title, term, choice, hinted, pair) in ranked:
            evidence = self._evidence(term, choice, hinted)
            if pair:  # the second side: its own side in the evidence
                evidence = _other_side(evidence) + "; both sides stated, no bilateral code: each side coded"
            # the second side is reported with its mate only: under another reading ("bilateral ankle
            # swelling": R60.0 first, the effusion codes M25.471/M25.472 behind it) it is one more candidate
            out.append(Concept(code, title, score, evidence, additional=pair and choice.code == first))
        return out

    def _evidence(self, term, choice: specificity.Choice, hinted: AbstractSet[str]) -> str:
        """:func:`_evidence`, kept per reading: a note says its terms again, and notes share most of theirs."""
        key = (term, choice, frozenset(hinted))
        found = self._evidence_cache.get(key)
        if found is None:
            found = _evidence(term, choice, self.dictionary.learned, hinted)
            if len(self._evidence_cache) < 100_000:
                self._evidence_cache[key] = found
        return found

    def _with_label_site(self, mention: str, label: list[set[str]], concepts: list[Concept],
                         source: str) -> list[Concept]:
        """A bare "pain" or "swelling" on a line labelled "R ankle:" is read as "pain of the R ankle"
        (likewise after a sided site earlier in the paragraph); ``source`` says where the site came from."""
        sides = {*_SIDE_LETTER, *_SIDE_LETTER.values()}
        site = " ".join(w for ws in label for w in sorted(ws - sides))
        for phrase in (f"{mention} of {site}", f"{mention} of {site} joint"):  # "Pain(s), joint, ankle"
            tokens = tokenize(phrase)
            self.dictionary.prepare(tokens)
            found = _group(self.dictionary.match(tokens), tokens)
            best = max(found, key=lambda m: len(m.positions)) if found else None
            if best is not None and len(best.positions) >= 2:
                break
        else:
            return concepts
        owner = {p: 0 for p in best.positions}
        better = self._concepts(best, tokens, owner, 0, label)
        if not better or better[0].code in _SITELESS:
            return concepts
        top = better[0]
        moved = Concept(top.code, top.description, top.score, f"{top.evidence}; site from {source}")
        return [moved, *(c for c in concepts if c.code != top.code)][:MAX_CONCEPTS]

    def _with_recalled_side(self, m: _Mention, tokens: list[Token], owner: dict[int, int], k: int, mention: str,
                            site: str, concepts: list[Concept]) -> list[Concept]:
        """"L knee hit 4 d ago. Medial knee pain": a mention that names a site but no side takes the side
        said with the same site (``site``, earlier in the paragraph)."""
        named = _site_words(site)
        said = set(words(mention))
        if not any(w in said or w.rstrip("s") in said for w in named[-1]):
            return concepts  # another site: its side says nothing here
        return _sided_first(self._concepts(m, tokens, owner, k, named[:1]), site, concepts)

    def _with_eye_side(self, m: _Mention, tokens: list[Token], owner: dict[int, int], k: int,
                       eye: re.Match[str], concepts: list[Concept]) -> list[Concept]:
        """"L eye pain, FB sensation, tearing": an eye finding that names no side takes the side said of
        the eye earlier in the paragraph (an eye code's title names the lacrimal gland or the eyelid, not
        "eye", so the limb sites' recall does not reach it)."""
        said = eye.group(0).lower().split()[0].rstrip(".")
        side = _EYE_SIDES.get(said, "bilateral")
        return _sided_first(self._concepts(m, tokens, owner, k, [{side}]), eye.group(0), concepts)

    def conflicts(self, entities: list[Entity]) -> list[Conflict]:
        return excludes1_conflicts(self.kb, [e.concepts[0].code for e in entities if e.asserted and e.concepts])


_ABSENCE_CUES = frozenset({"without", "not", "no"})


def _denied_whole(m: _Mention, tokens: list[Token]) -> set[int]:
    """The mention's tokens marked absent ("no:<word>", see tokens._mark_without) by a cue before the
    mention: "no" in "No chest pain" denies the whole mention, not one of its words."""
    out: set[int] = set()
    for p in range(m.first, min(m.first + 3, m.last + 1)):  # a cue reaches three words at most
        if not tokens[p].absent and not any(w.startswith("no:") for w in tokens[p].words):
            continue
        cue = next((q for q in range(p - 1, max(-1, p - 4), -1) if tokens[q].norm in _ABSENCE_CUES), None)
        if cue is not None and cue < m.first:
            out.add(p)
    return out


def _split_lists(matches: list[Match], tokens: list, text: str) -> list[Match]:
    """Drop a match that joins the items of a comma list ("dyspnea, orthopnea", "BPH, OAB, HTN").

    A term's words may lie apart in the sentence, so "headaches, cough" matches "Headache, cough" (G44.83)
    and "fever, yellow eyes" matches yellow fever. When the commas inside such a match cut it into two or
    more parts that each hold a whole match of their own, the note lists separate conditions and the
    joining match goes; "MDD, recurrent, severe" or "Constipation, opioid-induced" stay one mention, as
    their later parts name no condition.
    """
    out = []
    # the nearest end of a match starting at each token: a part [lo, hi] holds a whole match when some
    # token in it starts one that ends by hi (a match that crosses a comma never fits inside one part)
    shortest: dict[int, int] = {}
    # "MDD, recurrent, severe without psychotic features": a finding named after "without" is the part's
    # absent detail, not a condition of its own, so it does not make the part a list item
    absent = {j for i, t in enumerate(tokens) if t.norm == "without" for j in range(i + 1, i + 4)}
    for o in matches:
        if _detail_only(o):
            continue  # "Asthma, mild persistent", "MDD, single episode": a detail learned as a phrase, not an item
        if o.last < shortest.get(o.first, o.last + 1) and not (absent and o.positions <= absent):
            shortest[o.first] = o.last
    spans = {(o.first, o.last) for o in matches}
    for m in matches:
        if m.first == m.last:  # one word: no pair, no comma inside
            out.append(m)
            continue
        if " with " not in m.term.text.lower() and _two_findings(m, tokens, text, spans):
            continue
        cuts = [i for i in range(m.first, m.last) if tokens[i].comma]
        if not cuts:
            out.append(m)
            continue
        bounds = [m.first, *(c + 1 for c in cuts), m.last + 1]
        parts = [(lo, hi - 1) for lo, hi in pairwise(bounds)]
        whole = sum(1 for lo, hi in parts if any(shortest.get(f, hi + 1) <= hi for f in range(lo, hi + 1)))
        if whole < 2:
            out.append(m)
    return out


def _two_findings(m: Match, tokens: list, text: str, spans: set[tuple[int, int]]) -> bool:
    """Whether ``m`` joins two findings written as a pair, "SI/HI" or "numbness or tingling", each side
    exactly a match of its own: coders code each. "Nausea/vomiting" keeps "Nausea with vomiting" (the
    caller's check), a code the classification made for the pair, and "leaks urine when coughs/sneezes"
    stays one phrase, as its first side is no finding by itself."""
    for i in range(m.first, m.last):
        if text[tokens[i].end:tokens[i + 1].start] == "/":
            right = i + 1
        elif tokens[i + 1].norm == "or" and i + 1 < m.last:
            right = i + 2
        else:
            continue
        if (m.first, i) in spans and (right, m.last) in spans:
            return True
    return False


_QUALIFIERS = specificity.DETAIL_WORDS | frozenset({
    "mild", "moderate", "severe", "intermittent", "persistent", "complicated", "uncomplicated", "controlled",
    "uncontrolled", "unspecified", "primary", "secondary", "early", "end"})


# words that only qualify a condition named before them; a learned phrase of these words alone ("single
# episode", F32.1 in the notes it came from) does not make a comma part a list item of its own
_DETAIL_ONLY = _QUALIFIERS | frozenset({"single", "episode", "recurrent", "remission", "partial", "full", "in"})


def _detail_only(m: Match, words: frozenset[str] = _DETAIL_ONLY) -> bool:
    """Whether every word ``m``'s term needs is one of ``words`` (a term with no words is not)."""
    return bool(m.term.required) and m.term.required <= words


def _drop_misreadings(matches: list[Match], tokens: list[Token], text: str) -> list[Match]:
    """Drop the kinds of match that misread the words they span:

    * a learned phrase made of qualifiers only ("mild persistent", learned from "Asthma, mild
      persistent") right before a finding: "persistent mild headache" is a headache, and the
      qualifiers are its details, not asthma;
    * a term whose words lie apart and skip over another finding joined by "and" or "or" (see
      :func:`_skips_a_finding`);
    * a term that starts with a one-letter label and its colon: "Q: fever in a patient with a Foley"
      (the consult question) is a fever, not Q fever (A78).
    * a term that runs across a comma into the qualifiers of the next finding: "HTN, secondary HPT";
      or that starts in the qualifiers of the finding before it and runs across a comma: "HTN (well
      controlled), hypothyroidism" is no "hypothyroidism, well-controlled" (a learned phrase);
    * a "secondary" term read from "due to" or "secondary to": "ESRD due to DM2" names the diabetes as
      the cause; it is not "secondary diabetes" (E13);
    * a primary malignancy of a site the text reaches with "to": "breast cancer to bone (spine)" is a
      spread to the bone (patterns.toml reads it as secondary), not a primary bone cancer;
    * a term that reads its "mass" from "BMI": "BMI 41.3, neck 18 in" is no mass of the neck.
    """
    findings = [m for m in matches if not _detail_only(m, _QUALIFIERS)]
    starts = {m.first for m in findings}
    ends = {m.last for m in findings}
    out = []
    for m in matches:
        nxt = m.last + 1
        # a finding starts right after this match, in its sentence and with no comma between
        finding_next = nxt in starts and tokens[nxt].sentence == tokens[m.last].sentence and not tokens[m.last].comma
        if finding_next and _qualifies_next(m, tokens):
            continue
        prev = m.first - 1
        if prev in ends and tokens[prev].sentence == tokens[m.first].sentence and _qualifies_previous(m, tokens):
            continue
        if (finding_next and m.term.kind in _LEARNED_KINDS and _detail_only(m, _QUALIFIERS)
                and not text[tokens[m.last].end:tokens[nxt].start].strip()):
            continue
        if m.last - m.first + 1 > len(m.positions) and _skips_a_finding(m, matches, tokens):
            continue
        if (m.last > m.first and len(tokens[m.first].raw) == 1
                and text[tokens[m.first].end:tokens[m.first + 1].start].lstrip().startswith(":")):
            continue
        if "secondary" in m.term.required and "to" not in m.term.required and any(
                "secondary" in tokens[p].words and "to" in tokens[p].words for p in m.positions):
            continue  # "ESRD due to DM2": the diabetes is the cause, not a secondary diabetes (E13)
        if "malignant primary" in m.term.text and any(
                m.first < p and p - 1 not in m.positions and tokens[p - 1].norm == "to" for p in m.positions):
            continue  # "breast cancer to bone": the bone is where it spread, not a primary bone cancer (C41)
        if (m.term.kind not in _LEARNED_KINDS and any(tokens[p].norm == "bmi" for p in m.positions)
                and not _BODY_MASS.search(m.term.text)):
            continue  # "BMI 41.3, neck 18 in": the body mass index, not a mass of the neck (R22.1)
        out.append(m)
    return out


def _qualifies_next(m: Match, tokens: list[Token]) -> bool:
    """Whether ``m`` runs across a comma into qualifiers only, and so takes the words of the finding
    they qualify: "HTN, secondary HPT" is hypertension and secondary hyperparathyroidism, not secondary
    hypertension."""
    cut = next((i for i in range(m.last - 1, m.first - 1, -1) if tokens[i].comma), None)
    return cut is not None and all(tokens[i].norm in _QUALIFIERS for i in range(cut + 1, m.last + 1))


# the qualifiers plus how well a condition is controlled ("well", "poorly" controlled)
_TRAILING_QUALIFIERS = _QUALIFIERS | frozenset({"well", "poorly", "adequately", "suboptimally", "optimally", "fairly"})


def _qualifies_previous(m: Match, tokens: list[Token]) -> bool:
    """Whether ``m`` starts with qualifiers only and then crosses a comma: they qualify the finding
    before them ("HTN (well controlled), hypothyroidism")."""
    cut = next((i for i in range(m.first, m.last) if tokens[i].comma), None)
    return cut is not None and all(tokens[i].norm in _TRAILING_QUALIFIERS for i in range(m.first, cut + 1))


def _skips_a_finding(m: Match, matches: list[Match], tokens: list[Token]) -> bool:
    """Whether a term whose words lie apart skips over another finding joined by "and" or "or": "Mild
    cough and stuffy nose" is a cough and a congestion, not "Mild nasal congestion" over the cough; or
    joins two findings by "or": "no fever or chills" denies each, and is no "fever with chills"."""
    gap = set(range(m.first, m.last + 1)) - m.positions
    if not any(tokens[i].norm in ("and", "or") for i in gap):
        return False
    findings = [o for o in matches if o is not m and not _detail_only(o) and o.term.kind not in _DENIED_KINDS]
    if any(o.positions <= gap for o in findings):
        return True
    split = next((i for i in sorted(gap) if tokens[i].norm == "or"), None)
    if split is None or "or" in m.term.required:
        return False
    before, after = {p for p in m.positions if p < split}, {p for p in m.positions if p > split}
    return all(any(o.positions == side for o in findings) for side in (before, after))


_CONJUNCTIONS = frozenset({"and", "or", "nor"})


def _group(matches: list[Match], tokens: list[Token]) -> list[_Mention]:
    """Non-overlapping mentions, largest term first; a term inside a mention becomes one of its candidates."""
    # fully ordered (position, code and text break ties), so grouping never depends on the order matches came in;
    # of two equal readings the one inside a list item wins ("HTN, gestational diabetes": not O13); a comma
    # before a qualifier ("asthma, mild intermittent") sets off a detail, not another item
    breaks = [i for i in range(len(tokens) - 1) if tokens[i].comma and tokens[i + 1].norm not in _QUALIFIERS]

    def across_items(m: Match) -> bool:
        k = bisect.bisect_left(breaks, m.first)
        return k < len(breaks) and breaks[k] < m.last

    # of two terms with as many words, an unbroken one first (nothing between its words but "of", "the"
    # ...), and of those the one that reads more of the note's tokens: "cancer" alone stands for both words
    # of "Malignant neoplasm" (abbreviations.tsv), but "thyroid cancer" is C73. A term read across other
    # words or an "and" ("SOB and leg swelling" as "shortness, leg", M21.70; "UTI and AKI" as a kidney
    # infection) comes after them.
    def order(m: Match) -> tuple:
        span = m.last - m.first + 1
        whole = span == len(m.positions) or all(
            i in m.positions or (tokens[i].norm in STOPWORDS and tokens[i].norm not in _CONJUNCTIONS)
            for i in range(m.first + 1, m.last))
        return (-len(m.term.required), not whole, -len(m.positions) if whole else 0, span, across_items(m),
                -KIND_WEIGHT.get(m.term.kind, 0.9), m.first, m.term.code, m.term.text)

    matches.sort(key=order)
    mentions: list[_Mention] = []
    covered: set[int] = set()
    spans: dict[int, list[int]] = {}  # token index -> the mentions whose span holds it, in order made
    spanned: set[int] = set()  # its keys as a set: isdisjoint with a dict would walk the whole dict

    def span(k: int, first: int, last: int) -> None:
        for i in range(first, last + 1):
            held = spans.setdefault(i, [])
            if k not in held:
                held.append(k)
        spanned.update(range(first, last + 1))

    for match in matches:
        if match.positions.isdisjoint(spanned):
            mentions.append(_Mention(set(match.positions), match.first, match.last, len(match.term.required), [match]))
            covered |= match.positions
            span(len(mentions) - 1, match.first, match.last)
            continue
        # the first mention, in the order made, whose span holds this match and whose reading it shares
        held = spans.get(match.first, ())
        host = next((mt for mt in (mentions[k] for k in (held if len(held) < 2 else sorted(held)))
                     if match.last <= mt.last
                     and (match.positions <= mt.positions or match.term.required <= mt.matches[0].term.required)),
                    None)
        if host is not None:
            host.matches.append(match)
            continue
        new = match.positions - covered
        if len(new) < len(match.positions) and (len(new) < 2 or len(new) * 2 < len(match.positions)):
            # Overlaps a mention and adds too little of its own: an alternative reading of that mention
            # when it is as big ("seasonal allergic rhinitis due to pollen"), else dropped.
            host = max(mentions, key=lambda mt: len(mt.positions & match.positions))
            shared = len(host.positions & match.positions)
            if (len(match.term.required) >= host.size and shared >= 2 and shared * 2 >= len(match.positions)
                    and covered.isdisjoint(match.positions - host.positions)):  # not into another mention's words
                host.matches.append(match)
                host.positions |= match.positions
                host.first, host.last = min(host.first, match.first), max(host.last, match.last)
                covered |= match.positions
                span(next(k for k, mt in enumerate(mentions) if mt is host), host.first, host.last)
            continue
        mentions.append(_Mention(set(match.positions), match.first, match.last, len(match.term.required), [match]))
        covered |= match.positions
        span(len(mentions) - 1, match.first, match.last)
    return mentions


_WEAK = frozenset({"other", "specified", "nec", "subsequent", "sequela"})
_SIDES = frozenset({"right", "left", "bilateral"})


@lru_cache(maxsize=100_000)
def _weak_words(text: str) -> frozenset[str]:
    return frozenset(w for w in words(_PARENS.sub(" ", text)) if w in _WEAK)


@lru_cache(maxsize=100_000)
def _side_words(text: str) -> frozenset[str]:
    return frozenset(w for w in words(_PARENS.sub(" ", text)) if w in _SIDES)


_NICOTINE_HISTORY = "Z87.891"
# the coma scale's eye, verbal and motor scores (R40.21-R40.23, whose inclusion terms are "screaming",
# "moans", "abnormal flexion") count only on a line that gives the scale; no gold note coded one
_COMA_PARTS = ("R40.21", "R40.22", "R40.23")
# Status codes of a procedure done or a device in place (transplant, graft, implant, absence after
# surgery) and the words that make the procedure a plan instead ("plan CABG", "referred for kidney
# transplant evaluation", "CABG delayed")
_PROCEDURE_STATUS = ("Z89", "Z90", "Z94", "Z95", "Z96", "Z98")
_PLANNED_BEFORE = re.compile(
    r"\b(?:plan(?:ned|ning)?|elective|(?:consulted|referred|referral|candidate|candidacy|scheduled|listed|"
    r"evaluation|eval|work-?up|booked|consent(?:ed)?|here|admitted|presents?) for|awaiting|await|discuss(?:ed)?|"
    r"consider(?:ing)?|recommend(?:ed|s)?|needs?|undergo(?:ing)?|for possible)"
    r"(?:\s+(?:an?|the|elective|urgent|possible|redo|staged|repeat|his|her))*\s*:?\s*$", re.IGNORECASE)
_PLANNED_AFTER = re.compile(r"\s*(?:evaluation|eval|work-?up|candidacy|candidate|consult(?:ation)?|referral|planned|"
                            r"scheduled|delayed|postponed|listing|waitlist|was recommended|is recommended)\b",
                            re.IGNORECASE)
# Weight loss as the treatment instead of the symptom: asked for, discussed or under way in a plan
# ("Obesity, BMI 36 - wt loss", "discussed weight loss", "after further wt loss", "weight loss 7-10%",
# "weight loss would help knees"). In the hand-coded training sets, 37 of the 48 places where "weight
# loss" was read as R63.4 and no coder coded it look so, and 1 of the 204 coded ones.
_WEIGHT_LOSS = "R63.4"
_AIM_BEFORE = re.compile(
    r"(?:\b(?:discuss(?:ed)?|continued?|cont|further|after|encourag\w*|surgical|since|rapid|intentional|"
    r"improv\w*[ \t]+(?:w/|with)|resolved[ \t]+(?:w/|with)|goal(?:[ \t]+of)?|first line|may mask|needs?|recommend\w*|"
    r"via|by|more|some|through)(?:[ \t]+\d+(?:\.\d+)?[ \t]*(?:%|lbs?|kg))?[ \t]*$)"
    r"|(?:\b(?:obes\w*|overweight|BMI[ \t]*\d+(?:\.\d+)?\)?|class[ \t]+(?:[1-3]|I{1,3}))[^\n.;]{0,30}[ \t]-[ \t]*$)",
    re.IGNORECASE)
_AIM_AFTER = re.compile(r"[ \t]*(?:\d+[ \t]*-[ \t]*\d+[ \t]*%|would\b|will\b|may\b|is first|first\b|before\b|discussed|"
                        r"going well|attempt|intentional|goal|surgery|then regain|\((?:semaglutide|GLP))", re.IGNORECASE)
# A drug named as a treatment given, tested or tolerated is no allergy status (Z88): "treated w/ benzathine
# PCN", "GBS positive - PCN G x3 doses", "Penicillin skin test negative", "ceftriaxone (PCN-S)". Learned
# phrases read "PCN" and "penicillin" alone as Z88.0 (right 281 of 349 times in training); in the hand-
# coded training sets these words around removed 34 of the 105 misreadings and 1 of the 728 right ones.
_ALLERGY_STATUS = "Z88"
_DRUG_GIVEN_BEFORE = re.compile(
    r"(?:\b(?:treated|tx|rx)(?:\s+(?:with|w/))?|\bbenzathine|\bIV|\bIM|\bPO|\bstart(?:ed|ing)?|\breceiv(?:ed|ing)|\bon|"
    r"\bcontinue|\bcont|\bppx|\bprophylaxis(?:\s*\()?|\bneeds?|\bdoses? of|\bcourse of|\bx\s*\d+\s*d(?:ays)?\s+of|"
    r"\bdesensiti[sz]\w*(?:\s+to)?|\bchallenge(?:\s+with)?|\bskin test(?:ing)?(?:\s+(?:to|for))?)\s*$", re.IGNORECASE)
_DRUG_GIVEN_AFTER = re.compile(
    r"\s*(?:G\b|VK\b|V\b|benzathine|procaine|started|given|x\s*\d|\d+(?:[.,]\d+)?\s*(?:mg|g|MU|million|units?|mcg|IU)\b|"
    r"-S\b|-sensitive|sensitive|susceptible|skin test|"
    r"challenge|tolerated|desensiti\w*|q\d|IV\b|IM\b|for\s+(?:GBS|syphilis|strep|prophylaxis))", re.IGNORECASE)
_COMA_SCALE = re.compile(r"\b(?:GCS|Glasgow|coma scale|E\d\s*V\d\s*M\d)", re.IGNORECASE)


# social and family circumstances (Z55-Z65), exposures (Z77: "dad smokes outside") and do-not-resuscitate
# status (Z66): always the patient's
_OWN_CIRCUMSTANCES = ("Z55", "Z56", "Z57", "Z58", "Z59", "Z60", "Z62", "Z63", "Z64", "Z65", "Z66", "Z77")


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


# Codes whose title is itself about the past ("Old myocardial infarction", "Personal history of ...").
# "without TM rupture", "no FB", "infant of mother with ...": absence and relatives inside a learned phrase
# are part of what it names; past and conditional words are not ("Hx migraine", "Return if fever")
_NAMED_INSIDE = frozenset({"NEGATION", "PERTAINS_TO_FAMILY"})


def _relative_not_named(trait: str, code: str) -> bool:
    """Whether a relative inside a learned phrase is still a family cue: only a newborn's code (P00-P04,
    "infant of mother with ...") names the relative; "Family history of asthma" learned as J45.909 from a
    relative's mention stays the relative's asthma."""
    return trait == "PERTAINS_TO_FAMILY" and not code.startswith("P")


def _cue_learned_only(m: _Mention, tokens: list[Token], start: int) -> bool:
    """Whether the cue starting at offset ``start`` lies only in the mention's learned phrases: the code
    set's own names keep their cue words ("History of falling"), a phrase learned from coded notes was
    learned from the words around a condition, cue included."""
    at = next((i for i in range(m.first, m.last + 1) if tokens[i].end > start), m.first)
    return not any(mt.first <= at <= mt.last for mt in m.matches if mt.term.kind not in _LEARNED_KINDS)


_PAST_CODE = re.compile(r"\b(?:history|old|healed)\b", re.IGNORECASE)


def _not_finding() -> re.Pattern[str]:
    tables = read_tables("not_findings.toml", "not-findings list", {"after", "tests"})
    words = r"[ \t]+(?:" + "|".join(re.escape(w) for w in tables.get("after", [])) + r")\b"
    tests = optional_any_of(tables.get("tests", []), "not-findings tests")
    return re.compile(words + (f"|{tests.pattern}" if tests else ""), re.IGNORECASE)


_NOT_FINDING = _not_finding()
# Words of a fracture and its imaging: "callus" in their sentence is bone healing. In the hand-coded
# training sets this reading drops 28 "callus" no coder coded and 3 of the 61 coded.
_BONE = re.compile(r"\b(?:fx|fractures?|x-?rays?|XR|radiograph\w*|films?|cast|IMN|ORIF|cortices|cortex|alignment|"
                   r"malleol\w*|clavicle|radius|ulna|tibia|fibula\w*|femur|humerus|bridging|remodel\w*|union|nonunion)\b",
                   re.IGNORECASE)


# Words read in another sense when their sentence is about something else: "callus" in a fracture's
# sentence is the bone healing, not a callosity of the skin; "regurgitation" about a heart valve is the
# valve's leak (I34-I37, named with the valve), not vomiting; "reflux" on a vein study is venous reflux,
# not GERD. A denied "regurgitation" or "reflux" stays: the pertinent negative a coder records.
_OTHER_SENSE = {
    "callus": _BONE,
    "regurgitation": re.compile(r"\b(?:valv\w*|paravalvular|mitral|aortic|tricuspid|pulmonic|pulmonary valve|"
                                r"leaflets?|bioprosthe\w*|prosthe\w*|TAVR|SAVR|AVR|MVR|MR|AR|TR|PR|jet|echo\w*|TTE|"
                                r"TEE)\b", re.IGNORECASE),
    "reflux": re.compile(r"\b(?:ven\w*|veins?|GSV|SSV|saphenous|femoral|popliteal|duplex|perforators?|SFJ|SPJ)\b",
                         re.IGNORECASE),
}


def _perinatal(e: Entity) -> bool:
    """An asserted or uncertain chapter 16 (P00-P96) reading: a denied one is a pertinent negative."""
    return bool(e.concepts) and e.concepts[0].code.startswith("P") and not e.has("NEGATION")


def _sentence_start(text: str, at: int) -> int:
    return max(text.rfind(".", 0, at), text.rfind("\n", 0, at)) + 1


def _sentence_end(text: str, at: int) -> int:
    ends = [x for x in (text.find(".", at), text.find("\n", at)) if x >= 0]
    return min(ends) if ends else len(text)


# A body-site label that starts a line of an exam or a problem list ("R knee: small effusion", "#2 L
# shoulder: pain at night", "L ankle - swelling"): its side and site describe the findings on that line.
_LABEL = re.compile(r"^[ \t]*(?:[A-Za-z]{2,12}:[ \t]*)?(?:#?\d+[.)]?[ \t]*)?((?:[RL]|right|left|bilat(?:eral)?)[ \t]+[A-Za-z][A-Za-z ]{1,24}?)[ \t]*(?::|[ \t]-[ \t])",
                    re.MULTILINE | re.IGNORECASE)


# A line of a spine report or note that starts with the level it describes ("L4-5: disc bulge with moderate
# canal stenosis", "C5-C6 - uncovertebral spurring"): the level names the region the spine codes need
# (M48.06- lumbar stenosis), which the line's other findings would otherwise hide from a later mention.
_LEVEL_LABEL = re.compile(r"^[ \t]*(?:[-*][ \t]*)?([CTL])(\d{1,2})(?:[ \t]*[-/][ \t]*([CTLS])?(\d{1,2}))?[ \t]*(?::|[ \t]-[ \t])",
                          re.MULTILINE | re.IGNORECASE)
_REGION = {"c": "cervical", "t": "thoracic", "l": "lumbar"}
_JUNCTION = {("c", "t"): "cervicothoracic", ("t", "l"): "thoracolumbar", ("l", "s"): "lumbosacral"}


def _labels(text: str) -> list[tuple[int, int, str]]:
    """(label end, line end, label text) for lines that start with a sided body-site label or a spinal level
    (given as its region: "L4-5:" is "lumbar region")."""
    out = [(m.end(), _line_end(text, m.end()), m.group(1)) for m in _LABEL.finditer(text)]
    for m in _LEVEL_LABEL.finditer(text):
        first, second = m.group(1).lower(), (m.group(3) or m.group(1)).lower()
        if region := _JUNCTION.get((first, second)) or _REGION.get(first):
            out.append((m.end(), _line_end(text, m.end()), f"{region} region"))
    return out


def _label_words(text: str, begin: int, labels: list[tuple[int, int, str]]) -> list[set[str]]:
    for start, end, label in labels:
        if start <= begin < end:
            return _site_words(label)
    return []


_SIDE_LETTER = {"r": "right", "l": "left", "bilat": "bilateral"}


_LATERALITY = re.compile(r"laterality: (left|right)")


def _other_side(evidence: str) -> str:
    """The evidence of a pair's second code: the side read for the first, swapped."""
    return _LATERALITY.sub(lambda m: "laterality: " + ("right" if m.group(1) == "left" else "left"), evidence)


def _site_words(label: str) -> list[set[str]]:
    return [{w} | ({_SIDE_LETTER[w]} if w in _SIDE_LETTER else set()) for w in words(label)]


# A sided limb or joint site ("R index finger", "left knee", "bilat ankles"; the sites are sites.toml's
# [recall] list) that a later bare "pain" or "swelling" in the same paragraph is about.
_RECALL_SITE = re.compile(
    r"(?<![\w/])(?:[RL]|rt|lt|right|left|bilat(?:eral)?)\.?[ \t]+(?:[a-z]+[ \t]+){0,2}?(?:"
    + "|".join(specificity.RECALL_SITES)
    + r")s?\b", re.IGNORECASE)
_RECALL_REACH = 300  # characters back from the bare finding
_NO_SIDE = re.compile(r"not stated: [^;]*\blaterality\b")  # as _evidence writes it


# An eye named with its side ("L eye", "right eye", "OD", "OU", "both eyes") that a later eye finding
# with no side of its own ("tearing", "photophobia") is about
_EYE_SIDE = re.compile(r"(?<![\w/])(?:(?:[RL]|rt|lt|right|left)\.?[ \t]+(?:[a-z]+[ \t]+)?eyes?\b|(?-i:OD|OS|OU)\b|"
                       r"(?:both|bilat(?:eral)?)[ \t]+eyes\b)", re.IGNORECASE)
_EYE_SIDES = {"r": "right", "rt": "right", "right": "right", "od": "right",
              "l": "left", "lt": "left", "left": "left", "os": "left"}


def _sided_first(sided: list[Concept], said: str, concepts: list[Concept]) -> list[Concept]:
    """``concepts`` led by the reading with the side recalled from ``said`` (earlier in the paragraph), when
    that reading found a side; else ``concepts`` as they were."""
    if not sided or _NO_SIDE.search(sided[0].evidence):
        return concepts
    top = sided[0]
    moved = replace(top, evidence=f"{top.evidence}; side from {said!r} earlier in the paragraph")
    return [moved, *(c for c in concepts if c.code != top.code)][:MAX_CONCEPTS]


def _eye_before(text: str, begin: int, denied: Callable[[int], bool]) -> re.Match[str] | None:
    """The last eye named with its side before ``begin`` in its paragraph, within reach, not denied there."""
    return _last_before(_EYE_SIDE, text, begin, denied)


def _site_before(text: str, begin: int, denied: Callable[[int], bool]) -> re.Match[str] | None:
    """The last sided site before ``begin`` in its paragraph (not past a blank line), within reach, that
    is not denied there (``denied`` says whether a negation covers an offset: "Denies R knee pain. Pain
    elsewhere" is no knee pain)."""
    return _last_before(_RECALL_SITE, text, begin, denied)


def _last_before(pattern: re.Pattern[str], text: str, begin: int,
                 denied: Callable[[int], bool]) -> re.Match[str] | None:
    blank = text.rfind("\n\n", 0, begin)
    start = max(0 if blank < 0 else blank + 2, begin - _RECALL_REACH)
    found = None
    for found in pattern.finditer(text, start, begin):
        pass
    return None if found is None or denied(found.end() - 1) else found


# Codes of a finding that names no site: under a sided body-site label they take the label's site.
_SITELESS = frozenset({"R52", "R60.0", "R60.9", "R22.9", "M25.40", "M25.50", "M25.60", "R25.2", "M79.89", "M25.48"})
_EXAM_LABELS = frozenset({"PE", "MS", "P/E"})
_EXAM_FOLLOWS = re.compile(r":\s*(?:BP|HR|T\b|Temp|VS|vitals|gen|general|NAD|WD|alert|awake|A&O|AAO|AOx|HEENT|"
                           r"well|pleasant|oriented|calm|no\b|nl\b|normal|wnl|lungs?|heart|abd|abdomen|skin|chest|"
                           r"cv\b|rrr|ext|neuro|pelvic|vulva|neck|eyes?\b|ears?\b|head\b|\d)", re.IGNORECASE)
_PRESSURE_VALUE = re.compile(r"\s*(?:[<>≥≤=:~]|(?!(?:19|20)\d\d\b)\d|\(|(?:of|in|goal|target|was|is|to|drop\w*|fell|down|up|trend\w*|nadir|"
                             r"range|under|over|above|below|less|greater|persistently|remains?)\b)", re.IGNORECASE)
# "PE tubes" are pressure-equalization tubes in the ear drums, not a pulmonary embolism
_PE_TUBES = re.compile(r"\s+tubes?\b", re.IGNORECASE)
# "high-frequency", "low frequency": the pitch of a sound, before "frequency"
_PITCH = re.compile(r"\b(?:high|low|mid)[- ]?$", re.IGNORECASE)
# "faint" describing a sign ("faint 2/6 murmur", "malar rash faint") rather than fainting ("felt faint")
_FAINT_SIGN = re.compile(r"(?:rash|murmur|pulses?|wheezes?|bruit|crackles|erythema|rub|lines?)\s+$", re.IGNORECASE)
_FAINT_BEFORE = re.compile(r"\s+(?!and\b|or\b|with\b|episodes?\b|spells?\b|x\s?\d)[\w/]", re.IGNORECASE)
_AFTER_PERCENT = re.compile(r"\d\s*%\s*(?:on\s+)?$")


def _without_nested(entities: list[Entity]) -> list[Entity]:
    """``entities`` without one that lies inside a longer one with the same code and traits: "post-op
    delirium" holds the "delirium" of the same F05, "former smoker 30 pk-yr" the "smoker" of the same
    Z87.891; each is a second reading of part of one mention, which a user would count twice."""
    # only entities of one code and traits can hold each other: compare within those groups, not all pairs
    same: dict[tuple, list[Entity]] = defaultdict(list)
    for e in entities:
        if e.concepts:
            same[(e.concepts[0].code, e.traits)].append(e)

    def held(e: Entity) -> bool:
        return any(o.begin <= e.begin and e.end <= o.end and o.end - o.begin > e.end - e.begin
                   for o in same[(e.concepts[0].code, e.traits)])

    return [e for e in entities if not (e.concepts and held(e))]


@lru_cache(maxsize=1)
def _default_patterns():
    return load_patterns() + load_patterns(name="status.toml")


def _names_absence(title: str) -> bool:
    """Whether a code title itself names an absence ("Post-traumatic headache, unspecified, not
    intractable", "Patient's noncompliance with ...": "not using CPAP" is the finding); "not elsewhere
    classified" names none."""
    low = f" {title.lower().replace('not elsewhere classified', '')} "
    return " not " in low or "noncompliance" in low or "underdosing" in low


def _kind(code: str) -> str:
    if code.startswith("R"):
        return "SYMPTOM" if code[:3] in _SYMPTOM_CATEGORIES else "SIGN"
    if code.startswith(("M25.5", "M54", "M79.6", "G89", "N94", "H57.1", "H92.0", "K08.8")):
        return "SYMPTOM"
    return "DIAGNOSIS"


def _evidence(term, choice: specificity.Choice, learned: dict, hinted: AbstractSet[str] = frozenset()) -> str:
    """``hinted``: detail words a learned code brought (specificity.learned_hint), not stated by the note."""
    if term.kind == DENIED_ONLY:  # see matcher.DENIED_ONLY
        parts = [f'index term "{term.text}" ({term.code}), a bare exam word kept because the note denies it']
    elif term.kind in _LEARNED_KINDS:
        x = learned[term]
        seen = x.right + x.wrong
        if term.kind == learn.LEARNED:
            parts = [f'learned phrase "{term.text}" ({term.code}): right {x.right} of {seen} times in hand-coded notes']
        else:
            parts = [(f'learned pertinent negative "{term.text}" ({term.code}), kept only when denied: '
                      f'a denied finding {x.right} of {seen} times it was denied in hand-coded notes')]
    else:
        parts = [f'{term.kind} term "{term.text}" ({term.code})']
    by_axis: dict[str, list[str]] = defaultdict(list)
    for w in choice.stated:
        by_axis["as learned" if w in hinted else _AXIS_OF.get(w, "words")].append(w)
    for axis, ws in by_axis.items():
        parts.append(f"{axis}: {' '.join(ws)}")
    if choice.missing:
        parts.append("not stated: " + ", ".join(choice.missing))
    return "; ".join(parts)


def excludes1_conflicts(kb: KB, codes: list[str]) -> list[Conflict]:
    """Pairs of ``codes`` that an Excludes1 note on one of them (or an ancestor) rules out together."""
    distinct = sorted(set(codes))
    out: list[Conflict] = []
    seen: set[tuple[str, str]] = set()
    for code in distinct:
        ancestors = _ancestors(code)
        marks = ",".join("?" * len(ancestors))
        rows = kb.conn.execute(
            f"SELECT DISTINCT code, text, refs FROM notes WHERE system = 'ICD10CM' AND kind = 'excludes1' "
            f"AND code IN ({marks})", ancestors).fetchall()
        for note_code, note, refs in rows:
            for ref in json.loads(refs):
                ref = ref.rstrip("-").rstrip(".")
                for other in distinct:
                    if other != code and other.startswith(ref) and not code.startswith(ref):
                        pair = tuple(sorted((code, other)))
                        if pair not in seen:
                            seen.add(pair)  # type: ignore[arg-type]
                            out.append(Conflict(code, other, note_code, note))
    return out


def _ancestors(code: str) -> list[str]:
    out = [code]
    c = code
    while len(c) > 3:
        c = c[:-1].rstrip(".")
        out.append(c)
    return out


def detect_document(text: str, kb: KB) -> Detection:
    det = Detector(kb)
    entities = det.detect(text)
    return Detection(tuple(entities), tuple(det.conflicts(entities)))
