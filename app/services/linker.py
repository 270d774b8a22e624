"""The linker of one transaction: it places events in happenings in memory and writes what
changed in a few statements at the end (`flush`), whatever the number of events.

Memberships, fields and index rows of every happening it touches are held here; the database
is read for those it has not touched yet. Until `flush`, only this object knows the truth
about what it touched, so its reads (`candidates`) merge the two.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import (
    Table,
    bindparam,
    delete,
    insert,
    inspect,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from app.db.base import utcnow
from app.db.changefeed import note_changes
from app.db.rows import insert_rows
from app.linking.cards import Card
from app.linking.compare import (
    PUBLISHED_AFTER,
    PUBLISHED_BEFORE,
    compare,
    joins,
    shift,
    support,
)
from app.models import Event, Happening, HappeningDecision, HappeningDecisionReport, HappeningState
from app.services.report_cards import Mark, read_cards

# A report published this long after its happening's last day mentions it in passing.
BACKGROUND_AFTER = timedelta(days=30)
# bounds the reading of a card nothing places in time: the most recent happenings only
UNPLACED_CANDIDATES = 200
PROBES = 2000  # probes (an event and one of its states) read by one statement
_PROBE_COLUMNS = "event_id int, type text, state text, lo date, hi date, floor date, pair text"
# Each probe's candidates in two arms, each walking ix_happening_state_type_state_day_lo (an
# OR of them would read every row of the pair): rows of no known day, rows in the window.
# Two reports of two states each, not the same two, are other happenings (compare's veto):
# such candidates are left out here, before their reports are read.
_PROBE_PAIR = " AND (probe.pair IS NULL OR s.pair IS NULL OR s.pair = probe.pair)"
_PROBE_JOIN = (
    """
    SELECT probe.event_id, s.happening_id FROM probe JOIN happening_state s
      ON s.type = probe.type AND s.state = probe.state AND s.day_lo IS NULL"""
    + _PROBE_PAIR
    + """
    UNION
    SELECT probe.event_id, s.happening_id FROM probe JOIN happening_state s
      ON s.type = probe.type AND s.state = probe.state
     AND s.day_lo <= probe.hi AND s.day_lo >= probe.floor AND s.day_hi >= probe.lo"""
    + _PROBE_PAIR
)
_PROBE_SQL = {
    False: "WITH probe AS (SELECT json_extract(value, '$.event_id') AS event_id,"
    " json_extract(value, '$.type') AS type, json_extract(value, '$.state') AS state,"
    " json_extract(value, '$.lo') AS lo, json_extract(value, '$.hi') AS hi,"
    " json_extract(value, '$.floor') AS floor, json_extract(value, '$.pair') AS pair"
    " FROM json_each(:probes))" + _PROBE_JOIN,
    True: "WITH probe AS (SELECT * FROM jsonb_to_recordset(CAST(:probes AS jsonb))"
    f" AS p({_PROBE_COLUMNS}))" + _PROBE_JOIN,
}
_PRECISION_RANK = {"day": 3, "month": 2, "year": 1}
FIELDS = (
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
Index = tuple[tuple[str, ...], date | None, date | None]  # states, first and last day


class Linker:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.cards: dict[int, Card] = {}
        self.marks: dict[int, Mark] = {}  # as the event rows say, until flush
        self.wanted: dict[int, Mark] = {}  # what flush writes to event rows
        self.members: dict[int, list[int]] = {}  # happening id -> event ids, in id order
        self.where: dict[int, int] = {}  # event id -> its happening here
        self.leads: dict[int, int] = {}  # happening id -> its leading report's event id
        self.stored: dict[int, dict[str, Any] | None] = {}  # happening rows as stored
        self.fields: dict[int, dict[str, Any] | None] = {}  # ... as flush leaves them
        self.index: dict[int, Index | None] = {}  # HappeningState rows as flush leaves them
        self.by_state: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.indexed_as: dict[int, set[tuple[str, str]]] = {}  # happening -> by_state keys
        self.written: dict[int, Index | None] = {}  # index rows flush wrote
        self.prefetched: dict[int, set[int]] = {}  # event id -> its candidates as stored
        self._ids: list[int] = []  # happening ids reserved, not yet used (PostgreSQL)
        self._next: int | None = None  # the next happening id (SQLite)
        self._decided: bool | None = None

    # -- reading ---------------------------------------------------------------------------

    def load(self, event_ids: Iterable[int]) -> list[Card]:
        """Cards for these events (read once per transaction), in id order."""
        ids = sorted(set(event_ids))
        wanted = [i for i in ids if i not in self.cards]
        for at in range(0, len(wanted), 500):
            for event_id, (card, mark) in read_cards(self.session, wanted[at : at + 500]).items():
                self.cards[event_id] = card
                self.marks[event_id] = mark
        return [self.cards[i] for i in ids if i in self.cards]

    def members_of(self, happening_id: int) -> list[int]:
        if happening_id not in self.members:
            self._read_members([happening_id])
        return self.members[happening_id]

    def fields_of(self, happening_id: int) -> dict[str, Any] | None:
        """A happening's fields (None: no such row), read once."""
        if happening_id not in self.fields:
            self._read_fields([happening_id])
        return self.fields[happening_id]

    def _read_members(self, happening_ids: list[int]) -> None:
        """The reports of these happenings (none read yet), in id order, 500 a statement."""
        for at in range(0, len(happening_ids), 500):
            chunk = happening_ids[at : at + 500]
            for happening_id in chunk:
                self.members[happening_id] = []
            for event_id, member_of, is_lead in self.session.execute(
                select(Event.id, Event.happening_id, Event.is_lead)
                .where(Event.happening_id.in_(chunk))
                .order_by(Event.id)
            ):
                if member_of is None:  # never: matched by IN (for the type checker)
                    continue
                happening_id = member_of
                self.members[happening_id].append(event_id)
                self.where.setdefault(event_id, happening_id)
                if is_lead:
                    self.leads.setdefault(happening_id, event_id)

    def _read_fields(self, happening_ids: list[int]) -> None:
        """The stored fields of these happenings (None: no such row), 500 a statement."""
        for at in range(0, len(happening_ids), 500):
            chunk = happening_ids[at : at + 500]
            for happening_id in chunk:
                self.stored[happening_id] = self.fields[happening_id] = None
            for row in self.session.execute(
                select(Happening.id, *(getattr(Happening, c) for c in FIELDS)).where(
                    Happening.id.in_(chunk)
                )
            ):
                self.stored[row[0]] = dict(zip(FIELDS, row[1:], strict=True))
                self.fields[row[0]] = self.stored[row[0]]

    def prefetch(self, event_ids: list[int]) -> None:
        """Read the stored candidates of many events in one statement per PROBES of them,
        then those happenings' reports. The probes travel as one JSON parameter: a VALUES list
        of thousands of bound values cost SQLAlchemy a second to compile, the query 30 ms."""
        probes = []
        for card in self.load(event_ids):
            window = _window(card)
            if window is None:
                continue  # placed nowhere in time: `candidates` asks on its own
            self.prefetched.setdefault(card.event_id, set())
            lo, hi = window
            floor = shift(lo, -timedelta(days=400))  # the index's range: a year and some
            probes += [
                {
                    "event_id": card.event_id,
                    "type": card.type,
                    "state": state,
                    "lo": lo.isoformat(),
                    "hi": hi.isoformat(),
                    "floor": floor.isoformat(),
                    "pair": _pair(card.states),
                }
                for state in sorted(card.states)
            ]
        found: set[int] = set()
        sql = _PROBE_SQL[self.session.get_bind().dialect.name == "postgresql"]
        for at in range(0, len(probes), PROBES):
            rows = self.session.execute(text(sql), {"probes": json.dumps(probes[at : at + PROBES])})
            for event_id, happening_id in rows:
                self.prefetched[event_id].add(happening_id)
                found.add(happening_id)
        unread = sorted(h for h in found if h not in self.members)
        self._read_members(unread)
        # their fields too, in the same chunks: a report that joins one reads them (fields_of),
        # and one statement for each was the most of what joining stored happenings cost
        self._read_fields([h for h in unread if h not in self.fields])
        # only the leads' cards: most candidates fail on their lead (another day, other
        # counterparts), and the other reports are read only for those that do not
        self.load(self.leads[h] for h in unread if h in self.leads)

    def candidates(self, card: Card) -> set[int]:
        """Happenings of the card's type sharing one of its states, whose days reach its own
        or are unknown. A card nothing places in time sees the latest UNPLACED_CANDIDATES."""
        if not card.states:
            return set()
        window = _window(card)
        if window is not None and card.event_id not in self.prefetched:
            self.prefetch([card.event_id])  # one lookup, the chunk's own statement
        if card.event_id in self.prefetched:
            stored = self.prefetched[card.event_id]
        else:  # placed nowhere in time: the latest of its type and states
            stored = set(
                self.session.scalars(
                    select(HappeningState.happening_id)
                    .where(
                        HappeningState.type == card.type,
                        HappeningState.state.in_(sorted(card.states)),
                    )
                    .distinct()
                    .order_by(HappeningState.happening_id.desc())
                    .limit(UNPLACED_CANDIDATES)
                )
            )
        # what this linker touched, it knows better than the stored rows
        ids = {i for i in stored if i not in self.index}
        for state in card.states:
            for happening_id in self.by_state.get((card.type, state), ()):
                rows = self.index.get(happening_id)
                if rows is not None and _reaches(rows, window):
                    ids.add(happening_id)
        return ids

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

    def _happenings_of(self, keys: list[Key]) -> set[int]:
        """The happenings holding these reports."""
        self.flush()  # the rows must say what this linker knows
        return set(
            self.session.scalars(
                select(Event.happening_id)
                .where(
                    tuple_(Event.article_id, Event.type).in_(keys),
                    Event.happening_id.is_not(None),
                )
                .distinct()
            )
        )

    # -- placing ---------------------------------------------------------------------------

    def place(self, event_id: int, *, reuse: int | None = None) -> int:
        """Put one event in the happening it belongs to (a new one when none fits); its id.
        `reuse`: the id to give a new happening, when that row exists (recluster)."""
        card = self.load([event_id])[0]
        verdicts = self.verdicts((card.article_id, card.type))
        candidates = self.candidates(card)
        together = [k for k, same in verdicts.items() if same]
        if together:
            candidates |= self._happenings_of(together)
        best: tuple[float, int] | None = None
        for happening_id in sorted(candidates):
            lead_id = self.leads.get(happening_id)
            if lead_id is not None and lead_id != event_id and not verdicts:
                lead = self.load([lead_id])[0]
                if lead.article_id != card.article_id and compare(card, lead).veto:
                    continue  # a veto by one report is the happening's (joins), read no more
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
            mean = joins(card, members) if not forced else None
            if forced or mean is not None:
                backing = float("inf") if forced else support(card, members, mean or 0.0)
                if best is None or backing > best[0]:
                    best = (backing, happening_id)
        target = best[1] if best is not None else self.new_happening(card.type, reuse=reuse)
        self.move([event_id], target)
        return target

    def new_happening(self, kind: str, *, reuse: int | None = None) -> int:
        """The id of a happening with no reports yet (its row is written by flush)."""
        if reuse is not None and self.fields_of(reuse) is not None:
            self.members[reuse] = []
            return reuse  # its fields are written again by refresh
        happening_id = self._reserve()
        self.stored[happening_id] = None
        self.fields[happening_id] = None
        self.members[happening_id] = []
        return happening_id

    def _reserve(self) -> int:
        """A new happening id. SQLite: counting up past the largest (this transaction holds the
        write lock); PostgreSQL: from the table's sequence, some at a time."""
        session = self.session
        if session.get_bind().dialect.name != "postgresql":
            if self._next is None:
                top = session.scalar(select(Happening.id).order_by(Happening.id.desc()).limit(1))
                self._next = (top or 0) + 1
            self._next += 1
            return self._next - 1
        if not self._ids:
            self._ids = list(
                session.scalars(
                    text(
                        "SELECT nextval(pg_get_serial_sequence('happening', 'id'))"
                        " FROM generate_series(1, 64)"
                    )
                )
            )
        return self._ids.pop(0)

    def move(self, event_ids: list[int], happening_id: int) -> None:
        """Make these (loaded) events reports of one happening; refresh what they left and
        what they joined."""
        left: set[int] = set()
        for event_id in event_ids:
            other = self.where.get(event_id)
            if other is not None and other != happening_id and other in self.members:
                if event_id in self.members[other]:
                    self.members[other].remove(event_id)
                left.add(other)
            self.where[event_id] = happening_id
        members = self.members_of(happening_id)
        self.members[happening_id] = sorted(set(members) | set(event_ids))
        for other in sorted(left):
            self.refresh(other)
        self.refresh(happening_id)

    # -- a happening's own fields ----------------------------------------------------------

    def refresh(self, happening_id: int) -> None:
        """A happening's lead, date, roles, counts and index rows, from its reports (in
        memory until flush); gone when none is left."""
        self.fields_of(happening_id)  # what is stored, for flush to compare with
        ids = self.members_of(happening_id)
        if not ids:
            self.fields[happening_id] = None
            self._set_index(happening_id, None)
            self.members.pop(happening_id, None)
            self.leads.pop(happening_id, None)
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
        fields: dict[str, Any] = {"type": lead.type, "name": lead.name}
        published = sorted(c.published for c in cards if c.published)
        if lead.lo:
            fields |= {
                "date_start": lead.lo,
                "date_end": lead.hi if lead.precision == "day" and lead.hi != lead.lo else None,
                "date_precision": lead.precision,
                "date_basis": "reported",
            }
        elif published:
            fields |= {
                "date_start": published[0],
                "date_end": None,
                "date_precision": "day",
                "date_basis": "published",
            }
        else:
            fields |= dict.fromkeys(("date_start", "date_end", "date_precision", "date_basis"))
        self.fields[happening_id] = fields | _counts(cards)
        start = fields["date_start"] if fields["date_basis"] == "reported" else None
        last = fields["date_end"] or start
        for card in cards:
            role = "report"
            out = card.published_last or card.published  # the latest it may have come out
            if card.status == "planned" or (start and out and out < start):
                role = "preview"
            elif last and card.published and card.published > shift(last, BACKGROUND_AFTER):
                role = "background"
            self.wanted[card.event_id] = Mark(happening_id, card.event_id == lead.event_id, role)
        self.leads[happening_id] = lead.event_id
        starts = [d for d in (c.anchor() for c in cards) if d]
        ends = [d for d in (c.hi or c.published_last or c.published for c in cards) if d]
        states = tuple(sorted(set().union(*(c.states for c in cards))))
        self._set_index(happening_id, (states, min(starts, default=None), max(ends, default=None)))

    def _set_index(self, happening_id: int, rows: Index | None) -> None:
        for key in self.indexed_as.pop(happening_id, set()):
            self.by_state[key].discard(happening_id)
        self.index[happening_id] = rows
        fields = self.fields.get(happening_id)
        if rows is not None and fields is not None:
            keys = {(fields["type"], state) for state in rows[0]}
            for key in keys:
                self.by_state[key].add(happening_id)
            self.indexed_as[happening_id] = keys

    # -- writing ---------------------------------------------------------------------------

    def flush(self) -> None:
        """Write what changed since the last flush: happening rows (with their change-feed
        entries), each moved report's mark, and the index rows of what was touched."""
        session = self.session
        created, updated, deleted = [], [], []
        for happening_id, fields in self.fields.items():
            stored = self.stored.get(happening_id)
            if fields == stored:
                continue
            if stored is None and fields is not None:
                created.append({"id": happening_id, **fields})
            elif fields is None:
                deleted.append(happening_id)
            else:
                updated.append({"b_id": happening_id, **{f"b_{k}": v for k, v in fields.items()}})
            self.stored[happening_id] = fields
        now = utcnow()
        table = cast(Table, Happening.__table__)
        if created:
            session.execute(
                insert(table), [{**row, "created_at": now, "updated_at": now} for row in created]
            )
            note_changes(session, "happening", [row["id"] for row in created], "created")
        if updated:
            session.execute(
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values({k: bindparam(f"b_{k}") for k in FIELDS} | {"updated_at": now}),
                updated,
            )
            note_changes(session, "happening", [row["b_id"] for row in updated], "updated")
        if deleted:
            session.execute(delete(table).where(table.c.id.in_(deleted)))
            note_changes(session, "happening", deleted, "deleted")
        marks = [
            {"b_id": i, "b_h": m.happening_id, "b_lead": m.is_lead, "b_role": m.role}
            for i, m in sorted(self.wanted.items())
            if self.marks.get(i) != m
        ]
        if marks:
            self._write_marks(marks)
            self.marks.update(self.wanted)
        self.wanted = {}
        self._write_index()
        self._expire(Happening, [*(r["id"] for r in created), *(r["b_id"] for r in updated)])
        self._expire(Event, [int(m["b_id"]) for m in marks])  # type: ignore[arg-type]

    def _write_marks(self, marks: list[dict[str, Any]]) -> None:
        """Each moved report's happening, role and lead flag. The flag is set only where it
        changes: the summary triggers fire on any UPDATE that names is_lead, changed or not
        (a new report is a lead until linked, and most stay one), and they were the most
        of this statement's cost."""
        events = cast(Table, Event.__table__)
        was = {i: mark.is_lead for i, mark in self.marks.items()}
        same = [m for m in marks if was.get(m["b_id"]) == m["b_lead"]]
        changed = [m for m in marks if was.get(m["b_id"]) != m["b_lead"]]
        values: dict[str, Any] = {
            "happening_id": bindparam("b_h"),
            "happening_role": bindparam("b_role"),
        }
        for rows, columns in (
            (same, values),
            (changed, values | {"is_lead": bindparam("b_lead")}),
        ):
            if rows:
                self.session.execute(
                    update(events).where(events.c.id == bindparam("b_id")).values(columns), rows
                )

    def _write_index(self) -> None:
        dirty = [
            h for h, rows in self.index.items() if h not in self.written or self.written[h] != rows
        ]
        if not dirty:
            return
        session = self.session
        session.execute(delete(HappeningState).where(HappeningState.happening_id.in_(dirty)))
        rows = [
            {
                "happening_id": h,
                "state": state,
                "type": fields["type"],
                "day_lo": rows[1],
                "day_hi": rows[2],
                "pair": _pair(frozenset(rows[0])),
            }
            for h in dirty
            if (rows := self.index[h]) is not None and (fields := self.fields.get(h)) is not None
            for state in rows[0]
        ]
        insert_rows(session, cast(Table, HappeningState.__table__), rows)
        for h in dirty:
            self.written[h] = self.index[h]

    def _expire(self, model: type[Any], ids: Iterable[int]) -> None:
        """Rows written in Core: a mapped object already loaded in the session reads again.
        The identity map is looked up by key, built here: the session's identity_key inspects
        the mapper at each call, and flush hands it thousands of ids."""
        session = self.session
        identity_map = session.identity_map
        if not len(identity_map):
            return
        mapper = inspect(model)
        for object_id in ids:
            loaded = identity_map.get(mapper.identity_key_from_primary_key([object_id]))
            if loaded is not None:
                session.expire(loaded)


