"""One search interface over every engine: the SQL engines (FTS5, PostgreSQL tsvector) and the
top-k index beside SQLite (tantivy).

A backend ranks the articles a query matches among those the filters keep, a page at a time
with a cursor only it reads, counts them up to a cap and counts their facets
(app.search.facets). The service chooses the backend and never looks inside it.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.errors import InvalidParameter
from app.kit.pagination import (
    Keyset,
    decode_cursor,
    encode_cursor,
    paginate,
    parse_count,
    parse_score,
    parse_utc_datetime,
)
from app.models import Article
from app.search.engines import Fts5Engine, SearchEngine
from app.search.facets import FACETS, Facet, ranked
from app.search.query import Node, Term, words
from app.search.topk import Filters as TopKFilters
from app.search.topk import TopKIndex

# What the top-k index is asked per facet; the facets' own order and size are applied after.
TOPK_FACET_VALUES = 1_000
_RAW_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


@dataclass(frozen=True)
class Query:
    """What to match: the parsed (and expanded) tree, or, in raw mode, the engine's own syntax."""

    tree: Node | None = None
    raw: str | None = None

    def wanted(self) -> list[Any]:
        """The words a hit is highlighted for."""
        if self.tree is not None:
            return list(words(self.tree))
        found = re.findall(r"[^\W_]+", self.raw or "")
        return [Term(w.lower()) for w in found if w not in _RAW_OPERATORS]


@dataclass(frozen=True)
class Filtered:
    """The articles a search may return, in each backend's terms: `ids`, a statement over
    `article` for SQL; `topk`, the index's filters, None where it holds too little to apply
    them (app.services.search.to_topk)."""

    ids: Select[Any]
    topk: TopKFilters | None = None


@dataclass(frozen=True)
class Paging:
    """Which page, and what to count with it."""

    limit: int
    cursor: str | None = None
    total_cap: int = 10_000
    facets: tuple[Facet, ...] = ()
    facet_size: int = 10


@dataclass(frozen=True)
class Faceted:
    """Facet counts by name, with the number of matches when counting them came free."""

    values: dict[str, dict[str, Any]]
    matches: int | None = None


@dataclass(frozen=True)
class RankedPage:
    """One page of (article id, score) in rank order, and what the backend says about all."""

    ranked: list[tuple[int, float]]
    next_cursor: str | None
    total: int
    total_is_exact: bool
    facets: dict[str, dict[str, Any]]
    compiled: str  # how the query was understood, in the engine's syntax


class SearchBackend(Protocol):
    @property
    def name(self) -> str: ...

    def search(
        self, session: Session, query: Query, filtered: Filtered, sort: str, page: Paging
    ) -> RankedPage:
        """A ranked page of matches (sort: relevance, published_at, -published_at)."""
        ...

    def facets(
        self,
        session: Session,
        query: Query,
        filtered: Filtered,
        names: Sequence[Facet],
        size: int,
    ) -> Faceted:
        """The `size` most frequent values of each facet among the matches."""
        ...

    def top(
        self, session: Session, query: Query, filtered: Filtered, limit: int
    ) -> list[tuple[int, float]]:
        """The `limit` best matches by relevance, not paged or counted (similar articles)."""
        ...


@dataclass(frozen=True)
class SqlBackend:
    """The database's own full-text index, through its engine (FTS5 or tsvector)."""

    engine: SearchEngine

    @property
    def name(self) -> str:
        return self.engine.name

    def compiled(self, session: Session, query: Query) -> str:
        """The engine's text for the query; a raw one is checked by the engine first."""
        if query.raw is not None:
            self.engine.validate(session, query.raw)
            return query.raw
        assert query.tree is not None
        return self.engine.compile(query.tree)

    def matched(self, session: Session, query: Query, filtered: Filtered) -> Select[Any]:
        """The ids of every article matched and kept (for timelines and exports)."""
        matched, _score = self.engine.restrict(filtered.ids, self.compiled(session, query))
        return matched

    def search(
        self, session: Session, query: Query, filtered: Filtered, sort: str, page: Paging
    ) -> RankedPage:
        compiled = self.compiled(session, query)
        matched, score = self.engine.restrict(filtered.ids, compiled)
        rows, next_cursor = self._page(session, matched, score, sort, page)
        counted = session.execute(
            select(func.count()).select_from(matched.limit(page.total_cap + 1).subquery())
        ).scalar_one()
        facets = self._facets(session, matched, page.facets, page.facet_size)
        return RankedPage(
            ranked=[(row[0], float(row[1])) for row in rows],
            next_cursor=next_cursor,
            total=min(counted, page.total_cap),
            total_is_exact=counted <= page.total_cap,
            facets=facets,
            compiled=compiled,
        )

    def facets(
        self,
        session: Session,
        query: Query,
        filtered: Filtered,
        names: Sequence[Facet],
        size: int,
    ) -> Faceted:
        matched = self.matched(session, query, filtered)
        return Faceted(self._facets(session, matched, names, size))

    def top(
        self, session: Session, query: Query, filtered: Filtered, limit: int
    ) -> list[tuple[int, float]]:
        matched, score = self.engine.restrict(filtered.ids, self.compiled(session, query))
        rows = session.execute(
            matched.add_columns(score.label("score"))
            .order_by(score.desc(), Article.id)
            .limit(limit)
        ).all()
        return [(row[0], float(row[1])) for row in rows]

    @staticmethod
    def _facets(
        session: Session, matched: Select[Any], names: Sequence[Facet], size: int
    ) -> dict[str, dict[str, Any]]:
        dialect = session.get_bind().dialect.name
        ids = select(matched.subquery().c.id)
        answers = {}
        for facet in names:
            spec = FACETS[facet]
            rows = session.execute(spec.statement(dialect, ids, size)).all()
            answers[facet.value] = spec.counts(rows, size)
        return answers

    @staticmethod
    def _page(
        session: Session, matched: Select[Any], score: Any, sort: str, page: Paging
    ) -> tuple[list[Any], str | None]:
        ranked_rows = matched.add_columns(
            score.label("score"), Article.published_at.label("published_at")
        ).subquery()
        by_relevance = sort == "relevance"
        keyset = Keyset(
            name=sort,
            column=ranked_rows.c.score if by_relevance else ranked_rows.c.published_at,
            id_column=ranked_rows.c.id,
            descending=by_relevance or sort.startswith("-"),
            parse=parse_score if by_relevance else parse_utc_datetime,
        )
        return paginate(
            select(ranked_rows.c.id, ranked_rows.c.score, ranked_rows.c.published_at),
            keyset=keyset,
            limit=page.limit,
            cursor=page.cursor,
            run=lambda s: session.execute(s).all(),
            key_of=lambda row: (row[1] if by_relevance else row[2], row[0]),
        )


