"""The extraction pipeline: stages registered by name, each with a version and what it produces."""

from collections.abc import Callable
from dataclasses import dataclass, field

from app.extraction import statistical
from app.extraction.base import Document, Extraction, FoundEntity, FoundEvent
from app.extraction.budget import BudgetExceeded, Deadline
from app.extraction.events import find_events
from app.extraction.languages.stage import has_rules, languages_stage
from app.extraction.lexicon import Lexicon, lexicon
from app.extraction.names import NAME_STAGES, Page
from app.extraction.tokens import Token, tokenize
from app.kit.language import declared_language


@dataclass
class State:
    """What the stages share while one document goes through them."""

    document: Document
    lex: Lexicon
    deadline: Deadline
    tokens: list[Token] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    entities: list[FoundEntity] = field(default_factory=list)
    page: Page | None = None  # the name stages' shared work, made by the first of them
    events: list[FoundEvent] = field(default_factory=list)
    spacy_model: str | None = None


@dataclass(frozen=True)
class Stage:
    name: str
    version: int
    produces: tuple[str, ...]
    run: Callable[[State], None]


def _tokens(state: State) -> None:
    state.tokens, state.sentences = tokenize(state.document.text, state.deadline)


def _name_stage(name: str) -> Callable[[State], None]:
    """A name stage: it adds to the article's `Page`, which the `entities` stage reads."""
    find = NAME_STAGES[name]

    def run(state: State) -> None:
        if state.page is None:
            state.page = Page(state.document.text, state.tokens, state.lex, state.deadline)
        find(state.page)

    return run


def _entities(state: State) -> None:
    if state.page is not None:
        state.entities = state.page.entities()


def _model_names(state: State) -> None:
    if state.spacy_model:
        nlp = statistical.load_model(state.spacy_model)
        statistical.add_model_names(
            state.document.text, state.entities, nlp, state.lex.country_words
        )


def _events(state: State) -> None:
    state.events = find_events(
        state.document.text,
        state.sentences,
        state.entities,
        state.lex,
        state.document.published,
        state.deadline,
        month_only=state.document.published_month_only,
    )


# The registry: name -> stage. Order of the default pipeline follows what each stage needs.
STAGES: dict[str, Stage] = {
    stage.name: stage
    for stage in (
        Stage("tokens", 1, ("tokens", "sentences"), _tokens),
        # The name stages, one per kind; the order of DEFAULT_PIPELINE matters (see names/).
        Stage("countries", 2, ("entities",), _name_stage("countries")),  # 2: "Russian-made"
        Stage("agreements", 4, ("entities",), _name_stage("agreements")),  # 4: "X Plan", "Code"
        Stage("known-places", 2, ("entities",), _name_stage("known-places")),  # 2: regions
        Stage("equipment", 4, ("entities",), _name_stage("equipment")),  # 4: more platforms
        Stage(
            "organizations", 5, ("entities",), _name_stage("organizations")
        ),  # 5: outlets before "daily", "newspaper"
        Stage("people", 5, ("entities",), _name_stage("people")),  # 5: '..., added X.'
        Stage("places", 4, ("entities",), _name_stage("places")),  # 4: "at X in <place>"
        # short names merged into long ones ("Shusha Declaration"), mentions put in order
        Stage("entities", 4, ("entities",), _entities),  # 4: an acronym of a name merged
        Stage("spacy", 1, ("entities",), _model_names),
        # 5: states from bare titles; cited sources; long quotes; back-references; named
        # weapons meet what transfers and aid require; meetings
        # and exercises of other people or names kept apart; 6: a visit's host from the
        # capital it names ("visiting Warsaw"); 7: a future word plans only its clause,
        # statements dated by the saying, document years date pacts only, month-only
        # datelines, transfers of other weapons apart, 'received' a person (issue 13)
        Stage("events", 7, ("events",), _events),
        # pages in other languages: countries, dates and events from per-language data files
        # 2: a second person after the language's "and" ("X Y et Z W"); 3: known companies;
        # 4: a visit's host from its capital ("w Warszawie"); Portuguese "foi entregue";
        # 5: month-only datelines place a day of that month
        Stage("languages", 5, ("entities", "events"), languages_stage),
    )
}
NAME_PIPELINE: tuple[str, ...] = (*NAME_STAGES, "entities")
DEFAULT_PIPELINE: tuple[str, ...] = ("tokens", *NAME_PIPELINE, "events", "languages")
FOREIGN_STAGES = frozenset({"languages"})  # run for pages not in English, and only for them


def pipeline_version(
    names: tuple[str, ...] = DEFAULT_PIPELINE, spacy_model: str | None = None
) -> str:
    """'rules:tokens-1+countries-1+...+events-2': stored with every article's extracted data
    (Article.extractor_version holds 255 characters; 64 lost the last stages)."""
    stages = [f"{n}-{STAGES[n].version}" for n in names]
    if spacy_model:
        at = names.index("entities") + 1 if "entities" in names else 0
        stages.insert(at, f"spacy-1={spacy_model}")
    # 255: the column's width (a long spaCy model path is all that can come near it)
    return ("rules:" + "+".join(stages))[:255]


PIPELINE_VERSION = pipeline_version()


def extract(
    document: Document,
    *,
    budget_s: float | None = None,
    stages: tuple[str, ...] = DEFAULT_PIPELINE,
    spacy_model: str | None = None,
) -> Extraction:
    """Run the stages over one document. Non-English text and overruns yield no data, with why.

    With `spacy_model`, the named spaCy pipeline runs after the rules and adds what they missed.
    """
    version = pipeline_version(stages, spacy_model)
    if spacy_model and "entities" in stages and "spacy" not in stages:
        at = stages.index("entities") + 1
        stages = (*stages[:at], "spacy", *stages[at:])
    language = declared_language(document.language) or document.language
    foreign = bool(language) and language != "en"
    if foreign and not has_rules(str(language)):
        return Extraction(version=version, skipped=f"language {document.language}: no rules for it")
    if not document.text.strip():
        return Extraction(version=version)
    lex = lexicon()  # loaded once per process, outside the budget
    state = State(document=document, lex=lex, deadline=Deadline(budget_s), spacy_model=spacy_model)
    for name in stages:
        if (name in FOREIGN_STAGES) != foreign:
            continue
        # The stages check the deadline in their loops; a stage that cannot (the spaCy model)
        # is caught after it.
        try:
            STAGES[name].run(state)
            state.deadline.check()
        except BudgetExceeded:
            return Extraction(
                version=version, skipped=f"time budget of {budget_s}s exceeded at {name}"
            )
    return Extraction(version=version, entities=state.entities, events=state.events)
