"""Scoring of PHI detectors against phi_gen.py gold spans (shared by bench_redact.py).

* A gold span counts as found (recall) when every letter and digit in it is covered by some
  predicted span, whatever the predicted label: what matters for Safe Harbor is that it is gone.
* A predicted span is correct (precision) when at least half of its letters and digits fall inside
  gold spans. Per-category precision groups predicted spans by medcode's label.
* Character precision: the share of predicted letters and digits that are inside gold spans.
* Identifier-free share: notes with no gold span that got at least one predicted span.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Score:
    gold: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    found: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pred: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pred_ok: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pred_chars: int = 0
    pred_chars_ok: int = 0
    gold_chars: int = 0
    gold_chars_found: int = 0
    free_notes: int = 0
    free_notes_hit: int = 0
    notes: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    false_pos: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, text: str, gold: list[dict], pred: list[tuple[int, int, str]], note_id: str = "") -> None:
        self.notes += 1
        n = len(text)
        covered = bytearray(n)
        for s, e, _ in pred:
            covered[max(0, s):min(n, e)] = b"\x01" * (min(n, e) - max(0, s))
        in_gold = bytearray(n)
        for g in gold:
            in_gold[g["start"]:g["end"]] = b"\x01" * (g["end"] - g["start"])
        for g in gold:
            lab = g["label"]
            self.gold[lab] += 1
            idx = [i for i in range(g["start"], g["end"]) if text[i].isalnum()]
            hit = sum(covered[i] for i in idx)
            self.gold_chars += len(idx)
            self.gold_chars_found += hit
            if hit == len(idx):
                self.found[lab] += 1
            elif len(self.misses) < 5000:
                ctx = text[max(0, g["start"] - 30):g["end"] + 20].replace("\n", " | ")
                self.misses.append((lab, text[g["start"]:g["end"]], ctx))
        for s, e, lab in pred:
            idx = [i for i in range(s, e) if i < n and text[i].isalnum()]
            if not idx:
                continue
            inside = sum(in_gold[i] for i in idx)
            self.pred[lab] += 1
            self.pred_chars += len(idx)
            self.pred_chars_ok += inside
            if inside * 2 >= len(idx):
                self.pred_ok[lab] += 1
            elif len(self.false_pos) < 5000:
                ctx = text[max(0, s - 30):e + 20].replace("\n", " | ")
                self.false_pos.append((lab, text[s:e], ctx))
        if not gold:
            self.free_notes += 1
            if any(any(text[i].isalnum() for i in range(s, min(e, n))) for s, e, _ in pred):
                self.free_notes_hit += 1

    # ---------------------------------------------------------------- summaries
    def recall(self, label: str | None = None) -> float:
        if label is None:
            g = sum(self.gold.values())
            return sum(self.found.values()) / g if g else 1.0
        return self.found[label] / self.gold[label] if self.gold[label] else 1.0

    def precision(self, label: str | None = None) -> float:
        if label is None:
            p = sum(self.pred.values())
            return sum(self.pred_ok.values()) / p if p else 1.0
        return self.pred_ok[label] / self.pred[label] if self.pred[label] else 1.0

    def char_precision(self) -> float:
        return self.pred_chars_ok / self.pred_chars if self.pred_chars else 1.0

    def char_recall(self) -> float:
        return self.gold_chars_found / self.gold_chars if self.gold_chars else 1.0

    def free_share(self) -> float:
        return self.free_notes_hit / self.free_notes if self.free_notes else 0.0
