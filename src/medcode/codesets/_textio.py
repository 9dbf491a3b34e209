"""Small reading helpers shared by the CMS/NUCC/AMA importers (not an importer itself).

``base.py`` already reads whole files; what this module adds is what several importers need and
``base.py`` does not offer:

* decoding with the *line number* of the first undecodable byte in the error message,
* streaming a (possibly ``.xz``/``.gz`` compressed) file line by line, decoding each line on its
  own, so multi-million-row files are never held in memory twice,
* turning CMS date spellings (``YYYYMMDD``, month names) into ISO dates.
"""

from __future__ import annotations

import gzip
import io
import lzma
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from medcode.codesets.base import read_bytes
from medcode.errors import ImportFormatError

MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_ISO = re.compile(r"\d{4}-\d\d-\d\d")
_COMPACT = re.compile(r"\d{8}")


def _bad_byte_line(data: bytes, exc: UnicodeDecodeError) -> int:
    return data.count(b"\n", 0, exc.start) + 1


def decode(path: Path, data: bytes, encodings: Sequence[str] = ("utf-8-sig", "cp1252")) -> str:
    """Decode ``data`` with the first encoding that works; otherwise say which line is broken."""
    if not data.strip():
        raise ImportFormatError(path, 1, "the file is empty")
    last: UnicodeDecodeError | None = None
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError as exc:
            last = exc
    assert last is not None
    raise ImportFormatError(
        path,
        _bad_byte_line(data, last),
        f"byte 0x{data[last.start]:02x} cannot be decoded as {' or '.join(encodings)}",
    )


def read_decoded(path: Path, encodings: Sequence[str] = ("utf-8-sig", "cp1252")) -> str:
    """Read (decompressing ``.xz``/``.gz``) and decode a whole file; see :func:`decode`."""
    return decode(path, read_bytes(path), encodings)


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for streaming, transparently decompressing ``.xz`` and ``.gz``."""
    try:
        if path.suffix == ".xz":
            return lzma.open(path, "rb")
        if path.suffix == ".gz":
            return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile is a binary IO
        return path.open("rb")
    except OSError as exc:
        raise ImportFormatError(path, None, f"cannot read the file: {exc}") from exc


def stream_lines(path: Path, encodings: Sequence[str] = ("utf-8",)) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text without line ending)`` for every line of ``path``.

    Decodes with ``encodings[0]``; a line that is not valid in it is re-decoded with the next
    encodings, and if none works the error names that exact line. Raises ImportFormatError for an
    empty file or a broken compressed stream.
    """
    first_enc = encodings[0]
    number = 0
    with open_binary(path) as raw_fh, io.TextIOWrapper(
        raw_fh, encoding=first_enc, errors="surrogateescape", newline=""
    ) as fh:
        try:
            for number, text in enumerate(fh, 1):
                if not text.isascii():
                    text = _redecode(path, number, text, encodings)
                yield number, text.rstrip("\r\n")
        except (EOFError, lzma.LZMAError, gzip.BadGzipFile) as exc:
            raise ImportFormatError(path, number + 1, f"compressed stream is broken: {exc}") from exc
    if number == 0:
        raise ImportFormatError(path, 1, "the file is empty")


def _redecode(path: Path, number: int, text: str, encodings: Sequence[str]) -> str:
    """Return ``text`` if it decoded cleanly, else try the other encodings on its raw bytes."""
    try:
        text.encode(encodings[0])
        return text[1:] if number == 1 and text.startswith("\ufeff") else text
    except UnicodeEncodeError:
        raw = text.encode(encodings[0], "surrogateescape")
    for enc in encodings[1:]:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    bad = next(i for i, ch in enumerate(text) if "\udc80" <= ch <= "\udcff")
    raise ImportFormatError(
        path, number, f"byte 0x{ord(text[bad]) - 0xDC00:02x} cannot be decoded as {' or '.join(encodings)}"
    )


def iso_compact(path: Path, line: int | None, value: str, what: str) -> str:
    """``20250101`` → ``2025-01-01``; anything else is a format error naming ``what``."""
    if not _COMPACT.fullmatch(value):
        raise ImportFormatError(path, line, f"{what} {value!r} is not a YYYYMMDD date")
    return _checked(path, line, f"{value[:4]}-{value[4:6]}-{value[6:]}", what)


def iso_date(path: Path, line: int | None, value: str, what: str) -> str:
    """Validate an ISO ``YYYY-MM-DD`` date string and return it."""
    if not _ISO.fullmatch(value):
        raise ImportFormatError(path, line, f"{what} {value!r} is not a YYYY-MM-DD date")
    return _checked(path, line, value, what)


def _checked(path: Path, line: int | None, iso: str, what: str) -> str:
    month, day = int(iso[5:7]), int(iso[8:10])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ImportFormatError(path, line, f"{what} {iso!r} is not a valid date")
    return iso


def month_number(path: Path, line: int | None, name: str) -> int:
    """``Oct``/``October`` (any case) → 10."""
    try:
        return MONTHS[name.strip().lower()]
    except KeyError:
        raise ImportFormatError(path, line, f"{name!r} is not a month name") from None
