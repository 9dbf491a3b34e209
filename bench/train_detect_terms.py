"""Learn the detector's phrase table (medcode/detect/learned_terms/, one TSV per code letter) from the hand-coded note sets.

    python bench/train_detect_terms.py --kb KB                       # all sets -> the packaged table
    python bench/train_detect_terms.py --kb KB --exclude holdout23 --out /tmp/l.tsv   # one set held out

Two tables come out: the phrases, and then how often the coders agreed with each code the detector
asserts once it uses those phrases (medcode/detect/code_agreement.tsv; /tmp/l.agreement.tsv above).

The packaged table is learned from TRAIN_SETS only. A new blind set is committed, run once against
the frozen detector (its first run is the blind figure), and only then may join TRAIN_SETS. A set named
in --exclude is never read, so a table trained without it measures it as unseen:
`bench_detect.py --learned /tmp/l.tsv --sets holdout23`. (The second coder's copy of holdout12 is never
a training set: its notes are holdout12's.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_detect import load_notes

from medcode.detect import agreement, learn
from medcode.detect.detector import dictionary_for
from medcode.kb.store import KB

PACKAGED = Path(__file__).resolve().parents[1] / "src/medcode/detect" / learn.FILE
PACKAGED_AGREEMENT = PACKAGED.with_name(agreement.FILE)
# every hand-coded set whose blind first run is recorded in detect_results/ (dev and test were tuning sets),
# except holdout88-93, 98 and 99: their errors were never read and they stay out of the tables, so a later
# stop can still run them as unseen
TRAIN_SETS = ("dev", "test", "holdout", *(f"holdout{n}" for n in (*range(2, 88), 94, 95, 96, 97, *range(100, 405))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kb", type=Path, required=True)
    ap.add_argument("--exclude", default="", help="comma-separated sets to leave out")
    ap.add_argument("--sets", default=",".join(TRAIN_SETS), help="comma-separated sets to learn from")
    ap.add_argument("--out", type=Path, default=PACKAGED)
    ap.add_argument("--agreement-out", type=Path, default=None,
                    help="the code-agreement table learned with the new phrases [default: the packaged file "
                         "when --out is the packaged table, else OUT with .agreement.tsv]")
    ap.add_argument("--min-support", type=int, default=1)
    ap.add_argument("--min-precision", type=float, default=0.6)
    ap.add_argument("--min-precision-other", type=float, default=0.8,
                    help="for a phrase coded to another category than the rules read it as")
    a = ap.parse_args()
    names = a.sets.split(",")
    held = set(filter(None, a.exclude.split(",")))
    names = [n for n in names if n not in held]
    notes = [note for n in names for note in load_notes(n)]
    kb = KB.open(a.kb)
    dictionary = dictionary_for(kb, False)  # the knowledge base's own terms (shared with rules_reading)
    learned = learn.train(notes, dictionary, min_support=a.min_support, min_precision=a.min_precision,
                          reading=learn.rules_reading(kb), min_precision_other=a.min_precision_other)
    if a.out.resolve() == PACKAGED.resolve():
        learn.write_parts(learned, a.out)
    else:
        a.out.write_text(learn.dump(learned), encoding="utf-8")
    print(f"{len(learned)} phrases from {len(notes)} notes in {len(names)} sets -> {a.out}")
    # second stage: how often the coders agreed with what the detector, now with these phrases, asserts
    agreement_out = a.agreement_out or (PACKAGED_AGREEMENT if a.out.resolve() == PACKAGED.resolve()
                                        else a.out.with_suffix(".agreement.tsv"))
    rows = agreement.train_with(kb, notes, a.out)
    agreement_out.write_text(agreement.dump(rows), encoding="utf-8")
    print(f"{len(rows)} code-agreement rows -> {agreement_out}")


if __name__ == "__main__":
    main()
