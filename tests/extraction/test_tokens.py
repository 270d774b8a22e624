"""Tokens work out their possessive-free form and capital once, as the names stage reads them."""

from app.extraction.budget import BudgetExceeded, Deadline
from app.extraction.tokens import Token, tokenize


def test_possessive_endings_are_left_out_of_the_bare_word() -> None:
    tokens, sentences = tokenize("Norway's navy and the Danes’ frigates met O'Neill’s aide.")
    by_text = {t.text: t for t in tokens}
    assert by_text["Norway's"].bare == "Norway" and by_text["Norway's"].possessive
    assert by_text["O'Neill’s"].bare == "O'Neill"
    assert by_text["navy"].bare == "navy" and not by_text["navy"].possessive
    assert by_text["Norway's"].cap and not by_text["navy"].cap
    assert len(sentences) == 1 and {t.sentence for t in tokens} == {0}


def test_short_words_keep_their_ending() -> None:
    # two letters at least must stay: "a's" is not "a" + possessive
    assert Token("a's", 0, 3, 0).bare == "a's"
    assert Token("ab's", 0, 4, 0).bare == "ab"
    assert Token("x’", 0, 2, 0).bare == "x’"
    assert Token("ab’", 0, 3, 0).bare == "ab"


def test_tokens_compare_by_their_fields() -> None:
    assert Token("Oslo", 3, 7, 1) == Token("Oslo", 3, 7, 1)
    assert len({Token("Oslo", 3, 7, 1), Token("Oslo", 3, 7, 1), Token("Oslo", 9, 13, 1)}) == 2


def test_a_long_text_still_checks_the_clock() -> None:
    deadline = Deadline(0.0)
    try:
        tokenize("word " * 5000, deadline)
    except BudgetExceeded:
        return
    raise AssertionError("an expired budget was not noticed")
