"""An optional statistical NER model (spaCy) that adds the names the rules miss.

Off by default: nothing is downloaded. Install spaCy and a pipeline yourself, then name it in
DEFCOOP_SPACY_MODEL (a package name such as "en_core_web_sm", or a path to a saved pipeline).
"""

import bisect
import itertools
from functools import cache
from typing import Any

from app.extraction.base import FoundEntity, Span
from app.kit.spans import overlaps
from app.kit.text import fold

# spaCy labels -> our kinds. Countries come from the gazetteer, so GPE adds places only.
_KINDS = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "location",
    "LOC": "location",
    "FAC": "location",
}


class ModelUnavailable(RuntimeError):
    pass


@cache
def load_model(name: str) -> Any:
    """The spaCy pipeline called `name`, loaded once per process."""
    try:
        import spacy  # type: ignore[import-not-found]
    except ImportError as error:
        raise ModelUnavailable(
            f"DEFCOOP_SPACY_MODEL={name!r} is set but spaCy is not installed (pip install spacy)"
        ) from error
    try:
        return spacy.load(name)
    except OSError as error:
        raise ModelUnavailable(f"spaCy pipeline {name!r} is not installed: {error}") from error


def add_model_names(
    text: str, entities: list[FoundEntity], nlp: Any, country_words: dict[str, str]
) -> None:
    """Add the model's names that overlap nothing the rules found (and are not countries)."""
    # The rules' mentions may overlap one another: for those starting before a name ends,
    # the furthest any of them reaches says whether one overlaps it.
    rules = sorted((m.start, m.end) for e in entities for m in e.mentions)
    starts = [a for a, _ in rules]
    reach = list(itertools.accumulate((b for _, b in rules), max))
    added: list[tuple[int, int]] = []  # the model's names kept: in order, none overlapping
    known = {(e.kind, fold(e.name)): e for e in entities}
    for ent in nlp(text).ents:
        kind = _KINDS.get(ent.label_)
        if kind is None or ent.text in country_words:
            continue
        start = ent.start_char
        end = start + len(text[start : ent.end_char].rstrip(" ,;:!?—–-"))  # the name's own text
        before = bisect.bisect_left(starts, end)
        if end <= start or (before and reach[before - 1] > start) or overlaps(added, start, end):
            continue
        if kind == "person" and len(ent.text.split()) < 2:
            continue  # a lone surname: the rules link those to full names
        span = Span(start, end, text[start:end])
        entity = known.get((kind, fold(span.text)))
        if entity is None:
            entity = FoundEntity(kind=kind, name=span.text)
            entities.append(entity)
            known[(kind, fold(span.text))] = entity
        entity.mentions.append(span)
        bisect.insort(added, (start, end))  # at the end, as the model gives names in order
