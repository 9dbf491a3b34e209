"""Audit coding content: find every code a text mentions, what it claims about the code, and check
each claim against the knowledge base.

Claims checked, each as a verdict (ok | wrong | invalid | warning) with the expected value and the
data release behind it:

* existence: a code no release has (invalid) or one the newest release dropped (invalid, deleted);
* title: the words printed beside the code against the official title (rapidfuzz token overlap);
* billable: "billable" said of an ICD-10-CM header (wrong);
* laterality: "right"/"left"/"bilateral" beside a code whose title names another side (wrong);
* modifiers: "modifier 50/62/66/80/26/TC/51 ..." said to apply to a code whose fee-schedule
  indicator forbids it (wrong);
* taxonomy: the specialty printed beside a NUCC taxonomy code against its classification;
* global period: "a 10-day global period" against the fee schedule's global days;
* units: "up to 3 units" against the practitioner MUE;
* time: "99214 takes 30-39 minutes" against a public time fact for the dates of service the text
  is about (:mod:`medcode.audit.time_claims`); a warning where no public time source is loaded.

Finding the claims is pattern matching over the sentence around each code mention; the patterns
are deliberately plain (a code, then a separator, then its title) because that is how coding pages,
chargemasters and generated articles print codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from medcode.audit import time_claims
from medcode.kb.store import KB
from medcode.model import CPT, HCPCS, ICD10CM, TAXONOMY
from medcode.profile.page import build_page

_CODE = re.compile(
    r"(?<![A-Za-z0-9.])("
    r"[A-TV-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?"  # ICD-10-CM (dotted)
    r"|\d{4}[0-9FTU]"  # CPT
    r"|[A-V]\d{4}"  # HCPCS Level II
    r"|\d{3}[0-9A-Z]{6}X"  # NUCC taxonomy
    r")(?![A-Za-z0-9])"
)
# A title follows the code in parentheses, after a dash or colon, or after "is"/"means"/"for" when it
# starts with a capital letter (so "J1885 is billed per 15 mg" is not read as a title).
_TITLE_AFTER = re.compile(r"^\s*(?:\(|[-–—:,]\s*|\s+(?:is|means|for)\s+(?=[A-Z])|\s+\")\s*([^()\n;]{6,160}?)\s*(?:\)|\"|;|\n|\.(?:\s|$)|,\s+(?:which|and|is|are|with)\b|$)")
_MODIFIER = re.compile(r"\bmodifiers?\s+(-?[0-9A-Z]{2})\b|(?<=\d[0-9A-Z])-(\d{2}|[A-Z]{2})\b", re.I)
_NEGATED = re.compile(r"\b(not|never|cannot|can't|no|don't|do not|isn't|is not|shouldn't|should not|inappropriate|forbid\w*)\b", re.I)
_BILLABLE_CLAIM = re.compile(r"\b(billable|valid (?:billing |diagnosis )?code|bill(?:ed)? (?:it|this|with)|report(?:ed)? as is)\b", re.I)
_SIDE = re.compile(r"\b(right|left|bilateral)\b", re.I)
_GLOBAL = re.compile(r"\b(\d{1,3})[- ]day global\b|\bglobal (?:period|surgery period|days?)(?: of| is)?\s+(\d{1,3})\b|\bno global period\b|\bzero[- ]day global\b", re.I)
_UNITS = re.compile(r"\b(?:up to|maximum of|max(?:imum)?|no more than|at most|limit of)\s+(\d{1,3})\s+units?\b", re.I)
_TIME_WORDS = frozenset({"minute", "minutes", "min", "mins", "hour", "hours", "and", "to", "or", "about"})
TITLE_OK = 80  # token-set similarity (0-100) at or above which a printed title matches


@dataclass(frozen=True, slots=True)
class Verdict:
    code: str
    claim: str
    verdict: str  # ok | wrong | invalid | warning
    expected: str | None
    source: str
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "claim": self.claim, "verdict": self.verdict, "expected": self.expected,
                "source": self.source, "start": self.start, "end": self.end}


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i != -1]
    return left + 1, (min(right_candidates) if right_candidates else len(text))


def _src(page: dict[str, Any], section: str = "release") -> str:
    s = page.get(section) or {}
    return f"{s.get('publisher')}, {s.get('release')} ({s.get('file')})" if s else ""


def audit(kb: KB, text: str) -> list[dict[str, Any]]:
    """Every code claim in ``text`` with its verdict, in order of appearance."""
    out: list[Verdict] = []
    known: dict[str, Any] = {}  # time facts, read on the first time claim
    for m in _CODE.finditer(text):
        code = m.group(1)
        s0, s1 = _sentence(text, m.start(), m.end())
        sentence = text[s0:s1]
        found = kb.find(code)
        if not found:
            out.append(Verdict(code, f"{code} is a code", "invalid", "no loaded release has this code", "", m.start(), m.end()))
            continue
        page = build_page(kb, code)
        if page["status"] == "deleted":
            d = page["deleted"]
            out.append(Verdict(code, f"{code} is a current code", "invalid",
                               f"deleted: last in {d['last_release']}, not in {d['absent_from']}", _src(page), m.start(), m.end()))
            continue
        out += _title(page, text, m)
        out += _billable(page, sentence, m)
        out += _laterality(page, text, m, sentence)
        out += _modifiers(page, sentence, m)
        out += _global_days(page, sentence, m)
        out += _units(page, sentence, m)
        out += _times(kb, page, text, m, (s0, s1), known)
    return [v.as_dict() for v in out]


def _title(page: dict[str, Any], text: str, m: re.Match[str]) -> list[Verdict]:
    after = _TITLE_AFTER.match(text[m.end():])
    if not after:
        return []
    printed = after.group(1).strip().rstrip(".,")
    if len(printed.split()) < 2 and page["system"] != TAXONOMY:
        return []
    if len([w for w in re.findall(r"[A-Za-z]{2,}", printed) if w.lower() not in _TIME_WORDS]) < 2 and \
            page["system"] != TAXONOMY:
        return []  # "99213 (20-29 minutes)" states a time, not a title
    official = page.get("title")
    claim = f"{page['code']} is titled \"{printed}\""
    if page["system"] == TAXONOMY:
        attrs = page.get("attributes") or {}
        names = [official or "", attrs.get("classification") or "", attrs.get("specialization") or ""]
        best = max(fuzz.token_set_ratio(printed.lower(), n.lower()) for n in names if n) if any(names) else 0
        verdict = "ok" if best >= TITLE_OK else "wrong"
        return [Verdict(page["code"], claim.replace("is titled", "is the specialty"), verdict, official,
                        _src(page), m.start(), m.end())]
    if not official:
        return [Verdict(page["code"], claim, "warning", "no official title loaded (import a licensed CPT file)"
                        if page["system"] == CPT else "no title in the loaded data", _src(page), m.start(), m.end())]
    score = fuzz.token_set_ratio(printed.lower(), official.lower())
    # A title that differs only in its side or a number is a different code: those words must agree.
    decisive = _decisive(printed) != _decisive(official)
    verdict = "ok" if score >= TITLE_OK and not decisive else "wrong"
    return [Verdict(page["code"], claim, verdict, official, _src(page), m.start(), m.end())]


def _decisive(title: str) -> set[str]:
    words = set(re.findall(r"[a-z0-9]+", title.lower()))
    return {w for w in words if w in ("right", "left", "bilateral", "upper", "lower", "initial", "subsequent",
                                      "sequela", "acute", "chronic") or w.isdigit()}


def _billable(page: dict[str, Any], sentence: str, m: re.Match[str]) -> list[Verdict]:
    if page["system"] != ICD10CM or not _BILLABLE_CLAIM.search(sentence):
        return []
    negated = bool(_NEGATED.search(sentence))
    says_billable = not negated
    actual = bool(page.get("billable"))
    kids = ", ".join(c["code"] for c in page.get("billable_children", [])[:6])
    expected = "billable" if actual else f"header, not billable (billable codes: {kids})"
    verdict = "ok" if says_billable == actual else "wrong"
    return [Verdict(page["code"], f"{page['code']} is {'billable' if says_billable else 'not billable'}", verdict,
                    expected, _src(page), m.start(), m.end())]


def _laterality(page: dict[str, Any], text: str, m: re.Match[str], sentence: str) -> list[Verdict]:
    title = (page.get("title") or "").lower()
    if page["system"] != ICD10CM or not title:
        return []
    official = {s for s in ("right", "left", "bilateral") if s in title}
    if not official:
        return []
    near = text[m.end(): m.end() + 60]
    said = {s.lower() for s in _SIDE.findall(near.split(".")[0])}
    if not said or said <= official:
        return []
    return [Verdict(page["code"], f"{page['code']} is {'/'.join(sorted(said))}", "wrong", page.get("title"),
                    _src(page), m.start(), m.end())]


def _modifiers(page: dict[str, Any], sentence: str, m: re.Match[str]) -> list[Verdict]:
    fee = page.get("fee_schedule")
    if page["system"] not in (CPT, HCPCS) or not fee:
        return []
    out = []
    negated = bool(_NEGATED.search(sentence))
    verdicts = {v["modifier"]: v for v in fee.get("modifiers", [])}
    for mm in _MODIFIER.finditer(sentence):
        mod = (mm.group(1) or mm.group(2) or "").lstrip("-").upper()
        if mod not in verdicts:
            continue
        v = verdicts[mod]
        allowed = v["verdict"] in ("permitted", "documentation_required", "caution")
        claims_allowed = not negated
        verdict = "ok" if claims_allowed == allowed else "wrong"
        field = v["indicator"].replace("_", " ")
        out.append(Verdict(page["code"], f"modifier {mod} {'applies' if claims_allowed else 'does not apply'} to {page['code']}",
                           verdict, f"{field} indicator {v['value']}: {v['meaning']}",
                           _src({"fee": fee["source"]}, "fee"), m.start(), m.end()))
    return out


def _global_days(page: dict[str, Any], sentence: str, m: re.Match[str]) -> list[Verdict]:
    fee = page.get("fee_schedule")
    g = _GLOBAL.search(sentence)
    if page["system"] not in (CPT, HCPCS) or not fee or not g:
        return []
    said = g.group(1) or g.group(2)
    said_days = int(said) if said else 0
    actual = fee["global_days"]["value"]
    if actual not in ("000", "010", "090"):
        verdict = "wrong" if said_days else "ok"
        expected = f"global days {actual}: {fee['global_days']['meaning']}"
    else:
        verdict = "ok" if int(actual) == said_days else "wrong"
        expected = f"global days {actual}"
    return [Verdict(page["code"], f"{page['code']} has a {said_days}-day global period", verdict, expected,
                    _src({"fee": fee["source"]}, "fee"), m.start(), m.end())]


def _units(page: dict[str, Any], sentence: str, m: re.Match[str]) -> list[Verdict]:
    mue = page.get("mue")
    u = _UNITS.search(sentence)
    if page["system"] not in (CPT, HCPCS) or not mue or not u:
        return []
    said = int(u.group(1))
    verdict = "ok" if said == mue["units"] else "wrong"
    return [Verdict(page["code"], f"{page['code']} allows up to {said} units a day", verdict,
                    f"MUE {mue['units']} ({mue['setting']}, MAI {mue['mai']})", _src({"mue": mue["source"]}, "mue"),
                    m.start(), m.end())]


def _times(kb: KB, page: dict[str, Any], text: str, m: re.Match[str], span: tuple[int, int],
           known: dict[str, Any]) -> list[Verdict]:
    s0, s1 = span
    if page["system"] not in (CPT, HCPCS):
        return []
    found = time_claims.claims_in(text[s0:s1], s0)
    if not found:
        return []
    mentions = [(x.start(1), x.end(1)) for x in _CODE.finditer(text, s0, s1)]
    mine = time_claims.assign(found, mentions, text[s0:s1]).get(mentions.index((m.start(1), m.end(1))), [])
    if not mine:
        return []
    if "facts" not in known:
        known["facts"] = time_claims.facts(kb)
    year_list, basis = time_claims.years(text, s0, s1)
    dates = time_claims.dates_for(year_list)
    out = []
    for claim in mine:
        verdict, expected, source = time_claims.judge(page["code"], claim, known["facts"], dates, basis)
        out.append(Verdict(page["code"], claim.describe(page["code"]), verdict, expected, source, m.start(), m.end()))
    return out


__all__ = ["Verdict", "audit"]
