"""What linking reports into happenings costs an ingest: the same synthetic articles stored
twice into fresh SQLite files, in one process (extraction included, as `defcoop ingest
--workers 1` does), once as shipped and once with the linker switched off (its events left
unlinked: a measurement only, never a way to run).

    python -m benchmarks.happenings_cost [--articles 2000] [--corpus FILE]

Prints articles/s both ways, the seconds spent linking, and how the reports fell into
happenings. The corpus is ../shared/bench/gen_corpus.py's dense news (about 11 events an
article, most between a few dozen frequent pairs), a harder case for the linker than real news.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

GENERATOR = Path(__file__).resolve().parents[2] / "shared" / "bench" / "gen_corpus.py"


@contextmanager
def linking(on: bool, spent: list[float]) -> Iterator[None]:
    """The linker as shipped, timed; or off."""
    import app.services.batch as batch
    import app.services.happening as happening

    real = happening.relink

    def timed(*args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        if on:
            real(*args, **kwargs)
        spent.append(time.perf_counter() - started)

    batch.relink = timed  # type: ignore[assignment]
    try:
        yield
    finally:
        batch.relink = real  # type: ignore[assignment]


def run(corpus: Path, folder: Path, on: bool) -> dict[str, Any]:
    from app import migrate
    from app.db.session import make_engine, make_session_factory
    from app.ingest.formats import Record
    from app.models import Event, Happening
    from app.services.bulk import IngestOptions, ingest_records

    url = f"sqlite:///{folder / ('linked.db' if on else 'unlinked.db')}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    records = (
        (f"{corpus}:{n}", Record(line=n, data=json.loads(line)))
        for n, line in enumerate(corpus.open(encoding="utf-8"), 1)
        if line.strip()
    )
    spent: list[float] = []
    wall, cpu = time.perf_counter(), time.process_time()
    with linking(on, spent):
        stored = sum(1 for r in ingest_records(factory, records, IngestOptions()) if r.status)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    with factory() as session:
        events = session.scalar(select(func.count()).select_from(Event)) or 0
        sizes = dict(
            session.execute(
                select(Happening.num_reports, func.count())
                .group_by(Happening.num_reports)
                .order_by(Happening.num_reports)
            ).all()
        )
    engine.dispose()
    return {"stored": stored, "wall": wall, "cpu": cpu, "link": sum(spent), "events": events,
            "sizes": sizes}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--corpus", type=Path, help="a JSON Lines file instead of generating")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="happenings-cost-") as name:
        folder = Path(name)
        corpus = args.corpus
        if corpus is None:
            corpus = folder / "corpus.jsonl"
            subprocess.run(
                [sys.executable, str(GENERATOR), "--n", str(args.articles), "--out", str(corpus)],
                check=True,
                capture_output=True,
            )
        results = {on: run(corpus, folder, on) for on in (False, True)}
    off, on = results[False], results[True]
    print(f"{on['stored']} articles, {on['events']} events")
    for label, r in (("without linking", off), ("with linking", on)):
        print(
            f"{label:<16} {r['stored'] / r['wall']:7.1f} articles/s wall,"
            f" {1000 * r['cpu'] / r['stored']:6.1f} ms CPU an article"
        )
    print(
        f"linking: {on['link']:.1f} s ({1000 * on['link'] / on['stored']:.1f} ms an article,"
        f" {100 * on['link'] / on['wall']:.0f}% of the ingest);"
        f" throughput {100 * (on['stored'] / on['wall']) / (off['stored'] / off['wall']):.0f}%"
        " of without"
    )
    print("happenings by reports:", ", ".join(f"{k}: {v}" for k, v in on["sizes"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
