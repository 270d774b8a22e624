from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.api.auth import WriteKey
from app.api.body import media_type, read_text, require_json
from app.api.export import EXPORT_RESPONSES
from app.api.listing import ExportableDep, Listing, ListRequest, respond, top_list
from app.api.paging import CursorRoute
from app.config import Settings
from app.deps import ArticleDep, ArticleListFiltersDep, SessionDep, SettingsDep
from app.errors import (
    InvalidParameter,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    from_validation_error,
    line_failure,
    problem_responses,
)
from app.ingest.formats import Record, iter_jsonl
from app.openapi import JSON_LINES, bulk_body, create_body
from app.schemas.article import (
    ArticleCreate,
    ArticleRead,
    ArticleSummary,
    ArticleUpdate,
    BulkLineResult,
    BulkResult,
)
from app.schemas.common import Page
from app.schemas.entity import MentionRead
from app.schemas.event import event_read
from app.schemas.search import SimilarArticle
from app.services import article as service
from app.services import search as search_service
from app.services.article import IngestOutcome, OnDuplicate

router = APIRouter(prefix="/v1/articles", tags=["articles"], route_class=CursorRoute)

ArticleSort = Annotated[
    str, Query(pattern=r"^-?published_at$", description="published_at or -published_at")
]
# a ranked top list, not a paged one: its own default and maximum, clamped like every limit
SimilarList = Annotated[ListRequest, Depends(top_list(default=10, maximum=50))]

_JSON_TYPES = {"application/json"}
_PAGE_TYPES = {"text/plain"}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
BULK_HELP = """Each line is stored or refused by itself (good lines are kept when others fail);
`results` has one entry per line, `status` saying what became of it:

- `created`: stored (with `duplicate_of` when its text is an article's already stored);
- `updated`: the url was known and `on_duplicate=update`: replaced;
- `skipped`: the url was known and `on_duplicate=skip`: nothing stored;
- `duplicate`: the url was known and `on_duplicate=error`: nothing stored;
- `rejected`: not JSON, not valid, or not storable (`errors` says why).

The counts add up: `created + updated + skipped + url_duplicates + rejected = lines`.
`content_duplicates` counts the created or updated lines whose text is already stored under
another url (stored, marked `duplicate_of`): they are among `created` and `updated`, not an
outcome of their own. `duplicates` is `url_duplicates` under its old name."""

_CREATE_BODY = create_body(
    description="JSON (an ArticleCreate: `text` a raw page, `body` clean text or `html`, with "
    "optional curated entities and events), or the page itself as text/plain or text/html "
    "(`url` and `source` then come from the query)."
)


def _read(session: SessionDep, article: Any, include: set[str]) -> ArticleRead:
    summary = ArticleSummary.model_validate(article).model_dump()
    result = ArticleRead(**summary, body=article.body, content_hash=article.content_hash)
    if "raw" in include:
        result.raw = article.raw
    if "mentions" in include:
        rows = service.article_mentions(session, article_id=article.id)
        result.mentions = [MentionRead.model_validate(m) for m in rows]
    if "events" in include:
        result.events = [
            event_read(e) for e in service.article_events(session, article_id=article.id)
        ]
    return result


def _store(
    request: Request,
    session: Session,
    settings: Settings,
    data: ArticleCreate,
    on_duplicate: OnDuplicate,
) -> IngestOutcome:
    outcome = service.create_article(
        session,
        data=data,
        on_duplicate=on_duplicate,
        budget_s=settings.extraction_budget_s,
        spacy_model=settings.spacy_model,
    )
    metrics = request.app.state.metrics
    metrics.articles_ingested.labels(outcome.status).inc()
    if outcome.extraction_s is not None:
        metrics.extraction_seconds.observe(outcome.extraction_s)
    return outcome


