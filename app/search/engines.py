"""One search interface, one implementation per database engine.

Both compile the same query tree; neither ever sees the user's text. SQLite uses the FTS5 table
`article_fts` (BM25, title weighted 10 to 1 over the body); PostgreSQL the generated
`article.search_vector` (ts_rank with title weight A over body B). Scores are "higher is better".
"""

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Double,
    Select,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    table,
    text,
)
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from app.db.limits import is_timeout
from app.errors import InvalidQuery
from app.models import Article
from app.search.highlight import stem
from app.search.query import And, Node, Not, Or, Phrase, Term, prefix_stems


class SearchEngine(Protocol):
    @property
    def name(self) -> str: ...

    def compile(self, node: Node) -> str: ...

    def restrict(
        self, stmt: Select[Any], compiled: str
    ) -> tuple[Select[Any], ColumnElement[float]]:
        """Join the index into `stmt`, keep matches, and return the score expression."""
        ...

    def validate(self, session: Session, raw: str) -> None:
        """Raise InvalidQuery unless `raw` is a query in the engine's own syntax."""
        ...

    def rebuild_fts(self, session: Session) -> None: ...

    def indexed_count(self, session: Session) -> int: ...

    def check(self, session: Session) -> None: ...


_FTS = table("article_fts", column("rowid"))  # the FTS5 table (created by migration 0003)


def _validated(session: Session, statement: Any, raw: str, syntax: str) -> None:
    """Run the expert's query once on nothing: the engine's own parser says if it is valid."""
    try:
        with session.begin_nested():
            session.execute(statement, {"q": raw})
    except (OperationalError, ProgrammingError) as error:
        if not _about_the_query(error):
            raise  # the database's trouble, not the query's: a 503 (app.errors), not a 400
        message = str(error.orig).splitlines()[0] if error.orig else "invalid query"
        raise InvalidQuery(
            f"q: not valid {syntax} syntax: {message}",
            errors=[{"field": "q", "in": "query", "message": message}],
        ) from error


# SQLSTATE classes of a database in trouble (connection, transaction rollback, resources,
# object state, operator intervention, system, internal), never of a query's syntax
_NOT_THE_QUERY = ("08", "40", "53", "55", "57", "58", "XX")
_SQLITE_TROUBLE = ("database is locked", "disk i/o", "malformed", "out of memory", "interrupted")


def _about_the_query(error: DBAPIError) -> bool:
    """Whether the engine refused the query itself. A lost connection (a replica restarting),
    a statement stopped for its time limit, or a busy or failing database raise the same
    exception classes as a syntax error, and must not become a 400 on `q`."""
    if error.connection_invalidated or is_timeout(error):
        return False
    sqlstate = str(getattr(error.orig, "sqlstate", None) or "")
    if sqlstate[:2] in _NOT_THE_QUERY:
        return False
    message = str(error.orig if error.orig is not None else error).lower()
    return not any(trouble in message for trouble in _SQLITE_TROUBLE)


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


