"""Pick the billable code under a matched code from the words around the mention.

A term matched "Pain in knee" (M25.56, a header). Its billable descendants differ by the words their
titles add: "right" (M25.561), "left" (M25.562), "unspecified" (M25.569). Each descendant scores +1 for
each added word the mention's context has, 0 for words that state an official default (closed and
displaced fractures, initial encounter for active treatment, "unspecified"), a small penalty for
"other"/"specified" and -1 for every other word the text does not support. The best descendant wins;
ties go to the shorter title. Axes the text did not state (laterality, acuity, type, stage, episode) are
reported in the evidence, so a coder sees why the unspecified code was chosen.

Context words are normalised like the dictionary's and extended with what the text implies: "right and
left" or "both" means bilateral; one side means unilateral; "follow-up" means a subsequent encounter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_PARENS = re.compile(r"\([^()]*\)")
# Words an official default covers when the text is silent (ICD-10-CM guidelines I.C.19.c.1 for
# fractures: not stated displaced → displaced, not stated open → closed; 7th character A for active
# treatment).
DEFAULTS = frozenset(
    ["unspecified", "closed", "displaced", "initial", "encounter", "fracture", "routine", "healing", "primary", "without", "nos", "site", "part", "region", "type", "dominant", "i", "uncomplicated", "severity", "side", "organism", "quadrant"]
) | {"female"} | {"unrestricted", "contralateral"}  # breast codes: female unless the text says male (the common case; male must be documented)
# "unrestricted hearing on the contralateral side" is the normal state a note does not mention (H90.4-).
# "dominant": hemiplegia of an unstated dominance is coded to the dominant side (guideline I.C.6.a).
WEAK = frozenset({"other", "specified", "nec"})
AXES: dict[str, frozenset[str]] = {
    "laterality": frozenset({"right", "left", "bilateral"}),
    "acuity": frozenset({"acute", "chronic", "subacute", "recurrent"}),
    "episode": frozenset({"initial", "subsequent", "sequela"}),
    "type": frozenset({"1", "2", "i", "ii"}),
    "stage": frozenset({"stage"}),
    "displacement": frozenset({"displaced", "nondisplaced"}),
}
_IMPLIED = {
    "followup": "subsequent", "follow": "subsequent", "healing": "subsequent", "recheck": "subsequent",
    "late": "sequela", "residual": "sequela", "sequelae": "sequela",
    "bilat": "bilateral", "both": "bilateral", "bilaterally": "bilateral",
    "nondisplaced": "nondisplaced", "undisplaced": "nondisplaced",
    "i": "1", "ii": "2", "iii": "3", "iv": "4", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth",
    # Gustilo grading names an open fracture and its type ("Gustilo IIIA": 7th character C)
    "gustilo": "open", "iiia": "iiia", "iiib": "iiib", "iiic": "iiic",
}


def _site_tables() -> dict:
    from medcode.detect._data import read_tables

    return read_tables("sites.toml", "body-site list", {"implies", "recall", "pairs"})


def _sites(table: dict[str, str]) -> dict[str, str]:
    return {w: site for key, site in table.items() for w in _norm(key)}


def _norm(word: str) -> list[str]:
    from medcode.search.text import words

    return words(word)


# "great toe" -> "~foot": a broader site that scores half a point (see sites.toml).
_SITE_TABLES = _site_tables()
SITES = _sites(_SITE_TABLES.get("implies", {}))
# limb and joint sites a later bare "pain" or "swelling" may refer back to (read by the detector)
RECALL_SITES = tuple(_SITE_TABLES.get("recall", {}).get("words", ()))
# paired sites in the plural ("knees"), which name both sides when the note names neither
PAIRED_PLURALS = frozenset(w.lower() for w in _SITE_TABLES.get("pairs", {}).get("words", ()))
SIDES = frozenset({"right", "left", "bilateral", "unilateral"})
PLURAL_PAIR = "plural:pair"  # context word for such a plural: bilateral where the code set has a bilateral code
HALF = "~"

# Words that may be picked up across a comma ("knee pain, right"; "fracture, follow-up visit").
DETAIL_WORDS = frozenset().union(*AXES.values(), _IMPLIED, {"unilateral", "up", "visit", "encounter"})


@dataclass(frozen=True, slots=True)
class Choice:
    code: str
    title: str
    score: float           # 0..1, how well the text supports this child
    stated: tuple[str, ...]   # context words that selected it (e.g. "right")
    missing: tuple[str, ...]  # axes the code could have had but the text did not state
    pair: str | None = None   # the other side's code when both sides are stated and no bilateral code exists


def context_words(tokens_words: list[set[str]]) -> set[str]:
    ctx: set[str] = set()
    for ws in tokens_words:
        if len(ws) == 1:  # most tokens: one word, which cannot be its own absence
            ctx |= ws
            continue
        # "severe sepsis, no septic shock": a word after "no"/"without" states its absence ("no:septic")
        ctx |= {w for w in ws if "no:" + w not in ws}
    for w in list(ctx):
        if w in _IMPLIED:
            ctx.add(_IMPLIED[w])
        if w in SITES and SITES[w] not in ctx:
            ctx.add(HALF + SITES[w])
    if {"right", "left"} <= ctx:
        ctx.add("bilateral")
    elif ctx & {"right", "left"}:
        ctx.add("unilateral")
    return ctx


@lru_cache(maxsize=200_000)
def _title_words(title: str) -> frozenset[str]:
    from medcode.detect.matcher import marked_words

    return frozenset(marked_words(_PARENS.sub(" ", title)))  # parenthesised words are nonessential


# The organ of a side-specific code ("Tinnitus, left ear", "Ocular hypertension, right eye"): the condition
# implies it, and "Tinnitus, bilateral" leaves it out, so it neither adds nor costs.
NEUTRAL = frozenset({"eye", "ear"})
_SIDE_EPISODE = frozenset({"right", "left", "bilateral", "initial", "subsequent", "sequela"})
SMALL_CATEGORY = 60  # a matched code may widen to its 3-character category when it has this few codes


def resolve(dictionary, code: str, ctx: set[str], limit: int = 1000, widen: bool = True) -> Choice | None:
    """The best billable code at or under ``code`` for the context words ``ctx``.

    A matched code whose title names a side, an encounter or (for a billable code) "unspecified" is first
    widened to the nearest ancestor that does not, so its siblings compete ("Pain in right knee" → "Pain
    in knee"). ``widen=False`` keeps to ``code`` itself: a rule that names a subcategory ("Unspecified
    infection of urinary tract in pregnancy", O23.4) wants its trimester child, not a cousin's. Results
    are cached on (code, the context words that can make a difference).
    """
    codes = dictionary.codes
    if code not in codes:
        return None
    origin = code if codes[code][1] else None
    if widen:
        code = _widen(dictionary, code)
    cands, vocab = _candidates(dictionary, code, limit)
    if origin is not None and code != origin:
        cands = _kin(dictionary, origin, cands)
    if not cands:
        return None
    key = (code, frozenset(ctx & vocab), origin)
    cache = dictionary.resolve_cache
    if key not in cache:
        cache[key] = _choose(dictionary, cands, set(key[1]), origin)
    return cache[key]


def _kin(dictionary, origin: str, cands: list) -> list:
    """The widened candidates that vary ``origin``'s own condition when "unspecified" alone widened it:
    "Dysmenorrhea, unspecified" (N94.6) competes with "Primary dysmenorrhea" (N94.4), not with N94.9
    "Unspecified condition associated with female genital organs and menstrual cycle", which a note about
    menstrual cramps would otherwise name word for word. A side or an encounter widens as before."""
    codes = dictionary.codes
    title = _title_words(codes[origin][0])
    if title & _SIDE_EPISODE or "unspecified" not in title:
        return cands
    key = ("kin", origin)
    if key not in dictionary.candidate_cache:
        dictionary.candidate_cache[key] = frozenset(c for c, _, _ in cands if c == origin or _varies(codes, origin, c))
    keep = dictionary.candidate_cache[key]
    return [x for x in cands if x[0] in keep]


_NOT_A_HINT = _SIDE_EPISODE | {"unilateral", "unspecified", "dominant", "nondominant", "non", "encounter"}
_HEALING = frozenset({"delayed", "nonunion", "malunion"})


def learned_hint(dictionary, code: str) -> frozenset[str]:
    """The detail words of a learned phrase's code that the note may keep without stating them: its
    title's words but side and encounter. "Cellulitis R foot" was learned as L03.115 "Cellulitis of right
    lower limb"; read in a note about the left foot it starts from L03.11, and "lower limb" (which the
    note's "foot" does not say in the code set's words) still tells L03.116 from L03.112, left axilla."""
    if code not in dictionary.codes:
        return frozenset()
    words = _title_words(dictionary.codes[code][0]) - _NOT_A_HINT
    # a fracture that heals late or badly ("with delayed healing", G; nonunion, K; malunion, P) is a
    # complication the note must state: a phrase learned from such a visit does not carry it elsewhere
    # (routine healing, D, may come along: a phrase learned from aftercare notes is mostly said in them)
    return words - _HEALING if code[0] in "STM" else words


def _widen(dictionary, code: str) -> str:
    key = ("widen", code)
    if key not in dictionary.candidate_cache:
        dictionary.candidate_cache[key] = _widen_uncached(dictionary, code)
    return dictionary.candidate_cache[key]


def _widen_uncached(dictionary, code: str) -> str:
    codes = dictionary.codes
    while True:
        title = _title_words(codes[code][0])
        other_site = codes[code][1] and {"other", "site"} <= title  # "Effusion, other site": the sites compete
        # "Unspecified fracture of metacarpal bone" (S62.30-) is the branch for an unstated type: its
        # siblings name the type ("Fracture of neck of ... metacarpal"), so they compete too
        # ... and so is "Pressure ulcer of unspecified heel" (L89.60-), whose siblings name the side
        unspecified_branch = not codes[code][1] and (
            codes[code][0].lower().startswith("unspecified")
            or ("unspecified" in title and _siblings_name_a_side(dictionary, code)))
        if not (title & _SIDE_EPISODE or (codes[code][1] and "unspecified" in title) or other_site
                or unspecified_branch):
            return code
        parent = codes[code][2]
        if not parent or parent not in codes:
            return code
        if len(parent) < 4 and len(_billable_under(dictionary, parent, SMALL_CATEGORY + 1)) > SMALL_CATEGORY:
            return code
        # "unspecified" alone widens only to siblings that vary the same condition ("Radiculopathy, site
        # unspecified" → "Radiculopathy, lumbar region"); R41.0 "Disorientation, unspecified" (inclusion
        # term "Confusion NOS") has no such siblings under R41.
        if (not title & _SIDE_EPISODE and not other_site and not unspecified_branch
                and not any(c != code and _varies(codes, code, c) for c in _billable_under(dictionary, parent, 50))):
            return code
        code = parent


def _varies(codes, code: str, other: str) -> bool:
    """Whether ``other`` names ``code``'s own condition, varied: its title starts as ``code``'s does
    ("Radiculopathy, lumbar region" for "Radiculopathy, site unspecified"), or holds all of ``code``'s
    title words but "unspecified" ("Primary dysmenorrhea" for "Dysmenorrhea, unspecified"), a word
    perhaps inside a longer one ("... with diabetic polyneuropathy" for "... with diabetic neuropathy,
    unspecified"), or names a side and shares two of its words ("Right lower quadrant pain" for "Lower
    abdominal pain, unspecified")."""
    own, theirs = _title_words(codes[code][0]) - {"unspecified"}, _title_words(codes[other][0])
    return (codes[other][0].lower().startswith(codes[code][0].split(",")[0].lower())
            or all(w in theirs or any(len(w) > 5 and w in t for t in theirs) for w in own)
            or bool(theirs & SIDES and len(own & theirs) >= 2))


# The billable code an index or tabular term names keeps this much of a lead over its widened siblings: a
# sibling wins only on a word the text states ("Sepsis" stays A41.9 "Sepsis, unspecified organism" and
# does not drift to A41.89 "Other specified sepsis"; "OA" stays M19.90, not M19.91 "Primary ...").
ORIGIN_LEAD = 0.5


def _siblings_name_a_side(dictionary, code: str) -> bool:
    parent = dictionary.codes[code][2]
    return bool(parent) and any(_title_words(dictionary.codes[c][0]) & {"right", "left"}
                                for c in dictionary.children.get(parent, ()) if c != code)


def _choose(dictionary, cands: list[tuple[str, frozenset[str], frozenset[str]]], ctx: set[str],
            origin: str | None = None) -> Choice:
    if PLURAL_PAIR in ctx and any("bilateral" in title for _, _, title in cands):
        ctx = ctx | {"bilateral"}  # "OA knees" is M17.0; "aches in hands" keeps the unspecified side
    if "bilateral" in ctx and not any("bilateral" in title for _, _, title in cands):
        ctx = ctx | {"right", "left"}  # no bilateral code here: code each side (see _other_side)
    # a word the text also states in a longer, more specific form adds nothing: "peripheral neuropathy"
    # reads as "polyneuropathy" too (abbreviations.tsv), and E11.42 "... diabetic polyneuropathy" beats
    # E11.40 "... diabetic neuropathy, unspecified"
    general = {w for w in ctx if len(w) > 5 and any(w != v and w in v for v in ctx)}
    best: tuple[float, float, str] | None = None
    best_stated: tuple[str, ...] = ()
    for c, extra, title in cands:
        score = 0.0
        stated = []
        for w in extra:
            if w in NEUTRAL:
                continue
            if w in ctx:
                if w not in general:
                    score += 1.0
                stated.append(w)
            elif HALF + w in ctx:
                score += 0.5
                stated.append(w)
            elif w in DEFAULTS or w.startswith("no:"):
                continue
            elif w in WEAK:
                score -= 0.4
            else:
                score -= 1.0
        if c == origin:
            score += ORIGIN_LEAD
        # Tie-break: the title whose own words the text covers best.
        tie = 0.01 * len(title & ctx) - 0.01 * len(title - ctx - DEFAULTS)
        if "unspecified" in extra:
            # When the text names no detail, the unspecified child ("..., unspecified site") beats an
            # "other site" child whose "other" is hidden because the parent's title has it too.
            tie += 0.005
        k = (round(score, 6), round(tie, 6), c)  # rounded: a sum over a set must not tie-break by float noise
        if best is None or k[:2] > best[:2]:
            best, best_stated = k, tuple(sorted(w.removeprefix("no:") for w in stated))
    assert best is not None
    chosen = best[2]
    missing = _missing(dictionary, [c for c, _, _ in cands], chosen, ctx)
    raw = best[0] - (ORIGIN_LEAD if chosen == origin else 0.0)
    quality = 1.0 if raw >= 0 else max(0.3, 1.0 + 0.2 * raw)
    pair = _other_side(dictionary, [c for c, _, _ in cands], chosen, ctx)
    if pair is not None and (both := _bilateral_cousin(dictionary, chosen)) is not None:
        chosen, pair = both, None
        best_stated = tuple(sorted({*best_stated, "bilateral"} - {"right", "left"}))
    return Choice(chosen, dictionary.codes[chosen][0], quality, best_stated, missing, pair)


def _candidates(dictionary, code: str, limit: int):
    """Billable codes at or under ``code`` with the words each adds to ``code``'s title, and their union."""
    cache = dictionary.candidate_cache
    if code in cache:
        return cache[code]
    base = _title_words(dictionary.codes[code][0])
    out = []
    vocab: set[str] = set()
    for c in _billable_under(dictionary, code, limit):
        title = _title_words(dictionary.codes[c][0])
        out.append((c, title - base, title))
        vocab |= title
    vocab |= {w.removeprefix("no:") for w in vocab}
    vocab |= {HALF + w for w in vocab}
    vocab |= SIDES | {PLURAL_PAIR}
    cache[code] = (out, frozenset(vocab))
    return cache[code]


def _other_side(dictionary, cands: list[str], chosen: str, ctx: set[str]) -> str | None:
    """When the text names both sides and the code set has no bilateral code, the other side's code."""
    if not {"right", "left"} <= ctx:
        return None
    words_ = _title_words(dictionary.codes[chosen][0])
    if "bilateral" in words_ or not words_ & {"right", "left"}:
        return None
    swap = {"right": "left", "left": "right"}
    want = frozenset(swap.get(w, w) for w in words_)
    for c in cands:
        if c != chosen and _title_words(dictionary.codes[c][0]) == want:
            return c
    return None


def _bilateral_cousin(dictionary, chosen: str) -> str | None:
    """A bilateral code elsewhere in the category for what ``chosen`` names on one side: the index sends
    "osteoarthritis, knee" to M17.1- (unilateral), but both knees are M17.0 "Bilateral primary
    osteoarthritis of knee", which the code set prefers to a right and a left code."""
    want = (_title_words(dictionary.codes[chosen][0]) - {"right", "left", "unilateral"}) | {"bilateral"}
    parent = dictionary.codes[chosen][2]
    grand = dictionary.codes[parent][2] if parent in dictionary.codes else None
    for c in _billable_under(dictionary, grand, 60) if grand is not None and grand in dictionary.codes else ():
        if _title_words(dictionary.codes[c][0]) == want:
            return c
    return None


def _missing(dictionary, cands: list[str], chosen: str, ctx: set[str]) -> tuple[str, ...]:
    chosen_words = _title_words(dictionary.codes[chosen][0])
    offered: set[str] = set()
    for c in cands:
        offered |= _title_words(dictionary.codes[c][0])
    out = []
    for axis, vocab in AXES.items():
        if axis == "type" or axis == "stage":
            continue
        if offered & vocab and not (chosen_words & vocab & ctx):
            if axis == "episode" and "initial" in chosen_words and "initial" not in ctx:
                out.append("episode (assumed initial encounter)")
            elif axis == "displacement" and "displaced" in chosen_words and "displaced" not in ctx:
                out.append("displacement (defaulted to displaced)")
            elif axis in ("laterality", "acuity") and "unspecified" in chosen_words or axis in ("laterality", "acuity") and not chosen_words & vocab:
                out.append(axis)
    if "unspecified" in chosen_words and not out:
        out.append("detail (code says unspecified)")
    return tuple(out)


def _billable_under(dictionary, code: str, limit: int) -> list[str]:
    out: list[str] = []
    stack = [code]
    while stack and len(out) < limit:
        c = stack.pop()
        if dictionary.codes[c][1]:
            out.append(c)
        stack.extend(dictionary.children.get(c, ()))
    return out
