"""API keys: writes need a write key; reads are open unless configured; keys stay secret."""

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.main import create_app
from app.services.keys import Scope, create_key, revoke_key
from tests.factories import article_payload
from tests.helpers import assert_problem


def _key(db, scope: Scope) -> tuple[int, str]:
    with db[2]() as session:
        made = create_key(session, name=f"{scope} key", scope=scope)
        session.commit()
        return made.key.id, made.secret


def test_writes_need_a_write_key(app, db) -> None:
    anonymous = TestClient(app)
    missing = anonymous.post("/v1/articles", json=article_payload())
    assert_problem(missing, 401)
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert_problem(
        anonymous.post(
            "/v1/articles", json=article_payload(), headers={"Authorization": "Bearer nope"}
        ),
        401,
    )
    _, read = _key(db, Scope.read)
    assert_problem(
        anonymous.post("/v1/articles", json=article_payload(), headers={"X-API-Key": read}), 403
    )
    _, write = _key(db, Scope.write)
    created = anonymous.post("/v1/articles", json=article_payload(), headers={"X-API-Key": write})
    assert created.status_code == 201
    article_id = created.json()["id"]
    for method, path in (
        ("PATCH", f"/v1/articles/{article_id}"),
        ("DELETE", f"/v1/articles/{article_id}"),
        ("POST", "/v1/articles/bulk"),
    ):
        assert_problem(anonymous.request(method, path, json={}), 401)
    assert anonymous.get("/v1/articles").status_code == 200  # reads are open by default
    assert anonymous.post("/v1/extract", json={"body": "Chile and Peru met."}).status_code == 200


def test_revoked_keys_stop_working(app, db) -> None:
    key_id, secret = _key(db, Scope.write)
    client = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    assert client.post("/v1/articles", json=article_payload(1)).status_code == 201
    with db[2]() as session:
        revoke_key(session, key_id=key_id)
        session.commit()
    assert_problem(client.post("/v1/articles", json=article_payload(2)), 401)


def test_reads_can_require_a_key(db) -> None:
    settings, engine, factory = db
    app = create_app(
        Settings(database_url=settings.database_url, require_read_key=True), engine=engine
    )
    app.state.session_factory = factory
    _, read = _key(db, Scope.read)
    with TestClient(app) as client:
        assert_problem(client.get("/v1/articles"), 401)
        assert client.get("/v1/articles", headers={"X-API-Key": read}).status_code == 200
        assert client.get("/healthz").status_code == 200  # health stays open
        assert_problem(
            client.post("/v1/articles", json=article_payload(), headers={"X-API-Key": read}), 403
        )


def test_keys_cli(scratch_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from app import migrate
    from app.config import get_settings

    migrate.upgrade(scratch_url)
    monkeypatch.setenv("DEFCOOP_DATABASE_URL", scratch_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        made = runner.invoke(cli, ["keys", "create", "--name", "analyst", "--scope", "read"])
        assert made.exit_code == 0, made.output
        secret = made.output.strip().splitlines()[-1]
        assert secret.startswith("dc_") and len(secret) > 40
        listed = runner.invoke(cli, ["keys", "list"]).output
        assert "analyst" in listed and "read" in listed and secret not in listed
        assert runner.invoke(cli, ["keys", "revoke", "1"]).exit_code == 0
        assert "revoked" in runner.invoke(cli, ["keys", "list"]).output
        assert runner.invoke(cli, ["keys", "revoke", "99"]).exit_code == 1
        assert (
            runner.invoke(cli, ["keys", "create", "--name", "x", "--scope", "admin"]).exit_code != 0
        )
    finally:
        get_settings.cache_clear()
