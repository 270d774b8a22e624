"""Extraction through the API and the CLI: stored with offsets, dry runs, re-extraction."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.extraction import PIPELINE_VERSION
from tests.helpers import EVAL, assert_problem

PAGE = """ date 2024-03-12 By Test Writer

Kenya and Britain extend training pact

Kenyan Defence Cabinet Secretary Grace Wanjiru met British Armed Forces Minister James Holloway in Nairobi on Monday.

The two countries signed an agreement extending the British Army Training Unit Kenya for five years.

Holloway said the partnership "keeps both our armies ready".
"""


def _post_page(
    client: TestClient, text: str = PAGE, url: str = "https://rift.example/2024/03/12/pact"
) -> dict:
    response = client.post(
        "/v1/articles",
        content=text.encode(),
        headers={"content-type": "text/plain"},
        params={"url": url},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_ingest_extracts_and_stores_entities_and_events(client: TestClient) -> None:
    body = _post_page(client)
    assert body["extractor_version"] == PIPELINE_VERSION and body["extraction_note"] is None
    for mention in body["mentions"]:
        assert body["body"][mention["start"] : mention["end"]] == mention["surface"]
        assert mention["sentence_index"] is not None
    names = {(m["entity"]["kind"], m["entity"]["name"]) for m in body["mentions"]}
    assert {("country", "Kenya"), ("country", "United Kingdom"), ("person", "Grace Wanjiru"),
            ("person", "James Holloway"), ("location", "Nairobi")} <= names  # fmt: skip
    events = {e["type"]: e for e in body["events"]}
    assert {"meeting", "agreement", "statement"} <= set(events)
    meeting = events["meeting"]
    assert set(meeting["countries"]) == {"KEN", "GBR"} and meeting["date"] == "2024-03-11"
    assert meeting["date_text"] == "Monday" and meeting["cameo_code"] == "040"
    assert (
        body["body"][meeting["evidence"]["start"] : meeting["evidence"]["end"]]
        == meeting["evidence"]["text"]
    )
    people = {
        p["entity"]["name"] for p in meeting["participants"] if p["entity"]["kind"] == "person"
    }
    assert people == {"Grace Wanjiru", "James Holloway"}
    assert {
        p["role"] for p in events["agreement"]["participants"] if p["entity"]["kind"] == "country"
    } == {"signatory"}
    holloway = client.get("/v1/entities", params={"kind": "person", "q": "james"}).json()["items"][
        0
    ]
    assert holloway["country"] == "GBR" and holloway["title"] == "Armed Forces Minister"
    pair = client.get("/v1/events", params={"country": ["KEN", "GBR"], "type": "agreement"}).json()[
        "items"
    ]
    assert len(pair) == 1


def test_the_same_person_in_two_articles_is_one_entity(client: TestClient) -> None:
    _post_page(client)
    _post_page(
        client,
        PAGE.replace("Monday", "Tuesday").replace("five years", "ten years"),
        "https://b.example/2",
    )
    people = client.get("/v1/entities", params={"kind": "person"}).json()["items"]
    holloway = [p for p in people if p["name"] == "James Holloway"]
    assert len(holloway) == 1 and holloway[0]["article_count"] == 2


def test_dry_run_stores_nothing(client: TestClient) -> None:
    response = client.post(
        "/v1/extract", content=PAGE.encode(), headers={"content-type": "text/plain"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "Kenya and Britain extend training pact"
    assert body["published_at"] == "2024-03-12" and body["author"] == "Test Writer"
    assert body["extractor_version"] == PIPELINE_VERSION
    assert {e["name"] for e in body["entities"] if e["kind"] == "person"} == {
        "Grace Wanjiru",
        "James Holloway",
    }
    assert all(
        body["body"][m["start"] : m["end"]] == m["text"]
        for e in body["entities"]
        for m in e["mentions"]
    )
    assert {e["type"] for e in body["events"]} >= {"meeting", "agreement"}
    json_run = client.post(
        "/v1/extract",
        json={"body": "Chile and Peru signed a naval pact.", "published_at": "2024-01-05"},
    )
    assert json_run.status_code == 200 and json_run.json()["events"][0]["type"] == "agreement"
    assert client.get("/v1/articles").json()["items"] == []
    assert client.get("/v1/entities").json()["items"] == []
    assert_problem(client.post("/v1/extract", json={"body": 3}), 422)
    assert_problem(
        client.post("/v1/extract", content=b"\xff", headers={"content-type": "text/plain"}), 400
    )
    assert_problem(
        client.post(
            "/v1/extract",
            content=b" date 2020-01-01\n---\nFollow us",
            headers={"content-type": "text/plain"},
        ),
        422,
    )


@pytest.mark.parametrize(
    ("text", "status"),
    [
        pytest.param(
            "Министр обороны Турции Хулуси Акар встретился с коллегой в Баку.", 201, id="russian"
        ),
        pytest.param("\u0000\u0001 binary ÿþ garbage 𝔘𝔫𝔦 \x7f", 201, id="control-characters"),
        pytest.param(
            "Chile 中文 and Peru العربية signed 𝔘𝔫𝔦 a pact ✈ today.", 201, id="mixed-scripts"
        ),
        pytest.param("word " * 400_000, 201, id="two-megabytes-under-the-limit"),
        pytest.param("word " * 1_100_000, 413, id="over-the-body-limit"),
        pytest.param(" \n\t \u00a0\n", 422, id="only-white-space"),
    ],
)
def test_odd_pages_are_stored_without_crashing(client: TestClient, text: str, status: int) -> None:
    response = client.post(
        "/v1/articles", content=text.encode(), headers={"content-type": "text/plain"}
    )
    assert response.status_code == status, response.text
    if status != 201:
        assert_problem(response, status, "body" if status == 413 else "text")
    elif response.json()["language"] not in (None, "en"):
        # a language with a rules file gets its countries (tests/extraction/test_languages.py),
        # one without says why
        body = response.json()
        assert body["mentions"] or "language" in (body["extraction_note"] or "")


def test_time_budget_stores_the_article_without_data_and_reextract_retries(
    app, client: TestClient, db, monkeypatch
) -> None:
    app.state.settings.extraction_budget_s = 1e-9
    body = _post_page(client)
    assert body["mentions"] == [] and body["events"] == []
    assert "time budget" in body["extraction_note"] and body["extractor_version"] is None
    settings, _engine, _factory = db
    monkeypatch.setenv("DEFCOOP_DATABASE_URL", settings.database_url)
    from app.config import get_settings

    get_settings.cache_clear()
    if settings.database_url.startswith("postgresql"):
        pytest.skip("the CLI commits in its own transaction; the PostgreSQL fixture rolls back")
    try:
        result = CliRunner().invoke(cli, ["reextract", "--stale"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "articles 1" in result.output
    again = client.get(f"/v1/articles/{body['id']}", params={"include": "events"}).json()
    assert again["extractor_version"] == PIPELINE_VERSION and again["events"]


def test_reextract_cli_options(tmp_path: Path, scratch_url: str, monkeypatch) -> None:
    from app import migrate
    from app.config import get_settings

    migrate.upgrade(scratch_url)
    monkeypatch.setenv("DEFCOOP_DATABASE_URL", scratch_url)
    get_settings.cache_clear()
    try:
        page = tmp_path / "page.txt"
        page.write_text(PAGE, encoding="utf-8")
        runner = CliRunner()
        assert runner.invoke(cli, ["ingest", str(page)]).exit_code == 0
        assert runner.invoke(cli, ["reextract"]).exit_code != 0
        stale = runner.invoke(cli, ["reextract", "--stale"])
        assert "nothing to do" in stale.output
        every = runner.invoke(cli, ["reextract", "--all"])
        assert every.exit_code == 0 and "articles 1" in every.output
        one = runner.invoke(cli, ["reextract", "--article", "1"])
        assert one.exit_code == 0 and "articles 1" in one.output
        missing = runner.invoke(cli, ["reextract", "--article", "99"])
        assert missing.exit_code == 1
    finally:
        get_settings.cache_clear()


def test_extract_cli_writes_scorer_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "k1", "url": "https://rift.example/a", "text": PAGE}) + "\n{broken\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["extract", "--input", str(source), "--output", str(target)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["k1"]
    row = rows[0]
    assert row["published_at"] == "2024-03-12" and row["lang"] == "en"
    assert {"kind": "country", "name": "Kenya", "code": "KEN"}.items() <= next(
        e for e in row["entities"] if e.get("code") == "KEN"
    ).items()
    assert any(e["type"] == "meeting" and e["date"] == "2024-03-11" for e in row["events"])


def test_seed_article_alone_gives_its_dated_events(client: TestClient, eval_articles) -> None:
    seed = next(a for a in eval_articles if a["id"] == "seed")
    body = client.post(
        "/v1/articles", content=seed["text"].encode(), headers={"content-type": "text/plain"}
    ).json()
    dated = {
        (e["type"], e["date"]) for e in body["events"] if set(e["countries"]) >= {"AZE", "TUR"}
    }
    assert {("visit", "2022-02-01"), ("agreement", "2021-06-15"), ("agreement", "1992")} <= dated


def test_extract_cli_writes_the_agency_as_the_guidelines_author(tmp_path: Path) -> None:
    """The gold guideline's `author` is "the byline's person or agency": the person where the
    page names one, else the wire; `agency` carries the wire alone."""
    wire = PAGE.replace(" By Test Writer", "").replace(
        "Kenyan Defence", "NAIROBI (RFW) – Kenyan Defence"
    )
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in (("k1", PAGE), ("k2", wire))),
        encoding="utf-8",
    )
    target = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["extract", "--input", str(source), "--output", str(target)])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in map(json.loads, target.read_text().splitlines())}
    assert (rows["k1"]["author"], rows["k1"]["agency"]) == ("Test Writer", None)
    assert (rows["k2"]["author"], rows["k2"]["agency"]) == ("RFW", "RFW")


def test_extraction_quality_bars_on_gold(eval_articles, scorer) -> None:
    from app.extraction import extract
    from app.extraction.base import Document
    from app.extraction.scorer_json import as_json
    from app.ingest.page import parse_page

    score = scorer
    gold = score.read_jsonl(str(EVAL / "gold.jsonl"))
    predictions = {}
    for article in eval_articles:
        if article["id"] not in gold:
            continue
        page = parse_page(article["text"], url=article["url"])
        day = (
            page.published.value
            if page.published and page.published.precision.value == "day"
            else None
        )
        result = extract(Document(text=page.body, published=day, language=page.language))
        predictions[article["id"]] = {
            "published_at": page.published.iso() if page.published else None,
            # the guideline's author is "the byline's person or agency", as `defcoop extract` writes
            "author": page.byline,
            **as_json(result),
        }
    scores = score.score(gold, predictions)
    assert scores["entities"]["all"]["f1"] >= 0.85
    assert scores["entities"]["country"]["f1"] >= 0.95
    assert scores["entities"]["person"]["f1"] >= 0.85
    assert scores["events"]["type+countries"]["f1"] >= 0.70
    assert scores["events"]["type+countries+date"]["f1"] >= 0.60
    assert scores["metadata"]["published_at"] >= 0.90


ROLES_PAGE = """ date 2024-05-02 By Test Writer

