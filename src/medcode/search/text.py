"""Word normalisation shared by the search index builder and the query side.

SQLite's porter tokenizer does retrieval; this light normaliser is what the re-ranker compares, so
both sides must use exactly this function.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")


def _fold_table() -> dict[int, str]:
    """Latin letters with diacritics -> their base letter, one character for one ("ö" -> "o").

    One-for-one keeps character offsets valid, so the detector can fold a note and still report spans
    of the original text. SQLite's unicode61 tokenizer removes the same diacritics on the FTS side.
    """
    table = {}
    for cp in range(0xC0, 0x250):
        base = unicodedata.normalize("NFKD", chr(cp))[:1]
        if base.isascii() and base.isalpha() and base != chr(cp):
            table[cp] = base
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """``text`` with diacritics removed from Latin letters, same length ("Sjögren" -> "Sjogren")."""
    return text.translate(_FOLD) if not text.isascii() else text

# Words that carry no meaning for matching a coder's query against a title.
STOPWORDS = frozenset(
    "a an and as at by for from in into is of on or than the to with without due nos".split()
)


_VOWELS = frozenset("aeiouy")


def stem(word: str) -> str:
    """Fold simple English plurals (limbs → limb, injuries → injury); leave everything else alone.

    Abbreviations without a vowel keep their final s (CRPS is not CRP).
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if (len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))
            and _VOWELS.intersection(word[:-1])):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lower-cased, de-punctuated, plural-folded words of ``text`` (stopwords kept)."""
    return [stem(w) for w in _WORD.findall(fold(text).lower())]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS]


_PARENS = re.compile(r"\([^()]*\)")


def core_words(text: str) -> list[str]:
    """The distinct content words of ``text`` outside parentheses.

    ICD-10-CM puts nonessential modifiers in parentheses ("Essential (primary) hypertension"): they
    may match a query, but neither make a title look less precise nor stand in for its main words.
    """
    return sorted(set(content_words(_PARENS.sub(" ", text)))) or sorted(set(content_words(text)))
