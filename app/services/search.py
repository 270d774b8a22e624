"""Search: parse, expand, match through the engine, rank, page, count, facet and highlight."""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import Select, distinct, func, literal_column, or_, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, selectinload

from app import countries
from app.errors import AppError, InvalidParameter, ServiceUnavailable
from app.ingest.text import fold
from app.models import Article, Entity, Event, Mention, Source
from app.search.engines import SearchEngine, engine_for
from app.search.expansion import expand
from app.search.highlight import Marks, highlight_title, snippets
from app.search.limits import time_limit
from app.search.query import Node, Or, Phrase, QuerySyntaxError, Term, parse, words
from app.services.article import ArticleFilters, apply_filters
from app.services.pagination import Keyset, paginate


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
    try:
        node: Node = parse(request.q)
    except QuerySyntaxError as error:
        raise InvalidQuery(
            f"q: {error}",
            errors=[{"field": "q", "in": "query", "message": str(error)}],
            extra={"position": error.position + 1},
        ) from error
    if request.expand:
        node = expand(session, node)
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
    engine = engine_for(session)
    compiled, wanted = _compile(session, request, engine)
    matched, score = engine.restrict(apply_filters(select(Article.id), request.filters), compiled)
    try:
        with time_limit(session, request.time_limit_s):
            rows, next_cursor = _page(session, matched, score, request)
            total, exact = _total(session, matched, request.total_cap)
            facets = {
                f.value: _facet(session, matched, f, request.facet_size) for f in request.facets
            }
    except OperationalError as error:
        if (
            "interrupt" in str(error).lower()
            or "timeout" in str(error).lower()
            or "cancel" in str(error).lower()
        ):
            raise ServiceUnavailable(
                f"The search took longer than {request.time_limit_s:g} s; narrow it with words or filters.",
                headers={"Retry-After": "1"},
            ) from error
        raise
    ids = [row[0] for row in rows]
    loaded = {
        a.id: a
        for a in session.scalars(
            select(Article).where(Article.id.in_(ids)).options(selectinload(Article.source))
        )
    }
    hits = [
        Hit(
            article=loaded[article_id],
            score=float(row_score),
            title=highlight_title(loaded[article_id].title, wanted, request.marks),
            snippets=snippets(loaded[article_id].body, wanted, request.marks),
        )
        for article_id, row_score, *_ in rows
        if article_id in loaded
    ]
    return SearchResult(hits, next_cursor, total, exact, facets, engine.name, compiled)


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
        parse=float if by_relevance else datetime.fromisoformat,
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


def similar(session: Session, *, article: Article, limit: int) -> list[Hit]:
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
    matched, score = engine.restrict(
        select(Article.id).where(
            Article.id.not_in(twins),
            or_(Article.duplicate_of_id.is_(None), Article.duplicate_of_id.not_in(twins)),
        ),
        engine.compile(node),
    )
    with time_limit(session, 5.0):
        rows = session.execute(
            matched.add_columns(score.label("score"))
            .order_by(score.desc(), Article.id)
            .limit(limit)
        ).all()
    loaded = {
        a.id: a
        for a in session.scalars(
            select(Article)
            .where(Article.id.in_([r[0] for r in rows]))
            .options(selectinload(Article.source))
        )
    }
    return [Hit(loaded[i], float(s), loaded[i].title, []) for i, s in rows if i in loaded]
