"""A bulk load keeps PostgreSQL's planner statistics current: tables it grew are analysed."""

import time
from datetime import UTC, datetime

from sqlalchemy import insert, text

from app import migrate
from app.db.session import make_engine, make_session_factory, session_scope
from app.db.statistics import SMALL, analyze_grown, settle
from app.models import Change

MODIFIED = "SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 'change'"


def test_tables_grown_past_their_statistics_are_analysed_once(scratch_url: str) -> None:
    migrate.upgrade(scratch_url)
    engine = make_engine(scratch_url)
    factory = make_session_factory(engine)
    try:
        with session_scope(factory) as session:
            assert analyze_grown(session) == []  # a new, empty database: nothing grew
            now = datetime.now(UTC)
            rows = [{"at": now, "kind": "article", "object_id": n, "action": "created"}
                    for n in range(SMALL * 2)]  # fmt: skip
            session.execute(insert(Change), rows)
        if engine.dialect.name != "postgresql":
            with session_scope(factory) as session:
                assert analyze_grown(session) == []  # SQLite plans these by their indexes
            return
        with engine.connect() as connection:  # counts reach the statistics views when flushed
            connection.execute(text("SELECT pg_stat_force_next_flush()"))
            connection.commit()
        seen = 0
        for _ in range(50):
            with session_scope(factory) as session:
                seen = session.scalar(text(MODIFIED))
            if seen and seen >= SMALL * 2:
                break
            time.sleep(0.1)
        assert seen and seen >= SMALL * 2
        with session_scope(factory) as session:
            assert analyze_grown(session) == ["change"]
        with session_scope(factory) as session:
            analysed = session.scalar(
                text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'change'")
            )
            assert analysed is not None
            assert analyze_grown(session) == []  # until it grows by half again
    finally:
        engine.dispose()


def test_a_load_ends_with_the_search_index_merged(scratch_url: str) -> None:
    migrate.upgrade(scratch_url)
    engine = make_engine(scratch_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            merged = settle(session)
        postgres = engine.dialect.name == "postgresql"
        assert merged == (["ix_article_search_vector"] if postgres else ["sqlite_stat1"])
    finally:
        engine.dispose()
