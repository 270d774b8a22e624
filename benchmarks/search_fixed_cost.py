"""The fixed cost of a search (issue 16, part 5): what a search pays beyond its engine's work.

    python benchmarks/search_fixed_cost.py                      # SQLite: build or reuse the file
    python benchmarks/search_fixed_cost.py --database-url postgresql+psycopg://.../defcoop_bench

Builds (once, then reuses) a database of dense synthetic news from `../shared/bench/gen_corpus.py`
(20,000 articles by default), loaded through `defcoop ingest` with extraction (no curated fast
path: the entities and events are the extractor's), in `/work/bench/` or `--db`; an empty
PostgreSQL database given by `--database-url` is loaded the same way. Then starts `defcoop serve`
(uvicorn, one worker, a real socket) and prints p50/p95 over HTTP (httpx, one connection kept
alive) of a rare word, a word no article has, a common two-word query with three facets and a
plain article list, each beside the engine alone: the same match through the database's raw SQL
(FTS5 `bm25` + `snippet` + count, or `ts_rank` + `ts_headline` + count) and, on SQLite, the
top-k index queried in this process (top 20 with the count, or the facet pass).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from serving import defcoop, serving

ROOT = Path(__file__).resolve().parent.parent
GEN_CORPUS = ROOT.parent / "shared" / "bench" / "gen_corpus.py"
BENCH = Path("/work/bench")
RARE = "zelbenwen"  # a long-tail name in 3 of the 20,000 articles (gen_corpus, seed 20240601)
ABSENT = "zelbenwex"  # in none
COMMON = "frigate cooperation"  # about half the articles
FACETS = "country,event_type,year"
CASES: list[tuple[str, str, dict[str, str]]] = [
    ("rare term", "/v1/search", {"q": RARE}),
    ("no hits", "/v1/search", {"q": ABSENT}),
    ("two terms+facets", "/v1/search", {"q": COMMON, "facets": FACETS}),
    ("article list", "/v1/articles", {"limit": "20"}),
]
FTS5_MATCH = {"rare term": f'"{RARE}"', "no hits": f'"{ABSENT}"', "two terms+facets": '"frigate" AND "cooperation"'}  # fmt: skip
FTS5_SQL = (
    "SELECT a.id, bm25(article_fts, 10.0, 1.0) AS s, snippet(article_fts, 1, '<mark>', '</mark>', '…', 12) "
    "FROM article_fts JOIN article a ON a.id = article_fts.rowid WHERE article_fts MATCH ? ORDER BY s LIMIT 20",
    "SELECT count(*) FROM article_fts WHERE article_fts MATCH ?",
)
PG_MATCH = {"rare term": RARE, "no hits": ABSENT, "two terms+facets": "frigate & cooperation"}
PG_SQL = (
    "SELECT a.id, ts_rank('{0.05, 0.1, 0.4, 1.0}'::float4[], a.search_vector, q) AS s, "
    "ts_headline('defcoop_english', a.body, q) FROM article a, "
    "to_tsquery('defcoop_english', %s) q WHERE a.search_vector @@ q ORDER BY s DESC LIMIT 20",
    "SELECT count(*) FROM article WHERE search_vector @@ to_tsquery('defcoop_english', %s)",
)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[round(0.95 * (len(ordered) - 1))]


def timed(run: Callable[[], Any], runs: int) -> tuple[float, float]:
    run()  # warm
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def corpus(articles: int) -> Path:
    path = BENCH / f"corpus-{articles}.jsonl"
    if not path.exists():
        command = [sys.executable, str(GEN_CORPUS), "--n", str(articles), "--out", str(path)]
        subprocess.run(command, check=True)
    return path


def load(url: str, articles: int) -> None:
    """The corpus through `defcoop db upgrade` and `defcoop ingest` (extraction, then the
    top-k index built as ingest ends)."""
    env = {**os.environ, "DEFCOOP_DATABASE_URL": url, "DEFCOOP_LOG_LEVEL": "warning"}
    subprocess.run([defcoop(), "db", "upgrade"], check=True, env=env, capture_output=True)
    started = time.perf_counter()
    command = [defcoop(), "ingest", str(corpus(articles)), "--workers", "2"]
    subprocess.run(command, check=True, env=env, capture_output=True)
    print(f"loaded {articles:,} articles in {time.perf_counter() - started:,.0f} s")


class Engine:
    """The engine alone, on the same database: raw SQL, and on SQLite the top-k index."""

    def __init__(self, url: str, topk: bool) -> None:
        self.postgres = url.startswith("postgresql")
        if self.postgres:
            import psycopg

            self.connection: Any = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
            self.sql, self.match = PG_SQL, PG_MATCH
        else:
            import sqlite3

            self.connection = sqlite3.connect(url.removeprefix("sqlite:///"))
            self.sql, self.match = FTS5_SQL, FTS5_MATCH
        self.index: Any = None
        if topk and not self.postgres:
            from app.search.topk import TopKIndex

            self.index = TopKIndex(Path(url.removeprefix("sqlite:///") + ".search"))

    def count(self) -> int:
        cursor = self.connection.cursor()
        cursor.execute("SELECT count(*) FROM article")
        return int(cursor.fetchone()[0])

    def raw_sql(self, name: str) -> Callable[[], None] | None:
        if name not in self.match:
            return None

        def run() -> None:
            cursor = self.connection.cursor()
            cursor.execute(self.sql[0], (self.match[name],))
            cursor.fetchall()
            cursor.execute(self.sql[1], (self.match[name],))
            cursor.fetchone()

        return run

    def raw_topk(self, params: dict[str, str]) -> Callable[[], None] | None:
        if self.index is None or "q" not in params:
            return None
        from app.search.query import parse

        query = self.index.compile(parse(params["q"]))
        if "facets" in params:
            names = params["facets"].split(",")
            return lambda: self.index.facets(query, names, 1_000)
        return lambda: self.index.search(query, limit=20, offset=0, sort="relevance")


def measure(url: str, engine_name: str, runs: int) -> None:
    env = {**os.environ, "DEFCOOP_DATABASE_URL": url, "DEFCOOP_LOG_LEVEL": "warning"}
    env |= {"DEFCOOP_RATE_LIMIT_READS": "100000000/minute"}
    env["DEFCOOP_SEARCH_INDEX"] = "auto" if engine_name == "tantivy" else "off"
    engine = Engine(url, topk=engine_name == "tantivy")
    print(f"\n== {engine_name}: {engine.count():,} articles, {runs} runs each")
    print(f"{'query':<18}{'hits':>7}{'HTTP p50':>10}{'p95':>7}{'SQL p50':>9}{'p95':>7}", end="")
    print(f"{'index p50':>11}{'p95':>7}   (ms)" if engine.index else "   (ms)")
    with serving(env) as (base, _pid), httpx.Client(base_url=base, timeout=60) as http:
        for name, path, params in CASES:
            body = http.get(path, params=params).json()
            if path == "/v1/search":
                assert body["query"]["engine"] == engine_name, body["query"]
            hits = body.get("total", len(body["items"]))
            p50, p95 = timed(
                lambda p=path, q=params: http.get(p, params=q).raise_for_status(), runs
            )
            line = f"{name:<18}{hits:>7,}{p50:>10.1f}{p95:>7.1f}"
            for floor, width in ((engine.raw_sql(name), 9), (engine.raw_topk(params), 11)):
                if floor is not None:
                    f50, f95 = timed(floor, runs)
                    line += f"{f50:>{width}.1f}{f95:>7.1f}"
                else:
                    line += " " * (width + 7)
            print(line.rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--db", type=Path, help="SQLite file (default /work/bench/search-<n>.db)")
    parser.add_argument("--database-url", help="PostgreSQL instead (loaded if it has no articles)")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--fts5", action="store_true", help="SQLite: FTS5 alone as well")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{args.db or BENCH / f'search-{args.articles}.db'}"
    postgres = url.startswith("postgresql")
    if not postgres and not Path(url.removeprefix("sqlite:///")).exists():
        load(url, args.articles)
    elif postgres:
        try:
            loaded = Engine(url, topk=False).count()
        except Exception:  # not migrated yet
            loaded = 0
        if not loaded:
            load(url, args.articles)
    engines = ["postgresql-tsvector"] if postgres else ["tantivy"]
    if args.fts5 and not postgres:
        engines.append("sqlite-fts5")
    for engine_name in engines:
        measure(url, engine_name, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
