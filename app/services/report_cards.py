"""Reports as the linker compares them: each event's card, read in a few statements for many
events at once (its states, people, the names its article gives, its dates and outlet)."""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.linking.cards import Card
from app.linking.features import (
    content_words,
    dateline,
    day_hints,
    editions,
    name_stems,
    stage,
)
from app.models import Article, Entity, Event, EventParticipant, Mention

_THINGS = ("agreement", "equipment", "organization", "location")
# roles every state of an event holds alike: they set no state apart
_NO_SIDE = frozenset({"participant", "signatory"})
_OPENING = 120  # characters of an article's text a dateline is read from


@dataclass(frozen=True)
class Mark:
    """What an event's row says of its happening."""

    happening_id: int | None
    is_lead: bool
    role: str | None


def bounds(start: date, end: date | None, precision: str | None) -> tuple[date, date]:
    """The days a date allows: a month-precise date its whole month, a year its year."""
    if precision == "year":
        return date(start.year, 1, 1), date(start.year, 12, 31)
    if precision == "month":
        last = calendar.monthrange(start.year, start.month)[1]
        return start.replace(day=1), start.replace(day=last)
    return start, max(end or start, start)


def _day(moment: datetime | None) -> date | None:
    return moment.date() if moment is not None else None


def _last_day(moment: datetime | None, precision: str | None) -> date | None:
    """The last day a publication known only to the month or the year allows."""
    if moment is None or precision not in ("month", "year"):
        return None
    return bounds(moment.date(), None, precision)[1]


def read_cards(session: Session, ids: list[int]) -> dict[int, tuple[Card, Mark]]:
    """The cards of these events, with what their rows say of their happenings."""
    rows = session.execute(
        select(
            Event.id,
            Event.article_id,
            Event.type,
            Event.date_start,
            Event.date_end,
            Event.date_precision,
            Event.status,
            Event.name,
            Event.evidence,
            Event.happening_id,
            Event.is_lead,
            Event.happening_role,
            Article.published_at,
            Article.published_precision,
            Article.created_at,
            Article.source_id,
            Article.duplicate_of_id,
            Article.title,
            # where a dateline would be ("BAKU, Azerbaijan, Jan. 31"), read only where the
            # article has no publication date: the body is not loaded for the others
            case((Article.published_at.is_(None), func.substr(Article.body, 1, _OPENING))).label(
                "opening"
            ),
        )
        .join(Article, Article.id == Event.article_id)
        .where(Event.id.in_(ids))
    ).all()
    states: dict[int, set[str]] = defaultdict(set)
    people_in: dict[int, set[int]] = defaultdict(set)
    sides: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for event_id, code, kind, entity_id, role in session.execute(
        select(
            EventParticipant.event_id,
            Entity.code,
            Entity.kind,
            Entity.id,
            EventParticipant.role,
        )
        .join(Entity, Entity.id == EventParticipant.entity_id)
        .where(EventParticipant.event_id.in_(ids))
    ):
        if kind == "country" and code:
            states[event_id].add(code)
            if role and role not in _NO_SIDE:
                sides[event_id].add((role, code))
        elif kind == "person":
            people_in[event_id].add(entity_id)
    articles = {row.article_id: row.title for row in rows}
    named: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for article_id, entity_id, kind in session.execute(
        select(Mention.article_id, Entity.id, Entity.kind)
        .join(Entity, Entity.id == Mention.entity_id)
        .where(Mention.article_id.in_(articles), Entity.kind.in_(("person", *_THINGS)))
        .distinct()
    ):
        named[article_id][kind].add(entity_id)
    # what an article gives all its reports, worked out once per article, not once per report
    # (a dense article has a dozen): the things and people it names, its title's words and names
    things = {a: frozenset(set().union(*(named[a][k] for k in _THINGS))) for a in articles}
    people = {a: frozenset(named[a]["person"]) for a in articles}
    titles = {a: content_words(title) for a, title in articles.items()}
    title_names = {a: name_stems(title) for a, title in articles.items()}
    found: dict[int, tuple[Card, Mark]] = {}
    for (
        event_id,
        article_id,
        kind,
        date_start,
        date_end,
        precision,
        status,
        name,
        evidence,
        happening_id,
        is_lead,
        role,
        published_at,
        published_precision,
        created_at,
        source_id,
        duplicate_of_id,
        _title,
        opening,
    ) in rows:
        lo = hi = None
        if date_start is not None:
            lo, hi = bounds(date_start, date_end, precision)
        day_hint, weekday = day_hints(evidence) if lo is None else (None, None)
        own = people_in.get(event_id)
        card = Card(
            event_id=event_id,
            article_id=article_id,
            type=kind,
            states=frozenset(states.get(event_id, ())),
            lo=lo,
            hi=hi,
            precision=precision if lo else None,
            published=_day(published_at),
            published_last=_last_day(published_at, published_precision),
            dateline=dateline(opening) if published_at is None else None,
            day_hint=day_hint,
            weekday=weekday,
            status=status or "reported",
            source=source_id,
            copy_of=duplicate_of_id,
            people=people[article_id] | own if own else people[article_id],
            things=things[article_id],
            words=titles[article_id] | content_words(evidence),
            names=title_names[article_id] | name_stems(evidence),
            editions=editions(name),
            stage=stage(kind, evidence),
            sides=frozenset(sides.get(event_id, ())),
            name=name,
            moment=published_at or created_at,
        )
        found[event_id] = (card, Mark(happening_id, bool(is_lead), role))
    return found
