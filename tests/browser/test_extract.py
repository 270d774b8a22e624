"""Try the extractor: what the page highlights is what POST /v1/extract returned for the same
page, character for character and kind for kind (the pages are made up, in pages.py, not
copied from any report)."""

import httpx
import pytest

from tests.browser.conftest import Explorer
from tests.browser.pages import HTML, TEXT, expected_highlights, highlighted


@pytest.mark.parametrize(("field", "page_text"), [("text", TEXT), ("html", HTML)])
def test_the_extractor_highlights_what_the_api_returned(
    explorer: Explorer, api: httpx.Client, field: str, page_text: str
) -> None:
    answer = api.post("/v1/extract", json={field: page_text})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["entities"] and result["events"], "the made-up page finds nothing"

    page = explorer.open("/explore/extract")
    page.get_by_test_id("extract-input").fill(page_text)
    page.get_by_test_id("extract-submit").click()
    page.get_by_test_id("extract-body").wait_for()
    explorer.ready()

    text, chars = highlighted(page, "extract-body", '[data-testid="mention"]')
    assert text == result["body"]
    mentions = [
        (m["start"], m["end"], entity["kind"])
        for entity in result["entities"]
        for m in entity["mentions"]
    ]
    assert set(chars) == set(expected_highlights(mentions))
    # each mention's span reads as the text the API says it matched
    for entity in result["entities"]:
        for m in entity["mentions"]:
            assert text[m["start"] : m["end"]] == m["text"]
    assert page.get_by_test_id("extract-entities").locator("li").count() == len(result["entities"])
    assert page.get_by_test_id("extract-events").locator("li").count() == len(result["events"])

    # an event's evidence shown in the text
    event = next(e for e in result["events"] if e["evidence"].get("start") is not None)
    page.get_by_test_id("extract-events").get_by_test_id("event-evidence-button").first.click()
    _, marks = highlighted(page, "extract-body", '[data-testid="evidence-highlight"]')
    assert {i for i, _ in marks} == set(
        range(int(event["evidence"]["start"]), int(event["evidence"]["end"]))
    )
    explorer.check_accessibility(f"the extractor's answer for {field}")


def test_the_extractor_shows_the_api_problem(explorer: Explorer, api: httpx.Client) -> None:
    problem = api.post("/v1/extract", json={"text": ""}).json()
    assert problem["status"] == 422
    explorer.watch.allow(r"HTTP 422: POST .*/v1/extract")
    explorer.watch.allow(r"console error: Failed to load resource: .* 422 .*/v1/extract")
    page = explorer.open("/explore/extract")
    page.get_by_test_id("extract-submit").click()
    error = page.get_by_test_id("extract-error")
    error.wait_for()
    assert problem["detail"] in error.inner_text()
    assert page.get_by_test_id("extract-body").count() == 0
