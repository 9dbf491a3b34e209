"""Load pattern recognizers from ``recognizers.toml`` and run them over a text.

The loader checks every key the way medspacy's ``ConTextRule.from_dict`` does: an unknown key, an
unknown label or validator, a score outside [0, 1] or a regex that does not compile raises
:class:`PhiConfigError` naming the recognizer. :meth:`Recognizer.to_dict` writes a rule back out.

Scoring follows Presidio: a pattern has a base score; a context word seen within ``window``
characters before the match (or after it, for ``context_after``) adds ``boost``; a validator may
veto the match or replace its score; ``deny_context`` / ``deny_after`` veto it. Spans under the
threshold are dropped later, in the analyzer.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ._regex import trie
from .errors import PhiConfigError
from .spans import PhiSpan
from .validators import VALIDATORS

LABELS = (
    "NAME", "ADDRESS", "LOCATION", "ZIP", "FACILITY", "DATE", "AGE", "PHONE", "FAX", "EMAIL",
    "SSN", "MRN", "HEALTH_PLAN", "ACCOUNT", "LICENSE", "VEHICLE", "DEVICE", "URL", "IP",
    "BIOMETRIC", "ID",
)
"""Every label a span may carry; docs/redact.md maps each to its Safe Harbor category."""

_RECOGNIZER_KEYS = {
    "id", "label", "patterns", "validator", "context", "context_after", "deny_context",
    "deny_after", "relabel", "window", "boost", "deny_window",
}
_PATTERN_KEYS = {"id", "regex", "score", "validator"}
_RELABEL_KEYS = {"context", "label"}
_TOP_KEYS = {"version", "defaults", "fragments", "recognizer", "names"}
_DEFAULT_KEYS = {"threshold", "window", "boost"}
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*$")
_FRAGMENT = re.compile(r"<<([A-Z_]+)>>")


@dataclass(frozen=True, slots=True)
class Pattern:
    id: str
    regex: str
    score: float
    validator: str | None = None


@dataclass(frozen=True, slots=True)
class Relabel:
    context: tuple[str, ...]
    label: str


@dataclass(frozen=True, slots=True)
class Recognizer:
    """One labelled rule set: patterns plus the context that raises or vetoes their scores."""

    id: str
    label: str
    patterns: tuple[Pattern, ...]
    validator: str | None = None
    context: tuple[str, ...] = ()
    context_after: tuple[str, ...] = ()
    deny_context: tuple[str, ...] = ()
    deny_after: tuple[str, ...] = ()
    relabel: tuple[Relabel, ...] = ()
    window: int = 40
    boost: float = 0.4
    deny_window: int | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], defaults: Mapping[str, Any] | None = None,
                  fragments: Mapping[str, str] | None = None) -> "Recognizer":
        defaults = defaults or {}
        rid = d.get("id")
        where = f"recognizer {rid!r}" if rid else "a recognizer without id"
        unknown = set(d) - _RECOGNIZER_KEYS
        if unknown:
            raise PhiConfigError(f"recognizers.toml, {where}: unknown key(s) {sorted(unknown)}")
        if not isinstance(rid, str) or not _ID.match(rid):
            raise PhiConfigError(f"recognizers.toml, {where}: id must be kebab-case")
        label = d.get("label")
        if label not in LABELS:
            raise PhiConfigError(f"recognizers.toml, {where}: unknown label {label!r}")
        validator = d.get("validator")
        _check_validator(validator, where)
        pats = d.get("patterns")
        if not isinstance(pats, list) or not pats:
            raise PhiConfigError(f"recognizers.toml, {where}: patterns must be a non-empty list")
        patterns = []
        for p in pats:
            bad = set(p) - _PATTERN_KEYS
            if bad:
                raise PhiConfigError(f"recognizers.toml, {where}: unknown pattern key(s) {sorted(bad)}")
            pid, regex, score = p.get("id"), p.get("regex"), p.get("score")
            if not isinstance(pid, str) or not _ID.match(pid):
                raise PhiConfigError(f"recognizers.toml, {where}: pattern id must be kebab-case")
            if not isinstance(regex, str):
                raise PhiConfigError(f"recognizers.toml, {where}/{pid}: regex must be a string")
            if not isinstance(score, (int, float)) or not 0 <= score <= 1:
                raise PhiConfigError(f"recognizers.toml, {where}/{pid}: score must be in [0, 1]")
            _check_validator(p.get("validator"), f"{where}/{pid}")
            regex = _expand(regex, fragments or {}, f"{where}/{pid}")
            try:
                re.compile(regex)
            except re.error as exc:
                raise PhiConfigError(f"recognizers.toml, {where}/{pid}: bad regex ({exc})") from None
            patterns.append(Pattern(pid, regex, float(score), p.get("validator")))
        relabels = []
        for r in d.get("relabel", ()):
            if set(r) - _RELABEL_KEYS or r.get("label") not in LABELS:
                raise PhiConfigError(f"recognizers.toml, {where}: relabel needs context and a known label")
            relabels.append(Relabel(tuple(_words(r.get("context"), where)), r["label"]))
        return cls(
            id=rid, label=label, patterns=tuple(patterns), validator=validator,
            context=_words(d.get("context"), where),
            context_after=_words(d.get("context_after"), where),
            deny_context=_words(d.get("deny_context"), where),
            deny_after=_words(d.get("deny_after"), where),
            relabel=tuple(relabels),
            window=int(d.get("window", defaults.get("window", 40))),
            boost=float(d.get("boost", defaults.get("boost", 0.4))),
            deny_window=int(d["deny_window"]) if "deny_window" in d else None,
        )

    def to_dict(self) -> dict[str, Any]:
        """The rule as a TOML-ready dict (regexes with fragments already expanded)."""
        out: dict[str, Any] = {"id": self.id, "label": self.label, "patterns": [
            {k: v for k, v in (("id", p.id), ("regex", p.regex), ("score", p.score),
                               ("validator", p.validator)) if v is not None}
            for p in self.patterns]}
        for key in ("validator", "context", "context_after", "deny_context", "deny_after"):
            value = getattr(self, key)
            if value:
                out[key] = list(value) if isinstance(value, tuple) else value
        if self.relabel:
            out["relabel"] = [{"context": list(r.context), "label": r.label} for r in self.relabel]
        out["window"] = self.window
        out["boost"] = self.boost
        if self.deny_window is not None:
            out["deny_window"] = self.deny_window
        return out


def _check_validator(name: object, where: str) -> None:
    if name is not None and name not in VALIDATORS:
        raise PhiConfigError(f"recognizers.toml, {where}: unknown validator {name!r}")


def _words(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise PhiConfigError(f"recognizers.toml, {where}: context lists must hold strings")
    return tuple(v.lower() for v in value)


def _expand(regex: str, fragments: Mapping[str, str], where: str) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in fragments:
            raise PhiConfigError(f"recognizers.toml, {where}: unknown fragment <<{name}>>")
        return fragments[name]

    for _ in range(5):  # fragments may use fragments
        expanded = _FRAGMENT.sub(sub, regex)
        if expanded == regex:
            break
        regex = expanded
    return regex


@dataclass(frozen=True, slots=True)
class Config:
    """Everything in recognizers.toml: pattern recognizers, the threshold and the name cues."""

    recognizers: tuple[Recognizer, ...]
    threshold: float
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)


_NAME_KEYS = {"titles", "postnominals", "label_cues", "soft_cues", "relation_cues",
              "eponym_heads", "never"}


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate a recognizer file (default: the one shipped with medcode)."""
    if path is None:
        raw = (resources.files("medcode.phi") / "recognizers.toml").read_bytes()
        name = "recognizers.toml"
    else:
        raw = Path(path).read_bytes()
        name = str(path)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PhiConfigError(f"{name}: not valid TOML ({exc})") from None
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise PhiConfigError(f"{name}: unknown top-level key(s) {sorted(unknown)}")
    defaults = data.get("defaults", {})
    if set(defaults) - _DEFAULT_KEYS:
        raise PhiConfigError(f"{name}: unknown [defaults] key(s) {sorted(set(defaults) - _DEFAULT_KEYS)}")
    fragments = data.get("fragments", {})
    recognizers = tuple(Recognizer.from_dict(r, defaults, fragments) for r in data.get("recognizer", ()))
    ids = [r.id for r in recognizers]
    if len(ids) != len(set(ids)):
        raise PhiConfigError(f"{name}: recognizer ids must be unique")
    names = data.get("names", {})
    if set(names) - _NAME_KEYS:
        raise PhiConfigError(f"{name}: unknown [names] key(s) {sorted(set(names) - _NAME_KEYS)}")
    name_lists = {k: _words(names.get(k, []), "[names]") for k in _NAME_KEYS}
    threshold = float(defaults.get("threshold", 0.5))
    return Config(recognizers, threshold, name_lists)


