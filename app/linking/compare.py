"""Whether two reports describe one happening: vetoes that no similarity overrides, then a
score. The weights and the threshold were set on the eval pages' gold clusters
(benchmarks/happenings_quality.py prints the figures)."""

from dataclasses import dataclass
from datetime import date, timedelta

from app.linking import days
from app.linking.cards import Card
from app.linking.features import stages_agree

# A report with no date of its own is placed by its publication: it may come out up to
# PUBLISHED_BEFORE days before the happening (a preview) or PUBLISHED_AFTER after it.
PUBLISHED_BEFORE = timedelta(days=21)
PUBLISHED_AFTER = timedelta(days=10)
# Day-precise dates of one happening reported a day apart (time zones, "yesterday").
DAY_SLACK = timedelta(days=1)
# an article's own earlier report alone: enough to join, but a happening other articles'
# reports match better wins (the article may have named the happening loosely first)
SAME_ARTICLE = 0.5
# where two year-less datelines are set side by side: a leap year, so 29 February exists
_ANY_YEAR = date(2000, 6, 30)
THRESHOLD = 0.40  # the mean score over a happening's reports a new report must reach


@dataclass(frozen=True)
class Verdict:
    score: float
    veto: str | None = None


def shift(day: date, delta: timedelta) -> date:
    """`day + delta`, held inside the calendar: dates near year 1 or 9999 are accepted input."""
    try:
        return day + delta
    except OverflowError:
        return date.max if delta > timedelta(0) else date.min


def _overlaps(a_lo: date, a_hi: date, b_lo: date, b_hi: date, slack: timedelta) -> bool:
    return shift(a_lo, -slack) <= b_hi and shift(b_lo, -slack) <= a_hi


def _publications(card: Card, near: date) -> list[tuple[date, date]] | None:
    """The spans of days the card's article may have come out in: its publication's, else
    its year-less dateline's day in the years around `near`; None when nothing says."""
    span = card.published_span()
    if span:
        return [span]
    if card.dateline is None:
        return None
    month, day = card.dateline
    days = []
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            days.append(date(year, month, day))
        except ValueError:  # 29 February of a common year
            continue
    return [(d, d) for d in days]


def date_veto(a: Card, b: Card) -> str | None:
    """Why the two reports' dates cannot be one happening's, or None."""
    if a.lo and a.hi and b.lo and b.hi:
        day = a.precision == "day" and b.precision == "day"
        if not _overlaps(a.lo, a.hi, b.lo, b.hi, DAY_SLACK if day else timedelta(0)):
            return "different day" if day else "different period"
        return None
    dated, other = (a, b) if a.lo else (b, a)
    if dated.lo and dated.hi:
        hinted = days.veto_against_dated(dated, other)  # "on Tuesday, September 28"
        if hinted:
            return hinted
        # a publication known to the month may fall on any of its days; a year-less
        # dateline ("BAKU, Jan. 31") on that day of any year near the happening's
        spans = _publications(other, dated.lo)
        if spans is None:
            return None  # an unknown publication rules nothing out
        window = shift(dated.lo, -PUBLISHED_BEFORE), shift(dated.hi, PUBLISHED_AFTER)
        if not any(_overlaps(*window, *span, timedelta(0)) for span in spans):
            return "published out of range"
        return None
    hinted = days.veto_between_undated(a, b)
    if hinted:
        return hinted
    for hinted_card, published in ((a, b), (b, a)):
        span = published.published_span()
        if span and not days.within(
            hinted_card, shift(span[0], -PUBLISHED_AFTER), shift(span[1], PUBLISHED_BEFORE)
        ):
            return "published out of range"  # the day it names is not near the other's
    a_span = a.published_span()
    near = a_span[0] if a_span else (b.published or _ANY_YEAR)
    a_spans, b_spans = _publications(a, near), _publications(b, near)
    if (
        a_spans
        and b_spans
        and not any(_overlaps(*x, *y, PUBLISHED_AFTER) for x in a_spans for y in b_spans)
    ):
        return "published apart"
    return None


def _date_score(a: Card, b: Card) -> float:
    if a.lo and b.lo:
        if a.precision == "day" and b.precision == "day":
            return 1.0
        return 0.6 if "year" not in (a.precision, b.precision) else 0.3
    a_day, b_day = a.anchor(), b.anchor()
    if a_day and b_day:
        return max(0.0, 0.5 - abs(a_day - b_day).days / 20)
    return 0.0


