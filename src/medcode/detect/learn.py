"""Terms learned from hand-coded notes: the phrasings clinicians use that the code set's own words miss.

The knowledge base's titles, inclusion terms and index paths name a condition the way the classification
does ("Hypertensive chronic kidney disease with stage 1 through stage 4 chronic kidney disease"). Notes
say "dry MM", "coffee-ground emesis", "poor skin turgor", "MDD, recurrent". A coder who has coded a few
hundred notes knows these by heart; this module learns them the same way, from notes coded by hand.

Training reads notes whose condition mentions carry a gold code (the bench's hand-coded sets, or a
user's own coded notes):

1. every mention's words (as the detector's tokenizer reads them, without side words and numbers)
   become a candidate phrase for its code; a phrase coded to several codes keeps the one coded most
   often, compared after widening side and encounter (so "knee pain" coded right in one note and left
   in another is one phrase whose side the detector reads from each note);
2. each candidate is matched over all the training notes exactly as the detector would match it, and
   counted as right where the match overlaps a gold mention of its code (or an accepted alternative)
   and swallows no gold mention of another code whole, and wrong elsewhere; a bare "pain" or "HR" that
   is coded in a few notes but written in many others without a finding gets a low precision;
3. phrases that were right often enough (``min_support`` times) and precisely enough (``min_precision``)
   are kept, with their counts, in a TSV file the detector reads next to its other vocabularies. A
   phrase coded to another category than the rules alone read it as ("neuropathy" as E11.42 in
   diabetic patients' notes; the rules say G62.9) owes its code to the rest of those notes, so it
   must be right more often (``min_precision_other``).

The counts go into each concept's evidence, so a coder sees that a code came from a learned phrase and
how often that phrase was right in training.

Written here rather than taken from a library: the learned unit has to be exactly the detector's own
matching unit (a bag of normalised words matched in any order within a sentence), which no off-the-shelf
text classifier gives, and a table of phrases with counts can be read and corrected by a coder.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from medcode.detect import specificity
from medcode.detect._data import read_tsv_parts, write_tsv
from medcode.detect.context import default_context, reaches
from medcode.detect.matcher import STEERING, Dictionary, Term
from medcode.detect.tokens import ACRONYM, tokenize
from medcode.errors import ConfigError
from medcode.search.text import STOPWORDS

LEARNED = "learned"  # the Term kind of a learned phrase
DENIED = "learned denied"  # the Term kind of a phrase learned as a pertinent negative: kept only when negated
# The packaged table is a folder of TSV files, one per first letter of the code (learned_terms/R.tsv holds
# the R codes' phrases): one file had passed 2 MB, and a coder reviews a chapter at a time. A user's own
# table (``medcode detect-learn --out``) is one file; :func:`load` reads either.
FILE = "learned_terms"
# The words a phrase requires are not stored: they are phrase_words(phrase) by construction (the phrase is
# a written form of the words it was learned under), and a table that wrote them too passed 2 MB.
COLUMNS = ("code", "phrase", "right", "wrong", "when")
# earlier layouts, with the words first: before "when" existed every row is "any"
_WORDS_COLUMNS = ("words", *COLUMNS)
_OLD_COLUMNS = _WORDS_COLUMNS[:5]
WHEN = ("any", "denied")
MAX_WORDS = 6  # longer phrases are one note's wording and never recur
_SIDE = frozenset({"r", "l", "rt", "lt", "bilat", "bl", "b"})
_NEGATORS = frozenset({"no", "not", "without"})
# Words of a negative result, which the context rules read as patterns rather than one-word cues
_RESULT_WORDS = frozenset({"negative", "neg", "nonreactive", "undetectable", "absent", "ruled", "excluded"})
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")


def _measure_words() -> frozenset[str]:
    """measure_words.tsv: a phrase of these words and a number was coded for its value (see there)."""
    text = resources.files("medcode.detect").joinpath("measure_words.tsv").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


_MEASURES = _measure_words()


@dataclass(frozen=True, slots=True)
class Learned:
    words: frozenset[str]
    code: str
    phrase: str  # the most frequent written form, for evidence
    right: int   # training matches on a gold mention of the code (when "denied": on a denied gold mention)
    wrong: int   # training matches anywhere else (when "denied": denied matches on no denied gold mention)
    when: str = "any"  # "denied": the detector keeps a match only when the note denies it

    @property
    def precision(self) -> float:
        return self.right / (self.right + self.wrong) if self.right + self.wrong else 0.0

    def term(self) -> Term:
        return Term(self.code, DENIED if self.when == "denied" else LEARNED, self.phrase, self.words)


def read_coded(path: Path) -> list[dict]:
    """Hand-coded notes from a TOML file ([[note]] id, text, [[note.mention]] text, code, also, traits;
    the format of bench/detect_notes/): each mention located as the first occurrence of its text after
    the previous mention's start. Returns {"id", "text", "mentions": [{"begin", "end", "code", "also",
    "traits"}]} per note; a malformed file or a mention not found raises ConfigError naming the note."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it as UTF-8 text ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    notes = []
    for k, note in enumerate(data.get("note", []), 1):
        where = f"{path}: note {note.get('id', k)!r}"
        if not isinstance(note.get("text"), str):
            raise ConfigError(f"{where}: 'text' must be a string")
        text, pos, mentions = note["text"], 0, []
        for m in note.get("mention", []):
            if not isinstance(m.get("text"), str) or not isinstance(m.get("code"), str):
                raise ConfigError(f"{where}: each mention needs 'text' and 'code' strings")
            at = text.find(m["text"], pos)
            if at < 0:
                at = text.lower().find(m["text"].lower(), pos)
            if at < 0:
                raise ConfigError(f"{where}: mention {m['text']!r} not found after offset {pos}")
            mentions.append({"begin": at, "end": at + len(m["text"]), "code": m["code"],
                             "also": list(m.get("also", [])), "traits": set(m.get("traits", []))})
            pos = at + 1
        notes.append({"id": note.get("id", str(k)), "text": text, "mentions": mentions})
    return notes


