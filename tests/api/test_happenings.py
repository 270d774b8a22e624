"""GET /v1/happenings and /v1/happenings/{id}, and the happenings every event and article read
carries. The happenings are made here through the ORM (the reports of one meeting, a copy, a
preview, an undated report; an exercise; an agreement dated only by publication), so each
test knows exactly what linking would have made of them."""

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.models import Event, Happening, HappeningDecision, HappeningDecisionReport
from tests.factories import create, make_article, make_entity, make_event, make_source
from tests.helpers import ROOT, assert_problem


@dataclass
class World:
    meeting: int  # three reports: the lead, an undated one, a copy that previewed it
    exercise: int
    agreement: int  # no report dates it: the first publication stands in
    articles: list[int]
    events: dict[str, int]
    merge: int
    sources: dict[str, int]
    azerbaijan: int  # the entity


def _happening(session: Session, lead: Event, **fields: object) -> Happening:
    happening = Happening(
        type=lead.type,
        name=lead.name,
        date_start=lead.date_start,
        date_end=lead.date_end,
        date_precision=lead.date_precision,
        **fields,
    )
    session.add(happening)
    session.flush()
    return happening


def _link(event: Event, happening: Happening, role: str, *, lead: bool) -> None:
    event.happening_id, event.happening_role, event.is_lead = happening.id, role, lead


@pytest.fixture
def world(db: tuple[object, object, sessionmaker[Session]]) -> World:
    with db[2]() as session:
        wire = make_source(session, name="Caspian Wire", domain="caspian.example")
        daily = make_source(session, name="Ankara Daily", domain="ankara.example")
        first = make_article(session, 1, source=wire)
        second = make_article(session, 2, source=daily)
        # a copy of the second, published before the meeting: it announced it
        copy = make_article(session, 3, source=wire, published_at=datetime(2024, 2, 28, tzinfo=UTC))
        copy.duplicate_of_id = second.id
        other = make_article(session, 4, body="Korean and Polish troops trained together.")
        lead = make_event(session, first, evidence="The two ministers met in Baku.")
        lead.evidence_start, lead.evidence_end = 0, 30
        undated = make_event(session, second, date_start=None, date_precision=None)
        preview = make_event(session, copy, status="planned")
        meeting = _happening(
            session,
            lead,
            date_basis="reported",
            num_reports=3,
            num_sources=2,
            num_independent_sources=1,
            first_reported_at=datetime(2024, 2, 28, tzinfo=UTC),
            last_reported_at=datetime(2024, 3, 2, tzinfo=UTC),
        )
        _link(lead, meeting, "report", lead=True)
        _link(undated, meeting, "report", lead=False)
        _link(preview, meeting, "preview", lead=False)
        drill = make_event(
            session,
            other,
            countries=("KOR", "POL"),
            type="exercise",
            name="Tiger Shield",
            date_start=date(2023, 6, 1),
            date_precision="month",
        )
        exercise = _happening(
            session, drill, date_basis="reported", num_sources=1, num_independent_sources=1
        )
        _link(drill, exercise, "report", lead=True)
        pact = make_event(session, first, type="agreement", date_start=None, date_precision=None)
        agreement = _happening(
            session, pact, date_basis="published", num_sources=1, num_independent_sources=1
        )
        agreement.date_start, agreement.date_precision = date(2024, 3, 1), "day"
        _link(pact, agreement, "report", lead=True)
        merge = HappeningDecision(
            actor="analyst",
            action="merge",
            happening_id=meeting.id,
            note="one meeting",
            at=datetime(2024, 4, 1, tzinfo=UTC),
            reports=[
                HappeningDecisionReport(article_id=first.id, type="meeting", side="a"),
                HappeningDecisionReport(article_id=second.id, type="meeting", side="a"),
            ],
        )
        # names the first article too, but its agreement: not about the meeting
        unrelated = HappeningDecision(
            actor="analyst",
            action="split",
            reports=[HappeningDecisionReport(article_id=first.id, type="visit", side="b")],
        )
        session.add_all([merge, unrelated])
        session.commit()
        return World(
            meeting=meeting.id,
            exercise=exercise.id,
            agreement=agreement.id,
            articles=[first.id, second.id, copy.id, other.id],
            events={
                "lead": lead.id,
                "undated": undated.id,
                "preview": preview.id,
                "drill": drill.id,
                "pact": pact.id,
            },
            merge=merge.id,
            sources={"wire": wire.id, "daily": daily.id},
            azerbaijan=make_entity(session, name="Azerbaijan", code="AZE").id,
        )