def _word_regex(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Any of ``words`` (a space matches any white space), as a whole word where it starts or
    ends with a letter or digit. Callers only ask *whether* it matches; the words are grouped by
    which ends need ``\\b`` and each group is one prefix tree, far cheaper than a long
    alternation when searched at every position of a window."""
    if not words:
        return None
    groups: dict[tuple[bool, bool], list[str]] = {}
    for w in words:
        groups.setdefault((w[0].isalnum(), w[-1].isalnum()), []).append(w)
    parts = []
    for (left, right), ws in sorted(groups.items()):
        parts.append((r"\b" if left else "") + trie(ws) + (r"\b" if right else ""))
    return re.compile("|".join(parts))


class CompiledRecognizer:
    """A :class:`Recognizer` with its regexes compiled, ready to scan texts."""

    __slots__ = ("compiled", "context", "context_after", "deny", "deny_after", "has_phi", "relabel",
                 "rule", "tags")

    def __init__(self, rule: Recognizer) -> None:
        self.rule = rule
        self.compiled = [
            (re.compile(p.regex), p, VALIDATORS[p.validator or rule.validator]
             if (p.validator or rule.validator) else None)
            for p in rule.patterns
        ]
        self.context = _word_regex(rule.context)
        self.context_after = _word_regex(rule.context_after)
        self.deny = _word_regex(rule.deny_context)
        self.deny_after = _word_regex(rule.deny_after)
        self.relabel = [(_word_regex(r.context), r.label) for r in rule.relabel if r.context]
        # per pattern, computed once rather than per match
        self.has_phi = [("phi" in rx.groupindex) for rx, _, _ in self.compiled]
        self.tags = [f"{rule.id}/{p.id}" for _, p, _ in self.compiled]

    def scan(self, text: str, lower: str) -> Iterator[PhiSpan]:
        """Every span of every pattern, scanning the whole text (the slow, exact path)."""
        for index in range(len(self.compiled)):
            regex = self.compiled[index][0]
            for m in regex.finditer(text):
                span = self.emit(index, m, text, lower)
                if span is not None:
                    yield span

    def emit(self, index: int, m: re.Match[str], text: str, lower: str) -> PhiSpan | None:
        """Score one regex match of pattern ``index``: validator, deny words, context, relabel."""
        _, pattern, validator = self.compiled[index]
        rule = self.rule
        if self.has_phi[index] and m.group("phi") is not None:
            start, end = m.span("phi")
        else:
            start, end = m.span()
        if start == end:
            return None
        score = pattern.score
        if validator is not None:
            verdict = validator(text[start:end])
            if verdict is False:
                return None
            if verdict is not True:
                score = float(verdict)
        window = rule.window
        before = lower[max(0, m.start() - window):m.start()]
        if self.deny is not None:
            dw = rule.deny_window
            if self.deny.search(before if dw is None else lower[max(0, m.start() - dw):m.start()]):
                return None
        after = lower[end:end + window] if (self.deny_after or self.context_after) else ""
        if self.deny_after is not None and self.deny_after.match(after.lstrip(" ,:")):
            return None
        if score < 0.9 and (
            (self.context is not None and self.context.search(before))
            or (self.context_after is not None and self.context_after.search(after))
        ):
            score = min(1.0, score + rule.boost)
        label = rule.label
        for rx, new_label in self.relabel:
            if rx.search(lower[max(0, start - window):start]):
                label = new_label
                break
        return PhiSpan(start, end, label, score, self.tags[index])


class Scanner:
    """Runs all pattern recognizers over a text.

    With the optional ``hyperscan`` package, one pass of a Hyperscan database (every pattern
    compiled in prefilter mode, a superset of what Python's ``re`` matches) finds where each
    pattern can end; ``re`` then runs only in small windows around those places, so the exact
    semantics stay Python's. Without hyperscan, or for non-ASCII text, every pattern scans the
    whole text with ``re``: same results, slower.
    """

    _TAIL = 32

    def __init__(self, recognizers: list[CompiledRecognizer]) -> None:
        self.recognizers = recognizers
        self.items: list[tuple[CompiledRecognizer, int, re.Pattern[str], int]] = []
        for rec in recognizers:
            for index, (regex, _, _) in enumerate(rec.compiled):
                self.items.append((rec, index, regex, _max_width(regex.pattern)))
        self.db = _hyperscan_db([regex.pattern for _, _, regex, _ in self.items])

    def scan(self, text: str, lower: str) -> Iterator[PhiSpan]:
        if self.db is None or not text.isascii():
            for rec in self.recognizers:
                yield from rec.scan(text, lower)
            return
        ends: dict[int, list[int]] = {}

        def on_match(pid: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            lst = ends.get(pid)
            if lst is None:
                ends[pid] = [to]
            elif to - lst[-1] > 8 or to < lst[-1]:
                lst.append(to)
            else:
                lst[-1] = to

        self.db.scan(text.encode("ascii"), match_event_handler=on_match)
        n = len(text)
        tail = self._TAIL
        for pid in sorted(ends):
            rec, index, regex, width = self.items[pid]
            seen: set[tuple[int, int]] = set()
            for a, b in _regions(sorted(ends[pid]), width, tail, n):
                for m in regex.finditer(text, a, b):
                    if b < n and m.end() > b - tail:
                        continue
                    key = m.span()
                    if key in seen:
                        continue
                    seen.add(key)
                    span = rec.emit(index, m, text, lower)
                    if span is not None:
                        yield span


def _regions(ends: list[int], width: int, tail: int, n: int) -> Iterator[tuple[int, int]]:
    start = end = -1
    for to in ends:
        a, b = max(0, to - width - 8), min(n, to + tail + 8)
        if start < 0:
            start, end = a, b
        elif a <= end:
            end = max(end, b)
        else:
            yield start, end
            start, end = a, b
    if start >= 0:
        yield start, end


# Longest match a window must hold. The longest match of any pattern on 5,000 generated notes is
# 49 characters; 128 keeps a wide margin while scanning far less text than 256 did. A match longer
# than this (a 130-character facility name) could be cut at the window's start.
_WIDTH_CAP = 128


def _max_width(pattern: str) -> int:
    try:
        import re._parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore[no-redef]
    try:
        hi = sre_parse.parse(pattern).getwidth()[1]
    except Exception:
        return _WIDTH_CAP
    return min(int(hi), _WIDTH_CAP)


def _hyperscan_db(patterns: list[str]) -> Any:
    try:
        import hyperscan
    except ImportError:
        return None
    exprs, flags = [], []
    for p in patterns:
        f = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_ALLOWEMPTY
        if p.startswith("(?i)"):
            p = p[4:]
            f |= hyperscan.HS_FLAG_CASELESS
        exprs.append(p.encode("utf-8"))
        flags.append(f)
    try:
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        db.compile(expressions=exprs, ids=list(range(len(exprs))), elements=len(exprs), flags=flags)
    except Exception:  # a pattern hyperscan cannot take: fall back to plain re, still exact
        return None
    return db
