"""Claim-check throughput: claim lines per second over the full knowledge base (with its ~5.9
million NCCI PTP rows), on synthetic claims drawn from codes that have MUE rows (90% of claims from 300 common procedure
codes and 500 common diagnoses, the rest from all of them: every first look-up of a code is cold).

Run:  python bench/bench_check.py --kb ~/.local/share/medcode/kb.sqlite [--claims 5000]
"""

from __future__ import annotations

import argparse
import random
import time

from medcode import edits, settings
from medcode.kb.store import KB


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kb", default=None)
    ap.add_argument("--claims", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    kb = KB.open(settings.kb_path(args.kb))
    r = random.Random(args.seed)
    procs = [c for (c,) in kb.conn.execute("SELECT DISTINCT code FROM mue WHERE setting='practitioner' ORDER BY code")]
    common = r.sample(procs, 300)  # claims concentrate on a few hundred codes, as real ones do
    dx = [c for (c,) in kb.conn.execute(
        "SELECT code FROM code_status WHERE system='ICD10CM' AND status='active' AND length(code) BETWEEN 5 AND 7 LIMIT 20000")]
    common_dx = r.sample(dx, 500)
    claims = []
    for i in range(args.claims):
        claims.append(edits.from_dict({
            "id": str(i), "date_of_service": f"2026-05-{r.randint(1, 28):02d}", "place_of_service": r.choice(["11", "22"]),
            "patient": {"id": f"p{r.randint(1, args.claims // 4 + 1)}"}, "diagnoses": r.sample(common_dx if r.random() < 0.9 else dx, 2),
            "lines": [{"code": c, "modifiers": r.choice([[], ["RT"], ["25"], ["59"]]), "units": r.randint(1, 3),
                       "dx_pointers": [1]} for c in r.sample(common if r.random() < 0.9 else procs, 4)]}))
    lines = sum(len(c.lines) for c in claims)
    t0 = time.perf_counter()
    found = edits.check(kb, claims)
    dt = time.perf_counter() - t0
    ptp_rows = kb.conn.execute("SELECT count(*) FROM ptp").fetchone()[0]
    print(f"{len(claims)} claims, {lines} lines, {len(found)} findings, PTP rows loaded {ptp_rows:,}")
    print(f"check: {lines / dt:,.0f} claim lines per second (one process)")


if __name__ == "__main__":
    main()
