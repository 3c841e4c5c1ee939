"""A hand-written tokenizer and recursive-descent parser for the ``$filter`` subset Dataverse accepts.

Grammar (lowest to highest precedence)::

    expr       := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := operand (("eq"|"ne"|"gt"|"ge"|"lt"|"le") operand)?
    operand    := "(" expr ")" | literal | call | property
    call       := name "(" [arg ("," arg)*] ")"          -- contains/startswith/endswith/...
    arg        := expr | Name "=" (literal | "[" literal ("," literal)* "]")   -- Dataverse functions

Literals: ``'text'`` (``''`` escapes a quote), GUIDs (bare ``8-4-4-4-12``), integers, decimals,
``true``/``false``/``null``, ISO dates (``2024-01-31``) and date-times (``2024-01-31T10:00:00Z``).
The output is a small immutable AST; ``evaluate`` gives it meaning against a schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

COMPARISON_OPERATORS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})


class FilterSyntaxError(ValueError):
    """The ``$filter`` text is not well formed; ``position`` is the character offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"Syntax error at position {position}: {message}")
        self.position = position


# --- AST -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    kind: str  # string | guid | int | decimal | bool | null | date | datetime
    value: Any


@dataclass(frozen=True, slots=True)
class Property:
    name: str


@dataclass(frozen=True, slots=True)
class ListLiteral:
    items: tuple[Literal, ...]


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # and | or
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]
    named: tuple[tuple[str, Node], ...] = ()


Node = Literal | Property | ListLiteral | Compare | BoolOp | Not | Call


# --- Tokenizer -----------------------------------------------------------------------------------

_GUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_DATETIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})?"
_DATE = r"\d{4}-\d{2}-\d{2}"
_TOKEN_RE = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<guid>{_GUID})(?![0-9A-Za-z_])
  | (?P<datetime>{_DATETIME})(?![0-9A-Za-z_])
  | (?P<date>{_DATE})(?![0-9A-Za-z_:])
  | (?P<number>-?\d+(?:\.\d+)?)(?![0-9A-Za-z_])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<punct>[(),=\[\]])
    """,
    re.VERBOSE,
)
_UNTERMINATED_STRING = re.compile(r"'(?:[^']|'')*$")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # string | guid | datetime | date | number | name | punct | end
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            if text[pos] == "'" and _UNTERMINATED_STRING.match(text, pos):
                raise FilterSyntaxError("unterminated string literal", pos)
            raise FilterSyntaxError(f"unexpected character {text[pos]!r}", pos)
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# --- Literal conversion -------------------------------------------------------------------------


def parse_datetime_literal(text: str) -> datetime:
    """ISO date-time as OData writes it; a missing offset means UTC (as Dataverse stores API input)."""
    value = text.replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"invalid date-time {text!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _literal(token: Token) -> Literal:
    if token.kind == "string":
        return Literal("string", token.text[1:-1].replace("''", "'"))
    if token.kind == "guid":
        return Literal("guid", token.text.lower())
    if token.kind == "number":
        if "." in token.text:
            return Literal("decimal", float(token.text))
        return Literal("int", int(token.text))
    if token.kind == "date":
        try:
            return Literal("date", date.fromisoformat(token.text))
        except ValueError as exc:
            raise FilterSyntaxError(f"invalid date {token.text!r}", token.position) from exc
    if token.kind == "datetime":
        try:
            return Literal("datetime", parse_datetime_literal(token.text))
        except ValueError as exc:
            raise FilterSyntaxError(str(exc), token.position) from exc
    raise FilterSyntaxError(f"expected a literal, found {token.text!r}", token.position)


_KEYWORD_LITERALS = {"true": Literal("bool", True), "false": Literal("bool", False), "null": Literal("null", None)}
_RESERVED = frozenset({"and", "or", "not", *COMPARISON_OPERATORS})


# --- Parser --------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at_keyword(self, word: str) -> bool:
        token = self.current
        return token.kind == "name" and token.text.lower() == word

    def at_punct(self, char: str) -> bool:
        return self.current.kind == "punct" and self.current.text == char

    def expect_punct(self, char: str) -> None:
        if not self.at_punct(char):
            found = self.current.text or "end of input"
            raise FilterSyntaxError(f"expected {char!r}, found {found!r}", self.current.position)
        self.advance()

    def parse(self) -> Node:
        if self.current.kind == "end":
            raise FilterSyntaxError("empty expression", 0)
        node = self.or_expr()
        if self.current.kind != "end":
            raise FilterSyntaxError(f"unexpected {self.current.text!r}", self.current.position)
        return node

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.at_keyword("or"):
            self.advance()
            node = BoolOp("or", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.at_keyword("and"):
            self.advance()
            node = BoolOp("and", node, self.not_expr())
        return node

    def not_expr(self) -> Node:
        if self.at_keyword("not"):
            self.advance()
            return Not(self.not_expr())
        return self.comparison()

    def comparison(self) -> Node:
        left = self.operand()
        token = self.current
        if token.kind == "name" and token.text.lower() in COMPARISON_OPERATORS:
            self.advance()
            right = self.operand()
            return Compare(token.text.lower(), left, right)
        return left

    def operand(self) -> Node:
        token = self.current
        if self.at_punct("("):
            self.advance()
            node = self.or_expr()
            self.expect_punct(")")
            return node
        if token.kind == "name":
            lowered = token.text.lower()
            if lowered in _KEYWORD_LITERALS:
                self.advance()
                return _KEYWORD_LITERALS[lowered]
            if lowered in _RESERVED:
                raise FilterSyntaxError(f"unexpected operator {token.text!r}", token.position)
            self.advance()
            if self.at_punct("("):
                return self.call(token)
            return Property(token.text)
        if token.kind in ("string", "guid", "number", "date", "datetime"):
            self.advance()
            return _literal(token)
        if token.kind == "end":
            raise FilterSyntaxError("unexpected end of input", token.position)
        raise FilterSyntaxError(f"unexpected {token.text!r}", token.position)

    def call(self, name: Token) -> Call:
        self.expect_punct("(")
        args: list[Node] = []
        named: list[tuple[str, Node]] = []
        if not self.at_punct(")"):
            while True:
                nxt = self.tokens[min(self.index + 1, len(self.tokens) - 1)]
                if self.current.kind == "name" and nxt.kind == "punct" and nxt.text == "=":
                    arg_name = self.advance().text
                    self.advance()
                    named.append((arg_name, self.named_value()))
                else:
                    args.append(self.or_expr())
                if self.at_punct(","):
                    self.advance()
                    continue
                break
        self.expect_punct(")")
        return Call(name.text, tuple(args), tuple(named))

    def named_value(self) -> Node:
        if self.at_punct("["):
            self.advance()
            items: list[Literal] = []
            if not self.at_punct("]"):
                while True:
                    items.append(self.list_item())
                    if self.at_punct(","):
                        self.advance()
                        continue
                    break
            self.expect_punct("]")
            return ListLiteral(tuple(items))
        return self.operand()

    def list_item(self) -> Literal:
        token = self.current
        if token.kind == "name" and token.text.lower() in _KEYWORD_LITERALS:
            self.advance()
            return _KEYWORD_LITERALS[token.text.lower()]
        self.advance()
        return _literal(token)


def parse_filter(text: str) -> Node:
    """Parse ``$filter`` text into an AST, raising :class:`FilterSyntaxError` when malformed."""
    return _Parser(text).parse()