@dataclass(frozen=True)
class Fts5Engine:
    name: str = "sqlite-fts5"
    title_weight: float = 10.0
    body_weight: float = 1.0

    def compile(self, node: Node) -> str:
        if isinstance(node, Term) and node.prefix:
            roots = [_quote(root) + "*" for root in prefix_stems(node.text, stem)]
            return roots[0] if len(roots) == 1 else "(" + " OR ".join(roots) + ")"
        if isinstance(node, Term):
            return _quote(node.text)
        if isinstance(node, Phrase):
            return _quote(" ".join(node.words))
        if isinstance(node, Or):
            return "(" + " OR ".join(self.compile(c) for c in node.children) + ")"
        if isinstance(node, And):
            positives = [self.compile(c) for c in node.children if not isinstance(c, Not)]
            negatives = [self.compile(c.child) for c in node.children if isinstance(c, Not)]
            return "(" + " AND ".join(positives) + "".join(f" NOT {n}" for n in negatives) + ")"
        raise ValueError("a bare exclusion cannot be searched")

    def restrict(
        self, stmt: Select[Any], compiled: str
    ) -> tuple[Select[Any], ColumnElement[float]]:
        fts: ColumnElement[Any] = literal_column("article_fts")
        score = -func.bm25(fts, self.title_weight, self.body_weight)
        stmt = stmt.join(_FTS, _FTS.c.rowid == Article.id).where(
            fts.op("MATCH")(bindparam("fts_query", compiled))
        )
        return stmt, score

    def validate(self, session: Session, raw: str) -> None:
        statement = text(
            "SELECT count(*) FROM (SELECT 1 FROM article_fts WHERE article_fts MATCH :q LIMIT 1)"
        )
        _validated(session, statement, raw, "FTS5")

    def rebuild_fts(self, session: Session) -> None:
        session.execute(text("INSERT INTO article_fts(article_fts) VALUES ('rebuild')"))

    def indexed_count(self, session: Session) -> int:
        return int(session.execute(text("SELECT count(*) FROM article_fts_docsize")).scalar_one())

    def check(self, session: Session) -> None:
        """Raise if the index and the article table disagree (FTS5's own integrity check)."""
        session.execute(
            text("INSERT INTO article_fts(article_fts, rank) VALUES ('integrity-check', 1)")
        )


@dataclass(frozen=True)
class PostgresEngine:
    name: str = "postgresql-tsvector"
    config: str = "defcoop_english"

    def compile(self, node: Node) -> str:
        if isinstance(node, Term) and node.prefix:
            roots = [f"'{root}':*" for root in prefix_stems(node.text, stem)]
            return roots[0] if len(roots) == 1 else "(" + " | ".join(roots) + ")"
        if isinstance(node, Term):
            return f"'{node.text}'"
        if isinstance(node, Phrase):
            return "(" + " <-> ".join(f"'{w}'" for w in node.words) + ")"
        if isinstance(node, Or):
            return "(" + " | ".join(self.compile(c) for c in node.children) + ")"
        if isinstance(node, And):
            parts = [
                "!" + self.compile(c.child) if isinstance(c, Not) else self.compile(c)
                for c in node.children
            ]
            return "(" + " & ".join(parts) + ")"
        raise ValueError("a bare exclusion cannot be searched")

    def restrict(
        self, stmt: Select[Any], compiled: str
    ) -> tuple[Select[Any], ColumnElement[float]]:
        vector: ColumnElement[Any] = literal_column("article.search_vector")
        query = func.to_tsquery(literal_column(f"'{self.config}'::regconfig"), compiled)
        # weights for D, C, B, A: the title (A) counts 2.5 times the body (B)
        # ts_rank is a real; as double precision the cursor's value compares equal to the row's
        score = cast(
            func.ts_rank(literal_column("'{0.05, 0.1, 0.4, 1.0}'::float4[]"), vector, query), Double
        )
        return stmt.where(vector.op("@@")(query)), score

    def validate(self, session: Session, raw: str) -> None:
        statement = text(f"SELECT to_tsquery('{self.config}'::regconfig, :q)")
        _validated(session, statement, raw, "tsquery")

    def rebuild_fts(self, session: Session) -> None:
        session.execute(text("REINDEX INDEX ix_article_search_vector"))

    def indexed_count(self, session: Session) -> int:
        return int(
            session.execute(
                text("SELECT count(*) FROM article WHERE search_vector IS NOT NULL")
            ).scalar_one()
        )

    def check(self, session: Session) -> None:
        """The vector is a generated column: it cannot drift from the row."""


def engine_for(session: Session) -> SearchEngine:
    """The engine for the session's database."""
    dialect = session.get_bind().dialect.name
    return Fts5Engine() if dialect == "sqlite" else PostgresEngine()
