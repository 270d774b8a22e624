"""The explorer's tour, as a user clicks it, each step checked against what the API answers:
search → a facet → an article → an event's evidence, highlighted in the text → its pair, whose
chart has a bar for each year and type the API counts → the network → an edge of the graph →
that pair. Also: a shared search URL shows the same page, "load more" goes on through the
cursor, and a syntax error shows the API's message and where the query went wrong."""

import re
from collections.abc import Callable
from typing import Any

import httpx

from tests.browser.conftest import Demo, Explorer
from tests.browser.pages import (
    PAGE,
    chart_counts,
    expected_chart,
    expected_highlights,
    facet_option,
    highlighted,
    result_ids,
    searched,
)

# An edge of the Cytoscape graph that a click can hit: its rendered midpoint, in the window's
# coordinates, away from every node and every other edge (views/network.js leaves the
# Cytoscape instance on the graph's container for this). The heaviest such edge is taken.
CLICKABLE_EDGE = """
(el) => {
  const cy = el.cy;
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const left = box.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft);
  const top = box.top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop);
  const near = (p, a, b) => {
    const dx = b.x - a.x, dy = b.y - a.y;
    const t = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy || 1)));
    return Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
  };
  const edges = cy.edges().toArray().sort((x, y) => y.data("weight") - x.data("weight"));
  for (const edge of edges) {
    const m = edge.renderedMidpoint();
    if (m.x < 12 || m.y < 12 || m.x > el.clientWidth - 12 || m.y > el.clientHeight - 12) continue;
    const onNode = cy.nodes().some((n) => {
      const b = n.renderedBoundingBox({ includeLabels: true });
      return m.x > b.x1 - 8 && m.x < b.x2 + 8 && m.y > b.y1 - 8 && m.y < b.y2 + 8;
    });
    const onEdge = cy.edges().some((other) => other !== edge
      && near(m, other.source().renderedPosition(), other.target().renderedPosition()) < 12);
    if (onNode || onEdge) continue;
    return { x: left + m.x, y: top + m.y,
             codes: [edge.source().data("code"), edge.target().data("code")] };
  }
  return null;
}
"""


def _pair_path(a: str, b: str) -> str:
    x, y = sorted((a, b))
    return f"/explore/pairs/{x}-{y}"


def _check_pair(tab: Explorer, api: httpx.Client, a: str, b: str) -> None:
    """The pair's page: its total, and a bar for each (year, type) the API counts."""
    profile = api.get(f"/v1/dyads/{a}-{b}").raise_for_status().json()
    page = tab.page
    total = page.get_by_test_id("pair-total").inner_text()
    assert str(profile["counts"]["total"]) in total
    assert profile["a"]["name"] in total and profile["b"]["name"] in total
    expected = expected_chart(profile["counts"]["by_year"])
    assert expected, f"{a}-{b}: nothing to chart"
    assert chart_counts(page, "pair-chart") == expected


def _pick_facet(found: dict[str, Any]) -> str:
    """A country that narrows the results (fewer than all of them), else the first."""
    values = found["facets"]["country"]["values"]
    assert values, "no country facet for the demo's query"
    narrowing = [v["value"] for v in values if v["count"] < found["total"]]
    return str((narrowing or [values[0]["value"]])[0])


def test_search_facet_article_evidence_pair_network_edge(
    explorer: Explorer, api: httpx.Client, demo: Demo
) -> None:
    page = explorer.open("/explore/search")

    # search
    page.get_by_test_id("search-input").fill(demo.query)
    page.get_by_test_id("search-input").press("Enter")
    page.wait_for_url(re.compile(rf"[?&]q={demo.query}"))
    explorer.ready()
    found = searched(api, q=demo.query, sort="relevance")
    assert result_ids(page) == [item["id"] for item in found["items"]]
    assert str(found["total"]) in page.get_by_test_id("result-count").inner_text()

    # a facet
    code = _pick_facet(found)
    facet_option(page, "country", code).click()
    explorer.ready()
    assert f"country={code}" in page.url
    narrowed = searched(api, q=demo.query, sort="relevance", country=code)
    assert result_ids(page) == [item["id"] for item in narrowed["items"]]
    assert facet_option(page, "country", code).get_attribute("aria-pressed") == "true"
    assert page.get_by_test_id("active-filters").is_visible()

    # an article: the first result
    article_id = narrowed["items"][0]["id"]
    page.locator('[data-testid="search-result"] [data-testid="result-title"] a').first.click()
    page.wait_for_url(re.compile(rf"/explore/articles/{article_id}$"))
    explorer.ready()
    article = api.get(f"/v1/articles/{article_id}", params={"include": "events,mentions"}).json()
    assert page.get_by_test_id("article-title").inner_text() == (article["title"] or article["url"])

    # an event's evidence, highlighted in the text where the API places it
    events = [e for e in article["events"] if e["evidence"] and len(set(e["countries"])) >= 2]
    assert events, f"article {article_id} has no event between states"
    event = events[0]
    card = page.locator(f'[data-testid="event-card"][data-event-id="{event["id"]}"]')
    assert page.get_by_test_id("evidence-highlight").count() == 0
    card.get_by_test_id("event-evidence-button").click()
    mark = page.get_by_test_id("article-body").get_by_test_id("evidence-highlight")
    assert mark.count() == 1
    assert mark.inner_text().strip() == event["evidence"]["text"].strip()
    text, marks = highlighted(page, "article-body", '[data-testid="evidence-highlight"]')
    assert text == article["body"]
    start, end = event["evidence"]["start"], event["evidence"]["end"]
    assert {i for i, _ in marks} == set(range(start, end))

    # its pair
    a, b = sorted(set(event["countries"]))[:2]
    card.get_by_test_id("pair-link").first.click()
    page.wait_for_url(re.compile(rf"{_pair_path(a, b)}$"))
    explorer.ready()
    _check_pair(explorer, api, a, b)

    # the network, and an edge of its graph clicked
    page.locator('[data-nav="network"]').click()
    page.wait_for_url(re.compile(r"/explore/network$"))
    explorer.ready()
    graph = page.get_by_test_id("network-graph")
    graph.scroll_into_view_if_needed()
    # a frame for Cytoscape to hear of any scroll (it caches where its canvas is)
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    target = graph.evaluate(CLICKABLE_EDGE)
    assert target, "no edge of the graph is clear of the others to click"
    page.mouse.click(target["x"], target["y"])
    x, y = target["codes"]
    page.wait_for_url(re.compile(rf"{_pair_path(x, y)}$"))
    explorer.ready()
    _check_pair(explorer, api, *sorted((x, y)))


