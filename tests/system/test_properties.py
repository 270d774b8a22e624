"""Property-based tests: any input to the parsers gives a result or a clear error, never a crash.

Examples per test come from the hypothesis profile (tests/conftest.py): `ci` by default,
`HYPOTHESIS_PROFILE=thorough` for a long hunt."""

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from app import migrate
from app.cli import ingest_paths
from app.config import Settings
from app.db.session import make_engine
from app.extraction import extract
from app.extraction.base import Document
from app.ingest.page import parse_page
from app.ingest.reader import read_content
from app.main import create_app
from app.models import Article
from app.search.engines import Fts5Engine, PostgresEngine
from app.search.highlight import Marks, highlight_title, snippets
from app.search.query import Node, QuerySyntaxError, parse, words
from app.services.ingest import OnDuplicate

QUERY_ALPHABET = st.sampled_from(
    [
        *list("abc xyz \"()-*:^~{}[]\\'+!?.,;ÄéüßΩЖ中😀\t\n\x00\x07"),
        "OR",
        "AND",
        "NOT",
        "NEAR",
        " OR ",
        " AND ",
        " NOT ",
    ]
)
queries = st.lists(QUERY_ALPHABET, max_size=40).map("".join) | st.text(max_size=600)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries)
def test_any_query_parses_or_fails_cleanly(q: str) -> None:
    try:
        node: Node = parse(q)
    except QuerySyntaxError as error:
        assert error.position >= 0 and error.message
        return
    for engine in (Fts5Engine(), PostgresEngine()):
        compiled = engine.compile(node)
        assert compiled and "\x00" not in compiled
    marked = highlight_title(q, words(node), Marks())
    assert marked is None or "<mark>" in marked or "<" not in marked.replace("&lt;", "")


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000), st.one_of(st.none(), st.text(max_size=200)))
def test_any_page_reads_into_a_page(text: str, url: str | None) -> None:
    page = parse_page(text, url=url)
    assert isinstance(page.body, str)
    assert page.published is None or 1900 <= page.published.value.year <= 2100


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_any_text_extracts_without_crashing(text: str) -> None:
    result = extract(Document(text=text, language="en"))
    for entity in result.entities:
        for mention in entity.mentions:
            assert text[mention.start : mention.end] == mention.text
    for event in result.events:
        assert text[event.evidence.start : event.evidence.end] == event.evidence.text


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=1500))
def test_any_html_reads(html: str) -> None:
    page = read_content(html=f"<html><body><p>{html}</p></body></html>")
    assert isinstance(page.body, str)
    assert all("<mark>" not in s for s in snippets(page.body, [], Marks()))


# --- any JSON Lines upload: one result per line, the good lines stored, and only those ------

SEPARATORS = "\u2028\u2029\x85\x0b\x0c\x1c\x1d\x1e\r"  # all but \n: inside strings and out
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)) | st.sampled_from(SEPARATORS))
EDGE_MOMENTS = {  # published_at -> whether it is in the calendar once in UTC
    "0001-01-01T00:00:00-14:00": True,
    "0001-01-01T00:00:00Z": True,
    "0001-01-01T00:00:00+00:01": False,
    "0001-01-01T00:00:00+14:00": False,
    "0001": True,
    "9999-12": True,
    "9999-12-31": True,
    "9999-12-31T23:59:59.999Z": True,
    "9999-12-31T23:59:59.9991Z": False,
    "9999-12-31T23:59:59+14:00": True,
    "9999-12-31T23:59:59-14:00": False,
    "10000-01-01": False,
    "0000-12-31": False,
    "2024-02-30": False,
}
LAST_MOMENT = datetime(9999, 12, 31, 23, 59, 59, 999_000)


@st.composite
def moments(draw: st.DrawFn) -> tuple[str, bool]:
    """A published_at and whether it is in the calendar in UTC (an oracle of its own)."""
    if draw(st.booleans()):
        return draw(st.sampled_from(sorted(EDGE_MOMENTS.items())))
    local = draw(st.datetimes())
    minutes = draw(st.integers(-(24 * 60 - 1), 24 * 60 - 1))
    sign, size = "+-"[minutes < 0], abs(minutes)
    try:
        good = local - timedelta(minutes=minutes) <= LAST_MOMENT
    except OverflowError:
        good = False
    return f"{local.isoformat()}{sign}{size // 60:02d}:{size % 60:02d}", good


