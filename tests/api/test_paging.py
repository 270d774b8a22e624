"""Cursors carry their query: `?cursor=` alone continues the same list, with the same filters,
sort and limit; another query, another list, or a cursor the API did not issue is a 400."""

import base64
import hashlib
import hmac
import json
import re
import zlib
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api.paging import MAX_CURSOR_CHARS, CursorRoute, cursor_key, open_cursor, seal_cursor
from app.errors import InvalidParameter
from app.kit.pagination import (
    Keyset,
    decode_cursor,
    encode_cursor,
    parse_count,
    parse_date,
    parse_row_id,
    parse_score,
    parse_text,
    parse_utc_datetime,
)
from app.models import Article
from tests.factories import create
from tests.helpers import ROOT, assert_problem

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _aze(client: TestClient, n: int) -> dict[str, Any]:
    return create(
        client,
        n,
        events=[
            {"type": "meeting", "date": f"2024-04-{n:02d}", "countries": ["AZE", "TUR"]},
            {"type": "agreement", "date": f"2024-05-{n:02d}", "countries": ["AZE", "TUR"]},
        ],
    )


def _chl(client: TestClient, n: int) -> dict[str, Any]:
    return create(
        client,
        n,
        title=f"Chile and Peru talks {n}",
        body=f"Story {n}. Chilean and Peruvian defence ministers met in Lima on Monday.",
        entities=[{"kind": "country", "code": "CHL"}, {"kind": "country", "code": "PER"}],
        events=[{"type": "exercise", "date": f"2024-06-{n:02d}", "countries": ["CHL", "PER"]}],
    )


@pytest.fixture
def corpus(client: TestClient) -> dict[str, int]:
    """Five AZE–TUR articles (two events each) and four CHL–PER ones (one event each)."""
    for n in range(1, 6):
        _aze(client, n)
    for n in range(11, 15):
        _chl(client, n)
    countries = client.get("/v1/entities", params={"kind": "country", "limit": 100}).json()
    return {e["code"]: e["id"] for e in countries["items"]}


# One query per cursor-paged list: filters and sort that leave out rows, and a small limit.
LISTS: list[tuple[str, dict[str, Any]]] = [
    ("/v1/articles", {"country": "AZE", "sort": "published_at", "limit": 2}),
    ("/v1/articles", {"source": "test wire", "country": ["TUR", "AZE"], "limit": 3}),
    ("/v1/events", {"country": "AZE", "limit": 1}),
    ("/v1/events", {"country": ["AZE", "TUR"], "type": "agreement", "sort": "date", "limit": 2}),
    ("/v1/events", {"date_from": "2024-05-03", "limit": 2}),
    ("/v1/entities", {"kind": "country", "sort": "name", "limit": 1}),
    ("/v1/entities", {"kind": "country", "limit": 3}),
    ("/v1/entities/{AZE}/articles", {"limit": 2}),
    ("/v1/entities/{CHL}/events", {"limit": 1}),
    ("/v1/search", {"q": "story", "country": "AZE", "sort": "-published_at", "limit": 2}),
    ("/v1/search", {"q": "story OR lima", "facets": "country", "limit": 2}),
    ("/v1/search", {"q": "story", "mode": "simple", "country": "CHL", "limit": 1}),
    ("/v1/changes", {"limit": 7}),
]


def _ids(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["items"]]


