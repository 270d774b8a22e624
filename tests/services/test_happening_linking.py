"""Reports linked into happenings as they are stored, kept right through updates, deletes,
re-clustering and analysts' decisions (app.services.happening)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ValidationFailed
from app.models import Change, Event, Happening
from app.services.happening import merge_happenings, recluster, split_happening
from tests.factories import article_payload

BODY = (
    "Story {n}. Azerbaijani Defence Minister Rauf Aliyarov arrived in Ankara for talks with "
    "Turkish Defence Minister Selim Kaya. The visit lasts two days."
)


def visit(n: int, *, date: str | None, published: str, **event: Any) -> dict[str, Any]:
    """An article reporting a visit of Aliyarov to Turkey (another outlet each)."""
    return article_payload(
        n,
        body=BODY.format(n=n),
        source=f"Outlet {n}",
        published_at=published,
        events=[
            {
                "type": "visit",
                "date": date,
                "countries": ["AZE", "TUR"],
                "persons": ["Rauf Aliyarov"],
                "location": "Ankara",
                "evidence": "Azerbaijani Defence Minister Rauf Aliyarov arrived in Ankara",
                **event,
            }
        ],
    )


def post(client: TestClient, payload: dict[str, Any]) -> int:
    response = client.post("/v1/articles", json=payload)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def groups(session: Session) -> set[frozenset[int]]:
    """The happenings as sets of the articles reporting them."""
    found: dict[int, set[int]] = {}
    for happening_id, article_id in session.execute(select(Event.happening_id, Event.article_id)):
        found.setdefault(happening_id, set()).add(article_id)
    return {frozenset(v) for v in found.values()}


def happening_of(session: Session, article_id: int) -> Happening:
    happening_id = session.scalar(select(Event.happening_id).where(Event.article_id == article_id))
    happening = session.get(Happening, happening_id)
    assert happening is not None
    return happening


def test_three_outlets_one_visit_and_a_look_alike_apart(
    client: TestClient, session: Session
) -> None:
    preview = post(client, visit(1, date="2024-03-11", published="2024-03-05", status="planned"))
    first = post(client, visit(2, date="2024-03-11", published="2024-03-11"))
    undated = post(client, visit(3, date=None, published="2024-03-12"))
    later = post(client, visit(4, date="2024-05-20", published="2024-05-20"))
    assert groups(session) == {frozenset({preview, first, undated}), frozenset({later})}
    happening = happening_of(session, first)
    assert (happening.type, happening.date_start.isoformat(), happening.date_basis) == (
        "visit",
        "2024-03-11",
        "reported",
    )
    assert (happening.num_reports, happening.num_sources, happening.num_independent_sources) == (
        3,
        3,
        3,
    )
    roles = dict(
        session.execute(
            select(Event.article_id, Event.happening_role).where(Event.happening_id == happening.id)
        ).all()
    )
    assert roles == {preview: "preview", first: "report", undated: "report"}
    leads = session.scalars(
        select(Event.article_id).where(Event.happening_id == happening.id, Event.is_lead)
    ).all()
    assert leads == [preview]  # day-precise, and the first to say so


def test_a_report_published_in_a_known_month_may_come_from_any_of_its_days(
    client: TestClient, session: Session
) -> None:
    # the dated report first, then the one known to the month; and the other way round
    late = post(client, visit(1, date="2024-03-28", published="2024-03-28"))
    monthly = post(client, visit(2, date=None, published="2024-03"))
    first = post(client, visit(3, date=None, published="2024-07"))
    dated = post(client, visit(4, date="2024-07-30", published="2024-07-30"))
    apart = post(client, visit(5, date=None, published="2024-05"))  # months from both
    assert groups(session) == {
        frozenset({late, monthly}),
        frozenset({first, dated}),
        frozenset({apart}),
    }
    role = session.scalar(select(Event.happening_role).where(Event.article_id == monthly))
    assert role == "report"  # not a preview: it may have come out after the 28th
    before = groups(session)
    recluster(session)
    session.commit()
    assert groups(session) == before


def test_a_year_less_dateline_keeps_a_report_with_no_publication_out_of_other_months(
    client: TestClient, session: Session
) -> None:
    dated = post(client, visit(1, date="2024-03-11", published="2024-03-11"))
    payload = visit(2, date=None, published="2024-03-11")
    payload["published_at"] = None
    payload["body"] = "ANKARA, July 3 (Wire) - " + payload["body"]
    july = post(client, payload)
    payload = visit(3, date=None, published="2024-03-11")
    payload["published_at"] = None
    payload["body"] = "ANKARA, March 12 (Wire) - " + payload["body"]
    march = post(client, payload)
    assert groups(session) == {frozenset({dated, march}), frozenset({july})}


def test_deleting_and_updating_reports_keeps_happenings_right(
    client: TestClient, session: Session
) -> None:
    ids = [post(client, visit(n, date="2024-03-11", published="2024-03-11")) for n in (1, 2, 3)]
    happening_id = happening_of(session, ids[0]).id
    assert client.delete(f"/v1/articles/{ids[0]}").status_code == 204
    session.commit()  # a fresh snapshot (SQLite): the writes came through the API
    assert groups(session) == {frozenset(ids[1:])}
    assert happening_of(session, ids[1]).num_reports == 2
    # an update that moves a report to another day takes it out of the happening
    moved = visit(3, date="2024-04-02", published="2024-04-02")
    response = client.post("/v1/articles?on_duplicate=update", json=moved)
    assert response.status_code == 200, response.text
    session.commit()  # a fresh snapshot (SQLite): the writes came through the API
    assert groups(session) == {frozenset({ids[1]}), frozenset({ids[2]})}
    for article_id in ids[1:]:
        assert client.delete(f"/v1/articles/{article_id}").status_code == 204
    session.commit()  # a fresh snapshot (SQLite): the writes came through the API
    assert session.scalars(select(Happening)).all() == []
    feed = session.execute(
        select(Change.object_id, Change.action).where(Change.kind == "happening")
    ).all()
    assert (happening_id, "created") in feed
    assert {action for _id, action in feed} >= {"created", "updated", "deleted"}


def test_recluster_rebuilds_what_the_incremental_path_made(
    client: TestClient, session: Session
) -> None:
    for n, (day, published) in enumerate(
        [
            ("2024-03-11", "2024-03-11"),
            (None, "2024-03-12"),
            ("2024-03-11", "2024-03-13"),
            ("2024-05-20", "2024-05-20"),
            (None, "2024-05-21"),
            ("2024-03", "2024-03-30"),
        ],
        start=1,
    ):
        post(client, visit(n, date=day, published=published))
    before = groups(session)
    ids = {h: sorted(session.scalars(select(Happening.id))) for h in ("ids",)}
    assert len(before) == 2
    recluster(session)
    session.commit()
    assert groups(session) == before
    assert sorted(session.scalars(select(Happening.id))) == ids["ids"]  # ids kept


def test_merge_and_split_are_kept_across_reclustering(client: TestClient, session: Session) -> None:
    a = post(client, visit(1, date="2024-03-11", published="2024-03-11"))
    b = post(client, visit(2, date="2024-03-11", published="2024-03-11"))
    c = post(client, visit(3, date="2024-03-12", published="2024-03-12"))
    d = post(client, visit(4, date="2024-06-01", published="2024-06-01"))
    assert groups(session) == {frozenset({a, b, c}), frozenset({d})}
    whole = happening_of(session, a)
    with pytest.raises(ValidationFailed):
        split_happening(session, happening=whole, event_ids=[], actor="analyst")
    c_event = session.scalar(select(Event.id).where(Event.article_id == c))
    assert c_event is not None
    split_happening(session, happening=whole, event_ids=[c_event], actor="analyst", note="a day on")
    merge_happenings(
        session, happening=happening_of(session, c), other=happening_of(session, d), actor="analyst"
    )
    session.commit()
    expected = {frozenset({a, b}), frozenset({c, d})}
    assert groups(session) == expected
    recluster(session)
    session.commit()
    assert groups(session) == expected
    # a re-posted report is placed again under the same decisions
    response = client.post(
        "/v1/articles?on_duplicate=update", json=visit(2, date="2024-03-11", published="2024-03-11")
    )
    assert response.status_code == 200
    session.commit()  # a fresh snapshot (SQLite): the writes came through the API
    assert groups(session) == expected
    with pytest.raises(ValidationFailed):
        merge_happenings(session, happening=whole, other=whole)
