"""Speed of the relations endpoints (issue: pairs, partners, timelines, networks).

    python benchmarks/relations_speed.py --db .bench/search-1m.db

Starts `defcoop serve` (uvicorn, one worker) on a database loaded from the synthetic corpus
(benchmarks/corpus.py through `defcoop ingest`, as benchmarks/search_speed.py does) and prints
p50 and p95 over HTTP for a dyad profile, a partner ranking, the busiest pairs, monthly
timelines over everything, and the network of shared events (the questions the summary counts
answer), then the same questions narrowed so that they are counted from the rows.
`--count happenings` or `--count reports` sends `count=` with every question (issue 14);
without it the server's default applies (happenings, since migration 0016).
"""

import argparse
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import httpx
from serving import serving

ROOT = Path(__file__).resolve().parent.parent
QUERIES: list[tuple[str, str, dict[str, str | list[str]]]] = [
    ("dyad profile", "/v1/dyads/AZE-TUR", {}),
    ("dyad profile, 2015-2018", "/v1/dyads/AZE-TUR", {"date_from": "2015-01-01", "date_to": "2018-12-31"}),
    ("partner ranking", "/v1/dyads", {"country": "AZE"}),
    ("busiest pairs", "/v1/dyads", {}),
    ("monthly timeline, events", "/v1/timeline", {"of": "events", "interval": "month"}),
    ("monthly timeline by type", "/v1/timeline", {"of": "events", "interval": "month", "group_by": "type"}),
    ("monthly timeline, articles", "/v1/timeline", {"of": "articles", "interval": "month"}),
    ("graph of shared events", "/v1/graph", {"of": "events", "kinds": "country", "limit": "200"}),
    ("country profile", "/v1/countries/AZE", {}),
    # narrowed: counted from the rows
    ("dyad profile, part of a year", "/v1/dyads/AZE-TUR", {"date_from": "2015-03-01", "date_to": "2015-08-31"}),
    ("partners, part of a year", "/v1/dyads", {"country": "AZE", "date_from": "2015-03-01", "date_to": "2015-08-31"}),
    ("monthly timeline, AZE", "/v1/timeline", {"of": "events", "interval": "month", "country": "AZE"}),
    ("monthly timeline, AZE articles", "/v1/timeline", {"of": "articles", "interval": "month", "country": "AZE"}),
    ("AZE-TUR events, page 1", "/v1/events", {"country": ["AZE", "TUR"]}),
]  # fmt: skip


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[
        min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / ".bench" / "search.db")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--count", choices=("happenings", "reports"))
    args = parser.parse_args()
    counting = {"count": args.count} if args.count else {}
    env = {
        **os.environ,
        "DEFCOOP_DATABASE_URL": f"sqlite:///{args.db}",
        "DEFCOOP_LOG_LEVEL": "warning",
    }
    env |= {"DEFCOOP_RATE_LIMIT_READS": "100000000/minute", "DEFCOOP_DB_TIME_LIMIT_S": "120"}
    with sqlite3.connect(str(args.db)) as db:
        articles = db.execute("SELECT count(*) FROM article").fetchone()[0]
        events = db.execute("SELECT count(*) FROM event").fetchone()[0]
    print(
        f"{articles:,} articles, {events:,} events; database {args.db.stat().st_size / 1e6:,.0f} MB"
    )
    counted = f", count={args.count}" if args.count else ""
    print(f"{'query':<32}{'p50':>9}{'p95':>9}   (ms, HTTP, {args.runs} runs{counted})")
    with serving(env) as (base, pid), httpx.Client(base_url=base, timeout=300) as http:
        for name, path, asked in QUERIES:
            params = {**asked, **counting}
            first = http.get(path, params=params)  # warm, and check
            if first.status_code != 200:
                print(f"{name:<32} HTTP {first.status_code}: {first.text[:200]}")
                continue
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                http.get(path, params=params).raise_for_status()
                samples.append((time.perf_counter() - started) * 1000)
            p50, p95 = _percentiles(samples)
            print(f"{name:<32}{p50:>9.1f}{p95:>9.1f}")
        status = Path(f"/proc/{pid}/status").read_text()
        peak = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
        print(f"server peak memory (VmHWM): {int(peak) / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
