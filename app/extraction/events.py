"""Events from sentences: a trigger for each type, the states taking part, a date, evidence."""

import re
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from datetime import date

from app.extraction.base import FoundEntity, FoundEvent, Span
from app.extraction.budget import Deadline, unlimited
from app.extraction.lexicon import EventPatterns, Lexicon
from app.extraction.participants import (
    official_states,
    one_per_state,
    speaker,
    topic_states,
    unnamed_speaker,
    visited_states,
)
from app.extraction.roles import find_roles
from app.extraction.temporal import Candidate, FoundDate, date_candidates, pick_date
from app.kit.dates import PartialDate
from app.kit.text import fold, sentence_index
from app.taxonomy import DatePrecision

_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_QUOTED_NAME = re.compile(r"['‘\"“]([A-Z][^'’\"”]{1,40}?)['’\"”]")
_QUOTE = r"['‘\"“]([A-Z][^'’\"”]{1,40}?)['’\"”]"
# "exercises 'Varuna' and 'Garuda'": one sentence, two named happenings
_NAME_PAIR = re.compile(_QUOTE + r"\s*(?:,|and|&)\s*" + _QUOTE)
# "Exercise Bushido Guardian", "exercise Malabar": the capitalised words after the head
_EXERCISE_NAME = re.compile(
    r"\b[Ee]xercises?\s+(?!(?:In|On|At|The|With|And|For|This|That|Is|Was|Will)\b)"
    r"([A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3})"
)


