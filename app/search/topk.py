"""A top-k search index beside the SQLite file: tantivy (block-max WAND, as in Lucene).

FTS5 ranks every match before it can return the best twenty, so a word in every article costs
seconds at a million articles; tantivy skips the blocks that cannot reach the top. The index
is derived data: documents are built from the database (app.services.search_index), and the
database's change feed says what to update, so the index never answers for a state the
database does not have. The query tree (app.search.query) is compiled to tantivy's query
objects directly; user text never goes through a query parser.

On PostgreSQL each API node keeps one of its own (DEFCOOP_SEARCH_INDEX_DIR), fed in the
background (app.services.index_keeper). The cursor file says which feed position
(app.db.feed_order) the committed documents reach; it is replaced whole after tantivy's commit,
so a crash between the two leaves an older position, from which the changes are applied again
(each replaces or deletes whole documents: applying one twice changes nothing).
"""

import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

from app.db.feed_order import Position
from app.kit.text import fold
from app.search.highlight import stem
from app.search.query import And, Node, Not, Or, Phrase, Term, prefix_stems

ANALYZER = "defcoop"
TITLE_BOOST = 10.0
SCHEMA_VERSION = 1
_CURSOR_FILE = "defcoop-cursor.json"
# Facet fields: few distinct values (countries, types, years) are counted exactly by asking
# every segment for all of them; names (people, sources) for many more than are shown.
_SEGMENT_SIZE = 100_000


@dataclass
class IndexDocument:
    id: int
    title: str
    body: str
    published: int | None  # seconds since the epoch, UTC
    source_id: int | None
    source: str | None
    duplicate_of: int | None
    author: str | None
    lang: str | None
    countries: list[str] = field(default_factory=list)
    entities: list[int] = field(default_factory=list)
    entity_kinds: list[str] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    event_types: list[str] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    dyads: list[str] = field(default_factory=list)
    year: str | None = None
    month: str | None = None


def _analyzer() -> Any:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(60))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("title", tokenizer_name=ANALYZER)
    builder.add_text_field("body", tokenizer_name=ANALYZER)
    builder.add_integer_field("published", indexed=True, fast=True)
    builder.add_integer_field("newest", fast=True)  # sort keys: undated last, ties by id
    builder.add_integer_field("oldest", fast=True)
    builder.add_integer_field("source_id", indexed=True)
    builder.add_integer_field("duplicate_of", indexed=True)
    builder.add_integer_field("entity", indexed=True)
    builder.add_integer_field("event", indexed=True)
    for name in ("author", "lang", "dyad"):
        builder.add_text_field(name, tokenizer_name="raw")
    # facet fields, named as the facets of /v1/search are
    for name in ("source", "country", "entity_kind", "person", "event_type", "year", "month"):
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    return builder.build()


_MINUTE_ORIGIN = 2**26  # minutes before 1970 that still sort right (back to 1842)
_ID_SPAN = 2**31


