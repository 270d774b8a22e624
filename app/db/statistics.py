"""Planner statistics kept current through a bulk load (PostgreSQL; SQLite at its end).

PostgreSQL plans from statistics that ANALYZE gathers. A new database has none, and autovacuum,
where it runs at all, analyses a table a minute or more after it has grown: a load into an empty
database is planned all along as if its tables were empty, and some plans then read whole tables
for each article (the copy check and the linker's reads of mentions: 170 ms a chunk at 15,000
articles, growing with the table; issue 16, part 4). So a bulk load analyses, after a chunk
commits, each table that has changed by half since its last statistics: a few times a table
over any load (each time it grows by half), each ANALYZE a bounded sample.

A GIN index (the full-text one) takes new entries into a pending list that every search reads
through until VACUUM merges it, which autovacuum does and a manual ANALYZE does not: 223 pages
after a load of 20,000 articles, 4 ms of each rare-term search (0.1 ms merged). So a load ends
by merging them (`settle`).
"""

from sqlalchemy import text
from sqlalchemy.orm import Session

# what a load writes, and later reads or joins
LOADED = (
    "article",
    "article_band",
    "mention",
    "entity",
    "entity_alias",
    "event",
    "event_participant",
    "happening",
    "happening_state",
    "pair_event",
    "pair_year_count",
    "entity_year_count",
    "event_day_count",
    "change",
)
GROWTH = 0.5  # analyse once changes pass this share of the rows the statistics know of
SMALL = 500  # ... and at least this many (reltuples is -1, or 0, before the first ANALYZE)

_STALE = text(
    "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
    " WHERE s.schemaname = current_schema() AND s.relname = ANY(:tables)"
    " AND s.n_mod_since_analyze > greatest(c.reltuples, 0) * :growth + :small"
    " ORDER BY s.relname"
)


_GIN = text(
    "SELECT i.indexrelid::regclass::text FROM pg_index i"
    " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam"
    " WHERE am.amname = 'gin' AND i.indrelid::regclass::text = ANY(:tables)"
    " ORDER BY 1"
)


def settle(session: Session) -> list[str]:
    """After a load: merge the pending entries of the loaded tables' GIN indexes, and analyse
    what grew; the names of both. On SQLite, ANALYZE the database (about 1 s at 100,000
    articles): without statistics its planner walked an index that every article matched and
    sorted them all for the newest page of /v1/articles (154 ms at 100,000; 0.01 ms after)."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(text("ANALYZE"))
        return ["sqlite_stat1"]
    indexes = list(session.scalars(_GIN, {"tables": list(LOADED)}))
    for name in indexes:
        session.execute(text("SELECT gin_clean_pending_list(CAST(:index AS regclass))"), {"index": name})  # fmt: skip
    return indexes + analyze_grown(session)


def analyze_grown(session: Session) -> list[str]:
    """ANALYZE the loaded tables that changed by more than GROWTH since their statistics; their
    names. Nothing on SQLite, which plans these statements by their indexes."""
    if session.get_bind().dialect.name != "postgresql":
        return []
    stale = list(
        session.scalars(_STALE, {"tables": list(LOADED), "growth": GROWTH, "small": SMALL})
    )
    for name in stale:  # names from LOADED only, never from input
        session.execute(text(f'ANALYZE "{name}"'))
    return stale
