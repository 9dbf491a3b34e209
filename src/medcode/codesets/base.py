"""The contract between importers and the knowledge-base builder.

An importer is a module with

* ``PATTERNS``: glob patterns (relative to the mirror root) of the files it reads, and
* ``load(path, sink)``: parse one file in the publisher's layout and hand every record to ``sink``.

An importer never touches SQL. It first calls ``sink.source(...)`` once with the release it found in
the file (or its name), then one of the record methods per record. On a layout problem it raises
:class:`medcode.errors.ImportFormatError` naming the file, line and problem; the builder then
discards everything that file wrote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from medcode.errors import ImportFormatError


class Sink(Protocol):
    """Where importers put what they read. Implemented by the KB builder and by test fakes."""

    def source(
        self,
        *,
        dataset: str,
        publisher: str,
        release: str,
        effective: str,
        end: str | None = None,
        complete: bool = True,
        systems: Sequence[str] = (),
    ) -> None:
        """Describe the file being imported. ``effective``/``end`` are ISO dates (YYYY-MM-DD).

        ``complete`` is False for extracts that list only some codes: codes missing from an
        incomplete release are not treated as deleted. ``systems`` lists the code systems whose
        code list this file defines (used to decide which codes a release deleted).
        """

    def code(
        self,
        system: str,
        code: str,
        title: str | None,
        *,
        short_title: str | None = None,
        billable: bool | None = None,
        kind: str = "code",
        parent: str | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        """One code. ``kind`` is chapter, block, category, header or code. Codes are stored as the
        publisher prints them for display (ICD-10-CM with its dot, e.g. ``G90.521``)."""

    def term(self, system: str, code: str, term: str, kind: str) -> None:
        """A search term for a code: ``inclusion``, ``index``, ``synonym`` ..."""

    def note(self, system: str, code: str, kind: str, text: str, refs: Sequence[str] = ()) -> None:
        """An instructional note (includes, excludes1, excludes2, code_first, use_additional,
        code_also, note, seventh_character) with the codes it mentions in ``refs``."""

    def fee(self, code: str, modifier: str, fields: dict[str, Any]) -> None:
        """One row of the physician fee schedule RVU file; keys are the names in
        ``medcode.codesets.mpfs_rvu.FIELDS``."""

    def mue(self, setting: str, code: str, units: int, mai: int | None, rationale: str | None) -> None:
        """One MUE row. ``setting`` is practitioner, outpatient_hospital or dme."""

    def ptp(
        self,
        setting: str,
        column1: str,
        column2: str,
        *,
        effective: str | None,
        deletion: str | None,
        modifier_indicator: str,
        prior_1996: bool | None = None,
        rationale: str | None = None,
    ) -> None:
        """One NCCI PTP edit. ``setting`` is practitioner or outpatient_hospital. ``deletion`` is an ISO
        date or None when the edit is active."""


# --- helpers shared by the CSV-based importers --------------------------------------------------


def read_bytes(path: Path) -> bytes:
    """Read a file, transparently decompressing ``.xz`` and ``.gz`` copies."""
    try:
        if path.suffix == ".xz":
            import lzma

            return lzma.decompress(path.read_bytes())
        if path.suffix == ".gz":
            import gzip

            return gzip.decompress(path.read_bytes())
        return path.read_bytes()
    except (OSError, EOFError, ValueError) as exc:  # lzma.LZMAError and gzip.BadGzipFile are OSError/ValueError
        raise ImportFormatError(path, None, f"cannot read the file: {exc}") from exc


def read_text(path: Path, encodings: Sequence[str] = ("utf-8-sig", "cp1252")) -> str:
    """Read a text file trying each encoding in turn; CMS files are often cp1252/latin-1."""
    data = read_bytes(path)
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ImportFormatError(path, None, f"cannot decode the file as any of {', '.join(encodings)}")


def csv_rows(path: Path, text: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) for each CSV record, line numbers as an editor shows them."""
    if text is None:
        text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise ImportFormatError(path, reader.line_num, f"CSV syntax error: {exc}") from exc


def header_index(
    path: Path, line: int, header: Sequence[str], wanted: Mapping[str, Sequence[str]]
) -> dict[str, int]:
    """Map field names to column positions by matching header cells (case and space insensitive).

    ``wanted`` maps our field name to acceptable header spellings. A missing field raises an
    ImportFormatError that lists what the header does contain.
    """
    norm = [" ".join(h.replace("\n", " ").split()).lower() for h in header]
    out: dict[str, int] = {}
    for field, spellings in wanted.items():
        for s in spellings:
            s = " ".join(s.split()).lower()
            if s in norm:
                out[field] = norm.index(s)
                break
        else:
            raise ImportFormatError(
                path, line, f"header has no column for {field!r} (looked for {list(spellings)}; found {norm})"
            )
    return out
