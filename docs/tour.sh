#!/usr/bin/env bash
# The README's "A tour with curl", as a script; tests/test_docs.py checks that the two agree
# and tests/test_e2e.py runs it against a fresh `defcoop demo`.
set -euo pipefail

# Any answer but a 2xx stops the tour (curl --fail-with-body), except in the steps that show an
# error: those print the status (-w) and check it themselves.
curl() {
  case " $* " in
    *" -w "*) command curl "$@" ;;
    *) command curl --silent --show-error --fail-with-body "$@" && echo ;;
  esac
}

# ---- README.md, "A tour with curl", from here on
# Run it on a fresh `defcoop demo`, from the repository root (the pages it posts live there),
# a line at a time, or whole: `bash docs/tour.sh` is this block, word for word.
B=${B:-http://127.0.0.1:8000}           # the demo server
KEY=$(defcoop keys create --name me)    # every write needs a key (shown once; only its hash is kept)
W="Authorization: Bearer $KEY"          # or send it as X-API-Key
next_cursor() { python3 -c 'import json, sys; print(json.load(sys.stdin)["next_cursor"])'; }  # or: jq -r .next_cursor

# Store a raw page (the crawler format: " date YYYY-MM-DD" header, chrome, "---" footer) ...
curl -X POST "$B/v1/articles?url=https://example.org/2024/03/12/story" -H "$W" \
     -H 'content-type: text/plain' --data-binary @app/data/samples/pages/01-aze-tur-visit.txt
# ... or JSON (text = raw page, body = clean text, html = an HTML page), with curated data
curl -X POST $B/v1/articles -H "$W" -H 'content-type: application/json' -d '{
  "url": "https://example.org/a", "body": "Chile and Peru signed a naval pact on Monday.",
  "published_at": "2024-05-06", "source": "Example Wire",
  "entities": [{"kind": "country", "code": "CHL"}, {"kind": "country", "name": "Peru"}],
  "events": [{"type": "agreement", "date": "2024-05-06", "countries": ["CHL", "PER"]}]}'
# ... or an HTML page: headline, byline and date come from its tags
curl -X POST "$B/v1/articles?url=https://example.org/b" -H "$W" \
     -H 'content-type: text/html' --data-binary @app/data/samples/page.html
# A dry run: what the extractor finds in a page (metadata, entities with offsets, events), nothing stored
curl -X POST $B/v1/extract -H 'content-type: text/plain' --data-binary @app/data/samples/pages/07-pol-kor-tanks.txt
# The same url again is refused: 409, a problem whose Location header names the stored article ...
curl -s -o /dev/null -w '%{http_code}\n' -X POST "$B/v1/articles?url=https://example.org/b" -H "$W" \
     -H 'content-type: text/html' --data-binary @app/data/samples/page.html | grep -x 409
# ... unless you ask to skip it (200, the stored article; on_duplicate=update replaces it)
curl -X POST "$B/v1/articles?url=https://example.org/b&on_duplicate=skip" -H "$W" \
     -H 'content-type: text/html' --data-binary @app/data/samples/page.html
# Many at once, JSON Lines, a result per line (good lines are kept when others fail); the demo
# has loaded these samples already, so every line comes back as a duplicate
curl -X POST $B/v1/articles/bulk -H "$W" -H 'content-type: application/x-ndjson' --data-binary @app/data/samples/articles.jsonl

# Articles: filter, sort, page with the cursor (also in the Link header)
curl "$B/v1/articles?country=AZE&country=TUR"             # mention both
curl "$B/v1/articles?event_type=arms_transfer&published_from=2024-01-01&published_to=2024-12-31"
curl "$B/v1/articles?source=caspian-ledger.example&lang=en&sort=published_at&limit=5"
curl "$B/v1/articles?author=Leyla%20Mammadli&entity=3"
C=$(curl -s "$B/v1/articles?country=AZE&limit=2" | next_cursor)   # the first two, and where to go on
curl "$B/v1/articles?cursor=$C"                                      # the next two of the same query
curl "$B/v1/articles/1?include=mentions,events,raw"

# Entities: one per real thing, with aliases; q is a name prefix (autocomplete)
curl "$B/v1/entities?kind=person&q=ali"
curl "$B/v1/entities?kind=organization&country=POL&sort=name"
curl $B/v1/entities/3
curl $B/v1/entities/3/articles
curl $B/v1/entities/3/events

# Events: by type, by states taking part (two = both), by participant, by their own date
curl "$B/v1/events?type=agreement&country=KEN&country=GBR"
curl "$B/v1/events?date_from=2024-01-01&date_to=2024-06-30&status=reported&sort=date"
curl "$B/v1/events?entity=3"
curl $B/v1/events/1
# Every list also streams every matching row as CSV (or format=ndjson), with no page cap
curl "$B/v1/events?country=AZE&format=csv"

# Search: words (all required), "phrases", OR (binds tighter: a b OR c = a AND (b OR c)),
# -excluded, prefix*, (groups); ranked (title above body), highlighted, faceted, every filter
curl "$B/v1/search?q=drills%20OR%20exercise&facets=country,event_type,year"
curl "$B/v1/search?q=%22joint%20tactical%20exercise%22&sort=-published_at"
curl "$B/v1/search?q=Turkey"                     # also finds "Türkiye", "Turkish" (expand=false: off)
curl "$B/v1/search?q=tanks&dyad=POL-KOR&published_from=2025-01-01"
curl "$B/v1/search?q=cooperat*%20-aid&highlight_pre=%5B&highlight_post=%5D"
curl "$B/v1/search?q=title:poland&mode=raw"      # the engine's own syntax (FTS5 / tsquery), validated
curl "$B/v1/articles/1/similar?limit=5"

# Relations between states: a pair's history, a state's partners and profile, time, networks
curl "$B/v1/dyads/AZE-TUR"                                # counts by type and year, first and last event,
                                                          # agreements, recent events, people per side, articles
curl "$B/v1/dyads/Poland-South%20Korea?directed=true"     # A acting on B (visitor->host, supplier->recipient)
curl "$B/v1/dyads?country=TUR&type=agreement"             # Turkey's partners, ranked; without country: busiest pairs
curl "$B/v1/countries/TUR"                                # partners, events by year and type, people, agreements
curl "$B/v1/timeline?of=events&interval=month&group_by=type&country=AZE"
curl "$B/v1/timeline?of=articles&interval=week&q=drills&published_from=2024-01-01"
curl "$B/v1/graph?of=events&kinds=country,person&min_weight=2"   # nodes and weighted edges for graph libraries

curl $B/v1/taxonomy          # event types with CAMEO codes, entity kinds, roles
curl $B/metrics              # Prometheus: requests and latency by route and status, ingest, extraction
curl $B/healthz              # alive
curl $B/readyz               # database reachable and migrated (503 otherwise)

# Edit, then delete (last, since everything above reads article 1 and what belongs to it)
curl -X PATCH $B/v1/articles/1 -H "$W" -H 'content-type: application/json' -d '{"title": "Corrected headline"}'
curl -X DELETE $B/v1/articles/1 -H "$W"                            # its mentions and events go too
curl -s -o /dev/null -w '%{http_code}\n' $B/v1/articles/1 | grep -x 404   # gone

# Keep a mirror in step: created/updated articles, entities and events, deletions as tombstones
curl "$B/v1/changes"                           # from the beginning; keep next_cursor (never null) ...
S=$(curl -s "$B/v1/changes" | next_cursor)
curl "$B/v1/changes?since=$S"                  # ... and ask again later: what changed since
