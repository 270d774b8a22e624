"""`defcoop serve` as a real process, driven over HTTP."""

import os
import subprocess
from pathlib import Path

import httpx

from app.cli import sample_path
from tests.factories import PAGE
from tests.helpers import BIN, EVAL, ROOT, running


def test_the_readme_tour_runs_top_to_bottom(tmp_path: Path) -> None:
    """docs/tour.sh (the README's tour, word for word) against a fresh `defcoop demo`: every
    request answers 2xx, and the steps that show an error get their status. The demo is SQLite,
    whichever database the suite runs on."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    with running(url, tmp_path, "demo", ready_s=120) as base:
        tour = subprocess.run(
            ["bash", str(ROOT / "docs" / "tour.sh")],
            cwd=ROOT,
            env={
                **os.environ,
                "B": base,
                "DEFCOOP_DATABASE_URL": url,  # for `defcoop keys create`
                "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            },
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert tour.returncode == 0, tour.stdout[-3000:] + tour.stderr
    lines = tour.stdout.splitlines()
    assert "409" in lines and "404" in lines  # the two errors it shows, printed by their steps
    assert tour.stderr.strip() == "created key 1 (write) for me"


def test_serve_ingest_list_filter_fetch_delete(server: tuple[str, str]) -> None:
    base, key = server
    seed_path = EVAL / "articles.jsonl"
    seed = PAGE
    if seed_path.exists():
        import json

        seed = json.loads(seed_path.read_text(encoding="utf-8").splitlines()[0])["text"]
    with httpx.Client(
        base_url=base, timeout=30, headers={"Authorization": f"Bearer {key}"}
    ) as http:
        created = http.post(
            "/v1/articles", content=seed.encode(), headers={"content-type": "text/plain"}
        )
        assert created.status_code == 201, created.text
        seed_id = created.json()["id"]
        assert created.headers["location"] == f"/v1/articles/{seed_id}"
        assert created.json()["published_at"] is not None

        bulk = http.post(
            "/v1/articles/bulk",
            content=sample_path().read_bytes(),
            headers={"content-type": "application/x-ndjson"},
        )
        assert bulk.status_code == 200 and bulk.json()["rejected"] == 0
        assert bulk.json()["created"] == 32

        listed = http.get("/v1/articles", params={"limit": 5})
        assert listed.status_code == 200 and len(listed.json()["items"]) == 5
        assert 'rel="next"' in listed.headers["link"]

        pair = http.get("/v1/articles", params={"country": ["AZE", "TUR"], "limit": 100}).json()[
            "items"
        ]
        assert len(pair) >= 3
        agreements = http.get("/v1/events", params={"type": "agreement", "country": "KEN"}).json()[
            "items"
        ]
        assert [e["countries"] for e in agreements] == [["KEN", "GBR"]]

        one = http.get(
            f"/v1/articles/{pair[0]['id']}", params={"include": "events,mentions"}
        ).json()
        assert one["events"] and one["mentions"]

        assert http.delete(f"/v1/articles/{seed_id}").status_code == 204
        gone = http.get(f"/v1/articles/{seed_id}")
        assert gone.status_code == 404
        assert gone.headers["content-type"].startswith("application/problem+json")
        garbage = http.post(
            "/v1/articles", content=b"{", headers={"content-type": "application/json"}
        )
        assert garbage.status_code == 400


def test_head_through_a_real_server_keeps_the_connection(
    server: tuple[str, str], tmp_path: Path
) -> None:
    """HEAD over uvicorn: the headers of the GET, no body, and the kept-alive connection still
    good for the next request (the server must see HEAD, not the GET it is routed as)."""
    base, _ = server
    with httpx.Client(base_url=base, timeout=10) as client:
        for path in ("/v1/articles?limit=1", "/healthz", "/v1/entities", "/docs"):
            get = client.get(path)
            head = client.head(path)
            assert head.status_code == get.status_code == 200, path
            assert (
                head.content == b"" and head.headers["content-type"] == get.headers["content-type"]
            )
        assert client.get("/healthz").status_code == 200  # the same connection, still open
    log = (tmp_path / "server.log").read_text()
    assert "Exception" not in log and "shorter than Content-Length" not in log, log
