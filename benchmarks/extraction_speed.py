"""Extraction and ingest throughput on one core.

    python benchmarks/extraction_speed.py [--articles 2000] [--ingest 500]

Extraction: the eval pages (../shared/eval/articles.jsonl), read once, then extracted over and
over until --articles documents are done; prints articles/s and words/s. Ingest: the same pages
stored through the project's own ingest path (page reading, extraction, one transaction per
article) into a fresh SQLite file; prints articles/s.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from app import migrate
from app.db.session import make_engine, make_session_factory, session_scope
from app.extraction import PIPELINE_VERSION, extract
from app.extraction.base import Document
from app.extraction.lexicon import lexicon
from app.ingest.page import parse_page
from app.kit.text import word_count
from app.schemas.article import ArticleCreate
from app.services.ingest import OnDuplicate, create_article


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--eval", default=str(Path(__file__).resolve().parents[2] / "shared" / "eval")
    )
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--ingest", type=int, default=500)
    args = parser.parse_args()
    rows = [
        json.loads(line)
        for line in (Path(args.eval) / "articles.jsonl").read_text().splitlines()
        if line
    ]

    lexicon()  # load the gazetteers before timing: a one-off cost per process
    documents = []
    for row in rows:
        page = parse_page(row["text"], url=row.get("url"))
        published = (
            page.published.value
            if page.published and page.published.precision.value == "day"
            else None
        )
        documents.append(Document(text=page.body, published=published, language=page.language))
    english = [d for d in documents if d.language == "en"]
    print(f"extractor {PIPELINE_VERSION}; {len(rows)} eval pages, {len(english)} in English")

    done = words = 0
    started = time.perf_counter()
    while done < args.articles:
        document = english[done % len(english)]
        extract(document)
        words += word_count(document.text)
        done += 1
    elapsed = time.perf_counter() - started
    print(
        f"extraction: {done} articles in {elapsed:.2f} s = {done / elapsed:.0f} articles/s, {words / elapsed:,.0f} words/s (one core)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        migrate.upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        started = time.perf_counter()
        for n in range(args.ingest):
            row = rows[n % len(rows)]
            data = ArticleCreate(text=row["text"], url=f"https://bench.example/{n}")
            with session_scope(factory) as session:
                create_article(session, data=data, on_duplicate=OnDuplicate.skip)
        elapsed = time.perf_counter() - started
        engine.dispose()
        size = Path(f"{tmp}/bench.db").stat().st_size
    print(
        f"ingest (read page, extract, store; a transaction per article): {args.ingest} articles in {elapsed:.2f} s = {args.ingest / elapsed:.0f} articles/s; database {size / 1e6:.1f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
