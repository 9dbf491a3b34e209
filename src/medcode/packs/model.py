"""The content-pack types: small frozen dataclasses, no I/O and no validation.

:mod:`medcode.packs.loader` builds them from TOML (checking every value against
:mod:`medcode.packs.schema`) and turns them back into plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FactValue = str | int | float | bool

# Dates are ISO strings: YYYY-MM-DD, or YYYY-MM / YYYY when the source gives no day.


@dataclass(frozen=True, slots=True)
class Citation:
    """A source that statements in the pack point to (``cite = ["<id>"]``)."""

    id: str
    authority: str
    title: str
    date: str
    kind: str  # one of schema.CITATION_KINDS
    locator: str | None = None  # where inside the source: section, file and rows, page
    url: str | None = None
    note: str | None = None  # caveats: how medcode read it, what is unverified


@dataclass(frozen=True, slots=True)
class Related:
    """``<entry code> <relation> <this code>``, e.g. 0441T includes 76942."""

    code: str
    system: str
    relation: str  # one of schema.RELATIONS
    cite: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Guidance:
    """A dated piece of advice about one code, from the cited authorities."""

    text: str
    date: str
    cite: tuple[str, ...]
    severity: str = "info"  # one of schema.SEVERITIES


@dataclass(frozen=True, slots=True)
class Fact:
    """One value an official table holds, stated with its source for when the KB lacks that table.

    ``field`` is a key of ``schema.FACT_FIELDS``; pair-wise fields (NCCI PTP) name the other code
    in ``pair``. ``effective`` / ``ends`` bound the dates of service the value holds for (open when
    absent), so a value that changed over time is stated once per period.
    """

    field: str
    value: FactValue
    cite: tuple[str, ...]
    pair: str | None = None
    pair_system: str | None = None
    note: str | None = None
    effective: str | None = None
    ends: str | None = None

    def holds_on(self, date: str) -> bool:
        """Whether the fact applies to a date of service (ISO ``YYYY-MM-DD``)."""
        return (self.effective is None or _start(self.effective) <= date) and (
            self.ends is None or date <= _stop(self.ends))


# A partial date (YYYY or YYYY-MM) opens at its first day and closes at a lexical upper bound of its
# last day; comparing ISO strings is enough, so "-31" stands in for every month's end.
def _start(d: str) -> str:
    return d + "-01-01"[len(d) - 4:] if len(d) < 10 else d


def _stop(d: str) -> str:
    return d + "-12-31"[len(d) - 4:] if len(d) < 10 else d


@dataclass(frozen=True, slots=True)
class PackCode:
    """Everything the pack says about one code (or, with ``covers="family"``, a code and its children)."""

    system: str
    code: str
    label: str  # short, in medcode's own words: never an AMA descriptor
    description: str
    cite: tuple[str, ...]
    covers: str = "code"
    terms: tuple[str, ...] = ()  # words a clinical note may use for this service or condition
    indications: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    documentation: tuple[str, ...] = ()  # what the record must state to support the code
    related: tuple[Related, ...] = ()
    guidance: tuple[Guidance, ...] = ()
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True, slots=True)
class Position:
    """What one authority says on a conflict's topic, kept apart from the others."""

    cite: tuple[str, ...]
    date: str
    stance: str  # one of schema.STANCES, answering the conflict's topic question
    summary: str
    scope: str | None = None  # where the position applies (payer, jurisdiction, convention)
    codes: tuple[str, ...] = ()  # the codes this authority points to


@dataclass(frozen=True, slots=True)
class Conflict:
    """Authorities that disagree on one question. Shown side by side, never blended."""

    id: str
    topic: str
    codes: tuple[str, ...]
    positions: tuple[Position, ...]
    severity: str = "caution"
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Pack:
    """One content pack. ``source`` (the file it came from) is not part of equality."""

    id: str
    title: str
    version: str
    updated: str
    authors: tuple[str, ...]
    citations: tuple[Citation, ...]
    codes: tuple[PackCode, ...]
    conflicts: tuple[Conflict, ...] = ()
    summary: str | None = None
    schema: int = 1
    source: str | None = field(default=None, compare=False)

    def citation(self, cite_id: str) -> Citation:
        """The citation with this id (KeyError if the pack has none)."""
        for c in self.citations:
            if c.id == cite_id:
                return c
        raise KeyError(cite_id)

    def entries(self, code: str, system: str | None = None) -> tuple[PackCode, ...]:
        """The pack's entries for ``code`` (in ``system`` if given)."""
        return tuple(
            e for e in self.codes if e.code == code and (system is None or e.system == system)
        )

    def conflicts_for(self, code: str) -> tuple[Conflict, ...]:
        """Conflicts that involve ``code``."""
        return tuple(c for c in self.conflicts if code in c.codes)
