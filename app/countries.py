"""ISO 3166-1 countries from pycountry, with the short names and aliases people write."""

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pycountry

from app.kit.text import fold


@dataclass(frozen=True)
class Country:
    code: str  # alpha-3
    name: str
    alpha2: str


@cache
def _data() -> dict[str, dict[str, object]]:
    raw = resources.files("app").joinpath("data/countries.json").read_text(encoding="utf-8")
    data: dict[str, dict[str, object]] = json.loads(raw)
    return data


@cache
def _index() -> tuple[dict[str, Country], dict[str, Country]]:
    names: dict[str, str] = _data()["names"]  # type: ignore[assignment]
    aliases: dict[str, list[str]] = _data()["aliases"]  # type: ignore[assignment]
    by_code: dict[str, Country] = {}
    by_key: dict[str, Country] = {}
    for record in pycountry.countries:
        code = record.alpha_3
        name = names.get(code) or getattr(record, "common_name", None) or record.name
        country = Country(code=code, name=name, alpha2=record.alpha_2)
        by_code[code] = country
        spellings = [
            name,
            record.name,
            getattr(record, "official_name", None),
            getattr(record, "common_name", None),
            *aliases.get(code, []),
        ]
        for spelling in spellings:
            if spelling:
                by_key.setdefault(fold(spelling), country)
    return by_code, by_key


def get(code: str) -> Country | None:
    """The country of an alpha-3 code."""
    return _index()[0].get(code.upper())


def lookup(value: str) -> Country | None:
    """A country from an alpha-3 or alpha-2 code, or any of its names ('Türkiye', 'UK')."""
    value = value.strip()
    by_code, by_key = _index()
    if len(value) == 3 and value.isalpha() and value.upper() in by_code:
        return by_code[value.upper()]
    if len(value) == 2 and value.isalpha():
        record = pycountry.countries.get(alpha_2=value.upper())
        if record:
            return by_code[record.alpha_3]
    return by_key.get(fold(value))


def aliases() -> dict[str, list[str]]:
    """Extra names per alpha-3 code ("UK", "Türkiye"), from the data file."""
    found: dict[str, list[str]] = _data()["aliases"]  # type: ignore[assignment]
    return found
