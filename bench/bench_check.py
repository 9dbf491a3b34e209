"""Claim-check throughput: claim lines per second over the full knowledge base (with its ~5.9
million NCCI PTP rows), on synthetic claims drawn from codes that have MUE rows (90% of claims from 300 common procedure
codes and 500 common diagnoses, the rest from all of them: every first look-up of a code is cold).

Each run opens the knowledge base afresh, so nothing is cached between runs; the median of the runs
is the figure to quote. The findings digest (SHA-256 of the findings as JSON) must not change when
only speed is being worked on. Then the latency of single knowledge-base look-ups, on a fresh handle:
a code (``find`` + ``rows``), a PTP code pair, and the MUE rows of a code.

Run:  python bench/bench_check.py --kb ~/.local/share/medcode/kb.sqlite [--claims 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import time
from collections.abc import Callable

from medcode import edits, settings
from medcode.kb.store import KB


def build_claims(kb: KB, n: int, seed: int) -> tuple[list[edits.Claim], list[str], list[str]]:
    r = random.Random(seed)
    procs = [c for (c,) in kb.conn.execute("SELECT DISTINCT code FROM mue WHERE setting='practitioner' ORDER BY code")]
    common = r.sample(procs, 300)  # claims concentrate on a few hundred codes, as real ones do
    dx = [c for (c,) in kb.conn.execute(
        "SELECT code FROM code_status WHERE system='ICD10CM' AND status='active' AND length(code) BETWEEN 5 AND 7 LIMIT 20000")]
    common_dx = r.sample(dx, 500)
    claims = []
    for i in range(n):
        claims.append(edits.from_dict({
            "id": str(i), "date_of_service": f"2026-05-{r.randint(1, 28):02d}", "place_of_service": r.choice(["11", "22"]),
            "patient": {"id": f"p{r.randint(1, n // 4 + 1)}"}, "diagnoses": r.sample(common_dx if r.random() < 0.9 else dx, 2),
            "lines": [{"code": c, "modifiers": r.choice([[], ["RT"], ["25"], ["59"]]), "units": r.randint(1, 3),
                       "dx_pointers": [1]} for c in r.sample(common if r.random() < 0.9 else procs, 4)]}))
    return claims, procs, dx


def latency(samples: list[str] | list[tuple[str, str]], look_up: Callable) -> str:
    times = []
    for s in samples:
        t0 = time.perf_counter_ns()
        look_up(s)
        times.append(time.perf_counter_ns() - t0)
    q = statistics.quantiles(times, n=100)
    return f"p50 {q[49] / 1000:,.0f} µs, p99 {q[98] / 1000:,.0f} µs, max {max(times) / 1000:,.0f} µs ({len(times):,} look-ups)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kb", default=None)
    ap.add_argument("--claims", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--lookups", type=int, default=2000, help="samples per look-up latency figure (0: skip)")
    args = ap.parse_args()
    path = settings.kb_path(args.kb)
    kb = KB.open(path)
    claims, procs, dx = build_claims(kb, args.claims, args.seed)
    ptp_rows = kb.conn.execute("SELECT count(*) FROM ptp").fetchone()[0]
    kb.close()
    lines = sum(len(c.lines) for c in claims)
    rates = []
    for run in range(args.runs):
        kb = KB.open(path)  # cold: no row cached from an earlier run
        t0 = time.perf_counter()
        found = edits.check(kb, claims)
        dt = time.perf_counter() - t0
        kb.close()
        rates.append(lines / dt)
        if run == 0:
            digest = hashlib.sha256(json.dumps(found, sort_keys=True).encode()).hexdigest()[:16]
            print(f"{len(claims)} claims, {lines} lines, {len(found)} findings (digest {digest}), PTP rows loaded {ptp_rows:,}")
        print(f"run {run + 1}: {lines / dt:,.0f} claim lines per second")
    print(f"check: {statistics.median(rates):,.0f} claim lines per second (one process, median of {len(rates)})")

    if args.lookups:
        r = random.Random(args.seed + 1)
        kb = KB.open(path)
        codes = r.sample(procs, min(args.lookups // 2, len(procs))) + r.sample(dx, min(args.lookups // 2, len(dx)))
        r.shuffle(codes)
        pairs = [tuple(r.sample(procs, 2)) for _ in range(args.lookups // 2)]  # mostly pairs with no edit
        # and as many pairs that have an edit: rows picked at random
        top = kb.conn.execute("SELECT max(rowid) FROM ptp").fetchone()[0]
        picks = r.sample(range(1, top + 1), args.lookups // 2)
        pairs += kb.conn.execute(
            f"SELECT column1, column2 FROM ptp WHERE rowid IN ({','.join('?' * len(picks))})", picks).fetchall()
        r.shuffle(pairs)
        print("single look-ups (fresh handle):")
        print(f"  code (find + rows):  {latency(codes, lambda c: [kb.rows(s, k) for s, k, _st, _src in kb.find(c)])}")
        print(f"  PTP pair:            {latency(pairs, lambda p: kb.ptp_pairs({p[0]: {p[1]}}))}")
        print(f"  MUE of a code:       {latency(r.sample(procs, min(args.lookups, len(procs))), kb.mue)}")
        kb.close()


if __name__ == "__main__":
    main()
