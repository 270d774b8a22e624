from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import app.models  # noqa: F401
from app import migrate
from app.db import Base, make_engine

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
                    "include_object": lambda obj, name, *_: not migrate.is_search_object(name),
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
