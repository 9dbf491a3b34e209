"""Time claims about a code ("99214 typically takes 30-39 minutes") and their check.

Typical times of CPT codes are AMA content, and the mirror has no CMS physician time file, so a
time claim is checked only where a public source states a time fact and a content pack carries
it as a ``time.total_minutes`` fact for the dates of service in question (today: the office and
outpatient visit levels, ``packs/em_office_time.toml``). Every other time claim comes back as a
warning that says no public time source is loaded for the code: never "ok" without evidence.

The dates of service a claim is about are the years the sentence names, else the nearest year
named earlier in the text, else today. A fact ``"20-29"`` is a range (2021-2023 office visits); a
fact ``"20+"`` is a figure to meet or exceed (from 2024), and the next level on the ladder in
``time_claims.toml`` says where the level ends.

This module owns reading and judging the claims; finding code mentions and assembling verdicts is
:mod:`medcode.audit`'s job.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from medcode.kb.store import KB
from medcode.packs.model import Fact

FIELD = "time.total_minutes"
_ALLOWED_KEYS = frozenset({"ladders", "duration_cues", "skip_before", "skip_after", "year_units"})
_BESIDE = 3  # characters between a code and minutes printed right beside it ("99213 (20-29 minutes)")
_MIN = r"(?:minutes?|mins?)\b"
_NUM = r"(\d{1,3})"
# Order matters: the longer forms are read first and their text is then out of reach of the rest.
_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("range", re.compile(rf"\bbetween\s+{_NUM}\s+and\s+{_NUM}\s*{_MIN}", re.I)),
    # a range listed before others that share one unit: "10-19 and 20-29 minutes"
    ("range", re.compile(rf"\b{_NUM}\s*(?:-|–|—|to)\s*{_NUM}(?=(?:\s*(?:,|and|or|, and)\s*\d{{1,3}}\s*(?:-|–|—|to)"
                         rf"\s*\d{{1,3}})+(?:\s*|-){_MIN})", re.I)),
    ("range", re.compile(rf"\b{_NUM}\s*(?:-|–|—|to|through)\s*{_NUM}(?:\s*|-){_MIN}", re.I)),
    ("at_least", re.compile(rf"\b(?:at least|a minimum of|minimum of|no less than|not less than)\s+{_NUM}\s*{_MIN}", re.I)),
    ("at_least", re.compile(rf"\b{_NUM}(?:\s*|-){_MIN}\s+or\s+(?:more|longer|greater)\b", re.I)),
    ("over", re.compile(rf"\b(?:more than|over|longer than)\s+{_NUM}\s*{_MIN}", re.I)),
    ("about", re.compile(rf"\b{_NUM}(?:\s*|-){_MIN}", re.I)),
    ("about_hours", re.compile(r"\b(\d{1,2}(?:\.\d)?|an|one|half an)\s+hours?\b", re.I)),
)


@dataclass(frozen=True, slots=True)
class TimeClaim:
    """One statement of how long a code's service takes, in minutes."""

    kind: str  # range | at_least | about
    low: int
    high: int | None
    start: int  # offsets into the text
    end: int

    def describe(self, code: str) -> str:
        if self.kind == "range":
            return f"{code} takes {self.low}-{self.high} minutes"
        return f"{code} takes {'at least' if self.kind == 'at_least' else 'about'} {self.low} minutes"


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    data = tomllib.loads(resources.files("medcode.audit").joinpath("time_claims.toml").read_text("utf-8"))
    unknown = set(data) - _ALLOWED_KEYS
    if unknown or not _ALLOWED_KEYS <= set(data):
        raise ValueError(f"time_claims.toml: unknown keys {sorted(unknown)} or missing {sorted(_ALLOWED_KEYS - set(data))}")
    return data