def phrase_words(text: str) -> frozenset[str]:
    """The words a learned phrase requires: the tokenizer's normal forms of its content words.

    Words after "no"/"without" keep their "no:" mark (as index terms' do); side words, single letters
    and numbers ("x3") go, since specificity reads the side from each note and a number is never the same twice.
    """
    out = set()
    tokens = tokenize(text)
    for t in tokens:
        norm = t.norm
        if norm in STOPWORDS or norm in STEERING or norm in _SIDE or norm in _NEGATORS:
            continue
        if any(ch.isdigit() for ch in norm) and sum(ch.isalpha() for ch in norm) < 2:
            continue  # "124", "x3", "3+"; "T2DM" and "A1c" stay
        out.add("no:" + norm if "no:" + norm in t.words else norm)
    if len(out) == 1 and len(tokens) == 1 and ACRONYM + tokens[0].norm in tokens[0].words:
        # a phrase that is one word in capitals ("DRESS", "MS") matches only that word in capitals, as the
        # code set's acronyms do: "dressing" and "Ms." are not the syndrome or multiple sclerosis
        return frozenset({ACRONYM + tokens[0].norm})
    return frozenset(out)


def train(notes: list[dict], dictionary: Dictionary, *, min_support: int = 2,
          min_precision: float = 0.6, reading=None, min_precision_other: float = 0.8,
          denied: bool = True, min_precision_denied: float = 0.5) -> list[Learned]:
    """Learned phrases from ``notes`` ({"text", "mentions": [{"begin", "end", "code", "also", "traits"}]}).

    ``dictionary`` is the knowledge base's (it supplies the codes and how specificity widens them).
    ``reading(phrase)``, when given, is the code the rules alone give the phrase. A phrase coded to
    another category than that ("neuropathy" coded E11.42 in diabetic patients' notes, where the rules
    read G62.9) usually owes its code to the rest of the note, so it must reach
    ``min_precision_other`` instead.

    With ``denied``, a phrase that is not kept also gets a second chance as a pertinent negative: its
    matches that the context rules read as negated are counted against the gold mentions marked
    NEGATION (whatever their code). "No fluctuance", "no rebound", "no decels" are what coders record
    when denied, while "fluctuance" asserted is a description of something the note names otherwise;
    such a phrase is kept with ``when="denied"`` when at least ``min_support`` of its negated
    matches were on a denied gold mention and ``min_precision_denied`` of them were. That bar is half:
    a match right with probability p raises the NEGATION F1 whenever p is above half that F1 (about 0.43).
    """
    codes = dictionary.codes

    def family(code: str) -> str:
        return specificity._widen(dictionary, code) if code in codes else code

    cues = _cue_words()
    coded: dict[frozenset[str], Counter] = defaultdict(Counter)
    written: dict[tuple[frozenset[str], str], Counter] = defaultdict(Counter)
    for note in notes:
        for m in note["mentions"]:
            if m["code"] not in codes or not codes[m["code"]][1]:
                continue
            text = note["text"][m["begin"]:m["end"]]
            key = phrase_words(text)
            if not key or len(key) > MAX_WORDS or key & cues:
                continue  # a cue inside a mention counts as part of its name: "denies pain" would hide the denial
            if key & _RESULT_WORDS and "NEGATION" in m.get("traits", ()):
                continue  # "HIV neg", "Preg test negative": the denial is the result, not part of the name
            if (len(key) == 1 or key <= _MEASURES) and _NUMBER.search(text):
                continue  # "Temp 37.8", "HR 124", "WBC 16": the number was the finding, and it is not learned
            coded[key][family(m["code"])] += 1
            written[(key, family(m["code"]))][(m["code"], " ".join(text.split()))] += 1
    terms = []
    for key, fams in coded.items():
        fam, n = min(fams.items(), key=lambda kv: (-kv[1], kv[0]))
        if n < min_support and not denied:
            continue
        (code, phrase), _ = min(written[(key, fam)].items(), key=lambda kv: (-kv[1], kv[0]))
        terms.append(Term(code, LEARNED, phrase, key))
    if not terms:
        return []
    probe = Dictionary(terms, codes)
    context = default_context() if denied else None
    right: Counter = Counter()
    wrong: Counter = Counter()
    neg_right: Counter = Counter()
    neg_wrong: Counter = Counter()
    for note in notes:
        tokens = tokenize(note["text"])
        gold = [(m["begin"], m["end"], {family(c) for c in [m["code"], *m.get("also", ())]},
                 "NEGATION" in m.get("traits", ())) for m in note["mentions"]]
        scopes = [] if context is None else [
            (mod.first, mod.last, mod.start) for mod in context.modifiers(note["text"], tokens)
            if mod.trait == "NEGATION"]
        seen: set[tuple[Term, int, int]] = set()
        for match in probe.match(tokens):
            begin, end = tokens[match.first].start, tokens[match.last].end
            if (match.term, begin, end) in seen:
                continue
            seen.add((match.term, begin, end))
            fam = family(match.term.code)
            hit = any(b < end and begin < e and fam in fams for b, e, fams, _ in gold)
            # a phrase over two conditions ("vomiting/diarrhea" learned as R11.10) is wrong where it
            # swallows a gold mention of another code whole: the detector would report one of the two
            if hit and any(begin <= b and e <= end and fam not in fams for b, e, fams, _ in gold):
                hit = False
            (right if hit else wrong)[match.term] += 1
            if reaches(scopes, match.first, match.last, begin, end):  # negated as the detector reads it
                hit = any(b < end and begin < e and neg for b, e, _, neg in gold)
                (neg_right if hit else neg_wrong)[match.term] += 1
    out = []
    for t in terms:
        learned = Learned(t.required, t.code, t.text, right[t], wrong[t])
        bar = min_precision
        if reading is not None and learned.precision < min_precision_other:
            own = reading(t.text)
            if own is not None and own[:3] != t.code[:3]:
                bar = min_precision_other
        if learned.right >= min_support and learned.precision >= bar:
            out.append(learned)
            continue
        negative = Learned(t.required, t.code, t.text, neg_right[t], neg_wrong[t], "denied")
        if denied and negative.right >= min_support and negative.precision >= min_precision_denied:
            out.append(negative)
    out.sort(key=lambda x: (x.code, sorted(x.words), x.when))
    return out


