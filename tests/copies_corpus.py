"""A corpus of copies made from the project's own sample articles: each re-posted under another
headline, with an outlet's boilerplate lines and light edits (words changed, a sentence
dropped), as syndicated wire copy is. Generated here, so no article text is copied."""

import json
import random
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[1] / "app" / "data" / "samples" / "articles.jsonl"

HEADLINES = (
    "WIRE: {}",
    "{} - report",
    "Defence ministers meet, officials say",
    "UPDATE 1-{}",
)
BOILERPLATE = (
    "Subscribe to our newsletter for the latest defence news.",
    "(Reporting by staff correspondents; editing by the desk)",
    "Copyright 2024 Regional Wire Service. All rights reserved.",
    "Share this article",
)
EDITS = (("said", "stated"), ("on Monday", "on Monday morning"), ("the two", "both"))


# The sample data holds one syndicated copy of its own by design (another outlet's re-run of
# sample-29; tests/services/test_sample_happenings.py checks it is found); the corpus is made
# of the distinct samples.
SYNDICATED = {"sample-30"}


def samples() -> list[dict[str, Any]]:
    """The distinct sample articles."""
    rows = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines()]
    return [row for row in rows if row["id"] not in SYNDICATED]


def body_lines(text: str) -> tuple[str | None, list[str]]:
    """The page's date line and its paragraphs (its own boilerplate after '---' dropped)."""
    head, _, _tail = text.partition("\n---")
    lines = [line for line in head.split("\n") if line.strip()]
    date = None
    if lines and lines[0].startswith(" date "):  # " date 2024-03-12 By X" or "... NEW DELHI -"
        date, rest = lines[0][: len(" date 2024-03-12")], lines[0][len(" date 2024-03-12") :]
        if rest.strip() and not rest.strip().startswith("By "):
            lines[0] = rest.strip()
        else:
            lines.pop(0)
    return date, lines


def copy_of(sample: dict[str, Any], n: int, *, published_at: str | None = None) -> dict[str, Any]:
    """A syndicated copy of a sample: another url, headline, boilerplate and light edits."""
    rng = random.Random(n)
    date, lines = body_lines(sample["text"])
    titled = not lines[0].rstrip().endswith((".", '"', "”"))  # a headline ends no sentence
    title, paragraphs = (lines[0], lines[1:]) if titled else (lines[0].split(",")[0], lines)
    headline = rng.choice(HEADLINES).format(title)
    if len(paragraphs) > 8:  # one sentence-length paragraph dropped, as an editor trims
        paragraphs.pop(rng.randrange(1, len(paragraphs)))
    edited, edits = [], 0
    for paragraph in paragraphs:  # at most two phrases changed: light edits
        for old, new in EDITS:
            if edits < 2 and old in paragraph and rng.random() < 0.5:
                paragraph, edits = paragraph.replace(old, new, 1), edits + 1
        edited.append(paragraph)
    extra = [rng.choice(BOILERPLATE)]
    text = "\n\n".join([*([date] if date else []), headline, *edited, *extra])
    copy = {
        "url": f"https://syndicate{n % 3}.example/wire/{n}?utm_source=feed",
        "text": text,
        "entities": sample.get("entities"),
        "events": sample.get("events"),
    }
    if published_at:
        copy["published_at"] = published_at
    return copy
