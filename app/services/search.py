"""Search: parse, expand, match through the engine, rank, page, count, facet and highlight."""

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from time import monotonic
from typing import Any

from sqlalchemy import Select, distinct, func, literal_column, or_, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, selectinload

from app import countries
from app.db.limits import time_limit
from app.errors import AppError, InvalidParameter, ServiceUnavailable
from app.kit.pagination import (
    Keyset,
    decode_cursor,
    encode_cursor,
    paginate,
    parse_count,
    parse_score,
    parse_utc_datetime,
)
from app.kit.text import fold
from app.models import Article, Entity, Event, Mention, Source
from app.schemas.filters import ArticleFilters
from app.search import topk
from app.search.engines import Fts5Engine, SearchEngine, engine_for
from app.search.expansion import expand
from app.search.highlight import Marks, highlight_title, snippets
from app.search.query import Node, Or, Phrase, QuerySyntaxError, Term, parse, words
from app.search.topk import TopKIndex, open_index
from app.services.article_filters import apply_filters, published_bounds, sources_named
from app.services.search_index import CATCH_UP_IN_REQUEST, catch_up

TOPK_ENGINE = "tantivy"


class QueryMode(StrEnum):
    simple = "simple"
    raw = "raw"


class Facet(StrEnum):
    country = "country"
    source = "source"
    event_type = "event_type"
    entity_kind = "entity_kind"
    person = "person"
    year = "year"
    month = "month"


class InvalidQuery(AppError):
    status, title = 400, "Invalid search query"


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
    index_dir: Path | None = None  # the top-k index, where there is one (SQLite)


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


def _parse(session: Session, request: SearchRequest) -> Node:
    try:
        node: Node = parse(request.q)
    except QuerySyntaxError as error:
        raise InvalidQuery(
            f"q: {error}",
            errors=[{"field": "q", "in": "query", "message": str(error)}],
            extra={"position": error.position + 1},
        ) from error
    return expand(session, node) if request.expand else node


def _compile(
    session: Session, request: SearchRequest, engine: SearchEngine
) -> tuple[str, list[Any]]:
    if request.mode is QueryMode.raw:
        _validate_raw(session, request.q)
        raw_words = [
            Term(w.lower())
            for w in re.findall(r"[^\W_]+", request.q)
            if w not in {"AND", "OR", "NOT", "NEAR"}
        ]
        return request.q, list(raw_words)
    node = _parse(session, request)
    return engine.compile(node), list(words(node))


def _validate_raw(session: Session, raw: str) -> None:
    """Run the expert's query once on nothing: the engine's own parser says if it is valid."""
    dialect = session.get_bind().dialect.name
    statement = (
        text("SELECT count(*) FROM (SELECT 1 FROM article_fts WHERE article_fts MATCH :q LIMIT 1)")
        if dialect == "sqlite"
        else text("SELECT to_tsquery('defcoop_english'::regconfig, :q)")
    )
    try:
        with session.begin_nested():
            session.execute(statement, {"q": raw})
    except (OperationalError, ProgrammingError) as error:
        message = str(error.orig).splitlines()[0] if error.orig else "invalid query"
        raise InvalidQuery(
            f"q: not valid {'FTS5' if dialect == 'sqlite' else 'tsquery'} syntax: {message}",
            errors=[{"field": "q", "in": "query", "message": message}],
        ) from error


def matching_ids(session: Session, request: SearchRequest) -> Select[Any]:
    """The ids of every article the query and filters match (for timelines and exports)."""
    engine = engine_for(session)
    compiled, _ = _compile(session, request, engine)
    matched, _score = engine.restrict(apply_filters(select(Article.id), request.filters), compiled)
    return matched


