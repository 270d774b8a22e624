"""Features of one event the rules found, for the learned event filter tried in
benchmarks/train_event_filter.py (issue 13). An experiment, not a pipeline stage: in
cross-validation over pages the filter did not beat the rules, so nothing here ships in `app`.

The features are pure functions of the event, the document and the entity list, so that a filter
that does pay could move into app/extraction as it is, its weights applied by `probability`.
"""

import math
import re

from app.extraction.base import Document, FoundEntity, FoundEvent

TYPES = (
    "agreement",
    "arms_transfer",
    "conflict",
    "exercise",
    "industry",
    "meeting",
    "military_aid",
    "statement",
    "training",
    "visit",
)
_MODAL = re.compile(
    r"\b(will|would|could|may|might|should|plans?|planned|expected|intends?|to be|set to|"
    r"aims?|seeks?|proposed|possible|potential)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"\b(not|no|never|denied|without)\b|n't\b", re.IGNORECASE)
_CONDITIONAL = re.compile(r"\b(if|unless|whether)\b", re.IGNORECASE)
_PAST_TENSE = re.compile(r"\b\w+ed\b|\b(met|held|signed|took|began|sent|gave|made)\b", re.I)
_REPORTED = re.compile(r"\b(said|says|told|stated|added|according to)\b", re.IGNORECASE)
_BACKGROUND = re.compile(r"\b(since|previously|earlier|last year|in \d{4}|ago|former)\b", re.I)
_QUOTES = re.compile('["“”]')

FEATURES: tuple[str, ...] = (
    *(f"type={t}" for t in TYPES),
    "two_named_states",  # the rules' confidence: both states named in the sentence
    "states",
    "states_in_sentence",  # of the event's states, the share its own sentence mentions
    "dated",
    "date_day",
    "date_month",
    "date_year",
    "date_is_published",
    "date_span",
    "planned",
    "modal",
    "negation",
    "conditional",
    "past_tense",
    "reported_speech",
    "background",
    "quotes",
    "persons",
    "roles",
    "location",
    "named",
    "first_sentence",
    "position",  # where the sentence starts, as a share of the text
    "no_full_stop",  # captions, headlines, short lines
    "log_words",
    "same_type",  # other events of the same type in the article
    "same_type_states",  # other events of the same type and states
    "log_events",  # all events of the article
)


def _in_span(entity: FoundEntity, start: int, end: int) -> bool:
    return any(start <= m.start < end for m in entity.mentions)


def _state_codes_in(entities: list[FoundEntity], start: int, end: int) -> set[str]:
    codes: set[str] = set()
    for entity in entities:
        code = entity.code if entity.kind == "country" else entity.country
        if code and _in_span(entity, start, end):
            codes.add(code)
    return codes


def features(
    event: FoundEvent,
    document: Document,
    entities: list[FoundEntity],
    events: list[FoundEvent],
) -> list[float]:
    """The feature vector of one event, in the order of FEATURES."""
    sentence = event.evidence.text
    start, end = event.evidence.start, event.evidence.end
    named = _state_codes_in(entities, start, end)
    states = set(event.countries)
    precision = event.date.precision.value if event.date else ""
    published = document.published
    words = len(sentence.split())
    same_type = sum(1 for e in events if e is not event and e.type == event.type)
    same_states = sum(
        1 for e in events if e is not event and e.type == event.type and set(e.countries) == states
    )
    values = [float(event.type == t) for t in TYPES]
    values += [
        float(event.confidence >= 0.6),
        float(len(states)),
        len(states & named) / len(states) if states else 0.0,
        float(event.date is not None),
        float(precision == "day"),
        float(precision == "month"),
        float(precision == "year"),
        float(event.date is not None and published is not None and event.date.value == published),
        float(event.date_end is not None),
        float(event.status == "planned"),
        float(bool(_MODAL.search(sentence))),
        float(bool(_NEGATION.search(sentence))),
        float(bool(_CONDITIONAL.search(sentence))),
        float(bool(_PAST_TENSE.search(sentence))),
        float(bool(_REPORTED.search(sentence))),
        float(bool(_BACKGROUND.search(sentence))),
        float(bool(_QUOTES.search(sentence))),
        float(bool(event.persons)),
        float(bool(event.roles)),
        float(event.location is not None),
        float(event.name is not None),
        float(event.sentence == 0),
        start / max(len(document.text), 1),
        float(not sentence.rstrip().endswith((".", "!", "?", '"', "”", ":"))),
        math.log1p(words),
        float(same_type),
        float(same_states),
        math.log1p(len(events)),
    ]
    return values


def probability(vector: list[float], model: dict[str, object]) -> float:
    """The standardised dot product and the sigmoid: what the trained regression predicts."""
    mean: list[float] = model["mean"]  # type: ignore[assignment]
    scale: list[float] = model["scale"]  # type: ignore[assignment]
    weights: list[float] = model["weights"]  # type: ignore[assignment]
    bias = float(model["bias"])  # type: ignore[arg-type]
    z = bias + sum(w * (x - m) / s for w, x, m, s in zip(weights, vector, mean, scale, strict=True))
    return 1.0 / (1.0 + math.exp(-z))
