"""Find and remove the HIPAA Safe Harbor identifiers in clinical text.

Detection and rewriting are separate (as in Presidio's analyzer and anonymizer):

    >>> from medcode.phi import find_phi, redact
    >>> [s.label for s in find_phi("Seen by Dr. Hope on 3/4/2024, MRN 00123456.")]
    ['NAME', 'DATE', 'MRN']
    >>> redact("Seen by Dr. Hope on 3/4/2024.").text
    'Seen by Dr. [NAME] on [DATE].'

Modes: ``redact`` (labels), ``mask`` (same length) and ``surrogate`` (consistent fake values keyed
by ``key``; dates shifted by one per-key offset). Recognizers are data (``recognizers.toml``);
word lists come from PyPI packages (see ``lexicon.py``). Every error propagates: callers must not
emit text that could not be checked.
"""

from __future__ import annotations

from collections.abc import Iterable

from .analyzer import Analyzer
from .errors import PhiConfigError, PhiError, RedactionError
from .recognizers import LABELS
from .redact import MODES, Redaction, apply
from .spans import PhiSpan

__all__ = [
    "Analyzer", "PhiSpan", "Redaction", "find_phi", "redact", "LABELS", "MODES",
    "PhiError", "PhiConfigError", "RedactionError",
]

_DEFAULT: Analyzer | None = None


def default_analyzer() -> Analyzer:
    """The shared analyzer with the shipped recognizers and word lists (built on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Analyzer()
    return _DEFAULT


def _pick(analyzer: Analyzer | None, vocabulary: Iterable[str] | None) -> Analyzer:
    if analyzer is not None:
        return analyzer
    if vocabulary is not None:
        return Analyzer(vocabulary=vocabulary)
    return default_analyzer()


def find_phi(text: str, *, analyzer: Analyzer | None = None,
             vocabulary: Iterable[str] | None = None) -> list[PhiSpan]:
    """PHI spans in ``text`` (sorted, disjoint, offsets into ``text``).

    ``vocabulary``: clinical terms (e.g. the knowledge base's) that are never names or places on
    their own. For many texts, build one ``Analyzer(vocabulary=...)`` and pass it as ``analyzer``.
    """
    return _pick(analyzer, vocabulary).find(text)


def redact(text: str, mode: str = "redact", key: str | bytes | None = None, *,
           analyzer: Analyzer | None = None,
           vocabulary: Iterable[str] | None = None) -> Redaction:
    """Find PHI and rewrite it: ``[LABEL]``, ``*`` mask, or consistent surrogates.

    >>> r = redact("Call 617-555-0142.", mode="mask")
    >>> r.text, [(s.start, s.end, s.label) for s in r.spans]
    ('Call ************.', [(5, 17, 'PHONE')])
    """
    if mode not in MODES:
        raise RedactionError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    spans = _pick(analyzer, vocabulary).find(text)
    return apply(text, spans, mode, key)
