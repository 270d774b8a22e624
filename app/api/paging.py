from fastapi import Request, Response


def link_next(request: Request, response: Response, next_cursor: str | None) -> None:
    """Advertise the next page in a `Link: <...>; rel="next"` header too."""
    if next_cursor:
        url = request.url.include_query_params(cursor=next_cursor)
        response.headers["Link"] = f'<{url}>; rel="next"'
