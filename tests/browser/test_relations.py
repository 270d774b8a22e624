"""The relation pages show what their one API call answers: a country's partners in the API's
order with their counts and its chart, a happening's reports, an entity's name and kind."""

import re

import httpx

from tests.browser.conftest import Demo, Explorer
from tests.browser.pages import ARTICLE_HREF, chart_counts, expected_chart


def test_a_country_ranks_its_partners_and_charts_its_years(
    explorer: Explorer, api: httpx.Client, demo: Demo
) -> None:
    code = demo.pair[0]
    profile = api.get(f"/v1/countries/{code}", params={"limit": 15}).json()
    page = explorer.open(f"/explore/countries/{code}")
    partners = page.get_by_test_id("partner").evaluate_all(
        "(items) => items.map((li) => [li.dataset.code, Number(li.dataset.count)])"
    )
    expected = [
        [(p["b"] if p["a"]["code"] == code else p["a"])["code"], p["events"]]
        for p in profile["partners"]["items"]
    ]
    assert partners == expected and partners
    assert chart_counts(page, "country-chart") == expected_chart(profile["counts"]["by_year"])
    # a partner's link opens the pair
    page.get_by_test_id("partner").first.get_by_test_id("pair-link").click()
    x, y = sorted((code, partners[0][0]))
    page.wait_for_url(re.compile(rf"/explore/pairs/{x}-{y}$"))
    explorer.ready()
    assert page.get_by_test_id("pair-chart").is_visible()


def test_a_happening_lists_its_reports(explorer: Explorer, api: httpx.Client, demo: Demo) -> None:
    happening = api.get(f"/v1/happenings/{demo.happening}").json()
    page = explorer.open(f"/explore/happenings/{demo.happening}")
    reports = page.get_by_test_id("report")
    assert reports.count() == len(happening["reports"]["items"]) > 0
    linked = []
    for href in reports.locator(".report-head > a:first-child").evaluate_all(
        "(links) => links.map((a) => a.getAttribute('href'))"
    ):
        match = ARTICLE_HREF.search(href)
        assert match, href
        linked.append(int(match[1]))
    assert linked == [r["article_id"] for r in happening["reports"]["items"]]
    assert demo.article["id"] in linked
    assert page.locator('[data-testid="report"][data-lead="true"]').count() == 1


def test_an_entity_shows_its_name_kind_and_aliases(
    explorer: Explorer, api: httpx.Client, demo: Demo
) -> None:
    entity = api.get(f"/v1/entities/{demo.person}").json()
    page = explorer.open(f"/explore/entities/{demo.person}")
    assert page.get_by_test_id("entity-name").inner_text().strip() == entity["name"]
    assert page.get_by_test_id("entity-kind").get_attribute("data-kind") == entity["kind"]
    aliases = page.get_by_test_id("entity-aliases").inner_text()
    for alias in entity["aliases"]:
        if alias != entity["name"]:
            assert alias in aliases
    assert page.get_by_test_id("entity-mentions-chart").locator("rect.chart-bar").count() > 0
    assert page.get_by_test_id("entity-articles").locator("a").count() > 0


def test_a_missing_article_says_so(explorer: Explorer, api: httpx.Client) -> None:
    missing = 10**9
    assert api.get(f"/v1/articles/{missing}").status_code == 404
    explorer.watch.allow(rf"HTTP 404: GET .*/v1/articles/{missing}")
    explorer.watch.allow(
        rf"console error: Failed to load resource: .* 404 .*/v1/articles/{missing}"
    )
    page = explorer.open(f"/explore/articles/{missing}")
    assert page.get_by_test_id("not-found").is_visible()
    assert page.title().startswith("Not found")


def test_a_pair_counts_reports_on_request(
    explorer: Explorer, api: httpx.Client, demo: Demo
) -> None:
    a, b = demo.pair
    page = explorer.open(f"/explore/pairs/{a}-{b}")
    page.get_by_role("link", name=re.compile("Count reports instead")).click()
    page.wait_for_url(re.compile(r"[?&]count=reports$"))
    explorer.ready()
    profile = api.get(f"/v1/dyads/{a}-{b}", params={"count": "reports"}).json()
    assert chart_counts(page, "pair-chart") == expected_chart(profile["counts"]["by_year"])
    assert str(profile["counts"]["total"]) in page.get_by_test_id("pair-total").inner_text()


def test_the_network_adds_people_on_request(explorer: Explorer, api: httpx.Client) -> None:
    page = explorer.open("/explore/network")
    page.get_by_role("checkbox", name="People").check()
    page.wait_for_url(re.compile(r"[?&]people=1"))
    explorer.ready()
    graph = api.get("/v1/graph", params={"kinds": "country,person", "limit": 150}).json()
    assert any(n["kind"] == "person" for n in graph["nodes"])
    links = page.get_by_test_id("edge-link")
    assert links.count() == len(graph["edges"])
    hrefs = links.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    assert any("/explore/entities/" in href for href in hrefs)
    assert page.get_by_test_id("network-graph").evaluate(
        "(el) => el.cy.nodes().filter((n) => n.data('kind') === 'person').length"
    ) == sum(n["kind"] == "person" for n in graph["nodes"])
