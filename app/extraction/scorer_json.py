"""Extraction results in the JSON shapes of ../shared/eval/score.py (and of `defcoop extract`)."""

from typing import Any

from app.extraction.base import Extraction


def as_json(result: Extraction) -> dict[str, Any]:
    return {
        "entities": [
            {
                "kind": e.kind,
                "name": e.name,
                **({"code": e.code} if e.code else {}),
                **({"country": e.country} if e.country else {}),
                **({"title": e.title} if e.title else {}),
                "aliases": e.aliases,
                "mentions": len(e.mentions),
            }
            for e in result.entities
        ],
        "events": [
            {
                "type": ev.type,
                "date": ev.date.iso() if ev.date else None,
                "date_end": ev.date_end.iso() if ev.date_end else None,
                "countries": ev.countries,
                "persons": ev.persons,
                "evidence": ev.evidence.text,
                "status": ev.status,
                **({"name": ev.name} if ev.name else {}),
            }
            for ev in result.events
        ],
    }
