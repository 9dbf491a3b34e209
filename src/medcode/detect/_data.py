"""Reading the detector's rule files (TOML next to the code): one place for parse errors and unknown tables."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

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


def check_entry(d: dict[str, Any], allowed: frozenset[str], strings: tuple[str, ...], where: str) -> None:
    """Reject unknown keys and missing or empty text fields of one rule entry."""
    unknown = set(d) - allowed
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    for key in strings:
        if not isinstance(d.get(key), str) or not d[key]:
            raise ConfigError(f"{where}: '{key}' must be a non-empty string")
