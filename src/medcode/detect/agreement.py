"""How often coders agreed with a code the detector asserts, learned from hand-coded notes.

The rules and the learned phrases propose a code wherever their words match. Some of those readings are
right in most notes ("type 2 diabetes" as E11.9), others in few: "HR 102" read as tachycardia, a
medication list read as long-term drug therapy, "pain" read as R52 next to a pain the note names better.
A coder who reviews a detector's output learns which proposals to strike; this module learns the same
from notes coded by hand.

Training runs the detector over coded notes (see :func:`medcode.detect.learn.read_coded`) and counts,
once per note, every code it asserts (an entity with no negation, family, hypothetical, past or
uncertainty trait): right when the note's coders assigned that code to a present condition, wrong
otherwise. Counts are kept twice, for the code with the words of the entity ("hr 102" / R00.0) and for
the code alone.

Detection withholds an asserted entity when its code was right in less than ``BAR`` of the training
notes: the words' own count decides when it has ``MIN_NOTES`` notes, else the code's count; a code seen
in fewer notes is kept. ``BAR`` sits just under the break-even of code-level F1: a code right with
probability p improves an F1 of F only when p > F/2, about 0.38 for this detector. Kept entities carry
the count in their first concept's evidence, so a coder sees how often the code held up.

Written here rather than taken from a library: the unit counted is the detector's own entity and the
table is a few thousand rows of counts a coder can read and correct.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from medcode.detect.model import Entity
from medcode.errors import ConfigError

FILE = "code_agreement.tsv"
COLUMNS = ("code", "words", "right", "wrong")
BAR = 0.35
MIN_NOTES = 2
# traits under which an entity asserts no code (the bench's and a coder's reading alike)
NOT_ASSERTED = frozenset({"NEGATION", "HYPOTHETICAL", "PERTAINS_TO_FAMILY", "LOW_CONFIDENCE", "HISTORY"})
_WORD = re.compile(r"[a-z0-9]+")


def entity_words(text: str) -> str:
    """The key of an entity's text: its lower-case words and numbers, space-separated."""
    return " ".join(_WORD.findall(text.lower()))


def claims_code(entity: Entity) -> bool:
    """The entity asserts its first code: it has one and no trait that sets the code aside."""
    return bool(entity.concepts) and not any(t.name in NOT_ASSERTED for t in entity.traits)


@dataclass(frozen=True, slots=True)
class Agreement:
    code: str
    words: str  # "" for the code alone
    right: int  # training notes where the coders assigned the code to a present condition
    wrong: int  # training notes where they did not

    @property
    def notes(self) -> int:
        return self.right + self.wrong

    @property
    def share(self) -> float:
        return self.right / self.notes if self.notes else 0.0


def train(notes: Iterable[dict], detect: Callable[[str], list[Entity]], min_notes: int = MIN_NOTES) -> list[Agreement]:
    """Counts from ``notes`` ({"text", "mentions": [{"code", "also", "traits"}]}) read by ``detect``
    (a detector with no agreement table of its own). Rows seen in fewer than ``min_notes`` notes are
    left out: they decide nothing."""
    counts: dict[tuple[str, str], list[int]] = {}
    for note in notes:
        gold = {c for m in note["mentions"] if not NOT_ASSERTED & set(m.get("traits", ()))
                for c in [m["code"], *m.get("also", ())]}
        seen: set[tuple[str, str]] = set()
        for e in detect(note["text"]):
            if not claims_code(e):
                continue
            code = e.concepts[0].code
            for key in ((code, entity_words(e.text)), (code, "")):
                if key not in seen:
                    seen.add(key)
                    counts.setdefault(key, [0, 0])[0 if code in gold else 1] += 1
    rows = [Agreement(code, words, r, w) for (code, words), (r, w) in counts.items() if r + w >= min_notes]
    rows.sort(key=lambda a: (a.code, a.words))
    return rows


class Table:
    """The learned counts, looked up by an entity's code and words."""

    def __init__(self, rows: Iterable[Agreement], bar: float = BAR, min_notes: int = MIN_NOTES) -> None:
        self.rows = {(a.code, a.words): a for a in rows}
        self.bar = bar
        self.min_notes = min_notes

    def __len__(self) -> int:
        return len(self.rows)

    def find(self, entity: Entity) -> Agreement | None:
        code = entity.concepts[0].code
        for key in ((code, entity_words(entity.text)), (code, "")):
            row = self.rows.get(key)
            if row is not None and row.notes >= self.min_notes:
                return row
        return None

    def apply(self, entities: list[Entity]) -> list[Entity]:
        """``entities`` without the asserted ones whose code coders rarely agreed with; the others'
        first concept says how often they did."""
        out = []
        for e in entities:
            row = self.find(e) if claims_code(e) else None
            if row is None:
                out.append(e)
                continue
            if row.share < self.bar:
                continue
            scope = f'"{row.words}"' if row.words else "this code"
            note = f"; coders agreed with {scope} as {row.code} in {row.right} of {row.notes} training notes"
            first = replace(e.concepts[0], evidence=e.concepts[0].evidence + note)
            out.append(replace(e, concepts=(first, *e.concepts[1:])))
        return out


def dump(rows: list[Agreement]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n")
    w.writerow(COLUMNS)
    for a in rows:
        w.writerow((a.code, a.words, a.right, a.wrong))
    return buf.getvalue()


def load(path: Path | None = None) -> list[Agreement]:
    """The rows in ``path``, or the packaged ``code_agreement.tsv`` (empty list if there is none)."""
    if path is None:
        res = resources.files("medcode.detect").joinpath(FILE)
        if not res.is_file():
            return []
        text, where = res.read_text(encoding="utf-8"), FILE
    else:
        text, where = Path(path).read_text(encoding="utf-8"), str(path)
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise ConfigError(f"{where}: expected the header {' '.join(COLUMNS)}")
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(COLUMNS) or not row[0]:
            raise ConfigError(f"{where}:{n}: expected {len(COLUMNS)} tab-separated fields")
        try:
            right, wrong = int(row[2]), int(row[3])
        except ValueError:
            raise ConfigError(f"{where}:{n}: counts must be whole numbers") from None
        if right < 0 or wrong < 0:
            raise ConfigError(f"{where}:{n}: counts must not be negative")
        out.append(Agreement(row[0], row[1], right, wrong))
    return out
