"""Compile word lists into one fast regular expression (a trie, longest match first)."""

from __future__ import annotations

import re
from collections.abc import Iterable


def trie_pattern(words: Iterable[str]) -> str:
    """A regex source matching any of ``words``, preferring the longest at each position.

    The alternation is laid out as a trie (``新(?:乡(?:市|县)?|...)``), so the regex
    engine tests one branch per character instead of every word in turn.
    """
    trie: dict[str, dict] = {}
    for word in words:
        if not word:
            continue
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    if not trie:
        raise ValueError("trie_pattern needs at least one non-empty word")
    return _node_pattern(trie)


def compile_words(words: Iterable[str]) -> re.Pattern[str]:
    """``trie_pattern`` compiled; raises ``ValueError`` on an empty list."""
    return re.compile(trie_pattern(words))


def each_head(heads: Iterable[str], tail: str) -> str:
    """``(?:a|b)tail`` written out as ``atail|btail``: the same matches, in the same order.

    A pattern whose alternatives all begin with a literal lets the regex engine skip to
    the positions where one of those characters stands; one that begins with a group
    (or a lookbehind) is tried at every position of the text, several times slower.
    """
    return "|".join(head + tail for head in heads)


def _node_pattern(node: dict[str, dict]) -> str:
    ends_here = "" in node
    branches = [re.escape(char) + _node_pattern(child) for char, child in node.items() if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends_here:
        return ("(?:" + body + ")?") if len(branches) == 1 and len(body) > 1 else body + "?"
    return body
