from collections.abc import Callable
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from app.api.article_view import shown, summaries
from app.api.export import EXPORT_RESPONSES
from app.api.listing import ExportableDep, Listing, Rows, respond
from app.api.paging import CursorRoute
from app.deps import ArticleFiltersDep, SessionDep, SettingsDep
from app.errors import problem_responses
from app.schemas.article import ArticleSummary
from app.schemas.search import FacetCounts, Highlights, ScoredArticle, SearchHit, SearchPage
from app.search.highlight import Marks
from app.services.search import Hit, QueryMode, SearchRequest, search, validate_facets

router = APIRouter(prefix="/v1", tags=["search"], route_class=CursorRoute)

QUERY_HELP = (
    'Words (all required), "exact phrases", OR (binds tighter than the implicit AND), '
    "-excluded or NOT, prefix*, (grouping). "
    "With mode=raw, the engine's own syntax (SQLite FTS5 or PostgreSQL tsquery), validated."
)


@router.get(
    "/search",
    response_model=SearchPage,
    summary="Ranked full-text search with highlights, facets and every article filter",
    responses={**EXPORT_RESPONSES, **problem_responses(400, 422, 503)},
)
def search_articles(
    asked: ExportableDep,
    settings: SettingsDep,
    filters: ArticleFiltersDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description=QUERY_HELP)],
    mode: Annotated[QueryMode, Query()] = QueryMode.simple,
    expand: Annotated[
        bool, Query(description="Also match other names of the states and entities named")
    ] = True,
    sort: Annotated[
        str,
        Query(
            pattern=r"^(relevance|-?published_at)$",
            description="relevance, published_at, -published_at",
        ),
    ] = "relevance",
    facets: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Comma-separated: country,source,event_type,entity_kind,person,year,month",
        ),
    ] = None,
    facet_size: Annotated[int, Query(ge=1, le=100, description="Values per facet")] = 10,
    highlight_pre: Annotated[str, Query(max_length=40)] = "<mark>",
    highlight_post: Annotated[str, Query(max_length=40)] = "</mark>",
) -> Response:
    wanted = SearchRequest(
        q=q,
        mode=mode,
        expand=expand,
        sort=sort,
        filters=filters,
        facets=validate_facets(facets),
        facet_size=facet_size,
        marks=Marks(highlight_pre, highlight_post),
        total_cap=settings.search_total_cap,
        time_limit_s=settings.search_time_limit_s,
        index_dir=settings.topk_directory(),
    )
    listing = Listing(
        "search",
        SearchHit,
        fetch=lambda s, c, n: _page(s, replace(wanted, limit=n, cursor=c), _hit),
        serialize=shown,
    )
    exported = Listing(  # every hit without its highlights, and no facets
        "search",
        ScoredArticle,
        fetch=lambda s, c, n: _page(s, replace(wanted, limit=n, cursor=c, facets=()), _scored),
        serialize=shown,
    )
    return respond(asked, listing, model=SearchPage, exported=exported)


def _page(
    session: SessionDep, wanted: SearchRequest, show: Callable[[Hit, ArticleSummary], BaseModel]
) -> Rows:
    result = search(session, wanted)
    articles = summaries(session, [hit.article for hit in result.hits])
    hits = [show(hit, article) for hit, article in zip(result.hits, articles, strict=True)]
    facets = {name: FacetCounts.model_validate(counts) for name, counts in result.facets.items()}
    query = {
        "engine": result.engine,
        "compiled": result.compiled,
        "mode": wanted.mode.value,
        "expand": wanted.expand,
    }
    envelope = {
        "total": result.total,
        "total_is_exact": result.total_is_exact,
        "facets": facets,
        "query": query,
    }
    return Rows(hits, result.next_cursor, envelope)


def _scored(hit: Hit, article: ArticleSummary) -> ScoredArticle:
    return ScoredArticle(**article.model_dump(), score=round(hit.score, 6))


def _hit(hit: Hit, article: ArticleSummary) -> SearchHit:
    highlights = Highlights(title=hit.title, snippets=hit.snippets)
    return SearchHit(**_scored(hit, article).model_dump(), highlights=highlights)
