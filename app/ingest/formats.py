"""Which format a file or request body is in, and how to split it into records."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Format(StrEnum):
    auto = "auto"
    page = "page"
    json = "json"
    jsonl = "jsonl"
    html = "html"


_BY_SUFFIX = {
    ".jsonl": Format.jsonl,
    ".ndjson": Format.jsonl,
    ".json": Format.json,
    ".html": Format.html,
    ".htm": Format.html,
    ".txt": Format.page,
}


@dataclass(frozen=True)
class Record:
    """One article to ingest: a parsed JSON object, or the text of a page (with `format`)."""

    line: int
    data: dict[str, Any] | None = None
    content: str | None = None
    format: Format | None = None
    error: str | None = None


def sniff(text: str, *, suffix: str = "") -> Format:
    """Guess a format from a file suffix, then from the content itself."""
    if suffix.lower() in _BY_SUFFIX:
        return _BY_SUFFIX[suffix.lower()]
    head = text.lstrip()[:2000].lower()
    if head.startswith(("{", "[")):
        try:
            json.loads(text)
            return Format.json
        except ValueError:
            return Format.jsonl
    if head.startswith(("<!doctype html", "<html")) or "<body" in head or "<p>" in head:
        return Format.html
    return Format.page


_BLANK = " \t\r"  # JSON's whitespace (a line holds no "\n")


def jsonl_record(number: int, line: str) -> Record | None:
    """The record of line `number` of JSON Lines, None for a blank line. A "\r" left at its
    end is JSON whitespace; a UTF-8 byte order mark before the first line is dropped."""
    if number == 1:
        line = line.removeprefix("\ufeff")
    if not line.strip(_BLANK):
        return None
    try:
        value = json.loads(line)
    except ValueError as error:
        return Record(line=number, error=f"not JSON: {error}")
    except RecursionError:
        return Record(line=number, error="not JSON: nested too deeply")
    if not isinstance(value, dict):
        return Record(line=number, error="a line must be a JSON object")
    return Record(line=number, data=value)


def iter_jsonl(text: str) -> Iterator[Record]:
    """One record per non-blank line; a bad line is reported, not fatal.

    Lines end at "\n" (or "\r\n") only: U+2028, U+2029 and U+0085 may stand unescaped inside
    a JSON string, so str.splitlines(), which breaks at them too, would cut a line in two."""
    for number, line in enumerate(text.split("\n"), 1):
        record = jsonl_record(number, line)
        if record is not None:
            yield record


def records(text: str, fmt: Format, *, suffix: str = "") -> Iterator[Record]:
    """Split a document in `fmt` (or a sniffed one) into records."""
    if fmt is Format.auto:
        fmt = sniff(text, suffix=suffix)
    if fmt is Format.jsonl:
        yield from iter_jsonl(text)
    elif fmt is Format.json:
        try:
            value = json.loads(text)
        except ValueError as error:
            yield Record(line=1, error=f"not JSON: {error}")
            return
        except RecursionError:
            yield Record(line=1, error="not JSON: nested too deeply")
            return
        items = value if isinstance(value, list) else [value]
        for number, item in enumerate(items, 1):
            if isinstance(item, dict):
                yield Record(line=number, data=item)
            else:
                yield Record(line=number, error="each item must be a JSON object")
    else:
        yield Record(line=1, content=text, format=fmt)
