"""One importer per official file format, each in its own module (see ``base.py`` for the contract).

``IMPORTERS`` maps a format name to its module, in build order: code lists first, then files that
describe codes. ``discover(mirror)`` finds the files each importer reads in a mirror folder.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType

_MODULES = {
    "icd10cm-order": "icd10cm_order",
    "icd10cm-tabular": "icd10cm_tabular",
    "icd10cm-index": "icd10cm_index",
    "hcpcs": "hcpcs",
    "cpt-modifiers": "cpt_modifiers",
    "mpfs-rvu": "mpfs_rvu",
    "ncci-mue": "mue",
    "ncci-ptp": "ncci_ptp",
    "nucc-taxonomy": "nucc_taxonomy",
    "place-of-service": "place_of_service",
    "cpt-licensed": "cpt_licensed",
}


class _Importers(Mapping[str, ModuleType]):
    """Importer modules by format name, imported on first use (some pull in openpyxl)."""

    def __getitem__(self, name: str) -> ModuleType:
        return importlib.import_module(f"medcode.codesets.{_MODULES[name]}")

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


IMPORTERS: Mapping[str, ModuleType] = _Importers()


def discover(mirror: Path, superseded: list[Path] | None = None) -> list[tuple[str, Path]]:
    """(format, file) pairs for every file of the mirror some importer reads, in build order.

    An importer may define ``newest_only(paths) -> (kept, superseded)`` to skip older releases that
    a newer file restates in full; skipped files are appended to ``superseded``.
    """
    jobs: list[tuple[str, Path]] = []
    seen: set[Path] = set()
    for name in IMPORTERS:
        module = IMPORTERS[name]
        skip = getattr(module, "SKIP", None)
        found: list[Path] = []
        for pattern in getattr(module, "PATTERNS", ()):
            for path in sorted(mirror.glob(pattern)):
                if path in seen or not path.is_file() or (skip is not None and skip.search(path.name)):
                    continue
                seen.add(path)
                found.append(path)
        if hasattr(module, "newest_only"):
            found, older = module.newest_only(found)
            if superseded is not None:
                superseded.extend(older)
        jobs += [(name, p) for p in found]
    return jobs
