"""Analysts' merge and split over HTTP: write key, problems for bad input, the decision listed
on the happening and in the change feed, and kept when everything is linked again."""

from typing import Any

from fastapi.testclient import TestClient

from app.services.happening import recluster
from tests.helpers import assert_problem
from tests.services.test_happening_linking import post, visit


def _happening_of(client: TestClient, article_id: int) -> dict[str, Any]:
    article = client.get(f"/v1/articles/{article_id}").json()
    [happening_id] = article["happenings"]
    body: dict[str, Any] = client.get(f"/v1/happenings/{happening_id}").json()
    return body


def _setup(client: TestClient) -> tuple[int, int, int]:
    a = post(client, visit(1, date="2024-03-11", published="2024-03-11"))
    b = post(client, visit(2, date="2024-03-11", published="2024-03-12"))
    c = post(client, visit(3, date="2024-06-01", published="2024-06-01"))
    return a, b, c


def test_split_then_merge_over_http(client: TestClient, db: Any) -> None:
    a, b, c = _setup(client)
    whole = _happening_of(client, a)
    assert whole["num_reports"] == 2 and _happening_of(client, c)["num_reports"] == 1
    moved = [r["event_id"] for r in whole["reports"]["items"] if r["article_id"] == b]
    response = client.post(
        f"/v1/happenings/{whole['id']}/split", json={"events": moved, "note": "two visits"}
    )
    assert response.status_code == 201, response.text
    fresh = response.json()
    assert response.headers["location"] == f"/v1/happenings/{fresh['id']}"
    assert [r["article_id"] for r in fresh["reports"]["items"]] == [b]
    [decision] = fresh["decisions"]
    assert decision["action"] == "split" and decision["actor"] == "tests"
    assert decision["note"] == "two visits"
    assert _happening_of(client, a)["num_reports"] == 1
    # b's report now goes with c's
    target = _happening_of(client, c)
    response = client.post(
        f"/v1/happenings/{target['id']}/merge", json={"happening_id": fresh["id"]}
    )
    assert response.status_code == 200, response.text
    merged = response.json()
    assert sorted(r["article_id"] for r in merged["reports"]["items"]) == [b, c]
    assert [d["action"] for d in merged["decisions"]] == ["split", "merge"]
    assert client.get(f"/v1/happenings/{fresh['id']}").status_code == 404
    feed = client.get("/v1/changes", params={"limit": 100}).json()["items"]
    assert {"kind": "happening", "object_id": fresh["id"], "action": "deleted"} in [
        {k: c[k] for k in ("kind", "object_id", "action")} for c in feed
    ]
    # everything linked again from the rows: the decisions still hold
    with db[2]() as session:
        recluster(session)
        session.commit()
    assert sorted(r["article_id"] for r in _happening_of(client, c)["reports"]["items"]) == [b, c]
    assert [r["article_id"] for r in _happening_of(client, a)["reports"]["items"]] == [a]


def test_bad_decisions_are_problems(client: TestClient, app: Any) -> None:
    a, _b, c = _setup(client)
    whole = _happening_of(client, a)
    other = _happening_of(client, c)
    path = f"/v1/happenings/{whole['id']}"
    assert_problem(client.post(f"{path}/merge", json={"happening_id": whole["id"]}), 422)
    assert_problem(client.post(f"{path}/merge", json={"happening_id": 999999}), 422)
    assert_problem(client.post(f"{path}/merge", json={"happening_id": 0}), 422)
    assert_problem(client.post(f"{path}/merge", json={"happening": other["id"]}), 422)
    assert_problem(client.post(f"{path}/split", json={"events": []}), 422)
    everything = [r["event_id"] for r in whole["reports"]["items"]]
    assert_problem(client.post(f"{path}/split", json={"events": everything}), 422, "events")
    stranger = other["reports"]["items"][0]["event_id"]
    assert_problem(client.post(f"{path}/split", json={"events": [stranger]}), 422, "events")
    assert_problem(client.post("/v1/happenings/999999/split", json={"events": [1]}), 404)
    with TestClient(app) as anonymous:
        response = anonymous.post(f"{path}/merge", json={"happening_id": other["id"]})
        assert_problem(response, 401)
    assert _happening_of(client, a)["num_reports"] == 2  # nothing changed
