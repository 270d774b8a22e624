"""Highlights: single words (their own path) are marked as the general path marks them."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.search.highlight import _WORD, Marks, _spans, highlight_title, snippets, stem
from app.search.query import Phrase, Term

TEXT = (
    "Naval drills began on Monday. The drill, the navy's largest, ended a week of drilling;"
    " observers said the Drills were routine. Frigates joined."
)
NOTHING = Term("zzqxv", prefix=True)  # a prefix that matches nothing: the general path


def test_single_words_are_marked_by_stem_as_the_general_path_marks_them() -> None:
    wanted = [Term("drill"), Term("frigate")]
    title = highlight_title(TEXT, wanted, Marks())
    assert title == highlight_title(TEXT, [*wanted, NOTHING], Marks())
    assert title is not None
    marked = [part.split("</mark>")[0] for part in title.split("<mark>")[1:]]
    assert marked == ["drills", "drill", "drilling", "Drills", "Frigates"]


def test_snippets_of_single_words_match_the_general_path() -> None:
    body = ("Filler words without the term. " * 20) + TEXT + (" More filler text here." * 20)
    for wanted in ([Term("observer")], [Term("drill")], [Term("absentword")]):
        assert snippets(body, wanted, Marks()) == snippets(body, [*wanted, NOTHING], Marks())
    assert "<mark>observers</mark>" in snippets(body, [Term("observer")], Marks())[0]


def test_a_phrase_still_takes_the_general_path() -> None:
    title = highlight_title(TEXT, [Phrase(("navy", "largest"))], Marks("[", "]"))
    assert title is not None and "[navy's largest]" not in title  # "navy's" is two words here
    assert highlight_title("the navy largest", [Phrase(("navy", "largest"))], Marks("[", "]")) == (
        "the [navy largest]"
    )


def _marked_word_by_word(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where single words match, read a word at a time: what the fast path must find."""
    stems = {stem(w) for w in words}
    return [m.span() for m in _WORD.finditer(text) if stem(m.group()) in stems]


PIECES = ["drill", "Drills", "dri", "_", "ll", "navy's", " ", "-", "9", "possibility", "Possible"]
PIECES += ["dying", "die", "relational", "relate", "hoping", "Hope", "skies", "sky", "ies"]
WORDS = ["drill", "dri", "ll", "ete", "navy", "9", "possible", "die", "relate", "hope", "sky"]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from([*PIECES, "é", "Éte"]), max_size=30).map("".join),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
)
@example("Dying men, lying; the possibility of relational drills", ["die", "lie", "possible"])
@example("relational_possibility Possibility", ["relate", "possible"])
def test_single_words_are_found_where_a_word_by_word_reading_finds_them(
    text: str, words: list[str]
) -> None:
    wanted = [Term(w) for w in words]
    assert list(_spans(text, wanted)) == _marked_word_by_word(text, words)