def find_events(
    text: str,
    sentences: list[tuple[int, int]],
    entities: list[FoundEntity],
    lex: Lexicon,
    published: date | None,
    deadline: Deadline | None = None,
    *,
    month_only: bool = False,
) -> list[FoundEvent]:
    """One event per happening per article, each backed by the sentence that reports it
    (`month_only`: `published` is the 1st of the month a dateline gives, not a day)."""
    deadline = deadline or unlimited()
    patterns = lex.events
    in_sentence: dict[int, list[FoundEntity]] = {}
    spans_in: dict[int, list[tuple[Span, FoundEntity]]] = {}  # each sentence's own mentions
    for entity in entities:
        for mention in entity.mentions:
            deadline.tick()
            index = sentence_index(sentences, mention.start)
            if index is not None:
                in_sentence.setdefault(index, []).append(entity)
                spans_in.setdefault(index, []).append((mention, entity))
    officials = official_states(text, entities, lex)
    weight: Counter[str] = Counter()
    for entity in entities:
        if entity.kind == "country" and entity.code:
            weight[entity.code] += len(entity.mentions)
        elif entity.kind == "person" and (state := officials.get(id(entity), entity.country)):
            weight[state] += len(entity.mentions)
    ranked = [code for code, _ in weight.most_common()]
    main = ranked[:2]

    state_of = {
        id(e): code
        for e in entities
        if (
            code := e.code
            if e.kind == "country"
            else e.country
            if e.kind == "organization"
            else None
        )
    }
    events: list[FoundEvent] = []
    speakers: dict[int, str | None] = {}  # id(statement) -> who makes it
    last_speaker: str | None = None
    starts: set[tuple[str, PartialDate]] = set()  # (type, date) a report of a first day gives
    ends: dict[int, PartialDate] = {}  # id(event) -> the last day its sentence reports
    unnamed: set[int] = set()  # id(event) of the reports that name none of their states
    gated = patterns.gates.by_sentence(text, sentences)  # which patterns may match where
    triggers = frozenset(("triggers", t) for t in patterns.triggers)
    for index, (start, end) in enumerate(sentences):
        deadline.check()  # a sentence costs a search per event type: far more than the clock
        maybe = gated[index]
        if maybe.isdisjoint(triggers):
            continue  # no trigger can match: nothing below would be found
        sentence = text[start:end]
        if patterns.habitual.search(sentence):
            continue
        present = in_sentence.get(index, [])
        mentions = spans_in.get(index, [])
        dates: dict[bool, list[Candidate]] = {}  # planned? -> the sentence's dates
        topic_end: int | None = -1  # where the sentence's first topic words end (-1: not read)
        opening = patterns.reference.match(sentence)
        referred = opening.end() if opening else 0  # triggers before this refer back
        codes = _codes(present, officials)
        topical = topic_states(text, mentions, patterns.topic_before, patterns.topic_after)
        for event_type, trigger in patterns.triggers.items():
            if ("triggers", event_type) not in maybe:
                continue  # none of its trigger's words: the search would fail
            hit = trigger.search(sentence)
            if hit and referred and hit.start() < referred:
                hit = trigger.search(
                    sentence, referred
                )  # "The meeting comes after ...": no new one
            cited = patterns.attributions.get(event_type)
            while hit and cited and cited.search(sentence, max(0, hit.start() - 90), hit.start()):
                hit = trigger.search(sentence, hit.end())  # "the statement said": a source
            if not hit:
                continue
            unlike = patterns.excludes.get(event_type)
            if unlike is not None and ("excludes", event_type) in maybe and unlike.search(sentence):
                continue  # "the jets arrived in Serbia": a delivery, not a visit
            if event_type not in patterns.topic_exempt:
                if topic_end == -1:  # searched once a sentence, when a trigger needs it
                    topic = patterns.topic.search(sentence)
                    topic_end = topic.end() if topic else None
                if topic_end is not None and topic_end <= hit.start():
                    continue  # what a pact will allow or talks will address: no happening
            required = patterns.requires[event_type]
            if (
                required is not None
                and not (("requires", event_type) in maybe and required.search(sentence))
                and not (
                    event_type in patterns.requires_kind
                    and any(e.kind in patterns.requires_kind[event_type] for e in present)
                )  # "to deliver six MiG-29s": the finder's equipment names the weapon
            ):
                quoted = (
                    _quote_after(text, sentences, index)
                    if sentence.rstrip()[-1:] == ":"
                    else _quote_before(text, sentences, index, hit.start())
                )
                if not required.search(quoted):  # 'X said:' and the quote on the next line
                    continue
            parties = (
                codes
                if event_type in patterns.topic_exempt_states
                else [c for c in codes if c not in topical]
            )
            event = _build(event_type, hit, sentence, index, Span(start, end, sentence), present, mentions, parties, main,
                           patterns, published, month_only, lex, deadline, dates, ends)  # fmt: skip
            if event is not None:
                if event_type in patterns.named_parties and not (codes or event.roles):
                    unnamed.add(id(event))  # a detail: it may add to its happening, not stand alone
                pair = _NAME_PAIR.search(sentence) if event_type == "exercise" else None
                if pair is not None:  # one happening per name, each its own
                    events.extend(replace(event, name=name) for name in pair.groups())
                    continue
                split = patterns.one_per_state.get(event_type)
                listed = split.search(sentence) if split else None
                sides = one_per_state(event.evidence, listed.end(), mentions) if listed else None
                if sides is not None:
                    actors, states = sides
                    if not actors:  # "Parliament ratified the pacts with A and B": the main state
                        actors = [c for c in ranked if c not in states][:1]
                    for code in states:  # each listed state: its own happening
                        twin = replace(event, countries=[*actors, code], roles={})
                        speakers[id(twin)] = f"sentence:{index}:{code}"
                        events.append(twin)
                    continue
                if event_type == "statement":
                    who = (
                        speaker(event.evidence, hit.start(), mentions, state_of)
                        or unnamed_speaker(sentence, hit.start())
                        or last_speaker
                    )
                    speakers[id(event)] = last_speaker = who
                elif event_type == "meeting" and patterns.another.search(sentence):
                    # "Sobhi met Sharif", then "Hegazy also received Sharif": two meetings
                    speakers[id(event)] = f"sentence:{index}"
                if (
                    event_type in patterns.span_types
                    and event.date is not None
                    and patterns.span_start.search(sentence)
                ):
                    starts.add((event_type, event.date))
                events.append(event)
    state_of_person = {
        e.name: state
        for e in entities
        if e.kind == "person" and (state := officials.get(id(e), e.country))
    }
    weapons = patterns.requires.get("arms_transfer")
    merged = _start_dates(
        _merge(events, deadline, speakers, published, unnamed, state_of_person, weapons),
        starts,
        ends,
        patterns,
    )
    merged = _inherit_dates(merged, published, patterns)
    if month_only:  # a dateline's month alone: too weak to date what the text leaves undated
        return merged
    return _date_of_the_news(merged, text, published, patterns)


