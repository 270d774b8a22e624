"""Property-based tests: any input to the parsers gives a result or a clear error, never a crash.

Examples per test come from the hypothesis profile (tests/conftest.py): `ci` by default,
`HYPOTHESIS_PROFILE=thorough` for a long hunt."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extraction import extract
from app.extraction.base import Document
from app.ingest.page import parse_page
from app.ingest.reader import read_content
from app.search.engines import Fts5Engine, PostgresEngine
from app.search.highlight import Marks, highlight_title, snippets
from app.search.query import Node, QuerySyntaxError, parse, words

QUERY_ALPHABET = st.sampled_from(
    [
        *list("abc xyz \"()-*:^~{}[]\\'+!?.,;ÄéüßΩЖ中😀\t\n\x00\x07"),
        "OR",
        "AND",
        "NOT",
        "NEAR",
        " OR ",
        " AND ",
        " NOT ",
    ]
)
queries = st.lists(QUERY_ALPHABET, max_size=40).map("".join) | st.text(max_size=600)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries)
def test_any_query_parses_or_fails_cleanly(q: str) -> None:
    try:
        node: Node = parse(q)
    except QuerySyntaxError as error:
        assert error.position >= 0 and error.message
        return
    for engine in (Fts5Engine(), PostgresEngine()):
        compiled = engine.compile(node)
        assert compiled and "\x00" not in compiled
    marked = highlight_title(q, words(node), Marks())
    assert marked is None or "<mark>" in marked or "<" not in marked.replace("&lt;", "")


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000), st.one_of(st.none(), st.text(max_size=200)))
def test_any_page_reads_into_a_page(text: str, url: str | None) -> None:
    page = parse_page(text, url=url)
    assert isinstance(page.body, str)
    assert page.published is None or 1900 <= page.published.value.year <= 2100


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_any_text_extracts_without_crashing(text: str) -> None:
    result = extract(Document(text=text, language="en"))
    for entity in result.entities:
        for mention in entity.mentions:
            assert text[mention.start : mention.end] == mention.text
    for event in result.events:
        assert text[event.evidence.start : event.evidence.end] == event.evidence.text


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=1500))
def test_any_html_reads(html: str) -> None:
    page = read_content(html=f"<html><body><p>{html}</p></body></html>")
    assert isinstance(page.body, str)
    assert all("<mark>" not in s for s in snippets(page.body, [], Marks()))