def _get(client: TestClient, path: str, params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _everything(client: TestClient, path: str, params: dict[str, Any]) -> list[int]:
    return _ids(_get(client, path, {**params, "limit": 100}))


def _next_link(response: Any) -> str | None:
    link = response.headers.get("link")
    if not link:
        return None
    match = re.fullmatch(r'<([^>]+)>; rel="next"', link)
    assert match, link
    return match.group(1)


@pytest.mark.parametrize(("template", "params"), LISTS)
def test_a_cursor_alone_continues_its_query(
    client: TestClient, corpus: dict[str, int], template: str, params: dict[str, Any]
) -> None:
    path = template.format(**corpus)
    everything = _everything(client, path, params)
    first = _get(client, path, params)
    assert first["next_cursor"], "the query must need more than one page"
    seen = _ids(first)
    cursor = first["next_cursor"]
    while cursor:
        page = _get(client, path, {"cursor": cursor})  # nothing but the cursor
        assert page["limit"] == params["limit"]
        assert len(page["items"]) <= params["limit"]
        seen += _ids(page)
        if path == "/v1/changes" and not page["items"]:
            break  # the change feed always gives a cursor to poll with
        cursor = page["next_cursor"]
    assert seen == everything
    assert len(everything) > params["limit"]


@pytest.mark.parametrize(("template", "params"), LISTS)
def test_the_link_header_pages_through_the_same_query(
    client: TestClient, corpus: dict[str, int], template: str, params: dict[str, Any]
) -> None:
    path = template.format(**corpus)
    response = client.get(path, params=params)
    seen = _ids(response.json())
    while (url := _next_link(response)) is not None:
        assert urlsplit(url).path == path
        response = client.get(url)
        assert response.status_code == 200, response.text
        assert response.json()["limit"] == params["limit"]
        seen += _ids(response.json())
    assert seen == _everything(client, path, params)


@pytest.mark.parametrize(("template", "params"), LISTS)
def test_a_cursor_with_its_own_parameters_in_any_order_is_the_same_request(
    client: TestClient, corpus: dict[str, int], template: str, params: dict[str, Any]
) -> None:
    path = template.format(**corpus)
    cursor = _get(client, path, params)["next_cursor"]
    alone = _get(client, path, {"cursor": cursor})
    pairs = [(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])]
    # names in the other order; a repeated parameter keeps its values' order
    shuffled = sorted(pairs, key=lambda pair: pair[0], reverse=True)
    again = _get(client, path, [("cursor", cursor), *shuffled])
    assert _ids(again) == _ids(alone) and again["next_cursor"] == alone["next_cursor"]


@pytest.mark.parametrize(("template", "params"), LISTS)
def test_limit_may_change_between_pages(
    client: TestClient, corpus: dict[str, int], template: str, params: dict[str, Any]
) -> None:
    path = template.format(**corpus)
    everything = _everything(client, path, params)
    first = _get(client, path, params)
    rest = _get(client, path, {"cursor": first["next_cursor"], "limit": 100})
    assert rest["limit"] == 100
    assert _ids(first) + _ids(rest) == everything


# A change to a parameter that chooses the rows, for each list that has one.
OTHER_QUERIES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("/v1/articles", {"country": "AZE", "limit": 1}, {"country": "CHL"}, "country"),
    ("/v1/articles", {"country": "AZE", "limit": 1}, {"sort": "published_at"}, "sort"),
    ("/v1/articles", {"country": ["AZE", "TUR"], "limit": 1}, {"country": "AZE"}, "country"),
    ("/v1/articles", {"limit": 1}, {"lang": "en"}, "lang"),
    ("/v1/events", {"country": "AZE", "limit": 1}, {"country": "CHL"}, "country"),
    ("/v1/events", {"country": "AZE", "limit": 1}, {"country": "AZE", "sort": "date"}, "sort"),
    ("/v1/events", {"limit": 1}, {"format": "csv"}, "format"),
    ("/v1/entities", {"kind": "country", "limit": 1}, {"kind": "person"}, "kind"),
    ("/v1/entities", {"sort": "name", "limit": 1}, {"sort": "-name"}, "sort"),
    ("/v1/search", {"q": "story", "limit": 1}, {"q": "lima"}, "q"),
    ("/v1/search", {"q": "story", "limit": 1}, {"q": "story", "expand": "false"}, "expand"),
    ("/v1/search", {"q": "story", "limit": 1}, {"q": "story", "country": "AZE"}, "country"),
]