def search(session: Session, request: SearchRequest) -> SearchResult:
    """Ranked, filtered, paginated hits with their total, facets and highlights."""
    with _limited(session, request.time_limit_s) as deadline:
        index = _topk_index(session, request)
        if index is not None:
            return _search_topk(session, request, index, deadline)
        engine = engine_for(session)
        compiled, wanted = _compile(session, request, engine)
        matched, score = engine.restrict(
            apply_filters(select(Article.id), request.filters), compiled
        )
        rows, next_cursor = _page(session, matched, score, request)
        total, exact = _total(session, matched, request.total_cap)
        facets = {f.value: _facet(session, matched, f, request.facet_size) for f in request.facets}
    hits = _hits(session, [(row[0], float(row[1])) for row in rows], wanted, request.marks)
    return SearchResult(hits, next_cursor, total, exact, facets, engine.name, compiled)


class _TooLong(Exception):
    pass


@contextmanager
def _limited(session: Session, seconds: float) -> Iterator[Callable[[], None]]:
    """Database work inside is stopped past `seconds`; the search engine's own work is checked
    between steps through the callable. Either way the client gets a 503 that says why."""
    deadline = monotonic() + seconds

    def check() -> None:
        if monotonic() > deadline:
            raise _TooLong

    try:
        with time_limit(session, seconds):
            yield check
    except (OperationalError, _TooLong) as error:
        reason = str(error).lower()
        if isinstance(error, _TooLong) or any(
            word in reason for word in ("interrupt", "timeout", "cancel")
        ):
            raise ServiceUnavailable(
                f"The search took longer than {seconds:g} s; narrow it with words or filters.",
                headers={"Retry-After": "1"},
            ) from error
        raise


def _load_ranked(session: Session, ranked: Sequence[Any]) -> list[tuple[Article, float]]:
    """The articles of ranked (id, score) rows, in rank order; ids the database no longer has
    are dropped."""
    loaded = {
        a.id: a
        for a in session.scalars(
            select(Article)
            .where(Article.id.in_([row[0] for row in ranked]))
            .options(selectinload(Article.source))
        )
    }
    return [(loaded[i], float(score)) for i, score, *_ in ranked if i in loaded]


def _hits(
    session: Session, ranked: list[tuple[int, float]], wanted: list[Any], marks: Marks
) -> list[Hit]:
    """The articles of ranked ids, highlighted."""
    return [
        Hit(
            article=article,
            score=score,
            title=highlight_title(article.title, wanted, marks),
            snippets=snippets(article.body, wanted, marks),
        )
        for article, score in _load_ranked(session, ranked)
    ]


def _topk_index(session: Session, request: SearchRequest) -> TopKIndex | None:
    """The top-k index, caught up with this transaction's view, when it can answer."""
    if request.mode is QueryMode.raw or request.filters.agency:
        return None  # the index holds no agency: the database answers that filter
    return _caught_up(session, request.index_dir)


def _caught_up(session: Session, directory: Path | None) -> TopKIndex | None:
    if directory is None or session.get_bind().dialect.name != "sqlite":
        return None
    index = open_index(directory)
    return index if catch_up(session, index, limit=CATCH_UP_IN_REQUEST) else None


def _topk_filters(session: Session, filters: ArticleFilters) -> topk.Filters:
    source_ids = tuple(session.scalars(sources_named(filters.source))) if filters.source else None
    start, end = published_bounds(filters)
    return topk.Filters(
        published_from=int(start.timestamp()) if start else None,
        published_before=int(end.timestamp()) if end else None,
        source_ids=source_ids,
        author=filters.author,
        lang=filters.lang,
        countries=filters.countries,
        entity_id=filters.entity_id,
        event_type=filters.event_type.value if filters.event_type else None,
        dyad="-".join(sorted(filters.dyad)) if filters.dyad else None,
    )


_TOPK_FACET_VALUES = 1_000  # asked of the index per facet, then ordered as the database does


