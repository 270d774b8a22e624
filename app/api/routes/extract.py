from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from app.api.body import CREATE_BODY, create_input
from app.deps import SettingsDep
from app.errors import problem_responses
from app.schemas.article import ExtractResult
from app.services.extraction import extraction_json
from app.services.ingest import prepare_article

router = APIRouter(prefix="/v1", tags=["extraction"])


@router.post(
    "/extract",
    response_model=ExtractResult,
    summary="Dry run: the metadata, entities and events of a page, nothing stored",
    openapi_extra=CREATE_BODY,
    responses=problem_responses(400, 413, 415, 422),
)
async def extract_page(
    request: Request,
    settings: SettingsDep,
    url: Annotated[str | None, Query(max_length=2048)] = None,
) -> ExtractResult:
    # Hand-coded entities or events are set aside: a dry run always shows the extractor's work.
    data = (await create_input(request, url, None)).model_copy(
        update={"entities": None, "events": None}
    )
    # The very steps storing runs, so the dry run shows what POST /v1/articles would keep.
    prepared = await run_in_threadpool(
        prepare_article,
        data,
        budget_s=settings.extraction_budget_s,
        spacy_model=settings.spacy_model,
    )
    page, result, language = prepared.page, prepared.extraction, prepared.language
    assert result is not None  # no hand-coded data, so the extractor ran
    published = page.published
    return ExtractResult(
        title=data.title or page.title,
        title_is_derived=data.title is None and page.title_is_derived,
        author=data.author or page.author,
        agency=data.agency or page.agency,
        published_at=data.published_at or (published.iso() if published else None),
        source=data.source or page.source_name,
        language=language,
        body=page.body,
        extractor_version=result.version,
        skipped=result.skipped,
        **extraction_json(result),
    )
