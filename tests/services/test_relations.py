"""The relations services without HTTP: dyad counts and rankings, timelines and graphs, each
answered both from the trigger-kept counts and from the rows, on a known fixture."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.errors import InvalidParameter
from app.schemas.filters import ArticleFilters, EventFilters, EventScope
from app.schemas.relations import Interval, Unit
from app.services import dyads, graph, timeline
from app.taxonomy import EventStatus, EventType
from tests.factories import RELATIONS_EVENTS as EVENTS
from tests.factories import create


@pytest.fixture
def stored(client: TestClient) -> None:
    for n, events in enumerate(EVENTS, 1):
        create(client, n, events=events)


def test_dyad_counts_from_counts_and_from_rows(session: Session, stored: None) -> None:
    whole = dyads.dyad_counts(session, "AZE", "TUR", directed=False, scope=EventScope())
    assert whole.total == 4
    assert whole.by_type == {"agreement": 2, "exercise": 1, "visit": 1}
    assert [(y["year"], y["count"]) for y in whole.by_year] == [(1992, 1), (2023, 1), (2024, 2)]
    # 2 January: not a whole year, so the events themselves are counted
    part = EventScope(date_from=date(2023, 1, 2), date_to=date(2024, 12, 31))
    years = EventScope(date_from=date(2023, 1, 1), date_to=date(2024, 12, 31))
    from_rows = dyads.dyad_counts(session, "AZE", "TUR", directed=False, scope=part)
    from_counts = dyads.dyad_counts(session, "AZE", "TUR", directed=False, scope=years)
    assert from_rows == from_counts and from_rows.total == 3
    assert dyads.dyad_counts(session, "AZE", "TUR", directed=True, scope=EventScope()).total == 0


def test_partners_rank_and_page_on_their_order(session: Session, stored: None) -> None:
    everything, end = dyads.partners(session, code=None, scope=EventScope(), limit=None)
    assert end is None
    assert [(p.a, p.b, p.events) for p in everything] == [
        ("AZE", "TUR", 4),
        ("AZE", "GEO", 2),
        ("GEO", "TUR", 1),
        ("KOR", "POL", 1),
    ]
    seen, cursor = dyads.partners(session, code=None, scope=EventScope(), limit=1)
    while cursor:
        page, cursor = dyads.partners(
            session, code=None, scope=EventScope(), limit=1, cursor=cursor
        )
        assert len(page) == 1
        seen += page
    assert seen == everything
    of_aze, _ = dyads.partners(session, code="AZE", scope=EventScope(), limit=10)
    assert [(p.a, p.b, p.by_type) for p in of_aze] == [
        ("AZE", "TUR", {"agreement": 2, "exercise": 1, "visit": 1}),
        ("AZE", "GEO", {"exercise": 1, "meeting": 1}),
    ]
    for forged in ("garbage", "WyJwYWlycyIsMSwiYXplIiwiVFVSIl0"):  # lower-case code
        with pytest.raises(InvalidParameter):
            dyads.partners(session, code=None, scope=EventScope(), limit=1, cursor=forged)


def test_timeline_from_counts_equals_timeline_from_rows(session: Session, stored: None) -> None:
    def buckets(filters: EventFilters) -> list[tuple[str, int, dict[str, int] | None]]:
        found = timeline.timeline(
            session, unit=Unit.events, filters=filters, interval=Interval.year, group_by_type=True
        )
        return [(b.start, b.count, b.by_type) for b in found]

    counted = buckets(EventFilters(date_from=date(2022, 1, 1)))
    assert counted == [
        ("2022-01-01", 0, {}),
        ("2023-01-01", 2, {"exercise": 1, "meeting": 1}),
        ("2024-01-01", 3, {"agreement": 1, "arms_transfer": 1, "visit": 1}),
    ]
    # a status narrows nothing here, but it makes the service read the rows
    rows = buckets(EventFilters(date_from=date(2022, 1, 1), status=EventStatus.reported))
    assert rows == counted
    of_aze = buckets(EventFilters(country=("AZE",), type=EventType.agreement))
    # from the rows (a state), zero-filled over the data's own span
    assert [(start, count) for start, count, _ in of_aze] == [
        (f"{y}-01-01", int(y in (1992, 2024))) for y in range(1992, 2025)
    ]


def test_article_timelines_and_their_rules(session: Session, stored: None) -> None:
    every = timeline.timeline(
        session,
        unit=Unit.articles,
        filters=ArticleFilters(),
        interval=Interval.day,
        group_by_type=False,
    )
    assert [(b.start, b.count, b.by_type) for b in every] == [
        ("2024-03-01", 1, None),
        ("2024-03-02", 1, None),
        ("2024-03-03", 1, None),
    ]
    searched = timeline.timeline(
        session,
        unit=Unit.articles,
        filters=ArticleFilters(dyad=("AZE", "GEO")),
        interval=Interval.day,
        group_by_type=False,
        q="story",
    )
    assert [(b.start, b.count) for b in searched] == [("2024-03-02", 1)]
    with pytest.raises(InvalidParameter) as raised:
        timeline.timeline(
            session,
            unit=Unit.articles,
            filters=ArticleFilters(),
            interval=Interval.day,
            group_by_type=True,
        )
    assert [e["field"] for e in raised.value.errors] == ["group_by"]


def test_graph_from_pair_counts_equals_graph_from_rows(session: Session, stored: None) -> None:
    def edges(filters: EventFilters, unit: Unit = Unit.events) -> dict[tuple[str, str], int]:
        found = graph.graph(
            session, unit=unit, kinds=("country",), filters=filters, min_weight=1, limit=200
        )
        codes = {n.id: n.code for n in found.nodes}
        assert all(n.kind == "country" for n in found.nodes)
        pairs = {}
        for e in found.edges:
            first, second = sorted((str(codes[e.source]), str(codes[e.target])))
            pairs[(first, second)] = e.weight
        return pairs

    counted = edges(EventFilters())
    assert counted == {("AZE", "TUR"): 4, ("AZE", "GEO"): 2, ("GEO", "TUR"): 1, ("KOR", "POL"): 1}
    assert edges(EventFilters(date_from=date(1, 1, 2))) == counted  # rows: not a whole year
    # shared articles: article 3 (the only arms transfer) names AZE and TUR only
    assert edges(EventFilters(type=EventType.arms_transfer), Unit.articles) == {("AZE", "TUR"): 1}