def _pair(states: frozenset[str]) -> str | None:
    """'AZE TUR' for exactly two states, else None (happening_state.pair)."""
    return " ".join(sorted(states)) if len(states) == 2 else None


def _window(card: Card) -> tuple[date, date] | None:
    """The days a card's happening may span: its own dates, else around its publication."""
    if card.lo and card.hi:
        return shift(card.lo, -PUBLISHED_AFTER), shift(card.hi, PUBLISHED_BEFORE)
    span = card.published_span()
    if span:
        return shift(span[0], -PUBLISHED_BEFORE), shift(span[1], PUBLISHED_AFTER)
    return None


def _reaches(rows: Index, window: tuple[date, date] | None) -> bool:
    """Whether a happening's index rows fall in a card's window (None: any time)."""
    _states, day_lo, day_hi = rows
    if window is None or day_lo is None or day_hi is None:
        return True
    lo, hi = window
    return day_lo <= hi and day_hi >= lo


def _counts(cards: list[Card]) -> dict[str, Any]:
    """How many articles, outlets and independent outlets report it, and when first and last.
    A copy (Article.duplicate_of) counts as its original's story: one wire story, one source."""
    articles = {c.article_id: c for c in cards}
    by_story: dict[int, set[int | None]] = defaultdict(set)
    for c in articles.values():
        by_story[c.story].add(c.source)
    independent = {
        # a story told by several outlets counts once; outlets with several stories, once each
        min((s for s in sources if s is not None), default=None) or -story
        for story, sources in by_story.items()
    }
    moments = [c.moment for c in articles.values() if c.moment is not None]
    return {
        "num_reports": len(articles),
        "num_sources": len({c.source for c in articles.values() if c.source}),
        "num_independent_sources": len(independent),
        "first_reported_at": min(moments, default=None),
        "last_reported_at": max(moments, default=None),
    }
