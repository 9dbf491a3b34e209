"""Load and save content packs: hand-written TOML files of coding knowledge.

A pack holds what no official file carries: plain-language descriptions, typical indications and
settings, relations between codes, dated guidance, single facts with their source, and conflicts
between authorities shown side by side. Every statement cites a citation defined in the same pack.

This module finds, reads and writes packs. The types live in :mod:`medcode.packs.model` (and are
re-exported here), the checks in :mod:`medcode.packs._validate`, the vocabulary in
:mod:`medcode.packs.schema`. Nothing here writes to the knowledge base or knows which codes exist in
a release: code *shape* is checked on load, code *existence* is the KB builder's job.

>>> pack = load_pack(builtin_packs()[0])            # doctest: +SKIP
>>> [c.code for c in pack.codes][:3]                # doctest: +SKIP
['0440T', '0441T', '0442T']
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from medcode.packs import _toml
from medcode.packs._validate import build, error
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
)

__all__ = [
    "Citation",
    "Conflict",
    "Fact",
    "FactValue",
    "Guidance",
    "Pack",
    "PackCode",
    "Position",
    "Related",
    "builtin_packs",
    "dump_pack",
    "from_dict",
    "load_builtin_packs",
    "load_pack",
    "to_dict",
]

# --------------------------------------------------------------------------------------------
# Public functions


def load_pack(source: str | os.PathLike[str] | Traversable, *, name: str | None = None) -> Pack:
    """Read and validate one pack from a file path or from TOML text.

    A ``str`` is taken as TOML text when it contains a line break or starts with ``[`` or ``#``,
    otherwise as a path. ``name`` labels the pack in error messages (default: the path, or
    ``<string>`` for text). Raises :class:`PackError` naming the file and the table of each problem.

    >>> load_pack(builtin_packs()[0]).id
    'peripheral-nerve-cryoablation'
    """
    if isinstance(source, str) and _looks_like_text(source):
        label = name or "<string>"
        text = source
    else:
        label = name or str(source)
        try:
            if isinstance(source, (str, os.PathLike)):
                raw = Path(source).read_bytes()
            else:
                raw = source.read_bytes()
        except OSError as exc:
            raise error(label, [("file", f"cannot read: {exc.strerror or exc}")]) from exc
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(label, [("file", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(label, [("file", f"not valid TOML: {exc}")]) from exc
    return from_dict(data, name=label)


def from_dict(data: Mapping[str, Any], *, name: str = "<dict>") -> Pack:
    """Validate a pack given as plain data (what ``tomllib`` returns) and build a :class:`Pack`."""
    return build(data, name)


def to_dict(pack: Pack) -> dict[str, Any]:
    """The pack as plain data in file order, leaving out empty and default values.

    ``from_dict(to_dict(p)) == p`` for every valid pack.
    """
    out: dict[str, Any] = {
        "pack": _clean(
            {
                "id": pack.id,
                "title": pack.title,
                "version": pack.version,
                "updated": pack.updated,
                "authors": list(pack.authors),
                "schema": None if pack.schema == 1 else pack.schema,
                "summary": pack.summary,
            }
        ),
        "citations": [
            _clean(
                {
                    "id": c.id,
                    "authority": c.authority,
                    "title": c.title,
                    "date": c.date,
                    "kind": c.kind,
                    "locator": c.locator,
                    "url": c.url,
                    "note": c.note,
                }
            )
            for c in pack.citations
        ],
        "codes": [_code_dict(e) for e in pack.codes],
    }
    if pack.conflicts:
        out["conflicts"] = [
            _clean(
                {
                    "id": c.id,
                    "topic": c.topic,
                    "codes": list(c.codes),
                    "severity": None if c.severity == "caution" else c.severity,
                    "note": c.note,
                    "positions": [
                        _clean(
                            {
                                "cite": list(p.cite),
                                "date": p.date,
                                "stance": p.stance,
                                "scope": p.scope,
                                "codes": list(p.codes),
                                "summary": p.summary,
                            }
                        )
                        for p in c.positions
                    ],
                }
            )
            for c in pack.conflicts
        ]
    return out


def dump_pack(pack: Pack) -> str:
    """The pack as TOML text that :func:`load_pack` reads back to an equal pack."""
    return _toml.dumps(to_dict(pack))


def builtin_packs() -> list[Path]:
    """Every ``*.toml`` pack shipped inside ``medcode.packs``, sorted by file name."""
    root = resources.files("medcode.packs")
    return sorted(
        (Path(str(p)) for p in root.iterdir() if p.name.endswith(".toml") and p.is_file()),
        key=lambda p: p.name,
    )


def load_builtin_packs() -> list[Pack]:
    """Load every shipped pack; two packs with the same id are an error."""
    packs = [load_pack(p) for p in builtin_packs()]
    seen: dict[str, str] = {}
    for p in packs:
        if p.id in seen:
            raise error(str(p.source), [("pack.id", f"{p.id!r} is also the id of {seen[p.id]}")])
        seen[p.id] = str(p.source)
    return packs


# --------------------------------------------------------------------------------------------
# Serialization helpers


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != [] and v != ()}


def _code_dict(e: PackCode) -> dict[str, Any]:
    return _clean(
        {
            "system": e.system,
            "code": e.code,
            "covers": None if e.covers == "code" else e.covers,
            "label": e.label,
            "description": e.description,
            "terms": list(e.terms),
            "indications": list(e.indications),
            "settings": list(e.settings),
            "documentation": list(e.documentation),
            "cite": list(e.cite),
            "related": [
                _clean(
                    {
                        "system": r.system,
                        "code": r.code,
                        "relation": r.relation,
                        "note": r.note,
                        "cite": list(r.cite),
                    }
                )
                for r in e.related
            ],
            "guidance": [
                _clean(
                    {
                        "text": g.text,
                        "date": g.date,
                        "severity": None if g.severity == "info" else g.severity,
                        "cite": list(g.cite),
                    }
                )
                for g in e.guidance
            ],
            "facts": [
                _clean(
                    {
                        "field": f.field,
                        "pair_system": f.pair_system if f.pair_system != e.system else None,
                        "pair": f.pair,
                        "value": f.value,
                        "effective": f.effective,
                        "ends": f.ends,
                        "note": f.note,
                        "cite": list(f.cite),
                    }
                )
                for f in e.facts
            ],
        }
    )



def _looks_like_text(s: str) -> bool:
    return "\n" in s or s.lstrip().startswith(("[", "#")) or not s.strip()
