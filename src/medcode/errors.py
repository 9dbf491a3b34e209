"""Errors raised by the medcode library.

The hierarchy::

    MedcodeError                 base class; the CLI prints its message and exits 2
    ├── ConfigError              a setting or path is missing or wrong
    ├── KBError                  the knowledge base is missing, locked or broken
    │   └── KBNotBuilt           no knowledge base file yet: run `medcode kb build`
    ├── ImportFormatError        an official file does not have the layout its importer expects;
    │                            carries file, line and problem
    ├── UnknownCode              no loaded release has ever had this code (CLI exit 1)
    └── PackError                a content pack is malformed

Every message names the thing that is wrong (file and line, code, setting) so a user can act on it.
"""

from __future__ import annotations

from pathlib import Path


class MedcodeError(Exception):
    """Base class for every error the library raises on purpose."""


class ConfigError(MedcodeError):
    """A setting (environment variable, option, path) is missing or invalid."""


class KBError(MedcodeError):
    """The knowledge base cannot be opened or is inconsistent."""


class KBNotBuilt(KBError):
    """There is no knowledge base at the configured path."""


class ImportFormatError(MedcodeError):
    """An input file does not follow the publisher's layout.

    >>> str(ImportFormatError("x.csv", 3, "expected 4 columns, found 2"))
    'x.csv, line 3: expected 4 columns, found 2'
    """

    def __init__(self, file: str | Path, line: int | None, problem: str) -> None:
        self.file = str(file)
        self.line = line
        self.problem = problem
        where = f"{self.file}, line {line}" if line is not None else self.file
        super().__init__(f"{where}: {problem}")


class UnknownCode(MedcodeError):
    """No loaded release of any code system has this code."""

    def __init__(self, code: str, system: str | None = None) -> None:
        self.code = code
        self.system = system
        scope = f"{system} " if system else ""
        super().__init__(
            f"{code!r} is not a {scope}code in any loaded release"
            + ("" if system else " of any code system")
        )


class PackError(MedcodeError):
    """A content pack file is malformed (unknown key, bad value, unknown code)."""
