"""The sample happenings (issue 14): one visit, two editions of one exercise and two milestones
of one deal, each reported by several outlets, with look-alikes beside them that are other
happenings: the linker (app.services.happening) groups each as written here."""

from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import sample_path
from app.models import Article, Event
from app.models.happening import Happening

# A report: the sample line's id, its event's type and start day (unique within a sample).
Report = tuple[str, str, str]


@dataclass(frozen=True)
class Expected:
    type: str
    date_start: str
    reports: tuple[Report, ...]
    num_sources: int
    previews: tuple[Report, ...] = ()  # announced before it happened: role "preview"


VISIT = Expected(
    "visit",
    "2025-09-02",
    (
        ("sample-23", "visit", "2025-09-02"),  # the preview, published a week before
        ("sample-24", "visit", "2025-09-02"),
        ("sample-25", "visit", "2025-09-02"),
    ),
    num_sources=3,
    previews=(("sample-23", "visit", "2025-09-02"),),
)
VISIT_TALKS = Expected(
    "meeting",
    "2025-09-02",
    (
        ("sample-23", "meeting", "2025-09-02"),
        ("sample-24", "meeting", "2025-09-02"),
        ("sample-25", "meeting", "2025-09-02"),
    ),
    num_sources=3,
    previews=(("sample-23", "meeting", "2025-09-02"),),
)
EXERCISE_2024 = Expected(
    "exercise",
    "2024-06-04",
    (("sample-02", "exercise", "2024-06-04"), ("sample-26", "exercise", "2024-06-04")),
    num_sources=2,
)
EXERCISE_2025 = Expected(
    "exercise",
    "2025-06-02",
    (("sample-27", "exercise", "2025-06-02"), ("sample-28", "exercise", "2025-06-02")),
    num_sources=2,
)
# sample-30 is sample-29's wire story syndicated: its events are the wire's
SIGNING = Expected(
    "arms_transfer",
    "2024-06-12",
    (("sample-29", "arms_transfer", "2024-06-12"), ("sample-30", "arms_transfer", "2024-06-12")),
    num_sources=2,
)
SIGNING_QUOTE = Expected(
    "statement",
    "2024-06-12",
    (("sample-29", "statement", "2024-06-12"), ("sample-30", "statement", "2024-06-12")),
    num_sources=2,
)
DELIVERY = Expected(
    "arms_transfer",
    "2025-03-18",
    (("sample-31", "arms_transfer", "2025-03-18"), ("sample-32", "arms_transfer", "2025-03-18")),
    num_sources=2,
)
HAPPENINGS = {
    "visit": VISIT,
    "visit-talks": VISIT_TALKS,
    "exercise-2024": EXERCISE_2024,
    "exercise-2025": EXERCISE_2025,
    "signing": SIGNING,
    "signing-quote": SIGNING_QUOTE,
    "delivery": DELIVERY,
}
# Same type, same states, close in kind: other happenings all the same (the vetoes).
LOOK_ALIKES = {
    # the same minister's earlier visit, recalled in a report of the new one
    "earlier-visit": (VISIT, ("sample-25", "visit", "2024-11-01")),
    # one exercise name, two editions a year apart
    "next-edition": (EXERCISE_2024, EXERCISE_2025.reports[0]),
    "last-edition": (EXERCISE_2025, EXERCISE_2024.reports[0]),
    # one deal, two stages: signed, then the first ship delivered nine months later
    "delivery-of-the-deal": (SIGNING, DELIVERY.reports[0]),
    "signing-of-the-delivery": (DELIVERY, SIGNING.reports[0]),
}


@pytest.fixture
def events(client: TestClient, session: Session) -> dict[Report, Event]:
    """The samples loaded as `defcoop demo` loads them; their events by report."""
    body = client.post("/v1/articles/bulk", content=sample_path().read_bytes()).json()
    assert body["rejected"] == 0, body
    sample_of = {line["article_id"]: line["id"] for line in body["results"]}
    found: dict[Report, Event] = {}
    for event in session.scalars(select(Event)):
        start = event.date_start.isoformat() if event.date_start else ""
        report = (sample_of[event.article_id], event.type, start)
        assert report not in found, report  # the keys above name one event each
        found[report] = event
    return found


def _happening_of(events: dict[Report, Event], reports: tuple[Report, ...]) -> int:
    """The one happening every report's event belongs to."""
    ids = {events[report].happening_id for report in reports}
    assert len(ids) == 1, {r: events[r].happening_id for r in reports}
    happening_id = ids.pop()
    assert happening_id is not None, reports  # linked, not waiting to be
    return happening_id


def test_every_report_named_here_is_an_event_of_the_samples(events: dict[Report, Event]) -> None:
    named = {r for expected in HAPPENINGS.values() for r in expected.reports}
    named |= {look_alike for _, look_alike in LOOK_ALIKES.values()}
    assert named <= set(events), named - set(events)
    # the preview announces; the reports tell what happened
    assert {events[r].status for r in VISIT.previews + VISIT_TALKS.previews} == {"planned"}
    assert {events[r].status for r in VISIT.reports[1:] + VISIT_TALKS.reports[1:]} == {"reported"}
    assert {events[r].name for r in EXERCISE_2024.reports} == {"Steel Crescent-2024"}
    assert {events[r].name for r in EXERCISE_2025.reports} == {"Steel Crescent-2025"}


@pytest.mark.parametrize("name", HAPPENINGS)
def test_each_happening_holds_its_reports_and_no_others(
    name: str, events: dict[Report, Event], session: Session
) -> None:
    expected = HAPPENINGS[name]
    happening_id = _happening_of(events, expected.reports)
    members = {r for r, event in events.items() if event.happening_id == happening_id}
    assert members == set(expected.reports)
    happening = session.get(Happening, happening_id)
    assert happening is not None
    assert (happening.type, happening.date_start) == (
        expected.type,
        date.fromisoformat(expected.date_start),
    )
    assert happening.num_reports == len(expected.reports)
    assert happening.num_sources == expected.num_sources
    assert sum(events[r].is_lead for r in expected.reports) == 1
    roles = {r: events[r].happening_role for r in expected.reports}
    assert roles == {r: "preview" if r in expected.previews else "report" for r in roles}


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_look_alikes_are_other_happenings(name: str, events: dict[Report, Event]) -> None:
    expected, look_alike = LOOK_ALIKES[name]
    happening_id = _happening_of(events, expected.reports)
    assert events[look_alike].happening_id is not None
    assert events[look_alike].happening_id != happening_id


def test_the_syndicated_copy_is_the_one_copy_and_its_outlet_counts_once(
    events: dict[Report, Event], session: Session
) -> None:
    wire = events[SIGNING.reports[0]].article_id
    copy = events[SIGNING.reports[1]].article_id
    rows = session.execute(select(Article.id, Article.duplicate_of_id))
    assert {article: original for article, original in rows if original} == {copy: wire}
    for expected in (SIGNING, SIGNING_QUOTE):
        happening = session.get(Happening, events[expected.reports[0]].happening_id)
        assert happening is not None and happening.num_independent_sources == 1
