"""Streamed exports at scale: every row of a large result as NDJSON and CSV, with the time taken,
rows per second and the server's peak memory, to show an export streams rather than builds.

    python benchmarks/export_memory.py --db .bench/search-100k.db

(Make the database with benchmarks/corpus.py and `defcoop ingest`.) Runs `defcoop serve`
(uvicorn, one worker) on the database, read-only use, with rate limits lifted.
"""

import argparse
import csv
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from serving import serving

EXPORTS = {
    "articles, NDJSON": ("/v1/articles", {"format": "ndjson"}),
    "articles, CSV": ("/v1/articles", {"format": "csv"}),
    "events, NDJSON": ("/v1/events", {"format": "ndjson"}),
}


def _peak_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def _counted(lines: Iterator[str], size: list[int]) -> Iterator[str]:
    for line in lines:
        size[0] += len(line) + 1
        yield line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    if not args.db.exists():
        print(f"{args.db} does not exist; build it first (see the docstring)", file=sys.stderr)
        return 2
    env = {
        **os.environ,
        "DEFCOOP_DATABASE_URL": f"sqlite:///{args.db.resolve()}",
        "DEFCOOP_RATE_LIMIT_READS": "1000000/minute",
        "DEFCOOP_DB_TIME_LIMIT_S": "600",
        "DEFCOOP_LOG_LEVEL": "warning",
    }
    with serving(env) as (base, pid):
        httpx.get(f"{base}/v1/articles", params={"limit": 1}, timeout=60)
        print(f"server memory before the exports (VmRSS): {_rss_mb(pid):.0f} MB")
        for name, (path, params) in EXPORTS.items():
            started = time.perf_counter()
            with httpx.stream("GET", f"{base}{path}", params=params, timeout=600) as response:
                response.raise_for_status()
                lines = _counted(response.iter_lines(), sizes := [0])
                if params["format"] == "csv":
                    rows = sum(1 for _ in csv.reader(lines)) - 1  # quoted fields span lines
                else:
                    rows = sum(1 for _ in lines)
                size = sizes[0]
            seconds = time.perf_counter() - started
            print(
                f"{name:<16} {rows:>8,} rows  {size / 1e6:7.1f} MB  {seconds:6.1f} s  "
                f"{rows / seconds:8,.0f} rows/s  server peak so far {_peak_mb(pid):.0f} MB"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
