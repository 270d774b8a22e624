"""The search box's language, parsed into a tree before any engine sees it.

    words          all required:                 navy drill
    "a phrase"     words in this order:          "joint exercise"
    OR             either side (binds tighter):  navy drill OR exercise = navy AND (drill OR exercise)
    -word, NOT     excluded:                     navy -russia
    prefix*        words starting so:            cooperat*
    ( )            grouping:                     (navy OR army) drill

Everything else is text: punctuation inside words splits them ("F-16" is the phrase "f 16").
User text never reaches an engine unparsed; errors say where they are.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class QuerySyntaxError(ValueError):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True)
class Not:
    child: "Node"


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]


Node = Term | Phrase | Not | And | Or

_BARE = re.compile(r'[^\s"()]+')


@dataclass(frozen=True)
class _Tok:
    kind: str  # word, phrase, lp, rp, or, and, not
    text: str
    position: int


def _lex(query: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    i = 0
    while i < len(query):
        if query[i].isspace():
            i += 1
            continue
        char = query[i]
        if char == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError("unclosed quote", i)
            tokens.append(_Tok("phrase", query[i + 1 : end], i))
            i = end + 1
            continue
        if char == "(":
            tokens.append(_Tok("lp", char, i))
            i += 1
            continue
        if char == ")":
            tokens.append(_Tok("rp", char, i))
            i += 1
            continue
        if (
            char == "-"
            and i + 1 < len(query)
            and not query[i + 1].isspace()
            and (i == 0 or query[i - 1].isspace() or query[i - 1] == "(")
        ):
            tokens.append(_Tok("not", "-", i))
            i += 1
            continue
        match = _BARE.match(query, i)
        assert match is not None
        word = match.group()
        kind = {"OR": "or", "AND": "and", "NOT": "not"}.get(word, "word")
        tokens.append(_Tok(kind, word, i))
        i = match.end()
    return tokens


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _lex(query)
        self.at = 0
        self.terms = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def parse(self) -> "Node":
        node = self.and_expr()
        token = self.peek()
        if token is not None:
            raise QuerySyntaxError(
                "unexpected ')'" if token.kind == "rp" else f"unexpected {token.text!r}",
                token.position,
            )
        if node is None:
            raise QuerySyntaxError("the query has no words to search for", 0)
        return node

    def and_expr(self) -> "Node | None":
        """Words side by side are all required; OR binds tighter: a b OR c = a AND (b OR c)."""
        parts: list[Node] = []
        while (token := self.peek()) is not None and token.kind != "rp":
            if token.kind == "and":
                self.at += 1
                if self.peek() is None or not parts:
                    raise QuerySyntaxError("AND needs words on both sides", token.position)
                continue
            if token.kind == "or":
                raise QuerySyntaxError("OR needs words on both sides", token.position)
            node = self.or_expr()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def or_expr(self) -> "Node | None":
        first = self.unary()
        options = [first]
        while (token := self.peek()) is not None and token.kind == "or":
            self.at += 1
            nxt = self.peek()
            if first is None or nxt is None or nxt.kind in {"or", "rp", "and"}:
                raise QuerySyntaxError("OR needs words on both sides", token.position)
            option = self.unary()
            if option is None:
                raise QuerySyntaxError("OR needs words on both sides", token.position)
            options.append(option)
        kept = [o for o in options if o is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))

    def unary(self) -> "Node | None":
        token = self.peek()
        assert token is not None
        if token.kind == "not":
            self.at += 1
            child = self.atom()
            if child is None:
                raise QuerySyntaxError("nothing to exclude after " + token.text, token.position)
            return Not(child)
        return self.atom()

    def atom(self) -> "Node | None":
        token = self.peek()
        if token is None:
            return None
        self.at += 1
        if token.kind == "lp":
            inner = self.and_expr()
            closing = self.peek()
            if closing is None or closing.kind != "rp":
                raise QuerySyntaxError("unclosed parenthesis", token.position)
            self.at += 1
            if inner is None:
                raise QuerySyntaxError("empty parentheses", token.position)
            return inner
        if token.kind == "rp":
            raise QuerySyntaxError("unexpected ')'", token.position)
        if token.kind == "phrase":
            words = tuple(w.lower() for w in _WORD.findall(token.text))
            return self._counted(
                Phrase(words) if len(words) > 1 else Term(words[0]) if words else None, token
            )
        if token.kind in {"or", "and"}:
            raise QuerySyntaxError(f"{token.text} needs words on both sides", token.position)
        prefix = token.text.endswith("*")
        found = [w.lower() for w in _WORD.findall(token.text)]
        if not found:
            if prefix:
                raise QuerySyntaxError("'*' must end a word, as in cooperat*", token.position)
            return None  # punctuation only: nothing to search
        if len(found) == 1:
            if prefix and len(found[0]) < 2:
                raise QuerySyntaxError("a prefix needs at least two letters", token.position)
            return self._counted(Term(found[0], prefix), token)
        return self._counted(Phrase(tuple(found)), token)

    def _counted(self, node: "Node | None", token: _Tok) -> "Node | None":
        if node is None:
            return None
        self.terms += len(node.words) if isinstance(node, Phrase) else 1
        if self.terms > MAX_TERMS:
            raise QuerySyntaxError(f"too many words (at most {MAX_TERMS})", token.position)
        return node


def parse(query: str) -> Node:
    """The query's tree; QuerySyntaxError says what is wrong and where."""
    if len(query) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            f"the query is longer than {MAX_QUERY_CHARS} characters", MAX_QUERY_CHARS
        )
    cleaned = "".join(" " if (ord(c) < 32 or ord(c) == 127) else c for c in query)
    node = _flatten(_Parser(cleaned).parse())
    if not positive(node):
        raise QuerySyntaxError("the query needs at least one word that is not excluded", 0)
    _check_groups(node)
    return node


