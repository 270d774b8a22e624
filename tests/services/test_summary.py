"""The trigger-kept counts agree with a recount after every kind of write, on both databases,
and the answers read from them equal the answers counted from the rows."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from app import migrate
from app.config import Settings
from app.db.session import make_engine, make_session_factory
from app.models import Entity, Event, EventParticipant
from app.schemas.filters import Count
from app.services import summary
from tests.factories import article_payload, create

DB = tuple[Settings, Engine, sessionmaker[Session]]
EVENTS = [
    [
        {"type": "visit", "date": "2024-03-11", "countries": ["AZE", "TUR"], "persons": ["Rauf Aliyarov"]},
        {"type": "agreement", "date": "1992", "countries": ["AZE", "TUR"]},
        {"type": "statement", "countries": ["AZE", "TUR"]},  # undated
    ],
    [
        {"type": "exercise", "date": "2023-06-01", "countries": ["AZE", "TUR", "GEO"]},
        {"type": "meeting", "date": "2023-06-20", "countries": ["AZE", "GEO"]},
    ],
    [{"type": "arms_transfer", "date": "2024-01-05", "countries": ["KOR", "POL"]}],
]  # fmt: skip


def assert_in_step(db: DB) -> dict[str, set[tuple[Any, ...]]]:
    with db[2]() as session:
        stored, expected = summary.stored(session), summary.recount(session)
    assert stored == expected
    return stored


@pytest.fixture
def articles(client: TestClient) -> list[dict[str, Any]]:
    return [create(client, n, events=events) for n, events in enumerate(EVENTS, 1)]


def test_counts_follow_inserts(db: DB, articles: list[dict[str, Any]]) -> None:
    stored = assert_in_step(db)
    assert sum(row[-1] for row in stored["article_day_count"]) == 3
    assert sum(row[-1] for row in stored["event_day_count"]) == 5  # the undated one is not
    # AZE-TUR: visit, agreement, statement, exercise; AZE-GEO 2; TUR-GEO 1; KOR-POL 1; and the
    # visit's person with both states
    with db[2]() as session:
        pairs = summary.pair_partners(
            session, code=None, type=None, years=summary.Years(), count=Count.reports
        )
    counts = {(a, b): 0 for a, b, _, _ in pairs}
    for a, b, _, n in pairs:
        counts[(a, b)] += n
    assert counts == {("AZE", "TUR"): 4, ("AZE", "GEO"): 2, ("GEO", "TUR"): 1, ("KOR", "POL"): 1}
    with db[2]() as session:
        aze = summary.state_counts(
            session, "AZE", type=None, years=summary.Years(), count=Count.reports
        )
        in_2023 = summary.state_counts(
            session, "AZE", type=None, years=summary.Years(2023, 2023), count=Count.happenings
        )
    assert sum(n for _t, _y, n in aze) == 5 and (("statement", 0, 1) in aze)
    assert sorted(in_2023) == [("exercise", 2023, 1), ("meeting", 2023, 1)]


def test_counts_follow_updates_and_deletes(
    client: TestClient, db: DB, articles: list[dict[str, Any]]
) -> None:
    # the article's events replaced by a new version of it
    replaced = article_payload(1, events=[{"type": "training", "date": "2021-05-05", "countries": ["AZE", "KOR"]}])  # fmt: skip
    assert client.post("/v1/articles?on_duplicate=update", json=replaced).status_code == 200
    assert_in_step(db)
    # a new publication date
    response = client.patch(
        f"/v1/articles/{articles[1]['id']}", json={"published_at": "2019-02-03"}
    )
    assert response.status_code == 200, response.text
    assert_in_step(db)
    # an article deleted: its events go by the database's cascade
    assert client.delete(f"/v1/articles/{articles[2]['id']}").status_code == 204
    assert_in_step(db)


def test_counts_follow_direct_changes_to_events_and_roles(
    db: DB, articles: list[dict[str, Any]]
) -> None:
    with db[2]() as session:
        exercise = session.scalars(select(Event).where(Event.type == "exercise")).one()
        aze = session.scalars(select(Entity).where(Entity.code == "AZE")).one()
        # a second role for a state already taking part: the pairs do not change
        exercise.participants.append(EventParticipant(entity_id=aze.id, role="host"))
        session.commit()
    before = assert_in_step(db)
    with db[2]() as session:
        exercise = session.scalars(select(Event).where(Event.type == "exercise")).one()
        exercise.type, exercise.date_start = "training", date(2020, 2, 2)
        session.commit()
    after = assert_in_step(db)
    assert before["pair_year_count"] != after["pair_year_count"]
    with db[2]() as session:
        exercise = session.scalars(select(Event).where(Event.type == "training")).one()
        host = next(p for p in exercise.participants if p.role == "host")
        session.delete(host)  # AZE still takes part as a participant
        session.commit()
    assert assert_in_step(db)["pair_year_count"] == after["pair_year_count"]
    with db[2]() as session:
        session.delete(session.scalars(select(Event).where(Event.type == "training")).one())
        session.commit()
    assert_in_step(db)


def _lead_of(session: Session, leader: Event, *others: Event) -> None:
    """One happening of these events, `leader` leading it (as the linker would leave them)."""
    for event in (leader, *others):
        event.happening_id, event.is_lead = leader.id, event is leader


def _happenings(stored: dict[str, set[tuple[Any, ...]]], table: str) -> int:
    return sum(row[-1] for row in stored[table])


def test_happening_counts_follow_changes_of_lead(
    client: TestClient, db: DB, articles: list[dict[str, Any]]
) -> None:
    """`h` counts the leading events: it follows is_lead as it is flipped, as events are added
    without leading and as a lead is deleted, and a recount agrees after each step."""
    # two more reports of the visit: the linker makes the three one happening
    visit = {"type": "visit", "date": "2024-03-11", "countries": ["AZE", "TUR"], "persons": ["Rauf Aliyarov"]}  # fmt: skip
    for n in (4, 5):
        create(client, n, events=[visit])
    stored = assert_in_step(db)
    assert _happenings(stored, "event_day_count") == 5  # of 7 events
    with db[2]() as session:
        first, *others = session.scalars(
            select(Event).where(Event.type == "visit").order_by(Event.id)
        ).all()
        _lead_of(session, first, *others)
        session.commit()
    stored = assert_in_step(db)
    assert {row[-2:] for row in stored["event_day_count"] if row[1] == "visit"} == {(3, 1)}
    aze_tur = {row for row in stored["pair_event"]}  # pair_event lists every report
    assert sum(1 for row in aze_tur if row[3] == "visit") == 3
    with db[2]() as session:
        pairs = summary.pair_partners(
            session, code="AZE", type="visit", years=summary.Years(), count=Count.happenings
        )
        reports = summary.pair_partners(
            session, code="AZE", type="visit", years=summary.Years(), count=Count.reports
        )
    assert pairs == [("AZE", "TUR", "visit", 1)] and reports == [("AZE", "TUR", "visit", 3)]
    # the lead moves to the second report; then the third is added to it with a new date
    with db[2]() as session:
        first, second, third = session.scalars(
            select(Event).where(Event.type == "visit").order_by(Event.id)
        ).all()
        _lead_of(session, second, first, third)
        session.commit()
        assert_in_step(db)
        third.date_start, third.is_lead = date(2024, 3, 12), True
        session.commit()
    stored = assert_in_step(db)
    assert {row[-2:] for row in stored["event_day_count"] if row[1] == "visit"} == {(2, 1), (1, 1)}
    # a participant of a non-leading report goes, and then the leading report's article
    with db[2]() as session:
        first = session.scalars(
            select(Event).where(Event.type == "visit").order_by(Event.id)
        ).first()
        assert first is not None and not first.is_lead
        session.delete(first.participants[0])
        session.commit()
        assert_in_step(db)
        second = session.scalars(select(Event).where(Event.type == "visit", Event.is_lead).order_by(Event.id)).first()  # fmt: skip
        assert second is not None
        article_id = second.article_id
    assert client.delete(f"/v1/articles/{article_id}").status_code == 204
    stored = assert_in_step(db)
    # left: the first (not leading: the linker would elect a lead) and the third (leading)
    assert {row[-2:] for row in stored["event_day_count"] if row[1] == "visit"} == {(1, 0), (1, 1)}


def test_rebuild_restores_drifted_counts(db: DB, articles: list[dict[str, Any]]) -> None:
    with db[2]() as session:
        session.execute(text("UPDATE pair_year_count SET n = n + 5"))
        session.execute(text("DELETE FROM event_day_count"))
        session.execute(text("DELETE FROM pair_event WHERE type = 'visit'"))
        session.execute(text("UPDATE entity_year_count SET n = n + 2"))
        session.execute(text("UPDATE event_day_count SET h = 0"))
        session.execute(text("UPDATE entity_mention_count SET articles = articles + 1"))
        session.commit()
    with db[2]() as session:
        assert summary.stored(session) != summary.recount(session)
        summary.replace_all(session)
        session.commit()
    assert_in_step(db)


def test_upgrade_fills_the_counts_from_existing_rows(scratch_url: str) -> None:
    migrate.upgrade(scratch_url)
    engine = make_engine(scratch_url)
    try:
        from app.schemas.article import ArticleCreate
        from app.services.ingest import create_article

        factory = make_session_factory(engine)
        with factory() as session:
            for n, events in enumerate(EVENTS, 1):
                data = ArticleCreate.model_validate(article_payload(n, events=events))
                create_article(session, data=data)
            session.commit()
        # back to before 0006 (its tables go, the rows stay), written by today's models, then
        # up again: 0006 fills the counts from the rows alone
        migrate.downgrade(scratch_url, "0005_api_keys")
        assert not {"article_day_count", "pair_year_count"} & set(inspect(engine).get_table_names())
        migrate.upgrade(scratch_url)
        with factory() as session:
            stored, expected = summary.stored(session), summary.recount(session)
        assert stored == expected and stored["pair_year_count"]
    finally:
        engine.dispose()


def _trigger_definitions(engine: Engine) -> set[str]:
    """The text of every trigger (and on PostgreSQL, of every trigger function)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
        else:
            sql = (
                "SELECT pg_get_triggerdef(t.oid) || pg_get_functiondef(t.tgfoid)"
                " FROM pg_trigger t WHERE NOT t.tgisinternal"
            )
        return {row[0] for row in conn.exec_driver_sql(sql)}