def _date_of_the_news(
    events: list[FoundEvent], text: str, published: date | None, patterns: EventPatterns
) -> list[FoundEvent]:
    """An undated happening the article reports as news happened around its publication: the
    guideline's reader dates it to the publication month ("has signed", "is on a visit"), but
    not what the sentence sets in the past ("had inked", "earlier", "in the past")."""
    if published is None:
        return events
    month = PartialDate(date(published.year, published.month, 1), DatePrecision.month)
    for event in events:
        if (
            event.date is None
            and event.status != "planned"
            and not patterns.background.search(event.evidence.text)
        ):
            event.date = month
    return events


def _start_dates(
    events: list[FoundEvent],
    starts: set[tuple[str, PartialDate]],
    ends: dict[int, PartialDate],
    patterns: EventPatterns,
) -> list[FoundEvent]:
    """A visit or exercise dated by its end ('concluded today') takes its first day from the
    article's report of its start ('the exercise, which began on July 10'); the event that
    report made, naming no state the ended one lacks, is the same happening."""
    if not starts or not ends:
        return events
    first_days: dict[str, list[PartialDate]] = {}
    for kind, day in sorted(starts, key=lambda start: start[1].value):
        first_days.setdefault(kind, []).append(day)
    ended: dict[tuple[str, str], list[FoundEvent]] = {}  # (type, first day) -> ended events
    for event in events:
        end = ends.get(id(event))
        if end is None or event.date != end:
            continue
        first = next((d for d in first_days.get(event.type, []) if d.value < end.value), None)
        if first is not None:
            event.date, event.date_end = first, end
            ended.setdefault((event.type, first.iso()), []).append(event)
    return [e for e in events if not _report_of(e, ended)]


def _report_of(event: FoundEvent, ended: dict[tuple[str, str], list[FoundEvent]]) -> bool:
    """The event is a report of an ended one's first day: same type and day, and no state the
    ended one lacks (not the ended one itself)."""
    if event.date is None:
        return False
    return any(
        other is not event and set(event.countries) <= set(other.countries)
        for other in ended.get((event.type, event.date.iso()), [])
    )


def _quote_after(text: str, sentences: list[tuple[int, int]], index: int) -> str:
    """The sentence after one that ends 'said:': what was said."""
    if index + 1 >= len(sentences):
        return ""
    start, end = sentences[index + 1]
    return text[start:end]


_QUOTE_SENTENCES = 6  # a quote longer than this is no single statement's


def _quote_before(text: str, sentences: list[tuple[int, int]], index: int, verb_at: int) -> str:
    """'“A. B. C,” the admiral said': the quote that closes before the speech verb of
    sentence `index` and opened sentences earlier; what was said ("" when no such quote)."""
    start, _ = sentences[index]
    head = text[start : start + verb_at]
    closed = max(head.rfind("”"), head.rfind('"'))
    if closed < 0 or "“" in head[:closed]:
        return ""  # no quote closes before the verb, or it opened in this sentence
    for back in range(index - 1, max(-1, index - _QUOTE_SENTENCES), -1):
        begin, _ = sentences[back]
        before = text[begin:start]
        if "“" in before or before.lstrip()[:1] == '"':
            return text[begin : start + verb_at]
    return ""


def _inherit_dates(
    events: list[FoundEvent], published: date | None, patterns: EventPatterns
) -> list[FoundEvent]:
    """Reports of one visit (the talks, the statements, the signing) share its date."""
    main = None
    for event in sorted(events, key=lambda e: e.sentence):
        if (
            event.type in patterns.main_types
            and event.date is not None
            and event.date.precision is DatePrecision.day
        ):
            recent = published is None or abs((event.date.value - published).days) <= 31
            if recent:
                main = event
                break
    if main is None or main.date is None:
        return events
    for event in events:
        if (
            event.date is None
            and event.type in patterns.inherit_date
            and set(event.countries) <= set(main.countries)
        ):
            event.date = main.date
    return events


