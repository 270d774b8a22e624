"""End-to-end ingest of dense synthetic news: `defcoop ingest` into a fresh SQLite file, or a
fresh PostgreSQL database with --postgres.

    python benchmarks/ingest_speed.py [--articles 2000] [--workers 1 2] [--index]
    python benchmarks/ingest_speed.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

The corpus comes from ../shared/bench/gen_corpus.py (500-word articles, ~20 entities each,
no hand-coded entities: every article goes through the extractor). For each --workers value,
a fresh database is upgraded, then `defcoop ingest FILE --workers N` runs as its own process;
the figure counts that process from start to exit: reading the JSON Lines, page reading,
extraction (in N worker processes when N > 1, else in the writer), storing and committing
every 200 articles, and process start-up (imports, the pool's start). The top-k search index
is left out unless --index is given (DEFCOOP_SEARCH_INDEX=off): it is built once at the end
and is search_speed.py's subject. CPU is the ingest's processes' user+system time (writer and
workers), and the load average is printed beside it: on a shared machine the wall-clock
figure depends on what else runs.

With --postgres (the URL of any database on the server, used only to create and drop others),
each run creates the database `defcoop_ingest_speed`, upgrades and loads it, and drops it. It
starts with no planner statistics, as a new deployment's first load does (and as every load
does where autovacuum is off or has not caught up): the figure includes what plans made
without statistics cost.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT.parent / "shared" / "bench" / "gen_corpus.py"


def _defcoop() -> str:
    return str(Path(sys.executable).parent / "defcoop")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


PG_DATABASE = "defcoop_ingest_speed"


def _admin(server: str, statement: str) -> Any:
    """One statement outside a transaction (CREATE/DROP DATABASE), on the server's database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            result = connection.execute(text(statement))
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


def _run(
    corpus: Path, workers: int, *, index: bool, tmp: Path, postgres: str | None
) -> dict[str, float]:
    db = tmp / f"ingest-{workers}.db"
    url = f"sqlite:///{db}"
    if postgres is not None:
        _admin(postgres, f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        _admin(postgres, f"CREATE DATABASE {PG_DATABASE}")
        url = make_url(postgres).set(database=PG_DATABASE).render_as_string(hide_password=False)
    env = {**os.environ, "DEFCOOP_DATABASE_URL": url}
    if not index:
        env["DEFCOOP_SEARCH_INDEX"] = "off"
    subprocess.run([_defcoop(), "db", "upgrade"], env=env, check=True, capture_output=True)
    load = os.getloadavg()[0]
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [_defcoop(), "ingest", str(corpus), "--workers", str(workers)],
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    cpu = _children_cpu() - cpu
    if done.returncode != 0:
        sys.exit(f"ingest failed ({done.returncode}): {done.stdout[-2000:]}{done.stderr[-2000:]}")
    said = (done.stdout + done.stderr).splitlines()  # the CLI says its summary on stderr
    summary = [line for line in said if line.startswith("summary:")]
    if postgres is not None:
        size = _admin(postgres, f"SELECT pg_database_size('{PG_DATABASE}')")
        _admin(postgres, f"DROP DATABASE {PG_DATABASE}")
    else:
        size = db.stat().st_size
    return {
        "wall": wall,
        "cpu": cpu,
        "load": load,
        "size": size,
        "summary": summary[-1] if summary else "",  # type: ignore[dict-item]
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--index", action="store_true", help="build the top-k index too")
    parser.add_argument("--corpus", type=Path, help="a JSON Lines file instead of generating")
    parser.add_argument("--postgres", help="a PostgreSQL server's URL: load a fresh database there")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        corpus = args.corpus
        if corpus is None:
            corpus = tmp / "corpus.jsonl"
            subprocess.run(
                [sys.executable, str(GENERATOR), "--n", str(args.articles), "--out", str(corpus)],
                check=True,
                capture_output=True,
            )
        count = sum(1 for line in corpus.open(encoding="utf-8") if line.strip())
        words = sum(len(json.loads(line).get("body", "").split()) for line in corpus.open())
        print(
            f"{count} synthetic articles ({words / count:.0f} words each) from {corpus.name};"
            f" {os.cpu_count()} CPUs; search index {'built' if args.index else 'off'};"
            f" into {'PostgreSQL' if args.postgres else 'SQLite'}"
        )
        print("includes: process start, JSON Lines, page reading, extraction, storing, commits")
        for workers in args.workers:
            run = _run(corpus, workers, index=args.index, tmp=tmp, postgres=args.postgres)
            print(
                f"--workers {workers}: {count} articles in {run['wall']:.1f} s ="
                f" {count / run['wall']:.0f} articles/s; CPU {run['cpu']:.1f} s"
                f" ({run['cpu'] / count * 1000:.1f} ms/article, all processes);"
                f" load average before {run['load']:.1f}; database {run['size'] / 1e6:.0f} MB"
                f"; {run['summary']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
