"""The event gates only skip searches that would fail: same answers, fewer regex runs."""

import re

from app.extraction.gates import Gates, needles
from app.extraction.lexicon import lexicon
from app.extraction.tokens import tokenize


def test_needles_read_the_literal_pieces_of_a_pattern() -> None:
    assert needles(re.compile(r"\bsign(?:ed|s|ing)?\b", re.I)) == {"sign"}
    assert needles(re.compile(r"(?:\bmet\b)|(?:\bport\s+call\b)", re.I)) == {"met", "call"}
    assert needles(re.compile(r"\bmet\b|\bmeetings?\b", re.I)) == {"met", "meeting"}  # "me(?:t|..)"
    assert needles(re.compile(r"\bfir(?:ed|ing)\s+at\b", re.I)) == {"fired", "firing"}
    assert needles(re.compile(r"\bemphasi[sz]ed\b", re.I)) == {"emphasis", "emphasiz"}
    assert needles(re.compile(r"\bthe\s+war\b", re.I)) == {"war"}  # the later of a tie


def test_a_pattern_that_needs_no_word_has_no_needles() -> None:
    assert needles(re.compile(r"(?:\bjoint\b)|(?:['\"][A-Z])", re.I)) is None
    assert needles(re.compile(r"\b(?:a|an)?\s*\w+", re.I)) is None


def test_gates_say_which_patterns_may_match_each_sentence() -> None:
    patterns = {
        ("triggers", "visit"): re.compile(r"\bvisit(?:s|ed)?\b", re.I),
        ("triggers", "meeting"): re.compile(r"\bmet\b|\bmeetings?\b", re.I),
        ("requires", "any"): re.compile(r"\w+", re.I),
    }
    text = "The minister VISITED Rome. Nothing here. They met and held meetings."
    sentences = [(0, 26), (27, 40), (41, len(text))]
    found = Gates(patterns).by_sentence(text, sentences)
    assert ("triggers", "visit") in found[0] and ("triggers", "meeting") not in found[0]
    assert ("triggers", "visit") not in found[1] and ("triggers", "meeting") not in found[1]
    assert ("triggers", "meeting") in found[2]
    assert all(("requires", "any") in keys for keys in found)  # no needles: everywhere


def test_a_sentence_with_letters_that_fold_to_ascii_is_never_gated_out() -> None:
    # under re.IGNORECASE "ı" matches "i" and "ſ" matches "s": str.lower() keeps them apart
    patterns = {("triggers", "visit"): re.compile(r"\bvisit\b", re.I)}
    text = "He will vısit Ankara. He will VİSİT Izmir. A viſit."
    sentences = [(0, 21), (22, 42), (43, len(text))]
    found = Gates(patterns).by_sentence(text, sentences)
    assert all(("triggers", "visit") in keys for keys in found)


def test_gates_never_drop_a_sentence_the_event_patterns_match() -> None:
    events = lexicon().events
    text = (
        "The defence minister paid an official visit to Egypt on Monday. "
        "Both navies held a joint exercise, codenamed Sea Shield, off the coast.\n"
        "The ministry signed a memorandum on military education with Kenya. "
        "Officials said the deal for 12 helicopters was concluded. "
        "Border guards fired across the line, the army reported. "
        "It rained all week in the capital. "
        "The plant will locally produce armoured vehicles under a technology transfer."
    )
    _, sentences = tokenize(text)
    found = events.gates.by_sentence(text, sentences)
    table = {
        **{("triggers", t): p for t, p in events.triggers.items()},
        **{("requires", t): p for t, p in events.requires.items() if p is not None},
        **{("excludes", t): p for t, p in events.excludes.items()},
    }
    matched = 0
    for (start, end), keys in zip(sentences, found, strict=True):
        for key, pattern in table.items():
            if pattern.search(text[start:end]):
                matched += 1
                assert key in keys, (key, text[start:end])
    assert matched > 10
    assert ("triggers", "exercise") not in found[-2]  # the rain: no exercise word