def rules_reading(kb):
    """``reading`` for :func:`train`: the first code the rules alone (no learned phrases) give a phrase."""
    from medcode.detect.detector import Detector

    det = Detector(kb, learned=False, agreement=False)

    def reading(phrase: str) -> str | None:
        found = [e for e in det.detect(phrase) if e.concepts]
        return found[0].concepts[0].code if found else None

    return reading


def _cue_words() -> frozenset[str]:
    """One-word ConText cues ("denies", "hx", "possible", "mother"), in the tokenizer's normal form."""
    out: set[str] = set()
    for rule in default_context().rules:
        if rule.pattern is None and len(rule.literal.split()) == 1:
            out.update(t.norm for t in tokenize(rule.literal))
    return frozenset(out)


def dump(learned: list[Learned]) -> str:
    return write_tsv(COLUMNS, ((x.code, x.phrase, x.right, x.wrong, x.when) for x in learned))


def write_parts(learned: list[Learned], folder: Path) -> None:
    """Write ``learned`` as the packaged layout: ``folder``/A.tsv, B.tsv, ... (each file replaced whole,
    and a letter with no phrases left loses its file)."""
    folder.mkdir(parents=True, exist_ok=True)
    by_letter: dict[str, list[Learned]] = defaultdict(list)
    for x in learned:
        by_letter[x.code[0]].append(x)
    for old in folder.glob("*.tsv"):
        if old.stem not in by_letter:
            old.unlink()
    for letter, rows in by_letter.items():
        (folder / f"{letter}.tsv").write_text(dump(rows), encoding="utf-8")


def load(path: Path | None = None) -> list[Learned]:
    """The learned phrases in the file or folder ``path``, or in the packaged ``learned_terms`` folder
    (empty list if there is none)."""
    parts = read_tsv_parts(FILE, path)
    if parts is None:
        return []
    out: list[Learned] = []
    for rows, where in parts:
        out.extend(_read(rows, where))
    return out


def _read(rows: list[list[str]], where: str) -> list[Learned]:
    if not rows or tuple(rows[0]) not in (COLUMNS, _WORDS_COLUMNS, _OLD_COLUMNS):
        raise ConfigError(f"{where}: expected the header {' '.join(COLUMNS)}")
    width = len(rows[0])
    skip = 1 if rows[0][0] == "words" else 0  # an earlier layout: its words are read again from the phrase
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != width or not all(row[skip:skip + 2]):
            raise ConfigError(f"{where}:{n}: expected {width} tab-separated fields")
        code, phrase, right, wrong, *rest = row[skip:]
        try:
            right, wrong = int(right), int(wrong)
        except ValueError:
            raise ConfigError(f"{where}:{n}: counts must be whole numbers") from None
        when = rest[0] if rest else "any"
        if when not in WHEN:
            raise ConfigError(f"{where}:{n}: 'when' must be one of {', '.join(WHEN)}")
        out.append(Learned(phrase_words(phrase), code, phrase, right, wrong, when))
    return out
