"""What the three ICD-10-CM importers share: the shape of a code, its dotted display form, the
codes a note mentions, and the release a CDC/CMS file belongs to.

ICD-10-CM releases follow the US federal fiscal year: "FY2026" takes effect on 2025-10-01 and ends on
2026-09-30; an April update of the same fiscal year takes effect on April 1 and ends with the year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from medcode.errors import ImportFormatError

SYSTEM = "ICD10CM"
PUBLISHER = "CDC/NCHS"

# A letter, then two characters of which at least one is a digit (nearly always the second: G90;
# FY2026 added category QA0), then up to four more characters after the dot.
_HEAD = r"[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])"
DOTTED = re.compile(rf"{_HEAD}(?:\.[0-9A-Z]{{1,4}})?")
UNDOTTED = re.compile(rf"{_HEAD}[0-9A-Z]{{0,4}}")

# A code as it appears inside note text: "G90.52-", "L89.-", "M54.3-M54.4" (two tokens), "S06".
_TOKEN = re.compile(rf"(?<![A-Za-z0-9.])({_HEAD}(?:\.[0-9A-Z]{{0,4}})?)(-?)(?![A-Za-z0-9])")
# Words that look like codes but are not: "vitamin B12".
_NOT_A_CODE_BEFORE = re.compile(r"vitamin\s+$", re.IGNORECASE)


def dotted(code: str) -> str:
    """The display form of an undotted code: ``G90521`` -> ``G90.521``, ``R52`` -> ``R52``."""
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def clean_code(text: str) -> str | None:
    """Normalise a code as the index and notes print it, or None when it is not code shaped.

    A trailing "-" (the code needs more characters) and a dangling dot are dropped:
    ``G90.52-`` -> ``G90.52``, ``L89.-`` -> ``L89``.
    """
    code = text.strip()
    if code.endswith("-"):
        code = code[:-1]
    code = code.rstrip(".")
    return code if DOTTED.fullmatch(code) else None


def note_refs(text: str) -> tuple[str, ...]:
    """The ICD-10-CM codes a note mentions, in order, without duplicates.

    A range such as "(M54.3-M54.4)" gives its two ends only; "(G90.52-)" gives ``G90.52``.

    >>> note_refs("sciatica (M54.3-M54.4); causalgia of lower limb (G57.7-)")
    ('M54.3', 'M54.4', 'G57.7')
    """
    refs: list[str] = []
    for match in _TOKEN.finditer(text):
        token, dash = match.group(1), match.group(2)
        if _NOT_A_CODE_BEFORE.search(text, 0, match.start()):
            continue
        # Letter-letter-digit words are usually gene or protein names (GM2, CR3); the one such
        # category (QA0) counts only when written with its dot or a trailing dash.
        if token[1].isalpha() and "." not in token and not dash:
            continue
        code = token.rstrip(".")
        if code not in refs:
            refs.append(code)
    return tuple(refs)


def decode_text(path: Path, data: bytes) -> str:
    """Decode a text file as UTF-8 (the CDC files are ASCII in practice), else as Windows-1252, the
    usual fallback for CMS files. When neither works, name the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        line = data.count(b"\n", 0, first_bad) + 1
        raise ImportFormatError(
            path, line, f"bytes that are neither UTF-8 nor Windows-1252 (byte 0x{data[first_bad]:02x})"
        ) from None


@dataclass(frozen=True, slots=True)
class Release:
    """The release a file belongs to, as ``Sink.source`` wants it."""

    release: str
    effective: str
    end: str

    @classmethod
    def fiscal_year(cls, year: int, april: bool) -> Release:
        """The October release of fiscal year ``year``, or its April 1 update."""
        if april:
            return cls(f"FY{year} April 1, {year} update", f"{year}-04-01", f"{year}-09-30")
        return cls(f"FY{year}", f"{year - 1}-10-01", f"{year}-09-30")


_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def release_of(path: Path, version: str | None = None, *, line: int | None = None, folder: bool = False) -> Release:
    """Work out the release from the file name and, when the file states one, its ``<version>``.

    The year comes from the name ("icd10cm_order_2025.txt", "...April-1-2026.xml") or, failing that,
    from ``version``; the two must agree when both are present. "April" in the name marks the April 1
    update. With ``folder=True`` the parent folder's name counts too: the CDC ships April index files
    in a zip named "...-April-2025.zip" whose members drop the month.
    """
    names = [path.name] + ([path.parent.name] if folder else [])
    name_year = next((int(m.group(1)) for n in names if (m := _YEAR.search(n))), None)
    version_year: int | None = None
    if version is not None and version.strip():
        if not re.fullmatch(r"\s*20\d\d\s*", version):
            raise ImportFormatError(path, line, f"<version> is {version!r}, expected a year such as 2026")
        version_year = int(version)
    if name_year is not None and version_year is not None and name_year != version_year:
        raise ImportFormatError(
            path, line, f"the file name says {name_year} but <version> says {version_year}; which release is it?"
        )
    year = name_year if name_year is not None else version_year
    if year is None:
        raise ImportFormatError(path, line, "cannot tell the fiscal year: no year in the file name and no <version>")
    april = any("april" in n.lower() for n in names)
    return Release.fiscal_year(year, april)
