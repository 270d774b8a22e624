"""The explorer in a real browser: Debian's headless Chromium driven by Playwright (which never
downloads a browser of its own: it is given the executable), against a real `defcoop demo`
with the sample data.

Each pytest-xdist worker starts its own server (on a free port, with its own database) and
its own browser. Every page a test opens is watched: a console error, an uncaught exception,
a Content-Security-Policy violation, a request to another origin or an answer of 400 or more
fails the test, unless the test allowed that one message (`watch.allow`) because it provokes
the error on purpose.
"""

import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    ViewportSize,
    sync_playwright,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.browser.summary import SCREENSHOTS, pytest_sessionstart, pytest_terminal_summary
from tests.helpers import ADMIN_URL, ON_POSTGRES, WORKER, running

# The summary hooks, for a run that collects tests/browser in the main process (`pytest
# tests/browser`, with or without -n); tests/conftest.py takes them for the others.
__all__ = ["SCREENSHOTS", "pytest_sessionstart", "pytest_terminal_summary"]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# The widths the explorer is made for: a desktop, and the narrowest phone it promises.
VIEWPORTS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 360, "height": 740},
}
READY = 'main[data-ready="true"]'
# What axe-core reports that fails a test; "moderate" and "minor" are left to review.
BLOCKING = {"serious", "critical"}


def chromium_path() -> str | None:
    """$CHROMIUM, else Debian's chromium on the PATH (.ci/run installs it when missing)."""
    configured = os.environ.get("CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


# ---- the server ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of this worker's own for `defcoop demo` to fill: SQLite, or on a PostgreSQL
    run a database made beside the suite's (so the explorer is tried on both engines)."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
        return
    name = f"{make_url(ADMIN_URL).database}_browser_{WORKER or 'main'}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def base_url(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`defcoop demo` (migrate, load the samples, serve) on a free port: its base URL."""
    with running(demo_url, tmp_path_factory.mktemp("server"), "demo", ready_s=120) as base:
        yield base


@pytest.fixture(scope="session")
def api(base_url: str) -> Iterator[httpx.Client]:
    """The same server's JSON API, for what a page is expected to show."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


# ---- the browser -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> str:
    """The browser's executable, found before anything else starts (a run without one skips
    these tests, except in CI, where .ci/run installs it and asks for them)."""
    executable = chromium_path()
    if executable is None:
        missing = (
            "no chromium executable ($CHROMIUM or `chromium` on the PATH): apt-get install chromium"
        )
        if os.environ.get("DEFCOOP_REQUIRE_CHROMIUM"):
            pytest.fail(missing)
        pytest.skip(missing)
    return executable


@pytest.fixture(scope="package")
def browser(chromium: str) -> Iterator[Browser]:
    """Chromium, headless, for the browser tests of this worker.

    Package scope, not session: the sync API marks its event loop as the thread's running
    loop for as long as it lives, which would break the other tests' asyncio.run() when a
    worker runs them after these."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@dataclass
class Watch:
    """What went wrong on a page: each problem as one line, until a test allows it."""

    origin: str
    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """A problem this test provokes on purpose (a regular expression over its line)."""
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        """The problems nobody allowed, and each allowance that nothing matched (the error
        a test provokes must happen)."""
        left = [p for p in self.problems if not any(a.search(p) for a in self.allowed)]
        unseen = [a for a in self.allowed if not any(a.search(p) for p in self.problems)]
        return left + [f"allowed but never seen: {a.pattern}" for a in unseen]

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.problems.append(f"console error: {message.text} @ {where}")

    def on_page_error(self, error: Any) -> None:
        self.problems.append(f"page error: {error}")

    def on_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.problems.append(f"foreign request: {request.method} {request.url}")

    def on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(
                f"HTTP {response.status}: {response.request.method} {response.url}"
            )

    def on_violation(self, source: Any, report: dict[str, Any]) -> None:
        self.problems.append(
            "CSP violation: {violatedDirective} blocked {blockedURI} at {sourceFile}:{lineNumber}".format(
                **report
            )
        )


