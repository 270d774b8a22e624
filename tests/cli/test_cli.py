import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from app import migrate
from app.cli import cli, sample_path
from app.config import Settings
from app.db.session import make_engine
from app.main import create_app

runner = CliRunner()


@pytest.fixture
def cli_db(scratch_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DEFCOOP_DATABASE_URL", scratch_url)
    from app.config import get_settings

    get_settings.cache_clear()
    yield scratch_url
    get_settings.cache_clear()


def test_db_commands(cli_db: str) -> None:
    result = runner.invoke(cli, ["db", "current"])
    assert result.exit_code == 1 and "current: base" in result.output
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    head = migrate.head_revision(cli_db)
    assert f"database at {head}" in result.output
    assert runner.invoke(cli, ["db", "current"]).exit_code == 0
    result = runner.invoke(cli, ["db", "downgrade", "base"])
    assert result.exit_code == 0 and "database at base" in result.output


def test_ingest_pages_jsonl_and_reports_per_line(cli_db: str, tmp_path: Path) -> None:
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    pages = Path(sample_path()).parent / "pages"
    result = runner.invoke(cli, ["ingest", str(pages), "--source", "Sample Wire"])
    assert result.exit_code == 0, result.output
    assert "created 32" in result.output

    bad = tmp_path / "mixed.jsonl"
    bad.write_text(
        json.dumps(
            {"url": "https://a.example/1", "body": "Chile and Peru held naval talks on Monday."}
        )
        + "\n{oops\n"
        + json.dumps({"body": 12})
        + "\n"
        + json.dumps(
            {"url": "https://a.example/1", "body": "Chile and Peru held naval talks again."}
        )
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["ingest", str(bad)])
    assert result.exit_code == 1
    assert "mixed.jsonl:2: rejected: not JSON" in result.output
    assert "mixed.jsonl:3: rejected: body" in result.output
    assert "created 1" in result.output and "rejected 2" in result.output
    assert "skipped (url already stored) 1" in result.output

    again = runner.invoke(cli, ["ingest", str(sample_path())])
    assert again.exit_code == 0, again.output
    # same bodies as the pages, stored and marked: the undated one of each pair is the copy
    assert "content_duplicates" in again.output and "created 32" in again.output

    engine = make_engine(cli_db)
    try:
        from fastapi.testclient import TestClient

        with TestClient(create_app(Settings(database_url=cli_db), engine=engine)) as client:
            every = {"limit": 100, "duplicates": "include"}
            items = client.get("/v1/articles", params={"source": "Sample Wire", **every}).json()[
                "items"
            ]
            assert len(items) == 32
            marked = client.get("/v1/articles", params=every).json()["items"]
            # 32 texts stored twice, and sample-30 re-runs sample-29's wire story: its group
            # of four has one canonical
            assert sum(1 for a in marked if a["duplicate_of"]) == 33
            canonical = {a["id"] for a in marked if a["duplicate_of"] is None}
            # every copy names a canonical article (the mixed.jsonl one has no copy)
            assert {a["duplicate_of"] for a in marked} - {None} <= canonical
            assert len(canonical) == len(marked) - 33
            shown = client.get("/v1/articles", params={"limit": 100}).json()["items"]
            assert {a["id"] for a in shown} == canonical
    finally:
        engine.dispose()


def test_demo_without_serving_loads_samples_idempotently(cli_db: str) -> None:
    result = runner.invoke(cli, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "created 32" in result.output and "/docs" in result.output
    result = runner.invoke(cli, ["demo", "--no-serve"])
    assert "skipped (url already stored) 32" in result.output


def test_recluster_and_reindex_link_the_samples_again(cli_db: str) -> None:
    assert runner.invoke(cli, ["demo", "--no-serve"]).exit_code == 0
    engine = make_engine(cli_db)
    try:
        with engine.connect() as conn:
            before = sorted(conn.execute(text("SELECT id, happening_id FROM event")).all())
        result = runner.invoke(cli, ["recluster"])
        assert result.exit_code == 0, result.output
        assert "happenings" in result.output
        result = runner.invoke(cli, ["reindex", "--only", "happenings", "--only", "counts"])
        assert result.exit_code == 0, result.output
        with engine.connect() as conn:
            after = sorted(conn.execute(text("SELECT id, happening_id FROM event")).all())
        assert after == before  # the same happenings, with the same ids
    finally:
        engine.dispose()


def test_ingest_missing_path_is_an_error(cli_db: str) -> None:
    result = runner.invoke(cli, ["ingest", "/nonexistent/file.jsonl"])
    assert result.exit_code != 0


def test_ingest_extracts_outside_the_write_and_not_for_known_urls(
    cli_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.services.bulk as cli_module

    calls: list[str | None] = []
    real = cli_module.prepare_article

    def counting(data, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(data.url)
        return real(data, **kwargs)

    monkeypatch.setattr(cli_module, "prepare_article", counting)
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    feed = tmp_path / "feed.jsonl"
    first = {"url": "https://b.example/1", "body": "Chile and Peru held naval talks on Monday."}
    feed.write_text(json.dumps(first) + "\n", encoding="utf-8")
    assert "created 1" in runner.invoke(cli, ["ingest", str(feed)]).output
    assert calls == ["https://b.example/1"]

    result = runner.invoke(cli, ["ingest", str(feed)])
    assert "skipped (url already stored) 1" in result.output
    assert len(calls) == 1  # a known url is skipped without running the extractor

    changed = {**first, "body": "Chile and Brazil signed a defence agreement on Monday."}
    feed.write_text(json.dumps(changed) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["ingest", str(feed), "--on-duplicate", "update"])
    assert result.exit_code == 0 and "updated 1" in result.output, result.output
    assert len(calls) == 2
    engine = make_engine(cli_db)
    try:
        from fastapi.testclient import TestClient

        with TestClient(create_app(Settings(database_url=cli_db), engine=engine)) as client:
            items = client.get("/v1/articles", params={"q": "Brazil"}).json()["items"]
            assert [item["url"] for item in items] == ["https://b.example/1"]
            article = client.get(
                f"/v1/articles/{items[0]['id']}", params={"include": "mentions"}
            ).json()
            names = {m["entity"]["name"] for m in article["mentions"]}
            assert "Brazil" in names and "Peru" not in names, names
    finally:
        engine.dispose()


def test_ingest_stores_a_chunk_at_once_and_one_by_one_when_it_fails(
    cli_db: str, tmp_path: Path
) -> None:
    from tests.factories import article_payload

    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    rows = [article_payload(n) for n in (1, 2, 3)]
    rows.append({**article_payload(4), "url": rows[0]["url"]})  # the same url twice
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["ingest", str(feed), "--on-duplicate", "error"])
    # the chunk could not be stored whole: each article alone, the clash refused by itself
    assert "created 3" in result.output and "rejected 1" in result.output, result.output
    assert "feed.jsonl:4: rejected: An article with this url already exists" in result.output
    feed.write_text(json.dumps(article_payload(5)) + "\n", encoding="utf-8")
    assert "created 1" in runner.invoke(cli, ["ingest", str(feed)]).output  # the fast way

    engine = make_engine(cli_db)
    try:
        from fastapi.testclient import TestClient

        app = create_app(Settings(database_url=cli_db), engine=engine)
        with TestClient(app) as client:
            from app.services.keys import Scope, create_key

            with app.state.session_factory() as session:
                secret = create_key(session, name="t", scope=Scope.write).secret
                session.commit()
            posted = client.post(
                "/v1/articles",
                json=article_payload(6),
                headers={"Authorization": f"Bearer {secret}"},
            ).json()

            def mentions(article_id: int) -> list[tuple]:
                body = client.get(
                    f"/v1/articles/{article_id}", params={"include": "mentions,events"}
                ).json()
                return sorted(
                    (m["entity"]["name"], m["start"] is None, m["surface"])
                    for m in body["mentions"]
                ), [(e["type"], sorted(p["entity"]["name"] for p in e["participants"])) for e in body["events"]]  # fmt: skip

            stored = client.get("/v1/articles", params={"limit": 10}).json()["items"]
            assert len(stored) == 5
            from sqlalchemy import func, select

            from app.models import Change, Event
            from app.services import summary

            with app.state.session_factory() as session:  # rows inserted in bulk are counted
                assert summary.stored(session) == summary.recount(session)
                events = session.scalar(select(func.count()).select_from(Event))
                fed = session.scalar(
                    select(func.count()).where(Change.kind == "event", Change.action == "created")
                )
                assert events == fed == 2 * 5  # five articles of two events each
            for item in stored:  # bulk-stored (both ways) and API-stored look the same
                if item["id"] != posted["id"]:
                    assert mentions(item["id"]) == mentions(posted["id"])
    finally:
        engine.dispose()


def _stored(cli_db: str) -> dict[str, dict]:
    engine = make_engine(cli_db)
    try:
        from fastapi.testclient import TestClient

        with TestClient(create_app(Settings(database_url=cli_db), engine=engine)) as client:
            items = client.get("/v1/articles", params={"limit": 100}).json()["items"]
            return {item["url"]: client.get(f"/v1/articles/{item['id']}").json() for item in items}
    finally:
        engine.dispose()


def test_ingest_splits_json_lines_at_newlines_only(cli_db: str, tmp_path: Path) -> None:
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    rows = [
        {"url": f"https://sep.example/{n}", "body": f"Chile and Peru met{sep}in Lima, line {n}."}
        for n, sep in enumerate("\u2028\u2029\x85")
    ]
    feed = tmp_path / "feed.jsonl"
    lines = [json.dumps(row, ensure_ascii=False).encode() for row in rows]
    lines.insert(1, b'{"url": "https://sep.example/latin", "body": "Bras\xedlia"}')  # not UTF-8
    lines.insert(3, b'{"url": "https://sep.example/ff", "body": "a\x0cb"}')
    lines += [b"", b" \t"]  # blank: no result
    feed.write_bytes(b"\r\n".join(lines) + b"\r\n")
    result = runner.invoke(cli, ["ingest", str(feed)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "feed.jsonl:2: rejected: not valid UTF-8 (byte 50)" in result.output
    assert "feed.jsonl:4: rejected: not JSON" in result.output
    assert "created 3" in result.output and "rejected 2" in result.output
    assert "5/5" in result.output  # the progress counts the lines it reads
    stored = _stored(cli_db)
    assert set(stored) == {row["url"] for row in rows}
    for row in rows:
        assert "in Lima" in stored[row["url"]]["body"]


def test_ingest_keeps_good_lines_whatever_fails_in_one(
    cli_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import StatementError

    import app.services.bulk as cli_module

    real, real_add = cli_module.create_article, cli_module.ArticleBatch.add

    def fail(url: str) -> None:
        if url.endswith("/bind"):
            raise StatementError("bind", "INSERT", {}, OverflowError("date value out of range"))
        if url.endswith("/bug"):
            raise KeyError("an unforeseen bug")

    def failing(session, *, data, **kwargs):  # type: ignore[no-untyped-def]
        outcome = real(session, data=data, **kwargs)  # stored, then undone by the savepoint
        fail(data.url)
        return outcome

    def failing_add(batch, data, prepared, **kwargs):  # type: ignore[no-untyped-def]
        outcome = real_add(batch, data, prepared, **kwargs)  # the chunk's pass, undone too
        fail(data.url)
        return outcome

    monkeypatch.setattr(cli_module, "create_article", failing)
    monkeypatch.setattr(cli_module.ArticleBatch, "add", failing_add)
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    rows = [
        {"url": "https://cal.example/1", "body": "Mali and Senegal signed a pact."},
        {"url": "https://cal.example/2", "body": "Chile and Peru met.",
         "published_at": "9999-12-31T23:59:59-14:00"},
        {"url": "https://cal.example/3", "body": "Chile and Peru met again.",
         "published_at": "0001-01-01T00:00:00-14:00"},
        {"url": "https://cal.example/bind", "body": "Chile and Peru met once more."},
        {"url": "https://cal.example/bug", "body": "Chile and Peru met yet again."},
        {"url": "https://cal.example/6", "body": "Chile and Peru met at last."},
    ]  # fmt: skip
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["ingest", str(feed)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "feed.jsonl:2: rejected: published_at:" in result.output
    assert "feed.jsonl:4: rejected: A value cannot be stored: date value out of range" in (
        result.output
    )
    assert "feed.jsonl:5: rejected: This article could not be stored" in result.output
    assert "created 3" in result.output and "rejected 3" in result.output
    stored = _stored(cli_db)
    assert set(stored) == {f"https://cal.example/{n}" for n in (1, 3, 6)}
    assert stored["https://cal.example/3"]["published_at"] == "0001-01-01T14:00:00Z"


@pytest.mark.parametrize(
    "command",
    [
        ["ingest", "PAGES"],
        ["reextract", "--stale"],
        ["reindex"],
        ["recluster"],
        ["keys", "list"],
        ["serve"],
    ],
)
def test_a_command_on_an_unmigrated_database_says_to_upgrade(
    cli_db: str, command: list[str]
) -> None:
    pages = str(Path(sample_path()).parent / "pages")
    result = runner.invoke(cli, [pages if word == "PAGES" else word for word in command])
    assert result.exit_code == 2, result.output
    assert "schema revision none (it is empty)" in result.output
    assert "run `defcoop db upgrade` first" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    with make_engine(cli_db).connect() as conn:  # nothing was written meanwhile
        assert migrate.current_revision(conn.engine) is None


def test_a_command_on_a_database_it_cannot_open_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.config import get_settings

    monkeypatch.setenv("DEFCOOP_DATABASE_URL", f"sqlite:///{tmp_path}/no/such/folder/x.db")
    get_settings.cache_clear()
    try:
        result = runner.invoke(cli, ["keys", "list"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "Cannot open the database" in result.output