def _ids(client: TestClient, **params: object) -> list[int]:
    response = client.get("/v1/happenings", params=params)
    assert response.status_code == 200, response.text
    return [h["id"] for h in response.json()["items"]]


def test_a_happening_is_exactly_its_contract(client: TestClient, world: World) -> None:
    assert_problem(client.get("/v1/happenings/999999"), 404, "happening_id")
    assert_problem(client.get("/v1/happenings/0"), 422, "happening_id")
    assert_problem(client.get("/v1/happenings/x"), 422, "happening_id")
    body = client.get(f"/v1/happenings/{world.meeting}").json()
    countries = [p["entity"] for p in body["participants"]]
    assert [(c["code"], c["kind"]) for c in countries] == [("AZE", "country"), ("TUR", "country")]
    wire = {"id": world.sources["wire"], "name": "Caspian Wire", "domain": "caspian.example"}
    daily = {"id": world.sources["daily"], "name": "Ankara Daily", "domain": "ankara.example"}
    first, second, copy, _ = world.articles
    path = f"/v1/happenings/{world.meeting}/reports"
    reports = [
        {  # the earliest published first: the copy that announced it
            "event_id": world.events["preview"],
            "article_id": copy,
            "url": "https://news.example/3",
            "title": "Defence talks number 3",
            "outlet": wire,
            "published_at": "2024-02-28T00:00:00Z",
            "duplicate_of": second,
            "role": "preview",
            "is_lead": False,
            "evidence": None,
            "date": "2024-03-11",
            "date_start": "2024-03-11",
            "date_precision": "day",
            "date_inferred": False,
        },
        {
            "event_id": world.events["lead"],
            "article_id": first,
            "url": "https://news.example/1",
            "title": "Defence talks number 1",
            "outlet": wire,
            "published_at": "2024-03-01T00:00:00Z",
            "duplicate_of": None,
            "role": "report",
            "is_lead": True,
            "evidence": {"text": "The two ministers met in Baku.", "start": 0, "end": 30},
            "date": "2024-03-11",
            "date_start": "2024-03-11",
            "date_precision": "day",
            "date_inferred": False,
        },
        {  # no date of its own: the happening's, marked inferred
            "event_id": world.events["undated"],
            "article_id": second,
            "url": "https://news.example/2",
            "title": "Defence talks number 2",
            "outlet": daily,
            "published_at": "2024-03-02T00:00:00Z",
            "duplicate_of": None,
            "role": "report",
            "is_lead": False,
            "evidence": None,
            "date": "2024-03-11",
            "date_start": "2024-03-11",
            "date_precision": "day",
            "date_inferred": True,
        },
    ]
    assert body == {
        "id": world.meeting,
        "type": "meeting",
        "name": None,
        "date": "2024-03-11",
        "date_start": "2024-03-11",
        "date_end": None,
        "date_precision": "day",
        "date_basis": "reported",
        "status": "reported",
        "lead_event_id": world.events["lead"],
        "location": None,
        "countries": ["AZE", "TUR"],
        "participants": [{"entity": c, "role": "participant"} for c in countries],
        "num_reports": 3,
        "num_sources": 2,
        "num_independent_sources": 1,
        "first_reported_at": "2024-02-28T00:00:00Z",
        "last_reported_at": "2024-03-02T00:00:00Z",
        "reports": {"items": reports, "limit": 50, "next_cursor": None, "path": path},
        "decisions": [
            {
                "id": world.merge,
                "at": "2024-04-01T00:00:00Z",
                "actor": "analyst",
                "action": "merge",
                "happening_id": world.meeting,
                "note": "one meeting",
                "reports": [
                    {"article_id": first, "type": "meeting", "side": "a"},
                    {"article_id": second, "type": "meeting", "side": "a"},
                ],
            }
        ],
    }