def _codes(present: list[FoundEntity], officials: dict[int, str]) -> list[str]:
    """The states the sentence names: countries, and people by their title's state (else the
    state the name finder gave them)."""
    codes: list[str] = []
    for entity in present:
        code = (
            entity.code
            if entity.kind == "country"
            else officials.get(id(entity), entity.country)
            if entity.kind == "person"
            else None
        )
        if code and code not in codes:
            codes.append(code)
    return codes


def _clause(sentence: str, start: int, end: int, breaks: re.Pattern[str]) -> tuple[int, int]:
    """Where the clause of the words at `start`..`end` begins and ends ("the ministers met on
    Monday, and the exercise will start in May": "will" plans the exercise, not the meeting)."""
    left = 0
    for found in breaks.finditer(sentence, 0, start):
        left = found.end()
    after = breaks.search(sentence, end)
    return left, after.start() if after else len(sentence)


_SAYING_GAP = 5  # words at most between a speech verb and its date ("told reporters on Monday")


def _saying_date(
    sentence: str, candidates: list[Candidate], start: int, end: int, breaks: re.Pattern[str]
) -> FoundDate | None:
    """The date right beside the speech verb at `start`..`end`, in its clause ("said on
    Monday", "on Tuesday told"); None when the sentence's dates belong to what was said."""
    for found, begin, finish in candidates:
        if begin >= end:
            between = sentence[end:begin]
        elif finish <= start:
            between = sentence[finish:start]
        else:
            continue
        between = between.strip(" ,")  # "in a statement on Monday, said"
        if len(between.split()) <= _SAYING_GAP and not breaks.search(between):
            return found
    # "today" in what is said is the day of the saying
    return next((f for f, _, _ in candidates if f.text.casefold() in _TODAY), None)


_TODAY = frozenset({"today", "tonight", "this morning", "this afternoon", "this evening"})


def _build(
    event_type: str,
    hit: re.Match[str],
    sentence: str,
    index: int,
    evidence: Span,
    present: list[FoundEntity],
    mentions: list[tuple[Span, FoundEntity]],
    codes: list[str],
    main: list[str],
    patterns: EventPatterns,
    published: date | None,
    month_only: bool,
    lex: Lexicon,
    deadline: Deadline,
    dates: dict[bool, list[Candidate]],
    ends: dict[int, PartialDate],
) -> FoundEvent | None:
    countries = list(codes)
    if any("host" in (r.subject, r.object) for r in patterns.roles.get(event_type, ())):
        countries += visited_states(event_type, evidence, mentions, countries, lex)
    if len(countries) < 2:
        for code in main:
            if code not in countries and len(countries) < 2:
                countries.append(code)
    if not countries:
        return None
    trigger_word = hit.group().split()[-1].lower() if hit.group().split() else ""
    past = trigger_word.endswith("ed") or trigger_word in patterns.past_forms
    future = bool(patterns.planned.search(sentence)) and not past  # reads the dates ahead
    left, right = _clause(sentence, hit.start(), hit.end(), patterns.clause_breaks)
    planned = future and bool(patterns.planned.search(sentence, left, right))
    candidates = dates.get(future)
    if candidates is None:  # read once per sentence, whatever the number of its events
        candidates = dates[future] = date_candidates(sentence, published, future=future,
                                                     month_only=month_only, deadline=deadline)  # fmt: skip
    if event_type not in patterns.document_dated:  # "the 2008 agreement" dates no 2023 visit
        candidates = [c for c in candidates if not c[0].document]
    if event_type == "statement":  # dated by the saying ("said on Monday"), not by what is said
        found = _saying_date(sentence, candidates, hit.start(), hit.end(), patterns.clause_breaks)
    else:
        found = pick_date(sentence, candidates, published, near=hit.start(), near_end=hit.end(),
                          barrier=patterns.date_barrier,
                          barrier_after=patterns.date_barrier_after)  # fmt: skip
    event = FoundEvent(
        type=event_type,
        evidence=evidence,
        sentence=index,
        countries=countries,
        persons=[e.name for e in present if e.kind == "person"],
        status="planned" if planned else "reported",
        confidence=0.6 if len(codes) >= 2 else 0.4,
    )
    location = next((e.name for e in present if e.kind == "location"), None)
    event.location = location
    if found is not None:
        event.date, event.date_end, event.date_text = found.start, found.end, found.text
        if (
            event_type in patterns.span_types
            and found.end is None
            and patterns.span_end.search(sentence)
            and not patterns.span_start.search(sentence)
        ):  # "the navies today concluded the exercise": its last day, not its first
            ends[id(event)] = found.start
    if event_type in {"exercise", "agreement"}:
        named = _QUOTED_NAME.search(sentence)
        if named is None and event_type == "exercise":
            named = _EXERCISE_NAME.search(sentence)
        agreement = next((e.name for e in present if e.kind == "agreement"), None)
        event.name = (
            agreement
            if event_type == "agreement" and agreement
            else (named.group(1) if named else None)
        )
    event.roles = find_roles(event_type, evidence, mentions, countries, lex)
    if event.date is None and event_type == "exercise" and event.name:
        year = _YEAR_IN_NAME.search(event.name)
        if year:  # "EFES-2024", "Yudh Abhyas – 2016"
            event.date = PartialDate(date(int(year.group(1)), 1, 1), DatePrecision.year)
    return event