def _search_topk(
    session: Session, request: SearchRequest, index: TopKIndex, deadline: Callable[[], None]
) -> SearchResult:
    node = _parse(session, request)
    wanted: list[Any] = list(words(node))
    query = index.restrict(index.compile(node), _topk_filters(session, request.filters))
    keyset = Keyset(
        name=f"topk:{request.sort}",
        column=Article.id,
        id_column=Article.id,
        descending=True,
        parse=parse_count,  # the position in the ranking
    )
    offset, after = 0, None
    if request.cursor:
        _null, offset, after = decode_cursor(keyset, request.cursor)
        # no ranking is longer than the index: a deeper offset would make it collect that many
        if offset > index.size():
            raise InvalidParameter("cursor", "is not a cursor this API issued")
    # Read a little before the page too: if articles were added or removed since the last page,
    # the page starts right after the last hit it showed rather than at a shifted position.
    start = max(0, offset - request.limit) if after is not None else 0
    # with facets, one pass over the matches counts them too: the ranking need not
    found = index.search(
        query,
        limit=offset - start + 2 * request.limit + 1,
        offset=start,
        sort=request.sort,
        count=not request.facets,
    )
    matches, counted = (
        index.facets(query, [f.value for f in request.facets], _TOPK_FACET_VALUES)
        if request.facets
        else (found.total, {})
    )
    deadline()
    begin = offset - start
    if after is not None and after in found.ids:
        begin = found.ids.index(after) + 1
    ranked = list(zip(found.ids, found.scores, strict=True))[begin : begin + request.limit]
    more = matches > start + begin + len(ranked)
    next_cursor = (
        encode_cursor(keyset, start + begin + len(ranked), ranked[-1][0])
        if more and ranked
        else None
    )
    facets = {
        f.value: _facet_values(f, counted[f.value], request.facet_size) for f in request.facets
    }
    deadline()
    return SearchResult(
        hits=_hits(session, ranked, wanted, request.marks),
        next_cursor=next_cursor,
        total=min(matches, request.total_cap),
        total_is_exact=matches <= request.total_cap,
        facets=facets,
        engine=TOPK_ENGINE,
        compiled=Fts5Engine().compile(node),
    )


def _facet_values(facet: Facet, counted: list[tuple[str, int]], size: int) -> dict[str, Any]:
    ordered = sorted(counted, key=lambda vc: (-vc[1], vc[0]))
    values = [{"value": v, "count": c, **_label(facet, v)} for v, c in ordered[:size]]
    return {"values": values, "truncated": len(ordered) > size}


def _page(
    session: Session, matched: Select[Any], score: Any, request: SearchRequest
) -> tuple[list[Any], str | None]:
    ranked = matched.add_columns(
        score.label("score"), Article.published_at.label("published_at")
    ).subquery()
    by_relevance = request.sort == "relevance"
    keyset = Keyset(
        name=request.sort,
        column=ranked.c.score if by_relevance else ranked.c.published_at,
        id_column=ranked.c.id,
        descending=by_relevance or request.sort.startswith("-"),
        parse=parse_score if by_relevance else parse_utc_datetime,
    )
    return paginate(
        select(ranked.c.id, ranked.c.score, ranked.c.published_at),
        keyset=keyset,
        limit=request.limit,
        cursor=request.cursor,
        run=lambda s: session.execute(s).all(),
        key_of=lambda row: (row[1] if by_relevance else row[2], row[0]),
    )


def _total(session: Session, matched: Select[Any], cap: int) -> tuple[int, bool]:
    counted = session.execute(
        select(func.count()).select_from(matched.limit(cap + 1).subquery())
    ).scalar_one()
    return (min(counted, cap), counted <= cap)


