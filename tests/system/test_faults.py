"""kill -9 in the middle of a bulk ingest: afterwards the database passes its integrity check,
every article is whole (with its mentions and events) or absent, and the ingest resumes without
duplicates."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import migrate
from benchmarks.corpus import generate
from tests.helpers import ON_POSTGRES


@pytest.mark.slow
@pytest.mark.skipif(ON_POSTGRES, reason="the fault test is about the SQLite file")
def test_kill_during_bulk_ingest_then_resume(tmp_path: Path) -> None:
    articles = 1500
    source = tmp_path / "bulk.jsonl"
    with source.open("w") as sink:
        for row in generate(articles, seed=7):
            row.pop("source")
            sink.write(json.dumps(row) + "\n")
    db = tmp_path / "fault.db"
    url = f"sqlite:///{db}"
    migrate.upgrade(url)
    env = {**os.environ, "DEFCOOP_DATABASE_URL": url}
    command = [str(Path(sys.executable).parent / "defcoop"), "ingest", str(source)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until some batches are in, then kill mid-run
        time.sleep(0.5)
        with sqlite3.connect(db) as conn:
            if conn.execute("SELECT count(*) FROM article").fetchone()[0] >= 200:
                break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = conn.execute("SELECT count(*) FROM article").fetchone()[0]
        assert 200 <= stored < articles, stored
        partial = conn.execute(
            "SELECT count(*) FROM article a WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.article_id = a.id)"
            " OR NOT EXISTS (SELECT 1 FROM mention m WHERE m.article_id = a.id)"
        ).fetchone()[0]
        assert partial == 0  # whole or absent
        orphans = conn.execute(
            "SELECT count(*) FROM event e WHERE NOT EXISTS (SELECT 1 FROM article a WHERE a.id = e.article_id)"
        ).fetchone()[0]
        assert orphans == 0

    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM article").fetchone()[0] == articles
        assert conn.execute("SELECT count(DISTINCT url) FROM article").fetchone()[0] == articles
        assert conn.execute("SELECT count(*) FROM event").fetchone()[0] == articles
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        fts = conn.execute("SELECT count(*) FROM article_fts_docsize").fetchone()[0]
        assert fts == articles  # the search index came through too
