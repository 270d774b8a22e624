"""API time of the explorer's views (issue 15 budgets 100 ms per view on the 100,000-article
database): the calls each view makes when it opens, as it makes them, over HTTP.

    python benchmarks/explorer_views.py --db .bench/search-100k.db

Starts `defcoop serve` (one worker) on the database and prints, per view, p50 and p95 of the
sum of its calls' times, one after another (the article and entity views make theirs in
parallel, so the page waits for less than the sum: it is the cautious figure). The article is
the newest; the entities are the one named in the most articles (the heaviest page) and
the median person; the happening is the one with the most reports among the latest 200.
"""

import argparse
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import httpx
from serving import serving

ROOT = Path(__file__).resolve().parent.parent

# (view, [(path, params)]): what each view asks for when it opens (views/<name>.js)
Call = tuple[str, dict[str, str]]
FACETS = {"facets": "country,source,event_type,year"}
VIEWS: list[tuple[str, list[Call]]] = [
    ("search: newest (landing page)", [("/v1/articles", {"limit": "20", "sort": "-published_at"})]),
    (
        "search: newest in AZE",
        [("/v1/articles", {"limit": "20", "sort": "-published_at", "country": "AZE"})],
    ),
    ("search: agreement + facets", [("/v1/search", {"q": "agreement", "limit": "20", **FACETS})]),
    (
        "search: 2 words, AZE, + facets",
        [("/v1/search", {"q": "defence minister", "limit": "20", "country": "AZE", **FACETS})],
    ),
    ('search: "defence minister"', [("/v1/search", {"q": '"defence minister"', **FACETS})]),
    ("pair AZE-TUR", [("/v1/dyads/AZE-TUR", {"limit": "10"})]),
    ("pair AZE-TUR, count=reports", [("/v1/dyads/AZE-TUR", {"limit": "10", "count": "reports"})]),
    ("country AZE", [("/v1/countries/AZE", {"limit": "15"})]),
    ("network, states", [("/v1/graph", {"kinds": "country", "limit": "150"})]),
    (
        "network, +people +orgs",
        [("/v1/graph", {"kinds": "country,person,organization", "limit": "150"})],
    ),
]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[round(0.95 * (len(ordered) - 1))]


def _busiest_happening(http: httpx.Client) -> int | None:
    page = http.get("/v1/happenings", params={"limit": "200"}).raise_for_status().json()
    if not page["items"]:
        return None
    return int(max(page["items"], key=lambda h: h["num_reports"])["id"])


def _article_view(article: int) -> tuple[str, list[Call]]:
    return (
        f"article {article}",
        [
            (f"/v1/articles/{article}", {"include": "events,mentions"}),
            (f"/v1/articles/{article}/similar", {"limit": "5"}),
        ],
    )


def _entity_view(label: str, entity: int) -> tuple[str, list[Call]]:
    return (
        f"entity {entity} ({label})",
        [
            (f"/v1/entities/{entity}", {}),
            ("/v1/timeline", {"of": "articles", "entity": str(entity), "interval": "month"}),
            (f"/v1/entities/{entity}/events", {"limit": "10"}),
            (f"/v1/entities/{entity}/articles", {"limit": "10"}),
        ],
    )


def _picked(db: sqlite3.Connection) -> list[tuple[str, list[Call]]]:
    """The article, entity views of this database (see the module's docstring)."""
    views = []
    newest = db.execute("SELECT id FROM article ORDER BY published_at DESC, id DESC LIMIT 1")
    row = newest.fetchone()
    if row:
        views.append(_article_view(row[0]))
    by_articles = (
        "SELECT entity_id, count(DISTINCT article_id) n FROM mention m JOIN entity e"
        " ON e.id = m.entity_id {where} GROUP BY entity_id ORDER BY n"
    )
    ranked = db.execute(by_articles.format(where="")).fetchall()
    if ranked:
        views.append(_entity_view("most named", ranked[-1][0]))
    people = db.execute(by_articles.format(where="WHERE e.kind = 'person'")).fetchall()
    if people:
        views.append(_entity_view("median person", people[len(people) // 2][0]))
    return views


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / ".bench" / "search.db")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    env = {
        **os.environ,
        "DEFCOOP_DATABASE_URL": f"sqlite:///{args.db}",
        "DEFCOOP_LOG_LEVEL": "warning",
        "DEFCOOP_RATE_LIMIT_READS": "100000000/minute",
    }
    with sqlite3.connect(str(args.db)) as db:
        articles = db.execute("SELECT count(*) FROM article").fetchone()[0]
        events = db.execute("SELECT count(*) FROM event").fetchone()[0]
        picked = _picked(db)
    print(
        f"{articles:,} articles, {events:,} events; database {args.db.stat().st_size / 1e6:,.0f} MB"
    )
    print(
        f"{'view':<32}{'calls':>6}{'p50':>9}{'p95':>9}   (ms of API time, HTTP, {args.runs} runs)"
    )
    with serving(env) as (base, _pid), httpx.Client(base_url=base, timeout=300) as http:
        views = [*VIEWS, *picked]
        happening = _busiest_happening(http)
        if happening is not None:
            views.append((f"happening {happening}", [(f"/v1/happenings/{happening}", {})]))
        for name, calls in views:
            for path, params in calls:  # warm, and check
                first = http.get(path, params=params)
                if first.status_code != 200:
                    print(f"{name:<32} HTTP {first.status_code}: {first.text[:200]}")
                    break
            else:
                samples = []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    for path, params in calls:
                        http.get(path, params=params).raise_for_status()
                    samples.append((time.perf_counter() - started) * 1000)
                p50, p95 = _percentiles(samples)
                print(f"{name:<32}{len(calls):>6}{p50:>9.1f}{p95:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
