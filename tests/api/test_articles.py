import csv
import io
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import PAGE, article_payload, create
from tests.helpers import assert_problem

# --- create ---------------------------------------------------------------------------------


def test_create_json_stores_article_with_entities_and_events(client: TestClient) -> None:
    response = client.post("/v1/articles", json=article_payload())
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/articles/{body['id']}"
    assert body["title"] == "Defence talks number 1"
    assert body["title_is_derived"] is False
    assert body["published_at"] == "2024-03-01T00:00:00Z"
    assert body["published_precision"] == "day"
    assert body["source"]["name"] == "Test Wire"
    assert body["language"] == "en"
    assert body["extractor_version"] == "curated"
    assert body["word_count"] == len(body["body"].split())
    kinds = sorted({m["entity"]["kind"] for m in body["mentions"]})
    assert kinds == ["country", "location", "person"]
    aliyarov = [m for m in body["mentions"] if m["entity"]["name"] == "Rauf Aliyarov"]
    assert aliyarov and all(body["body"][m["start"] : m["end"]] == m["surface"] for m in aliyarov)
    meeting = next(e for e in body["events"] if e["type"] == "meeting")
    assert meeting["countries"] == ["AZE", "TUR"]
    assert meeting["cameo_code"] == "040"
    assert meeting["date"] == "2024-03-11" and meeting["date_precision"] == "day"
    assert meeting["location"]["name"] == "Baku"
    evidence = meeting["evidence"]
    assert body["body"][evidence["start"] : evidence["end"]] == evidence["text"]
    agreement = next(e for e in body["events"] if e["type"] == "agreement")
    assert agreement["date"] == "2024-03" and agreement["date_precision"] == "month"
    assert agreement["cameo_code"] == "057"


