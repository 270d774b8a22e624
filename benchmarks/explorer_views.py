"""API time of the explorer's views (issue 15 budgets 100 ms per view on the 100,000-article
database): the calls each view makes when it opens, as it makes them, over HTTP.

    python benchmarks/explorer_views.py --db .bench/search-100k.db

Starts `defcoop serve` (one worker) on the database and prints, per view, p50 and p95 of the
sum of its calls' times (the views here make one call each; a view making several in
parallel would be bounded by the slowest, so the sum is the cautious figure). The happening
shown is the one with the most reports among the latest 200.
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

# (view, [(path, params)]): what each view asks for when it opens (views/<name>.js)
Call = tuple[str, dict[str, str]]
VIEWS: list[tuple[str, list[Call]]] = [
    ("pair AZE-TUR", [("/v1/dyads/AZE-TUR", {"limit": "10"})]),
    ("pair AZE-TUR, count=reports", [("/v1/dyads/AZE-TUR", {"limit": "10", "count": "reports"})]),
    ("country AZE", [("/v1/countries/AZE", {"limit": "15"})]),
    ("network, states", [("/v1/graph", {"kinds": "country", "limit": "150"})]),
    (
        "network, +people +orgs",
        [("/v1/graph", {"kinds": "country,person,organization", "limit": "150"})],
    ),
]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[round(0.95 * (len(ordered) - 1))]


def _busiest_happening(http: httpx.Client) -> int | None:
    page = http.get("/v1/happenings", params={"limit": "200"}).raise_for_status().json()
    if not page["items"]:
        return None
    return int(max(page["items"], key=lambda h: h["num_reports"])["id"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / ".bench" / "search.db")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    env = {
        **os.environ,
        "DEFCOOP_DATABASE_URL": f"sqlite:///{args.db}",
        "DEFCOOP_LOG_LEVEL": "warning",
        "DEFCOOP_RATE_LIMIT_READS": "100000000/minute",
    }
    with sqlite3.connect(str(args.db)) as db:
        articles = db.execute("SELECT count(*) FROM article").fetchone()[0]
        events = db.execute("SELECT count(*) FROM event").fetchone()[0]
    print(
        f"{articles:,} articles, {events:,} events; database {args.db.stat().st_size / 1e6:,.0f} MB"
    )
    print(
        f"{'view':<32}{'calls':>6}{'p50':>9}{'p95':>9}   (ms of API time, HTTP, {args.runs} runs)"
    )
    with serving(env) as (base, _pid), httpx.Client(base_url=base, timeout=300) as http:
        views = list(VIEWS)
        happening = _busiest_happening(http)
        if happening is not None:
            views.append((f"happening {happening}", [(f"/v1/happenings/{happening}", {})]))
        for name, calls in views:
            for path, params in calls:  # warm, and check
                first = http.get(path, params=params)
                if first.status_code != 200:
                    print(f"{name:<32} HTTP {first.status_code}: {first.text[:200]}")
                    break
            else:
                samples = []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    for path, params in calls:
                        http.get(path, params=params).raise_for_status()
                    samples.append((time.perf_counter() - started) * 1000)
                p50, p95 = _percentiles(samples)
                print(f"{name:<32}{len(calls):>6}{p50:>9.1f}{p95:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
