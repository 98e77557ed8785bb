"""Boolean keyword rules: ``(12345 OR 市长热线) AND (骂 OR "态度恶劣") NOT 小说``.

The same syntax serves monitoring plans and search queries. Operators are the
upper-case words ``AND``, ``OR`` and ``NOT``; terms placed side by side are
joined by ``AND``; ``"..."`` quotes a phrase (which may hold spaces or operator
words). ``NOT`` binds tighter than ``AND``, which binds tighter than ``OR``.

A rule is parsed once into a small tree of ``Term``/``And``/``Or``/``Not`` nodes
that both the matcher here and the index backends translate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPERATORS = {"AND", "OR", "NOT"}
_TOKEN = re.compile(
    r'\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<quote>"(?P<phrase>[^"]*)(?P<closed>"?))|(?P<word>[^\s()"]+))'
)
_WHITESPACE = re.compile(r"\s+")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")


class RuleSyntaxError(ValueError):
    """A rule or query that cannot be parsed; ``position`` is a 0-based character offset."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Term:
    text: str
    quoted: bool = False

    def matches(self, haystack: str) -> bool:
        return _find_term(self.text, haystack) >= 0


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]

    def matches(self, haystack: str) -> bool:
        return all(child.matches(haystack) for child in self.children)


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]

    def matches(self, haystack: str) -> bool:
        return any(child.matches(haystack) for child in self.children)


@dataclass(frozen=True)
class Not:
    child: Node

    def matches(self, haystack: str) -> bool:
        return not self.child.matches(haystack)


Node = Term | And | Or | Not


@dataclass(frozen=True)
class Rule:
    """A parsed rule; ``source`` keeps the text it was parsed from."""

    source: str
    root: Node | None

    def matches(self, text: str) -> bool:
        """True when the text satisfies the rule (an empty rule matches everything)."""
        return self.root is None or self.root.matches(normalize_text(text))

    def terms(self) -> list[str]:
        """The terms that count in favour of a match (those not under a NOT)."""
        return positive_terms(self.root)

    def matched_terms(self, text: str) -> list[str]:
        """Positive terms that occur in the text, in rule order."""
        haystack = normalize_text(text)
        return [term for term in self.terms() if _find_term(term, haystack) >= 0]


def parse_rule(source: str) -> Rule:
    """Parse a rule; raises ``RuleSyntaxError`` with the offending position."""
    tokens = _tokenize(source)
    parser = _Parser(tokens, len(source))
    root = parser.parse()
    return Rule(source=source, root=root)


def normalize_text(text: str) -> str:
    """Lower-case, fold full-width characters, collapse whitespace, drop it between CJK."""
    return _SPACE_BETWEEN_CJK.sub("", _WHITESPACE.sub(" ", _fold_width(text).lower()))


def positive_terms(node: Node | None, negated: bool = False) -> list[str]:
    if node is None:
        return []
    if isinstance(node, Term):
        return [] if negated else [node.text]
    if isinstance(node, Not):
        return positive_terms(node.child, not negated)
    terms: list[str] = []
    for child in node.children:
        terms.extend(t for t in positive_terms(child, negated) if t not in terms)
    return terms


def find_term(term: str, text: str) -> int:
    """Offset of ``term`` in ``text`` under rule matching (folded case, digit boundaries)."""
    return _find_term(normalize_text(term), normalize_text(text))


def _find_term(term: str, haystack: str) -> int:
    """Substring search, except that an ASCII word or number must not sit inside a longer one.

    ``12345`` matches ``拨打12345热线`` but not ``0373-12345678``.
    """
    needle = normalize_text(term)
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        if not (_glued(needle[0], haystack, start - 1) or _glued(needle[-1], haystack, end)):
            return start
        start = haystack.find(needle, start + 1)
    return -1


def _glued(edge: str, haystack: str, index: int) -> bool:
    if index < 0 or index >= len(haystack) or not edge.isascii() or not edge.isalnum():
        return False
    neighbour = haystack[index]
    return neighbour.isascii() and neighbour.isalnum()


def _fold_width(text: str) -> str:
    # translate() looks every character up in the table; only the runs that change go in
    return _FULL_WIDTH_RUN.sub(_fold_run, text)


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(_FULL_WIDTH)


_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FULL_WIDTH_RUN = re.compile("[\uff01-\uff5e\u3000]+")


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "AND", "OR", "NOT", "TERM"
    value: str
    position: int
    quoted: bool = False


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None or match.end() == position:
            break  # only trailing whitespace is left
        start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
        if match.group("lp"):
            tokens.append(_Token("(", "(", start))
        elif match.group("rp"):
            tokens.append(_Token(")", ")", start))
        elif match.group("quote") is not None:
            if not match.group("closed"):
                raise RuleSyntaxError("unterminated quoted phrase", start)
            phrase = match.group("phrase").strip()
            if not phrase:
                raise RuleSyntaxError("empty quoted phrase", start)
            tokens.append(_Token("TERM", phrase, start, quoted=True))
        else:
            word = match.group("word")
            kind = word if word in OPERATORS else "TERM"
            tokens.append(_Token(kind, word, start))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent.

    or_expr := and_expr (OR and_expr)*; and_expr := not_expr ([AND] not_expr)*;
    not_expr := NOT not_expr | primary; primary := term | "(" or_expr ")".
    """

    def __init__(self, tokens: list[_Token], length: int) -> None:
        self.tokens = tokens
        self.index = 0
        self.length = length

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self._or()
        if self.index < len(self.tokens):
            token = self.tokens[self.index]
            raise RuleSyntaxError(f"unexpected {token.value!r}", token.position)
        return node

    def _peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _or(self) -> Node:
        children = [self._and()]
        while (token := self._peek()) is not None and token.kind == "OR":
            self.index += 1
            children.append(self._and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def _and(self) -> Node:
        children = [self._not()]
        while (token := self._peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.index += 1
            children.append(self._not())
        return children[0] if len(children) == 1 else And(tuple(children))

    def _not(self) -> Node:
        token = self._peek()
        if token is not None and token.kind == "NOT":
            self.index += 1
            return Not(self._not())
        return self._primary()

    def _primary(self) -> Node:
        token = self._peek()
        if token is None:
            raise RuleSyntaxError("expected a term", self.length)
        if token.kind == "TERM":
            self.index += 1
            return Term(token.value, token.quoted)
        if token.kind == "(":
            self.index += 1
            node = self._or()
            closing = self._peek()
            if closing is None or closing.kind != ")":
                position = closing.position if closing else self.length
                raise RuleSyntaxError("missing ')'", position)
            self.index += 1
            return node
        raise RuleSyntaxError(f"expected a term, found {token.value!r}", token.position)
