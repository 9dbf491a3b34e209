"""The one facade the CLI, the HTTP API and the web UI call.

>>> wb = Workbench()                                  # doctest: +SKIP
>>> wb.show("0441T")["fee_schedule"]["bilateral"]     # doctest: +SKIP
{'value': '0', 'meaning': '...'}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from medcode import settings
from medcode.kb.build import BuildReport, build
from medcode.kb.store import KB, Source


class Workbench:
    """A knowledge base and the operations over it. Opens the knowledge base lazily."""

    def __init__(self, kb_path: str | Path | None = None) -> None:
        self.kb_path = settings.kb_path(kb_path)
        self._kb: KB | None = None
        self._searcher: Any = None
        self._detector: Any = None

    @property
    def kb(self) -> KB:
        if self._kb is None:
            self._kb = KB.open(self.kb_path)
        return self._kb

    def close(self) -> None:
        if self._kb is not None:
            self._kb.close()
            self._kb = None
            self._searcher = None

    # --- knowledge base -------------------------------------------------------------------------

    def build(
        self,
        mirror: str | Path | None = None,
        *,
        cpt_files: Sequence[Path] = (),
        pack_files: Sequence[Path] = (),
        progress: Callable[[str, Path], None] | None = None,
    ) -> BuildReport:
        """Build (or rebuild) the knowledge base from ``mirror`` (default ``MEDCODE_MIRROR``)."""
        self.close()
        return build(self.kb_path, settings.mirror_path(mirror), cpt_files=cpt_files, pack_files=pack_files,
                     progress=progress)

    def sources(self) -> list[Source]:
        return self.kb.sources()

    def info(self) -> dict[str, Any]:
        from medcode.kb.derive import counts

        return {"path": str(self.kb_path), "meta": self.kb.meta(), "counts": counts(self.kb.conn),
                "sources": [s.as_dict() | {"complete": s.complete, "rows": s.row_count, "end_date": s.end_date}
                            for s in self.kb.sources()]}

    # --- look-up and search ---------------------------------------------------------------------

    @property
    def searcher(self) -> Any:
        if self._searcher is None:
            from medcode.search.engine import Searcher

            self._searcher = Searcher(self.kb)
        return self._searcher

    def search(self, query: str, *, system: str | None = None, limit: int = 10) -> list[Any]:
        """Ranked codes for ``query`` across systems (``system`` filters)."""
        return self.searcher.search(query, system=system, limit=limit)

    def search_batch(self, items: Iterable[dict[str, Any]], *, system: str | None = None,
                     limit: int = 5) -> Iterator[dict[str, Any]]:
        """For each {"id", "query"} yield {"id", "results": [...]} (the problem-list job)."""
        for item in items:
            hits = self.search(str(item.get("query", "")), system=system, limit=limit)
            yield {"id": item.get("id"), "results": [h.as_dict() for h in hits]}

    def show(self, code: str, *, system: str | None = None, as_of: str | None = None) -> dict[str, Any]:
        """Everything known about ``code`` (raises UnknownCode if no release ever had it)."""
        from medcode.profile.page import build_page

        return build_page(self.kb, code, system=system, as_of=as_of)

    # --- claim checks ---------------------------------------------------------------------------

    def check(self, claims: Path | list[dict[str, Any]] | dict[str, Any]) -> list[dict[str, Any]]:
        """Findings for a claim file (JSON or CSV) or claim dicts, each citing its rule and data release."""
        from medcode import edits

        if isinstance(claims, (str, Path)):
            parsed = edits.load(Path(claims))
        else:
            items = claims if isinstance(claims, list) else [claims]
            parsed = [edits.from_dict(c, f"claim[{i}]") for i, c in enumerate(items)]
        return edits.check(self.kb, parsed)

    def audit(self, text: str) -> list[dict[str, Any]]:
        """Every code claim in ``text`` (titles, billable, laterality, modifiers, specialty) with its verdict."""
        from medcode.audit import audit

        return audit(self.kb, text)

    # --- diagnosis detection --------------------------------------------------------------------

    @property
    def detector(self) -> Any:
        if self._detector is None:
            from medcode.detect import Detector
            from medcode.settings import detect_agreement, detect_phrases

            self._detector = Detector(self.kb, learned=detect_phrases(), agreement=detect_agreement())
        return self._detector

    def detect(self, text: str) -> dict[str, Any]:
        """Diagnoses, signs and symptoms in ``text`` with traits and ranked ICD-10-CM codes
        (the InferICD10CM JSON shape)."""
        entities = self.detector.detect(text)
        return {"entities": [e.as_dict() for e in entities],
                "excludes1_conflicts": [c.as_dict() for c in self.detector.conflicts(entities)]}

    def suggest(self, note: str) -> dict[str, Any]:
        """Case2Code: proposed claim lines for a case note (PHI masked first), with evidence,
        open questions and the claim checks run on the proposal."""
        from medcode.suggest import suggest

        return suggest(self.kb, note, detector=self.detector)