Korea hands over tanks to Poland

South Korea delivered 24 K2 tanks to Poland on Tuesday, the ministry said.

Polish Defence Minister Jan Nowak visited Seoul on Wednesday for talks with his counterpart.
"""


def _country_roles(event: dict) -> dict[str, str]:
    return {
        p["entity"]["code"]: p["role"]
        for p in event["participants"]
        if p["entity"]["kind"] == "country"
    }


def test_extracted_roles_are_stored_and_shown_by_the_dry_run(client: TestClient) -> None:
    stored = _post_page(client, ROLES_PAGE, "https://roles.example/1")
    events = {e["type"]: e for e in stored["events"]}
    assert _country_roles(events["arms_transfer"]) == {"KOR": "supplier", "POL": "recipient"}
    assert _country_roles(events["visit"]) == {"POL": "visitor", "KOR": "host"}
    dry = client.post(
        "/v1/extract", content=ROLES_PAGE.encode(), headers={"content-type": "text/plain"}
    ).json()
    shown = {e["type"]: e for e in dry["events"]}
    for event_type in ("arms_transfer", "visit"):
        participants = shown[event_type]["participants"]
        assert [p["country"] for p in participants] == shown[event_type]["countries"]
        assert {p["country"]: p["role"] for p in participants} == _country_roles(events[event_type])


def test_curated_roles_are_stored_and_returned(client: TestClient) -> None:
    event = {
        "type": "arms_transfer",
        "date": "2024-05-01",
        "countries": ["KOR"],
        "roles": {"Poland": "recipient", "KOR": "supplier"},
    }
    body = {
        "url": "https://roles.example/curated",
        "body": "South Korea delivered 24 K2 tanks to Poland on Tuesday.",
        "events": [event, {"type": "meeting", "countries": ["KOR", "POL"]}],
    }
    created = client.post("/v1/articles", json=body)
    assert created.status_code == 201, created.text
    events = client.get("/v1/events", params={"article": created.json()["id"]}).json()["items"]
    by_type = {e["type"]: e for e in events}
    assert by_type["arms_transfer"]["countries"] == ["KOR", "POL"]  # a state with a role takes part
    assert _country_roles(by_type["arms_transfer"]) == {"KOR": "supplier", "POL": "recipient"}
    assert _country_roles(by_type["meeting"]) == {"KOR": "participant", "POL": "participant"}
    # the bulk path stores rows its own way: the roles go with them
    line = json.dumps({**body, "url": "https://roles.example/bulk"})
    bulk = client.post("/v1/articles/bulk", content=line + "\n").json()
    assert bulk["created"] == 1, bulk
    article_id = bulk["results"][0]["article_id"]
    again = client.get("/v1/events", params={"article": article_id, "type": "arms_transfer"})
    assert _country_roles(again.json()["items"][0]) == {"KOR": "supplier", "POL": "recipient"}


@pytest.mark.parametrize(
    ("roles", "field"),
    [
        ({"KOR": "seller"}, "events.0.roles.KOR"),
        ({"Atlantis": "supplier"}, "events.0.roles"),
        ({"POL": "recipient", "Poland": "supplier"}, "events.0.roles"),
        (["KOR", "supplier"], "events.0.roles"),
    ],
)
def test_curated_roles_are_checked(client: TestClient, roles: object, field: str) -> None:
    body = {
        "body": "South Korea delivered tanks to Poland.",
        "events": [{"type": "arms_transfer", "countries": ["KOR", "POL"], "roles": roles}],
    }
    assert_problem(client.post("/v1/articles", json=body), 422, field)
    assert client.get("/v1/articles").json()["items"] == []
