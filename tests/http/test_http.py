"""HTTP done right: request ids, access logs, metrics, ETags, gzip and CORS."""

import json
import logging
import re

from fastapi.testclient import TestClient

from app.config import Settings
from app.http.observability import ACCESS_LOG
from app.main import create_app
from tests.factories import create


def test_request_ids_are_echoed_or_made(client: TestClient) -> None:
    mine = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    made = client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32
    hostile = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert hostile.headers["x-request-id"] != "bad id <script>"
    error = client.get("/v1/articles/999", headers={"X-Request-ID": "err-1"})
    assert error.status_code == 404 and error.headers["x-request-id"] == "err-1"


def test_one_json_log_line_per_request(client: TestClient) -> None:
    lines: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = lines.append  # type: ignore[method-assign]
    logger = logging.getLogger(ACCESS_LOG)
    logger.addHandler(handler)
    try:
        client.get(
            "/v1/articles/77", headers={"X-Request-ID": "log-1", "Authorization": "Bearer secret"}
        )
    finally:
        logger.removeHandler(handler)
    record = lines[-1]
    assert record.request_id == "log-1" and record.status == 404  # type: ignore[attr-defined]
    assert record.route == "/v1/articles/{article_id}" and record.method == "GET"  # type: ignore[attr-defined]
    assert "secret" not in json.dumps(record.__dict__, default=str)


def test_metrics(client: TestClient) -> None:
    create(client, 1)
    client.get("/v1/articles")
    text = client.get("/metrics").text
    assert 'defcoop_requests_total{method="GET",route="/v1/articles",status="200"}' in text
    assert 'defcoop_articles_ingested_total{status="created"} 1.0' in text
    assert "defcoop_request_seconds_bucket" in text


