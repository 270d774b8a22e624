"""The explorer's serving: the shell at / and every deep link, its assets, and its CSP; the
module graph the browser loads; and what the search and extractor pages rely on the API for."""

import gzip
import re
from urllib.parse import urljoin

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api.routes.explorer import CSP, EXPLORER, build_id
from app.cli import sample_path
from tests.helpers import assert_problem

JS = "text/javascript"
CSS = "text/css"
# What a module names: `import ... from "./x.js"`, `import("../x.js")`, and the stylesheets
# and other files it finds with `new URL("./x.css", import.meta.url)`.
STATIC_IMPORT = re.compile(r"""\bimport\s+(?:[\w*{}\s,]+?\s+from\s+)?["'](\.{1,2}/[^"']+)["']""")
DYNAMIC_IMPORT = re.compile(r"""\bimport\(\s*["'](\.{1,2}/[^"']+)["']\s*\)""")
META_URL = re.compile(r"""new URL\(\s*["'](\.{1,2}/[^"']+)["']\s*,\s*import\.meta\.url\s*\)""")
# One deep link per route of lib/router.js, and one that names no view.
DEEP_LINKS = (
    "/",
    "/explore",
    "/explore/search?q=navy&country=AZE",
    "/explore/articles/3",
    "/explore/entities/7",
    "/explore/extract",
    "/explore/pairs/AZE-TUR",
    "/explore/countries/AZE",
    "/explore/network",
    "/explore/happenings/2",
    "/explore/nothing/here",
)


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/explore/assets/[^"]+)"', html)


def test_the_shell_answers_the_root_and_every_deep_link(client: TestClient) -> None:
    for path in (
        "/",
        "/explore/search?q=navy",
        "/explore/articles/3",
        "/explore/pairs/AZE-TUR",
        "/explore/nothing/here",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert '<main id="main"' in response.text and "{{" not in response.text
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    # no inline script or style for the CSP to refuse
    html = client.get("/").text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "<style" not in html
    assert " style=" not in html


def test_assets_are_served_cached_and_compressed(client: TestClient) -> None:
    assets = _assets(client.get("/").text)
    assert {a.rsplit("/", 1)[-1] for a in assets} == {"explorer.css", "main.js"}
    assert all(f"/{build_id()}/" in a for a in assets)
    for asset in assets:
        response = client.get(asset, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert "immutable" in response.headers["cache-control"]
        assert response.headers["content-encoding"] == "gzip"
    module = client.get(assets[-1] if assets[-1].endswith(".js") else assets[0])
    assert module.headers["content-type"].startswith("text/javascript")
    # a module imported relatively resolves under the same build
    base = assets[0].rsplit("/", 1)[0]
    assert client.get(f"{base}/lib/router.js").status_code == 200
    raw = client.get(f"{base}/lib/dom.js", headers={"Accept-Encoding": "gzip"})
    assert gzip.compress(raw.content)  # the client decoded what was sent


def test_unknown_or_escaping_assets_are_404_problems(client: TestClient) -> None:
    build = build_id()
    assert_problem(client.get(f"/explore/assets/{build}/nothing.js"), 404)
    assert_problem(client.get(f"/explore/assets/{build}/lib"), 404)
    assert_problem(client.get(f"/explore/assets/{build}/..%2F..%2Fmain.py"), 404)


def test_the_api_and_docs_are_unchanged(client: TestClient) -> None:
    assert client.get("/v1/taxonomy").status_code == 200
    assert "content-security-policy" not in client.get("/v1/taxonomy").headers
    assert client.get("/docs").status_code == 200
    assert_problem(client.get("/v1/nothing"), 404)
    assert "/" not in client.get("/openapi.json").json()["paths"]


def _named(source: str) -> set[str]:
    """The relative specifiers one module's source names."""
    found: set[str] = set()
    for pattern in (STATIC_IMPORT, DYNAMIC_IMPORT, META_URL):
        found.update(pattern.findall(source))
    return found


def _module_graph(client: TestClient) -> dict[str, str]:
    """Every file the shell's modules reach, by URL, with the type it was served as: the
    walk follows each module's imports (static and dynamic) and its `new URL(...)` files."""
    start = _assets(client.get("/").text)
    served: dict[str, str] = {}
    todo = list(start)
    while todo:
        url = todo.pop()
        if url in served:
            continue
        response = client.get(url)
        assert response.status_code == 200, f"{url} is named but not served"
        served[url] = response.headers["content-type"]
        if url.endswith(".js") and "/vendor/" not in url:
            todo.extend(urljoin(url, name) for name in _named(response.text))
    return served


def test_every_module_the_explorer_loads_is_served_as_javascript(client: TestClient) -> None:
    served = _module_graph(client)
    base = _assets(client.get("/").text)[0].rsplit("/", 1)[0]
    for url, kind in served.items():
        expected = JS if url.endswith(".js") else CSS if url.endswith(".css") else None
        assert expected and kind.startswith(expected), (url, kind)
    # each view the router can open is in the graph (a missing one would be a 404 there)
    router = (EXPLORER / "lib" / "router.js").read_text(encoding="utf-8")
    views = set(DYNAMIC_IMPORT.findall(router))
    assert {"../views/search.js", "../views/extract.js", "../views/article.js"} <= views
    for view in views:
        assert urljoin(f"{base}/lib/router.js", view) in served, view
    # and every file in the tree's own code is reached: nothing shipped is dead
    own = {
        f"{base}/{path.relative_to(EXPLORER).as_posix()}"
        for path in EXPLORER.rglob("*")
        if path.suffix in (".js", ".css") and "vendor" not in path.parts
    }
    assert own <= set(served), sorted(own - set(served))


def test_the_csp_is_on_the_root_and_every_deep_link(client: TestClient) -> None:
    for path in DEEP_LINKS:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"] == CSP, path
        assert response.headers["x-content-type-options"] == "nosniff", path
    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    # the JSON API is not a page: no CSP there
    assert "content-security-policy" not in client.get("/v1/search", params={"q": "navy"}).headers


def test_the_explorer_builds_pages_from_text_nodes_only() -> None:
    """The CSP refuses inline script and style; what it cannot refuse is markup built from
    data, so the explorer's own code never parses strings as HTML nor sets style attributes."""
    forbidden = re.compile(
        r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function\b"
        r"|setAttribute\(\s*[\"']style[\"']|createContextualFragment|DOMParser"
    )
    for path in EXPLORER.rglob("*.js"):
        if "vendor" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("//"):
                continue  # a comment may name what the code avoids
            assert not forbidden.search(line), f"{path.relative_to(EXPLORER)}:{number}: {line}"


def _js_strings(row: str) -> list[str]:
    return [a or b for a, b in re.findall(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'', row)]


def _help_examples() -> list[str]:
    """The example queries of the search page's help (views/search.js, SYNTAX)."""
    source = (EXPLORER / "views" / "search.js").read_text(encoding="utf-8")
    block = re.search(r"const SYNTAX = \[\n(.*?)\n\];", source, re.S)
    assert block, "views/search.js has no SYNTAX table"
    rows = [_js_strings(row) for row in block.group(1).splitlines() if row.strip().startswith("[")]
    assert rows and all(len(row) == 3 for row in rows), rows
    return [row[2] for row in rows]


@pytest.fixture
def samples(client: TestClient) -> None:
    """The sample articles, loaded as `defcoop demo` loads them."""
    body = client.post("/v1/articles/bulk", content=sample_path().read_bytes()).json()
    assert body["rejected"] == 0, body


@pytest.mark.usefixtures("samples")
def test_the_search_help_examples_find_articles_in_the_samples(client: TestClient) -> None:
    examples = _help_examples()
    assert len(examples) >= 5
    for q in examples:
        response = client.get("/v1/search", params={"q": q, "limit": 1})
        assert response.status_code == 200, (q, response.text)
        assert response.json()["total"] >= 1, q


@pytest.mark.usefixtures("samples")
def test_search_answers_what_the_search_page_shows(client: TestClient) -> None:
    """The facets the page asks for, with counts and labels; a facet value filters by the
    parameter the page sends (year by a published range); a next page asks for no facets;
    a syntax error says where."""
    facets = "country,source,event_type,year"
    page = client.get("/v1/search", params={"q": "visit", "facets": facets, "limit": 2}).json()
    assert set(page["facets"]) == set(facets.split(","))
    country = page["facets"]["country"]["values"][0]
    assert country["label"] and country["count"] >= 1
    narrowed = client.get("/v1/search", params={"q": "visit", "country": country["value"]}).json()
    assert narrowed["total"] == country["count"]
    year = page["facets"]["year"]["values"][0]
    dated = {"q": "visit", "published_from": f"{year['value']}-01-01"}
    dated["published_to"] = f"{year['value']}-12-31"
    assert client.get("/v1/search", params=dated).json()["total"] == year["count"]
    source = page["facets"]["source"]["values"][0]
    by_source = client.get("/v1/search", params={"q": "visit", "source": source["value"]}).json()
    assert by_source["total"] == source["count"]
    more = client.get("/v1/search", params={"cursor": page["next_cursor"], "facets": ","}).json()
    assert more["facets"] == {} and more["items"]
    assert {i["id"] for i in more["items"]}.isdisjoint(i["id"] for i in page["items"])
    problem = assert_problem(client.get("/v1/search", params={"q": 'navy "frigate'}), 400, "q")
    assert problem["position"] == 6 and problem["errors"][0]["message"]


def _extract_example() -> str:
    source = (EXPLORER / "views" / "extract.js").read_text(encoding="utf-8")
    found = re.search(r"const EXAMPLE = `(.*?)`;", source, re.S)
    assert found and "${" not in found.group(1)
    return found.group(1)


def test_the_extractor_pages_example_is_highlighted_in_the_text_it_read(
    app: FastAPI, client: TestClient
) -> None:
    """The page highlights `body[start:end]` for every mention and evidence: the offsets
    index the text the extractor read (markup and chrome removed), not the HTML pasted."""
    html = _extract_example()
    result = client.post("/v1/extract", json={"html": html}).json()
    body = result["body"]
    assert "<" not in body and "Home | World" not in body
    assert {e["kind"] for e in result["entities"]} >= {"country", "person"} and result["events"]
    for entity in result["entities"]:
        for mention in entity["mentions"]:
            assert body[mention["start"] : mention["end"]] == mention["text"], mention
            assert html.find(mention["text"]) != mention["start"]  # not offsets into the input
    for event in result["events"]:
        evidence = event["evidence"]
        assert body[evidence["start"] : evidence["end"]] == evidence["text"]
    # what the page shows for an empty page and for one over the limit
    assert_problem(client.post("/v1/extract", json={"text": ""}), 422)
    big = "x" * (app.state.settings.max_extract_bytes + 1)
    assert_problem(client.post("/v1/extract", json={"text": big}), 413)
