"""Cross-validated accuracy of DetectICD10CM on the hand-coded training sets: each set scored with tables
learned without it.

The packaged phrase and code-agreement tables are learned from ``TRAIN_SETS``, so scoring those sets with
the packaged tables measures memory, not detection. Here the sets are dealt into ``--folds`` folds; for each
fold the two tables are learned from the other folds (as ``train_detect_terms.py --exclude`` would) and the
fold's notes are detected with them. Every note is thus scored by tables that never saw it, and the pooled
figures estimate what a new set of the same kinds would score. A blind set (written after the detector,
run once) remains the stricter check, since the rules themselves were written while reading training errors.

    python bench/cv_detect.py --kb KB [--folds 5] [--jobs 2] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_detect import load_notes, run_medcode, score
from train_detect_terms import TRAIN_SETS

from medcode.detect import agreement, learn
from medcode.detect.detector import dictionary_for
from medcode.kb.store import KB


def folds_of(sets: list[str], k: int) -> list[list[str]]:
    """The sets dealt round-robin into ``k`` folds (in the order given, so a fold mixes old and new sets)."""
    return [sets[i::k] for i in range(k)]


def run_fold(kb_path: str, train: list[str], test: list[str], workdir: str) -> tuple[list[str], list[dict], list[list[dict]]]:
    """Learn both tables from ``train`` and detect the notes of ``test`` with them."""
    kb = KB.open(Path(kb_path))
    notes = [note for name in train for note in load_notes(name)]
    # the settings train_detect_terms.py learns the packaged table with
    learned = learn.train(notes, dictionary_for(kb, False), min_support=1, reading=learn.rules_reading(kb))
    table = Path(workdir) / f"learned-{test[0]}.tsv"
    table.write_text(learn.dump(learned), encoding="utf-8")
    agree = Path(workdir) / f"agreement-{test[0]}.tsv"
    agree.write_text(agreement.dump(agreement.train_with(kb, notes, table)), encoding="utf-8")
    held = [note for name in test for note in load_notes(name)]
    return test, held, run_medcode(kb, held, table, agree)


def _figures(r: dict) -> dict:
    return {"code_exact": r["code_exact"], "code_category": r["code_category"],
            "entity_span_code": r["entity_span_code"], "NEGATION": r["traits"]["NEGATION"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kb", type=Path, required=True)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2, help="folds run at once (each loads its own dictionary)")
    ap.add_argument("--sets", default=",".join(TRAIN_SETS), help="comma-separated sets to deal into folds")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    a = ap.parse_args()
    if a.folds < 2:
        ap.error("--folds must be at least 2")
    sets = a.sets.split(",")
    folds = folds_of(sets, a.folds)
    started = time.perf_counter()
    all_notes: list[dict] = []
    all_preds: list[list[dict]] = []
    per_fold = []
    with tempfile.TemporaryDirectory() as work, ProcessPoolExecutor(max_workers=a.jobs) as pool:
        jobs = [pool.submit(run_fold, str(a.kb), [s for s in sets if s not in fold], fold, work) for fold in folds]
        for n, job in enumerate(jobs, 1):
            test, notes, preds = job.result()
            r = score(notes, preds)
            per_fold.append({"sets": test, "notes": len(notes), **_figures(r)})
            print(f"fold {n}: {len(test)} sets, {len(notes)} notes: exact F1 {r['code_exact']['f1']:.3f}, "
                  f"category F1 {r['code_category']['f1']:.3f}, NEGATION F1 {r['traits']['NEGATION']['f1']:.3f}")
            all_notes += notes
            all_preds += preds
    pooled = score(all_notes, all_preds)
    print(f"pooled, {len(all_notes)} notes in {len(sets)} sets, each scored by tables learned without it:")
    for name, key in (("exact code", "code_exact"), ("category", "code_category"), ("entity span+code", "entity_span_code")):
        f = pooled[key]
        print(f"  {name:17} P {f['p']:.3f}  R {f['r']:.3f}  F1 {f['f1']:.3f}")
    neg = pooled["traits"]["NEGATION"]
    print(f"  {'NEGATION':17} P {neg['p']:.3f}  R {neg['r']:.3f}  F1 {neg['f1']:.3f}")
    print(f"({time.perf_counter() - started:.0f} s)")
    if a.json:
        a.json.write_text(json.dumps({"folds": per_fold, "pooled": {"notes": len(all_notes), "sets": len(sets),
                                                                    **_figures(pooled)}}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
