"""Copies: recognised at ingest (exact text, or near: MinHash over shingles), the earliest
canonical and every other pointing at it through arrivals, updates and deletions; urls
compared normalised; copies hidden from lists and searches unless asked for."""

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.copies_corpus import copy_of, samples
from tests.helpers import assert_problem


def _post(client: TestClient, payload: dict[str, Any], **params: Any) -> dict[str, Any]:
    response = client.post("/v1/articles", json=payload, params=params)
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


def _bulk(client: TestClient, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = client.post(
        "/v1/articles/bulk",
        content="\n".join(json.dumps(p) for p in payloads),
        headers={"content-type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    assert all(r["status"] == "created" for r in results), results
    return results


def _pointers(client: TestClient) -> dict[int, int | None]:
    items = client.get("/v1/articles", params={"duplicates": "include", "limit": 100}).json()
    return {a["id"]: a["duplicate_of"] for a in items["items"]}


def _changed_articles(client: TestClient, since: str | None) -> tuple[list[tuple[int, str]], str]:
    params = {"limit": 100, **({"since": since} if since else {})}
    body = client.get("/v1/changes", params=params).json()
    seen = [(c["object_id"], c["action"]) for c in body["items"] if c["kind"] == "article"]
    return seen, body["next_cursor"]


def _original(n: int, **changes: Any) -> dict[str, Any]:
    sample = samples()[n]
    return {"url": sample["url"], "text": sample["text"], "events": [], **changes}


def test_corpus_every_copy_found_and_no_distinct_article_merged(client: TestClient) -> None:
    """Each sample and a syndicated copy of it (another headline, boilerplate, light edits),
    stored in bulk and one at a time, copies before or after their originals."""
    corpus = samples()
    originals = [_original(i) for i in range(len(corpus))]
    copies = [{**copy_of(s, i), "events": [], "entities": None} for i, s in enumerate(corpus)]
    half = len(corpus) // 2
    first = _bulk(client, copies[:half])  # copies first: their originals come later
    stored = _bulk(client, originals)
    rest = [_post(client, c)["id"] for c in copies[half:]]
    copy_ids = [r["article_id"] for r in first] + rest
    original_ids = [r["article_id"] for r in stored]
    pointers = _pointers(client)
    roots = [pointers[i] or i for i in original_ids]
    assert len(set(roots)) == len(corpus), "distinct samples merged"
    listed = client.get("/v1/articles", params={"duplicates": "include", "limit": 100}).json()
    published = {a["id"]: a["published_at"] for a in listed["items"]}
    for original, copy, root in zip(original_ids, copy_ids, roots, strict=True):
        assert (pointers[copy] or copy) == root, f"copy {copy} of {original} not found"
        # the earliest published is canonical (the first stored on a tie), the other points at it
        first, second = sorted(
            (original, copy), key=lambda i: (published[i] is None, published[i] or "", i)
        )
        assert pointers[first] is None and pointers[second] == first
    shown = client.get("/v1/articles", params={"limit": 100}).json()["items"]
    assert sorted(a["id"] for a in shown) == sorted(roots)


def test_an_earlier_copy_arriving_later_becomes_canonical(client: TestClient) -> None:
    sample = samples()[0]
    a = _post(client, _original(0, published_at="2024-03-12"))
    b = _post(client, {**copy_of(sample, 1), "published_at": "2024-03-13", "events": []})
    assert b["duplicate_of"] == a["id"]
    _seen, cursor = _changed_articles(client, None)
    c = _post(client, {**copy_of(sample, 3), "published_at": "2024-03-01", "events": []})
    assert c["duplicate_of"] is None
    assert _pointers(client) == {a["id"]: c["id"], b["id"]: c["id"], c["id"]: None}
    seen, _cursor = _changed_articles(client, cursor)
    # one row per article in that transaction: the new one, and each re-pointed once
    assert sorted(seen) == sorted(
        [(c["id"], "created"), (a["id"], "updated"), (b["id"], "updated")]
    )


def test_deleting_the_canonical_promotes_the_next_earliest(client: TestClient) -> None:
    sample = samples()[3]
    a = _post(client, _original(3, published_at="2024-03-01"))
    b = _post(client, {**copy_of(sample, 1), "published_at": "2024-03-03", "events": []})
    c = _post(client, {**copy_of(sample, 3), "published_at": "2024-03-02", "events": []})
    assert _pointers(client) == {a["id"]: None, b["id"]: a["id"], c["id"]: a["id"]}
    _seen, cursor = _changed_articles(client, None)
    assert client.delete(f"/v1/articles/{a['id']}").status_code == 204
    assert _pointers(client) == {b["id"]: c["id"], c["id"]: None}
    seen, _cursor = _changed_articles(client, cursor)
    assert sorted(seen) == sorted(
        [(a["id"], "deleted"), (b["id"], "updated"), (c["id"], "updated")]
    )
    # deleting a copy leaves the others as they are
    assert client.delete(f"/v1/articles/{b['id']}").status_code == 204
    assert _pointers(client) == {c["id"]: None}


def test_an_update_makes_an_article_no_longer_or_newly_a_copy(client: TestClient) -> None:
    corpus = samples()
    a = _post(client, _original(4))
    b = _post(client, {**copy_of(corpus[4], 1), "events": []})
    d = _post(client, _original(5))
    assert b["duplicate_of"] == a["id"] and d["duplicate_of"] is None
    # b's page replaced by another text: no longer a copy
    other = {"url": b["url"], "text": corpus[6]["text"], "events": []}
    assert _post(client, other, on_duplicate="update")["duplicate_of"] is None
    # d's page replaced by a copy of a: now one
    again = {"url": d["url"], "text": copy_of(corpus[4], 4)["text"], "events": []}
    assert _post(client, again, on_duplicate="update")["duplicate_of"] == a["id"]
    # the canonical replaced by another text: the copy left becomes canonical
    replaced = {"url": a["url"], "text": corpus[8]["text"], "events": []}
    assert _post(client, replaced, on_duplicate="update")["duplicate_of"] is None
    assert _pointers(client) == {a["id"]: None, b["id"]: None, d["id"]: None}


def test_an_earlier_publication_date_makes_a_copy_canonical(client: TestClient) -> None:
    a = _post(client, _original(9, published_at="2024-05-02"))
    b = _post(client, {**copy_of(samples()[9], 1), "published_at": "2024-05-03", "events": []})
    assert b["duplicate_of"] == a["id"]
    patched = client.patch(f"/v1/articles/{b['id']}", json={"published_at": "2024-05-01"})
    assert patched.status_code == 200, patched.text
    assert _pointers(client) == {a["id"]: b["id"], b["id"]: None}


def test_urls_are_compared_normalised(client: TestClient) -> None:
    a = _post(client, {"url": "https://news.example/a/story", "text": samples()[0]["text"]})
    for spelling in (
        "HTTPS://News.Example:443/a/story/",
        "https://news.example/a/story?utm_source=x&utm_medium=rss#top",
        "https://news.example/a/story/?fbclid=abc",
    ):
        answer = client.post("/v1/articles", json={"url": spelling, "body": "Other text."})
        assert_problem(answer, 409, "url")
        assert answer.headers["Location"] == f"/v1/articles/{a['id']}"
    skipped = client.post(
        "/v1/articles",
        json={"url": "https://NEWS.example/a/story/", "body": "Other text."},
        params={"on_duplicate": "skip"},
    )
    assert skipped.status_code == 200 and skipped.json()["id"] == a["id"]
    # another query parameter names another page
    other = client.post(
        "/v1/articles", json={"url": "https://news.example/a/story?id=2", "body": "x y"}
    )
    assert other.status_code == 201
    clash = client.patch(
        f"/v1/articles/{other.json()['id']}", json={"url": "https://news.example/a/story/"}
    )
    assert_problem(clash, 409, "url")


def test_a_raw_page_posted_twice_without_url_is_a_duplicate(client: TestClient) -> None:
    page = samples()[1]["text"]
    headers = {"content-type": "text/plain"}
    first = client.post("/v1/articles", content=page, headers=headers)
    assert first.status_code == 201, first.text
    again = client.post("/v1/articles", content=page, headers=headers)
    assert_problem(again, 409, "text")
    assert again.headers["Location"] == f"/v1/articles/{first.json()['id']}"
    skipped = client.post(
        "/v1/articles", content=page, headers=headers, params={"on_duplicate": "skip"}
    )
    assert skipped.status_code == 200 and skipped.json()["id"] == first.json()["id"]
    updated = client.post(
        "/v1/articles", content=page, headers=headers, params={"on_duplicate": "update"}
    )
    assert updated.status_code == 200 and updated.json()["id"] == first.json()["id"]
    # in bulk too, within one request and against the stored one
    line = json.dumps({"text": page})
    body = client.post(
        "/v1/articles/bulk",
        content=f"{line}\n{json.dumps({'text': samples()[2]['text']})}\n"
        + json.dumps({"text": samples()[2]["text"]}),
        headers={"content-type": "application/x-ndjson"},
    ).json()
    assert [r["status"] for r in body["results"]] == ["duplicate", "created", "duplicate"]
    assert body["results"][0]["duplicate_of"] == first.json()["id"]
    assert len(_pointers(client)) == 2


def test_an_idempotency_key_stores_once_and_answers_the_same(client: TestClient) -> None:
    payload = _original(10)
    key = {"Idempotency-Key": "c0ffee-1"}
    first = client.post("/v1/articles", json=payload, headers=key)
    assert first.status_code == 201, first.text
    retried = client.post("/v1/articles", json=payload, headers=key)
    assert retried.status_code == 201
    assert retried.content == first.content
    assert retried.headers["Location"] == first.headers["Location"]
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert len(_pointers(client)) == 1
    other = client.post("/v1/articles", json=_original(11), headers=key)
    assert_problem(other, 422, "Idempotency-Key")
    assert len(_pointers(client)) == 1
    # without the key, the same request is a url duplicate, as ever
    assert_problem(client.post("/v1/articles", json=payload), 409, "url")
    # bulk: the same
    lines = json.dumps(_original(12))
    bulk_key = {"Idempotency-Key": "bulk-1", "content-type": "application/x-ndjson"}
    once = client.post("/v1/articles/bulk", content=lines, headers=bulk_key)
    twice = client.post("/v1/articles/bulk", content=lines, headers=bulk_key)
    assert once.status_code == twice.status_code == 200
    assert twice.content == once.content and once.json()["created"] == 1
    assert len(_pointers(client)) == 2
    changed = client.post("/v1/articles/bulk", content=lines + "\n", headers=bulk_key)
    assert_problem(changed, 422, "Idempotency-Key")
    too_long = client.post("/v1/articles", json=payload, headers={"Idempotency-Key": "k" * 300})
    assert_problem(too_long, 422, "Idempotency-Key")


def test_lists_searches_and_facets_hide_copies_unless_asked(client: TestClient) -> None:
    sample = samples()[0]
    a = _post(client, _original(0))
    b = _post(client, {**copy_of(sample, 1), "events": []})
    assert b["duplicate_of"] == a["id"]
    _post(client, _original(6))

    def ids(path: str, **params: Any) -> list[int]:
        answer = client.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return sorted(item["id"] for item in answer.json()["items"])

    assert ids("/v1/articles") == sorted([a["id"], a["id"] + 2])
    assert b["id"] in ids("/v1/articles", duplicates="include")
    for mode in ("simple", "raw"):  # the top-k index (SQLite) or PostgreSQL; FTS5 or tsquery
        found = client.get("/v1/search", params={"q": "Aliyarov", "mode": mode, "facets": "source"})
        assert found.status_code == 200, found.text
        assert [h["id"] for h in found.json()["items"]] == [a["id"]], mode
        assert found.json()["total"] == 1
        counted = sum(v["count"] for v in found.json()["facets"]["source"]["values"])
        assert counted == 1
        every = client.get(
            "/v1/search", params={"q": "Aliyarov", "mode": mode, "duplicates": "include"}
        ).json()
        assert sorted(h["id"] for h in every["items"]) == [a["id"], b["id"]], mode
    # the index follows duplicate_of: the canonical deleted, the copy is shown
    client.delete(f"/v1/articles/{a['id']}")
    assert [
        h["id"] for h in client.get("/v1/search", params={"q": "Aliyarov"}).json()["items"]
    ] == [b["id"]]
    assert_problem(client.get("/v1/articles", params={"duplicates": "some"}), 422, "duplicates")
    assert_problem(
        client.get("/v1/search", params={"q": "x", "duplicates": "no"}), 422, "duplicates"
    )


def test_one_change_row_per_object_per_transaction(client: TestClient) -> None:
    """A page the extractor reads flushes many times; the feed has one row for the article."""
    stored = _post(client, {"url": "https://x.example/1", "text": samples()[0]["text"]})
    body = client.get("/v1/changes", params={"limit": 100}).json()
    rows = [(c["kind"], c["object_id"]) for c in body["items"]]
    assert rows.count(("article", stored["id"])) == 1
    assert len(rows) == len(set(rows))
    assert ("article", stored["id"], "created") in [
        (c["kind"], c["object_id"], c["action"]) for c in body["items"]
    ]