def sort_keys(published: int | None, article_id: int) -> tuple[int, int]:
    """(newest-first key, oldest-first key): by minute of publication then id; undated last."""
    if published is None:
        return article_id - _ID_SPAN, 2**62 + article_id
    key = (published // 60 + _MINUTE_ORIGIN) * _ID_SPAN + article_id
    return key, key


@dataclass(frozen=True)
class Filters:
    published_from: int | None = None  # seconds, inclusive
    published_before: int | None = None  # seconds, exclusive
    source_ids: tuple[int, ...] | None = None  # None: any source
    author: str | None = None
    lang: str | None = None
    countries: tuple[str, ...] = ()
    entity_id: int | None = None
    event_type: str | None = None
    dyad: str | None = None
    exclude_ids: tuple[int, ...] = ()  # these articles, and those marked duplicates of them
    copies: bool = True  # False: no article with duplicate_of set


@dataclass(frozen=True)
class TopKHits:
    ids: list[int]
    scores: list[float]
    total: int


class TopKIndex:
    """One tantivy index directory; one writer per process, guarded by a lock."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        schema = _schema()
        self.index = tantivy.Index(schema, path=str(directory), reuse=True)
        self.index.register_tokenizer(ANALYZER, _analyzer())
        self.schema = self.index.schema
        self.lock = threading.RLock()
        self._writer: Any = None
        self._loaded: Position | None = None  # the cursor this process's reader has seen
        self._cursor_file: tuple[tuple[int, int, int], Position | None] | None = None

    # -- writing -------------------------------------------------------------------------------

    def _writer_or_open(self, *, bulk: bool = False) -> Any:
        if self._writer is None:
            # a request's catch-up is small: a small writer keeps the server's memory low;
            # a rebuild (command line) gets more memory and threads
            self._writer = self.index.writer(
                heap_size=400_000_000 if bulk else 50_000_000, num_threads=2 if bulk else 1
            )
        return self._writer

    def upsert(self, documents: Iterable[IndexDocument], *, fresh: bool = False) -> None:
        """Add (or replace) these documents; `fresh`: none of them is in the index yet."""
        writer = self._writer_or_open()
        for doc in documents:
            if not fresh:
                writer.delete_documents_by_term("id", doc.id)
            writer.add_document(self._tantivy_document(doc))

    def delete(self, ids: Iterable[int]) -> None:
        writer = self._writer_or_open()
        for article_id in ids:
            writer.delete_documents_by_term("id", article_id)

    def clear(self) -> None:
        """Start over (a rebuild): everything goes, in a writer sized for loading in bulk."""
        self._writer_or_open(bulk=True).delete_all_documents()

    def commit(self, cursor: Position) -> None:
        """Make the changes searchable and remember the change-feed position they reach."""
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
        _write_cursor(self.directory, cursor)
        self.index.reload()
        self._loaded = cursor

    def see(self, cursor: Position) -> None:
        """Read what another process committed, if this process has not yet."""
        if self._loaded != cursor:
            self.index.reload()
            self._loaded = cursor

    def abandon(self) -> None:
        """Drop what was written since the last commit (a catch-up that failed half way)."""
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None

    def cursor(self) -> Position | None:
        """The last change applied, or None when the index was never built (or is outdated).
        Read again only when the file is another (it is replaced whole, never rewritten): a
        search asks each time, and reading it cost four times looking at it."""
        try:
            seen = os.stat(self.directory / _CURSOR_FILE)
        except OSError:
            return None
        key = (seen.st_ino, seen.st_mtime_ns, seen.st_size)
        known = self._cursor_file
        if known is not None and known[0] == key:
            return known[1]
        cursor = stored_cursor(self.directory)
        self._cursor_file = (key, cursor)
        return cursor

    def ids_with_event(self, event_ids: Iterable[int]) -> list[int]:
        """Articles whose document lists one of these events (to refresh after a deletion)."""
        wanted = list(event_ids)
        if not wanted:
            return []
        query = tantivy.Query.term_set_query(self.schema, "event", wanted)
        searcher = self.index.searcher()
        found = searcher.search(query, limit=max(1, len(wanted) * 4), count=False)
        values = searcher.fast_field_values("id", [a for _s, a in found.hits])
        return [int(v) for v in values if v is not None]

    def _tantivy_document(self, doc: IndexDocument) -> Any:
        newest, oldest = sort_keys(doc.published, doc.id)
        fields: dict[str, Any] = {
            "id": doc.id,
            "title": doc.title,
            "body": doc.body,
            "newest": newest,
            "oldest": oldest,
            "country": doc.countries,
            "entity": doc.entities,
            "entity_kind": doc.entity_kinds,
            "person": doc.persons,
            "event_type": doc.event_types,
            "event": doc.events,
            "dyad": doc.dyads,
        }
        optional = {
            "published": doc.published,
            "source_id": doc.source_id,
            "duplicate_of": doc.duplicate_of,
            "source": doc.source,
            "author": doc.author.lower() if doc.author else None,
            "lang": doc.lang,
            "year": doc.year,
            "month": doc.month,
        }
        fields.update({k: v for k, v in optional.items() if v is not None})
        return tantivy.Document(**{k: v for k, v in fields.items() if v != []})

    # -- reading -------------------------------------------------------------------------------

    def compile(self, node: Node) -> Any:
        if isinstance(node, Term) and node.prefix:
            roots = prefix_stems(node.text, stem)
            return self._either(
                [self._regex(field, _fold(root)) for root in roots for field in ("title", "body")]
            )
        if isinstance(node, Term):
            return self._words(self._tokens(node.text))
        if isinstance(node, Phrase):
            return self._words(self._tokens(" ".join(node.words)))
        if isinstance(node, Or):
            return self._either([self.compile(c) for c in node.children])
        if isinstance(node, And):
            must = [
                (tantivy.Occur.Must, self.compile(c))
                for c in node.children
                if not isinstance(c, Not)
            ]
            must_not = [
                (tantivy.Occur.MustNot, self.compile(c.child))
                for c in node.children
                if isinstance(c, Not)
            ]
            return tantivy.Query.boolean_query(must + must_not)
        raise ValueError("a bare exclusion cannot be searched")

    def _tokens(self, text: str) -> list[str]:
        return [str(t) for t in _analyzer().analyze(text)]

    def _words(self, tokens: Sequence[str]) -> Any:
        """The words in this order, in the title (weighted) or the body."""
        if not tokens:
            return tantivy.Query.empty_query()
        per_field = []
        for name in ("title", "body"):
            query = (
                tantivy.Query.term_query(self.schema, name, tokens[0])
                if len(tokens) == 1
                else tantivy.Query.phrase_query(self.schema, name, list(tokens))
            )
            per_field.append(
                tantivy.Query.boost_query(query, TITLE_BOOST) if name == "title" else query
            )
        return self._either(per_field)

    def _regex(self, name: str, root: str) -> Any:
        pattern = "".join(c if c.isalnum() else "\\" + c for c in root) + ".*"
        query = tantivy.Query.regex_query(self.schema, name, pattern)
        return tantivy.Query.boost_query(query, TITLE_BOOST) if name == "title" else query

    @staticmethod
    def _either(queries: list[Any]) -> Any:
        if len(queries) == 1:
            return queries[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])

    def restrict(self, query: Any, filters: Filters) -> Any:
        """The query, narrowed by every filter (which never changes scores)."""
        clauses: list[Any] = [(tantivy.Occur.Must, query)]

        def must(q: Any) -> None:
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(q, 0.0)))

        if filters.published_from is not None or filters.published_before is not None:
            must(
                tantivy.Query.range_query(
                    self.schema,
                    "published",
                    tantivy.FieldType.Integer,
                    filters.published_from,
                    filters.published_before,
                    include_upper=filters.published_before is None,
                )
            )
        if filters.source_ids is not None:
            ids = list(filters.source_ids)
            must(
                tantivy.Query.term_set_query(self.schema, "source_id", ids)
                if ids
                else tantivy.Query.empty_query()
            )
        for name, value in (
            ("author", filters.author.lower() if filters.author else None),
            ("lang", filters.lang),
            ("entity", filters.entity_id),
            ("event_type", filters.event_type),
            ("dyad", filters.dyad),
        ):
            if value is not None:
                must(tantivy.Query.term_query(self.schema, name, value))
        for code in filters.countries:
            must(tantivy.Query.term_query(self.schema, "country", code))
        if not filters.copies:  # a copy's document holds its canonical's id, always >= 1
            copies = tantivy.Query.range_query(
                self.schema, "duplicate_of", tantivy.FieldType.Integer, 1, 2**62
            )
            clauses.append((tantivy.Occur.MustNot, copies))
        for name in ("id", "duplicate_of") if filters.exclude_ids else ():
            excluded = tantivy.Query.term_set_query(self.schema, name, list(filters.exclude_ids))
            clauses.append((tantivy.Occur.MustNot, excluded))
        return clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)

    def size(self) -> int:
        """How many articles the index holds."""
        return int(self.index.searcher().num_docs)

    def search(
        self, query: Any, *, limit: int, offset: int, sort: str, count: bool = True
    ) -> TopKHits:
        searcher = self.index.searcher()
        if sort == "relevance":
            result = searcher.search(query, limit=limit, offset=offset, count=count)
        else:
            result = searcher.search(
                query,
                limit=limit,
                offset=offset,
                count=count,
                order_by_field="oldest" if sort == "published_at" else "newest",
                order=tantivy.Order.Asc if sort == "published_at" else tantivy.Order.Desc,
            )
        addresses = [address for _score, address in result.hits]
        ids = [int(v) for v in searcher.fast_field_values("id", addresses) if v is not None]
        scores = [float(s) for s, _a in result.hits] if sort == "relevance" else [0.0] * len(ids)
        total = getattr(result, "count", None) if count else None  # not in the type stubs
        return TopKHits(ids, scores, int(total or 0))

    def facets(
        self, query: Any, names: Sequence[str], size: int
    ) -> tuple[int, dict[str, list[tuple[str, int]]]]:
        """The number of matches and, per field, (value, articles) for its most frequent
        values: one pass over the matches for all of them."""
        aggs: dict[str, Any] = {
            name: {"terms": {"field": name, "size": size, "segment_size": _SEGMENT_SIZE}}
            for name in names
        }
        aggs["_matches"] = {"value_count": {"field": "id"}}
        result = self.index.searcher().aggregate(query, aggs)
        counted = {
            name: [
                (str(b["key"]), int(b["doc_count"]))
                for b in result.get(name, {}).get("buckets", [])
            ]
            for name in names
        }
        return int(result["_matches"]["value"] or 0), counted


def stored_cursor(directory: Path) -> Position | None:
    """The feed position the index in `directory` reaches; None when there is none (never
    built, or built by a version whose documents differ), without opening the index."""
    try:
        state = json.loads((directory / _CURSOR_FILE).read_text())
        if state.get("schema") != SCHEMA_VERSION:
            return None
        return Position.from_json(state["cursor"])
    except (OSError, ValueError, KeyError, AttributeError):
        return None


def _write_cursor(directory: Path, cursor: Position) -> None:
    # written beside, then renamed over the old one: a crash leaves the old file or the new,
    # never half of one
    path = directory / _CURSOR_FILE
    partial = path.with_suffix(".partial")
    with partial.open("w") as file:
        json.dump({"cursor": cursor.as_json(), "schema": SCHEMA_VERSION}, file)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)


def _fold(text: str) -> str:
    return fold(text).replace(" ", "")


_OPEN: dict[Path, TopKIndex] = {}
_GIVEN: dict[Path, TopKIndex] = {}  # by the path as asked for: no resolve() (syscalls) a search
_OPEN_LOCK = threading.Lock()


def open_index(directory: Path) -> TopKIndex:
    """The process's one handle on the index in `directory` (created empty if missing)."""
    index = _GIVEN.get(directory)
    if index is not None:
        return index
    key = directory.resolve()
    with _OPEN_LOCK:
        index = _OPEN.get(key)
        if index is None:
            index = _OPEN[key] = TopKIndex(key)
        _GIVEN[directory] = index
        return index


def open_directories() -> set[Path]:
    """The index directories this process holds a handle on."""
    with _OPEN_LOCK:
        return set(_OPEN)


def forget(directories: set[Path]) -> None:
    """Drop the handles (and their writers' memory) on these directories: the next open_index
    of one opens it afresh. For a process that is done with indexes it will not use again."""
    with _OPEN_LOCK:
        for key in directories:
            _OPEN.pop(key, None)
        for given in [g for g, index in _GIVEN.items() if index.directory in directories]:
            del _GIVEN[given]
