"""Happenings read: get, list, their reports and the decisions about them, and the happenings
of a page of articles. (Linking, merging and splitting are app.services.happening.)"""

from collections.abc import Collection

from sqlalchemy import Row, and_, bindparam, select
from sqlalchemy.orm import Session, lazyload

from app.errors import NotFound
from app.kit.pagination import Keyset, paginate, parse_utc_datetime
from app.models import Article, Event, Happening, HappeningDecision, HappeningDecisionReport
from app.schemas.filters import HappeningFilters
from app.services.event import listed_events


def get_happening(session: Session, *, happening_id: int) -> Happening:
    """The happening with that id, or NotFound."""
    happening = session.get(Happening, happening_id)
    if happening is None:
        raise NotFound(
            f"No happening with id {happening_id}.", field="happening_id", location="path"
        )
    return happening


def find_happening(session: Session, *, happening_id: int) -> Happening | None:
    """The happening with that id, if there is one."""
    return session.get(Happening, happening_id)


def list_happenings(
    session: Session, *, filters: HappeningFilters, sort: str, limit: int, cursor: str | None
) -> tuple[list[Row[Event, Happening]], str | None]:
    """Happenings whose leading report matches the event filters, as (lead, happening) rows,
    in the event list's date order and cursors (the lead's date is the happening's)."""
    stmt, keyset = listed_events(filters, sort=sort)
    stmt = (
        stmt.where(Event.is_lead)
        .join(Happening, Happening.id == Event.happening_id)
        .add_columns(Happening)
    )
    for column, least in (
        (Happening.num_reports, filters.min_reports),
        (Happening.num_sources, filters.min_sources),
        (Happening.num_independent_sources, filters.min_independent_sources),
    ):
        if least is not None:
            stmt = stmt.where(column >= least)
    return paginate(
        stmt,
        keyset=keyset,
        limit=limit,
        cursor=cursor,
        run=lambda query: session.execute(query).all(),
        key_of=lambda row: (row[0].date_start, row[0].id),
    )


def happening_lead(session: Session, *, happening: Happening) -> Event | None:
    """The event that leads the happening (None only while it is being linked)."""
    return session.scalars(
        select(Event).where(Event.happening_id == happening.id, Event.is_lead).limit(1)
    ).first()


def list_reports(
    session: Session, *, happening: Happening, limit: int, cursor: str | None
) -> tuple[list[Row[Event, Article]], str | None]:
    """The happening's reports with their articles, the earliest published first,
    keyset-paginated."""
    keyset = Keyset.by("published_at", Article.published_at, Event.id, parse_utc_datetime)
    stmt = (
        select(Event)
        .add_columns(Article)  # added, not selected with Event: paginate's Select[Any]
        .join(Article, Article.id == Event.article_id)
        .where(Event.happening_id == happening.id)
        # a report shows its article and sentence, not its participants or place
        .options(lazyload(Event.participants), lazyload(Event.location))
    )
    return paginate(
        stmt,
        keyset=keyset,
        limit=limit,
        cursor=cursor,
        run=lambda query: session.execute(query).all(),
        key_of=lambda row: (row[1].published_at, row[0].id),
    )


def happening_decisions(session: Session, *, happening: Happening) -> list[HappeningDecision]:
    """The decisions that name one of the happening's reports (an article's report of one
    type), oldest first."""
    # from the happening's few events to the decisions naming them (both by index), not from
    # every decision ever made
    named = (
        select(HappeningDecisionReport.decision_id)
        .join(
            Event,
            and_(
                Event.article_id == HappeningDecisionReport.article_id,
                Event.type == HappeningDecisionReport.type,
            ),
        )
        .where(Event.happening_id == happening.id)
    )
    stmt = (
        select(HappeningDecision)
        .where(HappeningDecision.id.in_(named))
        .order_by(HappeningDecision.at, HappeningDecision.id)
    )
    return list(session.scalars(stmt))


# Built once: every page of articles asks it (building it cost as much as running it)
_OF_ARTICLES = (
    select(Event.article_id, Event.happening_id)
    .where(Event.article_id.in_(bindparam("ids", expanding=True)), Event.happening_id.is_not(None))
    .distinct()
    .order_by(Event.article_id, Event.happening_id)
)


def article_happenings(session: Session, *, article_ids: Collection[int]) -> dict[int, list[int]]:
    """The happenings each article's events report (ids ascending), for a page in one statement."""
    found: dict[int, list[int]] = {}
    if not article_ids:
        return found
    for article_id, happening_id in session.execute(_OF_ARTICLES, {"ids": list(article_ids)}):
        if happening_id is not None:  # as the statement says; for the type checker
            found.setdefault(article_id, []).append(happening_id)
    return found