@dataclass
class _Kin:
    """The events kept so far of one type and set of states, indexed by date, so that finding
    an event's twin costs a look-up, not a pass over every event kept."""

    kept: list[FoundEvent] = field(default_factory=list)
    undated: deque[int] = field(default_factory=deque)  # positions in `kept`, in order
    first_on: dict[str, int] = field(default_factory=dict)  # date -> first position
    persons: dict[int, set[str]] = field(default_factory=dict)  # position -> its persons
    published: date | None = None
    first_news: int | None = None  # the first kept event that is undated or dated near the news

    def news(self, when: PartialDate | None) -> bool:
        """Undated, or dated near publication: an undated report may describe it. One dated
        long before ('since 2006 when the King visited') is another happening."""
        if when is None:
            return True
        if self.published is None:  # a month or a year alone is more often background
            return when.precision is DatePrecision.day  # ('the state visit in April 2016')
        if when.precision is DatePrecision.year:
            return when.value.year == self.published.year
        if when.precision is DatePrecision.month:
            months = (self.published.year - when.value.year) * 12
            return abs(months + self.published.month - when.value.month) <= 1
        return abs((when.value - self.published).days) <= 45

    def twin(self, event: FoundEvent) -> int | None:
        """The position of the first kept event with a compatible date (or none)."""
        if not self.kept:
            return None
        if event.date is None:
            return self.first_news
        found = [self.undated[0]] if self.undated and self.news(event.date) else []
        same_day = self.first_on.get(event.date.iso())
        if same_day is not None:
            found.append(same_day)
        return min(found) if found else None

    def add(self, event: FoundEvent) -> None:
        position = len(self.kept)
        self.kept.append(event)
        self.persons[position] = set(event.persons)
        if self.first_news is None and self.news(event.date):
            self.first_news = position
        if event.date is None:
            self.undated.append(position)
        else:
            self.first_on.setdefault(event.date.iso(), position)

    def dated(self, position: int) -> None:
        """The undated event there has just taken a date (the earliest undated one: a twin
        is the first compatible event, and no kept event is earlier on that date)."""
        self.undated.popleft()
        date_ = self.kept[position].date
        assert date_ is not None
        self.first_on[date_.iso()] = position