@pytest.mark.parametrize(("path", "params", "other", "differs"), OTHER_QUERIES)
def test_a_cursor_with_another_query_is_a_400_naming_cursor(
    client: TestClient,
    corpus: dict[str, int],
    path: str,
    params: dict[str, Any],
    other: dict[str, Any],
    differs: str,
) -> None:
    cursor = _get(client, path, params)["next_cursor"]
    body = assert_problem(client.get(path, params={**other, "cursor": cursor}), 400, "cursor")
    assert "another query" in body["detail"] and differs in body["detail"]


def test_a_cursor_of_another_list_is_a_400(client: TestClient, corpus: dict[str, int]) -> None:
    aze, chl = corpus["AZE"], corpus["CHL"]
    of_aze = _get(client, f"/v1/entities/{aze}/articles", {"limit": 1})["next_cursor"]
    for path in (f"/v1/entities/{chl}/articles", "/v1/articles", f"/v1/entities/{aze}/events"):
        body = assert_problem(client.get(path, params={"cursor": of_aze}), 400, "cursor")
        assert f"/v1/entities/{aze}/articles" in body["detail"]
    articles = _get(client, "/v1/articles", {"limit": 1})["next_cursor"]
    assert_problem(client.get("/v1/search", params={"q": "story", "cursor": articles}), 400)
    assert_problem(client.get("/v1/changes", params={"since": articles}), 400, "cursor")
    changes = _get(client, "/v1/changes", {"limit": 1})["next_cursor"]
    assert_problem(client.get("/v1/articles", params={"cursor": changes}), 400, "cursor")


def test_the_audit_repro_stays_in_its_pair(client: TestClient, corpus: dict[str, int]) -> None:
    """`/v1/events?cursor=<from a country=AZE page>` gave CHL–PER events, 20 a page."""
    cursor = _get(client, "/v1/events", {"country": "AZE", "limit": 1})["next_cursor"]
    page = client.get(f"/v1/events?cursor={cursor}").json()
    assert page["limit"] == 1
    assert [sorted(e["countries"]) for e in page["items"]] == [["AZE", "TUR"]]


def test_the_readme_cursor_line_works_as_written(
    client: TestClient, corpus: dict[str, int]
) -> None:
    line = next(x for x in README.splitlines() if "v1/articles?cursor=" in x)
    url = re.search(r'"\$B(/v1/articles\?cursor=)(<next_cursor[^>]*>|\$\w+)"', line)
    assert url, line  # the cursor alone, nothing else
    query = {"source": "test wire", "lang": "en", "sort": "published_at", "limit": 2}
    first = _get(client, "/v1/articles", query)
    second = client.get(url.group(1) + first["next_cursor"]).json()
    everything = _everything(client, "/v1/articles", query)
    assert second["limit"] == 2 and _ids(first) + _ids(second) == everything[:4]


def test_search_facets_and_marks_may_change_between_pages(
    client: TestClient, corpus: dict[str, int]
) -> None:
    first = _get(client, "/v1/search", {"q": "story", "facets": "country", "limit": 2})
    alone = _get(client, "/v1/search", {"cursor": first["next_cursor"]})
    assert set(alone["facets"]) == {"country"} and alone["facets"] == first["facets"]
    plain = _get(client, "/v1/search", {"q": "story", "facets": "", "cursor": first["next_cursor"]})
    assert plain["facets"] == {} and _ids(plain) == _ids(alone)
    marked = _get(
        client, "/v1/search", {"highlight_pre": "[", "cursor": first["next_cursor"], "q": "story"}
    )
    assert _ids(marked) == _ids(alone)
    assert "[Story" in json.dumps(marked["items"]) or "[story" in json.dumps(marked["items"])


