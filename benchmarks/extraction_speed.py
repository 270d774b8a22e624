"""Extraction throughput on one core, over the eval pages and over dense synthetic news.

    python benchmarks/extraction_speed.py [--articles 2000] [--synthetic 1000] [--long 2000]

Two corpora: the eval pages (../shared/eval/articles.jsonl, the English ones, repeated to
--articles documents) and --synthetic articles from ../shared/bench/gen_corpus.py (500 words,
~20 entities each). For each, two figures in CPU time of this process (time.process_time, so
that other processes on a shared machine do not count):
  - extract: the extraction pipeline alone (`app.extraction.extract`) on bodies read once;
  - read + extract: what ingest's workers do per article, page reading included
    (`app.ingest.reader.read_content`: boilerplate, metadata, language detection) then
    extraction (`app.services.ingest.prepare_article` does exactly this).
Then memory over a long run (--long synthetic articles, read + extract): peak RSS and the
tracemalloc peak after the first and the last tenth, which stay flat when nothing grows; and
cost against length: one article's bodies joined 1x, 2x and 4x, time per character.
"""

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.extraction import PIPELINE_VERSION, extract
from app.extraction.base import Document
from app.extraction.lexicon import lexicon
from app.ingest.page import parse_page
from app.kit.text import word_count
from app.schemas.article import ArticleCreate
from app.services.ingest import prepare_article

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT.parent / "shared" / "bench" / "gen_corpus.py"


def _rate(label: str, items: Sequence[Any], run: Callable[[Any], object], words: int) -> None:
    gc.collect()
    started = time.process_time()
    for item in items:
        run(item)
    spent = time.process_time() - started
    print(
        f"  {label:<15} {len(items)} articles in {spent:.2f} s CPU ="
        f" {len(items) / spent:.0f} articles/s, {words / spent:,.0f} words/s"
    )


def _document(page_body: str, language: str | None) -> Document:
    return Document(text=page_body, language=language)


def _synthetic(count: int, tmp: Path) -> list[dict[str, str]]:
    out = tmp / f"synthetic-{count}.jsonl"
    subprocess.run(
        [sys.executable, str(GENERATOR), "--n", str(count), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]


def _memory(rows: list[dict[str, str]]) -> None:
    tenth = max(1, len(rows) // 10)
    tracemalloc.start()
    held, peaks = [], []
    for n, row in enumerate(rows, 1):
        prepare_article(ArticleCreate(body=row["body"], url=row["url"]))
        if n % tenth == 0:
            gc.collect()
            current, peak = tracemalloc.get_traced_memory()
            held.append(current / 1e6)
            peaks.append(peak / 1e6)
            tracemalloc.reset_peak()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"memory over {len(rows)} synthetic articles (read + extract), after each tenth:"
        f" held {', '.join(f'{m:.1f}' for m in held)} MB; peak within a tenth"
        f" {min(peaks):.1f} to {max(peaks):.1f} MB; peak RSS of the process {rss:.0f} MB"
    )


def _linearity(rows: list[dict[str, str]]) -> None:
    base = "\n\n".join(row["body"] for row in rows[:4])
    costs = []
    for times in (1, 2, 4):
        document = Document(text="\n\n".join([base] * times), language="en")
        best = min(_timed(document) for _ in range(3))
        costs.append(best / len(document.text) * 1e6)
    print(
        "cost by length (4 articles joined 1x, 2x, 4x; best of 3):"
        + ", ".join(f" {c:.2f} µs/char" for c in costs)
    )


def _timed(document: Document) -> float:
    gc.collect()
    started = time.process_time()
    extract(document)
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", default=str(ROOT.parent / "shared" / "eval"))
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--synthetic", type=int, default=1000)
    parser.add_argument("--long", type=int, default=2000)
    args = parser.parse_args()
    rows = [
        json.loads(line)
        for line in (Path(args.eval) / "articles.jsonl").read_text().splitlines()
        if line
    ]
    lexicon()  # load the gazetteers before timing: a one-off cost per process
    print(f"extractor {PIPELINE_VERSION}; CPU time of one process (one core)")

    pages = [(row, parse_page(row["text"], url=row.get("url"))) for row in rows]
    english = [(row, page) for row, page in pages if page.language == "en"]
    repeated = [english[n % len(english)] for n in range(args.articles)]
    words = sum(word_count(page.body) for _row, page in repeated)
    print(f"eval pages: {len(rows)}, {len(english)} in English, repeated to {len(repeated)}")
    _rate("extract", repeated, lambda rp: extract(_document(rp[1].body, "en")), words)
    _rate(
        "read + extract",
        repeated,
        lambda rp: prepare_article(ArticleCreate(text=rp[0]["text"], url=rp[0].get("url"))),
        words,
    )

    with tempfile.TemporaryDirectory() as tmp:
        synthetic = _synthetic(max(args.synthetic, args.long), Path(tmp))
    sample = synthetic[: args.synthetic]
    words = sum(word_count(row["body"]) for row in sample)
    print(f"synthetic news: {len(sample)} articles, {words / len(sample):.0f} words each")
    _rate("extract", sample, lambda row: extract(_document(row["body"], "en")), words)
    _rate(
        "read + extract",
        sample,
        lambda row: prepare_article(ArticleCreate(body=row["body"], url=row["url"])),
        words,
    )
    _linearity(synthetic)
    _memory(synthetic[: args.long])
    return 0


if __name__ == "__main__":
    sys.exit(main())
