"""Finding hand-coded names and evidence in a body: pure functions, no database."""

from itertools import pairwise

from app.ingest.curated import find_evidence, find_spans, name_pattern


def test_longer_names_win_and_spans_never_overlap() -> None:
    body = "The Republic of Korea and Korea signed; Korea again."
    spans = find_spans(body, ["Korea", "Republic of Korea", "", "  "])
    assert [body[s:e] for s, e in spans] == ["Republic of Korea", "Korea", "Korea"]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in pairwise(spans))


def test_names_match_whole_words_and_acronyms_as_written() -> None:
    body = "The US told us that USAF and Peruvian forces met in Peru."
    assert [body[s:e] for s, e in find_spans(body, ["US"])] == ["US"]
    assert [body[s:e] for s, e in find_spans(body, ["peru"])] == ["Peru"]  # not "Peruvian"
    assert name_pattern("US").flags & 2 == 0 and name_pattern("Peru").flags & 2


def test_a_name_that_is_absent_has_no_span() -> None:
    assert find_spans("Chile and Peru met.", ["Bolivia"]) == []


def test_evidence_is_found_whole_or_by_its_fragments() -> None:
    body = "Chile and Peru met in Lima on Monday. They signed a plan on naval training."
    whole = "Chile and Peru met in Lima on Monday."
    assert find_evidence(body, whole) == (0, len(whole))
    start, end = find_evidence(body, "[Chile and Peru met] ... They signed a plan on naval")
    assert start is not None and body[start:end] == "Chile and Peru met"
    fragment = "They signed a plan on naval training."
    start, end = find_evidence(body, "Nobody said this at all … " + fragment)
    assert start is not None and body[start:end] == fragment


def test_evidence_fragments_too_short_to_trust_are_not_placed() -> None:
    body = "Chile and Peru met."
    assert find_evidence(body, "Peru met") == (None, None)  # under 12 characters
    assert find_evidence(body, "Bolivia and Brazil talked.") == (None, None)