def test_the_change_feed_resumes_with_since_or_cursor_and_keeps_its_limit(
    client: TestClient, corpus: dict[str, int]
) -> None:
    everything = _ids(_get(client, "/v1/changes", {"limit": 100}))
    first = _get(client, "/v1/changes", {"limit": 4})
    by_since = _get(client, "/v1/changes", {"since": first["next_cursor"]})
    by_cursor = _get(client, "/v1/changes", {"cursor": first["next_cursor"]})
    assert by_since == by_cursor and by_since["limit"] == 4
    assert _ids(first) + _ids(by_since) == everything[:8]
    assert_problem(
        client.get(
            "/v1/changes", params={"since": first["next_cursor"], "cursor": first["next_cursor"]}
        ),
        400,
        "cursor",
    )
    last = _get(client, "/v1/changes", {"since": first["next_cursor"], "limit": 100})
    idle = _get(client, "/v1/changes", {"since": last["next_cursor"]})
    assert idle["items"] == [] and idle["next_cursor"] == last["next_cursor"]


def test_dyad_nested_lists_carry_bound_cursors(client: TestClient, corpus: dict[str, int]) -> None:
    profile = _get(client, "/v1/dyads/AZE-TUR", {"limit": 1})
    for part, path in (("recent_events", "/v1/events"), ("agreements", "/v1/events")):
        nested = profile[part]
        assert nested["path"] == path and nested["limit"] == 1
        alone = _get(client, path, {"cursor": nested["next_cursor"]})
        # a profile counts happenings: its lists go on with the leading events only
        explicit = {
            "country": ["AZE", "TUR"],
            "count": "happenings",
            "limit": 1,
            "cursor": nested["next_cursor"],
        }
        if part == "agreements":
            explicit["type"] = "agreement"
        assert _get(client, path, explicit) == alone and alone["limit"] == 1
        assert all(set(e["countries"]) == {"AZE", "TUR"} for e in alone["items"])
    articles = profile["articles"]
    assert articles["path"] == "/v1/articles"
    assert (
        _ids(_get(client, articles["path"], {"cursor": articles["next_cursor"]}))
        == _everything(client, "/v1/articles", {"dyad": "AZE-TUR"})[1:2]
    )
    country = _get(client, "/v1/countries/AZE", {"limit": 1})["agreements"]
    followed = _get(client, country["path"], {"cursor": country["next_cursor"]})
    assert [e["type"] for e in followed["items"]] == ["agreement"]


# --- cursors the API did not issue ---------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _inner(*parts: Any) -> str:
    return _b64(json.dumps(list(parts)).encode())