def _merge(
    events: list[FoundEvent],
    deadline: Deadline,
    speakers: dict[int, str | None],
    published: date | None,
    unnamed: set[int],
    sides: dict[str, str] | None = None,
    weapons: re.Pattern[str] | None = None,
) -> list[FoundEvent]:
    """Repeated descriptions of one happening (same type and states, compatible dates) merge.

    Each event goes into the first one kept with the same type and states whose date is the
    same or unknown (or any, when its own date is unknown). Statements merge only when one
    speaker makes them: two leaders' statements on one occasion are two happenings. A report
    that names none of its states (`unnamed`) only adds to an event kept before it.
    """
    kept: list[FoundEvent] = []
    kin: dict[tuple[str, frozenset[str], str | None], _Kin] = {}
    for event in events:
        deadline.tick()
        key = (event.type, frozenset(event.countries), speakers.get(id(event)))
        group = kin.get(key) or kin.setdefault(key, _Kin(published=published))
        position = group.twin(event)
        if position is not None and event.type in _NAMED and event.name:
            position = _named_twin(group, event, position)
        if position is None:
            if id(event) in unnamed:
                continue
            kept.append(event)
            group.add(event)
            continue
        twin = group.kept[position]
        if (event.type in _ONE_PAIR and _other_people(twin, event, sides or {})) or (
            event.type in _ONE_WEAPON and _other_weapons(twin, event, weapons)
        ):
            kept.append(event)  # "Zaki met General B", "Zaki was received by Minister L"
            group.add(event)
            continue
        if _absorb(twin, event, group.persons[position]):
            group.dated(position)
    return kept


_NAMED = frozenset({"exercise"})  # exercises of other names are other happenings


def _named_twin(group: _Kin, event: FoundEvent, position: int) -> int | None:
    """The kept event of the group with the event's name, else the twin found if it has no
    name of its own; None (a new happening) when the twin is named otherwise."""
    name = fold(event.name or "")
    for at, other in enumerate(group.kept):
        if other.name and fold(other.name) == name:
            return at
    twin = group.kept[position].name
    return position if not twin or fold(twin) == name else None


_ONE_PAIR = frozenset({"meeting"})  # a meeting is between given people: others meet apart


def _other_people(twin: FoundEvent, event: FoundEvent, sides: dict[str, str]) -> bool:
    """Both reports name people of one state, and none in common: two meetings."""
    for state in set(twin.countries) & set(event.countries):
        ours = {p for p in twin.persons if sides.get(p) == state}
        theirs = {p for p in event.persons if sides.get(p) == state}
        if ours and theirs and ours.isdisjoint(theirs):
            return True
    return False


_ONE_WEAPON = frozenset({"arms_transfer", "military_aid"})  # jets ordered, frigates bought: two
_ANY_WEAPON = frozenset({"system", "weapon", "arm", "vehicle", "armored", "armoured", "munition"})


def _weapon_words(event: FoundEvent, weapons: re.Pattern[str]) -> set[str]:
    found = {m.group().casefold().rstrip("s") for m in weapons.finditer(event.evidence.text)}
    return found - _ANY_WEAPON


def _other_weapons(twin: FoundEvent, event: FoundEvent, weapons: re.Pattern[str] | None) -> bool:
    """Both reports name what is sold or given, and nothing in common: two transfers."""
    if weapons is None:
        return False
    ours, theirs = _weapon_words(twin, weapons), _weapon_words(event, weapons)
    return bool(ours and theirs and ours.isdisjoint(theirs))


def _absorb(twin: FoundEvent, event: FoundEvent, known: set[str]) -> bool:
    """Another description of the twin's happening adds what the twin lacks; True when it gave
    the twin its date."""
    dated = twin.date is None and event.date is not None
    if dated:
        twin.date, twin.date_end, twin.date_text = event.date, event.date_end, event.date_text
    twin.date_end = twin.date_end or event.date_end
    for person in event.persons:
        if person not in known:
            known.add(person)
            twin.persons.append(person)
    twin.location = twin.location or event.location
    twin.roles = twin.roles or event.roles
    twin.name = twin.name or event.name
    return dated


def event_key(event: FoundEvent) -> str:
    return f"{event.type}:{'-'.join(sorted(event.countries))}:{fold(event.evidence.text)[:40]}"
