"""Search: parse and expand the query, choose the backend, then load and highlight its hits."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, defer

from app.db.limits import time_limit
from app.errors import InvalidParameter, InvalidQuery
from app.kit.pagination import cursor_name
from app.models import Article
from app.schemas.filters import ArticleFilters, ArticleListFilters, Duplicates
from app.search import topk
from app.search.backends import Filtered, Paging, Query, SearchBackend, SqlBackend, TopKBackend
from app.search.engines import engine_for
from app.search.expansion import expand
from app.search.facets import Facet
from app.search.highlight import Marks, highlight_title, snippets
from app.search.query import QuerySyntaxError, parse
from app.search.topk import TopKIndex, open_index
from app.services.article_filters import apply_filters, published_bounds, sources_named
from app.services.index_keeper import keeper_of
from app.services.search_index import BUILD_IN_REQUEST, CATCH_UP_IN_REQUEST, catch_up


class QueryMode(StrEnum):
    simple = "simple"
    raw = "raw"


@dataclass(frozen=True)
class SearchRequest:
    q: str
    mode: QueryMode = QueryMode.simple
    expand: bool = True
    sort: str = "relevance"
    filters: ArticleFilters = field(default_factory=ArticleFilters)
    facets: tuple[Facet, ...] = ()
    facet_size: int = 10
    marks: Marks = field(default_factory=Marks)
    limit: int = 20
    cursor: str | None = None
    total_cap: int = 10_000
    time_limit_s: float = 5.0
    index_dir: Path | None = None  # the top-k index, where there is one


@dataclass
class Hit:
    article: Article
    score: float
    title: str | None
    snippets: list[str]


@dataclass
class SearchResult:
    hits: list[Hit]
    next_cursor: str | None
    total: int
    total_is_exact: bool
    facets: dict[str, dict[str, Any]]
    engine: str
    compiled: str


def _query(session: Session, request: SearchRequest) -> Query:
    """The request's query: the engine's own syntax in raw mode, else parsed and expanded."""
    if request.mode is QueryMode.raw:
        return Query(raw=request.q)
    try:
        tree = parse(request.q)
    except QuerySyntaxError as error:
        raise InvalidQuery(
            f"q: {error}",
            errors=[{"field": "q", "in": "query", "message": str(error)}],
            extra={"position": error.position + 1},
        ) from error
    return Query(tree=expand(session, tree) if request.expand else tree)


def to_topk(session: Session, filters: ArticleFilters) -> topk.Filters | None:
    """The article filters as the top-k index applies them; None for one it does not hold (it
    has no agency, nor who acts on whom in an event): the database then answers."""
    if filters.agency or (isinstance(filters, ArticleListFilters) and filters.directed):
        return None
    source_ids = tuple(session.scalars(sources_named(filters.source))) if filters.source else None
    start, end = published_bounds(filters)
    return topk.Filters(
        published_from=int(start.timestamp()) if start else None,
        published_before=int(end.timestamp()) if end else None,
        source_ids=source_ids,
        author=filters.author,
        lang=filters.lang,
        countries=tuple(filters.countries),
        entity_id=filters.entity_id,
        event_type=filters.event_type.value if filters.event_type else None,
        dyad="-".join(sorted(filters.dyad)) if filters.dyad else None,
        copies=filters.duplicates is Duplicates.include,
    )


def caught_up(
    session: Session, directory: Path | None, *, continuing: bool = False
) -> TopKIndex | None:
    """The top-k index, when it can answer: on SQLite caught up with this transaction's view;
    on PostgreSQL this node's, kept in the background, while it is in step, or, for the next
    page of a ranking it began (`continuing`), while it is built at all: a few seconds behind
    is better than a 400 for a cursor the database's engine cannot read."""
    if directory is None:
        return None
    if session.get_bind().dialect.name != "sqlite":
        keeper = keeper_of(directory)
        return keeper.answering(continuing=continuing) if keeper is not None else None
    index = open_index(directory)
    answers = catch_up(session, index, limit=CATCH_UP_IN_REQUEST, build_limit=BUILD_IN_REQUEST)
    return index if answers else None


