from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from app.api.paging import MAX_CURSOR_CHARS, CursorRoute, page_response
from app.deps import PageDep, SessionDep
from app.errors import problem_responses
from app.schemas.common import Page, Schema
from app.services.changes import list_changes

router = APIRouter(prefix="/v1", tags=["changes"], route_class=CursorRoute)


class ChangeRead(Schema):
    id: int
    at: datetime
    kind: str = Field(description="article, entity or event")
    object_id: int
    action: str = Field(description="created, updated or deleted (a tombstone)")


@router.get(
    "/changes",
    response_model=Page[ChangeRead],
    operation_id="list_changes",
    summary="What changed since a point, oldest first: to keep a mirror in step",
    description=(
        "Start without `since`; keep `next_cursor` and pass it as `since` next time. "
        "`next_cursor` is always given (it is `since` again when nothing changed); a "
        '`Link: rel="next"` header says that more changes are already waiting.'
    ),
    responses=problem_responses(400, 422),
)
def changes(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
    since: Annotated[
        str | None,
        Query(max_length=MAX_CURSOR_CHARS, description="`next_cursor` of the last page read"),
    ] = None,
) -> Page[ChangeRead]:
    items, resume, more = list_changes(session, limit=page.limit, since=since or page.cursor)
    return page_response(
        request,
        response,
        Page[ChangeRead],
        [ChangeRead.model_validate(c) for c in items],
        limit=page.limit,
        next_cursor=resume,
        more=more,
    )