def _no_deadline() -> None:
    """No check: nothing but the database's own limit stops the work."""


@dataclass(frozen=True)
class TopKBackend:
    """The top-k index (tantivy), for parsed queries and the filters it holds. Its cursor is a
    position in the ranking and the last id shown (name `topk:<sort>`); `check` is called
    between the index's steps, which no database time limit can stop."""

    index: TopKIndex
    check: Callable[[], None] = _no_deadline
    name: str = "tantivy"

    def _query(self, query: Query, filtered: Filtered) -> Any:
        if query.tree is None or filtered.topk is None:
            raise ValueError("the top-k index takes parsed queries and the filters it holds")
        return self.index.restrict(self.index.compile(query.tree), filtered.topk)

    def search(
        self, session: Session, query: Query, filtered: Filtered, sort: str, page: Paging
    ) -> RankedPage:
        compiled = self._query(query, filtered)
        keyset = Keyset(
            name=f"topk:{sort}",
            column=Article.id,
            id_column=Article.id,
            descending=True,
            parse=parse_count,  # the position in the ranking
        )
        offset, after = 0, None
        if page.cursor:
            _null, offset, after = decode_cursor(keyset, page.cursor)
            # no ranking is longer than the index: a deeper offset would make it collect that many
            if offset > self.index.size():
                raise InvalidParameter("cursor", "is not a cursor this API issued")
        # Read a little before the page too: if articles were added or removed since the last
        # page, the page starts right after the last hit it showed rather than at a shifted
        # position.
        start = max(0, offset - page.limit) if after is not None else 0
        # with facets, one pass over the matches counts them too: the ranking need not
        found = self.index.search(
            compiled,
            limit=offset - start + 2 * page.limit + 1,
            offset=start,
            sort=sort,
            count=not page.facets,
        )
        faceted = self._facets(compiled, page.facets, page.facet_size)
        matches = found.total if faceted.matches is None else faceted.matches
        self.check()
        begin = offset - start
        if after is not None and after in found.ids:
            begin = found.ids.index(after) + 1
        hits = list(zip(found.ids, found.scores, strict=True))[begin : begin + page.limit]
        shown = start + begin + len(hits)
        more = bool(hits) and matches > shown
        return RankedPage(
            ranked=hits,
            next_cursor=encode_cursor(keyset, shown, hits[-1][0]) if more else None,
            total=min(matches, page.total_cap),
            total_is_exact=matches <= page.total_cap,
            facets=faceted.values,
            compiled=Fts5Engine().compile(query.tree) if query.tree is not None else "",
        )

    def facets(
        self,
        session: Session,
        query: Query,
        filtered: Filtered,
        names: Sequence[Facet],
        size: int,
    ) -> Faceted:
        return self._facets(self._query(query, filtered), names, size)

    def _facets(self, compiled: Any, names: Sequence[Facet], size: int) -> Faceted:
        if not names:
            return Faceted({})
        matches, counted = self.index.facets(compiled, [f.value for f in names], TOPK_FACET_VALUES)
        values = {f.value: FACETS[f].counts(ranked(counted[f.value], size), size) for f in names}
        return Faceted(values, matches)

    def top(
        self, session: Session, query: Query, filtered: Filtered, limit: int
    ) -> list[tuple[int, float]]:
        # no need to score every article that shares a word: the index keeps the best only
        found = self.index.search(
            self._query(query, filtered), limit=limit, offset=0, sort="relevance", count=False
        )
        self.check()
        return list(zip(found.ids, found.scores, strict=True))