def test_the_reports_page_on_from_the_happening(client: TestClient, world: World) -> None:
    path = f"/v1/happenings/{world.meeting}/reports"
    assert_problem(client.get("/v1/happenings/999999/reports"), 404, "happening_id")
    whole = client.get(path).json()
    assert [r["event_id"] for r in whole["items"]] == [
        world.events[name] for name in ("preview", "lead", "undated")
    ]
    assert (
        whole["items"] == client.get(f"/v1/happenings/{world.meeting}").json()["reports"]["items"]
    )
    shown = client.get(f"/v1/happenings/{world.meeting}", params={"limit": 2}).json()["reports"]
    assert (len(shown["items"]), shown["limit"], shown["path"]) == (2, 2, path)
    rest = client.get(path, params={"cursor": shown["next_cursor"]}).json()
    assert [*shown["items"], *rest["items"]] == whole["items"] and rest["next_cursor"] is None
    other = f"/v1/happenings/{world.exercise}/reports"
    assert_problem(client.get(other, params={"cursor": shown["next_cursor"]}), 400, "cursor")
    lines = client.get(path, params={"format": "ndjson"}).text.splitlines()
    assert [json.loads(line) for line in lines] == whole["items"]
    table = list(csv.DictReader(io.StringIO(client.get(path, params={"format": "csv"}).text)))
    assert [(r["outlet.name"], r["date_inferred"]) for r in table] == [
        ("Caspian Wire", "False"),
        ("Caspian Wire", "False"),
        ("Ankara Daily", "True"),
    ]


def test_a_happening_dated_by_publication_says_so(client: TestClient, world: World) -> None:
    body = client.get(f"/v1/happenings/{world.agreement}").json()
    assert (body["date"], body["date_basis"], body["decisions"]) == ("2024-03-01", "published", [])
    [report] = body["reports"]["items"]
    assert (report["event_id"], report["date"], report["date_inferred"]) == (
        world.events["pact"],
        "2024-03-01",
        True,
    )
    drill = client.get(f"/v1/happenings/{world.exercise}").json()
    assert (drill["date"], drill["name"], drill["countries"]) == (
        "2023-06",
        "Tiger Shield",
        ["KOR", "POL"],
    )


def test_the_list_filters_the_leading_reports(client: TestClient, world: World) -> None:
    # latest first; only leading reports stand for a happening, the undated one last
    assert _ids(client) == [world.meeting, world.exercise, world.agreement]
    assert _ids(client, sort="date") == [world.exercise, world.meeting, world.agreement]
    assert _ids(client, type="exercise") == [world.exercise]
    assert _ids(client, country="POL") == [world.exercise]
    assert _ids(client, country=["TUR", "AZE"]) == [world.meeting, world.agreement]
    assert _ids(client, country=["AZE", "TUR"], type="meeting") == [world.meeting]
    assert _ids(client, date_from="2024-01-01") == [world.meeting]
    assert _ids(client, date_to="2023-12-31") == [world.exercise]
    # the filters read the lead's status and article: the planned preview does not lead
    assert _ids(client, status="planned") == []
    assert _ids(client, article=world.articles[0]) == [world.meeting, world.agreement]
    assert _ids(client, article=world.articles[2]) == []
    assert _ids(client, min_reports=2) == [world.meeting]
    assert _ids(client, min_sources=2) == [world.meeting]
    assert _ids(client, min_independent_sources=2) == []
    assert _ids(client, min_independent_sources=1) == [
        world.meeting,
        world.exercise,
        world.agreement,
    ]


def test_the_list_pages_with_its_cursor(client: TestClient, world: World) -> None:
    first = client.get("/v1/happenings", params={"limit": 1, "country": "AZE"})
    body = first.json()
    assert [h["id"] for h in body["items"]] == [world.meeting] and body["limit"] == 1
    assert 'rel="next"' in first.headers["link"]
    rest = client.get("/v1/happenings", params={"cursor": body["next_cursor"]}).json()
    assert [h["id"] for h in rest["items"]] == [world.agreement] and rest["next_cursor"] is None
    assert set(body["items"][0]) == set(rest["items"][0]) and "reports" not in rest["items"][0]
    assert_problem(
        client.get("/v1/happenings", params={"cursor": body["next_cursor"], "type": "visit"}),
        400,
        "cursor",
    )
    events = client.get("/v1/events", params={"limit": 1}).json()
    assert_problem(client.get("/v1/happenings", params={"cursor": events["next_cursor"]}), 400)


def test_bad_list_queries_are_problems(client: TestClient, world: World) -> None:
    assert_problem(client.get("/v1/happenings", params={"min_reports": 0}), 422, "min_reports")
    assert_problem(client.get("/v1/happenings", params={"min_sources": "x"}), 422, "min_sources")
    assert_problem(client.get("/v1/happenings", params={"type": "party"}), 422, "type")
    assert_problem(client.get("/v1/happenings", params={"sort": "size"}), 422, "sort")
    assert_problem(client.get("/v1/happenings", params={"country": "Narnia"}), 400, "country")
    assert_problem(
        client.get("/v1/happenings", params={"date_from": "2024-02-01", "date_to": "2024-01-01"}),
        400,
        "date_from",
    )
    assert_problem(
        client.get("/v1/happenings", params={"country": "AZE", "directed": True}), 400, "directed"
    )