def _facet(session: Session, matched: Select[Any], facet: Facet, size: int) -> dict[str, Any]:
    ids = select(matched.subquery().c.id)
    count = (
        func.count(distinct(Article.id))
        if facet in {Facet.source, Facet.year, Facet.month}
        else None
    )
    if facet in {Facet.country, Facet.person, Facet.entity_kind}:
        value = (
            Entity.code
            if facet is Facet.country
            else Entity.name
            if facet is Facet.person
            else Entity.kind
        )
        count = func.count(distinct(Mention.article_id))
        stmt = (
            select(value, count)
            .join(Mention, Mention.entity_id == Entity.id)
            .where(Mention.article_id.in_(ids))
        )
        if facet is Facet.country:
            stmt = stmt.where(Entity.kind == "country")
        elif facet is Facet.person:
            stmt = stmt.where(Entity.kind == "person")
        stmt = stmt.group_by(value)
    elif facet is Facet.event_type:
        count = func.count(distinct(Event.article_id))
        stmt = select(Event.type, count).where(Event.article_id.in_(ids)).group_by(Event.type)
    elif facet is Facet.source:
        assert count is not None
        stmt = (
            select(Source.name, count)
            .join(Article, Article.source_id == Source.id)
            .where(Article.id.in_(ids))
            .group_by(Source.name)
        )
    else:
        assert count is not None
        part = _date_part(session, facet)
        stmt = (
            select(part, count)
            .where(Article.id.in_(ids), Article.published_at.is_not(None))
            .group_by(part)
        )
    assert count is not None
    rows = session.execute(stmt.order_by(count.desc(), literal_column("1")).limit(size + 1)).all()
    values = [{"value": str(v), "count": int(c), **_label(facet, v)} for v, c in rows[:size]]
    return {"values": values, "truncated": len(rows) > size}


def _label(facet: Facet, value: Any) -> dict[str, str]:
    if facet is Facet.country and value:
        country = countries.get(str(value))
        return {"label": country.name} if country else {}
    return {}


def _date_part(session: Session, facet: Facet) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y" if facet is Facet.year else "%Y-%m", Article.published_at)
    return func.to_char(
        func.timezone("UTC", Article.published_at), "YYYY" if facet is Facet.year else "YYYY-MM"
    )


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


@cache
def _stopwords() -> frozenset[str]:
    raw = resources.files("app.search").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w for w in raw.split() if not w.startswith("#"))


def _describing_words(article: Article, count: int = 10) -> list[str]:
    """The article's most frequent content words: what it is about."""
    counts = Counter(
        w
        for w in (fold(t) for t in re.findall(r"[^\W_]+", f"{article.title or ''} {article.body}"))
        if len(w) > 2 and not w.isdigit() and w not in _stopwords()
    )
    return [w for w, _ in counts.most_common(count)]


def similar(
    session: Session, *, article: Article, limit: int, index_dir: Path | None = None
) -> list[Hit]:
    """Articles most like this one: its frequent words and its named people and organisations."""
    engine = engine_for(session)
    names = session.scalars(
        select(Entity.name)
        .join(Mention, Mention.entity_id == Entity.id)
        .where(
            Mention.article_id == article.id,
            Entity.kind.in_(("person", "organization", "agreement", "equipment")),
        )
        .distinct()
        .limit(5)
    ).all()
    options: list[Term | Phrase] = [Term(w) for w in _describing_words(article)]
    for name in names:
        parts = tuple(fold(name).split())
        if parts:
            options.append(Phrase(parts) if len(parts) > 1 else Term(parts[0]))
    if not options:
        return []
    node = options[0] if len(options) == 1 else Or(tuple(options))
    twins = {article.id, article.duplicate_of_id} - {None}
    index = _caught_up(session, index_dir)
    if index is not None:  # no need to score every article that shares a word
        excluded = topk.Filters(exclude_ids=tuple(t for t in twins if t is not None))
        found = index.search(
            index.restrict(index.compile(node), excluded),
            limit=limit,
            offset=0,
            sort="relevance",
            count=False,
        )
        rows: Sequence[Any] = list(zip(found.ids, found.scores, strict=True))
    else:
        rows = _similar_rows(session, engine, node, twins, limit)
    return [
        Hit(article, score, article.title, []) for article, score in _load_ranked(session, rows)
    ]


def _similar_rows(
    session: Session, engine: SearchEngine, node: Node, twins: set[Any], limit: int
) -> Sequence[Any]:
    matched, score = engine.restrict(
        select(Article.id).where(
            Article.id.not_in(twins),
            or_(Article.duplicate_of_id.is_(None), Article.duplicate_of_id.not_in(twins)),
        ),
        engine.compile(node),
    )
    with time_limit(session, 5.0):
        return session.execute(
            matched.add_columns(score.label("score"))
            .order_by(score.desc(), Article.id)
            .limit(limit)
        ).all()