def test_etag_and_not_modified(client: TestClient) -> None:
    create(client, 1)
    first = client.get("/v1/articles")
    tag = first.headers["etag"]
    assert tag.startswith('W/"') and first.headers["cache-control"]
    again = client.get("/v1/articles", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    search = client.get("/v1/search", params={"q": "story"})
    assert (
        client.get(
            "/v1/search", params={"q": "story"}, headers={"If-None-Match": search.headers["etag"]}
        ).status_code
        == 304
    )
    create(client, 2)
    changed = client.get("/v1/articles", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert "etag" not in client.get("/v1/articles/999").headers
    assert "etag" not in client.get("/v1/articles", params={"format": "csv"}).headers


def test_gzip_for_large_answers(client: TestClient) -> None:
    for n in range(1, 6):
        create(client, n)
    response = client.get("/v1/articles", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"
    assert response.json()["items"]


def test_cors_when_configured(db) -> None:
    settings, engine, factory = db
    app = create_app(
        Settings(database_url=settings.database_url, cors_origins=["https://app.example"]),
        engine=engine,
    )
    app.state.session_factory = factory
    with TestClient(app) as client:
        preflight = client.options(
            "/v1/articles",
            headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        plain = client.get("/healthz", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in plain.headers


def test_rate_limits_per_key_with_headers(db, write_key: str) -> None:
    settings, engine, factory = db
    app = create_app(
        Settings(
            database_url=settings.database_url,
            rate_limit_reads="3/minute",
            rate_limit_writes="1/minute",
        ),
        engine=engine,
    )
    app.state.session_factory = factory
    with TestClient(app) as client:
        answers = [client.get("/v1/articles") for _ in range(3)]
        assert [a.headers["ratelimit-remaining"] for a in answers] == ["2", "1", "0"]
        assert answers[0].headers["ratelimit-limit"] == "3"
        limited = client.get("/v1/articles")
        assert limited.status_code == 429
        assert limited.headers["content-type"].startswith("application/problem+json")
        assert int(limited.headers["retry-after"]) >= 1
        assert client.get("/healthz").status_code == 200  # health checks are not counted
        keyed = client.get("/v1/articles", headers={"Authorization": f"Bearer {write_key}"})
        assert keyed.status_code == 200  # another identity, another budget
        headers = {"Authorization": f"Bearer {write_key}"}
        assert (
            client.post(
                "/v1/articles", json={"body": "Chile and Peru met."}, headers=headers
            ).status_code
            == 201
        )
        assert (
            client.post(
                "/v1/articles", json={"body": "Peru and Chile met."}, headers=headers
            ).status_code
            == 429
        )


def test_the_keyless_dry_run_counts_as_a_write(db) -> None:
    settings, engine, factory = db
    app = create_app(
        Settings(
            database_url=settings.database_url,
            rate_limit_reads="2/minute",
            rate_limit_writes="2/minute",
        ),
        engine=engine,
    )
    app.state.session_factory = factory
    page = {"body": "Chile and Peru signed a pact in Lima."}
    with TestClient(app) as client:  # no key: counted by client address
        dry_runs = [client.post("/v1/extract", json=page) for _ in range(3)]
        assert [r.status_code for r in dry_runs] == [200, 200, 429]
        assert dry_runs[0].headers["ratelimit-limit"] == "2"
        # Reads are counted apart, even where both limits read the same.
        assert [client.get("/v1/articles").status_code for _ in range(3)] == [200, 200, 429]


def test_the_moving_window_counts_the_last_seconds_and_forgets_idle_keys(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.http import ratelimit

    now = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: now[0])
    window = ratelimit.MovingWindow()
    assert window.hit("a", 2, 60) == (True, 1, 60)
    now[0] += 20
    assert window.hit("a", 2, 60) == (True, 0, 40)
    assert window.hit("a", 2, 60) == (False, 0, 40)  # refused, and not counted
    assert window.hit("b", 2, 60)[0]  # another key, another budget
    now[0] += 40  # the first request leaves the window
    assert window.hit("a", 2, 60) == (True, 0, 20)
    now[0] += 61 + window.SWEEP_EVERY_S
    window.hit("c", 2, 60)
    assert set(window._times) == {"c"}  # a and b had nothing left in their window


def test_bad_rate_limit_setting_is_refused() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Settings(rate_limit_reads="lots")


def test_request_database_time_limit(app, client: TestClient, session) -> None:
    if session.get_bind().dialect.name != "sqlite":
        import pytest

        pytest.skip("a sub-millisecond statement_timeout is not reliably reached on PostgreSQL")
    from app.cli import sample_path

    client.post("/v1/articles/bulk", content=sample_path().read_bytes())
    app.state.settings.db_time_limit_s = 1e-9
    # the request's limit (not the search's own 5 s) stops this one
    slow = client.get(
        "/v1/search",
        params={"q": "minister OR defence OR navy OR army", "facets": "country,year,person"},
    )
    assert slow.status_code == 503 and slow.headers["content-type"].startswith(
        "application/problem+json"
    )
    app.state.settings.db_time_limit_s = 20.0
    assert (
        client.get("/v1/entities").status_code == 200
    )  # the pooled connection is not left limited
    assert client.get("/v1/articles").status_code == 200


def test_a_client_that_leaves_mid_body_is_a_clean_400() -> None:
    import asyncio

    import pytest
    from starlette.requests import Request

    from app.api.body import read_text
    from app.errors import BadRequest

    async def receive() -> dict[str, object]:
        return {"type": "http.disconnect"}

    scope = {"type": "http", "method": "POST", "headers": [], "path": "/v1/articles"}
    with pytest.raises(BadRequest, match="closed the connection"):
        asyncio.run(read_text(Request(scope, receive)))


def _concrete(path: str) -> str:
    """A path template with a value that exists for each of its parameters."""
    values = {"article_id": "1", "entity_id": "1", "event_id": "1", "pair": "AZE-TUR"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "AZE"), path)


def test_head_answers_every_get_like_get_without_the_body(client: TestClient) -> None:
    create(client, 1)
    spec = client.get("/openapi.json").json()
    paths = [p for p, item in spec["paths"].items() if "get" in item] + ["/docs", "/openapi.json"]
    assert len(paths) > 15
    for path in paths:
        url = _concrete(path)
        got, head = client.get(url), client.head(url)
        assert head.status_code == got.status_code, (url, head.status_code, got.status_code)
        assert head.content == b"", url
        names = ["content-type", "etag", "link"] + (
            ["content-length"] if path != "/metrics" else []
        )
        for name in names:  # /metrics counts the GET itself, so its length moves
            assert head.headers.get(name) == got.headers.get(name), (url, name)
    listed = client.head("/v1/articles", headers={"Accept-Encoding": "identity"})
    assert int(listed.headers["content-length"]) == len(client.get("/v1/articles").content)
    head = client.head("/v1/articles/999")
    assert head.status_code == 404 and head.content == b""


def test_options_and_405_list_every_method_of_the_path(client: TestClient) -> None:
    create(client, 1)
    cases = {
        "/v1/articles": "GET, HEAD, POST, OPTIONS",
        "/v1/articles/1": "GET, HEAD, PATCH, DELETE, OPTIONS",
        "/v1/articles/bulk": "POST, OPTIONS",
        "/v1/search": "GET, HEAD, OPTIONS",
    }
    for path, allow in cases.items():
        options = client.options(path)
        assert options.status_code == 204 and options.headers["allow"] == allow, path
        refused = client.put(path)
        assert refused.status_code == 405 and refused.headers["allow"] == allow, path
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["errors"][0]["field"] == "method"


def test_a_literal_path_is_never_read_as_an_id(client: TestClient) -> None:
    for method in ("PATCH", "DELETE", "GET"):
        answer = client.request(method, "/v1/articles/bulk")
        assert answer.status_code == 405, (method, answer.text)
        assert answer.headers["allow"] == "POST, OPTIONS"
    assert client.get("/v1/articles/abc").status_code == 422  # a bad id is still a bad id


def test_answers_before_routing_are_counted_under_their_route(db) -> None:  # type: ignore[no-untyped-def]
    settings, engine, factory = db
    app = create_app(
        Settings(database_url=settings.database_url, rate_limit_reads="1/minute"), engine=engine
    )
    app.state.session_factory = factory
    with TestClient(app) as client:
        assert client.get("/v1/entities/7").status_code == 404
        assert client.get("/v1/entities/8").status_code == 429
        assert client.put("/v1/entities/8").status_code == 405
        text = client.get("/metrics").text
    assert 'route="/v1/entities/{entity_id}",status="429"' in text
    assert 'route="/v1/entities/{entity_id}",status="405"' in text
    assert 'route="unmatched",status="429"' not in text
