"""Settings, read from DEFCOOP_* environment variables and an optional .env file."""

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from limits import parse
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url


class Settings(BaseSettings):
    @field_validator("rate_limit_reads", "rate_limit_writes")
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError as error:
            raise ValueError("must read like 100/minute or 10/second") from error
        return value

    @field_validator("database_replica_urls", mode="before")
    @classmethod
    def _replica_list(cls, value: Any) -> Any:
        # the environment gives a string: a JSON list, or urls separated by commas
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [url.strip() for url in text.split(",") if url.strip()]
        return value

    @model_validator(mode="after")
    def _replicas_of_postgresql(self) -> Self:
        urls = [self.database_url, *self.database_replica_urls]
        if self.database_replica_urls and not all(u.startswith("postgresql") for u in urls):
            raise ValueError(
                "database_replica_urls: read replicas need PostgreSQL, for the database and "
                "each replica (postgresql+psycopg://...)"
            )
        return self

    model_config = SettingsConfigDict(env_prefix="DEFCOOP_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./defcoop.db",
        description="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user@host/db",
    )
    database_replica_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Streaming replicas of the PostgreSQL database that serve reads (a JSON list "
        "or urls separated by commas); writes, and reads that send a newer X-Commit-Token than "
        "a replica has replayed, go to database_url",
    )
    database_prepared_statements: bool = Field(
        default=True,
        description="PostgreSQL prepares statements that repeat on a connection; set false "
        "behind a pooler in transaction mode that does not keep them (PgBouncer before 1.21)",
    )
    replica_max_lag_seconds: float = Field(
        default=10.0,
        gt=0,
        description="A replica further behind the primary than this serves no reads",
    )
    replica_check_interval_s: float = Field(
        default=1.0,
        gt=0,
        description="How often each replica's health and lag are checked (in the background)",
    )
    replica_connect_timeout_s: int = Field(
        default=2,
        ge=1,
        description="Longest wait to connect to a replica (libpq's minimum is 2 s)",
    )
    host: str = Field(default="127.0.0.1", description="Address `defcoop serve` binds to")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `defcoop serve` binds to")
    max_body_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, description="Largest request body accepted (413 above)"
    )
    max_extract_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest body POST /v1/extract accepts (413 above): it needs no key",
    )
    max_bulk_lines: int = Field(
        default=10_000, ge=1, description="Most lines one POST /v1/articles/bulk may carry"
    )
    page_size_default: int = Field(default=20, ge=1, le=100, description="Default `limit`")
    page_size_max: int = Field(default=100, ge=1, le=1000, description="Largest `limit`")
    sqlite_busy_timeout_ms: int = Field(
        default=30_000, ge=0, description="How long SQLite waits on a locked database"
    )
    extraction_budget_s: float = Field(
        default=10.0,
        gt=0,
        description="Seconds extraction may take per article before it is skipped",
    )
    ingest_workers: int | None = Field(
        default=None,
        ge=0,
        description="Processes `defcoop ingest` extracts in (0 or 1: in its own process; "
        "unset: one per CPU, in-process for an input of one chunk)",
    )
    bulk_workers: int | None = Field(
        default=0,
        ge=0,
        description="Processes POST /v1/articles/bulk extracts in, for a request of more than "
        "one chunk (0 or 1: in the request's thread; unset: one per CPU); started on first "
        "use. Off by default: it pays only where the server has cores to spare",
    )
    spacy_model: str | None = Field(
        default=None, description="Optional installed spaCy pipeline that adds names the rules miss"
    )
    search_total_cap: int = Field(
        default=10_000, ge=1, description="Search counts matches exactly up to this many"
    )
    search_time_limit_s: float = Field(
        default=5.0, gt=0, description="Longest a search may run before it is stopped (503)"
    )
    search_index: Literal["auto", "off"] = Field(
        default="auto",
        description="auto: rank with the top-k index (beside a SQLite file; on PostgreSQL when "
        "DEFCOOP_SEARCH_INDEX_DIR is set); off: the database's own full-text index only",
    )
    search_index_dir: str | None = Field(
        default=None,
        description="Where the top-k index lives (default: <database file>.search on SQLite; "
        "none on PostgreSQL): a directory of each node's own, never one shared by nodes",
    )
    search_index_poll_s: float = Field(
        default=0.25,
        gt=0,
        le=60,
        description="On PostgreSQL, how often a node's index looks for new changes",
    )
    require_read_key: bool = Field(
        default=False, description="Reads need an API key too (writes always do)"
    )
    db_time_limit_s: float = Field(
        default=20.0, gt=0, description="Longest a request's database work may take (then 503)"
    )
    rate_limit_reads: str = Field(
        default="600/minute",
        description="Reads allowed per key (or client address), e.g. 100/second",
    )
    rate_limit_writes: str = Field(default="120/minute", description="Writes allowed per key")
    cache_control: str = Field(
        default="public, max-age=0, must-revalidate",
        description="Cache-Control on JSON GET responses (each also has an ETag)",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Origins allowed to call from browsers, e.g. ["https://app.example"]',
    )
    gzip_min_bytes: int = Field(
        default=1000, ge=0, description="Gzip responses at least this large"
    )
    log_level: str = Field(default="info", description="uvicorn log level")
    cursor_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs cursors (default: a fixed one: a cursor's values are "
        "checked whatever the key); set it, the same on every server of one database, to make "
        "cursors unforgeable",
    )

    def topk_directory(self) -> Path | None:
        """The top-k search index's directory, or None where it is not used."""
        if self.search_index == "off":
            return None
        return index_directory(self.database_url, self.search_index_dir)


@lru_cache(maxsize=64)  # asked on every search: parsing the URL each time cost 10 us
def index_directory(database_url: str, configured: str | None) -> Path | None:
    """Where the index of this database lives: `<file>.search/` beside a SQLite file, the
    configured directory on PostgreSQL (none unless one is: a node's own disk)."""
    url = make_url(database_url)
    if configured:
        return Path(configured)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        return None
    return Path(url.database + ".search")


@lru_cache
def get_settings() -> Settings:
    """Return the process settings (read once; tests build their own Settings)."""
    return Settings()
