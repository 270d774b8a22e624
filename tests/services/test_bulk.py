"""The one bulk path (defcoop ingest and POST /v1/articles/bulk): the change feed lists every
article, entity and event it created exactly once, whichever way a chunk was stored."""

import json
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db.session import make_engine, make_session_factory
from app.models import Article, Change, Entity, Event
from tests.factories import article_payload

runner = CliRunner()


def _lines() -> list[str]:
    """Hand-coded articles (rows inserted in bulk), extracted ones (the unit of work), and the
    same url twice, so that a chunk fails and is stored again one article at a time."""
    rows = [article_payload(n) for n in (1, 2, 3)]
    rows += [
        {"url": f"https://plain.example/{n}", "body": f"Chile and Peru signed a pact, take {n}."}
        for n in (1, 2)
    ]
    rows.append({**article_payload(4), "url": rows[0]["url"]})
    return [json.dumps(row) for row in rows]


def _assert_fed_once(session: Session) -> None:
    created = Counter(
        session.execute(
            select(Change.kind, Change.object_id).where(Change.action == "created")
        ).all()
    )
    assert all(n == 1 for n in created.values()), [k for k, n in created.items() if n > 1]
    for kind, model in (("article", Article), ("entity", Entity), ("event", Event)):
        stored = set(session.scalars(select(model.id)))
        fed = {object_id for k, object_id in created if k == kind}
        assert stored and fed == stored, kind


def _ingest(feed: Path, *extra: str) -> str:
    result = runner.invoke(cli, ["ingest", str(feed), *extra])
    return result.output


def test_cli_ingest_feeds_every_created_row_once(
    scratch_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEFCOOP_DATABASE_URL", scratch_url)
    get_settings.cache_clear()
    try:
        assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
        feed = tmp_path / "feed.jsonl"
        feed.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
        output = _ingest(feed, "--on-duplicate", "error")  # the chunk fails: one by one
        assert "created 5" in output and "rejected 1" in output, output
        feed.write_text(json.dumps(article_payload(9)) + "\n", encoding="utf-8")
        assert "created 1" in _ingest(feed)  # the fast way
    finally:
        get_settings.cache_clear()
    engine = make_engine(scratch_url)
    try:
        with make_session_factory(engine)() as session:
            assert len(session.scalars(select(Article.id)).all()) == 6
            _assert_fed_once(session)
    finally:
        engine.dispose()


def test_bulk_endpoint_feeds_every_created_row_once(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    body = client.post("/v1/articles/bulk", content="\n".join(_lines())).json()
    assert [r["status"] for r in body["results"]] == ["created"] * 5 + ["duplicate"]
    fast = client.post("/v1/articles/bulk", content=json.dumps(article_payload(9))).json()
    assert fast["created"] == 1
    with app.state.session_factory() as session:
        _assert_fed_once(session)


def test_bulk_line_errors_carry_where_the_field_is(client: TestClient) -> None:
    lines = ["{oops", json.dumps({"url": "https://e.example/1", "body": 5})]
    results = client.post("/v1/articles/bulk", content="\n".join(lines)).json()["results"]
    assert results[0]["errors"] == [
        {"field": "line", "in": "body", "message": results[0]["errors"][0]["message"]}
    ]
    assert results[0]["errors"][0]["message"].startswith("not JSON")
    assert [(e["field"], e["in"]) for e in results[1]["errors"]] == [("body", "body")]


def test_extraction_does_not_count_against_the_requests_time_limit(
    db, write_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A loaded machine extracting many pages must not turn a bulk load into a 503: the
    limit covers the database work, which starts after the extraction."""
    import time

    from app.main import create_app
    from app.services import ingest

    settings, engine, factory = db
    real = ingest.timed_extract

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.4)
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest, "timed_extract", slow)
    limited = create_app(settings.model_copy(update={"db_time_limit_s": 1.0}), engine=engine)
    limited.state.session_factory = factory
    lines = [
        json.dumps({"url": f"https://slow.example/{n}", "body": f"Chile and Peru met, take {n}."})
        for n in range(5)
    ]  # about 2 s of extraction against a 1 s limit
    with TestClient(limited, headers={"Authorization": f"Bearer {write_key}"}) as client:
        response = client.post("/v1/articles/bulk", content="\n".join(lines))
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 5
