"""GET /v1/search on the engine of the database under test (FTS5 or tsvector)."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.models import Article
from app.search.engines import engine_for
from app.search.query import And, Not, Or, Phrase, QuerySyntaxError, Term, parse
from tests.factories import create
from tests.helpers import assert_problem

DOCS = [
    (
        "Navy drills in the Black Sea",
        "Turkish and Romanian navies held joint drills in the Black Sea on Monday.",
    ),
    (
        "Türkiye buys drones",
        "Türkiye signed a contract for new drones. Cooperation with the maker will grow.",
    ),
    (
        "Army exercise in Poland",
        "Polish and American troops began an exercise near Warsaw. The <b>exercise</b> lasts a week.",
    ),
    (
        "Cooperative training",
        "Kenyan officers attended a course on maritime security cooperation in Mombasa.",
    ),
    ("Submarine talks", "Officials discussed submarines and frigates; no drills were planned."),
]


@pytest.fixture
def corpus(client: TestClient) -> list[dict]:
    made = []
    for n, (title, body) in enumerate(DOCS, 1):
        made.append(create(client, n, title=title, body=body, entities=[], events=[]))
    return made


def search(client: TestClient, **params) -> dict:
    response = client.get("/v1/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def titles(body: dict) -> list[str]:
    return [item["title"] for item in body["items"]]


def test_query_language_parses_into_a_tree() -> None:
    assert parse('navy "black sea" OR drills -russia cooperat* (a OR b)') == And(
        (
            Term("navy"),
            Or((Phrase(("black", "sea")), Term("drills"))),
            Not(Term("russia")),
            Term("cooperat", prefix=True),
            Or((Term("a"), Term("b"))),
        )
    )
    assert parse("F-16") == Phrase(("f", "16"))
    for bad in [
        '"open',
        "(a",
        "a)",
        "OR",
        "a OR",
        "*",
        "-",
        "NOT a",
        "()",
        "x" * 501,
        "a AND",
        "-(-a)",
    ]:
        with pytest.raises(QuerySyntaxError):
            parse(bad)


def test_words_phrases_or_not_prefix(client: TestClient, corpus: list[dict]) -> None:
    assert set(titles(search(client, q="drills"))) == {
        "Navy drills in the Black Sea",
        "Submarine talks",
    }
    assert titles(search(client, q='"black sea"')) == ["Navy drills in the Black Sea"]
    assert titles(search(client, q="drills -submarines")) == ["Navy drills in the Black Sea"]
    assert set(titles(search(client, q="drones OR exercise"))) == {
        "Türkiye buys drones",
        "Army exercise in Poland",
    }
    assert set(titles(search(client, q="cooperat*"))) == {
        "Türkiye buys drones",
        "Cooperative training",
    }
    grouped = set(titles(search(client, q="(navy OR army) (drills OR exercise) -submarines")))
    assert grouped == {"Army exercise in Poland", "Navy drills in the Black Sea"}
    # OR binds tighter than the implicit AND: navy AND (drills OR drones)
    assert titles(search(client, q="navy drills OR drones")) == ["Navy drills in the Black Sea"]


def test_stemming_diacritics_and_expansion(client: TestClient, corpus: list[dict]) -> None:
    assert "Navy drills in the Black Sea" in titles(search(client, q="drill"))
    assert titles(search(client, q="Turkiye", expand="false")) == ["Türkiye buys drones"]
    expanded = set(titles(search(client, q="Turkey")))
    assert expanded == {
        "Türkiye buys drones",
        "Navy drills in the Black Sea",
    }  # "Türkiye", "Turkish"
    assert search(client, q="Turkey", expand="false")["items"] == []


def test_ranking_title_above_body_and_scores(client: TestClient, corpus: list[dict]) -> None:
    body = search(client, q="exercise OR drills")
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert body["items"][0]["title"] in {"Army exercise in Poland", "Navy drills in the Black Sea"}
    assert titles(search(client, q="drills"))[0] == "Navy drills in the Black Sea"  # in the title


def test_highlights_mark_matches_and_escape_the_rest(
    client: TestClient, corpus: list[dict]
) -> None:
    item = search(client, q="exercise")["items"][0]
    assert item["highlights"]["title"] == "Army <mark>exercise</mark> in Poland"
    snippet = " ".join(item["highlights"]["snippets"])
    assert "&lt;b&gt;<mark>exercise</mark>&lt;/b&gt;" in snippet and "<b>" not in snippet
    custom = search(client, q="exercise", highlight_pre="[", highlight_post="]")["items"][0]
    assert custom["highlights"]["title"] == "Army [exercise] in Poland"


def test_filters_sort_total_and_cursor(client: TestClient, corpus: list[dict]) -> None:
    everything = search(client, q="navy OR officials OR drones OR exercise OR course", limit=2)
    assert everything["total"] == 5 and everything["total_is_exact"] is True
    seen = [i["id"] for i in everything["items"]]
    cursor = everything["next_cursor"]
    for _ in range(10):
        if not cursor:
            break
        page = search(
            client, q="navy OR officials OR drones OR exercise OR course", limit=2, cursor=cursor
        )
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert sorted(seen) == sorted(a["id"] for a in corpus)
    newest = search(
        client, q="navy OR officials OR drones OR exercise OR course", sort="-published_at"
    )
    dates = [i["published_at"] for i in newest["items"]]
    assert dates == sorted(dates, reverse=True)
    dated = search(
        client, q="navy OR officials OR drones OR exercise OR course", published_from="2024-03-03"
    )
    assert {i["id"] for i in dated["items"]} == {a["id"] for a in corpus[2:]}
    assert search(client, q="drones", source="nope")["total"] == 0
    capped = client.app.state.settings  # type: ignore[attr-defined]
    capped.search_total_cap = 2
    assert (
        search(client, q="navy OR officials OR drones OR exercise OR course")["total_is_exact"]
        is False
    )


def test_facets_count_the_whole_result(client: TestClient) -> None:
    for n in range(1, 4):
        create(client, n)
    create(
        client,
        4,
        entities=[{"kind": "country", "code": "GEO"}],
        events=[{"type": "exercise", "countries": ["GEO"]}],
    )
    body = search(
        client,
        q="story",
        facets="country,event_type,year,month,source,person,entity_kind",
        limit=1,
        facet_size=2,
    )
    assert len(body["items"]) == 1 and body["total"] == 4
    country = body["facets"]["country"]
    assert country["values"][0] == {"value": "AZE", "count": 3, "label": "Azerbaijan"}
    assert country["truncated"] is True and len(country["values"]) == 2
    assert {"value": "2024", "count": 4, "label": None} in body["facets"]["year"]["values"]
    assert body["facets"]["source"]["values"][0]["count"] == 4
    assert body["facets"]["event_type"]["values"][0] == {
        "value": "agreement",
        "count": 3,
        "label": None,
    }


def test_dyad_filter(client: TestClient) -> None:
    create(client, 1)
    create(client, 2, events=[{"type": "visit", "countries": ["AZE", "GEO"]}])
    assert [i["id"] for i in search(client, q="story", dyad="TUR-AZE")["items"]] == [
        client.get("/v1/articles", params={"sort": "published_at"}).json()["items"][0]["id"]
    ]
    assert search(client, q="story", dyad="Azerbaijan-Georgia")["total"] == 1
    assert_problem(client.get("/v1/search", params={"q": "x", "dyad": "AZE-AZE"}), 400, "dyad")
    assert_problem(client.get("/v1/search", params={"q": "x", "dyad": "AZE"}), 400, "dyad")
    assert_problem(client.get("/v1/articles", params={"dyad": "AZE-ATL"}), 400, "dyad")


def test_agency_filter(client: TestClient) -> None:
    """The top-k index beside SQLite holds no agency: the database answers that filter."""
    wired = [create(client, n, agency="CDW")["id"] for n in range(1, 4)]
    create(client, 4, agency="Rift Wire")
    create(client, 5)
    body = search(client, q="story", agency="cdw", limit=2)
    assert body["total"] == 3 and body["query"]["engine"] != "tantivy"
    seen = [i["id"] for i in body["items"]]
    next_page = search(client, cursor=body["next_cursor"])
    seen += [i["id"] for i in next_page["items"]]
    assert sorted(seen) == wired and next_page["next_cursor"] is None
    assert [i["agency"] for i in next_page["items"]] == ["CDW"]
    assert search(client, q="story", agency="Rift Wire")["total"] == 1
    assert search(client, q="story")["total"] == 5


@pytest.mark.parametrize(
    "q",
    ['"unbalanced', "(a OR b", "a)", "OR", "-", "*", "NEAR(", "a AND", "x" * 501, "NOT drills"],
)
def test_hostile_queries_are_400(client: TestClient, corpus: list[dict], q: str) -> None:
    response = client.get("/v1/search", params={"q": q})
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "q",
    [
        "title:drones",
        "drills; DROP TABLE article;--",
        "' OR 1=1 --",
        "😀 drills 🚢",
        "\\",
        "%_%",
        "drills\x07",
    ],
)
def test_odd_text_is_searched_as_text(client: TestClient, corpus: list[dict], q: str) -> None:
    response = client.get("/v1/search", params={"q": q})
    assert response.status_code in (200, 400), response.text
    assert client.get("/v1/articles").json()["items"]


def test_raw_mode_is_validated(client: TestClient, corpus: list[dict], session) -> None:
    dialect = session.get_bind().dialect.name
    good = "drills AND navy" if dialect == "sqlite" else "drills & navy"
    assert titles(search(client, q=good, mode="raw")) == ["Navy drills in the Black Sea"]
    bad = "NEAR(" if dialect == "sqlite" else "drills & & navy"
    assert_problem(client.get("/v1/search", params={"q": bad, "mode": "raw"}), 400, "q")


def test_bad_parameters(client: TestClient) -> None:
    assert_problem(client.get("/v1/search"), 422, "q")
    assert_problem(client.get("/v1/search", params={"q": "x", "sort": "score"}), 422, "sort")
    assert_problem(client.get("/v1/search", params={"q": "x", "facets": "colour"}), 400, "facets")
    assert_problem(client.get("/v1/search", params={"q": "x", "facet_size": 0}), 422, "facet_size")
    assert_problem(client.get("/v1/search", params={"q": "x", "mode": "regex"}), 422, "mode")
    assert_problem(client.get("/v1/search", params={"q": "x", "cursor": "bogus"}), 400, "cursor")


def test_index_stays_in_step_with_the_table(client: TestClient, session) -> None:
    engine = engine_for(session)

    def counts() -> tuple[int, int]:
        session.rollback()  # see the app's committed work
        engine.check(session)
        found = (
            engine.indexed_count(session),
            session.scalar(select(func.count()).select_from(Article)) or 0,
        )
        session.rollback()  # and hold no lock while the app writes
        return found

    first = create(client, 1, title="Alpha drills", body="Alpha body text.")
    assert counts() == (1, 1)
    second = create(client, 2, title="Beta drills", body="Beta body text.")
    assert counts() == (2, 2)
    client.patch(f"/v1/articles/{first['id']}", json={"title": "Gamma exercise"})
    assert titles(search(client, q="gamma")) == ["Gamma exercise"]
    assert titles(search(client, q="drills")) == ["Beta drills"]  # the old title is gone
    client.delete(f"/v1/articles/{second['id']}")
    assert counts() == (1, 1)
    assert search(client, q="beta")["items"] == []


def test_similar_articles(client: TestClient) -> None:
    navy = create(
        client,
        1,
        title="Black Sea navy drills",
        body="Turkish navy frigates held drills in the Black Sea with Romanian frigates.",
        entities=[],
        events=[],
    )
    create(
        client,
        2,
        title="More frigate drills",
        body="Romanian frigates and Turkish frigates repeated drills near the Black Sea coast.",
        entities=[],
        events=[],
    )
    create(
        client,
        3,
        title="Budget talks",
        body="The parliament debated the budget for schools and hospitals.",
        entities=[],
        events=[],
    )
    create(
        client,
        4,
        url="https://mirror.example/1",
        title="Black Sea navy drills",
        body=navy["body"],
        entities=[],
        events=[],
    )
    response = client.get(f"/v1/articles/{navy['id']}/similar", params={"limit": 5})
    assert response.status_code == 200, response.text
    page = response.json()  # a ranked top list: one page, no cursor (issue 12)
    assert page["limit"] == 5 and page["next_cursor"] is None and "link" not in response.headers
    found = [a["title"] for a in page["items"]]
    assert found[0] == "More frigate drills"
    assert "Budget talks" not in found and navy["id"] not in [a["id"] for a in page["items"]]
    assert all(a["duplicate_of"] != navy["id"] for a in page["items"])
    assert_problem(client.get("/v1/articles/999/similar"), 404)
    assert_problem(client.get(f"/v1/articles/{navy['id']}/similar", params={"limit": 0}), 422)
    # over the maximum (50) is clamped to it, as every list's limit is
    clamped = client.get(f"/v1/articles/{navy['id']}/similar", params={"limit": 60})
    assert clamped.status_code == 200 and clamped.json()["limit"] == 50
    assert client.get(f"/v1/articles/{navy['id']}/similar").json()["limit"] == 10


def test_reindex_command(scratch_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from typer.testing import CliRunner

    from app import migrate
    from app.cli import cli
    from app.config import get_settings

    migrate.upgrade(scratch_url)
    monkeypatch.setenv("DEFCOOP_DATABASE_URL", scratch_url)
    get_settings.cache_clear()
    try:
        page = tmp_path / "a.jsonl"
        page.write_text(
            '{"body": "Chile and Peru held naval drills."}\n{"body": "Peru bought frigates."}\n'
        )
        runner = CliRunner()
        assert runner.invoke(cli, ["ingest", str(page)]).exit_code == 0
        result = runner.invoke(cli, ["reindex"])
        assert result.exit_code == 0, result.output
        assert "2 of 2 articles indexed" in result.output
        if scratch_url.startswith("sqlite"):
            assert "2 in the top-k index" in result.output
    finally:
        get_settings.cache_clear()


def test_a_search_past_its_time_limit_is_a_503(
    app, client: TestClient, corpus: list[dict], session
) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("a 1 ms statement_timeout is not reliably reached on a tiny PostgreSQL table")
    app.state.settings.search_time_limit_s = 1e-9
    response = client.get(
        "/v1/search", params={"q": "navy OR drones OR exercise OR course", "facets": "country,year"}
    )
    assert_problem(response, 503)
    assert response.headers["retry-after"] == "1"
    app.state.settings.search_time_limit_s = 5.0
    assert client.get("/v1/search", params={"q": "navy"}).status_code == 200


def test_highlighting_is_safe_across_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from app.search.highlight import _stemmer

    words = ["cooperation", "exercises", "submarines", "ministries", "generalization"] * 400

    def stem_all(chunk: list[str]) -> list[str]:
        return [str(_stemmer().stemWord(w)) for w in chunk]

    expected = stem_all(words)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(stem_all, [words] * 8))
    assert all(r == expected for r in results)