def _overlap(a: frozenset[object], b: frozenset[object]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _named(ours: frozenset[int], theirs: frozenset[int], a: Card, b: Card) -> float:
    """The share of the people (or things) the two name; where one report's finders named
    none (a page in a language they read less), the share of the names the two write."""
    if ours and theirs:
        return _overlap(ours, theirs)
    if ours or theirs:
        return _overlap(a.names, b.names)
    return 0.0


def _jaccard(a: frozenset[object], b: frozenset[object]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _sides_clash(a: frozenset[tuple[str, str]], b: frozenset[tuple[str, str]]) -> bool:
    """Both reports give one side (the host, the supplier) to states, none the same."""
    if not a or not b:
        return False
    ours: dict[str, set[str]] = {}
    for role, state in a:
        ours.setdefault(role, set()).add(state)
    theirs: dict[str, set[str]] = {}
    for role, state in b:
        theirs.setdefault(role, set()).add(state)
    return any(ours[role].isdisjoint(theirs[role]) for role in ours.keys() & theirs.keys())


def compare(a: Card, b: Card) -> Verdict:
    """The verdict on two reports of one type that share a state."""
    if a.type != b.type:
        return Verdict(0.0, "different type")
    if not a.states & b.states:
        return Verdict(0.0, "no shared state")
    veto = date_veto(a, b)
    if veto:
        return Verdict(0.0, veto)
    if a.editions and b.editions and not a.editions & b.editions:
        return Verdict(0.0, "different edition")
    if a.stage and b.stage and not stages_agree(a.stage, b.stage):
        return Verdict(0.0, "different stage")
    if len(a.states) == 2 == len(b.states) and a.states != b.states:
        return Verdict(0.0, "different counterpart")  # A with B is not A with C
    if _sides_clash(a.sides, b.sides):
        return Verdict(0.0, "different side")  # a visit to Kyiv is not one to Warsaw
    if a.story == b.story:
        return Verdict(1.0)  # copies of one story
    parts = [
        (0.20, _jaccard(a.states, b.states)),
        (0.20, _named(a.people, b.people, a, b)),
        (0.15, _named(a.things, b.things, a, b)),
        (0.15, min(1.0, 2 * _jaccard(a.words, b.words))),
    ]
    if a.anchor() and b.anchor():  # when nothing places one of them, the rest must decide
        parts.append((0.30, _date_score(a, b)))
    score = sum(w * f for w, f in parts) / sum(w for w, _f in parts)
    return Verdict(score)


def joins(card: Card, members: list[Card]) -> float | None:
    """The mean score of a report against a happening's reports, or None when any of them
    vetoes it or the mean falls short: a report joins only what it matches on average (no
    chaining through one close member)."""
    # Beside other articles' reports, the article's own other reports of the type neither
    # vote nor veto: one article often reports one happening twice (a month in one sentence,
    # the day in another); when they are two happenings, their dates or counterparts tell
    # them apart through the others. Alone, they decide (_same_article).
    others = [m for m in members if m.article_id != card.article_id]
    if not others:
        return _same_article(card, members)
    total = 0.0
    for member in others:
        verdict = compare(card, member)
        if verdict.veto:
            return None
        total += verdict.score
    mean = total / len(others)
    return mean if mean >= THRESHOLD else None


def support(card: Card, members: list[Card], mean: float) -> float:
    """How strongly a happening the report joins (`mean`, from joins) backs it: the mean
    times the other articles reporting it, one at least. Of several happenings a report
    matches on average, the one most reports back wins: a report whose language the
    features read less lowers a happening's mean, not the reports that match it."""
    return mean * max(1, len({m.article_id for m in members} - {card.article_id}))


def _same_article(card: Card, members: list[Card]) -> float | None:
    """A happening only this report's own article reports so far: the article names one
    happening twice ("met on July 8" and "at the meeting on July 8") when both reports are
    dated and nothing tells them apart (SAME_ARTICLE: a happening of other articles that
    matches better still wins); an undated one may be anything the article recalls."""
    if card.lo is None:
        return None
    for member in members:
        if member.lo is None or compare(card, member).veto:
            return None
    return SAME_ARTICLE
