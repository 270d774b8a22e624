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


def dyad_codes(value: str | None, *, field: str = "dyad") -> tuple[str, str] | None:
    """'AZE-TUR' (codes or names, either order) as two alpha-3 codes; one state twice is a 400."""
    if value is None:
        return None
    parts = [p for p in value.replace("–", "-").split("-") if p.strip()]
    if len(parts) != 2:
        raise InvalidParameter(field, "must be two states joined by '-', as in AZE-TUR")
    codes = country_codes(parts, field=field)
    if len(codes) != 2:
        raise InvalidParameter(field, "must name two different states")
    return codes[0], codes[1]
