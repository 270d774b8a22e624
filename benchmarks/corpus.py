"""A deterministic generator of realistic synthetic defence-news articles, for benchmarks.

    python benchmarks/corpus.py --articles 100000 --out .bench/corpus-100k.jsonl

Same seed, same corpus. Words follow a Zipf-like spread: a few are in nearly every article
("defence", "minister"), most are rare, so queries range from a handful of hits to almost all.
Each line is an article in the project's JSON format, with hand-coded-style entities and events
(so it loads through `defcoop ingest` without running the extractor, the way curated data sets do).
"""

import argparse
import itertools
import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path

COUNTRIES = [
    ("AZE", "Azerbaijan", "Azerbaijani"), ("TUR", "Turkey", "Turkish"), ("IND", "India", "Indian"),
    ("USA", "United States", "American"), ("JPN", "Japan", "Japanese"), ("AUS", "Australia", "Australian"),
    ("POL", "Poland", "Polish"), ("KOR", "South Korea", "South Korean"), ("FRA", "France", "French"),
    ("GRC", "Greece", "Greek"), ("KEN", "Kenya", "Kenyan"), ("GBR", "United Kingdom", "British"),
    ("PAK", "Pakistan", "Pakistani"), ("CHN", "China", "Chinese"), ("VNM", "Vietnam", "Vietnamese"),
    ("MYS", "Malaysia", "Malaysian"), ("EGY", "Egypt", "Egyptian"), ("NGA", "Nigeria", "Nigerian"),
    ("BRA", "Brazil", "Brazilian"), ("UKR", "Ukraine", "Ukrainian"), ("SAU", "Saudi Arabia", "Saudi"),
    ("IDN", "Indonesia", "Indonesian"), ("PHL", "Philippines", "Filipino"), ("DEU", "Germany", "German"),
    ("ITA", "Italy", "Italian"), ("ESP", "Spain", "Spanish"), ("CAN", "Canada", "Canadian"),
    ("ISR", "Israel", "Israeli"), ("RUS", "Russia", "Russian"), ("KAZ", "Kazakhstan", "Kazakh"),
]  # fmt: skip
COMMON = [
    "defence",
    "minister",
    "military",
    "cooperation",
    "ministry",
    "army",
    "navy",
    "forces",
    "officials",
    "security",
    "regional",
    "bilateral",
    "talks",
    "agreement",
    "visit",
    "meeting",
    "exercise",
    "joint",
    "training",
    "delegation",
    "strategic",
    "partnership",
    "relations",
    "signed",
    "discussed",
    "issues",
    "mutual",
    "interest",
    "development",
    "countries",
    "two",
    "sides",
    "said",
]
DOMAIN = [
    "frigate",
    "corvette",
    "submarine",
    "destroyer",
    "howitzer",
    "drone",
    "tank",
    "helicopter",
    "fighter",
    "jet",
    "missile",
    "radar",
    "artillery",
    "ammunition",
    "procurement",
    "contract",
    "delivery",
    "shipyard",
    "plant",
    "technology",
    "transfer",
    "co-production",
    "cadets",
    "academy",
    "instructors",
    "course",
    "drills",
    "manoeuvres",
    "patrol",
    "interoperability",
    "logistics",
    "maritime",
    "border",
    "counterterrorism",
    "peacekeeping",
    "cyber",
    "space",
    "satellite",
    "memorandum",
    "protocol",
    "framework",
    "treaty",
    "ceasefire",
    "shelling",
    "clash",
    "aid",
    "package",
    "donation",
    "grant",
    "equipment",
    "vehicles",
    "rifles",
    "corvettes",
    "pilots",
]
TYPES = ["visit", "meeting", "agreement", "exercise", "arms_transfer", "training", "military_aid", "industry", "statement", "conflict"]  # fmt: skip
SYLLABLES = [
    "ka",
    "ri",
    "to",
    "na",
    "me",
    "lo",
    "su",
    "va",
    "ze",
    "pi",
    "mo",
    "ta",
    "ne",
    "ru",
    "ko",
    "li",
    "sa",
    "de",
    "fa",
    "go",
    "hu",
    "ji",
    "ba",
    "xe",
    "yo",
]


def _rare_words(rng: random.Random, count: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _zipf_sampler(rng: random.Random, vocabulary: list[str], exponent: float = 1.07):
    cumulative = list(
        itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(len(vocabulary)))
    )
    return lambda k: rng.choices(vocabulary, cum_weights=cumulative, k=k)


def generate(count: int, seed: int = 2026):
    """Yield `count` articles as dicts, deterministically."""
    rng = random.Random(seed)
    vocabulary = COMMON + DOMAIN + _rare_words(rng, 40_000)
    draw = _zipf_sampler(rng, vocabulary)
    sources = [f"wire{n:02d}.example" for n in range(50)]
    start = date(2010, 1, 1)
    for n in range(count):
        a, b = rng.sample(COUNTRIES, 2)
        kind = rng.choice(TYPES)
        published = start + timedelta(days=rng.randrange(16 * 365))
        sentences = []
        for _ in range(rng.randint(8, 18)):
            words = draw(rng.randint(10, 22))
            if rng.random() < 0.5:
                words.insert(rng.randrange(len(words)), rng.choice((a[1], a[2], b[1], b[2])))
            sentences.append(" ".join(words).capitalize() + ".")
        title_words = draw(rng.randint(4, 8))
        title = f"{a[1]} and {b[1]} " + " ".join(title_words)
        lead = f"{a[2]} and {b[2]} officials held {kind.replace('_', ' ')} talks in {a[1]}."
        yield {
            "id": f"syn-{n}",
            "url": f"https://{rng.choice(sources)}/{published.isoformat()}/{n}",
            "title": title,
            "body": lead + " " + " ".join(sentences),
            "published_at": published.isoformat(),
            "language": "en",
            "source": None,
            "entities": [{"kind": "country", "code": a[0]}, {"kind": "country", "code": b[0]}],
            "events": [{"type": kind, "date": published.isoformat(), "countries": [a[0], b[0]]}],
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as sink:
        for row in generate(args.articles, args.seed):
            row.pop("source")
            sink.write(json.dumps(row) + "\n")
    print(f"wrote {args.articles} articles to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