def test_happening_counts_migration_fills_h_and_goes_back(scratch_url: str) -> None:
    """0016 fills `h` from the rows (events that do not lead count in `n` only); its downgrade
    puts back the triggers of 0015 word for word and drops the columns."""
    migrate.upgrade(scratch_url, "0016_happenings")
    engine = make_engine(scratch_url)
    try:
        before = _trigger_definitions(engine)
        migrate.upgrade(scratch_url)
        from app.schemas.article import ArticleCreate
        from app.services.ingest import create_article

        factory = make_session_factory(engine)
        with factory() as session:
            for n, events in enumerate(EVENTS, 1):
                data = ArticleCreate.model_validate(article_payload(n, events=events))
                create_article(session, data=data)
            session.commit()
        migrate.downgrade(scratch_url, "0016_happenings")
        assert _trigger_definitions(engine) == before
        assert "h" not in {c["name"] for c in inspect(engine).get_columns("pair_year_count")}
        with engine.begin() as conn:  # written at 0015: two of the events stop leading
            conn.execute(text("UPDATE event SET is_lead = false WHERE type IN ('visit', 'exercise')"))  # fmt: skip
        migrate.upgrade(scratch_url)
        with make_session_factory(engine)() as session:
            stored, expected = summary.stored(session), summary.recount(session)
        assert stored == expected
        assert _happenings(stored, "event_day_count") == 3  # of 5 dated events
        assert {row[-2:] for row in stored["pair_year_count"] if row[2] == "exercise"} == {(1, 0)}
    finally:
        engine.dispose()


