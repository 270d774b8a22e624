"""The checks the other browser tests rely on can fail: a page that breaks the CSP, asks
another origin, logs an error or throws is caught by the watch, and axe-core reports an
image without a text alternative."""

import pytest

from tests.browser.conftest import Explorer


def test_the_watch_sees_csp_violations_foreign_requests_and_errors(explorer: Explorer) -> None:
    page = explorer.open("/explore/no/such/page")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";  // refused: no 'unsafe-inline'
            document.body.append(script);
            const img = document.createElement("img");
            img.src = "http://192.0.2.1/pixel.png";  // TEST-NET-1: refused by img-src 'self'
            document.body.append(img);
            console.error("made to fail");
            setTimeout(() => { throw new Error("thrown on purpose"); });
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.inlineRan") is None
    problems = "\n".join(explorer.watch.unexpected())
    assert "CSP violation: script-src" in problems
    assert "CSP violation: img-src blocked http://192.0.2.1/pixel.png" in problems
    assert "console error: made to fail" in problems
    assert "page error: thrown on purpose" in problems
    explorer.watch.allow(".")  # all provoked here: the fixture's check at the end passes


def test_the_watch_sees_a_request_to_another_origin(explorer: Explorer) -> None:
    page = explorer.open("/explore/no/such/page")
    # a link followed is a request the CSP does not govern (it is a navigation)
    page.evaluate("() => { location.href = 'http://192.0.2.1/elsewhere'; }")
    page.wait_for_timeout(300)
    assert any(
        p.startswith("foreign request: GET http://192.0.2.1/elsewhere")
        for p in explorer.watch.problems
    ), explorer.watch.problems
    explorer.watch.allow(".")


def test_axe_reports_what_it_must(explorer: Explorer) -> None:
    page = explorer.open("/explore/no/such/page")
    page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
            document.querySelector("main").append(img);
        }"""
    )
    with pytest.raises(AssertionError, match="image-alt"):
        explorer.check_accessibility("an image without alt")
