"""`defcoop extract` (pages to JSON Lines, no database) and `defcoop reextract` (stored articles)."""

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from sqlalchemy.orm import Session, sessionmaker

from app.cli.common import open_factory, progress, say
from app.config import Settings, get_settings
from app.db.session import session_scope

if TYPE_CHECKING:
    from app.extraction.base import Document
    from app.ingest.page import ParsedPage


def read_row(row: dict[str, Any]) -> tuple["ParsedPage", "Document"]:
    """A JSON Lines row (text, body or html; url; language) as a read page and the document
    extraction gets from it: what `defcoop extract` runs on, for tools that must match it."""
    from app.ingest.reader import read_content
    from app.services.extraction import make_document
    from app.services.ingest import partial_moment

    page = read_content(
        text=row.get("text"),
        body=row.get("body"),
        html=row.get("html"),
        url=row.get("url"),
        language=row.get("language") or row.get("lang"),
    )
    published_at, precision = partial_moment(page.published)
    document = make_document(
        body=page.body,
        published_at=published_at,
        precision=precision,
        language=page.language,
        title=page.title,
    )
    return page, document


def _extracted(row: dict[str, Any], number: int, settings: Settings) -> dict[str, Any]:
    """One page's metadata and findings, as ../shared/eval/score.py reads them."""
    from app.extraction import extract
    from app.extraction.scorer_json import as_json

    page, document = read_row(row)
    result = extract(
        document, budget_s=settings.extraction_budget_s, spacy_model=settings.spacy_model
    )
    return {
        "id": row.get("id", number),
        "url": row.get("url"),
        "published_at": page.published.iso() if page.published else None,
        "title": None if page.title_is_derived else page.title,
        # the guideline's author is "the byline's person or agency" (page.byline);
        # the wire alone is "agency"
        "author": page.byline,
        "agency": page.agency,
        "lang": page.language,
        "extractor_version": result.version,
        "skipped": result.skipped,
        **as_json(result),
    }


def extract_command(
    input: Annotated[
        Path, typer.Option("--input", exists=True, dir_okay=False, help="JSON Lines: id, url, text")
    ],
    output: Annotated[
        Path, typer.Option("--output", help="JSON Lines for ../shared/eval/score.py")
    ],
) -> None:
    """Extract metadata, entities and events from pages, without a database."""
    settings = get_settings()
    text = input.read_text(encoding="utf-8")
    lines = [line for line in text.split("\n") if line.strip()]  # as iter_jsonl splits them
    written = 0
    with output.open("w", encoding="utf-8") as sink, progress("extracting") as bar:
        task = bar.add_task("extract", total=len(lines))
        for number, line in enumerate(lines, 1):
            bar.advance(task)
            try:
                record = _extracted(json.loads(line), number, settings)
            except (ValueError, TypeError, AttributeError) as error:
                say(f"{input}:{number}: skipped: {error}")
                continue
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    say(f"summary: {written} of {len(lines)} lines extracted to {output}")


def reextract(
    all_articles: Annotated[
        bool, typer.Option("--all", help="Every article (not hand-coded ones)")
    ] = False,
    stale: Annotated[
        bool, typer.Option("--stale", help="Articles extracted by an older version")
    ] = False,
    article: Annotated[int | None, typer.Option("--article", help="One article, by id")] = None,
) -> None:
    """Run the extractor again on stored articles, after it has improved."""
    from app.extraction import pipeline_version
    from app.services.extraction import articles_to_reextract

    if not (all_articles or stale or article):
        raise typer.BadParameter("give --all, --stale or --article ID")
    settings = get_settings()
    version = pipeline_version(spacy_model=settings.spacy_model)
    with open_factory(settings) as factory:
        with session_scope(factory) as session:
            ids = articles_to_reextract(
                session, everything=all_articles, stale=stale, article_id=article, version=version
            )
        if article is not None and not ids:
            say(f"no article with id {article}")
            raise typer.Exit(1)
        counts = _reextract_each(factory, ids, settings)
    parts = ", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing to do"
    say(f"summary: {parts} (extractor {version})")


def _reextract_each(
    factory: sessionmaker[Session], ids: list[int], settings: Settings
) -> Counter[str]:
    """Re-extract each article in its own transaction; the counts of what was found."""
    from app.services.article import get_article
    from app.services.extraction import extract_article

    counts: Counter[str] = Counter()
    with progress("re-extracting") as bar:
        task = bar.add_task("reextract", total=len(ids))
        for article_id in ids:
            with session_scope(factory) as session:
                outcome = extract_article(
                    session,
                    article=get_article(session, article_id=article_id),
                    budget_s=settings.extraction_budget_s,
                    spacy_model=settings.spacy_model,
                )
            counts["articles"] += 1
            counts["entities"] += outcome.entities
            counts["events"] += outcome.events
            if outcome.skipped:
                counts["skipped"] += 1
                say(f"article {article_id}: {outcome.skipped}")
            bar.advance(task)
    return counts
