"""Helpers for importer tests: copy a fixture file, changing one line, to test malformed input."""

from __future__ import annotations

import lzma
from collections.abc import Callable
from pathlib import Path

Edit = Callable[[list[bytes]], list[bytes]]


def copy_fixture(src: Path, dest_dir: Path, edit: Edit | None = None, name: str | None = None,
                 sep: bytes = b"\n") -> Path:
    """Copy ``src`` into ``dest_dir`` (as ``name``), passing its lines through ``edit``; ``.xz`` names
    are written compressed."""
    lines = src.read_bytes().split(sep)
    out = dest_dir / (name or src.name)
    data = sep.join(edit(lines) if edit else lines)
    out.write_bytes(lzma.compress(data) if out.suffix == ".xz" else data)
    return out


def replace_in_line(n: int, old: bytes, new: bytes) -> Edit:
    """An edit that replaces ``old`` by ``new`` once in line ``n`` (1-based), which must contain it."""
    def edit(lines: list[bytes]) -> list[bytes]:
        assert old in lines[n - 1], (n, lines[n - 1])
        lines[n - 1] = lines[n - 1].replace(old, new, 1)
        return lines
    return edit


def assert_names_place(err: Exception, path: Path, line: int | None, problem: str, case: str = "") -> None:
    """The ImportFormatError names the file, the line (when there is one) and the problem."""
    assert getattr(err, "file", None) == str(path), case
    assert getattr(err, "line", None) == line, case
    assert problem in getattr(err, "problem", ""), case
    assert str(err).startswith(f"{path}, line {line}: " if line else f"{path}: "), case
