"""Rewrite a text from its PHI spans: the ``redact``, ``mask`` and ``surrogate`` operators.

Detection lives in the analyzer; this module never decides what is PHI. Each operator is one small
function from (label, original text) to replacement text, registered in :data:`OPERATORS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .errors import RedactionError
from .spans import PhiSpan
from .surrogate import Surrogates

Operator = Callable[[str, str], str]


@dataclass(frozen=True, slots=True)
class Redaction:
    """The rewritten text and the spans (offsets into the *input* text) that were replaced."""

    text: str
    spans: tuple[PhiSpan, ...]

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "spans": [s.to_dict() for s in self.spans]}


def redact_label(label: str, original: str) -> str:
    """``[NAME]``, ``[DATE]``..."""
    return f"[{label}]"


def mask(label: str, original: str) -> str:
    """Same length: every character but whitespace becomes ``*``."""
    return "".join(ch if ch.isspace() else "*" for ch in original)


MODES = ("redact", "mask", "surrogate")
OPERATORS: dict[str, Operator] = {"redact": redact_label, "mask": mask}
"""Stateless operators; ``surrogate`` is built per call because it holds a key."""


def apply(text: str, spans: Sequence[PhiSpan], mode: str = "redact",
          key: str | bytes | None = None) -> Redaction:
    """Replace each span of ``text`` according to ``mode``; spans must be sorted and disjoint."""
    if mode == "surrogate":
        fakes = Surrogates(key)
        op: Operator = fakes.value
    elif mode in OPERATORS:
        op = OPERATORS[mode]
    else:
        raise RedactionError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    out: list[str] = []
    pos = 0
    for span in spans:
        if span.start < pos or span.end > len(text) or span.start >= span.end:
            raise RedactionError("spans overlap or fall outside the text")
        out.append(text[pos:span.start])
        out.append(op(span.label, text[span.start:span.end]))
        pos = span.end
    out.append(text[pos:])
    return Redaction("".join(out), tuple(spans))
