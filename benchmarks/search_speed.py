"""Search speed over HTTP next to the raw-SQL floor, on a synthetic corpus.

    python benchmarks/search_speed.py --articles 100000            # generate, load, measure
    python benchmarks/search_speed.py --db .bench/search-100k.db   # measure an existing file
    python benchmarks/search_speed.py --database-url postgresql+psycopg://.../db  # loaded already

Loads the synthetic corpus (benchmarks/corpus.py) through `defcoop ingest` (the project's own
bulk path) into a SQLite file, starts `defcoop serve` (uvicorn, one worker) on it, once with
the top-k index (tantivy) and once with FTS5 alone, and prints
for a fixed set of queries the p50 and p95 latency over HTTP beside the same FTS5 query run as
raw SQL through sqlite3 (BM25 order, 20 hits with snippets, plus the count: the floor), the
requests per second at concurrency 8 for a two-term query with facets, the server's peak
memory, the load time and the database size. On PostgreSQL (`--database-url`), the same with
the node's own top-k index (DEFCOOP_SEARCH_INDEX_DIR, `--index-dir`; built by the server's
keeper first if missing, and timed) and with tsvector alone, beside the ts_rank floor.
"""

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from serving import defcoop, serving

ROOT = Path(__file__).resolve().parent.parent
RARE = "sutoxelo"  # rank ~30,000 of the corpus's Zipf vocabulary (benchmarks/corpus.py, seed 2026)
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("rare term", {"q": RARE}),
    ("common term", {"q": "defence"}),
    ("two terms", {"q": "frigate cooperation"}),
    ("phrase", {"q": '"military cooperation"'}),
    ("prefix", {"q": "submar*"}),
    ("OR", {"q": "frigate OR corvette"}),
    (
        "date filter",
        {"q": "frigate cooperation", "published_from": "2015-01-01", "published_to": "2016-12-31"},
    ),
    ("facets", {"q": "frigate cooperation", "facets": "country,event_type,year"}),
]
FLOOR_SQL = {
    "rank": (
        "SELECT a.id, bm25(article_fts, 10.0, 1.0) AS s, snippet(article_fts, 1, '<mark>', '</mark>', '…', 12) "
        "FROM article_fts JOIN article a ON a.id = article_fts.rowid WHERE article_fts MATCH ? ORDER BY s LIMIT 20"
    ),
    "count": "SELECT count(*) FROM article_fts WHERE article_fts MATCH ?",
}
FLOOR_MATCH = {
    "rare term": f'"{RARE}"',
    "common term": '"defence"',
    "two terms": '"frigate" AND "cooperation"',
    "phrase": '"military cooperation"',
    "prefix": '"submar"*',
    "OR": '"frigate" OR "corvette"',
}


PG_FLOOR_SQL = {
    "rank": (
        "SELECT a.id, ts_rank('{0.05, 0.1, 0.4, 1.0}'::float4[], a.search_vector, q) AS s, "
        "ts_headline('defcoop_english', a.body, q) FROM article a, "
        "to_tsquery('defcoop_english', %s) q WHERE a.search_vector @@ q ORDER BY s DESC LIMIT 20"
    ),
    "count": "SELECT count(*) FROM article WHERE search_vector @@ to_tsquery('defcoop_english', %s)",
}
PG_FLOOR_MATCH = {
    "rare term": RARE,
    "common term": "defence",
    "two terms": "frigate & cooperation",
    "phrase": "military <-> cooperation",
    "prefix": "submar:*",
    "OR": "frigate | corvette",
}


class Floor:
    """The same query as raw SQL on the same database, without the service around it."""

    def __init__(self, url: str) -> None:
        self.postgres = url.startswith("postgresql")
        if self.postgres:
            import psycopg

            self.connection: Any = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
            self.sql, self.match = PG_FLOOR_SQL, PG_FLOOR_MATCH
        else:
            self.connection = sqlite3.connect(url.removeprefix("sqlite:///"))
            self.sql, self.match = FLOOR_SQL, FLOOR_MATCH

    def run(self, name: str) -> None:
        cursor = self.connection.cursor()
        cursor.execute(self.sql["rank"], (self.match[name],))
        cursor.fetchall()
        cursor.execute(self.sql["count"], (self.match[name],))
        cursor.fetchone()

    def count(self, table: str) -> int:
        cursor = self.connection.cursor()
        cursor.execute(f"SELECT count(*) FROM {table}")
        return int(cursor.fetchone()[0])


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def load(articles: int, db: Path) -> float:
    corpus = ROOT / ".bench" / f"corpus-{articles}.jsonl"
    if not corpus.exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "corpus.py"),
                "--articles",
                str(articles),
                "--out",
                str(corpus),
            ],
            check=True,
        )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "DEFCOOP_DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([defcoop(), "db", "upgrade"], check=True, env=env, capture_output=True)
    started = time.perf_counter()
    # ingest ends by building the top-k index (DEFCOOP_SEARCH_INDEX=auto): timed with the load
    subprocess.run([defcoop(), "ingest", str(corpus)], check=True, env=env, capture_output=True)
    return time.perf_counter() - started


