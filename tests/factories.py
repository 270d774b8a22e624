"""Plain functions that build request payloads and stored rows for tests."""

from typing import Any

from fastapi.testclient import TestClient

PAGE = """ date 2024-03-12 By Test Writer

Kazakh and Uzbek defence ministers meet in Astana

Kazakh Defence Minister Nurlan Ospanov met Uzbek Defence Minister Bakhtiyor Tursunov in Astana on Monday.

The two ministers signed a plan of military cooperation for 2024.

---

Follow us on Twitter @SteppeWireKz"""


def article_payload(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """A JSON article with curated entities and events; `n` makes url and body unique."""
    payload: dict[str, Any] = {
        "url": f"https://news.example/{n}",
        "title": f"Defence talks number {n}",
        "body": (
            f"Story {n}. Azerbaijani Defence Minister Rauf Aliyarov met Turkish Defence Minister "
            f"Selim Kaya in Baku on Monday. The two signed a memorandum on training."
        ),
        "published_at": f"2024-03-{n:02d}" if n <= 28 else "2024-03-28",
        "author": "Test Writer",
        "source": "Test Wire",
        "entities": [
            {"kind": "country", "code": "AZE"},
            {"kind": "country", "name": "Turkey"},
            {"kind": "person", "name": "Rauf Aliyarov", "aliases": ["Aliyarov"], "country": "AZE"},
            {"kind": "location", "name": "Baku"},
        ],
        "events": [
            {
                "type": "meeting",
                "date": "2024-03-11",
                "countries": ["AZE", "TUR"],
                "persons": ["Rauf Aliyarov"],
                "evidence": "Azerbaijani Defence Minister Rauf Aliyarov met Turkish Defence Minister",
                "location": "Baku",
            },
            {"type": "agreement", "date": "2024-03", "countries": ["AZE", "TUR"]},
        ],
    }
    payload.update(overrides)
    return payload


def create(client: TestClient, n: int = 1, **overrides: Any) -> dict[str, Any]:
    response = client.post("/v1/articles", json=article_payload(n, **overrides))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