def _signed(app: FastAPI, document: bytes) -> str:
    """A public cursor around any document, signed with the server's own key: what a forger
    who knew the key could send."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = _b64(packer.compress(document) + packer.flush())
    mac = hmac.new(cursor_key(app.state.settings), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)[:16]}"


HUGE = 10**30

# a list, the parameters it needs, its sort's name, and a sort value of the right type
PAGED: list[tuple[str, dict[str, str], str, Any]] = [
    ("/v1/articles", {}, "-published_at", "2024-03-01T00:00:00+00:00"),
    ("/v1/events", {}, "-date", "2024-04-01"),
    ("/v1/entities", {}, "-mentions", 3),
    ("/v1/entities", {"sort": "name"}, "name", "baku"),
    ("/v1/entities/{AZE}/articles", {}, "-published_at", "2024-03-01T00:00:00+00:00"),
    ("/v1/entities/{AZE}/events", {}, "-date", "2024-04-01"),
    ("/v1/search", {"q": "story", "mode": "raw"}, "relevance", -1.5),
    (
        "/v1/search",
        {"q": "story", "mode": "raw", "sort": "published_at"},
        "published_at",
        "2024-03-01T00:00:00+00:00",
    ),
    ("/v1/search", {"q": "story"}, "topk:relevance", 0),  # SQLite's top-k index: an offset
    ("/v1/changes", {}, "changes", 3),
]


def _forged_inners(sort: str, good: Any) -> list[str]:
    inners = [
        _inner(sort, False, good, HUGE),  # the audit's case: a 100-bit id
        _inner(sort, False, good, 2**63),
        _inner(sort, False, good, 2**31),
        _inner(sort, False, good, 0),
        _inner(sort, False, good, -1),
        _inner(sort, False, good, True),
        _inner(sort, False, good, 1.5),
        _inner(sort, False, good, "1"),
        _inner(sort, "no", good, 1),
        _inner(sort, False, HUGE, 1),
        _inner(sort, False, -HUGE, 1),
        _inner(sort, False, {"a": 1}, 1),
        _inner(sort, False, [good], 1),
        _inner(["changes"], False, good, 1),
        _inner(sort, False, good),
        _inner(sort, False, good, 1, 2),
        _inner({"name": sort}),
        _inner(sort),
        _b64(f'["{sort}", false, NaN, 1]'.encode()),
        _b64(f'["{sort}", false, Infinity, 1]'.encode()),
        _b64(b"[" * 5000 + b"]" * 5000),
        _b64(b"not json"),
        _b64('["\udcff"]'.encode("utf-8", "surrogatepass")),
        "not base64 at all!",
        "",
    ]
    if sort == "topk:relevance":
        inners.append(_inner(sort, False, 2**40, 1))  # deeper than the index
    if sort.lstrip("-") != "name":  # any text is a name
        inners += [
            _inner(sort, False, "0001-01-01T00:00:00+14:00", 1),  # out of range in UTC
            _inner(sort, False, "9999-12-31T23:59:59-14:00", 1),
            _inner(sort, False, "not a value", 1),
        ]
    return inners


def _document(path: str, params: dict[str, str], inner: Any, version: Any = 1) -> bytes:
    flat = [part for pair in sorted(params.items()) for part in pair]
    return json.dumps([version, path, flat, inner]).encode()


def _forged_cursors(
    app: FastAPI, path: str, params: dict[str, str], sort: str, good: Any
) -> list[str]:
    sealed = _signed(app, _document(path, params, _inner(sort, False, good, 1)))
    payload, mac = sealed.split(".")
    flipped = payload[:-3] + ("A" if payload[-3] != "A" else "B") + payload[-2:]
    inner = _inner(sort, False, good, 1)
    documents = [_document(path, params, forged) for forged in _forged_inners(sort, good)] + [
        _document(path, params, inner, version=2),
        _document(path, params, inner, version="1"),
        _document(path, params, None),
        _document(path, params, 5),
        json.dumps([1, path, ["limit"], inner]).encode(),
        json.dumps([1, path, [["limit", "2"]], inner]).encode(),
        json.dumps([1, path, ["limit", 2], inner]).encode(),
        json.dumps([1, None, [], inner]).encode(),
        json.dumps([1, path, {}, inner]).encode(),
        json.dumps([1, path, [], inner, "more"]).encode(),
        json.dumps({"path": path}).encode(),
        json.dumps("four").encode(),
        b"[1, 2, 3",
        b"",
    ]
    return [_signed(app, d) for d in documents] + [
        "not-a-cursor",
        "@@@.###",
        "é" * 20 + "." + "é" * 16,
        sealed[:-1],
        sealed + "A",
        f"{flipped}.{mac}",
        payload,
        f"{payload}.",
        f".{mac}",
        sealed.replace(".", ".."),
        _inner("changes", False, HUGE, HUGE),  # the audit's hand-made cursor, unsigned
        inner,  # an inner cursor on its own, as the API gave them before
        "A" * (MAX_CURSOR_CHARS + 1) + "." + mac,
    ]


@pytest.mark.parametrize(("template", "params", "sort", "good"), PAGED)
def test_a_forged_or_altered_cursor_is_a_400_naming_cursor(
    app: FastAPI,
    client: TestClient,
    corpus: dict[str, int],
    template: str,
    params: dict[str, str],
    sort: str,
    good: Any,
) -> None:
    path = template.format(**corpus)
    if sort.startswith("topk:") and _get(client, path, params)["query"]["engine"] != "tantivy":
        pytest.skip("the top-k index serves SQLite only")
    # the well-formed cursor works: each forgery differs from it in one thing
    legit = _signed(app, _document(path, params, _inner(sort, False, good, 1)))
    _get(client, path, {**params, "cursor": legit})
    _get(client, path, {"cursor": legit})
    names = ("cursor", "since") if path == "/v1/changes" else ("cursor",)
    for forged in _forged_cursors(app, path, params, sort, good):
        for name in names:
            for query in ({**params, name: forged}, {name: forged}):
                response = client.get(path, params=query)
                assert response.status_code == 400, (forged, response.text)
                assert_problem(response, 400, "cursor")


def test_an_inner_id_beyond_64_bits_is_a_400_on_the_feed(app: FastAPI, client: TestClient) -> None:
    """The audit's 500 on SQLite: `["changes", false, 10**30, 10**30]`, now signed too."""
    create(client, 1)
    huge = _inner("changes", False, HUGE, HUGE)
    for token in (huge, _signed(app, _document("/v1/changes", {}, huge))):
        for name in ("cursor", "since"):
            assert_problem(client.get("/v1/changes", params={name: token}), 400, "cursor")


