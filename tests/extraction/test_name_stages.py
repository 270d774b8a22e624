"""The name stages: one registered stage per kind, run in order, versioned one by one."""

from dataclasses import replace

import pytest

from app.extraction import pipeline
from app.extraction.base import Document
from app.extraction.lexicon import lexicon
from app.extraction.names import NAME_STAGES, find_names
from app.extraction.tokens import tokenize

TEXT = (
    "Kenyan Defence Minister Amina Odhiambo met officials of the Ministry of Defence in Mombasa "
    "on Monday. Odhiambo said the Coastal Security Declaration would cover patrols of the Red Sea "
    "by K9 howitzers. The Kenya Navy took part."
)


def test_every_kind_is_a_stage_of_the_default_pipeline() -> None:
    kinds = {"countries", "agreements", "equipment", "organizations", "people", "places"}
    assert kinds <= set(NAME_STAGES) <= set(pipeline.STAGES)
    order = pipeline.DEFAULT_PIPELINE
    assert order.index("entities") > max(order.index(k) for k in NAME_STAGES)
    assert order.index("events") > order.index("entities")


def test_the_pipeline_finds_what_find_names_finds() -> None:
    tokens, _ = tokenize(TEXT)
    direct = find_names(TEXT, tokens, lexicon())
    staged = pipeline.extract(Document(text=TEXT, published=None, language="en")).entities
    assert [(e.kind, e.name, len(e.mentions)) for e in staged] == [
        (e.kind, e.name, len(e.mentions)) for e in direct
    ]
    assert {e.kind for e in staged} >= {"country", "person", "organization", "location"}


def test_the_version_names_every_stage_uncut(monkeypatch: pytest.MonkeyPatch) -> None:
    version = pipeline.pipeline_version()
    last = pipeline.DEFAULT_PIPELINE[-1]
    assert version.endswith(f"+{last}-{pipeline.STAGES[last].version}")
    assert f"+events-{pipeline.STAGES['events'].version}" in version
    assert all(f"+{name}-" in version for name in NAME_STAGES)
    # a new version of a late stage shows in the stored string (64 characters lost it)
    bumped = replace(pipeline.STAGES["places"], version=99)
    monkeypatch.setitem(pipeline.STAGES, "places", bumped)
    assert pipeline.pipeline_version() != version and "+places-99+" in pipeline.pipeline_version()


def test_the_spacy_stage_goes_after_the_rules_names() -> None:
    version = pipeline.pipeline_version(spacy_model="en_core_web_sm")
    entities = pipeline.STAGES["entities"].version
    assert f"+entities-{entities}+spacy-1=en_core_web_sm+events-" in version


def test_an_acronym_in_brackets_after_a_known_organisation_is_its_alias() -> None:
    text = "The Inter-Services Public Relations (ISPR) said so. Later ISPR added more."
    result = pipeline.extract(Document(text=text, published=None, language="en"))
    orgs = [e for e in result.entities if e.kind == "organization"]
    assert [e.name for e in orgs] == ["Inter-Services Public Relations"]
    assert orgs[0].aliases == ["ISPR"] and len(orgs[0].mentions) == 2


def test_a_state_inside_a_known_place_name_is_no_mention_of_it() -> None:
    text = "Ships sailed the South China Sea and the Indo Pacific. Japan sent a destroyer."
    result = pipeline.extract(Document(text=text, published=None, language="en"))
    codes = {e.code for e in result.entities if e.kind == "country"}
    assert codes == {"JPN"}
    places = {e.name for e in result.entities if e.kind == "location"}
    assert {"South China Sea", "Indo Pacific"} <= places
