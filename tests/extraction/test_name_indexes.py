"""The indexes and shortcuts the name stages' loops read: what they find stays what a plain
scan over every length would find, and each loop still minds the deadline."""

import time

import pytest

from app.extraction.budget import BudgetExceeded, Deadline
from app.extraction.lexicon import lexicon
from app.extraction.names import countries
from app.extraction.names.common import CLOCK_EVERY, Page
from app.extraction.tokens import tokenize


def _page(text: str, deadline: Deadline | None = None) -> Page:
    tokens, _ = tokenize(text)
    return Page(text, tokens, lexicon(), deadline)


def _expired() -> Deadline:
    deadline = Deadline(0.0)
    time.sleep(0.001)
    return deadline


def _countries(text: str) -> list[tuple[str | None, str]]:
    page = _page(text)
    countries.find(page)
    return sorted(
        (entity.code, mention.text)
        for entity in page.found.by_key.values()
        for mention in entity.mentions
    )


def test_country_names_of_several_words_are_indexed_by_their_first_word() -> None:
    starts = lexicon().country_starts
    assert {3, 2} <= set(starts["United"])  # "United Arab Emirates", "United States"
    assert list(starts["United"]) == sorted(starts["United"], reverse=True)
    assert "Pakistan" not in starts  # a name of one word is looked up as the word itself


def test_the_longest_country_name_wins_and_a_possessive_ends_it() -> None:
    found = _countries(
        "The United Arab Emirates' navy met crews from Bosnia and Herzegovina and the "
        "United States. Azerbaijan's envoy spoke of Indo-US ties."
    )
    assert ("ARE", "United Arab Emirates") in found
    assert ("BIH", "Bosnia and Herzegovina") in found
    assert ("USA", "United States") in found
    assert ("AZE", "Azerbaijan") in found
    assert ("IND", "Indo") in found and ("USA", "US") in found


def test_a_country_name_does_not_run_across_sentences() -> None:
    found = _countries("Officials of the United. States were there.")
    assert not any(code == "USA" and " " in text for code, text in found)


def test_a_lexicon_match_stops_before_a_token_another_stage_claimed() -> None:
    table = {"red sea fleet": "Red Sea Fleet", "red sea": "Red Sea"}
    free = _page("The Red Sea Fleet sailed at dawn.")
    free.lexicon_matches(table, "agreement")
    assert [e.name for e in free.found.by_key.values()] == ["Red Sea Fleet"]
    claimed = _page("The Red Sea Fleet sailed at dawn.")
    claimed.found.used.add(3)  # "Fleet"
    claimed.lexicon_matches(table, "agreement")
    assert [e.name for e in claimed.found.by_key.values()] == ["Red Sea"]


def test_each_per_token_loop_checks_the_clock() -> None:
    text = "Chile and Peru met in Lima. " * (CLOCK_EVERY // 3)
    with pytest.raises(BudgetExceeded):
        countries.find(_page(text, _expired()))
    page = _page(text, _expired())
    with pytest.raises(BudgetExceeded):
        page.lexicon_matches(page.lex.place_names, "location")
    with pytest.raises(BudgetExceeded):
        page.chunks()
    with pytest.raises(BudgetExceeded):
        page.each(lambda chunk: None)
