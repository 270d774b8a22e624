"""Page metadata accuracy on the gold articles, scored by ../shared/eval/score.py.

    python benchmarks/metadata_accuracy.py [--eval ../shared/eval]

Reads every page of articles.jsonl with the project's page reader, writes the predictions the
scorer reads, runs the scorer, and prints its metadata accuracies and the reader's speed.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.ingest.page import parse_page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--eval", default=str(Path(__file__).resolve().parents[2] / "shared" / "eval")
    )
    args = parser.parse_args()
    folder = Path(args.eval)
    articles = [
        json.loads(line) for line in (folder / "articles.jsonl").read_text().splitlines() if line
    ]

    started = time.perf_counter()
    predictions = []
    for article in articles:
        page = parse_page(article["text"], url=article.get("url"))
        predictions.append(
            {
                "id": article["id"],
                "published_at": page.published.iso() if page.published else None,
                "title": None if page.title_is_derived else page.title,
                # the guideline's author is "the byline's person or agency": the person the
                # page names, else the wire it credits (page.author holds persons only)
                "author": page.byline,
                "lang": page.language,
                "entities": [],
                "events": [],
            }
        )
    elapsed = time.perf_counter() - started

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        handle.write("\n".join(json.dumps(p) for p in predictions) + "\n")
    result = subprocess.run(
        [
            sys.executable,
            str(folder / "score.py"),
            str(folder / "gold.jsonl"),
            handle.name,
            "--json",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    metadata = json.loads(result.stdout)["metadata"]
    gold = {
        json.loads(line)["id"]: json.loads(line)
        for line in (folder / "gold.jsonl").read_text().splitlines()
        if line
    }
    authors = sum(
        1 for p in predictions if p["id"] in gold and p["author"] == gold[p["id"]].get("author")
    )
    print(f"pages read: {len(articles)} in {elapsed:.2f} s ({len(articles) / elapsed:.0f} pages/s)")
    print(f"gold articles: {len(gold)}")
    for field, value in metadata.items():
        print(f"  {field:<13} accuracy {value:.3f}")
    print(f"  {'author':<13} accuracy {authors / len(gold):.3f} (not scored by score.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
