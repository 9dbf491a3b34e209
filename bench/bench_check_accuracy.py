"""Precision and recall of claim-check findings on hand-written claims with known answers.

Each case in bench/claims/cases.json lists the (rule, severity) findings it must produce at
severity error or warning (info findings are not scored). Scored per (case, rule, severity).

Run:  python bench/bench_check_accuracy.py --kb ~/.local/share/medcode/kb.sqlite
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from medcode import Workbench

CASES = Path(__file__).parent / "claims" / "cases.json"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kb", default=None)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    wb = Workbench(args.kb)
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    tp = fp = fn = 0
    rules: dict[str, list[int]] = {}
    for case in cases:
        found = {(f["rule"], f["severity"]) for f in wb.check(case["claim"]) if f["severity"] != "info"}
        expected = {tuple(e) for e in case["expect"]}
        for r in found | expected:
            stats = rules.setdefault(r[0], [0, 0, 0])
            if r in found and r in expected:
                tp += 1
                stats[0] += 1
            elif r in found:
                fp += 1
                stats[1] += 1
            else:
                fn += 1
                stats[2] += 1
        if args.verbose and found != expected:
            print(f"{case['id']}: expected {sorted(expected)} found {sorted(found)}")
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    print(f"{len(cases)} claims; findings precision {p:.3f}, recall {r:.3f} (tp {tp}, fp {fp}, fn {fn})")
    for rule, (a, b, c) in sorted(rules.items()):
        print(f"  {rule:<26} tp {a:>3}  fp {b:>3}  fn {c:>3}")


if __name__ == "__main__":
    main()
