"""The search backends through their one interface, the facets described as data, and the
one timeout classifier."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.db.limits import is_timeout, time_limit
from app.errors import ServiceUnavailable
from app.models import Article
from app.schemas.filters import ArticleFilters, ArticleListFilters
from app.search.backends import Filtered, Paging, Query, SearchBackend, SqlBackend, TopKBackend
from app.search.engines import engine_for
from app.search.facets import FACETS, Facet, ranked
from app.search.query import parse
from app.search.topk import TopKIndex
from app.services.article_filters import apply_filters
from app.services.search import to_topk
from app.services.search_index import catch_up
from app.taxonomy import EventType
from tests.factories import create

# --- facets as data ---------------------------------------------------------------------------


def test_every_facet_has_one_spec_whose_statement_compiles_on_both_dialects() -> None:
    assert set(FACETS) == set(Facet)
    ids = select(Article.id)
    for facet, spec in FACETS.items():
        for name, dialect in (("sqlite", sqlite.dialect()), ("postgresql", postgresql.dialect())):
            sql = str(spec.statement(name, ids, 10).compile(dialect=dialect))
            assert "GROUP BY" in sql and "count(DISTINCT" in sql, (facet, sql)
    year = str(FACETS[Facet.year].statement("sqlite", ids, 5).compile(dialect=sqlite.dialect()))
    assert "strftime" in year and "published_at IS NOT NULL" in year


def test_facet_counts_are_truncated_at_their_size_and_countries_labelled() -> None:
    spec = FACETS[Facet.country]
    assert spec.counts([("TUR", 3), ("AZE", 2), ("GEO", 1)], 2) == {
        "values": [
            {"value": "TUR", "count": 3, "label": "Turkey"},
            {"value": "AZE", "count": 2, "label": "Azerbaijan"},
        ],
        "truncated": True,
    }
    assert FACETS[Facet.year].counts([("2024", 2)], 2) == {
        "values": [{"value": "2024", "count": 2}],
        "truncated": False,
    }
    # values counted elsewhere are put in the statement's order: most frequent, then by value
    assert ranked([("b", 1), ("c", 2), ("a", 1), ("d", 1)], 2) == [("c", 2), ("a", 1), ("b", 1)]


# --- the backends through the protocol --------------------------------------------------------

BODIES = [
    ("Frigate order", "Turkey orders a frigate from the yard in Baku."),
    ("Second frigate", "A second frigate and a corvette for the navy."),
    ("Drone talks", "Ministers discussed drones and training in Ankara."),
    ("Frigate drills", "The new frigate held drills with the navy."),
    ("Corvette trials", "A corvette began sea trials."),
]


@pytest.fixture
def stored(client: TestClient) -> list[int]:
    made = []
    for n, (title, body) in enumerate(BODIES, 1):
        events = [{"type": "visit" if n % 2 else "training", "countries": ["AZE", "TUR"]}]
        made.append(create(client, n, title=title, body=body, events=events)["id"])
    return made


def _backends(session: Session, tmp_path: Path) -> list[SearchBackend]:
    backends: list[SearchBackend] = [SqlBackend(engine_for(session))]
    if session.get_bind().dialect.name == "sqlite":
        index = TopKIndex(tmp_path / "index")
        assert catch_up(session, index)
        backends.append(TopKBackend(index))
    return backends


def _filtered(session: Session, filters: ArticleFilters) -> Filtered:
    return Filtered(apply_filters(select(Article.id), filters), to_topk(session, filters))


CASES: list[tuple[str, ArticleFilters]] = [
    ("frigate", ArticleFilters()),
    ("frigate OR corvette", ArticleFilters()),
    ("frigate -corvette", ArticleFilters()),
    ("navy", ArticleFilters(event_type=EventType.visit)),
    ("frigate", ArticleFilters(countries=("AZE",), source="Test Wire")),
    ("frigat*", ArticleFilters(dyad=("TUR", "AZE"))),
]


def _all_ids(backend: SearchBackend, session: Session, query: Query, filtered: Filtered) -> Any:
    seen: list[int] = []
    page = backend.search(session, query, filtered, "-published_at", Paging(limit=2))
    first = page
    seen += [i for i, _ in page.ranked]
    while page.next_cursor:
        paging = Paging(limit=2, cursor=page.next_cursor)
        page = backend.search(session, query, filtered, "-published_at", paging)
        seen += [i for i, _ in page.ranked]
    return seen, first


def test_the_backends_agree_on_ids_totals_and_facets(
    stored: list[int], session: Session, tmp_path: Path
) -> None:
    backends = _backends(session, tmp_path)
    for q, filters in CASES:
        query, filtered = Query(tree=parse(q)), _filtered(session, filters)
        answers = []
        for backend in backends:
            ids, first = _all_ids(backend, session, query, filtered)
            assert len(ids) == len(set(ids)) == first.total, (backend.name, q)
            relevance = backend.search(session, query, filtered, "relevance", Paging(limit=10))
            faceted = backend.facets(session, query, filtered, [Facet.country, Facet.year], 5)
            top = backend.top(session, query, filtered, 10)
            assert {i for i, _ in top} == {i for i, _ in relevance.ranked} == set(ids)
            answers.append((ids, first.total, faceted.values))
        assert all(answer == answers[0] for answer in answers), (q, filters)
    assert answers[0][0], "the last case matches something"


def test_a_page_asked_with_facets_counts_them_the_same_way(
    stored: list[int], session: Session, tmp_path: Path
) -> None:
    query, filtered = Query(tree=parse("frigate")), _filtered(session, ArticleFilters())
    paging = Paging(limit=1, facets=(Facet.event_type, Facet.source), facet_size=1)
    for backend in _backends(session, tmp_path):
        page = backend.search(session, query, filtered, "relevance", paging)
        alone = backend.facets(session, query, filtered, paging.facets, 1)
        assert page.facets == alone.values and page.total == 3, backend.name
        assert page.facets["event_type"] == {
            "values": [{"value": "training", "count": 2}],
            "truncated": True,
        }


def test_the_index_takes_no_filter_it_does_not_hold(session: Session) -> None:
    assert to_topk(session, ArticleFilters(agency="AA")) is None
    assert to_topk(session, ArticleListFilters(dyad=("AZE", "TUR"), directed=True)) is None
    converted = to_topk(session, ArticleFilters(dyad=("TUR", "AZE"), lang="en"))
    assert converted is not None and converted.dyad == "AZE-TUR" and converted.lang == "en"


# --- one timeout classifier -------------------------------------------------------------------


class _Canceled(Exception):
    sqlstate = "57014"


def test_one_classifier_says_what_the_time_limit_stopped() -> None:
    assert is_timeout(OperationalError("SELECT", {}, Exception("interrupted")))
    assert is_timeout(OperationalError("SELECT", {}, _Canceled("canceling statement")))
    assert not is_timeout(OperationalError("SELECT", {}, Exception("database is locked")))
    assert not is_timeout(ValueError("interrupted"))
    # SQLite rolled the transaction back on the interrupt: the savepoint's rollback then fails
    try:
        try:
            raise OperationalError("SELECT", {}, Exception("interrupted"))
        except OperationalError:
            raise OperationalError("ROLLBACK TO", {}, Exception("no such savepoint")) from None
    except OperationalError as after:
        assert after.__cause__ is None and is_timeout(after)


def test_a_stopped_statement_leaves_the_limit_as_a_503(session: Session) -> None:
    stopping = time_limit(session, 5.0, detail="too slow", retry_after=1)
    with pytest.raises(ServiceUnavailable) as stopped, stopping:
        raise OperationalError("SELECT", {}, Exception("interrupted"))
    assert stopped.value.detail == "too slow" and stopped.value.headers == {"Retry-After": "1"}
    # not a time limit: the database's own failure
    with pytest.raises(OperationalError), time_limit(session, 5.0):
        raise OperationalError("SELECT", {}, Exception("database is locked"))
    with pytest.raises(ServiceUnavailable), time_limit(session, 0.0) as check:
        check()  # work between statements is checked against the same deadline


def test_the_databases_own_stop_is_recognised(session: Session) -> None:
    """A real statement past its limit, on the database under test: PostgreSQL cancels it
    (statement_timeout), SQLite's progress handler interrupts it."""
    slow = (
        "SELECT pg_sleep(2)"
        if session.get_bind().dialect.name == "postgresql"
        else "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT count(*) FROM n"
    )
    with pytest.raises(ServiceUnavailable) as stopped, time_limit(session, 0.05):
        session.execute(text(slow))
    assert is_timeout(stopped.value.__cause__)