async def create_input(request: Request, url: str | None, source: str | None) -> ArticleCreate:
    kind, _ = media_type(request)
    text = await read_text(request)
    try:
        if kind in _JSON_TYPES or kind.endswith("+json"):
            return ArticleCreate.model_validate_json(text)
        if kind in _PAGE_TYPES:
            return ArticleCreate(text=text, url=url, source=source)
        if kind in _HTML_TYPES:
            return ArticleCreate(html=text, url=url, source=source)
    except ValidationError as error:
        raise from_validation_error(error) from error
    raise UnsupportedMediaType(
        f"Send application/json, text/plain (a raw page) or text/html, not {kind or 'nothing'}.",
        field="Content-Type",
        location="header",
    )


@router.post(
    "",
    dependencies=[WriteKey],
    status_code=201,
    response_model=ArticleRead,
    summary="Store one article (JSON, a raw page or HTML)",
    response_description="Stored: the article with its mentions and events",
    openapi_extra=_CREATE_BODY,
    responses={
        200: {
            "description": "The url was known and `on_duplicate` is skip (the stored article, "
            "unchanged) or update (the article, replaced)",
            "model": ArticleRead,
        },
        **problem_responses(400, 401, 403, 409, 413, 415, 422),
    },
)
async def create_article(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    on_duplicate: Annotated[
        OnDuplicate, Query(description="When the url is known: error (409), skip or update")
    ] = OnDuplicate.error,
    url: Annotated[
        str | None, Query(max_length=2048, description="For text/plain and HTML")
    ] = None,
    source: Annotated[
        str | None, Query(max_length=200, description="For text/plain and HTML")
    ] = None,
) -> ArticleRead:
    data = await create_input(request, url, source)

    def store() -> ArticleRead:
        outcome = _store(request, session, settings, data, on_duplicate)
        response.headers["Location"] = f"/v1/articles/{outcome.article.id}"
        if outcome.status != "created":
            response.status_code = 200
        return _read(session, outcome.article, {"events", "mentions"})

    # Extraction and the database are blocking work: off the event loop, so that other
    # requests are served meanwhile (only the body is read here, asynchronously).
    return await run_in_threadpool(store)


@router.post(
    "/bulk",
    dependencies=[WriteKey],
    response_model=BulkResult,
    operation_id="bulk_create_articles",
    summary="Store many articles from JSON Lines; a result per line",
    description=BULK_HELP,
    openapi_extra=bulk_body(),
    responses=problem_responses(400, 401, 403, 413, 415, 422),
)
async def bulk_create(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    on_duplicate: Annotated[OnDuplicate, Query()] = OnDuplicate.error,
) -> BulkResult:
    kind, _ = media_type(request)
    if kind and kind not in JSON_LINES:
        raise UnsupportedMediaType(
            f"Send JSON Lines as {' or '.join(JSON_LINES)}, not {kind}.",
            field="Content-Type",
            location="header",
        )
    text = await read_text(request)
    lines = list(iter_jsonl(text))
    if not lines:
        raise ValidationFailed(
            "The body holds no lines: send one article, a JSON object, per line.", field="body"
        )
    if len(lines) > settings.max_bulk_lines:
        raise PayloadTooLarge(f"At most {settings.max_bulk_lines} lines per request.", field="body")
    return await run_in_threadpool(_store_lines, request, session, settings, lines, on_duplicate)


def _store_lines(
    request: Request,
    session: Session,
    settings: Settings,
    lines: list[Record],
    on_duplicate: OnDuplicate,
) -> BulkResult:
    results: list[BulkLineResult] = []
    for record in lines:
        result = BulkLineResult(line=record.line, status="rejected")
        if record.error:
            result.errors = [{"field": "line", "message": record.error}]
            results.append(result)
            continue
        assert record.data is not None
        result.id = record.data.get("id") if isinstance(record.data.get("id"), str | int) else None
        try:
            data = ArticleCreate.model_validate(record.data)
            with session.begin_nested():  # each line whole or absent, and only itself
                outcome = _store(request, session, settings, data, on_duplicate)
        except Exception as error:
            failure = line_failure(error)
            existing = failure.extra.get("existing_id")
            result.status = "duplicate" if existing else "rejected"
            result.duplicate_of = existing
            fields = failure.errors if isinstance(error, ValidationError) else []
            result.errors = [{"field": e["field"], "message": e["message"]} for e in fields] or [
                {"field": "line", "message": failure.detail}
            ]
        else:
            result.article_id = outcome.article.id
            result.duplicate_of = outcome.article.duplicate_of_id
            result.status = outcome.status
        results.append(result)
    counts = Counter(r.status for r in results)
    return BulkResult(
        lines=len(results),
        created=counts["created"],
        updated=counts["updated"],
        skipped=counts["skipped"],
        url_duplicates=counts["duplicate"],
        rejected=counts["rejected"],
        content_duplicates=sum(
            1 for r in results if r.status in ("created", "updated") and r.duplicate_of
        ),
        duplicates=counts["duplicate"],
        results=results,
    )