def test_the_network_lists_every_edge_as_a_link_to_its_pair(
    explorer: Explorer, api: httpx.Client
) -> None:
    """The graph's keyboard alternative: one link per edge the API gives, to its pair."""
    page = explorer.open("/explore/network")
    graph = api.get("/v1/graph", params={"kinds": "country", "limit": 150}).json()
    codes = {n["id"]: n["code"] for n in graph["nodes"]}
    expected = sorted(_pair_path(codes[e["source"]], codes[e["target"]]) for e in graph["edges"])
    links = page.get_by_test_id("edge-link")
    hrefs = links.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    assert sorted(hrefs) == expected
    links.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"{re.escape(hrefs[0])}$"))
    explorer.ready()
    assert page.get_by_test_id("pair-chart").is_visible()


def test_a_shared_search_url_shows_the_same_page(
    open_explorer: Callable[..., Explorer], api: httpx.Client, demo: Demo
) -> None:
    first = open_explorer()
    page = first.open(f"/explore/search?q={demo.query}")
    code = _pick_facet(searched(api, q=demo.query, sort="relevance"))
    facet_option(page, "country", code).click()
    first.ready()
    page.get_by_test_id("sort-select").select_option("-published_at")
    first.ready()
    shared = first.path()
    assert "sort=-published_at" in shared and f"country={code}" in shared

    second = open_explorer()
    again = second.open(shared)
    assert second.path() == shared
    answer = searched(api, q=demo.query, sort="-published_at", country=code)
    assert result_ids(page) == result_ids(again) == [item["id"] for item in answer["items"]]
    assert again.get_by_test_id("search-input").input_value() == demo.query
    assert again.get_by_test_id("sort-select").input_value() == "-published_at"
    pressed = '[data-testid="facet-option"][aria-pressed="true"]'
    assert again.locator(pressed).evaluate_all("(els) => els.map((e) => e.dataset.value)") == [code]
    assert (
        again.get_by_test_id("result-count").inner_text()
        == page.get_by_test_id("result-count").inner_text()
    )


def test_load_more_goes_on_through_the_cursor(explorer: Explorer, api: httpx.Client) -> None:
    """Without a query the newest articles are listed, a page at a time."""
    first = api.get("/v1/articles", params={"limit": PAGE, "sort": "-published_at"}).json()
    assert first["next_cursor"], "the demo has fewer articles than a page"
    second = api.get("/v1/articles", params={"cursor": first["next_cursor"]}).json()
    page = explorer.open("/explore/search")
    assert result_ids(page) == [a["id"] for a in first["items"]]
    page.get_by_test_id("load-more").click()
    explorer.ready()
    page.wait_for_function(
        "(n) => document.querySelectorAll('[data-testid=search-result]').length >= n",
        arg=len(first["items"]) + len(second["items"]),
    )
    assert result_ids(page) == [a["id"] for a in first["items"] + second["items"]]


def test_a_syntax_error_shows_the_message_and_where(explorer: Explorer, api: httpx.Client) -> None:
    query = "navy AND"
    problem = api.get("/v1/search", params={"q": query}).json()
    assert problem["status"] == 400 and problem["position"]
    explorer.watch.allow(r"HTTP 400: GET .*/v1/search\?")
    explorer.watch.allow(r"console error: Failed to load resource: .* 400 .*/v1/search\?")

    page = explorer.open("/explore/search")
    page.get_by_test_id("search-input").fill(query)
    page.get_by_test_id("search-input").press("Enter")
    error = page.get_by_test_id("search-error")
    error.wait_for()
    explorer.ready()
    shown = error.inner_text()
    assert problem["errors"][0]["message"] in shown
    assert f"character {problem['position']}" in shown
    assert error.locator("mark").inner_text() == query[problem["position"] - 1]
    assert page.get_by_test_id("search-input").get_attribute("aria-invalid") == "true"
    assert page.get_by_test_id("search-results").count() == 0
    explorer.check_accessibility("search with a syntax error")


def test_an_article_highlights_every_mention_the_api_placed(
    explorer: Explorer, api: httpx.Client, demo: Demo
) -> None:
    article = demo.article
    page = explorer.open(f"/explore/articles/{article['id']}")
    text, chars = highlighted(page, "article-body", '[data-testid="mention"]')
    assert text == article["body"]
    mentions = [(m["start"], m["end"], m["entity"]["kind"]) for m in article["mentions"]]
    assert chars and set(chars) == set(expected_highlights(mentions))
    legend = page.get_by_test_id("legend").inner_text()
    for kind in {m["entity"]["kind"] for m in article["mentions"]}:
        assert page.locator(f'[data-testid="mention"][data-kind="{kind}"]').count() > 0, kind
    assert legend
