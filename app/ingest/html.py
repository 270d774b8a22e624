"""HTML pages through trafilatura, a maintained main-text extractor."""

import re
from dataclasses import replace

import trafilatura

from app.ingest.page import ParsedPage, parse_page
from app.kit.dates import parse_partial_iso
from app.kit.language import declared_language, detect_language
from app.kit.text import fold, normalize_body

# <html lang="en-GB">, <meta http-equiv="content-language" content="en">: the page's own word
_HTML_LANG = re.compile(
    r"<html\b[^>]*?\blang\s*=\s*[\"']?\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)", re.I
)
_META_LANG = re.compile(
    r"<meta\b[^>]*?http-equiv\s*=\s*[\"']?content-language[\"']?[^>]*?\bcontent\s*=\s*[\"']?\s*"
    r"([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)",
    re.I,
)


def html_language(html: str) -> str | None:
    """The language the page declares in its head, if it does (read from its first 20,000
    characters: the head, not the body, where quoted markup may say anything)."""
    head = html[:20_000]
    for pattern in (_HTML_LANG, _META_LANG):
        match = pattern.search(head)
        declared = declared_language(match.group(1)) if match else None
        if declared:
            return declared
    return None


def _site_name(doc: object) -> str | None:
    """The outlet the page names (og:site_name and the like). trafilatura falls back to the
    url's host, which is no name: the url's domain is the fallback, and the page reader's."""
    name = str(getattr(doc, "sitename", None) or "").strip()
    host = str(getattr(doc, "hostname", None) or "")
    if not name or name.lower().removeprefix("www.") == host.lower().removeprefix("www."):
        return None
    return name


def parse_html(html: str, *, url: str | None = None, language: str | None = None) -> ParsedPage:
    """Main text and metadata of an HTML page; falls back to the page rules for what it lacks."""
    language = declared_language(language) or html_language(html)
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_recall=True)
    text = normalize_body(getattr(doc, "text", None) or "") if doc is not None else ""
    if not text:
        page = parse_page(trafilatura.html2txt(html) or "", url=url, language=language)
        return replace(page, title_is_derived=True)
    title = getattr(doc, "title", None)
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    if title and paragraphs and fold(paragraphs[0]) == fold(title):
        paragraphs = paragraphs[1:]
    body = "\n\n".join(paragraphs)
    detected = detect_language(((title or "") + "\n" + body).strip(), declared=language)
    fallback = parse_page(body, url=url, language=detected)  # detected once, not again there
    raw_date = getattr(doc, "date", None)
    published = parse_partial_iso(raw_date) if raw_date else None
    return ParsedPage(
        title=title or fallback.title,
        title_is_derived=not title and fallback.title_is_derived,
        author=getattr(doc, "author", None) or fallback.author,  # as the page declares it
        agency=fallback.agency,
        published=published or fallback.published,
        source_name=_site_name(doc) or fallback.source_name,
        source_domain=fallback.source_domain,
        language=detected,
        body=body,
    )
