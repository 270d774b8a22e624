"""`defcoop ingest --workers N`: extraction in worker processes, one writer, the same results."""

import gc
import json
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app import migrate
from app.cli import cli
from app.cli.ingest import ingest_paths
from app.config import Settings, get_settings
from app.db.session import make_engine, make_session_factory
from app.errors import AppError
from app.kit.collector import BULK_THRESHOLDS
from app.models import Article, Event, Mention
from app.schemas.article import ArticleCreate
from app.services.ingest import Prepared
from app.services.workers import extraction_pool, prepare_many
from tests.helpers import ON_POSTGRES

runner = CliRunner()

PAIRS = [("Chile", "Peru"), ("Norway", "Denmark"), ("Kenya", "Uganda"), ("Japan", "India")]


def _feed(path: Path, count: int) -> Path:
    lines = []
    for n in range(count):
        one, other = PAIRS[n % len(PAIRS)]
        body = (
            f"{one} and {other} signed a defence cooperation agreement in the capital on"
            f" 3 May 2021, line {n}. The defence ministers of {one} and {other} also held"
            " talks on joint naval exercises."
        )
        lines.append(json.dumps({"url": f"https://w.example/{n}", "body": body}))
        if n == 5:
            lines.append("{not json")
        if n == 7:
            lines.append(json.dumps({"url": "https://w.example/blank", "body": "   "}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stored(url: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            rows: list[tuple[object, ...]] = []
            for article in session.scalars(select(Article).order_by(Article.url)):
                mentions = sorted(
                    (m.start, m.end, m.surface, m.entity.name, m.entity.kind)
                    for m in session.scalars(
                        select(Mention).where(Mention.article_id == article.id)
                    )
                )
                events = sorted(
                    (e.type, e.date_start, e.evidence_start, tuple(sorted(
                        (p.entity.name, p.role) for p in e.participants
                    )))
                    for e in session.scalars(select(Event).where(Event.article_id == article.id))
                )  # fmt: skip
                rows.append((article.url, article.extractor_version, mentions, events))
            return rows
    finally:
        engine.dispose()


def test_workers_store_what_one_process_stores(tmp_path: Path) -> None:
    feed = _feed(tmp_path / "feed.jsonl", 30)
    stored = {}
    for workers in (0, 2):
        url = f"sqlite:///{tmp_path / f'w{workers}.db'}"
        migrate.upgrade(url)
        settings = Settings(database_url=url, search_index="off")
        # batch 8: several chunks, some extracted while one is stored
        summary = ingest_paths(settings, [feed], show_progress=False, batch=8, workers=workers)
        assert summary.counts["created"] == 30 and summary.counts["rejected"] == 2
        assert any(":7: rejected: not JSON" in p for p in summary.problems), summary.problems
        assert any(":10: rejected: The page holds no article text" in p for p in summary.problems)
        stored[workers] = _stored(url)
        again = ingest_paths(settings, [feed], show_progress=False, batch=8, workers=workers)
        assert again.counts["skipped (url already stored)"] == 30  # resumes: known urls skipped
    assert stored[0] == stored[2]
    assert all(mentions and events for _url, _version, mentions, events in stored[2])


def test_the_cli_takes_workers(
    scratch_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEFCOOP_DATABASE_URL", scratch_url)
    get_settings.cache_clear()
    try:
        assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
        feed = _feed(tmp_path / "feed.jsonl", 6)
        result = runner.invoke(cli, ["ingest", str(feed), "--workers", "2"])
        assert result.exit_code == 1, result.output  # the bad line
        assert "created 6" in result.output and "rejected 1" in result.output, result.output
    finally:
        get_settings.cache_clear()


def test_a_workers_errors_travel_back_as_the_lines_problem() -> None:
    good = ArticleCreate(body="Chile and Peru held naval talks on Monday.")
    empty = ArticleCreate(body="   ")
    done = prepare_many([good, empty], budget_s=5.0, spacy_model=None)
    assert isinstance(done[0], Prepared)
    back = pickle.loads(pickle.dumps(done[1]))
    assert isinstance(back, AppError) and back.status == 422
    assert back.errors == [{"field": "text", "in": "body", "message": "no article text"}]


def test_a_pool_of_one_is_no_pool() -> None:
    with extraction_pool(1) as pool:
        assert pool is None
    with extraction_pool(2) as pool:
        assert pool is not None
        assert pool.submit(sum, [1, 2]).result() == 3
        # a worker keeps what it inherited frozen and collects its young objects less often
        assert pool.submit(gc.get_threshold).result() == BULK_THRESHOLDS
        assert pool.submit(gc.get_freeze_count).result() > 0
    assert gc.get_freeze_count() == 0  # the writer's collector walks everything again


@pytest.mark.slow
@pytest.mark.skipif(ON_POSTGRES, reason="about the SQLite file")
def test_ctrl_c_with_workers_leaves_whole_chunks_and_no_workers(tmp_path: Path) -> None:
    source = tmp_path / "bulk.jsonl"
    with source.open("w") as sink:
        for n in range(3000):
            one, other = PAIRS[n % len(PAIRS)]
            body = f"{one} and {other} held naval talks on 3 May 2021 in the capital, take {n}."
            sink.write(json.dumps({"url": f"https://c.example/{n}", "body": body}) + "\n")
    db = tmp_path / "interrupted.db"
    url = f"sqlite:///{db}"
    migrate.upgrade(url)
    env = {**os.environ, "DEFCOOP_DATABASE_URL": url, "DEFCOOP_SEARCH_INDEX": "off"}
    command = [str(Path(sys.executable).parent / "defcoop"), "ingest", str(source)]
    process = subprocess.Popen(
        [*command, "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.2)
        with sqlite3.connect(db) as conn:
            if conn.execute("SELECT count(*) FROM article").fetchone()[0] >= 400:
                break
    workers = _children(process.pid)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode != 0
    assert b"BrokenProcessPool" not in stderr, stderr[-2000:]
    time.sleep(1.5)
    assert workers and not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = conn.execute("SELECT count(*) FROM article").fetchone()[0]
        assert stored % 200 == 0 and 400 <= stored < 3000, stored  # whole chunks only
        partial = conn.execute(
            "SELECT count(*) FROM article a WHERE NOT EXISTS"
            " (SELECT 1 FROM mention m WHERE m.article_id = a.id)"
        ).fetchone()[0]
        assert partial == 0
    resumed = subprocess.run(
        [*command, "--workers", "2"], env=env, capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"skipped (url already stored) {stored}" in resumed.stderr + resumed.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(DISTINCT url) FROM article").fetchone()[0] == 3000


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in found.read_text().split()] if found.exists() else []


def test_an_ingest_leaves_sqlite_the_planner_statistics_of_what_it_loaded(tmp_path: Path) -> None:
    # (PostgreSQL's, kept as a load grows, are tests/db/test_statistics.py's)
    url = f"sqlite:///{tmp_path / 'analyzed.db'}"
    migrate.upgrade(url)
    settings = Settings(database_url=url, search_index="off")
    ingest_paths(settings, [_feed(tmp_path / "feed.jsonl", 6)], show_progress=False, workers=0)
    with sqlite3.connect(tmp_path / "analyzed.db") as db:
        tables = {row[0] for row in db.execute("SELECT tbl FROM sqlite_stat1")}
    assert {"article", "mention", "event"} <= tables
