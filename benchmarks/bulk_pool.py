"""POST /v1/articles/bulk with and without the app's worker processes, on dense synthetic news.

    python -m benchmarks.bulk_pool [--articles 300] [--workers 2]

Each run: a new migrated SQLite database, one request of --articles lines (chunks of
BULK_CHUNK), through the app in this process (TestClient). Prints wall time, this process's
CPU time and the workers' (children's) CPU time, and checks that both runs stored the same.
"""

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app import migrate
from app.config import Settings
from app.db.session import make_engine, make_session_factory, session_scope
from app.main import create_app
from app.services.keys import Scope, create_key
from benchmarks.extraction_speed import _synthetic


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _stable(article: dict[str, Any]) -> dict[str, Any]:
    """An article as stored, less the moments it was stored at."""
    return {key: value for key, value in article.items() if key not in _WHEN}


_WHEN = {"created_at", "updated_at", "extracted_at", "ingested_at"}


def _run(rows: list[dict[str, str]], workers: int, tmp: Path) -> list[dict[str, Any]]:
    url = f"sqlite:///{tmp / f'bulk-{workers}.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        key = create_key(session, name="bench", scope=Scope.write).secret
    body = "".join(json.dumps({"url": r["url"], "body": r["body"]}) + "\n" for r in rows)
    app = create_app(Settings(database_url=url, bulk_workers=workers, log_level="WARNING"))
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        if workers > 1:  # the workers' start is a one-off per server: not timed
            pool = app.state.bulk_pool.get()
            list(pool.map(time.sleep, [0.5] * workers))  # every worker up (spawned on demand)
        wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        response = client.post(
            "/v1/articles/bulk", content=body, headers={"content-type": "application/x-ndjson"}
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        answer = response.json()
        stored = [
            _stable(client.get(f"/v1/articles/{item['article_id']}?include=mentions,events").json())
            for item in answer["results"]
        ]
    children = _children_cpu() - children  # the workers are reaped once the app stops
    print(
        f"  workers={workers}: {len(rows)} articles in {wall:.2f} s wall ="
        f" {len(rows) / wall:.0f} articles/s; CPU here {cpu:.2f} s"
        + (f", in workers {children:.2f} s (their start included)" if workers > 1 else "")
    )
    return stored


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        rows = _synthetic(args.articles, tmp)
        alone = _run(rows, 0, tmp)
        pooled = _run(rows, args.workers, tmp)
    print("same results" if alone == pooled else "RESULTS DIFFER")
    return 0 if alone == pooled else 1


if __name__ == "__main__":
    sys.exit(main())
