"""Query values shared by several lists, checked against what the database can hold."""

from app import countries
from app.errors import InvalidParameter


def country_codes(values: list[str] | None, *, field: str = "country") -> tuple[str, ...]:
    """Alpha-3 codes of the countries named (codes or names); unknown ones are a 400."""
    codes: list[str] = []
    for value in values or []:
        found = countries.lookup(value)
        if found is None:
            raise InvalidParameter(field, f"unknown country {value!r}")
        codes.append(found.code)
    return tuple(dict.fromkeys(codes))