# --- size, format, and every route -----------------------------------------------------------


ARTICLE_PARAMS = {
    *("author", "agency", "source", "lang", "published_from", "published_to", "country"),
    "entity",
    *("event_type", "dyad", "sort", "limit"),
}


def test_a_query_with_every_filter_at_length_pages_with_its_cursor(client: TestClient) -> None:
    countries = ["AZE", "TUR", "GEO", "ARM", "KAZ", "UZB", "KGZ", "TJK", "TKM", "Mongolia"]
    # ASCII: SQLite's lower(), which the author and source filters use, folds no other letters
    author = ("Leyla Mammadli-Aliyarova " * 20)[:300]
    source = ("United Wire of the Caspian and Black Sea Defence Press " * 5)[:200]
    agency = ("Caspian and Black Sea Defence Wire " * 10)[:200]
    for n in range(1, 4):
        create(
            client,
            n,
            author=author,
            agency=agency,
            source=source,
            entities=[{"kind": "country", "name": c} for c in countries],
        )
    states = _get(client, "/v1/entities", {"kind": "country", "limit": 100})["items"]
    mongolia = next(e["id"] for e in states if e["code"] == "MNG")
    words = " OR ".join(["defence", "memorandum", *(f"nonesüchwörd{i:02d}" for i in range(26))])
    assert 480 < len(words) <= 500  # 28 words: the parser takes 32 at most
    query: list[tuple[str, str]] = [
        ("q", words),
        ("author", author),
        ("agency", agency),
        ("source", source),
        ("lang", "en"),
        ("published_from", "2024-01-01"),
        ("published_to", "2024-12-31"),
        *(("country", c) for c in countries),
        ("entity", str(mongolia)),
        ("event_type", "agreement"),
        ("dyad", "Azerbaijan-Turkey"),
        ("sort", "-published_at"),
        ("facets", "country,source,event_type,entity_kind,person,year,month"),
        ("facet_size", "100"),
        ("highlight_pre", "«" * 40),
        ("highlight_post", "»" * 40),
        ("limit", "1"),
    ]
    for path, params in (
        ("/v1/search", query),
        ("/v1/articles", [(k, v) for k, v in query if k in ARTICLE_PARAMS]),
    ):
        first = _get(client, path, params)
        seen = _ids(first)
        cursor = first["next_cursor"]
        assert cursor and len(cursor) <= MAX_CURSOR_CHARS
        while cursor:
            page = _get(client, path, {"cursor": cursor})
            assert page["limit"] == 1
            seen += _ids(page)
            cursor = page["next_cursor"]
        assert len(seen) == 3 == len(set(seen))