def _same(client: TestClient, path: str, summary_params: dict, raw_params: dict) -> Any:
    fast = client.get(path, params=summary_params)
    slow = client.get(path, params=raw_params)
    assert fast.status_code == slow.status_code == 200, (fast.text, slow.text)
    assert fast.json() == slow.json()
    return fast.json()


def test_answers_from_counts_equal_answers_from_rows(
    client: TestClient, articles: list[dict[str, Any]]
) -> None:
    # whole years read the counts; a range that starts on 2 January counts the rows
    years = {"date_from": "2023-01-01", "date_to": "2024-12-31"}
    rows = {"date_from": "2023-01-02", "date_to": "2024-12-31"}
    body = _same(client, "/v1/dyads/AZE-TUR", years, rows)
    assert body["counts"]["total"] == 2
    assert _same(client, "/v1/dyads", {"country": "AZE", **years}, {"country": "AZE", **rows})
    assert _same(client, "/v1/dyads", years, rows)["items"]
    profile = _same(client, "/v1/countries/AZE", years, rows)
    assert profile["counts"]["by_type"] == {"exercise": 1, "meeting": 1, "visit": 1}
    graph = _same(client, "/v1/graph", years, rows)
    assert {e["weight"] for e in graph["edges"]} >= {1}
    # timelines: every event (counts) against every event with status reported (rows)
    assert _same(client, "/v1/timeline", {"of": "events", "group_by": "type"}, {"of": "events", "group_by": "type", "status": "reported"})["buckets"]  # fmt: skip
    assert _same(client, "/v1/timeline", {"of": "events", "type": "agreement", "interval": "year"}, {"of": "events", "type": "agreement", "interval": "year", "status": "reported"})["buckets"]  # fmt: skip
    assert _same(client, "/v1/timeline", {"of": "articles", "interval": "day"}, {"of": "articles", "interval": "day", "lang": "en"})["buckets"]  # fmt: skip


def test_mention_counts_follow_repeated_names(client: TestClient, db: DB) -> None:
    text_of = (
        "Azerbaijan and Turkey held talks in Baku on 3 March 2024. Azerbaijan's defence "
        "minister said Azerbaijan would buy drones from Turkey. {}"
    )
    ids = []
    for n, extra in enumerate(["Georgia watched.", "Turkey agreed."], 1):
        response = client.post(
            "/v1/articles",
            content=(f"Talks {n}\n\n" + text_of.format(extra)).encode(),
            headers={"content-type": "text/plain"},
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    stored = assert_in_step(db)
    # a state named three times in each of two articles: 6 mentions, 2 articles
    assert any(m > a > 1 for _e, m, a in stored["entity_mention_count"])
    assert client.delete(f"/v1/articles/{ids[0]}").status_code == 204
    assert_in_step(db)
    listed = client.get("/v1/entities", params={"kind": "country", "sort": "-mentions"}).json()
    assert listed["items"][0]["article_count"] == 1
