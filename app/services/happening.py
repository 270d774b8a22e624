"""Linking reports into happenings, in the transaction that stores them.

Each new event is compared with the happenings of its type that share a state and whose days
overlap its own (HappeningState, by index): it joins the one whose reports it matches best on
average, vetoes aside (app.linking.compare), or starts a new one. Events are placed in id
order, so `recluster`, which replays every event in that order, gives what the incremental
path gave. Analysts' decisions are applied as constraints on the same replay.
"""

from collections.abc import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.errors import ValidationFailed
from app.models import Event, Happening, HappeningDecision, HappeningDecisionReport, HappeningState
from app.services.linker import Key, Linker


def happenings_of_articles(session: Session, *, article_ids: list[int]) -> set[int]:
    """The happenings these articles' events belong to (read before their events go)."""
    if not article_ids:
        return set()
    return set(
        session.scalars(
            select(Event.happening_id)
            .where(Event.article_id.in_(article_ids), Event.happening_id.is_not(None))
            .distinct()
        )
    )


def relink(session: Session, *, article_ids: list[int], left: Iterable[int] = ()) -> None:
    """Link these articles' unlinked events, after reports left the happenings `left` (their
    articles deleted, updated or re-extracted): each of those is replayed from its remaining
    reports, so none is held together by a report that is gone."""
    linker = Linker(session)
    for happening_id in sorted(set(left)):
        remaining = linker.members_of(happening_id)
        linker.members[happening_id] = remaining[:1]
        linker.refresh(happening_id)
        for event_id in remaining[1:]:
            linker.place(event_id)
    new = list(
        session.scalars(
            select(Event.id)
            .where(Event.article_id.in_(article_ids), Event.happening_id.is_(None))
            .order_by(Event.id)
        )
    )
    linker.prefetch(new)
    for event_id in new:
        linker.place(event_id)
    linker.flush()


def recluster(session: Session) -> int:
    """Link every event again from the rows, in id order, keeping each happening's id where
    its first report still starts it; the number of happenings."""
    previous = dict(session.execute(select(Event.id, Event.happening_id)).all())
    session.execute(delete(HappeningState))
    session.execute(
        update(Event).values(happening_id=None).execution_options(synchronize_session=False)
    )
    session.expire_all()
    linker = Linker(session)
    used: set[int] = set()
    ids = sorted(previous)
    for at in range(0, len(ids), 2000):
        linker.prefetch(ids[at : at + 2000])
        for event_id in ids[at : at + 2000]:
            old = previous[event_id]
            used.add(linker.place(event_id, reuse=old if old not in used else None))
        linker.flush()
    for happening in session.scalars(select(Happening).where(Happening.id.not_in(used))):
        session.delete(happening)  # each with its entry in the change feed
    session.flush()
    return len(used)


def _keys(session: Session, event_ids: Iterable[int]) -> set[Key]:
    ids = list(event_ids)
    if not ids:
        return set()
    return {
        (article_id, kind)
        for article_id, kind in session.execute(
            select(Event.article_id, Event.type).where(Event.id.in_(ids))
        )
    }


def _decide(
    session: Session,
    *,
    action: str,
    happening_id: int,
    sides: dict[str, set[Key]],
    actor: str | None,
    note: str | None,
) -> HappeningDecision:
    decision = HappeningDecision(action=action, happening_id=happening_id, actor=actor, note=note)
    decision.reports = [
        HappeningDecisionReport(article_id=article_id, type=kind, side=side)
        for side, keys in sorted(sides.items())
        for article_id, kind in sorted(keys)
    ]
    session.add(decision)
    session.flush()
    return decision


def merge_happenings(
    session: Session,
    *,
    happening: Happening,
    other: Happening,
    actor: str | None = None,
    note: str | None = None,
) -> Happening:
    """Fold `other` into `happening`, and keep the decision: their reports stay together
    through re-extraction and re-clustering."""
    if other.id == happening.id:
        raise ValidationFailed("A happening cannot be merged with itself.", field="happening_id")
    if other.type != happening.type:
        raise ValidationFailed(
            f"Happening {other.id} is a {other.type}, and {happening.id} a {happening.type}:"
            " only happenings of one type merge.",
            field="happening_id",
        )
    linker = Linker(session)
    moved = linker.members_of(other.id)
    _decide(
        session,
        action="merge",
        happening_id=happening.id,
        sides={"a": _keys(session, [*linker.members_of(happening.id), *moved])},
        actor=actor,
        note=note,
    )
    linker.decided()
    linker.load([*moved, *linker.members_of(happening.id)])
    linker.move(list(moved), happening.id)
    linker.flush()
    return happening


def split_happening(
    session: Session,
    *,
    happening: Happening,
    event_ids: list[int],
    actor: str | None = None,
    note: str | None = None,
) -> Happening:
    """Move these reports of `happening` to a new happening of their own, and keep the
    decision: they stay apart from the rest through re-extraction and re-clustering."""
    linker = Linker(session)
    members = linker.members_of(happening.id)
    chosen = sorted(set(event_ids))
    strangers = [i for i in chosen if i not in members]
    if strangers:
        raise ValidationFailed(
            f"Events {strangers} are not reports of happening {happening.id}.", field="events"
        )
    rest = [i for i in members if i not in chosen]
    if not chosen or not rest:
        raise ValidationFailed(
            "Name some of the happening's reports, not none and not all of them.", field="events"
        )
    moving, staying = _keys(session, chosen), _keys(session, rest)
    if moving & staying:
        raise ValidationFailed(
            "An article's reports of one type move together: name all of them or none.",
            field="events",
        )
    linker.load(members)
    fresh_id = linker.new_happening(happening.type)
    linker.move(chosen, fresh_id)
    linker.flush()
    _decide(
        session,
        action="split",
        happening_id=happening.id,
        sides={"a": moving, "b": staying},
        actor=actor,
        note=note,
    )
    fresh = session.get(Happening, fresh_id)
    assert fresh is not None
    return fresh