def test_the_longest_query_still_fits_a_cursor() -> None:
    """Every value at its declared maximum, in four-byte characters that deflate badly."""
    astral = "".join(chr(0x10000 + (i * 7919) % 0xFFFF) for i in range(500))
    params = [
        ("q", astral),
        ("author", astral[:300]),
        ("agency", astral[300:500]),
        ("source", astral[:200]),
        ("dyad", astral[:100]),
        ("facets", "country,source,event_type,entity_kind,person,year,month"),
        ("highlight_pre", astral[:40]),
        ("highlight_post", astral[-40:]),
        *[("country", "United Kingdom of Great Britain and Northern Ireland")] * 10,
        ("published_from", "2024-01-01"),
        ("published_to", "2024-12-31"),
        ("entity", str(2**31 - 1)),
        ("event_type", "arms_transfer"),
        ("sort", "-published_at"),
        ("limit", "100"),
    ]
    inner = _inner("-published_at", False, "2024-03-01T00:00:00+00:00", 2**31 - 1)
    cursor = seal_cursor(b"k" * 32, "/v1/search", params, inner)
    assert len(cursor) <= MAX_CURSOR_CHARS
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}", cursor)  # URL-safe as it is
    bound = open_cursor(b"k" * 32, cursor)
    assert bound.path == "/v1/search" and bound.inner == inner
    assert bound.params == sorted(params, key=lambda p: p[0])
    with pytest.raises(InvalidParameter):
        open_cursor(b"j" * 32, cursor)  # another server's key


def test_a_cursor_is_short_for_an_ordinary_query(
    client: TestClient, corpus: dict[str, int]
) -> None:
    cursor = _get(client, "/v1/events", {"country": "AZE", "limit": 1})["next_cursor"]
    assert len(cursor) < 200
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}", cursor)


def test_the_secret_setting_signs_cursors(app: FastAPI, client: TestClient, corpus: dict) -> None:
    cursor = _get(client, "/v1/articles", {"limit": 1})["next_cursor"]
    app.state.settings = app.state.settings.model_copy(
        update={"cursor_secret": SecretStr("s3cret")}
    )
    assert_problem(client.get("/v1/articles", params={"cursor": cursor}), 400, "cursor")
    resealed = _get(client, "/v1/articles", {"limit": 1})["next_cursor"]
    assert resealed != cursor
    assert _get(client, "/v1/articles", {"cursor": resealed})["limit"] == 1


def test_every_route_with_a_cursor_binds_it(app: FastAPI) -> None:
    routes = []
    for entry in app.routes:
        routes += getattr(getattr(entry, "original_router", None), "routes", [entry])
    spec = app.openapi()
    paged = {
        (path, method.upper())
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if any(p["name"] in ("cursor", "since") for p in op.get("parameters", []))
    }
    assert len(paged) >= 7
    bound = {
        (route.path, method)
        for route in routes
        if isinstance(route, CursorRoute) and route.cursor_params
        for method in route.methods or ()
    }
    assert paged <= bound, paged - bound


# --- the inner keyset cursors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("parse", "good", "bad"),
    [
        (parse_utc_datetime, "2024-03-01T00:00:00+00:00", ["2024-03-01T00:00:00+14:00", 5, None]),
        (parse_date, "2024-03-01", ["2024-03-01T00:00", 20240301, ["2024-03-01"]]),
        (parse_count, 12, [-1, 2**63, 1.0, True, "12"]),
        (parse_row_id, 12, [0, 2**31, 12.0, False, "12"]),
        (parse_score, -2.5, [2, 10**30, "1.5", None]),
        (parse_text, "baku", [1, ["baku"], {"baku": 1}]),
    ],
)
def test_inner_cursors_hold_values_of_their_column_type_only(
    parse: Any, good: Any, bad: list[Any]
) -> None:
    keyset = Keyset(name="s", column=Article.id, id_column=Article.id, descending=True, parse=parse)
    decoded = decode_cursor(keyset, encode_cursor(keyset, good, 7))
    assert decoded[0] is False and decoded[2] == 7 and decoded[1] is not None
    for value in bad:
        with pytest.raises(InvalidParameter):
            decode_cursor(keyset, _inner("s", False, value, 7))
    for last_id in (0, -1, 2**31, HUGE, True, 7.0, "7", None):
        with pytest.raises(InvalidParameter):
            decode_cursor(keyset, _inner("s", False, good, last_id))
    assert decode_cursor(keyset, _inner("s", True, None, 7)) == (True, None, 7)
