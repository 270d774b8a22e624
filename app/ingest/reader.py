"""One entry point for every kind of content: raw page, clean body or HTML."""

import re

from app.ingest.html import parse_html
from app.ingest.page import ParsedPage, parse_page
from app.ingest.source import source_from_url
from app.kit.language import detect_language
from app.kit.text import normalize_body


def read_content(
    *,
    text: str | None = None,
    body: str | None = None,
    html: str | None = None,
    url: str | None = None,
    language: str | None = None,
) -> ParsedPage:
    """Parse whichever content was given into a ParsedPage (a given language is not detected again)."""
    if html is not None:
        return parse_html(html, url=url, language=language)
    if text is not None:
        return parse_page(text, url=url, language=language)
    clean = normalize_body(body or "")
    name, domain = source_from_url(url)
    first = re.split(r"(?<=[.!?])\s", clean, maxsplit=1)[0].split()
    return ParsedPage(
        title=" ".join(first[:14]) + ("…" if len(first) > 14 else "") if first else None,
        title_is_derived=bool(first),
        author=None,
        agency=None,
        published=None,
        source_name=name,
        source_domain=domain,
        language=detect_language(clean, declared=language),
        body=clean,
    )
