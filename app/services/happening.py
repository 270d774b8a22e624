"""Linking reports into happenings, in the transaction that stores them.

Each new event is compared with the happenings of its type that share a state and whose days
overlap its own (HappeningState, by index): it joins the one whose reports it matches best on
average, vetoes aside (app.linking.compare), or starts a new one. Events are placed in id
order, so `recluster`, which replays every event in that order, gives what the incremental
path gave. Analysts' decisions are applied as constraints on the same replay.
"""

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, tuple_, update
from sqlalchemy.orm import Session

from app.errors import ValidationFailed
from app.linking.cards import Card
from app.linking.compare import PUBLISHED_AFTER, PUBLISHED_BEFORE, joins, shift
from app.linking.features import content_words, editions, stage
from app.models import (
    Article,
    Entity,
    Event,
    EventParticipant,
    Happening,
    HappeningDecision,
    HappeningDecisionReport,
    HappeningState,
    Mention,
)

# A report published this long after its happening's last day mentions it in passing.
BACKGROUND_AFTER = timedelta(days=30)
# bounds the reading of a card nothing places in time: the most recent happenings only
UNPLACED_CANDIDATES = 200
_PRECISION_RANK = {"day": 3, "month": 2, "year": 1}
_THINGS = ("agreement", "equipment", "organization", "location")
Key = tuple[int, str]  # a report, as decisions name it: (article id, event type)


def _bounds(start: date | None, end: date | None, precision: str | None) -> tuple[date, date]:
    assert start is not None
    if precision == "year":
        return date(start.year, 1, 1), date(start.year, 12, 31)
    if precision == "month":
        last = calendar.monthrange(start.year, start.month)[1]
        return start.replace(day=1), start.replace(day=last)
    return start, max(end or start, start)


def _day(moment: datetime | None) -> date | None:
    return moment.date() if moment is not None else None


