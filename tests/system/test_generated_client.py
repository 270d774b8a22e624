"""A third-party client generated from the live /openapi.json (openapi-python-client) can
create an article, list, page with the cursor and search, and reads every error as a Problem."""

import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

GENERATOR = "openapi_python_client"
PACKAGE = "defcoop_generated"


@pytest.fixture
def generated(client: TestClient, tmp_path: Path) -> Iterator[ModuleType]:
    """The client package, generated into tmp_path and imported from there."""
    pytest.importorskip(GENERATOR, reason="openapi-python-client is in the test extra")
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(client.get("/openapi.json").json()), encoding="utf-8")
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps({"package_name_override": PACKAGE, "post_hooks": []}), encoding="utf-8"
    )
    out = tmp_path / PACKAGE  # with --meta none, the package itself
    command = [sys.executable, "-m", GENERATOR, "generate", "--path", str(spec)]
    run = subprocess.run(
        [*command, "--output-path", str(out), "--config", str(config), "--meta", "none"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # Only the bodies the generator cannot send (text/plain, text/html, JSON Lines) may be
    # missing; no model, reference or response may be dropped.
    warnings = [line for line in run.stdout.splitlines() if "Unsupported content type" in line]
    assert not any("Could not find reference" in line for line in run.stdout.splitlines())
    assert "has resulted in the removal" not in run.stdout, run.stdout
    assert "Cannot parse response" not in run.stdout, run.stdout
    assert len(warnings) <= 6, run.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.pop(0)
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]
        shutil.rmtree(out, ignore_errors=True)


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_a_generated_client_creates_lists_pages_and_searches(
    generated: ModuleType, client: TestClient, write_key: str
) -> None:
    api_client = generated.AuthenticatedClient(
        base_url="http://testserver",
        token=write_key,
        httpx_args={"transport": client._transport},  # the app itself, no network
    )
    models = _module("models")
    create = _module("api.articles.create_article")
    listing = _module("api.articles.list_articles")
    search = _module("api.search.search_articles")

    created_ids = []
    for n in range(1, 6):
        body = models.ArticleCreate(
            url=f"https://client.example/{n}",
            body=f"Story {n}. Chile and Peru signed a naval cooperation agreement in Lima.",
            published_at=f"2024-05-{n:02d}",
            source="Client Wire",
        )
        answer = create.sync_detailed(client=api_client, body=body)
        assert answer.status_code == 201, answer.content
        assert isinstance(answer.parsed, models.ArticleRead)
        assert answer.parsed.source.name == "Client Wire"
        created_ids.append(answer.parsed.id)

    again = create.sync_detailed(
        client=api_client,
        body=models.ArticleCreate(url="https://client.example/1", body="Chile and Peru met."),
        on_duplicate=models.OnDuplicate.SKIP,
    )
    assert again.status_code == 200 and again.parsed.id == created_ids[0]  # declared 200

    seen: list[int] = []
    cursor = None
    while True:
        page = listing.sync(client=api_client, limit=2, cursor=cursor, source="Client Wire")
        assert isinstance(page, models.PageArticleSummary)
        assert len(page.items) <= 2
        seen += [item.id for item in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert sorted(seen) == sorted(created_ids) and len(seen) == len(set(seen))

    found = search.sync(client=api_client, q="naval agreement", limit=10)
    assert isinstance(found, models.SearchPage)
    assert {hit.id for hit in found.items} == set(created_ids)
    assert found.total == 5


def test_a_generated_client_parses_errors_as_problems(
    generated: ModuleType, client: TestClient
) -> None:
    anonymous = generated.Client(
        base_url="http://testserver", httpx_args={"transport": client._transport}
    )
    models = _module("models")
    get = _module("api.articles.get_article")
    listing = _module("api.articles.list_articles")
    create = _module("api.articles.create_article")

    missing = get.sync_detailed(client=anonymous, article_id=999)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.Problem)
    assert missing.parsed.status == 404
    assert [(e.field, e.in_) for e in missing.parsed.errors] == [("article_id", "path")]

    bad = listing.sync_detailed(client=anonymous, cursor="not-a-cursor")
    assert bad.status_code == 400 and isinstance(bad.parsed, models.Problem)
    assert bad.parsed.errors[0].field == "cursor"

    refused = create.sync_detailed(
        client=anonymous, body=models.ArticleCreate(body="Chile and Peru met.")
    )
    assert refused.status_code == 401 and isinstance(refused.parsed, models.Problem)
    assert refused.parsed.errors[0].in_ == "header"
