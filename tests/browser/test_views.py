"""Every view of the explorer, at a desktop's and at a phone's width: it renders without a
console error, a CSP violation or a foreign request (the `open_explorer` watch), axe-core
finds no serious or critical violation, nothing is wider than the window, and a screenshot
is kept (tests/browser/screenshots/, or $DEFCOOP_SCREENSHOTS). On the desktop the dark
colour scheme follows: its contrast is checked and pictured too."""

from collections.abc import Callable

import pytest

from tests.browser.conftest import SCREENSHOTS, Demo, Explorer
from tests.browser.pages import HTML

VIEWS = (
    "search-newest",
    "search",
    "article",
    "entity",
    "extract",
    "pair",
    "country",
    "network",
    "happening",
    "not-found",
)


def _path(demo: Demo, view: str) -> str:
    a, b = demo.pair
    paths = {
        "search-newest": "/",
        "search": f"/explore/search?q={demo.query}",
        "article": f"/explore/articles/{demo.article['id']}",
        "entity": f"/explore/entities/{demo.person}",
        "extract": "/explore/extract",
        "pair": f"/explore/pairs/{a}-{b}",
        "country": f"/explore/countries/{a}",
        "network": "/explore/network",
        "happening": f"/explore/happenings/{demo.happening}",
        "not-found": "/explore/no/such/page",
    }
    assert set(paths) == set(VIEWS)
    return paths[view]


def _show_more(tab: Explorer, view: str) -> None:
    """What a view shows once used, where that is most of it: the search's help, an
    article's evidence, the extractor's answer for a page."""
    page = tab.page
    if view == "search":
        page.get_by_test_id("search-help").click()
    elif view == "article":
        page.get_by_test_id("event-evidence-button").first.click()
    elif view == "extract":
        page.get_by_test_id("extract-input").fill(HTML)
        page.get_by_test_id("extract-submit").click()
        page.get_by_test_id("extract-body").wait_for()
        tab.ready()


@pytest.mark.parametrize("width", ["desktop", "phone"])
@pytest.mark.parametrize("view", VIEWS)
def test_view_is_accessible_fits_and_is_pictured(
    open_explorer: Callable[..., Explorer], demo: Demo, view: str, width: str
) -> None:
    tab = open_explorer(width)
    tab.open(_path(demo, view))
    assert tab.page.locator("main h1").count() == 1, "one top heading per view"
    _show_more(tab, view)
    label = f"{view} at {width} width"
    tab.check_width(label)
    tab.check_accessibility(label)
    shots = [tab.screenshot(f"{view}-{width}-light")]
    if width == "desktop":
        # the dark scheme, switched in place: the colours are what changes (and the graph's
        # canvas takes them from the stylesheet when the scheme changes, views/network.js)
        tab.page.emulate_media(color_scheme="dark")
        tab.page.evaluate(
            "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        assert tab.page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches")
        tab.check_accessibility(f"{label}, dark", rules=["color-contrast", "link-in-text-block"])
        shots.append(tab.screenshot(f"{view}-{width}-dark"))
    for shot in shots:
        print(f"screenshot: {shot}")
        assert shot.parent == SCREENSHOTS and shot.stat().st_size > 1000