def test_create_raw_page_reads_metadata_from_the_page(client: TestClient) -> None:
    response = client.post(
        "/v1/articles",
        content=PAGE.encode(),
        headers={"content-type": "text/plain; charset=utf-8"},
        params={"url": "https://steppe.example/2024/03/12/meet"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == "Kazakh and Uzbek defence ministers meet in Astana"
    assert body["author"] == "Test Writer"
    assert body["published_at"].startswith("2024-03-12")
    # the outlet the page names (its footer handle @SteppeWireKz); the url gives the domain
    assert body["source"] == {
        "id": body["source"]["id"],
        "name": "SteppeWire",
        "domain": "steppe.example",
    }
    assert "Follow us" not in body["body"] and "date 2024" not in body["body"]
    assert body["body"].startswith("Kazakh Defence Minister Nurlan Ospanov met")
    raw = client.get(f"/v1/articles/{body['id']}", params={"include": "raw"}).json()["raw"]
    assert raw == PAGE


def test_create_html_uses_the_main_text(client: TestClient) -> None:
    html = (
        "<html><head><title>Greece and France sign frigate deal</title>"
        '<meta name="author" content="Eleni Pappa"></head><body><nav>Home | World | Sport</nav>'
        "<article><h1>Greece and France sign frigate deal</h1>"
        "<p>Greece and France signed a contract for a fourth frigate on Monday in Athens, "
        "the Greek defence ministry said in a statement.</p>"
        "<p>The ship will be built at Lorient and delivered in 2028, officials added.</p>"
        "</article><footer>Copyright 2025</footer></body></html>"
    )
    response = client.post(
        "/v1/articles",
        content=html,
        headers={"content-type": "text/html"},
        params={"url": "https://aegean.example/2025/01/20/frigate"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == "Greece and France sign frigate deal"
    assert body["author"] == "Eleni Pappa"
    assert body["published_at"].startswith("2025-01-20")
    assert "Greece and France signed a contract" in body["body"]
    assert "Home | World" not in body["body"]


@pytest.mark.parametrize(
    ("head", "url", "source"),
    [
        (
            '<meta property="og:site_name" content="Rift Defence Daily">',
            "https://www.rift.example/2025/01/20/drill",
            {"name": "Rift Defence Daily", "domain": "rift.example"},
        ),
        (
            "",
            "https://www.rift.example/2025/01/20/drill",
            {"name": "rift.example", "domain": "rift.example"},
        ),
        (
            '<meta property="og:site_name" content="Rift Defence Daily">',
            None,
            {"name": "Rift Defence Daily", "domain": None},
        ),
    ],
)
def test_html_outlet_is_the_pages_own_name(
    client: TestClient, head: str, url: str | None, source: dict
) -> None:
    html = (
        f"<html><head><title>Kenya and Uganda end border drill</title>{head}</head><body>"
        "<article><h1>Kenya and Uganda end border drill</h1>"
        "<p>Kenyan and Ugandan troops ended a joint border drill near Busia on Friday, "
        "the Kenya Defence Forces said in a statement.</p>"
        "<p>About 400 soldiers from both armies took part in the week-long exercise.</p>"
        "</article></body></html>"
    )
    response = client.post(
        "/v1/articles",
        content=html,
        headers={"content-type": "text/html"},
        params={"url": url} if url else {},
    )
    assert response.status_code == 201, response.text
    assert {k: v for k, v in response.json()["source"].items() if k != "id"} == source


def _outlet_page(n: int, site_name: str | None) -> str:
    head = f'<meta property="og:site_name" content="{site_name}">' if site_name else ""
    return (
        f"<html><head><title>Drill {n}</title>{head}</head><body><article><h1>Drill {n}</h1>"
        f"<p>Kenyan and Ugandan troops ended border drill number {n} near Busia on Friday, "
        "the Kenya Defence Forces said in a statement.</p></article></body></html>"
    )


@pytest.mark.parametrize("named_first", [False, True])
def test_one_domain_is_one_outlet_whether_or_not_a_page_names_it(
    client: TestClient, named_first: bool
) -> None:
    """Pages of one site, some naming the outlet (og:site_name) and some not, share one source;
    a name the caller gives (JSON `source`) is kept as given."""
    names = (
        ["Rift Defence Daily", None, None] if named_first else [None, "Rift Defence Daily", None]
    )
    sources, ids = [], []
    for n, name in enumerate(names):
        response = client.post(
            "/v1/articles",
            content=_outlet_page(n, name),
            headers={"content-type": "text/html"},
            params={"url": f"https://www.rift.example/2025/01/2{n}/drill"},
        )
        assert response.status_code == 201, response.text
        sources.append(response.json()["source"]["id"])
        ids.append(response.json()["id"])
    assert len(set(sources)) == 1
    stored = client.get(f"/v1/articles/{ids[0]}").json()["source"]
    assert (stored["name"], stored["domain"]) == ("Rift Defence Daily", "rift.example")
    given = client.post(
        "/v1/articles",
        json={"url": "https://www.rift.example/wire/1", "body": "Chile and Peru met.", "source": "Example Wire"},
    )  # fmt: skip
    assert given.json()["source"]["name"] == "Example Wire"


def test_same_url_is_a_conflict_with_location(client: TestClient) -> None:
    first = create(client)
    response = client.post("/v1/articles", json=article_payload(body="Different text entirely."))
    problem = assert_problem(response, 409)
    assert response.headers["location"] == f"/v1/articles/{first['id']}"
    assert problem["existing_id"] == first["id"]
    assert client.get("/v1/articles").json()["items"][0]["id"] == first["id"]
    assert len(client.get("/v1/articles").json()["items"]) == 1


def test_on_duplicate_skip_and_update(client: TestClient) -> None:
    first = create(client)
    skipped = client.post(
        "/v1/articles", params={"on_duplicate": "skip"}, json=article_payload(title="Other title")
    )
    assert skipped.status_code == 200 and skipped.json()["title"] == "Defence talks number 1"
    updated = client.post(
        "/v1/articles",
        params={"on_duplicate": "update"},
        json=article_payload(title="Corrected title", events=[]),
    )
    assert updated.status_code == 200
    assert updated.json()["id"] == first["id"]
    assert updated.json()["title"] == "Corrected title"
    assert updated.json()["events"] == []
    assert client.get("/v1/events").json()["items"] == []


def test_same_body_under_another_url_is_kept_and_marked(client: TestClient) -> None:
    first = create(client)
    twin = client.post(
        "/v1/articles",
        json=article_payload(url="https://mirror.example/x", body=first["body"].upper() + " "),
    )
    assert twin.status_code == 201
    assert twin.json()["duplicate_of"] == first["id"]
    assert twin.json()["content_hash"] == first["content_hash"]


def test_article_without_text_is_rejected(client: TestClient) -> None:
    response = client.post(
        "/v1/articles",
        content=" date 2024-01-01\n\n---\nFollow us",
        headers={"content-type": "text/plain"},
    )
    assert_problem(response, 422, "text")


def test_malformed_json_is_one_problem_on_post_and_patch(client: TestClient) -> None:
    """The body we parse ourselves (POST) and the one FastAPI parses (PATCH) are translated
    once: a 400 "Malformed JSON" about the field `body`, with where it broke in the detail."""
    article = create(client)
    headers = {"content-type": "application/json"}
    answers = [
        client.post("/v1/articles", content=b"{nope", headers=headers),
        client.patch(f"/v1/articles/{article['id']}", content=b"{nope", headers=headers),
    ]
    for response in answers:
        body = assert_problem(response, 400, "body")
        assert body["title"] == "Malformed JSON", body
        assert [(e["field"], e["in"]) for e in body["errors"]] == [("body", "body")], body
        assert body["detail"].startswith("Malformed JSON: body: ") and "2" in body["detail"]


JSON = {"content-type": "application/json"}
TEXT = {"content-type": "text/plain"}


@pytest.mark.parametrize(
    ("request_kwargs", "status", "field"),
    [
        pytest.param({"content": b"{nope", "headers": JSON}, 400, "body", id="bad-json"),
        pytest.param({"json": {"body": 42}}, 422, "body", id="wrong-type"),
        pytest.param({"json": ["a"]}, 422, "body", id="not-an-object"),
        pytest.param(
            {"json": {"body": "A text about Turkey.", "colour": "red"}},
            422,
            "colour",
            id="unknown-field",
        ),
        pytest.param({"json": {"title": "Only a title"}}, 422, "body", id="no-content"),
        pytest.param(
            {"json": {"body": "Some text here.", "published_at": "yesterday"}},
            422,
            "published_at",
            id="bad-date",
        ),
        pytest.param(
            {"json": {"body": "Some text here.", "url": "javascript:alert(1)"}},
            422,
            "url",
            id="bad-url",
        ),
        pytest.param(
            {"json": {"body": "Some text here.", "events": [{"type": "party", "countries": []}]}},
            422,
            "events.0.type",
            id="bad-event",
        ),
        pytest.param(
            {"json": {"body": "Some text here.", "entities": [{"kind": "country", "code": "XXX"}]}},
            422,
            "entities.0.code",
            id="bad-country",
        ),
        pytest.param({"content": b"\xff\xfe\xfa", "headers": TEXT}, 400, "body", id="undecodable"),
        pytest.param(
            {"content": b"abc", "headers": {"content-type": "text/plain; charset=klingon"}},
            415,
            "Content-Type",
            id="unknown-charset",
        ),
        pytest.param(
            {"content": b"abc", "headers": {"content-type": "image/png"}},
            415,
            "Content-Type",
            id="media-type",
        ),
        pytest.param(
            {"content": b"a" * (5 * 1024 * 1024 + 1), "headers": TEXT}, 413, "body", id="too-large"
        ),
    ],
)
def test_bad_bodies_get_problem_json(
    client: TestClient, request_kwargs: dict[str, Any], status: int, field: str
) -> None:
    assert_problem(client.post("/v1/articles", **request_kwargs), status, field)
    assert client.get("/v1/articles").json()["items"] == []


def test_latin1_body_is_decoded_by_its_charset(client: TestClient) -> None:
    page = "Ankara and Baku sign pact\n\nTürkiye and Azerbaijan signed a defence pact in Bakı on Monday."
    response = client.post(
        "/v1/articles",
        content=page.encode("latin-1", errors="replace"),
        headers={"content-type": "text/plain; charset=latin-1"},
    )
    assert response.status_code == 201
    assert "Türkiye" in response.json()["body"]


# --- bulk -----------------------------------------------------------------------------------


def test_bulk_keeps_good_lines_and_reports_each(client: TestClient) -> None:
    import json

    lines = [
        json.dumps(article_payload(1, id="a")),
        "{broken",
        json.dumps({"id": "c", "body": 5}),
        json.dumps(article_payload(1, id="d")),
        "",
        json.dumps(article_payload(2, id="e")),
    ]
    response = client.post(
        "/v1/articles/bulk",
        content="\n".join(lines),
        headers={"content-type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["status"] for r in body["results"]] == [
        "created",
        "rejected",
        "rejected",
        "duplicate",
        "created",
    ]
    assert [r["line"] for r in body["results"]] == [1, 2, 3, 4, 6]
    assert body["results"][0]["id"] == "a"
    assert body["results"][3]["duplicate_of"] == body["results"][0]["article_id"]
    assert body["created"] == 2 and body["rejected"] == 2
    assert len(client.get("/v1/articles").json()["items"]) == 2


def test_bulk_line_cap(app, client: TestClient) -> None:
    app.state.settings.max_bulk_lines = 2
    import json

    content = "\n".join(json.dumps(article_payload(n)) for n in range(1, 4))
    assert_problem(client.post("/v1/articles/bulk", content=content), 413)


def _bulk(client: TestClient, lines: list[str]) -> dict[str, Any]:
    response = client.post(
        "/v1/articles/bulk",
        content="\n".join(lines).encode(),
        headers={"content-type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _stored_urls(client: TestClient) -> set[str]:
    return {a["url"] for a in client.get("/v1/articles", params={"limit": 100}).json()["items"]}


def test_bulk_splits_lines_at_newlines_only(client: TestClient) -> None:
    import json

    bodies = [
        f"Chile and Peru met{sep}in Lima, line {n}." for n, sep in enumerate("\u2028\u2029\x85")
    ]
    lines = [
        json.dumps({"url": f"https://sep.example/{n}", "body": b}, ensure_ascii=False)
        for n, b in enumerate(bodies)
    ]
    lines.insert(1, '{"url": "https://sep.example/vt", "body": "a\x0bb"}')  # JSON wants \u000b
    body = _bulk(client, [line + "\r" for line in lines])  # CRLF line ends
    assert [(r["line"], r["status"]) for r in body["results"]] == [
        (1, "created"),
        (2, "rejected"),
        (3, "created"),
        (4, "created"),
    ]
    assert body["results"][1]["errors"][0]["message"].startswith("not JSON")
    assert _stored_urls(client) == {f"https://sep.example/{n}" for n in range(3)}


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_bulk_line_outside_the_calendar_costs_only_itself(client: TestClient, moment: str) -> None:
    import json

    lines = [
        json.dumps({"url": "https://cal.example/1", "body": "Mali and Senegal signed a pact."}),
        json.dumps({"url": "https://cal.example/2", "body": "Chile and Peru met.", "published_at": moment}),
        json.dumps({"url": "https://cal.example/3", "body": "Chile and Peru met again."}),
    ]  # fmt: skip
    body = _bulk(client, lines)
    assert [r["status"] for r in body["results"]] == ["created", "rejected", "created"]
    [error] = body["results"][1]["errors"]
    assert (
        error["field"] == "published_at" and "9999-12-31T23:59:59.999Z in UTC" in error["message"]
    )
    assert (body["created"], body["rejected"]) == (2, 1)
    assert _stored_urls(client) == {"https://cal.example/1", "https://cal.example/3"}


def test_bulk_confines_any_failure_to_its_line(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import json

    from sqlalchemy.exc import DataError, StatementError

    from app.services import bulk

    real, real_add = bulk.create_article, bulk.ArticleBatch.add
    failures: dict[str, Exception] = {
        "https://fail.example/data": DataError("INSERT", {}, Exception("value too long")),
        "https://fail.example/bind": StatementError(
            "bind", "INSERT", {}, OverflowError("date value out of range")
        ),
        "https://fail.example/bug": KeyError("an unforeseen bug"),
    }

    def failing(session, *, data, **kwargs):  # type: ignore[no-untyped-def]
        outcome = real(session, data=data, **kwargs)  # stored, then undone by the savepoint
        if data.url in failures:
            raise failures[data.url]
        return outcome

    def failing_add(batch, data, prepared, **kwargs):  # type: ignore[no-untyped-def]
        outcome = real_add(batch, data, prepared, **kwargs)  # the chunk's pass, undone too
        if data.url in failures:
            raise failures[data.url]
        return outcome

    monkeypatch.setattr(bulk, "create_article", failing)
    monkeypatch.setattr(bulk.ArticleBatch, "add", failing_add)
    urls = ["https://fail.example/1", *failures, "https://fail.example/2"]
    lines = [
        json.dumps({"url": url, "body": f"Chile and Peru held talks, take {n}."})
        for n, url in enumerate(urls)
    ]
    body = _bulk(client, lines)
    assert [r["status"] for r in body["results"]] == ["created", *["rejected"] * 3, "created"]
    messages = [r["errors"][0]["message"] for r in body["results"][1:4]]
    assert messages == [
        "A value cannot be stored: value too long",
        "A value cannot be stored: date value out of range",
        "This article could not be stored (an internal error; it is logged).",
    ]
    assert _stored_urls(client) == {"https://fail.example/1", "https://fail.example/2"}
    [logged] = [r for r in caplog.records if r.name == "defcoop.ingest" and r.levelname == "ERROR"]
    assert logged.exc_info and logged.exc_info[0] is KeyError  # the unforeseen, with its trace


def test_bulk_stops_whole_when_the_database_stops_it(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from sqlalchemy.exc import OperationalError

    from app.services import bulk

    real, real_add = bulk.create_article, bulk.ArticleBatch.add

    def interrupted(session, *, data, **kwargs):  # type: ignore[no-untyped-def]
        if data.url.endswith("/2"):
            raise OperationalError("SELECT", {}, Exception("interrupted"))
        return real(session, data=data, **kwargs)

    def interrupted_add(batch, data, prepared, **kwargs):  # type: ignore[no-untyped-def]
        if data.url.endswith("/2"):
            raise OperationalError("SELECT", {}, Exception("interrupted"))
        return real_add(batch, data, prepared, **kwargs)

    monkeypatch.setattr(bulk, "create_article", interrupted)
    monkeypatch.setattr(bulk.ArticleBatch, "add", interrupted_add)
    lines = [
        json.dumps({"url": f"https://stop.example/{n}", "body": f"Chile and Peru, take {n}."})
        for n in (1, 2, 3)
    ]
    response = client.post("/v1/articles/bulk", content="\n".join(lines))
    assert_problem(response, 503)  # the time limit: the request as a whole, not one line
    assert _stored_urls(client) == set()


# --- agency ---------------------------------------------------------------------------------

WIRE_PAGE = """ date 2024-04-02 By Leyla Mammadli

Georgia and Armenia agree on border drills

TBILISI, April 2 (CDW) – Georgian and Armenian defence ministers agreed on Tuesday to hold joint border drills.

The drills will start in June, the ministers said."""


def test_a_pages_agency_is_stored_beside_its_author(client: TestClient) -> None:
    """The person of the byline is the author, the dateline's wire the agency: both kept,
    through a raw page, JSON `text` and GET; given values win; PATCH corrects it."""
    response = client.post(
        "/v1/articles",
        content=WIRE_PAGE.encode(),
        headers={"content-type": "text/plain"},
        params={"url": "https://caucasus.example/2024/04/02/drills"},
    )
    assert response.status_code == 201, response.text
    stored = response.json()
    assert (stored["author"], stored["agency"]) == ("Leyla Mammadli", "CDW")
    got = client.get(f"/v1/articles/{stored['id']}").json()
    assert (got["author"], got["agency"]) == ("Leyla Mammadli", "CDW")
    listed = client.get("/v1/articles").json()["items"]
    assert [(a["author"], a["agency"]) for a in listed] == [("Leyla Mammadli", "CDW")]

    # JSON with the raw page in `text`, and a dateline alone: an agency, and no author
    dateline_only = WIRE_PAGE.replace(" By Leyla Mammadli", "")
    created = client.post(
        "/v1/articles", json={"url": "https://caucasus.example/b", "text": dateline_only}
    )
    assert created.status_code == 201, created.text
    assert (created.json()["author"], created.json()["agency"]) == (None, "CDW")
    again = client.get(f"/v1/articles/{created.json()['id']}").json()
    assert (again["author"], again["agency"]) == (None, "CDW")

    # values the client gives are taken as given
    given = create(client, 3, author="Amina Wanjiru", agency="Rift Wire")
    assert (given["author"], given["agency"]) == ("Amina Wanjiru", "Rift Wire")
    assert create(client, 4)["agency"] is None  # clean `body`: nothing to read it from

    fixed = client.patch(f"/v1/articles/{stored['id']}", json={"agency": "Caucasus Wire"})
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["agency"] == "Caucasus Wire" and fixed.json()["author"] == "Leyla Mammadli"
    assert client.get(f"/v1/articles/{stored['id']}").json()["agency"] == "Caucasus Wire"
    assert_problem(
        client.patch(f"/v1/articles/{stored['id']}", json={"agency": "x" * 201}), 422, "agency"
    )


def test_the_dry_run_and_the_csv_show_the_agency(client: TestClient) -> None:
    dry = client.post(
        "/v1/extract", content=WIRE_PAGE.encode(), headers={"content-type": "text/plain"}
    )
    assert dry.status_code == 200, dry.text
    assert (dry.json()["author"], dry.json()["agency"]) == ("Leyla Mammadli", "CDW")
    assert client.get("/v1/articles").json()["items"] == []  # nothing stored
    create(client, 1, agency="Rift Wire")
    rows = list(csv.DictReader(io.StringIO(client.get("/v1/articles?format=csv").text)))
    assert [(r["author"], r["agency"]) for r in rows] == [("Test Writer", "Rift Wire")]


def test_the_agency_filter_pages_with_its_cursor(client: TestClient) -> None:
    wired = [create(client, n, agency="CDW")["id"] for n in range(1, 4)]
    rift = create(client, 4, agency="Rift Wire")["id"]
    create(client, 5)

    def ids(**params: Any) -> list[int]:
        response = client.get("/v1/articles", params=params)
        assert response.status_code == 200, response.text
        return sorted(x["id"] for x in response.json()["items"])

    assert ids(agency="cdw") == wired  # case-insensitive, like author
    assert ids(agency="Rift Wire", author="Test Writer") == [rift]
    assert ids(agency="nobody") == []
    seen: list[int] = []
    page = client.get("/v1/articles", params={"agency": "CDW", "limit": 1}).json()
    seen += [a["id"] for a in page["items"]]
    while page["next_cursor"]:
        cursor = page["next_cursor"]
        # the cursor is bound to its agency: another one is a 400
        assert_problem(
            client.get("/v1/articles", params={"cursor": cursor, "agency": "Rift Wire"}),
            400,
            "cursor",
        )
        page = client.get("/v1/articles", params={"cursor": cursor}).json()
        assert page["limit"] == 1
        seen += [a["id"] for a in page["items"]]
    assert sorted(seen) == wired and len(seen) == 3
    assert_problem(client.get("/v1/articles", params={"agency": "x" * 201}), 422, "agency")


# --- list -----------------------------------------------------------------------------------


def test_list_pages_through_everything_with_cursor_and_link(client: TestClient) -> None:
    ids = [create(client, n)["id"] for n in range(1, 8)]
    client.post(
        "/v1/articles",
        json=article_payload(8, published_at=None, url="https://news.example/nodate"),
    )
    seen: list[int] = []
    params: dict = {"limit": 3}
    while True:
        response = client.get("/v1/articles", params=params)
        body = response.json()
        assert len(body["items"]) <= 3 and body["limit"] == 3
        seen += [a["id"] for a in body["items"]]
        if not body["next_cursor"]:
            assert "link" not in response.headers
            break
        assert 'rel="next"' in response.headers["link"]
        params = {"limit": 3, "cursor": body["next_cursor"]}
    assert seen[:7] == list(reversed(ids))
    assert len(seen) == 8 and len(set(seen)) == 8
    ascending = client.get("/v1/articles", params={"sort": "published_at", "limit": 100}).json()
    assert [a["id"] for a in ascending["items"]][:7] == ids


def test_list_filters(client: TestClient) -> None:
    a = create(client, 1)
    b = create(
        client,
        2,
        author="Someone Else",
        source="Other Wire",
        entities=[{"kind": "country", "code": "AZE"}, {"kind": "country", "code": "GEO"}],
        events=[{"type": "exercise", "countries": ["AZE", "GEO"]}],
    )
    c = create(client, 3, language="fr", entities=[], events=[])

    def ids(**params) -> list[int]:
        response = client.get("/v1/articles", params=params)
        assert response.status_code == 200, response.text
        return sorted(x["id"] for x in response.json()["items"])

    assert ids(source="Other Wire") == [b["id"]]
    assert ids(source="test wire") == [a["id"], c["id"]]
    assert ids(author="someone else") == [b["id"]]
    assert ids(lang="fr") == [c["id"]]
    assert ids(published_from="2024-03-02") == [b["id"], c["id"]]
    assert ids(published_to="2024-03-02") == [a["id"], b["id"]]
    assert ids(country="AZE") == [a["id"], b["id"]]
    assert ids(country=["AZE", "TUR"]) == [a["id"]]
    assert ids(country=["Azerbaijan", "Georgia"]) == [b["id"]]
    assert ids(event_type="exercise") == [b["id"]]
    person = client.get("/v1/entities", params={"kind": "person"}).json()["items"][0]
    assert ids(entity=person["id"]) == [a["id"]]


def test_list_rejects_bad_parameters(client: TestClient) -> None:
    assert_problem(client.get("/v1/articles", params={"sort": "title"}), 422, "sort")
    assert_problem(client.get("/v1/articles", params={"event_type": "party"}), 422, "event_type")
    assert_problem(
        client.get("/v1/articles", params={"published_from": "2024-02-30"}), 422, "published_from"
    )
    assert_problem(client.get("/v1/articles", params={"cursor": "not-a-cursor"}), 400, "cursor")
    assert_problem(client.get("/v1/articles", params={"country": "Atlantis"}), 400, "country")
    assert_problem(client.get("/v1/articles", params={"limit": 0}), 422, "limit")
    assert_problem(
        client.get(
            "/v1/articles", params={"published_from": "2024-05-01", "published_to": "2024-01-01"}
        ),
        400,
        "published_from",
    )
    assert client.get("/v1/articles", params={"limit": 5000}).json()["limit"] == 100


def test_cursor_is_bound_to_its_sort(client: TestClient) -> None:
    for n in range(1, 4):
        create(client, n)
    cursor = client.get("/v1/articles", params={"limit": 1}).json()["next_cursor"]
    assert_problem(
        client.get("/v1/articles", params={"cursor": cursor, "sort": "published_at"}), 400, "cursor"
    )


# --- one article ----------------------------------------------------------------------------


def test_get_ladder(client: TestClient) -> None:
    assert_problem(client.get("/v1/articles/12345"), 404)
    assert_problem(client.get("/v1/articles/abc"), 422, "article_id")
    assert_problem(client.get("/v1/articles/0"), 422, "article_id")
    created = create(client)
    assert_problem(
        client.get(f"/v1/articles/{created['id']}", params={"include": "everything"}),
        400,
        "include",
    )
    plain = client.get(f"/v1/articles/{created['id']}").json()
    assert plain["mentions"] is None and plain["events"] is None and plain["raw"] is None
    full = client.get(f"/v1/articles/{created['id']}", params={"include": "mentions,events"}).json()
    assert len(full["events"]) == 2 and len(full["mentions"]) >= 4


def test_patch_corrects_metadata(client: TestClient) -> None:
    created = create(client)
    other = create(client, 2)
    assert_problem(client.patch("/v1/articles/999", json={"title": "x"}), 404)
    assert_problem(
        client.patch(f"/v1/articles/{created['id']}", json={"published_at": "soon"}), 422
    )
    assert_problem(client.patch(f"/v1/articles/{created['id']}", json={"body": "new"}), 422, "body")
    clash = client.patch(f"/v1/articles/{created['id']}", json={"url": other["url"]})
    assert_problem(clash, 409)
    response = client.patch(
        f"/v1/articles/{created['id']}",
        json={"title": "Fixed", "published_at": "2023-05", "source": "Fixed Wire"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Fixed" and body["published_at"].startswith("2023-05-01")
    assert body["published_precision"] == "month" and body["source"]["name"] == "Fixed Wire"


def test_delete_removes_mentions_and_events(client: TestClient) -> None:
    created = create(client)
    assert client.get("/v1/events").json()["items"]
    assert client.delete(f"/v1/articles/{created['id']}").status_code == 204
    assert_problem(client.get(f"/v1/articles/{created['id']}"), 404)
    assert client.get("/v1/events").json()["items"] == []
    for entity in client.get("/v1/entities").json()["items"]:
        assert entity["mention_count"] == 0
    assert_problem(client.delete(f"/v1/articles/{created['id']}"), 404)


def test_a_write_is_committed_before_its_response(app, write_key: str) -> None:
    """The session's commit runs before the response is sent: a failing commit is a 5xx/4xx,
    never a 201 for data that is not there."""
    from sqlalchemy.orm import Session

    original = Session.commit
    calls = {"n": 0}

    def failing_commit(self: Session) -> None:
        calls["n"] += 1
        raise RuntimeError("disk full at commit")

    client = TestClient(
        app, raise_server_exceptions=False, headers={"Authorization": f"Bearer {write_key}"}
    )
    Session.commit = failing_commit  # type: ignore[method-assign]
    try:
        response = client.post("/v1/articles", json=article_payload())
    finally:
        Session.commit = original  # type: ignore[method-assign]
    assert calls["n"] >= 1
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/articles").json()["items"] == []


def test_extraction_runs_off_the_event_loop(
    app: FastAPI, write_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While one article is being extracted, the server still answers other requests."""
    import asyncio
    import threading

    import httpx

    from app.services import ingest as article_service

    release = threading.Event()
    real_extract = article_service.timed_extract

    def slow_extract(*args: Any, **kwargs: Any) -> Any:
        release.wait(timeout=10)
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(article_service, "timed_extract", slow_extract)

    async def scenario() -> tuple[bool, int]:
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {write_key}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            post = asyncio.create_task(
                http.post(
                    "/v1/articles?url=https://example.org/slow",
                    content="Baku, 1 March 2024. Azerbaijan and Turkey held talks on defence.",
                    headers={**headers, "Content-Type": "text/plain"},
                )
            )
            await asyncio.sleep(0.2)
            health = await asyncio.wait_for(http.get("/healthz"), timeout=5)
            post_was_waiting = not post.done()
            release.set()
            return post_was_waiting and health.status_code == 200, (await post).status_code

    answered_meanwhile, status = asyncio.run(scenario())
    assert answered_meanwhile
    assert status == 201


def test_bulk_takes_json_lines_only(client: TestClient) -> None:
    import json

    line = json.dumps(article_payload(1)).encode()
    for kind in ("application/json", "image/png", "text/plain", "application/json-seq"):
        refused = client.post("/v1/articles/bulk", content=line, headers={"content-type": kind})
        assert_problem(refused, 415, "Content-Type")
    for kind in ("application/x-ndjson", "application/jsonl; charset=utf-8"):
        taken = client.post("/v1/articles/bulk", content=line, headers={"content-type": kind})
        assert taken.status_code == 200, (kind, taken.text)
    assert client.post("/v1/articles/bulk", content=line).status_code == 200  # no type: JSON Lines
    assert len(client.get("/v1/articles").json()["items"]) == 1


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_bulk_with_no_lines_is_a_problem(client: TestClient, content: bytes) -> None:
    answer = client.post(
        "/v1/articles/bulk", content=content, headers={"content-type": "application/x-ndjson"}
    )
    assert_problem(answer, 422, "body")


def test_bulk_counts_add_up_and_name_the_two_kinds_of_duplicate(client: TestClient) -> None:
    import json

    stored = create(client, 1)
    lines = [
        json.dumps(article_payload(2)),  # created
        json.dumps(article_payload(1)),  # the url is stored: refused, not stored
        json.dumps(article_payload(3, body=stored["body"])),  # same text, new url: stored, marked
        "{broken",  # rejected
        json.dumps(article_payload(4)),  # created
        json.dumps(article_payload(4, body="Another text.")),  # url of line 5: refused
    ]
    body = client.post(
        "/v1/articles/bulk",
        content="\n".join(lines),
        headers={"content-type": "application/x-ndjson"},
    ).json()
    assert [r["status"] for r in body["results"]] == [
        "created",
        "duplicate",
        "created",
        "rejected",
        "created",
        "duplicate",
    ]
    counts = {k: v for k, v in body.items() if k != "results"}
    assert counts == {
        "lines": 6,
        "created": 3,
        "updated": 0,
        "skipped": 0,
        "url_duplicates": 2,
        "rejected": 1,
        "content_duplicates": 1,
        "duplicates": 2,
    }
    outcomes = ("created", "updated", "skipped", "url_duplicates", "rejected")
    assert sum(body[k] for k in outcomes) == body["lines"] == len(body["results"])
    assert body["results"][2]["duplicate_of"] == stored["id"]
    assert body["results"][1]["duplicate_of"] == stored["id"]
    assert len(client.get("/v1/articles").json()["items"]) == 3  # the copy is hidden
    assert len(client.get("/v1/articles?duplicates=include").json()["items"]) == 4


def test_every_client_error_names_what_is_wrong(client: TestClient) -> None:
    first = create(client, 1)
    assert_problem(client.get("/v1/articles/999"), 404, "article_id")
    assert assert_problem(client.get("/v1/entities/999"), 404)["errors"][0]["in"] == "path"
    assert_problem(client.get("/v1/events/999"), 404, "event_id")
    assert_problem(client.get("/v1/no-such-thing"), 404, "path")
    assert_problem(client.post("/v1/articles", json=article_payload(1)), 409, "url")
    clash = client.patch(f"/v1/articles/{create(client, 2)['id']}", json={"url": first["url"]})
    assert_problem(clash, 409, "url")
    assert_problem(
        client.post("/v1/articles", content=b"x", headers={"content-type": "image/png"}),
        415,
        "Content-Type",
    )
    assert_problem(client.put("/v1/articles"), 405, "method")
    anonymous = TestClient(client.app)
    assert_problem(anonymous.post("/v1/articles", json=article_payload(3)), 401, "Authorization")
    keyed = anonymous.post("/v1/articles", json=article_payload(3), headers={"X-API-Key": "nope"})
    assert_problem(keyed, 401, "X-API-Key")


def test_body_limit_problem_names_the_body(app: FastAPI) -> None:
    from app.config import Settings
    from app.main import create_app

    small = create_app(
        Settings(database_url=app.state.settings.database_url, max_body_bytes=1024),
        engine=app.state.engine,
    )
    small.state.session_factory = app.state.session_factory
    with TestClient(small) as limited:
        answer = limited.post(
            "/v1/extract", content=b"x" * 5000, headers={"content-type": "text/plain"}
        )
    assert_problem(answer, 413, "body")


def test_path_parameter_errors_say_path(client: TestClient) -> None:
    for url, field in (
        ("/v1/countries/Atlantis", "code"),
        ("/v1/dyads/AZE", "pair"),
        ("/v1/dyads/AZE-Atlantis", "pair"),
        ("/v1/articles/0", "article_id"),
        ("/v1/entities/x", "entity_id"),
    ):
        body = client.get(url).json()
        assert [(e["field"], e["in"]) for e in body["errors"]] == [(field, "path")], url
