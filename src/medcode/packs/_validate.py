"""Turn raw TOML data into pack objects, collecting every problem with the table it sits in.

Works like medspaCy's ``ConTextRule.from_dict``: unknown keys and values outside the vocabulary in
:mod:`medcode.packs.schema` are rejected. Unlike it, every problem in a file is collected and then
raised together as one :class:`~medcode.errors.PackError`, one ``<file>: <where>: <problem>`` line
each, so an author fixes a pack in one pass.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from medcode.errors import PackError
from medcode.model import SYSTEMS
from medcode.packs.model import (
    Citation,
    Conflict,
    Fact,
    FactValue,
    Guidance,
    Pack,
    PackCode,
    Position,
    Related,
    _start,
    _stop,
)
from medcode.packs.schema import (
    CITATION_KINDS,
    CODE_EXAMPLES,
    CODE_SHAPES,
    COVERS,
    DATE_SHAPE,
    FACT_FIELDS,
    FAMILY_SYSTEMS,
    FIELD_SHAPE,
    ID_SHAPE,
    INVERSE,
    KEYS,
    RELATIONS,
    SCHEMA_VERSIONS,
    SETTINGS,
    SEVERITIES,
    STANCES,
    FactField,
)

MAX_LABEL = 100
_TOP = "top level"


def build(data: Any, name: str) -> Pack:
    """Validate ``data`` (what ``tomllib`` returns) and build a :class:`Pack`; ``name`` labels errors."""
    return _Builder(name).build(data)


def error(name: str, problems: list[tuple[str, str]]) -> PackError:
    """One PackError listing every problem as ``<file>: <where>: <problem>``, one per line."""
    lines = [f"{name}: {where}: {problem}" for where, problem in problems]
    if len(lines) > 1:
        lines.insert(0, f"{name}: {len(lines)} problems")
    err = PackError("\n".join(lines))
    err.file = name  # type: ignore[attr-defined]
    err.problems = list(problems)  # type: ignore[attr-defined]
    return err


def _choices(values: Iterable[object]) -> str:
    return ", ".join(str(v) for v in values)


class _Table:
    """One TOML table being read: checks its keys, then hands out validated values."""

    def __init__(self, b: _Builder, where: str, raw: Any, kind: str, *, check: bool = True) -> None:
        self.b = b
        self.where = where
        self.hint = ""
        if not isinstance(raw, dict):
            if check:
                b.add(where, f"expected a table, found {_tname(raw)}")
            raw = {}
        self.raw: dict[str, Any] = raw
        if not check:
            return
        required, optional = KEYS[kind]
        for key in sorted(set(raw) - required - optional):
            b.add(where, f"unknown key {key!r}; allowed keys: {_choices(sorted(required | optional))}")
        for key in sorted(required - set(raw)):
            b.add(where, f"missing required key {key!r}")

    def bad(self, key: str, problem: str) -> None:
        self.b.add(key if self.where == _TOP else f"{self.where}.{key}", problem + self.hint)

    def text(self, key: str) -> str | None:
        v = self.raw.get(key)
        if v is None:
            return None
        if not isinstance(v, str) or not v.strip():
            self.bad(key, f"expected non-empty text, found {_tname(v)}")
            return None
        return v.strip()

    def texts(self, key: str) -> tuple[str, ...]:
        v = self.raw.get(key)
        if v is None:
            return ()
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            self.bad(key, "expected a list of non-empty texts")
            return ()
        return tuple(x.strip() for x in v)

    def choice(self, key: str, allowed: Iterable[str], default: str | None = None) -> str | None:
        allowed = tuple(allowed)
        v = self.raw.get(key, default)
        if v is None:
            return None
        if v not in allowed:
            self.bad(key, f"{v!r} is not allowed; allowed: {_choices(allowed)}")
            return None
        return str(v)

    def ident(self, key: str) -> str | None:
        v = self.text(key)
        if v is not None and not ID_SHAPE.fullmatch(v):
            self.bad(key, f"{v!r} is not a valid id (lower-case letters, digits, '-' and '.')")
            return None
        return v

    def date(self, key: str, *, full: bool = False) -> str | None:
        v = self.raw.get(key)
        if v is None:
            return None
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            return v.isoformat()
        s = v if isinstance(v, str) else ""
        if not _valid_date(s, full):
            want = "YYYY-MM-DD" if full else "YYYY-MM-DD, YYYY-MM or YYYY"
            self.bad(key, f"{v!r} is not an ISO date ({want})")
            return None
        return s

    def cites(self, key: str = "cite") -> tuple[str, ...]:
        ids = self.texts(key)
        if self.raw.get(key) == []:
            self.bad(key, "cites nothing; name at least one citation id")
        for cid in ids:
            if cid not in self.b.citation_ids:
                known = _choices(sorted(self.b.citation_ids)) or "none"
                self.bad(key, f"{cid!r} is not a citation id defined in this pack (defined: {known})")
            self.b.used.add(cid)
        return ids

    def tables(self, key: str) -> list[tuple[str, Any]]:
        v = self.raw.get(key)
        if v is None:
            return []
        if not isinstance(v, list):
            self.bad(key, f"expected an array of tables ([[...{key}]]), found {_tname(v)}")
            return []
        prefix = "" if self.where == _TOP else f"{self.where}."
        return [(f"{prefix}{key}[{i}]", t) for i, t in enumerate(v)]


def _tname(v: Any) -> str:
    if isinstance(v, dict):
        return "a table"
    if isinstance(v, list):
        return "a list"
    return f"{type(v).__name__} {v!r}"


def _valid_date(s: str, full: bool) -> bool:
    if not DATE_SHAPE.fullmatch(s) or (full and len(s) != 10):
        return False
    try:
        dt.date.fromisoformat((s + "-01-01")[:10] if len(s) < 10 else s)
    except ValueError:
        return False
    return True


def _check_code(t: _Table, key: str, system: str | None, code: str | None) -> bool:
    if system is None or code is None:
        return False
    if not CODE_SHAPES[system].fullmatch(code):
        t.bad(key, f"{code!r} is not a valid {system} code (expected e.g. {CODE_EXAMPLES[system]})")
        return False
    return True


class _Builder:
    """Collects problems while turning raw TOML data into pack objects."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[tuple[str, str]] = []
        self.citation_ids: dict[str, int] = {}  # id -> index in [[citations]]
        self.used: set[str] = set()

    def add(self, where: str, problem: str) -> None:
        self.problems.append((where, problem))

    def build(self, data: Mapping[str, Any]) -> Pack:
        top = _Table(self, _TOP, dict(data) if isinstance(data, Mapping) else data, "top")
        # Read in file order so problems are reported in the order an author meets them.
        head = _Table(self, "pack", top.raw.get("pack"), "pack", check="pack" in top.raw)
        pack_id, title = head.ident("id"), head.text("title")
        version, updated = head.text("version"), head.date("updated", full=True)
        authors = head.texts("authors")
        if head.raw.get("authors") == []:
            head.bad("authors", "name at least one author")
        schema = head.raw.get("schema", 1)
        if schema not in SCHEMA_VERSIONS or isinstance(schema, bool):
            head.bad("schema", f"{schema!r} is not a supported schema version ({_choices(SCHEMA_VERSIONS)})")
        summary = head.text("summary")
        citations = self._citations(top)
        codes = tuple(self._code(w, raw) for w, raw in top.tables("codes"))
        conflicts = tuple(self._conflict(w, raw) for w, raw in top.tables("conflicts"))
        self._cross_checks(codes, conflicts)
        if self.problems:
            raise error(self.name, self.problems)
        return Pack(
            id=pack_id or "",
            title=title or "",
            version=version or "",
            updated=updated or "",
            authors=authors,
            citations=citations,
            codes=codes,
            conflicts=conflicts,
            summary=summary,
            schema=schema,
            source=self.name,
        )

    def _citations(self, top: _Table) -> tuple[Citation, ...]:
        out: list[Citation] = []
        for where, raw in top.tables("citations"):
            t = _Table(self, where, raw, "citation")
            cid = t.ident("id")
            if cid is not None:
                if cid in self.citation_ids:
                    t.bad("id", f"citation id {cid!r} is defined twice")
                self.citation_ids.setdefault(cid, len(out))
            url = t.text("url")
            if url is not None and not re.match(r"https?://\S+$", url):
                t.bad("url", f"{url!r} is not an http(s) address")
            out.append(
                Citation(
                    id=cid or "",
                    authority=t.text("authority") or "",
                    title=t.text("title") or "",
                    date=t.date("date") or "",
                    kind=t.choice("kind", CITATION_KINDS) or "",
                    locator=t.text("locator"),
                    url=url,
                    note=t.text("note"),
                )
            )
        return tuple(out)

    def _code(self, where: str, raw: Any) -> PackCode:
        t = _Table(self, where, raw, "code")
        system = t.choice("system", SYSTEMS)
        code = t.text("code")
        _check_code(t, "code", system, code)
        t.hint = f" (in {system} {code})" if system and code else ""
        covers = t.choice("covers", COVERS, "code") or "code"
        if covers == "family" and system not in FAMILY_SYSTEMS:
            t.bad("covers", f"'family' is only for {_choices(FAMILY_SYSTEMS)} headers")
        label = t.text("label")
        if label is not None and ("\n" in label or len(label) > MAX_LABEL):
            t.bad("label", f"keep the label to one line of at most {MAX_LABEL} characters")
        description, cite = t.text("description"), t.cites()
        terms, indications = t.texts("terms"), t.texts("indications")
        settings = t.texts("settings")
        for s in settings:
            if s not in SETTINGS:
                t.bad("settings", f"{s!r} is not allowed; allowed: {_choices(SETTINGS)}")
        documentation = t.texts("documentation")
        related = tuple(self._related(w, r, system, t.hint) for w, r in t.tables("related"))
        seen_rel = set()
        for i, r in enumerate(related):
            if (r.system, r.code) == (system, code):
                self.add(f"{where}.related[{i}]", "a code cannot be related to itself" + t.hint)
            if (r.system, r.code, r.relation) in seen_rel:
                self.add(f"{where}.related[{i}]", f"{r.relation} {r.code} is listed twice" + t.hint)
            seen_rel.add((r.system, r.code, r.relation))
        guidance = tuple(self._guidance(w, g, t.hint) for w, g in t.tables("guidance"))
        facts = tuple(self._fact(w, f, system, t.hint) for w, f in t.tables("facts"))
        seen_fact: dict[tuple[str, str | None], list[Fact]] = {}
        for i, f in enumerate(facts):
            earlier = seen_fact.setdefault((f.field, f.pair), [])
            if any(_overlap(f, g) for g in earlier):
                when = " for overlapping dates" if f.effective or f.ends else ""
                self.add(f"{where}.facts[{i}]", f"{f.field} is stated twice{when}" + t.hint)
            earlier.append(f)
        return PackCode(
            system=system or "",
            code=code or "",
            label=label or "",
            description=description or "",
            cite=cite,
            covers=covers,
            terms=terms,
            indications=indications,
            settings=settings,
            documentation=documentation,
            related=related,
            guidance=guidance,
            facts=facts,
        )

    def _related(self, where: str, raw: Any, parent_system: str | None, hint: str) -> Related:
        t = _Table(self, where, raw, "related")
        t.hint = hint
        system = t.choice("system", SYSTEMS, parent_system)
        code = t.text("code")
        _check_code(t, "code", system, code)
        return Related(
            code=code or "",
            system=system or "",
            relation=t.choice("relation", RELATIONS) or "",
            cite=t.cites(),
            note=t.text("note"),
        )

    def _guidance(self, where: str, raw: Any, hint: str) -> Guidance:
        t = _Table(self, where, raw, "guidance")
        t.hint = hint
        return Guidance(
            text=t.text("text") or "",
            date=t.date("date") or "",
            cite=t.cites(),
            severity=t.choice("severity", SEVERITIES, "info") or "info",
        )

    def _fact(self, where: str, raw: Any, parent_system: str | None, hint: str) -> Fact:
        t = _Table(self, where, raw, "fact")
        t.hint = hint
        name = t.text("field")
        spec = FACT_FIELDS.get(name or "")
        if name is not None and spec is None:
            why = "" if FIELD_SHAPE.fullmatch(name) else " (and not a dotted lower-case name)"
            t.bad("field", f"unknown fact field {name!r}{why}; known: {_choices(FACT_FIELDS)}")
        value: Any = t.raw.get("value")  # checked against the field's type below
        if spec is not None and "value" in t.raw:
            value = _fact_value(t, spec, value)
        pair = t.text("pair")
        pair_system = None
        if pair is not None:
            pair_system = t.choice("pair_system", SYSTEMS, parent_system)
            _check_code(t, "pair", pair_system, pair)
        elif "pair_system" in t.raw:
            t.bad("pair_system", "pair_system without pair")
        if spec is not None and spec.pair and pair is None:
            t.bad("pair", f"{name} is a pair-wise fact: name the other code in 'pair'")
        if spec is not None and not spec.pair and pair is not None:
            t.bad("pair", f"{name} is not a pair-wise fact: remove 'pair'")
        effective, ends = t.date("effective"), t.date("ends")
        if effective and ends and _start(ends) < _start(effective):
            t.bad("ends", f"{ends} is before effective {effective}")
        return Fact(
            field=name or "",
            value=value,
            cite=t.cites(),
            pair=pair,
            pair_system=pair_system,
            note=t.text("note"),
            effective=effective,
            ends=ends,
        )

    def _conflict(self, where: str, raw: Any) -> Conflict:
        t = _Table(self, where, raw, "conflict")
        codes = t.texts("codes")
        if "codes" in t.raw and not codes:
            t.bad("codes", "name at least one code")
        positions: list[Position] = []
        for w, p in t.tables("positions"):
            pt = _Table(self, w, p, "position")
            pcodes = pt.texts("codes")
            for c in pcodes:
                if c not in codes:
                    pt.bad("codes", f"{c!r} is not one of the conflict's codes ({_choices(codes)})")
            positions.append(
                Position(
                    cite=pt.cites(),
                    date=pt.date("date") or "",
                    stance=pt.choice("stance", STANCES) or "",
                    summary=pt.text("summary") or "",
                    scope=pt.text("scope"),
                    codes=pcodes,
                )
            )
        if "positions" in t.raw and len(positions) < 2:
            t.bad("positions", "a conflict needs at least two positions")
        elif len({p.stance for p in positions}) == 1:
            t.bad("positions", "every position has the same stance: that is agreement, not a conflict")
        return Conflict(
            id=t.ident("id") or "",
            topic=t.text("topic") or "",
            codes=codes,
            positions=tuple(positions),
            severity=t.choice("severity", SEVERITIES, "caution") or "caution",
            note=t.text("note"),
        )

    def _cross_checks(self, codes: tuple[PackCode, ...], conflicts: tuple[Conflict, ...]) -> None:
        index: dict[tuple[str, str], int] = {}
        for i, e in enumerate(codes):
            key = (e.system, e.code)
            if e.code and key in index:
                self.add(f"codes[{i}]", f"{e.system} {e.code} already has an entry (codes[{index[key]}])")
            index.setdefault(key, i)
        # A relation stated from both sides must read the same both ways.
        for i, e in enumerate(codes):
            for r in e.related:
                j = index.get((r.system, r.code))
                if j is None or j == i:
                    continue
                back = {x.relation for x in codes[j].related if (x.system, x.code) == (e.system, e.code)}
                if back and INVERSE.get(r.relation) not in back:
                    self.add(
                        f"codes[{i}]",
                        f"{e.code} {r.relation} {r.code}, but codes[{j}] says {r.code} "
                        f"{'/'.join(sorted(back))} {e.code}; expected {INVERSE.get(r.relation)}",
                    )
        known = {e.code for e in codes}
        ids: set[str] = set()
        for i, c in enumerate(conflicts):
            if c.id in ids:
                self.add(f"conflicts[{i}].id", f"conflict id {c.id!r} is defined twice")
            ids.add(c.id)
            for code in c.codes:
                if code not in known:
                    self.add(f"conflicts[{i}].codes", f"{code!r} has no entry in this pack's codes")
        for cid, i in self.citation_ids.items():
            if cid not in self.used:
                self.add(f"citations[{i}]", f"citation {cid!r} is never cited; remove it or cite it")