@router.get(
    "",
    response_model=Page[ArticleSummary],
    summary="List articles, filtered, newest first (or every one, as CSV or NDJSON)",
    responses={**EXPORT_RESPONSES, **problem_responses(400, 422)},
)
def list_articles(
    asked: ExportableDep, filters: ArticleListFiltersDep, sort: ArticleSort = "-published_at"
) -> Page[ArticleSummary] | StreamingResponse:
    listing = Listing(
        "articles",
        ArticleSummary,
        fetch=lambda s, c, n: service.list_articles(
            s, filters=filters, sort=sort, limit=n, cursor=c
        ),
        serialize=ArticleSummary.model_validate,
    )
    return respond(asked, listing, model=Page[ArticleSummary])


@router.get(
    "/{article_id}",
    response_model=ArticleRead,
    response_model_exclude_none=False,
    summary="One article; include=mentions,events,raw adds those",
    responses=problem_responses(400, 404, 422),
)
def get_article(
    session: SessionDep,
    article: ArticleDep,
    include: Annotated[
        str | None, Query(max_length=100, description="Comma-separated: mentions, events, raw")
    ] = None,
) -> ArticleRead:
    wanted = {part.strip() for part in (include or "").split(",") if part.strip()}
    unknown = wanted - {"mentions", "events", "raw"}
    if unknown:
        raise InvalidParameter("include", f"unknown value(s) {', '.join(sorted(unknown))}")
    return _read(session, article, wanted)


@router.get(
    "/{article_id}/similar",
    response_model=Page[SimilarArticle],
    operation_id="list_similar_articles",
    summary="The articles most like this one (shared words and named people and organisations)",
    description="A ranked top list: one page, `next_cursor` always null.",
    responses=problem_responses(400, 404, 422),
)
def similar_articles(
    asked: SimilarList, settings: SettingsDep, article: ArticleDep
) -> Page[SimilarArticle] | StreamingResponse:
    index_dir = settings.topk_directory()
    listing = Listing(
        "similar",
        SimilarArticle,
        fetch=lambda s, _cursor, n: (
            search_service.similar(s, article=article, limit=n, index_dir=index_dir),
            None,
        ),
        serialize=lambda hit: SimilarArticle(
            **ArticleSummary.model_validate(hit.article).model_dump(), score=round(hit.score, 6)
        ),
    )
    return respond(asked, listing, model=Page[SimilarArticle])


@router.patch(
    "/{article_id}",
    dependencies=[WriteKey, require_json],
    response_model=ArticleRead,
    summary="Correct an article's metadata",
    responses=problem_responses(400, 401, 403, 404, 409, 415, 422),
)
def update_article(session: SessionDep, article: ArticleDep, data: ArticleUpdate) -> ArticleRead:
    return _read(session, service.update_article(session, article=article, data=data), set())


@router.delete(
    "/{article_id}",
    dependencies=[WriteKey],
    status_code=204,
    summary="Delete an article with its mentions and events",
    responses=problem_responses(400, 401, 403, 404, 422),
)
def delete_article(session: SessionDep, article: ArticleDep) -> Response:
    service.delete_article(session, article=article)
    return Response(status_code=204)
