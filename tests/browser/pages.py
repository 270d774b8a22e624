"""What the browser tests read off the explorer's pages, and what the API says they should
show: result lists, highlighted spans, chart bars; and two pages made up for the extractor."""

import re
from collections import Counter
from typing import Any

import httpx
from playwright.sync_api import Locator, Page

ARTICLE_HREF = re.compile(r"/explore/articles/(\d+)$")
# The facets the search view asks for (views/search.js), so the API is asked the same.
FACETS = "country,source,event_type,year"
PAGE = 20


def result_ids(page: Page) -> list[int]:
    """The article ids of the search results, in their order (from each title's link)."""
    hrefs = page.locator(
        '[data-testid="search-result"] [data-testid="result-title"] a'
    ).evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    ids = []
    for href in hrefs:
        match = ARTICLE_HREF.search(href)
        assert match, href
        ids.append(int(match[1]))
    return ids


def facet_option(page: Page, facet: str, value: str) -> Locator:
    """The button of one facet value (views/search.js: facet-group[data-facet] holds them)."""
    return page.locator(
        f'[data-testid="facet-group"][data-facet="{facet}"] '
        f'[data-testid="facet-option"][data-value="{value}"]'
    )


def searched(api: httpx.Client, **params: Any) -> dict[str, Any]:
    """The first page /v1/search answers for what the search view asks."""
    query = {"limit": PAGE, "facets": FACETS, **params}
    response = api.get("/v1/search", params=query)
    assert response.status_code == 200, response.text
    return dict(response.json())


# The spans inside a container, as [start, end) offsets into its text in UTF-16 units, each
# with the data-kind of the mention it lies in (one row per mention element it lies in, so
# nested mentions give a row each).
SPANS = """
(container, selector) => {
  const out = [];
  let offset = 0;
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length = node.data.length;
    for (let el = node.parentElement; el && el !== container; el = el.parentElement) {
      if (el.matches(selector)) out.push({ start: offset, end: offset + length, kind: el.dataset.kind || "" });
    }
    offset += length;
  }
  return { text: container.textContent, spans: out };
}
"""


def _code_points(text: str) -> list[int]:
    """For each UTF-16 offset into text, the code point offset (Python's str index)."""
    out = []
    for i, ch in enumerate(text):
        out.extend([i] * (2 if ord(ch) > 0xFFFF else 1))
    out.append(len(text))
    return out


def highlighted(page: Page, container: str, selector: str) -> tuple[str, Counter[tuple[int, str]]]:
    """The text of the container (a data-testid) and, for every character highlighted by an
    element matching selector, (its code point offset, the element's data-kind), counted."""
    found = page.get_by_test_id(container).evaluate(SPANS, selector)
    points = _code_points(found["text"])
    chars: Counter[tuple[int, str]] = Counter()
    for span in found["spans"]:
        for i in range(points[span["start"]], points[span["end"]]):
            chars[(i, span["kind"])] += 1
    return found["text"], chars


def expected_highlights(
    mentions: list[tuple[int | None, int | None, str]],
) -> Counter[tuple[int, str]]:
    """The same count from the API's mentions: (start, end, kind) in code points; those
    without offsets are not in the text."""
    chars: Counter[tuple[int, str]] = Counter()
    for start, end, kind in mentions:
        if start is not None and end is not None:
            for i in range(start, end):
                chars[(i, kind)] += 1
    return chars


def chart_counts(page: Page, chart: str) -> dict[tuple[str, str], int]:
    """A stacked chart's bars (lib/chart.js: rect.chart-bar with data-year, data-type and
    data-count) as {(year, type): count}."""
    bars = page.locator(f'[data-testid="{chart}"] rect.chart-bar').evaluate_all(
        "(bars) => bars.map((b) => [b.dataset.year, b.dataset.type, Number(b.dataset.count)])"
    )
    out: dict[tuple[str, str], int] = {}
    for year, kind, count in bars:
        assert (year, kind) not in out, f"two bars for {year} {kind}"
        out[(year, kind)] = count
    return out


def expected_chart(by_year: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """The API's by_year ([{year, count, by_type}]) as the bars it should draw."""
    return {
        (str(row["year"]), kind): n
        for row in by_year
        if row["year"] is not None
        for kind, n in row["by_type"].items()
        if n
    }


# Pages for the extractor, made up for these tests (no real report's text).
# A character outside the Basic Multilingual Plane before the names: the API counts code
# points, the DOM UTF-16 units, and every highlight after it must still sit on its name.
TEXT = (
    "Update \U0001f6f0: Turkish Defence Minister Ali Veli met his Azerbaijani counterpart in "
    "Ankara on Monday. Turkey and Azerbaijan signed an agreement on joint exercises, and "
    "Turkey will deliver drones to Azerbaijan next year."
)
HTML = """<!doctype html><html lang="en"><head><title>Estonia and Latvia plan drills</title></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Estonia and Latvia plan drills</h1>
<p>TALLINN: Estonian and Latvian defence ministers met in Tallinn on Tuesday and agreed to hold
a joint air defence exercise in May.</p>
<p>Estonia will also train Latvian cadets at its military academy.</p></article>
<footer>Made up for the explorer's tests.</footer></body></html>"""
