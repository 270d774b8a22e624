from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from app.api.article_view import shown, summaries, summarized
from app.api.auth import WriteKey
from app.api.body import CREATE_BODY, create_input, media_type, read_text, require_json
from app.api.export import EXPORT_RESPONSES
from app.api.listing import ExportableDep, Listing, ListRequest, respond, top_list
from app.api.paging import CursorRoute
from app.config import Settings
from app.deps import ArticleDep, ArticleListFiltersDep, SessionDep, SettingsDep, metrics_of
from app.errors import (
    InvalidParameter,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    problem_responses,
)
from app.ingest.formats import Record, iter_jsonl
from app.openapi import JSON_LINES, bulk_body
from app.schemas.article import (
    ArticleCreate,
    ArticleRead,
    ArticleSummary,
    ArticleUpdate,
    BulkLineResult,
    BulkResult,
)
from app.schemas.common import FieldError, Page
from app.schemas.entity import MentionRead
from app.schemas.event import event_read
from app.schemas.search import SimilarArticle
from app.services import article as service
from app.services import idempotency
from app.services.bulk import IngestOptions, LineResult, ingest_records
from app.services.ingest import IngestOutcome, OnDuplicate, prepare_article
from app.services.ingest import create_article as store_article
from app.services.similar import similar

router = APIRouter(prefix="/v1/articles", tags=["articles"], route_class=CursorRoute)

ArticleSort = Annotated[
    str, Query(pattern=r"^-?published_at$", description="published_at or -published_at")
]
# a ranked top list, not a paged one: its own default and maximum, clamped like every limit
SimilarList = Annotated[ListRequest, Depends(top_list(default=10, maximum=50))]

_JSON_TYPES = {"application/json"}
_PAGE_TYPES = {"text/plain"}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias=idempotency.HEADER,
        min_length=1,
        max_length=255,
        description="Any unique string (a UUID): a retry with the same key and the same request "
        "stores nothing again and gets the first response (kept 24 hours); the same key with "
        "another request is a 422",
    ),
]

# Lines stored per flush. The request's time limit applies to each chunk's database work, and
# 200 extracted pages took 19 s of it on a loaded 2-core machine: 50 keep well inside 20 s.
BULK_CHUNK = 50

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


def _read(session: SessionDep, article: Any, include: set[str]) -> ArticleRead:
    summary = summaries(session, [article])[0].model_dump()
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


def _count(request: Request, outcome: IngestOutcome | LineResult) -> None:
    if outcome.article is None:
        return
    metrics = metrics_of(request)  # the handlers' MetricsDep, read where the outcome is known
    metrics.articles_ingested.labels(outcome.status).inc()
    if outcome.extraction_s is not None:
        metrics.extraction_seconds.observe(outcome.extraction_s)


def _store(
    request: Request,
    session: SessionDep,
    settings: Settings,
    data: ArticleCreate,
    on_duplicate: OnDuplicate,
) -> IngestOutcome:
    # The page is read and extracted before the first statement, which begins the transaction
    # and, on SQLite, takes the write lock: other writers wait for the store, not the extraction.
    # A url already stored then costs an extraction it did not need; holding every writer up
    # for the length of one extraction costs more.
    prepared = prepare_article(
        data, budget_s=settings.extraction_budget_s, spacy_model=settings.spacy_model
    )
    outcome = store_article(session, data=data, on_duplicate=on_duplicate, prepared=prepared)
    _count(request, outcome)
    return outcome


@router.post(
    "",
    dependencies=[WriteKey],
    status_code=201,
    response_model=ArticleRead,
    summary="Store one article (JSON, a raw page or HTML)",
    response_description="Stored: the article with its mentions and events",
    openapi_extra=CREATE_BODY,
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
    idempotency_key: IdempotencyKeyHeader = None,
) -> ArticleRead | Response:
    data = await create_input(request, url, source)
    request_hash = await _request_hash(request)

    def store() -> ArticleRead | Response:
        if idempotency_key:
            replay = idempotency.get_response(
                session, key=idempotency_key, endpoint="articles.create", request_hash=request_hash
            )
            if replay is not None:
                return _replayed(replay)
        outcome = _store(request, session, settings, data, on_duplicate)
        location = f"/v1/articles/{outcome.article.id}"
        response.headers["Location"] = location
        if outcome.status != "created":
            response.status_code = 200
        result = _read(session, outcome.article, {"events", "mentions"})
        if not idempotency_key:
            return result
        first = idempotency.StoredResponse(
            response.status_code or 201, result.model_dump_json(by_alias=True), location
        )
        idempotency.create_response(
            session,
            key=idempotency_key,
            endpoint="articles.create",
            request_hash=request_hash,
            response=first,
        )
        return _replayed(first, again=False)

    # Extraction and the database are blocking work: off the event loop, so that other
    # requests are served meanwhile (only the body is read here, asynchronously).
    return await run_in_threadpool(store)


