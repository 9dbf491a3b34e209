"""Reading the detector's rule files (TOML next to the code) and learned tables (TSV): one place for parse
errors and unknown tables."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Iterable
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from medcode.detect.prefilter import AnyOf
from medcode.errors import ConfigError


def read_tables(name: str, what: str, allowed: set[str], text: str | None = None) -> dict[str, Any]:
    """The tables of ``text``, or of the packaged file ``name``; ``what`` names the file in errors."""
    if text is None:
        text = resources.files("medcode.detect").joinpath(name).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what}: {exc}") from None
    unknown = set(data) - allowed
    if unknown:
        raise ConfigError(f"{what}: unknown tables {sorted(unknown)}")
    return data


def any_of(patterns: Any, what: str) -> AnyOf:
    """A case-insensitive search for any of ``patterns`` (a non-empty list of regular expressions from a
    rule file), each run only near its own words. ``what`` names the list in errors."""
    found = optional_any_of(patterns, what, required=True)
    assert found is not None
    return found


def optional_any_of(patterns: Any, what: str, required: bool = False) -> AnyOf | None:
    """:func:`any_of`, or None for an empty list."""
    if not isinstance(patterns, list) or not all(isinstance(x, str) for x in patterns) or (required and not patterns):
        raise ConfigError(f"{what} must be a {'non-empty ' if required else ''}list of regular expressions")
    if not patterns:
        return None
    try:
        return AnyOf(patterns)
    except re.error as exc:
        raise ConfigError(f"{what}: bad pattern ({exc})") from None


def check_entry(d: dict[str, Any], allowed: frozenset[str], strings: tuple[str, ...], where: str) -> None:
    """Reject unknown keys and missing or empty text fields of one rule entry."""
    unknown = set(d) - allowed
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    for key in strings:
        if not isinstance(d.get(key), str) or not d[key]:
            raise ConfigError(f"{where}: '{key}' must be a non-empty string")


# Packaged tables to treat as absent. The rule tests set it (tests/detect/conftest.py) to run without the
# learned tables; they cannot replace the loaders instead, as the compiled modules call those directly.
ABSENT: frozenset[str] = frozenset()


def read_tsv(name: str, path: Path | None = None) -> tuple[list[list[str]], str] | None:
    """The rows of the TSV file ``path``, or of the packaged file ``name`` (None when the package has
    none or it is in ``ABSENT``), with the name to give in errors."""
    if path is None:
        res = _packaged(name)
        if res is None or not res.is_file():
            return None
        return _rows(res.read_text(encoding="utf-8"), name)
    return _rows(Path(path).read_text(encoding="utf-8"), str(path))


def read_tsv_parts(name: str, path: Path | None = None) -> list[tuple[list[list[str]], str]] | None:
    """The rows of a table kept in several TSV files, each with its own header: every ``*.tsv`` in the
    folder ``path`` (or of the packaged folder ``name``) in name order, or the single file ``path``.
    None when the package has no such folder or it is in ``ABSENT``."""
    if path is None:
        folder = _packaged(name)
        if folder is None or not folder.is_dir():
            return None
        files = sorted((f for f in folder.iterdir() if f.name.endswith(".tsv")), key=lambda f: f.name)
        return [_rows(f.read_text(encoding="utf-8"), f"{name}/{f.name}") for f in files]
    path = Path(path)
    if path.is_dir():
        return [_rows(f.read_text(encoding="utf-8"), str(f)) for f in sorted(path.glob("*.tsv"))]
    return [_rows(path.read_text(encoding="utf-8"), str(path))]


def _packaged(name: str) -> Traversable | None:
    """The package's file or folder ``name``, or None when it is in ``ABSENT``."""
    return None if name in ABSENT else resources.files("medcode.detect").joinpath(name)


def _rows(text: str, where: str) -> tuple[list[list[str]], str]:
    return list(csv.reader(io.StringIO(text), delimiter="\t")), where


def write_tsv(header: tuple[str, ...], rows: Iterable[tuple]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()
