"""A regex helper shared by the recognizers and the name finder."""

from __future__ import annotations

import re


def trie(words: list[str]) -> str:
    """One regex alternation for ``words`` as a prefix tree (a space matches any white space).

    Python's ``re`` tries the branches of ``a|b|c`` one by one; a tree shares the common
    prefixes, so a hundred cues cost a few character tests. At any one position the words that
    match lie on a single path of the tree and the longer continuation is tried first, so the
    match is the same as with the branches sorted longest first.
    """
    tree: dict[str, dict] = {}
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + emit(sub)
                    for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return "(?:" + emit(tree) + ")"
