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
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, tuple_, update
from sqlalchemy.orm import Session

from app.db.base import utcnow
from app.db.changefeed import insert_created, note_changes
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
_FIELDS = (
    "type",
    "name",
    "date_start",
    "date_end",
    "date_precision",
    "date_basis",
    "num_reports",
    "num_sources",
    "num_independent_sources",
    "first_reported_at",
    "last_reported_at",
)
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
    """One transaction's linking: cards, memberships and what is stored read once, and only
    what changes written."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cards: dict[int, Card] = {}
        self.members: dict[int, list[int]] = {}  # happening id -> event ids, in id order
        # each loaded event's stored (happening id, is_lead, role), to write only changes
        self.stored: dict[int, tuple[int | None, bool, str | None]] = {}
        self.states: dict[int, tuple[tuple[str, ...], date | None, date | None]] = {}
        self.fields: dict[int, dict[str, Any] | None] = {}  # happening id -> stored fields
        self.where: dict[int, int] = {}  # event id -> the happening it is a member of here
        self.created: set[int] = set()
        self._decided: bool | None = None

    # -- reading ---------------------------------------------------------------------------

    def load(self, event_ids: Iterable[int]) -> list[Card]:
        """Cards for these events (cached for the transaction), in id order."""
        ids = sorted(set(event_ids))
        wanted = [i for i in ids if i not in self.cards]
        for at in range(0, len(wanted), 500):
            self._load(wanted[at : at + 500])
        return [self.cards[i] for i in ids if i in self.cards]

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
                Event.is_lead,
                Event.happening_role,
                Article.published_at,
                Article.created_at,
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
        for article_id, entity_id, kind in session.execute(
            select(Mention.article_id, Entity.id, Entity.kind)
            .join(Entity, Entity.id == Mention.entity_id)
            .where(Mention.article_id.in_(articles), Entity.kind.in_(("person", *_THINGS)))
            .distinct()
        ):
            named[article_id][kind].add(entity_id)
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
                name=row.name,
                moment=row.published_at or row.created_at,
            )
            self.stored[row.id] = (row.happening_id, bool(row.is_lead), row.happening_role)

    def members_of(self, happening_id: int) -> list[int]:
        if happening_id not in self.members:
            self.members[happening_id] = list(
                self.session.scalars(
                    select(Event.id).where(Event.happening_id == happening_id).order_by(Event.id)
                )
            )
            for event_id in self.members[happening_id]:
                self.where.setdefault(event_id, happening_id)
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
            lo = shift(card.published, -PUBLISHED_BEFORE)
            hi = shift(card.published, PUBLISHED_AFTER)
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
        if self._decided is None:
            self._decided = session.scalar(select(HappeningDecisionReport.id).limit(1)) is not None
        if not self._decided:
            return {}
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

    def decided(self) -> None:
        """A decision was added in this transaction: read decisions from now on."""
        self._decided = True

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
        self.move([event_id], target)
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
        if reuse is not None and self._fields(reuse) is not None:
            self.members[reuse] = []
            return reuse  # its fields are written again by refresh
        row = {"type": card.type, "num_reports": 0, "num_sources": 0, "num_independent_sources": 0}
        [happening_id] = insert_created(self.session, Happening, [row])
        self.created.add(happening_id)
        self.fields[happening_id] = {c: None for c in _FIELDS} | {"type": card.type}
        self.members[happening_id] = []
        return happening_id

    def move(self, event_ids: list[int], happening_id: int) -> None:
        """Make these (loaded) events reports of one happening; refresh what they left and
        what they joined."""
        left: set[int] = set()
        for event_id in event_ids:
            other = self.where.get(event_id)
            if other is not None and other != happening_id and other in self.members:
                self.members[other].remove(event_id)
                left.add(other)
            self.where[event_id] = happening_id
        members = self.members_of(happening_id)
        self.members[happening_id] = sorted(set(members) | set(event_ids))
        for other in sorted(left):
            self.refresh(other)
        self.refresh(happening_id)

    def _fields(self, happening_id: int) -> dict[str, Any] | None:
        """A happening's stored fields (read once), or None when there is no such row."""
        if happening_id not in self.fields:
            row = self.session.execute(
                select(*(getattr(Happening, c) for c in _FIELDS)).where(
                    Happening.id == happening_id
                )
            ).first()
            self.fields[happening_id] = dict(zip(_FIELDS, row, strict=True)) if row else None
        return self.fields[happening_id]

    def _expire(self, model: type[Any], ids: Iterable[int]) -> None:
        """Rows written in Core: a mapped object already loaded in the session reads again."""
        for object_id in ids:
            loaded = self.session.identity_map.get(self.session.identity_key(model, object_id))
            if loaded is not None:
                self.session.expire(loaded)

    # -- keeping a happening's own fields --------------------------------------------------

    def refresh(self, happening_id: int) -> None:
        """A happening's lead, date, roles, counts and index rows, from its reports; deleted
        when none is left. Only what changed is written (with its change-feed entry)."""
        session = self.session
        ids = self.members_of(happening_id)
        if not ids:
            self._index(happening_id, None)
            if self._fields(happening_id) is not None:
                session.execute(delete(Happening).where(Happening.id == happening_id))
                note_changes(session, "happening", [happening_id], "deleted")
                self._expire(Happening, [happening_id])
                self.fields[happening_id] = None
            self.members.pop(happening_id, None)
            return
        cards = self.load(ids)
        lead = min(
            cards,
            key=lambda c: (
                -_PRECISION_RANK.get(c.precision or "", 0),
                c.published or date.max,
                c.event_id,
            ),
        )
        wanted: dict[str, Any] = {"type": lead.type, "name": lead.name}
        published = sorted(c.published for c in cards if c.published)
        if lead.lo:
            wanted |= {
                "date_start": lead.lo,
                "date_end": lead.hi if lead.precision == "day" and lead.hi != lead.lo else None,
                "date_precision": lead.precision,
                "date_basis": "reported",
            }
        elif published:
            wanted |= {
                "date_start": published[0],
                "date_end": None,
                "date_precision": "day",
                "date_basis": "published",
            }
        else:
            wanted |= dict.fromkeys(("date_start", "date_end", "date_precision", "date_basis"))
        wanted |= self._counts(cards)
        stored = self._fields(happening_id)
        if stored != wanted:
            session.execute(
                update(Happening)
                .where(Happening.id == happening_id)
                .values(**wanted, updated_at=utcnow())
            )
            if stored is not None and happening_id not in self.created:  # else: "created"
                note_changes(session, "happening", [happening_id], "updated")
            self._expire(Happening, [happening_id])
            self.fields[happening_id] = wanted
        self._marks(happening_id, wanted, cards, lead)
        starts = [d for d in (c.anchor() for c in cards) if d]
        ends = [d for d in (c.hi or c.published for c in cards) if d]
        states = tuple(sorted(set().union(*(c.states for c in cards))))
        self._index(happening_id, (states, min(starts, default=None), max(ends, default=None)))

    def _index(
        self,
        happening_id: int,
        rows: tuple[tuple[str, ...], date | None, date | None] | None,
    ) -> None:
        """Write a happening's HappeningState rows when they change (None: remove them)."""
        if happening_id in self.states and self.states[happening_id] == rows:
            return
        session = self.session
        session.execute(delete(HappeningState).where(HappeningState.happening_id == happening_id))
        if rows is not None:
            states, day_lo, day_hi = rows
            fields = self.fields.get(happening_id)
            assert fields is not None
            if states:
                session.execute(
                    insert(HappeningState),
                    [
                        {
                            "happening_id": happening_id,
                            "state": s,
                            "type": fields["type"],
                            "day_lo": day_lo,
                            "day_hi": day_hi,
                        }
                        for s in states
                    ],
                )
            self.states[happening_id] = rows
        else:
            self.states.pop(happening_id, None)

    def _marks(
        self, happening_id: int, fields: dict[str, Any], cards: list[Card], lead: Card
    ) -> None:
        """Each report's happening, lead flag and role, written where they change."""
        start = fields["date_start"] if fields["date_basis"] == "reported" else None
        last = fields["date_end"] or start
        changes: dict[tuple[bool, str], list[int]] = defaultdict(list)
        for card in cards:
            role = "report"
            if card.status == "planned" or (start and card.published and card.published < start):
                role = "preview"
            elif last and card.published and card.published > shift(last, BACKGROUND_AFTER):
                role = "background"
            wanted = (happening_id, card.event_id == lead.event_id, role)
            if self.stored.get(card.event_id) != wanted:
                changes[wanted[1:]].append(card.event_id)
                self.stored[card.event_id] = wanted
        for (is_lead, role), ids in sorted(changes.items()):
            self.session.execute(
                update(Event)
                .where(Event.id.in_(ids))
                .values(happening_id=happening_id, is_lead=is_lead, happening_role=role)
                .execution_options(synchronize_session=False)
            )
            self._expire(Event, ids)

    def _counts(self, cards: list[Card]) -> dict[str, Any]:
        articles = {c.article_id: c for c in cards}
        # a copy counts with its original's outlet: one wire story is one independent source
        originals = {c.copy_of for c in articles.values() if c.copy_of}
        outlet_of: dict[int, int | None] = {}
        if originals:
            outlet_of = {
                article_id: source_id
                for article_id, source_id in self.session.execute(
                    select(Article.id, Article.source_id).where(Article.id.in_(originals))
                )
            }
        stories = set()
        for c in articles.values():
            outlet = outlet_of.get(c.copy_of) if c.copy_of else c.source
            stories.add(("outlet", outlet) if outlet else ("story", c.story))
        moments = [c.moment for c in articles.values() if c.moment is not None]
        return {
            "num_reports": len(articles),
            "num_sources": len({c.source for c in articles.values() if c.source}),
            "num_independent_sources": len(stories),
            "first_reported_at": min(moments, default=None),
            "last_reported_at": max(moments, default=None),
        }


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
    linker.load(new)
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
    ids = sorted(previous)
    for at in range(0, len(ids), 2000):
        linker.load(ids[at : at + 2000])
        for event_id in ids[at : at + 2000]:
            old = previous[event_id]
            used.add(linker.place(event_id, reuse=old if old not in used else None))
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
    linker.decided()
    linker.load([*moved, *linker.members_of(happening.id)])
    linker.move(list(moved), happening.id)
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
    linker.decided()
    linker.members[fresh.id] = []
    linker.load(members)
    linker.move(chosen, fresh.id)
    return fresh
