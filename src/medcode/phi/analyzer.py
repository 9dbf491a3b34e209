"""The analyzer: run every recognizer over a text and return final, disjoint PHI spans.

Detection only. Rewriting lives in ``redact.py``. An exception raised by any recognizer propagates
(fail closed): the caller must not emit text it could not check.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .lexicon import Lexicon, load_lexicon
from .names import NameFinder
from .places import PlaceFinder
from .recognizers import CompiledRecognizer, Config, Scanner, load_config
from .spans import PhiSpan, resolve


class Analyzer:
    """Finds PHI in clinical text.

    >>> a = Analyzer()
    >>> [(s.label, s.rule) for s in a.find("Seen by Dr. Hope on 3/4/2024.")]
    [('NAME', 'phi-name/title'), ('DATE', 'phi-date/mdy')]

    ``vocabulary``: extra clinical words (e.g. the knowledge base's terms) that are ordinary
    language, never a name or place on their own. ``config``: another recognizers.toml.
    """

    def __init__(self, vocabulary: Iterable[str] | None = None,
                 config: str | Path | Config | None = None,
                 lexicon: Lexicon | None = None) -> None:
        self.config = config if isinstance(config, Config) else load_config(config)
        lex = lexicon or load_lexicon()
        if vocabulary is not None:
            lex = lex.with_vocabulary(vocabulary)
        self.lexicon = lex
        self.threshold = self.config.threshold
        self.recognizers = [CompiledRecognizer(r) for r in self.config.recognizers]
        self.scanner = Scanner(self.recognizers)
        self.names = NameFinder(lex, self.config.names)
        self.places = PlaceFinder(lex, frozenset(self.config.names.get("never", ())))

    def find(self, text: str) -> list[PhiSpan]:
        """All PHI spans in ``text``, sorted and non-overlapping, offsets into ``text``."""
        if not isinstance(text, str):
            raise TypeError("text must be str")
        if not text:
            return []
        lower = text.lower()
        if len(lower) != len(text):  # a few non-ASCII letters change length when lowered
            lower = "".join(ch.lower()[:1] or ch for ch in text)
        threshold = self.threshold
        candidates: list[PhiSpan] = []
        candidates.extend(s for s in self.scanner.scan(text, lower) if s.score >= threshold)
        toks = self.names.candidates(text)
        candidates.extend(s for s in self.names.find(text, threshold, toks) if s.score >= threshold)
        candidates.extend(s for s in self.places.find(text, toks) if s.score >= threshold)
        return resolve(candidates)
