import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Select, inspect, text
from sqlalchemy.orm import Session

import app.models  # noqa: F401
from app import migrate
from app.db.base import Base
from app.db.session import make_engine
from app.kit.pagination import Keyset, paginate, parse_utc_datetime
from app.models import Article
from app.schemas.filters import ArticleFilters
from app.services.article import filtered_articles
from tests.helpers import ON_POSTGRES, ROOT

TABLES = {"source", "article", "entity", "entity_alias", "mention", "event", "event_participant"}


def test_upgrade_matches_models_and_downgrade_to_base(scratch_url: str) -> None:
    migrate.upgrade(scratch_url)
    engine = make_engine(scratch_url)
    try:
        assert set(inspect(engine).get_table_names()) >= TABLES
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_object": lambda obj, name, *_: not migrate.outside_models(name),
                },
            )
            diff = compare_metadata(context, Base.metadata)
        assert diff == [], diff
        assert migrate.current_revision(engine) == migrate.head_revision(scratch_url)
        migrate.downgrade(scratch_url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert migrate.current_revision(engine) is None
        migrate.upgrade(scratch_url)
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def _article_triggers(engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'article'"
        else:
            sql = (
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'article'::regclass"
                " AND NOT tgisinternal"
            )
        return {row[0] for row in conn.exec_driver_sql(sql)}


def _insert_article(engine: Engine) -> None:
    """One article row, written as SQL: the models may be ahead of the revision under test."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO article (title_is_derived, author, body, content_hash, word_count,"
                " created_at, updated_at) VALUES (false, 'Leyla Mammadli', 'Navy drills.',"
                " 'h1', 2, :now, :now)"
            ),
            {"now": datetime(2024, 3, 1, tzinfo=UTC)},
        )


def test_article_agency_migration_adds_and_drops_the_column(scratch_url: str) -> None:
    """0012 adds `agency` (NULL on rows already there) with its index; the downgrade drops both
    and keeps the rows. On SQLite neither rebuilds `article`, so its triggers stay."""
    before, after = "0011_entity_mention_count", "0012_article_agency"
    migrate.upgrade(scratch_url, before)
    engine = make_engine(scratch_url)
    try:
        _insert_article(engine)
        triggers = _article_triggers(engine)
        assert "agency" not in {c["name"] for c in inspect(engine).get_columns("article")}

        migrate.upgrade(scratch_url, after)
        assert migrate.current_revision(engine) == after
        assert "ix_article_agency" in {i["name"] for i in inspect(engine).get_indexes("article")}
        with engine.begin() as conn:
            assert conn.execute(text("SELECT author, agency FROM article")).one() == (
                "Leyla Mammadli",
                None,
            )
            conn.execute(text("UPDATE article SET agency = 'CDW'"))
            assert conn.execute(text("SELECT agency FROM article")).scalar_one() == "CDW"
        assert _article_triggers(engine) == triggers

        migrate.downgrade(scratch_url, before)
        assert migrate.current_revision(engine) == before
        assert "agency" not in {c["name"] for c in inspect(engine).get_columns("article")}
        assert "ix_article_agency" not in {
            i["name"] for i in inspect(engine).get_indexes("article")
        }
        with engine.connect() as conn:
            assert conn.execute(text("SELECT author, body FROM article")).one() == (
                "Leyla Mammadli",
                "Navy drills.",
            )
        assert _article_triggers(engine) == triggers
        migrate.upgrade(scratch_url)
        assert migrate.current_revision(engine) == migrate.head_revision(scratch_url)
    finally:
        engine.dispose()


def test_migration_files_sort_in_chain_order() -> None:
    """Each file is named YYYY-MM-DD_<revision>.py (alembic.ini's file_template), and its
    revision is NNNN_slug, so the files sort as the chain runs, base to head."""
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    chain = list(reversed(list(script.walk_revisions("base", "heads"))))
    assert len(script.get_heads()) == 1
    for number, revision in enumerate(chain, 1):
        assert re.fullmatch(rf"{number:04d}_[a-z0-9_]+", revision.revision), revision.revision
        assert re.fullmatch(
            rf"\d{{4}}-\d{{2}}-\d{{2}}_{revision.revision}\.py", Path(revision.path).name
        ), revision.path
    versions = Path(chain[0].path).parent
    assert [Path(r.path).name for r in chain] == sorted(p.name for p in versions.glob("*.py"))


_UPGRADE_WHEN_TOLD = """
import sys, time
from pathlib import Path
from app import migrate
url, ready, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
ready.touch()
while not go.exists():
    time.sleep(0.005)
migrate.upgrade(url)
print("upgraded")
"""


def test_concurrent_upgrades_wait_for_each_other(scratch_url: str, tmp_path: Path) -> None:
    """Two processes upgrading a fresh database at the same moment (replicas starting
    together): both succeed, one migrating and the other finding it done, with no error over
    a table created twice."""
    root = ROOT
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    go = tmp_path / "go"
    readies = [tmp_path / f"ready{n}" for n in range(2)]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _UPGRADE_WHEN_TOLD, scratch_url, str(ready), str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for ready in readies
    ]
    try:
        deadline = time.monotonic() + 60
        while not all(r.exists() for r in readies) and time.monotonic() < deadline:
            assert all(child.poll() is None for child in children)
            time.sleep(0.01)
        go.touch()
        results = [child.communicate(timeout=180) for child in children]
    finally:
        for child in children:
            child.kill()
    for child, (out, err) in zip(children, results, strict=True):
        assert child.returncode == 0 and "upgraded" in out, err
    engine = make_engine(scratch_url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision(scratch_url)
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_extractor_version_migration_widens_the_column_in_place(scratch_url: str) -> None:
    """0014 lets `extractor_version` hold 255 characters. On SQLite it does not rebuild
    `article`: its triggers and rows stay, and the mentions that cascade from it too."""
    before, after = "0013_entity_country", "0014_extractor_version"
    migrate.upgrade(scratch_url, before)
    engine = make_engine(scratch_url)
    try:
        _insert_article(engine)
        triggers = _article_triggers(engine)
        migrate.upgrade(scratch_url, after)
        width = next(
            c["type"].length
            for c in inspect(engine).get_columns("article")
            if c["name"] == "extractor_version"
        )
        assert width == 255
        assert _article_triggers(engine) == triggers
        with engine.begin() as conn:
            conn.execute(text("UPDATE article SET extractor_version = :v"), {"v": "r" * 200})
            assert conn.execute(text("SELECT extractor_version FROM article")).scalar_one() == (
                "r" * 200
            )
        migrate.downgrade(scratch_url, before)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT extractor_version FROM article")).scalar_one() == (
                "r" * 64
            )
        assert _article_triggers(engine) == triggers
        migrate.upgrade(scratch_url)
    finally:
        engine.dispose()


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite's own index serves the order already")
def test_a_newest_first_list_walks_an_index_on_postgresql(session: Session) -> None:
    """The first page of a newest-first list (the API's own statement) reads
    ix_article_newest in order, rather than sorting the table; seq scans are priced out so
    that the few rows of a test database do not make a scan the cheaper plan."""
    captured: list[Select[Any]] = []

    def capture(stmt: Select[Any]) -> list[Any]:
        captured.append(stmt)
        return []

    keyset = Keyset.by("-published_at", Article.published_at, Article.id, parse_utc_datetime)
    paginate(filtered_articles(ArticleFilters()), keyset=keyset, limit=20, cursor=None, run=capture)
    sql = str(captured[0].compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(session.scalars(text(f"EXPLAIN {sql}")))
    assert "ix_article_newest" in plan, plan
    assert "Sort" not in plan, plan
