"""Named things in an article: countries, people, organisations, places, agreements, equipment.

One module per kind, each a registered stage of the pipeline with its own version (see
pipeline.STAGES); `common` holds what they share. The stages run in `NAME_STAGES` order: a kind
found earlier claims its tokens, so a later kind does not read them again.
"""

from collections.abc import Callable

from app.extraction.base import FoundEntity
from app.extraction.budget import Deadline
from app.extraction.lexicon import Lexicon
from app.extraction.names import (
    agreements,
    countries,
    equipment,
    organizations,
    people,
    places,
)
from app.extraction.names.common import Page
from app.extraction.tokens import Token

# stage name -> what it runs, in the order the default pipeline runs them
NAME_STAGES: dict[str, Callable[[Page], None]] = {
    "countries": countries.find,
    "agreements": agreements.find,
    "known-places": places.find_known,
    "equipment": equipment.find,
    "organizations": organizations.find,
    "people": people.find,
    "places": places.find,
}


def find_names(
    text: str, tokens: list[Token], lex: Lexicon, deadline: Deadline | None = None
) -> list[FoundEntity]:
    """Every named entity of the article, one per real thing, with its mentions."""
    page = Page(text, tokens, lex, deadline)
    for run in NAME_STAGES.values():
        run(page)
    return page.entities()


__all__ = ["NAME_STAGES", "Page", "find_names"]
