"""The pipeline stage for pages not in English: countries, then the events among them."""

from typing import TYPE_CHECKING

from app.extraction.languages.countries import find_countries
from app.extraction.languages.dates import find_dates
from app.extraction.languages.events import find_events, sentences
from app.extraction.languages.organizations import find_organizations
from app.extraction.languages.people import find_people, merge_spellings
from app.extraction.languages.quoted import quoted_english_names
from app.extraction.languages.rules import has_rules, rules_for
from app.kit.language import declared_language

if TYPE_CHECKING:
    from app.extraction.pipeline import State

__all__ = ["has_rules", "languages_stage"]


def languages_stage(state: "State") -> None:
    """States, people and bodies in the page's language (and in the English it quotes),
    then the events among the states."""
    document = state.document
    rules = rules_for(declared_language(document.language) or "")
    if rules is None:
        return
    text = document.text
    state.sentences = sentences(text)
    countries = find_countries(text, rules)
    people = find_people(text, rules, countries)
    organizations = find_organizations(text, rules, frozenset(state.lex.org_names.values()))
    known = {e.name.casefold() for e in people + organizations}
    quoted = [
        e
        for e in quoted_english_names(text, state.sentences, state.deadline)
        if e.name.casefold() not in known
    ]
    named = merge_spellings(people + [e for e in quoted if e.kind == "person"])
    others = [e for e in quoted if e.kind != "person"]
    state.entities = countries + named + organizations + others
    state.deadline.check()
    dates = find_dates(text, rules, document.published, month_only=document.published_month_only)
    state.deadline.check()
    state.events = find_events(text, state.sentences, countries, dates, rules, named)
