"""Audit accuracy on coding texts with planted errors and correct statements (bench/audit_texts).

Each case lists the claims the audit must find with their verdicts. A planted error is found when
the claim comes back wrong or invalid; a correct statement must come back ok (a false alarm
otherwise). Claims the audit reports that a case does not list are counted as extra.

Run:  python bench/bench_audit.py --kb ~/.local/share/medcode/kb.sqlite
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from medcode import Workbench

CASES = Path(__file__).parent / "audit_texts" / "cases.json"
BAD = {"wrong", "invalid"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kb", default=None)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    wb = Workbench(args.kb)
    planted = found = correct = alarms = extra = 0
    for case in json.loads(CASES.read_text(encoding="utf-8")):
        got = {v["claim"]: v["verdict"] for v in wb.audit(case["text"])}
        for claim, verdict in case["expect"]:
            if verdict in BAD:
                planted += 1
                found += got.get(claim) in BAD
            else:
                correct += 1
                alarms += got.get(claim) in BAD
            if args.verbose and got.get(claim) != verdict:
                print(f"{case['id']}: {claim!r} expected {verdict}, got {got.get(claim)}")
        listed = {c for c, _ in case["expect"]}
        extra += sum(1 for c, v in got.items() if c not in listed and v in BAD)
    print(f"planted errors found {found}/{planted}; false alarms on correct statements {alarms}/{correct}; "
          f"unlisted wrong/invalid verdicts {extra}")


if __name__ == "__main__":
    main()