# Reported to Python from every document the page loads, before any of its own scripts run.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => window.__defcoopViolation({
  violatedDirective: e.violatedDirective, blockedURI: e.blockedURI,
  sourceFile: e.sourceFile, lineNumber: e.lineNumber,
}));
"""

# ---- pages -----------------------------------------------------------------------------


@dataclass
class Explorer:
    """A browser tab on the explorer, watched."""

    page: Page
    base: str
    watch: Watch

    def open(self, path: str) -> Page:
        """Load an explorer URL and wait for its view to have rendered."""
        self.page.goto(self.base + path)
        return self.ready()

    def ready(self) -> Page:
        """Wait for the view to settle (the router, or the view after an update, sets
        main[data-ready] when its answer is shown)."""
        self.page.wait_for_selector(READY, timeout=15_000)
        return self.page

    def path(self) -> str:
        """The page's URL without the origin: what a user would share."""
        return self.page.url.removeprefix(self.base)

    def check_accessibility(self, label: str, rules: list[str] | None = None) -> None:
        """axe-core in the page (evaluated through the devtools protocol, which the page's
        CSP does not govern, so the explorer's own policy stays as it is): no serious or
        critical violations, of every rule or of those named."""
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
        violations = self.page.evaluate(
            """async (rules) => {
                const options = { resultTypes: ["violations"] };
                if (rules) options.runOnly = { type: "rule", values: rules };
                return (await axe.run(document, options)).violations.map((v) => ({
                  id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
            }""",
            rules,
        )
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        assert blocking == [], f"{label}: {blocking}"

    def check_width(self, label: str) -> None:
        """Nothing wider than the window: no sideways scrolling, at a phone's width too."""
        wide = self.page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert wide[0] <= wide[1], (
            f"{label}: the page is {wide[0]} px wide in a {wide[1]} px window"
        )

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def open_explorer(
    chromium: str, browser: Browser, base_url: str
) -> Iterator[Callable[..., Explorer]]:
    """open_explorer(viewport="desktop", scheme="light"): a new watched tab (its own context:
    no storage shared between tabs); each fails the test at its end if anything went wrong.
    `chromium` comes first so that a run without one skips before any server starts."""
    opened: list[tuple[BrowserContext, Watch]] = []

    def make(viewport: str = "desktop", scheme: Literal["light", "dark"] = "light") -> Explorer:
        context = browser.new_context(
            viewport=VIEWPORTS[viewport],
            color_scheme=scheme,
            reduced_motion="reduce",  # the evidence scrolls into view at once
        )
        watch = Watch(origin=base_url)
        context.expose_binding("__defcoopViolation", watch.on_violation)
        context.add_init_script(CSP_LISTENER)
        context.on("request", watch.on_request)
        context.on("response", watch.on_response)
        page = context.new_page()
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_page_error)
        opened.append((context, watch))
        return Explorer(page=page, base=base_url, watch=watch)

    yield make
    problems = []
    for context, watch in opened:
        problems += watch.unexpected()
        context.close()
    assert problems == [], "\n".join(problems)


@pytest.fixture
def explorer(open_explorer: Callable[..., Explorer]) -> Explorer:
    """A watched desktop tab."""
    return open_explorer()


# ---- what the demo holds ---------------------------------------------------------------


@dataclass(frozen=True)
class Demo:
    """The pages worth opening in the demo's data, picked through the API (so the tests
    follow the samples when they change): a query with results in several countries, the
    best-ranked article with an event between two states, that pair, a person the article
    names, and one of the article's happenings."""

    query: str
    article: dict[str, Any]
    pair: tuple[str, str]
    person: int
    happening: int


QUERY = "agreement"  # a word of the sample data's domain, present in several articles


@pytest.fixture(scope="session")
def demo(api: httpx.Client) -> Demo:
    found = api.get("/v1/search", params={"q": QUERY, "limit": 100}).raise_for_status().json()
    for item in found["items"]:
        article = api.get(
            f"/v1/articles/{item['id']}", params={"include": "events,mentions"}
        ).json()
        events = [e for e in article["events"] if e["evidence"] and len(set(e["countries"])) == 2]
        people = [m["entity"]["id"] for m in article["mentions"] if m["entity"]["kind"] == "person"]
        if events and people and article["happenings"]:
            a, b = sorted(set(events[0]["countries"]))
            return Demo(QUERY, article, (a, b), people[0], article["happenings"][0])
    raise AssertionError(f"no article found for {QUERY!r} has an event between two states")