class Linker:
    """One transaction's linking: cards and decisions read once, happenings refreshed once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cards: dict[int, Card] = {}
        self.members: dict[int, list[int]] = {}  # happening id -> event ids, as loaded
        self.touched: set[int] = set()

    # -- reading ---------------------------------------------------------------------------

    def load(self, event_ids: Iterable[int]) -> list[Card]:
        """Cards for these events (cached for the transaction), in id order."""
        wanted = sorted(set(event_ids) - self.cards.keys())
        for at in range(0, len(wanted), 500):
            self._load(wanted[at : at + 500])
        return [self.cards[i] for i in sorted(set(event_ids)) if i in self.cards]

    def _load(self, ids: list[int]) -> None:
        session = self.session
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
                Article.published_at,
                Article.source_id,
                Article.duplicate_of_id,
                Article.title,
            )
            .join(Article, Article.id == Event.article_id)
            .where(Event.id.in_(ids))
        ).all()
        states: dict[int, set[str]] = defaultdict(set)
        people_in: dict[int, set[int]] = defaultdict(set)
        for event_id, code, kind, entity_id in session.execute(
            select(EventParticipant.event_id, Entity.code, Entity.kind, Entity.id)
            .join(Entity, Entity.id == EventParticipant.entity_id)
            .where(EventParticipant.event_id.in_(ids))
        ):
            if kind == "country" and code:
                states[event_id].add(code)
            elif kind == "person":
                people_in[event_id].add(entity_id)
        articles = {row.article_id for row in rows}
        named: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        names: dict[int, list[str]] = defaultdict(list)
        for article_id, entity_id, kind, name in session.execute(
            select(Mention.article_id, Entity.id, Entity.kind, Entity.name)
            .join(Entity, Entity.id == Mention.entity_id)
            .where(Mention.article_id.in_(articles), Entity.kind.in_(("person", *_THINGS)))
            .distinct()
        ):
            named[article_id][kind].add(entity_id)
            if kind in ("agreement", "organization"):
                names[article_id].append(name)
        for row in rows:
            lo = hi = None
            if row.date_start is not None:
                lo, hi = _bounds(row.date_start, row.date_end, row.date_precision)
            kinds = named[row.article_id]
            self.cards[row.id] = Card(
                event_id=row.id,
                article_id=row.article_id,
                type=row.type,
                states=frozenset(states[row.id]),
                lo=lo,
                hi=hi,
                precision=row.date_precision if lo else None,
                published=_day(row.published_at),
                status=row.status or "reported",
                source=row.source_id,
                copy_of=row.duplicate_of_id,
                people=frozenset(kinds["person"] | people_in[row.id]),
                things=frozenset(set().union(*(kinds[k] for k in _THINGS))),
                words=content_words(row.title, row.evidence),
                editions=editions(row.name),
                stage=stage(row.type, row.evidence),
                happening_id=row.happening_id,
            )

    def members_of(self, happening_id: int) -> list[int]:
        if happening_id not in self.members:
            self.members[happening_id] = list(
                self.session.scalars(
                    select(Event.id).where(Event.happening_id == happening_id).order_by(Event.id)
                )
            )
        return self.members[happening_id]

    def candidates(self, card: Card) -> list[int]:
        """Happenings of the card's type sharing one of its states, whose days reach its own
        or are unknown. A card nothing places in time sees the latest UNPLACED_CANDIDATES."""
        if not card.states:
            return []
        found = (
            select(HappeningState.happening_id)
            .where(
                HappeningState.type == card.type,
                HappeningState.state.in_(sorted(card.states)),
            )
            .distinct()
        )
        if card.lo and card.hi:
            lo, hi = shift(card.lo, -PUBLISHED_AFTER), shift(card.hi, PUBLISHED_BEFORE)
        elif card.published:
            lo, hi = (
                shift(card.published, -PUBLISHED_BEFORE),
                shift(card.published, PUBLISHED_AFTER),
            )
        else:
            found = found.order_by(HappeningState.happening_id.desc()).limit(UNPLACED_CANDIDATES)
            return sorted(self.session.scalars(found))
        placed = and_(
            HappeningState.day_lo <= hi,
            HappeningState.day_lo >= shift(lo, -timedelta(days=400)),  # the index's range
            HappeningState.day_hi >= lo,
        )
        return sorted(
            self.session.scalars(found.where(or_(HappeningState.day_lo.is_(None), placed)))
        )

    def verdicts(self, key: Key) -> dict[Key, bool]:
        """What analysts decided about this report: other reports it belongs with (True) or
        apart from (False), the latest decision about a pair winning."""
        session = self.session
        decision_ids = list(
            session.scalars(
                select(HappeningDecisionReport.decision_id).where(
                    HappeningDecisionReport.article_id == key[0],
                    HappeningDecisionReport.type == key[1],
                )
            )
        )
        if not decision_ids:
            return {}
        found: dict[Key, bool] = {}
        for decision in session.scalars(
            select(HappeningDecision)
            .where(HappeningDecision.id.in_(decision_ids))
            .order_by(HappeningDecision.id)
        ):
            sides = {(r.article_id, r.type): r.side for r in decision.reports}
            mine = sides.get(key)
            for other, side in sides.items():
                if other != key:
                    found[other] = decision.action == "merge" or side == mine
        return found

    # -- placing ---------------------------------------------------------------------------

    def place(self, event_id: int, *, reuse: int | None = None) -> int:
        """Put one event in the happening it belongs to (a new one when none fits); its id.
        `reuse`: the id to give a new happening, when free (recluster keeps ids stable)."""
        card = self.load([event_id])[0]
        verdicts = self.verdicts((card.article_id, card.type))
        candidates = set(self.candidates(card))
        if any(verdicts.values()):
            candidates |= set(self._happenings_of([k for k, same in verdicts.items() if same]))
        best: tuple[float, int] | None = None
        for happening_id in sorted(candidates):
            members = [
                m for m in self.load(self.members_of(happening_id)) if m.event_id != event_id
            ]
            if not members:
                continue
            keys = {(m.article_id, m.type) for m in members}
            if any(verdicts.get(k) is False for k in keys):
                continue
            forced = any(verdicts.get(k) for k in keys) and all(
                m.type == card.type for m in members
            )
            mean = 2.0 if forced else joins(card, members)
            if mean is not None and (best is None or mean > best[0]):
                best = (mean, happening_id)
        target = best[1] if best is not None else self._new(card, reuse)
        self._attach(card, target)
        return target

    def _happenings_of(self, keys: list[Key]) -> list[int]:
        if not keys:
            return []
        return list(
            self.session.scalars(
                select(Event.happening_id)
                .where(
                    tuple_(Event.article_id, Event.type).in_(keys),
                    Event.happening_id.is_not(None),
                )
                .distinct()
            )
        )

    def _new(self, card: Card, reuse: int | None) -> int:
        session = self.session
        if reuse is not None and session.get(Happening, reuse) is not None:
            return reuse  # its fields are written again by refresh
        happening = Happening(type=card.type)
        session.add(happening)
        session.flush()
        return happening.id

    def _attach(self, card: Card, happening_id: int) -> None:
        old = self.cards[card.event_id].happening_id
        if old is not None and old != happening_id and old in self.members:
            self.members[old] = [m for m in self.members[old] if m != card.event_id]
            self.touched.add(old)
        self.session.execute(
            update(Event)
            .where(Event.id == card.event_id)
            .values(happening_id=happening_id, is_lead=False)
        )
        self.cards[card.event_id] = _with_happening(card, happening_id)
        members = self.members_of(happening_id)
        if card.event_id not in members:
            members.append(card.event_id)
            members.sort()
        self.refresh(happening_id)

    # -- keeping a happening's own fields --------------------------------------------------

    def refresh(self, happening_id: int) -> None:
        """A happening's lead, date, roles, counts and index rows, from its reports; deleted
        when none is left."""
        session = self.session
        happening = session.get(Happening, happening_id)
        ids = self.members_of(happening_id)
        session.execute(delete(HappeningState).where(HappeningState.happening_id == happening_id))
        if not ids:
            if happening is not None:
                session.delete(happening)
            self.members.pop(happening_id, None)
            return
        if happening is None:
            happening = Happening(id=happening_id)
            session.add(happening)
        cards = self.load(ids)
        lead = min(
            cards,
            key=lambda c: (
                -_PRECISION_RANK.get(c.precision or "", 0),
                c.published or date.max,
                c.event_id,
            ),
        )
        session.execute(
            update(Event)
            .where(Event.happening_id == happening_id, Event.is_lead != (Event.id == lead.event_id))
            .values(is_lead=Event.id == lead.event_id)
            .execution_options(synchronize_session="fetch")
        )
        happening.type = lead.type
        happening.name = session.scalar(select(Event.name).where(Event.id == lead.event_id))
        published = sorted(c.published for c in cards if c.published)
        if lead.lo:
            happening.date_start, happening.date_precision = lead.lo, lead.precision
            happening.date_end = lead.hi if lead.precision == "day" and lead.hi != lead.lo else None
            happening.date_basis = "reported"
        elif published:
            happening.date_start, happening.date_end = published[0], None
            happening.date_precision, happening.date_basis = "day", "published"
        else:
            happening.date_start = happening.date_end = happening.date_precision = None
            happening.date_basis = None
        self._roles(happening, cards)
        self._counts(happening, cards)
        starts = [d for d in (c.anchor() for c in cards) if d]
        ends = [d for d in (c.hi or c.published for c in cards) if d]
        days_lo, days_hi = min(starts, default=None), max(ends, default=None)
        session.add_all(
            HappeningState(
                happening_id=happening_id, state=s, type=lead.type, day_lo=days_lo, day_hi=days_hi
            )
            for s in sorted(set().union(*(c.states for c in cards)))
        )
        session.flush()

    def _roles(self, happening: Happening, cards: list[Card]) -> None:
        start = happening.date_start if happening.date_basis == "reported" else None
        last = happening.date_end or start
        by_role: dict[str, list[int]] = defaultdict(list)
        for card in cards:
            role = "report"
            if card.status == "planned" or (start and card.published and card.published < start):
                role = "preview"
            elif last and card.published and card.published > shift(last, BACKGROUND_AFTER):
                role = "background"
            by_role[role].append(card.event_id)
        for role, ids in by_role.items():
            self.session.execute(
                update(Event)
                .where(Event.id.in_(ids), Event.happening_role.is_distinct_from(role))
                .values(happening_role=role)
                .execution_options(synchronize_session="fetch")
            )

    def _counts(self, happening: Happening, cards: list[Card]) -> None:
        articles = {c.article_id: c for c in cards}
        happening.num_reports = len(articles)
        happening.num_sources = len({c.source for c in articles.values() if c.source})
        # a copy counts with its original's outlet: one wire story is one independent source
        originals = {c.copy_of for c in articles.values() if c.copy_of}
        outlet_of = dict(
            self.session.execute(
                select(Article.id, Article.source_id).where(Article.id.in_(originals))
            ).all()
        )
        happening.num_independent_sources = len(
            {
                ("outlet", outlet_of.get(c.copy_of) if c.copy_of else c.source)
                if (outlet_of.get(c.copy_of) if c.copy_of else c.source)
                else ("story", c.story)
                for c in articles.values()
            }
        )
        moments = [
            m
            for m in self.session.scalars(
                select(func.coalesce(Article.published_at, Article.created_at)).where(
                    Article.id.in_(articles)
                )
            )
            if m is not None
        ]
        happening.first_reported_at = min(moments) if moments else None
        happening.last_reported_at = max(moments) if moments else None


def _with_happening(card: Card, happening_id: int) -> Card:
    return replace(card, happening_id=happening_id)


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
        if len(remaining) <= 1:
            linker.refresh(happening_id)
            continue
        session.execute(
            update(Event)
            .where(Event.id.in_(remaining[1:]))
            .values(happening_id=None)
            .execution_options(synchronize_session="fetch")
        )
        for event_id in remaining[1:]:
            linker.cards.pop(event_id, None)
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
    for event_id in new:
        linker.place(event_id)


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
    for event_id in sorted(previous):
        old = previous[event_id]
        placed = linker.place(event_id, reuse=old if old not in used else None)
        used.add(placed)
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
    session.execute(
        update(Event)
        .where(Event.happening_id == other.id)
        .values(happening_id=happening.id)
        .execution_options(synchronize_session="fetch")
    )
    linker.members[happening.id] = sorted([*linker.members_of(happening.id), *moved])
    linker.members[other.id] = []
    linker.refresh(other.id)
    linker.refresh(happening.id)
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
    fresh = Happening(type=happening.type)
    session.add(fresh)
    session.flush()
    _decide(
        session,
        action="split",
        happening_id=happening.id,
        sides={"a": moving, "b": staying},
        actor=actor,
        note=note,
    )
    session.execute(
        update(Event)
        .where(Event.id.in_(chosen))
        .values(happening_id=fresh.id)
        .execution_options(synchronize_session="fetch")
    )
    linker.members[happening.id], linker.members[fresh.id] = rest, chosen
    linker.refresh(happening.id)
    linker.refresh(fresh.id)
    return fresh
