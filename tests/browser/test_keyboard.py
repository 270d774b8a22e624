"""The explorer from the keyboard: the skip link comes first and lands in the view, every
stop of the tab order shows where the focus is, a facet toggled with the keyboard keeps the
focus, and an article's evidence is shown with Enter."""

import httpx

from tests.browser.conftest import Demo, Explorer
from tests.browser.pages import facet_option, searched

# The focused element, and whether anything marks it: an outline, a box shadow, or on an
# SVG shape (a chart's bar) a stroke.
FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const marked = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== "none"
    || (el instanceof SVGElement && style.stroke !== "none" && parseFloat(style.strokeWidth) > 0);
  return { tag: el.tagName.toLowerCase(), text: (el.textContent || el.value || "").trim().slice(0, 40),
           testid: el.dataset ? el.dataset.testid || "" : "", marked };
}"""


def test_the_skip_link_comes_first_and_lands_in_the_view(explorer: Explorer) -> None:
    page = explorer.open("/explore/network")
    page.evaluate("() => { window.shownMain = document.getElementById('main'); }")
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS)
    assert first["tag"] == "a" and first["text"] == "Skip to content" and first["marked"]
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # the jump to #main fires popstate: the view is not rendered again (which would replace
    # the element the focus has just moved to, and ask the API for it all again)
    assert page.evaluate("() => document.getElementById('main') === window.shownMain")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")


def test_every_stop_of_the_tab_order_shows_the_focus(explorer: Explorer, demo: Demo) -> None:
    for path in (
        f"/explore/search?q={demo.query}",
        f"/explore/articles/{demo.article['id']}",
        f"/explore/pairs/{'-'.join(demo.pair)}",
    ):
        page = explorer.open(path)
        seen = 0
        for _ in range(60):
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUS)
            if focus["tag"] == "body":
                break
            assert focus["marked"], f"{path}: no visible focus on {focus}"
            seen += 1
        assert seen >= 10, f"{path}: only {seen} stops"


def test_a_facet_toggled_from_the_keyboard_keeps_the_focus(
    explorer: Explorer, api: httpx.Client, demo: Demo
) -> None:
    found = searched(api, q=demo.query, sort="relevance")
    code = found["facets"]["country"]["values"][0]["value"]
    page = explorer.open(f"/explore/search?q={demo.query}")
    facet_option(page, "country", code).focus()
    page.keyboard.press("Enter")
    explorer.ready()
    assert facet_option(page, "country", code).get_attribute("aria-pressed") == "true"
    focused = page.evaluate(
        "() => [document.activeElement.dataset.testid, document.activeElement.dataset.value]"
    )
    assert focused == ["facet-option", code]
    page.keyboard.press("Space")
    explorer.ready()
    assert facet_option(page, "country", code).get_attribute("aria-pressed") == "false"
    assert f"country={code}" not in page.url


def test_an_event_s_evidence_is_shown_with_enter(explorer: Explorer, demo: Demo) -> None:
    page = explorer.open(f"/explore/articles/{demo.article['id']}")
    button = page.get_by_test_id("event-evidence-button").first
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-pressed") == "true"
    assert page.get_by_test_id("evidence-highlight").count() == 1
    page.keyboard.press("Enter")  # again: the highlight goes
    assert page.get_by_test_id("evidence-highlight").count() == 0