@st.composite
def uploads(draw: st.DrawFn) -> tuple[str, list[tuple[int, str]], set[str]]:
    """JSON Lines text, the (line, status) each non-blank line should get, the urls to store."""
    prefix = f"https://upload.example/{uuid.uuid4().hex}"
    lines: list[str] = []
    expected: list[tuple[int, str]] = []
    stored: list[str] = []
    for number in range(1, draw(st.integers(0, 8)) + 1):
        kind = draw(st.sampled_from(["good", "good", "date", "duplicate", "unknown field",
                                     "event dates", "not JSON", "not an object", "blank"]))  # fmt: skip
        row: dict[str, Any] = {
            "url": f"{prefix}/{number}",
            "body": "Chile and Peru met in Lima. " + draw(TEXT),
            "events": [],  # hand-coded: no extractor to wait for
        }
        status = "rejected"
        if kind == "duplicate" and not stored:
            kind = "good"  # nothing to repeat yet
        if kind == "blank":
            lines.append(draw(st.sampled_from(["", " ", "\t", " \t \r"])))
            continue
        if kind == "not JSON":
            line = draw(st.sampled_from(['{"body": "cut', "{oops}", "[" * 5000, "{'a': 1}",
                                         '{"body": "raw \x0b control"}', "\u2028", "\x0c"]))  # fmt: skip
        elif kind == "not an object":
            line = draw(st.sampled_from(["[1, 2]", "42", '"Chile"', "null", "true"]))
        else:
            if kind == "good":
                status = "created"
            elif kind == "duplicate":
                row["url"], status = draw(st.sampled_from(stored)), "duplicate"
            elif kind == "date":
                row["published_at"], good = draw(moments())
                status = "created" if good else "rejected"
            elif kind == "unknown field":
                row["colour"] = "red"
            else:  # event dates: the end before the start
                row["events"] = [{"type": "agreement", "date": "2024-05", "date_end": "2024-04"}]
            line = json.dumps(row, ensure_ascii=draw(st.booleans()))
            if status == "created":
                stored.append(row["url"])
        lines.append(line)
        expected.append((number, status))
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines) + draw(st.sampled_from(["", "\n"]))
    return text, expected, set(stored)


@pytest.fixture
def unthrottled(
    db: tuple[Settings, Engine, sessionmaker[Session]], write_key: str
) -> Iterator[TestClient]:
    """A writing client without the per-key rate limit (a long hunt sends many uploads)."""
    app = create_app(
        Settings(database_url=db[0].database_url, rate_limit_writes="1000000/minute"),
        engine=db[1],
    )
    app.state.session_factory = db[2]
    with TestClient(app, headers={"Authorization": f"Bearer {write_key}"}) as client:
        yield client


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(uploads())
def test_any_upload_answers_every_line_and_keeps_the_good_ones(
    unthrottled: TestClient,
    db: tuple[Settings, Engine, sessionmaker[Session]],
    upload: tuple[str, list[tuple[int, str]], set[str]],
) -> None:
    text, expected, good_urls = upload
    response = unthrottled.post(
        "/v1/articles/bulk", content=text.encode(), headers={"content-type": "application/x-ndjson"}
    )
    if not expected:  # only blank lines: nothing to answer line by line
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        return
    assert response.status_code == 200, response.text
    body = response.json()
    results = body["results"]
    assert [(r["line"], r["status"]) for r in results] == expected, results
    counted = ("created", "updated", "skipped", "url_duplicates", "rejected")
    assert body["lines"] == len(expected) == sum(body[k] for k in counted), body
    for result in results:
        refused = result["status"] in ("rejected", "duplicate")  # each with its reason
        assert refused == bool(result["errors"]) and refused != bool(result["article_id"]), result
    prefix = text.partition("https://upload.example/")[2][:32]
    with db[2]() as session:
        urls = session.scalars(
            select(Article.url).where(Article.url.like(f"https://upload.example/{prefix}/%"))
        )
        assert set(urls) == good_urls


@pytest.fixture
def migrated(scratch_url: str) -> str:
    migrate.upgrade(scratch_url)
    return scratch_url


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(uploads())
def test_any_ingested_file_reports_every_bad_line_and_keeps_the_good_ones(
    migrated: str, tmp_path: Path, upload: tuple[str, list[tuple[int, str]], set[str]]
) -> None:
    text, expected, good_urls = upload
    path = tmp_path / f"{uuid.uuid4().hex}.jsonl"
    path.write_bytes(text.encode())
    summary = ingest_paths(
        Settings(database_url=migrated), [path], on_duplicate=OnDuplicate.error, show_progress=False
    )
    refused = [p for p in summary.problems if ": rejected: " in p]
    assert all(p.startswith(f"{path}:") for p in refused), refused
    lines = [int(p[len(f"{path}:") :].partition(":")[0]) for p in refused]
    assert lines == [n for n, status in expected if status != "created"], summary.problems
    assert summary.counts["created"] == len(good_urls)
    assert summary.counts["rejected"] == len(lines)
    engine = make_engine(migrated)
    try:
        with Session(engine) as session:
            prefix = text.partition("https://upload.example/")[2][:32]
            stored = session.scalars(
                select(Article.url).where(Article.url.like(f"https://upload.example/{prefix}/%"))
            )
            assert set(stored) == good_urls
    finally:
        engine.dispose()
