"""Garbage in gets a clear 4xx or is stored safely; never a 500, on either database."""

import pytest
from fastapi.testclient import TestClient

from tests.factories import create
from tests.helpers import assert_problem


def test_nul_characters_are_dropped_from_bodies(client: TestClient) -> None:
    json_body = client.post(
        "/v1/articles",
        content=b'{"body": "Chile and Peru \\u0000signed a pact.", "title": "A\\u0000B"}',
        headers={"content-type": "application/json"},
    )
    assert json_body.status_code == 201, json_body.text
    assert json_body.json()["body"] == "Chile and Peru signed a pact."
    assert json_body.json()["title"] == "AB"
    page = client.post(
        "/v1/articles",
        content=b"Peru and Chile\x00 held talks.",
        headers={"content-type": "text/plain"},
    )
    assert page.status_code == 201 and "\x00" not in page.json()["body"]


@pytest.mark.parametrize(
    "params",
    [
        {"author": "\x00"},
        {"agency": "\x00"},
        {"source": "a\x00b"},
        {"country": "\x00"},
    ],
)
def test_nul_characters_in_queries_are_rejected(client: TestClient, params: dict) -> None:
    assert_problem(client.get("/v1/articles", params=params), 400)
    assert_problem(client.get("/v1/entities", params={"q": "\x00"}), 400)


def test_broken_json_escapes_are_malformed_json(client: TestClient) -> None:
    broken = client.post(
        "/v1/articles",
        content=b'{"body": "lone \\ud800 half"}',
        headers={"content-type": "application/json"},
    )
    assert_problem(broken, 400)


@pytest.mark.parametrize(
    "value",
    [
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "Robert'); DROP TABLE article;--",
        "<script>alert(1)</script>",
        "ü" * 90,
    ],
)
def test_sql_and_markup_in_filters_are_plain_values(client: TestClient, value: str) -> None:
    create(client, 1)
    for path, name in (
        ("/v1/articles", "author"),
        ("/v1/articles", "agency"),
        ("/v1/articles", "source"),
        ("/v1/entities", "q"),
    ):
        response = client.get(path, params={name: value})
        assert response.status_code == 200, response.text
        assert response.json()["items"] == []
    assert len(client.get("/v1/articles").json()["items"]) == 1


def test_markup_in_articles_is_stored_as_text(client: TestClient) -> None:
    body = create(client, 1, title="<script>alert('x')</script>", body="<b>Chile</b> & Peru met.")
    stored = client.get(f"/v1/articles/{body['id']}").json()
    assert stored["title"] == "<script>alert('x')</script>"
    assert stored["body"] == "<b>Chile</b> & Peru met."


def test_huge_and_odd_numbers(client: TestClient) -> None:
    for params in ({"limit": "1e3"}, {"limit": "NaN"}, {"entity": "-1"}, {"entity": str(2**64)}):
        assert_problem(client.get("/v1/articles", params=params), 422)
    assert_problem(client.get(f"/v1/articles/{2**64}"), 422)
    assert_problem(client.get(f"/v1/articles/{2**31}"), 422)  # past the INTEGER id column
    assert_problem(client.get("/v1/articles", params={"entity": 2**31}), 422)
    assert_problem(client.get("/v1/events/-5"), 422)


@pytest.mark.parametrize(
    "url",
    ["http://[", "http://[::1", "https://]", "http://%zz", "http://x.example/../../etc/passwd"],
)
def test_broken_urls_are_stored_or_refused_never_a_crash(client: TestClient, url: str) -> None:
    response = client.post("/v1/articles", json={"url": url, "body": "Chile and Peru held talks."})
    assert response.status_code in (201, 422), response.text
    page = client.post(
        "/v1/articles",
        params={"url": url},
        content=b"<p>Chile and Peru met.</p>",
        headers={"content-type": "text/html"},
    )
    assert page.status_code in (201, 409, 422), page.text


@pytest.mark.parametrize(
    "charset",
    ["undefined", "rot13", "base64_codec", "hex", "zlib", "unicode_escape", "punycode", "klingon"],
)
def test_a_charset_that_is_no_text_encoding_is_a_415(client: TestClient, charset: str) -> None:
    for path, kind in (("/v1/articles", "application/json"), ("/v1/extract", "text/plain")):
        answer = client.post(
            path,
            content=b'{"body": "Chile and Peru met."}',
            headers={"content-type": f"{kind}; charset={charset}"},
        )
        assert_problem(answer, 415, "Content-Type")
    patched = client.patch(
        f"/v1/articles/{create(client, 1)['id']}",
        content=b'{"title": "x"}',
        headers={"content-type": f"application/json; charset={charset}"},
    )
    assert_problem(patched, 415, "Content-Type")


def test_patch_takes_json_only(client: TestClient) -> None:
    article = create(client, 1)
    for headers in ({"content-type": "text/plain"}, {}):
        answer = client.patch(
            f"/v1/articles/{article['id']}", content=b'{"title": "x"}', headers=headers
        )
        assert_problem(answer, 415, "Content-Type")


@pytest.mark.parametrize(
    ("field", "payload"),
    [
        ("url", {"url": "https://a.example/nul\u00003", "body": "Chile and Peru met."}),
        ("source", {"source": "Wire\u0000", "body": "Chile and Peru met."}),
        ("author", {"author": "A\u0000B", "body": "Chile and Peru met."}),
        ("published_at", {"published_at": "2024\u0000-01-01", "body": "Chile and Peru met."}),
        (
            "entities.0.name",
            {"body": "Chile and Peru met.", "entities": [{"kind": "person", "name": "A\u0000"}]},
        ),
        (
            "events.0.countries",
            {
                "body": "Chile and Peru met.",
                "events": [{"type": "meeting", "countries": ["CHL\u0000"]}],
            },
        ),
    ],
)
def test_nul_in_an_identifier_is_refused_not_stripped(
    client: TestClient, field: str, payload: dict
) -> None:
    import json

    answer = client.post(
        "/v1/articles", content=json.dumps(payload), headers={"content-type": "application/json"}
    )
    assert_problem(answer, 422, field)
    assert client.get("/v1/articles").json()["items"] == []
    line = client.post(
        "/v1/articles/bulk",
        content=json.dumps(payload),
        headers={"content-type": "application/x-ndjson"},
    ).json()["results"][0]
    assert line["status"] == "rejected" and line["errors"][0]["field"] == field