def claims_in(sentence: str, offset: int) -> list[TimeClaim]:
    """Time claims in one sentence, with offsets into the whole text (``offset`` = sentence start)."""
    r = rules()
    taken: list[tuple[int, int]] = []
    out: list[TimeClaim] = []
    for kind, rx in _FORMS:
        for m in rx.finditer(sentence):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            before = sentence[:m.start()].split()[-1:]
            after = sentence[m.end():].split()[:1]
            if (before and before[0].lower().strip("(,") in r["skip_before"]) or (
                    after and after[0].lower().strip(".,;)") in r["skip_after"]):
                continue
            out.append(_claim(kind, m, offset))
    return sorted(out, key=lambda c: c.start)


def _claim(kind: str, m: re.Match[str], offset: int) -> TimeClaim:
    s, e = offset + m.start(), offset + m.end()
    if kind == "range":
        a, b = int(m.group(1)), int(m.group(2))
        return TimeClaim("range", min(a, b), max(a, b), s, e)
    if kind == "about_hours":
        word = m.group(1).lower()
        minutes = {"an": 60, "one": 60, "half an": 30}.get(word) or round(float(word) * 60)
        return TimeClaim("about", minutes, None, s, e)
    n = int(m.group(1))
    return TimeClaim("at_least", n + 1, None, s, e) if kind == "over" else TimeClaim(kind, n, None, s, e)


def assign(claims: list[TimeClaim], mentions: list[tuple[int, int]], sentence: str) -> dict[int, list[TimeClaim]]:
    """Which code mention (by index) each claim is about: the nearest mention before it, else after
    it; with "respectively" and as many claims as mentions, in order. Without a duration cue in the
    sentence only minutes printed right beside a code count."""
    out: dict[int, list[TimeClaim]] = {}
    if not mentions:
        return out
    if not re.search("|".join(rules()["duration_cues"]), sentence, re.I):
        claims = [c for c in claims if any(0 <= c.start - e <= _BESIDE for _, e in mentions)]
    if "respectively" in sentence.lower() and len(claims) == len(mentions) > 1:
        for i, c in enumerate(claims):
            out.setdefault(i, []).append(c)
        return out
    for c in claims:
        before = [i for i, (_, e) in enumerate(mentions) if e <= c.start]
        i = before[-1] if before else min(range(len(mentions)), key=lambda j: mentions[j][0] - c.end)
        out.setdefault(i, []).append(c)
    return out


# --- the years a claim is about -----------------------------------------------------------------


def years(text: str, start: int, end: int) -> tuple[list[int], str]:
    """Years the sentence ``text[start:end]`` names, else the nearest year named before it; with the
    reason, for the verdict's expected text. Empty when the text names no year."""
    units = "|".join(rules()["year_units"])
    rx = re.compile(rf"(?<![\d.$,/-])(20[0-4]\d)(?!\d|[,.]\d|\s*(?:{units})\b)", re.I)
    inside = sorted({int(m.group(1)) for m in rx.finditer(text, start, end)})
    if inside:
        return inside, f"the sentence names {', '.join(map(str, inside))}"
    earlier = [int(m.group(1)) for m in rx.finditer(text, 0, start)]
    if earlier:
        return [earlier[-1]], f"the text names {earlier[-1]} before this sentence"
    return [], "no year named: rules in force today"


# --- the facts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeFact:
    fact: Fact
    source: str

    @property
    def low(self) -> int:
        return int(str(self.fact.value).rstrip("+").split("-")[0])

    @property
    def high(self) -> int | None:
        v = str(self.fact.value)
        return int(v.split("-")[1]) if "-" in v else None


def facts(kb: KB) -> dict[str, list[TimeFact]]:
    """Time facts per code from the packs in the knowledge base, plus the built-in packs a knowledge
    base built before they shipped does not hold yet."""
    out: dict[str, list[TimeFact]] = {}
    in_kb = set(kb.pack_ids())
    bodies = [(kb.pack(p), kb.pack(p).get("_file")) for p in in_kb]
    bodies += [(b, f) for b, f in _builtin_bodies() if b["pack"]["id"] not in in_kb]
    for body, file in bodies:
        cites = {c["id"]: c for c in body.get("citations", [])}
        for entry in body.get("codes", []):
            for f in entry.get("facts", []):
                if f.get("field") != FIELD:
                    continue
                first = cites.get(f["cite"][0], {})
                src = (f"{first.get('authority')}, {first.get('title')} (medcode content pack {body['pack']['id']} "
                       f"{body['pack'].get('version')}, {file})")
                fact = Fact(FIELD, f["value"], tuple(f["cite"]), note=f.get("note"), effective=f.get("effective"),
                            ends=f.get("ends"))
                out.setdefault(entry["code"], []).append(TimeFact(fact, src))
    return out