async def _request_hash(request: Request) -> str:
    return idempotency.fingerprint(
        method=request.method,
        path=request.url.path,
        query=request.url.query,
        content_type=request.headers.get("content-type", ""),
        body=await request.body(),
    )


def _replayed(stored: idempotency.StoredResponse, *, again: bool = True) -> Response:
    """A keyed response, rendered once and kept: a retry gets these very bytes."""
    headers = {"Location": stored.location} if stored.location else {}
    if again:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        stored.body, status_code=stored.status_code, media_type="application/json", headers=headers
    )


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
    idempotency_key: IdempotencyKeyHeader = None,
) -> BulkResult | Response:
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
    request_hash = await _request_hash(request)

    def store() -> BulkResult | Response:
        if idempotency_key:
            replay = idempotency.get_response(
                session, key=idempotency_key, endpoint="articles.bulk", request_hash=request_hash
            )
            if replay is not None:
                return _replayed(replay)
        result = _store_lines(request, session, settings, lines, on_duplicate)
        if not idempotency_key:
            return result
        first = idempotency.StoredResponse(200, result.model_dump_json(by_alias=True), None)
        idempotency.create_response(
            session,
            key=idempotency_key,
            endpoint="articles.bulk",
            request_hash=request_hash,
            response=first,
        )
        return _replayed(first, again=False)

    return await run_in_threadpool(store)


def _store_lines(
    request: Request,
    session: SessionDep,
    settings: Settings,
    lines: list[Record],
    on_duplicate: OnDuplicate,
) -> BulkResult:
    options = IngestOptions(
        on_duplicate=on_duplicate,
        budget_s=settings.extraction_budget_s,
        spacy_model=settings.spacy_model,
        batch=BULK_CHUNK,
    )
    # More than one chunk: extracted in the app's worker processes, chunks ahead of the one
    # being stored (one chunk has nothing to overlap with: starting workers would only cost)
    pool = request.app.state.bulk_pool.get() if len(lines) > BULK_CHUNK else None
    records = ((str(r.line), r) for r in lines)
    results = [
        _line_result(request, line) for line in ingest_records(session, records, options, pool)
    ]
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


def _line_result(request: Request, line: LineResult) -> BulkLineResult:
    _count(request, line)
    return BulkLineResult(
        line=line.line,
        id=line.id,
        status=line.status,
        article_id=line.article.id if line.article is not None else None,
        duplicate_of=line.duplicate_of,
        errors=[FieldError.model_validate(e) for e in line.errors] or None,
    )


@router.get(
    "",
    response_model=Page[ArticleSummary],
    summary="List articles, filtered, newest first (or every one, as CSV or NDJSON)",
    responses={**EXPORT_RESPONSES, **problem_responses(400, 422)},
)
def list_articles(
    asked: ExportableDep, filters: ArticleListFiltersDep, sort: ArticleSort = "-published_at"
) -> Response:
    listing = Listing(
        "articles",
        ArticleSummary,
        fetch=lambda s, c, n: summarized(
            s, service.list_articles(s, filters=filters, sort=sort, limit=n, cursor=c)
        ),
        serialize=shown,
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
def similar_articles(asked: SimilarList, settings: SettingsDep, article: ArticleDep) -> Response:
    listing = Listing(
        "similar",
        SimilarArticle,
        fetch=lambda s, _cursor, n: (_similar_page(s, settings, article, n), None),
        serialize=shown,
    )
    return respond(asked, listing, model=Page[SimilarArticle])


def _similar_page(
    session: SessionDep, settings: Settings, article: Any, limit: int
) -> list[SimilarArticle]:
    hits = similar(
        session,
        article=article,
        limit=limit,
        index_dir=settings.topk_directory(),
        time_limit_s=settings.search_time_limit_s,
    )
    shown_hits = summaries(session, [hit.article for hit in hits])
    return [
        SimilarArticle(**summary.model_dump(), score=round(hit.score, 6))
        for hit, summary in zip(hits, shown_hits, strict=True)
    ]


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