def _in_step(base: str, limit_s: float = 3600) -> float:
    """Seconds until the server's own index (PostgreSQL: built in the background) is in step."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        state = httpx.get(f"{base}/readyz", timeout=10).json().get("search_index", {})
        if state.get("state") == "in_step":
            return time.perf_counter() - started
        time.sleep(0.5)
    raise SystemExit("the search index did not get in step")


def measure(
    url: str, runs: int, seconds: float, engine: str, floor_runs: int, index_dir: Path
) -> None:
    env = {**os.environ, "DEFCOOP_DATABASE_URL": url, "DEFCOOP_LOG_LEVEL": "warning"}
    env |= {"DEFCOOP_RATE_LIMIT_READS": "100000000/minute", "DEFCOOP_DB_TIME_LIMIT_S": "120"}
    env |= {"DEFCOOP_SEARCH_TIME_LIMIT_S": "120"}
    env["DEFCOOP_SEARCH_INDEX"] = "auto" if engine == "tantivy" else "off"
    postgres = url.startswith("postgresql")
    if postgres and engine == "tantivy":
        env["DEFCOOP_SEARCH_INDEX_DIR"] = str(index_dir)
    with serving(env) as (base, pid):
        if postgres and engine == "tantivy":
            print(f"node index in step after {_in_step(base):.1f} s ({index_dir})")
        floor = Floor(url)
        total = floor.count("article")
        db = Path(url.removeprefix("sqlite:///"))
        if not floor.postgres:
            print(f"{total:,} articles; database {db.stat().st_size / 1e6:,.0f} MB")
        else:
            print(f"{total:,} articles on PostgreSQL")
        index = index_dir if floor.postgres else Path(f"{db}.search")
        if engine == "tantivy" and index.exists():
            size = sum(f.stat().st_size for f in index.iterdir()) / 1e6
            print(f"top-k index {size:,.0f} MB")
        print(
            f"{'query':<14}{'hits':>9}{'HTTP p50':>11}{'p95':>9}{'floor p50':>11}{'p95':>9}   (ms)"
        )
        with httpx.Client(base_url=base, timeout=60) as http:
            for name, params in QUERIES:
                warm = http.get("/v1/search", params=params).json()
                assert warm["query"]["engine"].startswith(engine[:6]), warm["query"]
                samples, hits = [], 0
                for _ in range(runs):
                    started = time.perf_counter()
                    response = http.get("/v1/search", params=params)
                    samples.append((time.perf_counter() - started) * 1000)
                    hits = response.json().get("total", 0)
                p50, p95 = _percentiles(samples)
                floor_text = ""
                if name in floor.match and floor_runs:
                    fl = []
                    for _ in range(floor_runs):
                        started = time.perf_counter()
                        floor.run(name)
                        fl.append((time.perf_counter() - started) * 1000)
                    f50, f95 = _percentiles(fl)
                    floor_text = f"{f50:>11.1f}{f95:>9.1f}"
                print(f"{name:<14}{hits:>9,}{p50:>11.1f}{p95:>9.1f}{floor_text}")
        done = [0]
        stop = time.perf_counter() + seconds

        def worker() -> None:
            with httpx.Client(base_url=base, timeout=60) as http:
                while time.perf_counter() < stop:
                    http.get("/v1/search", params=QUERIES[-1][1])
                    done[0] += 1

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(
            f"throughput, two terms with facets, concurrency 8: {done[0] / seconds:.1f} requests/s"
        )
        status = Path(f"/proc/{pid}/status").read_text()
        peak = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
        print(f"server peak memory (VmHWM): {int(peak) / 1024:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, help="generate and load this many articles first")
    parser.add_argument("--db", type=Path, default=ROOT / ".bench" / "search.db")
    parser.add_argument(
        "--floor-runs", type=int, help="runs of the raw SQL floor (default --runs; 0: none)"
    )
    parser.add_argument(
        "--database-url", help="measure this database instead (e.g. PostgreSQL, loaded already)"
    )
    parser.add_argument(
        "--index-dir",
        type=Path,
        default=ROOT / ".bench" / "pg-search-index",
        help="on PostgreSQL, the node's top-k index directory (built when missing)",
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--engine",
        action="append",
        choices=["tantivy", "sqlite-fts5", "postgresql-tsvector"],
        help="which to measure (repeat for both; default both)",
    )
    args = parser.parse_args()
    if args.articles:
        elapsed = load(args.articles, args.db)
        print(
            f"loaded {args.articles:,} articles through `defcoop ingest` in {elapsed:,.0f} s ({args.articles / elapsed:,.0f} articles/s)"
        )
    url = args.database_url or f"sqlite:///{args.db}"
    engines = (
        ["tantivy", "postgresql-tsvector"]
        if url.startswith("postgresql")
        else ["tantivy", "sqlite-fts5"]
    )
    for engine in args.engine or engines:
        print(f"\n== {engine}")
        floor_runs = args.runs if args.floor_runs is None else args.floor_runs
        measure(url, args.runs, args.seconds, engine, floor_runs, args.index_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
