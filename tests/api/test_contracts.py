"""Whole-body contracts (STYLE.md rule 10): GET /v1/articles/{id} and GET /v1/events/{id} answer
with exactly these keys, each of its JSON type, and for a known article exactly these values;
a field added, dropped or retyped fails here and in the OpenAPI document alike."""

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import create

NULL, BOOL, INT, NUMBER, STR, LIST, OBJECT = (
    "null",
    "boolean",
    "integer",
    "number",
    "string",
    "array",
    "object",
)
UTC_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def json_type(value: Any) -> str:
    """The JSON Schema type name of a decoded JSON value."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    return {float: NUMBER, str: STR, list: LIST, dict: OBJECT}[type(value)]


def assert_shape(body: dict[str, Any], types: dict[str, set[str]], where: str) -> None:
    """Exactly the keys of `types`, each value of one of its JSON types."""
    assert sorted(body) == sorted(types), where
    wrong = {k: json_type(v) for k, v in body.items() if json_type(v) not in types[k]}
    assert wrong == {}, where


SOURCE = {"id": {INT}, "name": {STR}, "domain": {STR, NULL}}
ENTITY_REF = {"id": {INT}, "kind": {STR}, "name": {STR}, "code": {STR, NULL}}
MENTION = {"id": {INT}, "entity": {OBJECT}, "start": {INT}, "end": {INT}, "surface": {STR},
           "sentence_index": {INT, NULL}}  # fmt: skip
EVIDENCE = {"text": {STR}, "start": {INT, NULL}, "end": {INT, NULL}}
PARTICIPANT = {"entity": {OBJECT}, "role": {STR}}
EVENT = {
    "id": {INT}, "article_id": {INT}, "type": {STR}, "cameo_code": {STR, NULL},
    "date": {STR, NULL}, "date_start": {STR, NULL}, "date_end": {STR, NULL},
    "date_precision": {STR, NULL}, "date_text": {STR, NULL}, "status": {STR},
    "name": {STR, NULL}, "location": {OBJECT, NULL}, "evidence": {OBJECT, NULL},
    "confidence": {NUMBER, INT, NULL}, "countries": {LIST}, "participants": {LIST},
    "happening_id": {INT, NULL}, "happening_role": {STR, NULL},
}  # fmt: skip
ARTICLE = {
    "id": {INT}, "url": {STR, NULL}, "title": {STR, NULL}, "title_is_derived": {BOOL},
    "author": {STR, NULL}, "agency": {STR, NULL}, "source": {OBJECT, NULL},
    "published_at": {STR, NULL}, "published_precision": {STR, NULL}, "language": {STR, NULL},
    "word_count": {INT}, "duplicate_of": {INT, NULL}, "happenings": {LIST},
    "extractor_version": {STR, NULL},
    "extraction_note": {STR, NULL}, "created_at": {STR}, "updated_at": {STR}, "body": {STR},
    "content_hash": {STR}, "raw": {STR, NULL}, "mentions": {LIST, NULL}, "events": {LIST, NULL},
}  # fmt: skip


def _assert_event(event: dict[str, Any]) -> None:
    assert_shape(event, EVENT, "event")
    for nested, types in (("location", ENTITY_REF), ("evidence", EVIDENCE)):
        if event[nested] is not None:
            assert_shape(event[nested], types, nested)
    assert all(json_type(code) == STR for code in event["countries"])
    for participant in event["participants"]:
        assert_shape(participant, PARTICIPANT, "participant")
        assert_shape(participant["entity"], ENTITY_REF, "participant.entity")


def test_an_article_is_exactly_its_contract(client: TestClient) -> None:
    created = create(client)
    body = client.get(f"/v1/articles/{created['id']}").json()
    assert_shape(body, ARTICLE, "article")
    assert_shape(body["source"], SOURCE, "source")
    assert UTC_MOMENT.match(body["created_at"]) and UTC_MOMENT.match(body["updated_at"])
    assert body["updated_at"] >= body["created_at"]
    assert re.fullmatch(r"[0-9a-f]{64}", body["content_hash"])
    text = (
        "Story 1. Azerbaijani Defence Minister Rauf Aliyarov met Turkish Defence Minister "
        "Selim Kaya in Baku on Monday. The two signed a memorandum on training."
    )
    assert body == {
        "id": created["id"],
        "url": "https://news.example/1",
        "title": "Defence talks number 1",
        "title_is_derived": False,
        "author": "Test Writer",
        "agency": None,
        "source": {"id": body["source"]["id"], "name": "Test Wire", "domain": "news.example"},
        "published_at": "2024-03-01T00:00:00Z",
        "published_precision": "day",
        "language": "en",
        "word_count": len(text.split()),
        "duplicate_of": None,
        # whatever linking made of its two events (tests/api/test_happenings.py sets its own)
        "happenings": sorted({e["happening_id"] for e in created["events"]} - {None}),
        "extractor_version": "curated",
        "extraction_note": None,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "body": text,
        "content_hash": created["content_hash"],
        "raw": None,
        "mentions": None,  # only with ?include=mentions
        "events": None,
    }


def test_an_article_with_its_mentions_and_events_keeps_the_contract(client: TestClient) -> None:
    created = create(client)
    body = client.get(f"/v1/articles/{created['id']}", params={"include": "mentions,events"}).json()
    assert_shape(body, ARTICLE, "article")
    assert len(body["mentions"]) == 4 and len(body["events"]) == 2
    for mention in body["mentions"]:
        assert_shape(mention, MENTION, "mention")
        assert_shape(mention["entity"], ENTITY_REF, "mention.entity")
        assert body["body"][mention["start"] : mention["end"]] == mention["surface"]
    for event in body["events"]:
        _assert_event(event)
    surfaces = [(m["surface"], m["entity"]["kind"], m["entity"]["name"]) for m in body["mentions"]]
    assert sorted(surfaces) == [
        ("Azerbaijani", "country", "Azerbaijan"),
        ("Baku", "location", "Baku"),
        ("Rauf Aliyarov", "person", "Rauf Aliyarov"),
        ("Turkish", "country", "Turkey"),
    ]


def test_an_event_is_exactly_its_contract(client: TestClient) -> None:
    created = create(client)
    events = {e["type"]: e for e in created["events"]}
    entities = {m["entity"]["name"]: m["entity"] for m in created["mentions"]}
    meeting = client.get(f"/v1/events/{events['meeting']['id']}").json()
    _assert_event(meeting)
    assert meeting == {
        "id": events["meeting"]["id"],
        "article_id": created["id"],
        "type": "meeting",
        "cameo_code": "040",
        "date": "2024-03-11",
        "date_start": "2024-03-11",
        "date_end": None,
        "date_precision": "day",
        "date_text": None,
        "status": "reported",
        "name": None,
        "location": entities["Baku"],
        "evidence": {
            "text": "Azerbaijani Defence Minister Rauf Aliyarov met Turkish Defence Minister",
            "start": 9,
            "end": 80,
        },
        "confidence": None,
        "countries": ["AZE", "TUR"],
        "participants": [
            {"entity": entities[name], "role": "participant"}
            for name in ("Azerbaijan", "Turkey", "Rauf Aliyarov")
        ],
        "happening_id": events["meeting"]["happening_id"],
        "happening_role": events["meeting"]["happening_role"],
    }
    agreement = client.get(f"/v1/events/{events['agreement']['id']}").json()
    _assert_event(agreement)
    assert (agreement["date"], agreement["date_start"], agreement["date_precision"]) == (
        "2024-03",
        "2024-03-01",
        "month",
    )
    assert agreement["location"] is None and agreement["evidence"] is None


def test_the_openapi_document_names_the_same_fields(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name, types in (
        ("ArticleRead", ARTICLE),
        ("EventRead", EVENT),
        ("SourceRead", SOURCE),
        ("EntityRef", ENTITY_REF),
        ("MentionRead", MENTION),
        ("EvidenceRead", EVIDENCE),
        ("ParticipantRead", PARTICIPANT),
    ):
        assert sorted(schemas[name]["properties"]) == sorted(types), name
