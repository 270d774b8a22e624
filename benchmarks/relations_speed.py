"""Speed of the relations endpoints (issue: pairs, partners, timelines, networks).

    python benchmarks/relations_speed.py --db .bench/search-1m.db
    python benchmarks/relations_speed.py --db .bench/search-1m.db \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/defcoop_1m   # side by side

Starts `defcoop serve` (uvicorn, one worker) on a database loaded from the synthetic corpus
(benchmarks/corpus.py through `defcoop ingest`, as benchmarks/search_speed.py does) and prints
p50 and p95 over HTTP for a dyad profile, a partner ranking, the busiest pairs, monthly
timelines over everything, and the network of shared events (the questions the summary counts
answer), then the same questions narrowed so that they are counted from the rows.
`--count happenings` or `--count reports` sends `count=` with every question (issue 14);
without it the server's default applies (happenings, since migration 0016).
`--database-url` (once or more) measures other databases loaded with the same corpus (PostgreSQL,
say) in the same run, one server after another, and prints their figures in columns beside the
SQLite file's.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import httpx
import sqlalchemy as sa
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


def _measure(url: str, runs: int, counting: dict[str, str]) -> dict[str, tuple[float, float]]:
    """p50/p95 (ms) of every question against one server on `url`; its sizes and memory printed."""
    env = {
        **os.environ,
        "DEFCOOP_DATABASE_URL": url,
        "DEFCOOP_LOG_LEVEL": "warning",
        "DEFCOOP_RATE_LIMIT_READS": "100000000/minute",
        "DEFCOOP_DB_TIME_LIMIT_S": "120",
    }
    engine = sa.create_engine(url)
    with engine.connect() as db:
        articles = db.execute(sa.text("SELECT count(*) FROM article")).scalar_one()
        events = db.execute(sa.text("SELECT count(*) FROM event")).scalar_one()
    engine.dispose()
    print(
        f"{engine.url.render_as_string(hide_password=True)}: {articles:,} articles, {events:,} events"
    )
    figures: dict[str, tuple[float, float]] = {}
    with serving(env) as (base, pid), httpx.Client(base_url=base, timeout=300) as http:
        for name, path, asked in QUERIES:
            params = {**asked, **counting}
            first = http.get(path, params=params)  # warm, and check
            if first.status_code != 200:
                print(f"  {name}: HTTP {first.status_code}: {first.text[:200]}")
                continue
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                http.get(path, params=params).raise_for_status()
                samples.append((time.perf_counter() - started) * 1000)
            figures[name] = _percentiles(samples)
        status = Path(f"/proc/{pid}/status").read_text()
        peak = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
        print(f"  server peak memory (VmHWM): {int(peak) / 1024:.0f} MB")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / ".bench" / "search.db")
    parser.add_argument(
        "--database-url", action="append", default=[], help="another database, beside the file"
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--count", choices=("happenings", "reports"))
    args = parser.parse_args()
    counting = {"count": args.count} if args.count else {}
    urls = [f"sqlite:///{args.db}", *args.database_url]
    columns = [_measure(url, args.runs, counting) for url in urls]
    counted = f", count={args.count}" if args.count else ""
    names = [sa.make_url(url).get_backend_name() for url in urls]
    print(f"\np50 / p95 in ms over HTTP, {args.runs} runs{counted}")
    print(f"{'query':<32}" + "".join(f"{name:>18}" for name in names))
    for name, _, _ in QUERIES:
        cells = [
            f"{column[name][0]:>9.1f}{column[name][1]:>9.1f}" if name in column else f"{'-':>18}"
            for column in columns
        ]
        print(f"{name:<32}" + "".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