@lru_cache(maxsize=1)
def _builtin_bodies() -> tuple[tuple[dict[str, Any], str], ...]:
    from pathlib import Path

    from medcode.packs.loader import load_builtin_packs, to_dict

    return tuple((to_dict(p), Path(str(p.source)).name) for p in load_builtin_packs())


# --- the check ----------------------------------------------------------------------------------


def judge(code: str, claim: TimeClaim, known: dict[str, list[TimeFact]], dates: list[str],
          basis: str) -> tuple[str, str, str]:
    """(verdict, expected, source) of one claim for the given dates of service."""
    mine = known.get(code, [])
    if not mine:
        expected = (f"no public time source is loaded for {code}: CPT typical times are AMA content and no CMS "
                    "physician time file is loaded; check the time against your licensed CPT data")
        return "warning", expected, "medcode content packs (no time fact for this code)"
    results = []
    for date in dates:
        tf = next((t for t in mine if t.fact.holds_on(date)), None)
        if tf is None:
            periods = "; ".join(f"{t.fact.value} ({_period(t.fact)})" for t in mine)
            results.append(("warning", f"no public time figure for {code} on {date} ({basis}); loaded: {periods}",
                            mine[0].source))
            continue
        nxt = _next_low(code, known, date)
        results.append((_verdict(claim, tf, nxt), _expected(code, tf, nxt, basis), tf.source))
    for want in ("wrong", "warning", "ok"):
        for r in results:
            if r[0] == want:
                return r
    raise AssertionError("no dates to judge")  # pragma: no cover - callers always pass a date


def _verdict(claim: TimeClaim, tf: TimeFact, next_low: int | None) -> str:
    low, high = tf.low, tf.high
    if high is None:  # a figure to meet or exceed; the next level's figure ends the level
        high = next_low - 1 if next_low is not None else None
    if claim.kind == "at_least":
        return "ok" if claim.low == low else "wrong"
    if claim.kind == "range":
        return "ok" if claim.low == low and (claim.high == high or high is None) else "wrong"
    return "ok" if low <= claim.low and (high is None or claim.low <= high) else "wrong"


def _expected(code: str, tf: TimeFact, next_low: int | None, basis: str) -> str:
    period = _period(tf.fact)
    if tf.high is not None:
        return f"{tf.low}-{tf.high} minutes of total time on the date of service (dates of service {period}; {basis})"
    nxt = f"; {next_low} or more selects the next level" if next_low is not None else ""
    return (f"at least {tf.low} minutes of total time on the date of service, to be met or exceeded "
            f"(dates of service {period}{nxt}; {basis})")


def _period(f: Fact) -> str:
    if f.effective and f.ends:
        return f"{f.effective} to {f.ends}"
    return f"from {f.effective}" if f.effective else (f"until {f.ends}" if f.ends else "any date")


def _next_low(code: str, known: dict[str, list[TimeFact]], date: str) -> int | None:
    for ladder in rules()["ladders"]:
        if code in ladder and ladder.index(code) + 1 < len(ladder):
            nxt = ladder[ladder.index(code) + 1]
            tf = next((t for t in known.get(nxt, []) if t.fact.holds_on(date)), None)
            return tf.low if tf else None
    return None


def dates_for(year_list: list[int]) -> list[str]:
    """A date of service inside each named year (mid-year), or today when none is named."""
    return [f"{y}-07-01" for y in year_list] or [dt.date.today().isoformat()]