def choose(
    session: Session,
    query: Query,
    filtered: Filtered,
    *,
    index_dir: Path | None,
    check: Callable[[], None],
    cursor: str | None = None,
) -> SearchBackend:
    """The top-k index where it can answer (a parsed query, filters it holds, caught up), else
    the database's own engine."""
    if query.tree is not None and filtered.topk is not None:
        continuing = (cursor_name(cursor) or "").startswith("topk:") if cursor else False
        index = caught_up(session, index_dir, continuing=continuing)
        if index is not None:
            return TopKBackend(index, check=check)
    return SqlBackend(engine_for(session))


def _filtered(session: Session, request: SearchRequest) -> Filtered:
    ids = apply_filters(select(Article.id), request.filters)
    if request.mode is QueryMode.raw or request.index_dir is None:
        return Filtered(ids)  # no index will be asked: its filters are not worked out
    return Filtered(ids, to_topk(session, request.filters))


def matching_ids(session: Session, request: SearchRequest) -> Select[Any]:
    """The ids of every article the query and filters match (for timelines and exports)."""
    backend = SqlBackend(engine_for(session))
    return backend.matched(session, _query(session, request), _filtered(session, request))


def search(session: Session, request: SearchRequest) -> SearchResult:
    """Ranked, filtered, paginated hits with their total, facets and highlights."""
    detail = (
        f"The search took longer than {request.time_limit_s:g} s; narrow it with words or filters."
    )
    with time_limit(session, request.time_limit_s, detail=detail, retry_after=1) as check:
        query = _query(session, request)
        filtered = _filtered(session, request)
        backend = choose(
            session,
            query,
            filtered,
            index_dir=request.index_dir,
            check=check,
            cursor=request.cursor,
        )
        page = Paging(
            limit=request.limit,
            cursor=request.cursor,
            total_cap=request.total_cap,
            facets=request.facets,
            facet_size=request.facet_size,
        )
        found = backend.search(session, query, filtered, request.sort, page)
    wanted = query.wanted()
    hits = [
        Hit(
            article=article,
            score=score,
            title=highlight_title(article.title, wanted, request.marks),
            snippets=snippets(article.body, wanted, request.marks),
        )
        for article, score in load_ranked(session, found.ranked)
    ]
    return SearchResult(
        hits=hits,
        next_cursor=found.next_cursor,
        total=found.total,
        total_is_exact=found.total_is_exact,
        facets=found.facets,
        engine=backend.name,
        compiled=found.compiled,
    )


# Built once (building it per search cost half of running it). The source comes joined
# (Article.source's own loading): one statement, not two; the page as received is not read.
_RANKED = (
    select(Article)
    .where(Article.id.in_(bindparam("ids", expanding=True)))
    .options(defer(Article.raw))
)


def load_ranked(
    session: Session, ranked: Sequence[tuple[int, float]]
) -> list[tuple[Article, float]]:
    """The articles of ranked (id, score) pairs, in rank order; ids the database no longer has
    are dropped."""
    if not ranked:  # a page with no hits asks the database nothing (an empty IN cost 0.4 ms)
        return []
    ids = [article_id for article_id, _ in ranked]
    loaded = {a.id: a for a in session.scalars(_RANKED, {"ids": ids})}
    return [(loaded[i], float(score)) for i, score in ranked if i in loaded]


def validate_facets(raw: str | None) -> tuple[Facet, ...]:
    if not raw:
        return ()
    names = [n.strip() for n in raw.split(",") if n.strip()]
    unknown = [n for n in names if n not in Facet.__members__]
    if unknown:
        raise InvalidParameter(
            "facets", f"unknown facet(s) {', '.join(unknown)}; use {', '.join(Facet)}"
        )
    return tuple(dict.fromkeys(Facet(n) for n in names))
