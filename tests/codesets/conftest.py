"""A recording Sink so importer tests see exactly what an importer emits, with no database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


class RecordingSink:
    def __init__(self) -> None:
        self.sources: list[dict[str, Any]] = []
        self.codes: list[dict[str, Any]] = []
        self.terms: list[tuple[str, str, str, str]] = []
        self.notes: list[dict[str, Any]] = []
        self.fees: list[tuple[str, str, dict[str, Any]]] = []
        self.mues: list[tuple[str, str, int, int | None, str | None]] = []
        self.ptps: list[dict[str, Any]] = []

    def source(self, **kw: Any) -> None:
        self.sources.append(kw)

    def code(self, system: str, code: str, title: str | None, **kw: Any) -> None:
        self.codes.append({"system": system, "code": code, "title": title, **kw})

    def term(self, system: str, code: str, term: str, kind: str) -> None:
        self.terms.append((system, code, term, kind))

    def note(self, system: str, code: str, kind: str, text: str, refs: Any = ()) -> None:
        self.notes.append({"system": system, "code": code, "kind": kind, "text": text, "refs": tuple(refs)})

    def fee(self, code: str, modifier: str, fields: dict[str, Any]) -> None:
        self.fees.append((code, modifier, fields))

    def mue(self, setting: str, code: str, units: int, mai: int | None, rationale: str | None) -> None:
        self.mues.append((setting, code, units, mai, rationale))

    def ptp(self, setting: str, column1: str, column2: str, **kw: Any) -> None:
        self.ptps.append({"setting": setting, "column1": column1, "column2": column2, **kw})

    # conveniences for assertions
    def code_map(self) -> dict[str, dict[str, Any]]:
        return {c["code"]: c for c in self.codes}


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def data_dir() -> Path:
    return DATA