def _overlap(a: Fact, b: Fact) -> bool:
    """Whether two statements of one field cover a common date of service (open ends are open)."""
    lo = max(_start(a.effective or "0000"), _start(b.effective or "0000"))
    hi = min(_stop(a.ends or "9999"), _stop(b.ends or "9999"))
    return lo <= hi


def _fact_value(t: _Table, spec: FactField, value: Any) -> FactValue:
    want = spec.value_type
    ok = (
        (want is bool and isinstance(value, bool))
        or (want is int and isinstance(value, int) and not isinstance(value, bool))
        or (want is float and isinstance(value, (int, float)) and not isinstance(value, bool))
        or (want is str and isinstance(value, str) and value.strip() != "")
    )
    if not ok:
        t.bad("value", f"expected {want.__name__} for {spec.doc}, found {_tname(value)}")
        return value
    if want is float:
        value = float(value)
        if not math.isfinite(value):
            t.bad("value", "must be a finite number")
    if spec.allowed and value not in spec.allowed:
        t.bad("value", f"{value!r} is not allowed for {spec.doc}; allowed: {_choices(spec.allowed)}")
    if spec.shape and isinstance(value, str) and not re.fullmatch(spec.shape, value):
        t.bad("value", f"{value!r} does not look like a {spec.doc}")
    return value
