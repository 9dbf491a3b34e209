"""Word normalisation shared by the search index builder and the query side.

SQLite's porter tokenizer does retrieval; this light normaliser is what the re-ranker compares, so
both sides must use exactly this function.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+")

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
    return [stem(w) for w in _WORD.findall(text.lower())]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS]


_PARENS = re.compile(r"\([^()]*\)")


def core_words(text: str) -> list[str]:
    """The distinct content words of ``text`` outside parentheses.

    ICD-10-CM puts nonessential modifiers in parentheses ("Essential (primary) hypertension"): they
    may match a query, but neither make a title look less precise nor stand in for its main words.
    """
    return sorted(set(content_words(_PARENS.sub(" ", text)))) or sorted(set(content_words(text)))
