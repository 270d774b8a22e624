from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.paging import MAX_CURSOR_CHARS, CursorRoute, page_response
from app.deps import LimitDep, SessionDep
from app.errors import problem_responses
from app.schemas.change import ChangeRead
from app.schemas.common import Page
from app.services.changes import list_changes

router = APIRouter(prefix="/v1", tags=["changes"], route_class=CursorRoute)

# `since` is the feed's one cursor name: the README's tour and every client written against
# it poll with `since`. `cursor`, the name every other list uses, stays accepted (the same
# token, checked the same way) but is deprecated here, so clients that guessed it keep working.
Since = Annotated[
    str | None,
    Query(max_length=MAX_CURSOR_CHARS, description="`next_cursor` of the last page read"),
]
DeprecatedCursor = Annotated[
    str | None,
    Query(max_length=MAX_CURSOR_CHARS, deprecated=True, description="The same as `since`"),
]


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
    limit: LimitDep,
    since: Since = None,
    cursor: DeprecatedCursor = None,
) -> Response:
    items, resume, more = list_changes(session, limit=limit, since=since or cursor)
    return page_response(
        request,
        response,
        Page[ChangeRead],
        [ChangeRead.model_validate(c) for c in items],
        limit=limit,
        next_cursor=resume,
        more=more,
    )
