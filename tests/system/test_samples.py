"""The bundled sample data: written for this project, in both formats, covering the taxonomy."""

import json
from pathlib import Path

from app.cli import sample_path
from app.taxonomy import EventType


def _rows() -> list[dict]:
    return [json.loads(line) for line in sample_path().read_text(encoding="utf-8").splitlines()]


def test_samples_cover_pairs_and_every_event_type() -> None:
    rows = _rows()
    assert len(rows) >= 20
    types = {event["type"] for row in rows for event in row["events"]}
    assert types == {t.value for t in EventType}
    pairs = {
        tuple(sorted(event["countries"][:2]))
        for row in rows
        for event in row["events"]
        if len(event["countries"]) >= 2
    }
    assert len(pairs) >= 8


def test_raw_pages_are_the_same_articles_as_the_jsonl() -> None:
    pages = sorted((Path(sample_path()).parent / "pages").glob("*.txt"))
    texts = [row["text"] for row in _rows()]
    assert len(pages) == len(texts)
    for page, text in zip(pages, texts, strict=True):
        assert page.read_text(encoding="utf-8") == text + "\n", page.name


def test_samples_load_through_the_api(client) -> None:
    content = sample_path().read_text(encoding="utf-8")
    body = client.post("/v1/articles/bulk", content=content).json()
    assert body["rejected"] == 0, body
    assert body["created"] == len(_rows())
    events = client.get("/v1/events", params={"country": ["AZE", "TUR"], "limit": 100}).json()[
        "items"
    ]
    assert {"visit", "exercise", "agreement", "military_aid"} <= {e["type"] for e in events}
    french = client.get("/v1/articles", params={"lang": "fr"}).json()["items"]
    assert len(french) == 1
    # every stated evidence sentence is found in the stored body, at the offsets given
    bodies: dict[int, str] = {}
    page = client.get("/v1/events", params={"limit": 100}).json()
    events = page["items"]
    assert events and page["next_cursor"] is None  # all of them, on one page
    for event in events:
        evidence = event["evidence"]
        assert evidence["start"] is not None, evidence["text"]
        article_id = event["article_id"]
        if article_id not in bodies:
            bodies[article_id] = client.get(f"/v1/articles/{article_id}").json()["body"]
        assert bodies[article_id][evidence["start"] : evidence["end"]] == evidence["text"], event
    # the curated roles give each direction of a pair its own events (README's directed example)
    visits = client.get("/v1/dyads/Poland-South Korea", params={"directed": "true"}).json()
    sales = client.get("/v1/dyads/KOR-POL", params={"directed": "true"}).json()
    assert visits["counts"]["by_type"] == {"visit": 1}
    assert [e["type"] for e in visits["recent_events"]["items"]] == ["visit"]
    assert sales["counts"]["by_type"] == {"arms_transfer": 1}
    assert [e["type"] for e in sales["recent_events"]["items"]] == ["arms_transfer"]
