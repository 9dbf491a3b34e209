"""The sentences of a note that document a procedure done on the date of service.

A note is cut at its headers ("Procedure:", "History:" at a line start), at blank lines, list
bullets and sentence ends. A sentence documents a procedure when it sits under a procedure
header or contains a procedure context word, is not under a header about the past, the plan or
the reasons, and names nothing planned, refused or past. The vocabularies are in
``matching.toml``; this module only applies them. Negation right before a matched phrase is
checked per match (:func:`negated`), since "no complications" must not hide the rest.

This module owns no codes: :mod:`medcode.suggest.descriptors` matches the sentences to codes.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

_TABLES = {
    "thresholds": {"descriptor_coverage", "descriptor_min_groups", "close_call", "confidence_family",
                   "confidence_pack_term", "confidence_descriptor"},
    "sections": {"procedure", "skip", "fields"},
    "cues": {"context", "sentence_skip", "negation", "negation_window"},
    "descriptors": {"ignore_words", "optional", "full_coverage_prefixes", "suffixes"},
    "skip": {"ranges", "fee_status"},
}
_HEADER = re.compile(r"^[ \t]*([A-Za-z][A-Za-z0-9 /&'-]{0,48}?)[ \t]*:", re.M)
_BULLET = re.compile(r"\s*(?:[-*\u2022]|\d{1,2}[.)])\s+")
_CUT = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*\u2022]|\d{1,2}[.)])\s)|(?<=[.;!?])\s+(?=\S)")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A stretch of the note; offsets are half-open into the (masked) note."""

    start: int
    end: int
    text: str
    section: str | None  # the header's label, lower-cased
    in_procedure_section: bool


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    """``matching.toml``, checked by :func:`check_settings`."""
    return check_settings(tomllib.loads(resources.files("medcode.suggest").joinpath("matching.toml").read_text("utf-8")))


def check_settings(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` if every table and key is known and present and every regular expression compiles;
    ValueError listing every problem otherwise."""
    problems = [f"unknown table [{t}]" for t in sorted(set(data) - set(_TABLES))]
    for table, keys in _TABLES.items():
        got = set(data.get(table, {}))
        problems += [f"[{table}] unknown key {k!r}" for k in sorted(got - keys)]
        problems += [f"[{table}] missing key {k!r}" for k in sorted(keys - got)]
    for table, key in (("cues", "context"), ("cues", "sentence_skip"), ("cues", "negation"),
                       ("descriptors", "optional")):
        for rx in data.get(table, {}).get(key, []):
            try:
                re.compile(rx)
            except re.error as exc:
                problems.append(f"[{table}] {key}: {rx!r} does not compile ({exc})")
    if problems:
        raise ValueError("matching.toml: " + "; ".join(problems))
    return data


@lru_cache(maxsize=1)
def _compiled() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    cues = settings()["cues"]
    context = re.compile(r"\b(?:" + "|".join(cues["context"]) + ")", re.I)
    skip = re.compile("|".join(f"(?:{rx})" for rx in cues["sentence_skip"]), re.I)
    negation = re.compile("|".join(f"(?:{rx})" for rx in cues["negation"]), re.I)
    return context, skip, negation


def split(note: str) -> list[Sentence]:
    """Every sentence of the note with the header it sits under (not only procedure sentences)."""
    sections = settings()["sections"]
    known = set(sections["procedure"]) | set(sections["skip"])
    heads = [(m.start(), m.end(), m.group(1).strip().lower()) for m in _HEADER.finditer(note)
             if _is_header(note, m, known)]
    bounds = [(0, None, 0)] + [(h_end, label, h_start) for h_start, h_end, label in heads]
    pieces: list[tuple[int, int, str | None]] = []
    for i, (body, label, _) in enumerate(bounds):
        stop = bounds[i + 1][2] if i + 1 < len(bounds) else len(note)
        line_end = note.find("\n", body, stop)
        if label is not None and line_end != -1 and note[body:line_end].strip():
            blank = re.search(r"\n[ \t]*\n", note[body:stop])
            end = line_end if label in sections["fields"] else (body + blank.start() if blank else stop)
            if end < stop:  # the rest, up to the next header, belongs to no section
                pieces += [(body, end, label), (end, stop, None)]
                continue
        pieces.append((body, stop, label))
    out: list[Sentence] = []
    for body, stop, label in pieces:
        proc = label is not None and label in sections["procedure"]
        pos = body
        for piece in _CUT.split(note[body:stop]):
            at = note.find(piece, pos, stop)
            if at < 0:
                continue
            pos = at + len(piece)
            bullet = _BULLET.match(piece)
            lead = bullet.end() if bullet else 0
            text = piece[lead:].strip()
            lead += len(piece[lead:]) - len(piece[lead:].lstrip())
            if text:
                out.append(Sentence(at + lead, at + lead + len(text), text, label, proc))
    return out


def _is_header(note: str, m: re.Match[str], known: set[str]) -> bool:
    """A known label, or a capitalised one of a few words, on a line after a finished one (so a
    sentence wrapped before "extremity: the sural nerve" does not start a section)."""
    label = m.group(1).strip()
    if label.lower() not in known and (not label[0].isupper() or len(label.split()) > 4):
        return False
    before = note[:m.start()].rstrip(" \t")
    return not before or before.endswith("\n\n") or before.rstrip()[-1] in ".:;!?)" or \
        before.endswith("\n") and label.lower() in known


def procedure_sentences(note: str) -> list[Sentence]:
    """The sentences that document a procedure done today (see the module docstring)."""
    skip_sections = set(settings()["sections"]["skip"])
    context, skip, _ = _compiled()
    return [s for s in split(note)
            if s.section not in skip_sections
            and (s.in_procedure_section or context.search(s.text))
            and not skip.search(s.text)]


def negated(note: str, sentence: Sentence, start: int) -> bool:
    """Whether a negation cue stands within the window of words before ``start`` in the sentence."""
    window = settings()["cues"]["negation_window"]
    before = note[sentence.start:start].split()[-window:]
    return bool(_compiled()[2].search(" ".join(before)))