def test_the_list_exports_every_happening(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.api import export

    monkeypatch.setattr(export, "PAGE_ROWS", 1)  # a page per happening
    lines = client.get("/v1/happenings", params={"format": "ndjson"}).text.splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["id"] for r in rows] == [world.meeting, world.exercise, world.agreement]
    assert rows == client.get("/v1/happenings").json()["items"]
    response = client.get(
        "/v1/happenings", params={"min_reports": 2}, headers={"accept": "text/csv"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert (row["id"], row["num_reports"], row["date_basis"]) == (
        str(world.meeting),
        "3",
        "reported",
    )
    assert json.loads(row["countries"]) == ["AZE", "TUR"]


def test_every_event_read_names_its_happening(client: TestClient, world: World) -> None:
    preview = client.get(f"/v1/events/{world.events['preview']}").json()
    assert (preview["happening_id"], preview["happening_role"]) == (world.meeting, "preview")
    listed = {e["id"]: e for e in client.get("/v1/events", params={"limit": 100}).json()["items"]}
    assert {i: (e["happening_id"], e["happening_role"]) for i, e in listed.items()} == {
        world.events["lead"]: (world.meeting, "report"),
        world.events["undated"]: (world.meeting, "report"),
        world.events["preview"]: (world.meeting, "preview"),
        world.events["drill"]: (world.exercise, "report"),
        world.events["pact"]: (world.agreement, "report"),
    }
    article = client.get(f"/v1/articles/{world.articles[0]}", params={"include": "events"}).json()
    assert sorted((e["id"], e["happening_id"]) for e in article["events"]) == [
        (world.events["lead"], world.meeting),
        (world.events["pact"], world.agreement),
    ]


def test_every_article_read_names_its_happenings(client: TestClient, world: World) -> None:
    first, second, copy, other = world.articles
    assert client.get(f"/v1/articles/{first}").json()["happenings"] == sorted(
        [world.meeting, world.agreement]
    )
    every = {"limit": 100, "duplicates": "include"}  # the copy is hidden by default
    listed = client.get("/v1/articles", params=every).json()["items"]
    assert {a["id"]: (a["happenings"], a["duplicate_of"]) for a in listed} == {
        first: (sorted([world.meeting, world.agreement]), None),
        second: ([world.meeting], None),
        copy: ([world.meeting], second),
        other: ([world.exercise], None),
    }
    mentioned = client.get(
        f"/v1/entities/{world.azerbaijan}/articles", params={"duplicates": "include"}
    ).json()["items"]
    assert {a["id"]: a["happenings"] for a in mentioned}[copy] == [world.meeting]
    dyad = client.get("/v1/dyads/AZE-TUR").json()["articles"]["items"]
    assert {a["id"]: a["happenings"] for a in dyad}[second] == [world.meeting]
    exported = client.get("/v1/articles", params={"format": "ndjson"}).text.splitlines()
    assert {json.loads(line)["id"]: json.loads(line)["happenings"] for line in exported}[other] == [
        world.exercise
    ]


def test_searched_and_similar_articles_name_their_happenings(
    client: TestClient, db: tuple[object, object, sessionmaker[Session]]
) -> None:
    created = [create(client, n) for n in (1, 2)]
    with db[2]() as session:
        events = [session.get(Event, e["id"]) for a in created for e in a["events"]]
        lead = events[0]
        assert lead is not None
        happening = _happening(session, lead, date_basis="reported", num_reports=len(events))
        for event in events:
            assert event is not None
            _link(event, happening, "report", lead=event is lead)
        happening_id = happening.id
        session.commit()
    hits = client.get("/v1/search", params={"q": "story"}).json()["items"]
    assert [h["happenings"] for h in hits] == [[happening_id], [happening_id]]
    similar = client.get(f"/v1/articles/{created[0]['id']}/similar").json()["items"]
    assert [(s["id"], s["happenings"]) for s in similar] == [(created[1]["id"], [happening_id])]


def test_only_the_page_lookup_shows_articles() -> None:
    """An article built straight from its row would show no happenings: every read goes
    through app.api.article_view, which looks them up for the page."""
    direct = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("*.py")
        if "ArticleSummary.model_validate" in path.read_text(encoding="utf-8")
        and path.name != "article_view.py"
    ]
    assert direct == []