def _flatten(node: Node) -> Node:
    """And inside And, Or inside Or: one level each."""
    if isinstance(node, And | Or):
        kind = type(node)
        children: list[Node] = []
        for child in (_flatten(c) for c in node.children):
            children.extend(child.children if isinstance(child, kind) else (child,))
        return kind(tuple(children))
    if isinstance(node, Not):
        return Not(_flatten(node.child))
    return node


def _check_groups(node: Node) -> None:
    """Every group must be able to match by itself; engines cannot run a bare exclusion."""
    if isinstance(node, Not):
        if not positive(node.child):
            raise QuerySyntaxError("an exclusion must exclude words, not another exclusion", 0)
        _check_groups(node.child)
    elif isinstance(node, And | Or):
        if not positive(node):
            raise QuerySyntaxError("every group needs a word that is not excluded", 0)
        for child in node.children:
            _check_groups(child)


def positive(node: Node) -> bool:
    """Whether the tree can match anything by itself (a lone NOT cannot)."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(positive(c) for c in node.children)
    if isinstance(node, Or):
        return all(positive(c) for c in node.children)
    return True


def words(node: Node) -> list[Term | Phrase]:
    """The positive terms and phrases, for highlighting."""
    if isinstance(node, Term | Phrase):
        return [node]
    if isinstance(node, Not):
        return []
    found: list[Term | Phrase] = []
    for child in node.children:
        found.extend(words(child))
    return found


_COMPLETIONS = ("", "e", "es", "s", "ion", "ions", "ing", "ed", "y", "ive", "al", "ation")


def prefix_stems(prefix: str, stem: "Callable[[str], str]") -> list[str]:
    """What a typed prefix becomes in a stemmed index: 'cooperat' -> 'cooper' (cooperation,
    cooperative and cooperate are all indexed as 'cooper'). The prefix itself always stays."""
    found = [prefix]
    for ending in _COMPLETIONS:
        root = stem(prefix + ending)
        if len(root) >= 3 and prefix.startswith(root) and root not in found:
            found.append(root)
    return found
