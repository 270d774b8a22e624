"""Alembic, driven from code: used by the CLI, /readyz and the tests."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine


def _script_location() -> Path:
    packaged = Path(__file__).parent / "_migrations"  # a wheel install (see pyproject)
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "migrations"  # a source checkout


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_script_location()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_search_object(name: str | None) -> bool:
    """Names of the full-text objects that live outside the ORM models (see 0003_search_index)."""
    return bool(name) and (
        str(name).startswith("article_fts")
        or str(name) in {"search_vector", "ix_article_search_vector"}
    )
