"""The `defcoop` command line."""

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app import migrate
from app.config import Settings, get_settings
from app.db.session import make_engine, make_session_factory, session_scope
from app.errors import AppError, line_failure
from app.ingest.formats import Format, Record, jsonl_record, records, sniff
from app.models import Article
from app.schemas.article import ArticleCreate
from app.services.article import (
    IngestOutcome,
    OnDuplicate,
    Prepared,
    create_article,
    discard_deferred,
    flush_deferred,
    look_up_batch,
    prepare_article,
)
from app.services.keys import Scope, create_key, list_keys, revoke_key

T = TypeVar("T")

cli = typer.Typer(
    help="defcoop: news about defence cooperation, as a REST API.", no_args_is_help=True
)
db_cli = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
keys_cli = typer.Typer(help="API keys: every write needs one.", no_args_is_help=True)
cli.add_typer(keys_cli, name="keys")
console = Console(stderr=True)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
    migrate_first: Annotated[
        bool, typer.Option("--migrate", help="Apply migrations before serving")
    ] = False,
) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    settings = get_settings()
    if migrate_first:
        _ensure_sqlite_dir(settings)
        migrate.upgrade(settings.database_url)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level,
    )


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    _ensure_sqlite_dir(get_settings())
    migrate.upgrade(get_settings().database_url, revision)
    typer.echo(f"database at {_current(get_settings()) or 'base'}")


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="e.g. -1 or base")]) -> None:
    """Revert migrations down to REVISION."""
    migrate.downgrade(get_settings().database_url, revision)
    typer.echo(f"database at {_current(get_settings()) or 'base'}")


@db_cli.command("current")
def db_current() -> None:
    """Print the database's revision and the latest one."""
    settings = get_settings()
    head = migrate.head_revision(settings.database_url)
    current = _current(settings)
    typer.echo(f"current: {current or 'base'}\nhead:    {head}")
    if current != head:
        raise typer.Exit(1)


def _current(settings: Settings) -> str | None:
    engine = make_engine(settings.database_url)
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


def _ensure_sqlite_dir(settings: Settings) -> None:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


@dataclass
class Summary:
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def _files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
            )
        else:
            yield path


def _to_input(record: Record, source: str | None) -> ArticleCreate:
    if record.data is not None:
        data = dict(record.data)
        if source and not data.get("source"):
            data["source"] = source
        return ArticleCreate.model_validate(data)
    if record.format is Format.html:
        return ArticleCreate(html=record.content, source=source)
    return ArticleCreate(text=record.content, source=source)


def _planned(paths: list[Path], fmt: Format, summary: Summary) -> Iterator[tuple[Path, Record]]:
    """Records of every file, streamed: JSON Lines files are read a line at a time."""
    for path in _files(paths):
        try:
            kind = fmt
            if kind is Format.auto:
                with path.open(encoding="utf-8", errors="replace") as handle:
                    kind = sniff(handle.read(4096), suffix=path.suffix)
            if kind is Format.jsonl:
                yield from ((path, record) for record in _jsonl_file(path))
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            summary.counts["rejected"] += 1
            summary.problems.append(f"{path}: cannot read: {error}")
            continue
        yield from ((path, record) for record in records(text, kind, suffix=path.suffix))


def _jsonl_file(path: Path) -> Iterator[Record]:
    """The records of a JSON Lines file, a line at a time. A file's lines end at b"\n" only
    (never inside a JSON string), and a line that is not UTF-8 is that line's problem."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.removesuffix(b"\n").decode("utf-8")
            except UnicodeDecodeError as error:
                yield Record(line=number, error=f"not valid UTF-8 (byte {error.start})")
                continue
            record = jsonl_record(number, line)
            if record is not None:
                yield record


def _count_records(paths: list[Path]) -> int:
    total = 0
    for path in _files(paths):
        if path.suffix.lower() in {".jsonl", ".ndjson"}:
            with path.open("rb") as handle:
                total += sum(1 for line in handle if line.strip(b" \t\r\n"))
        else:
            total += 1
    return total


def ingest_paths(
    settings: Settings,
    paths: list[Path],
    *,
    fmt: Format = Format.auto,
    source: str | None = None,
    on_duplicate: OnDuplicate = OnDuplicate.skip,
    show_progress: bool = True,
    batch: int = 200,
) -> Summary:
    """Store every article in these files. Each article is whole or absent (a savepoint each);
    a transaction commits every `batch` articles, so an interrupted run resumes where it stopped
    (known urls are skipped)."""
    engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    factory = make_session_factory(engine)
    summary = Summary()
    columns = (TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, disable=not show_progress) as progress:
            task = progress.add_task("ingest", total=_count_records(paths))
            stream = _planned(paths, fmt, summary)
            while chunk := list(itertools.islice(stream, batch)):
                # Reading and extraction happen before the write transaction opens, so the
                # database lock is held only for the inserts.
                ready = _prepare_chunk(factory, settings, chunk, source, on_duplicate)
                with session_scope(factory) as session:
                    for item, result in _store_chunk(session, ready, on_duplicate):
                        _tally(summary, item.where, result)
                        progress.advance(task)
        _update_search_index(settings, factory)
    finally:
        engine.dispose()
    return summary


def _update_search_index(settings: Settings, factory: sessionmaker[Session]) -> None:
    """Bring the top-k index up to date (or build it), so searches need not catch up."""
    from app.search.topk import open_index
    from app.services.search_index import catch_up

    directory = settings.topk_directory()
    if directory is None:
        return
    with console.status("updating the search index"), session_scope(factory) as session:
        catch_up(session, open_index(directory))


@dataclass
class _Ready:
    """One record read and extracted, waiting for its transaction (or the reason it was not)."""

    where: str
    data: ArticleCreate | None = None
    prepared: Prepared | None = None
    problem: str | None = None


def _prepare_chunk(
    factory: sessionmaker[Session],
    settings: Settings,
    chunk: list[tuple[Path, Record]],
    source: str | None,
    on_duplicate: OnDuplicate,
) -> list[_Ready]:
    ready = [_read_one(f"{path}:{record.line}", record, source) for path, record in chunk]
    urls = [item.data.url for item in ready if item.data is not None and item.data.url]
    known: set[str] = set()
    if urls and on_duplicate is not OnDuplicate.update:
        with factory() as session:
            known = set(session.scalars(select(Article.url).where(Article.url.in_(urls))))
    for item in ready:
        if item.data is None or (item.data.url and item.data.url in known):
            continue  # rejected already, or to be skipped/refused without extraction
        try:
            item.prepared = prepare_article(
                item.data, budget_s=settings.extraction_budget_s, spacy_model=settings.spacy_model
            )
        except Exception as error:
            item.problem = f"rejected: {line_failure(error).detail}"
    return ready


def _read_one(where: str, record: Record, source: str | None) -> _Ready:
    if record.error:
        return _Ready(where, problem=f"rejected: {record.error}")
    try:
        return _Ready(where, data=_to_input(record, source))
    except Exception as error:
        return _Ready(where, problem=f"rejected: {line_failure(error).detail}")


def _store_chunk(
    session: Session, ready: list[_Ready], on_duplicate: OnDuplicate
) -> list[tuple[_Ready, IngestOutcome | str]]:
    """Store a chunk with one flush (the fast way); should anything in it fail, store it again
    one article at a time, each whole or absent, so that one bad article costs only itself."""
    look_up_batch(
        session,
        [item.data.url for item in ready if item.data and item.data.url],
        [item.prepared.digest for item in ready if item.prepared],
    )
    try:
        with session.begin_nested():
            results: list[tuple[_Ready, IngestOutcome | str]] = [
                (item, item.problem or "no data")
                if item.data is None or item.problem
                else (
                    item,
                    create_article(
                        session,
                        data=item.data,
                        on_duplicate=on_duplicate,
                        prepared=item.prepared,
                        defer_flush=True,
                    ),
                )
                for item in ready
            ]
            flush_deferred(session)
        return results
    except Exception:  # whatever it was, the one-by-one pass finds whose it is
        discard_deferred(session)
        return [(item, _store_one(session, item, on_duplicate)) for item in ready]


def _store_one(session: Session, item: _Ready, on_duplicate: OnDuplicate) -> IngestOutcome | str:
    if item.data is None or item.problem:
        return item.problem or "no data"
    try:
        with session.begin_nested():
            return create_article(
                session, data=item.data, on_duplicate=on_duplicate, prepared=item.prepared
            )
    except Exception as error:
        return f"rejected: {line_failure(error).detail}"


def _tally(summary: Summary, where: str, result: IngestOutcome | str) -> None:
    if isinstance(result, str):
        summary.counts["rejected"] += 1
        summary.problems.append(f"{where}: {result}")
        return
    outcome = result
    if outcome.article.extraction_note:
        summary.problems.append(f"{where}: no extraction: {outcome.article.extraction_note}")
    status = outcome.status
    if status == "created" and outcome.article.duplicate_of_id:
        summary.problems.append(
            f"{where}: same text as article {outcome.article.duplicate_of_id}"
            f" (stored as article {outcome.article.id}, marked duplicate)"
        )
        summary.counts["content_duplicates"] += 1  # the bulk API's word: stored, marked
    summary.counts["skipped (url already stored)" if status == "skipped" else status] += 1


def _print_summary(summary: Summary) -> None:
    for line in summary.problems:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    parts = [f"{name} {count}" for name, count in sorted(summary.counts.items())]
    console.print(
        "summary: " + (", ".join(parts) or "nothing to ingest"), markup=False, soft_wrap=True
    )


@cli.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Files or folders")],
    format: Annotated[Format, typer.Option("--format", help="Input format")] = Format.auto,
    source: Annotated[str | None, typer.Option(help="Source name for pages that lack one")] = None,
    on_duplicate: Annotated[
        OnDuplicate, typer.Option(help="When a url is already stored")
    ] = OnDuplicate.skip,
) -> None:
    """Store articles from raw pages, JSON, JSON Lines or HTML files."""
    summary = ingest_paths(
        get_settings(), paths, fmt=format, source=source, on_duplicate=on_duplicate
    )
    _print_summary(summary)
    if summary.counts["rejected"]:
        raise typer.Exit(1)


@cli.command("extract")
def extract_command(
    input: Annotated[
        Path, typer.Option("--input", exists=True, dir_okay=False, help="JSON Lines: id, url, text")
    ],
    output: Annotated[
        Path, typer.Option("--output", help="JSON Lines for ../shared/eval/score.py")
    ],
) -> None:
    """Extract metadata, entities and events from pages, without a database."""
    import json

    from app.extraction import extract
    from app.extraction.base import Document
    from app.extraction.scorer_json import as_json
    from app.ingest.reader import read_content

    settings = get_settings()
    text = input.read_text(encoding="utf-8")
    lines = [line for line in text.split("\n") if line.strip()]  # as iter_jsonl splits them
    written = 0
    with (
        output.open("w", encoding="utf-8") as sink,
        Progress(
            TextColumn("extracting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress,
    ):
        task = progress.add_task("extract", total=len(lines))
        for number, line in enumerate(lines, 1):
            progress.advance(task)
            try:
                row = json.loads(line)
                page = read_content(
                    text=row.get("text"),
                    body=row.get("body"),
                    html=row.get("html"),
                    url=row.get("url"),
                    language=row.get("language") or row.get("lang"),
                )
            except (ValueError, TypeError, AttributeError) as error:
                console.print(f"{input}:{number}: skipped: {error}", markup=False, soft_wrap=True)
                continue
            published = page.published
            document = Document(
                text=page.body,
                published=published.value
                if published and published.precision.value == "day"
                else None,
                language=page.language,
                title=page.title,
            )
            result = extract(
                document, budget_s=settings.extraction_budget_s, spacy_model=settings.spacy_model
            )
            record = {
                "id": row.get("id", number),
                "url": row.get("url"),
                "published_at": published.iso() if published else None,
                "title": None if page.title_is_derived else page.title,
                # the guideline's author is "the byline's person or agency" (page.byline);
                # the wire alone is "agency"
                "author": page.byline,
                "agency": page.agency,
                "lang": page.language,
                "extractor_version": result.version,
                "skipped": result.skipped,
                **as_json(result),
            }
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    console.print(f"summary: {written} of {len(lines)} lines extracted to {output}", markup=False)


@cli.command()
def reextract(
    all_articles: Annotated[
        bool, typer.Option("--all", help="Every article (not hand-coded ones)")
    ] = False,
    stale: Annotated[
        bool, typer.Option("--stale", help="Articles extracted by an older version")
    ] = False,
    article: Annotated[int | None, typer.Option("--article", help="One article, by id")] = None,
) -> None:
    """Run the extractor again on stored articles, after it has improved."""
    from app.extraction import pipeline_version
    from app.services.article import get_article
    from app.services.extraction import articles_to_reextract, extract_article

    if not (all_articles or stale or article):
        raise typer.BadParameter("give --all, --stale or --article ID")
    settings = get_settings()
    engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    factory = make_session_factory(engine)
    counts: Counter[str] = Counter()
    try:
        with session_scope(factory) as session:
            ids = articles_to_reextract(
                session,
                everything=all_articles,
                stale=stale,
                article_id=article,
                version=pipeline_version(spacy_model=settings.spacy_model),
            )
        if article is not None and not ids:
            console.print(f"no article with id {article}", markup=False)
            raise typer.Exit(1)
        columns = (
            TextColumn("re-extracting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("reextract", total=len(ids))
            for article_id in ids:
                with session_scope(factory) as session:
                    stored = get_article(session, article_id=article_id)
                    outcome = extract_article(
                        session,
                        article=stored,
                        budget_s=settings.extraction_budget_s,
                        spacy_model=settings.spacy_model,
                    )
                    counts["articles"] += 1
                    counts["entities"] += outcome.entities
                    counts["events"] += outcome.events
                    if outcome.skipped:
                        counts["skipped"] += 1
                        console.print(
                            f"article {article_id}: {outcome.skipped}", markup=False, soft_wrap=True
                        )
                progress.advance(task)
    finally:
        engine.dispose()
    parts = ", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing to do"
    version = pipeline_version(spacy_model=settings.spacy_model)
    console.print(f"summary: {parts} (extractor {version})", markup=False, soft_wrap=True)


class Part(StrEnum):
    fts = "fts"
    topk = "topk"
    counts = "counts"


@cli.command()
def reindex(
    only: Annotated[
        list[Part] | None,
        typer.Option("--only", help="Rebuild just this part (repeatable); default: all"),
    ] = None,
) -> None:
    """Rebuild the search indexes and the summary counts from the rows, and check them."""
    from sqlalchemy import func, select

    from app.search.engines import engine_for
    from app.search.topk import open_index
    from app.services import search_index, summary

    parts = set(only or Part)
    settings = get_settings()
    directory = settings.topk_directory() if Part.topk in parts else None
    engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    said: list[str] = []
    complete = True
    try:
        with session_scope(make_session_factory(engine)) as session:
            articles = session.scalar(select(func.count()).select_from(Article)) or 0
            if Part.fts in parts:
                search_engine = engine_for(session)
                with console.status("rebuilding the full-text index"):
                    search_engine.rebuild_fts(session)
                    search_engine.check(session)
                indexed = search_engine.indexed_count(session)
                said.append(f"{indexed} of {articles} articles indexed ({search_engine.name})")
                complete &= indexed == articles
            if directory is not None:
                with console.status("building the top-k search index"):
                    count = search_index.rebuild_topk(session, open_index(directory))
                said.append(f"{count} in the top-k index")
                complete &= count == articles
            if Part.counts in parts:
                with console.status("recounting the summary counts"):
                    summary.replace_all(session)
                said.append("summary counts recounted")
    finally:
        engine.dispose()
    console.print("summary: " + "; ".join(said), markup=False)
    if not complete:
        raise typer.Exit(1)


def _with_session(work: Callable[[Session], T]) -> T:
    settings = get_settings()
    engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        with session_scope(make_session_factory(engine)) as session:
            return work(session)
    finally:
        engine.dispose()


@keys_cli.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who or what the key is for")],
    scope: Annotated[
        Scope, typer.Option(help="read, or write (which can also read)")
    ] = Scope.write,
) -> None:
    """Create a key and print it. It is shown this once: only its hash is kept."""
    made = _with_session(lambda s: create_key(s, name=name, scope=scope))
    console.print(f"created key {made.key.id} ({made.key.scope}) for {made.key.name}", markup=False)
    typer.echo(made.secret)


@keys_cli.command("list")
def keys_list() -> None:
    """List keys (never their secrets)."""

    def rows(session: Session) -> list[str]:
        return [
            f"{k.id}\t{k.name}\t{k.scope}\t{k.prefix}…\t{k.created_at:%Y-%m-%d}\t"
            + ("revoked " + f"{k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active")
            for k in list_keys(session)
        ]

    for line in _with_session(rows):
        typer.echo(line)


@keys_cli.command("revoke")
def keys_revoke(
    key_id: Annotated[int, typer.Argument(help="The key's id (see keys list)")],
) -> None:
    """Revoke a key: requests with it get 401 from now on."""
    try:
        key = _with_session(lambda s: revoke_key(s, key_id=key_id))
    except AppError as error:
        console.print(error.detail, markup=False)
        raise typer.Exit(1) from error
    typer.echo(f"revoked key {key.id} ({key.name})")


def sample_path() -> Path:
    return Path(str(resources.files("app").joinpath("data/samples/articles.jsonl")))


@cli.command()
def demo(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
    serve_api: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve after loading")
    ] = True,
) -> None:
    """Create the database if needed, migrate it, load the sample articles and serve."""
    settings = get_settings()
    _ensure_sqlite_dir(settings)
    migrate.upgrade(settings.database_url)
    summary = ingest_paths(settings, [sample_path()], show_progress=False)
    _print_summary(summary)
    base = f"http://{host or settings.host}:{port or settings.port}"
    doing = "is serving" if serve_api else "is ready (`defcoop serve`) to serve"
    console.print(
        f"\ndefcoop {doing} {settings.database_url} at {base}\n"
        f"  docs:     {base}/docs\n"
        f"  try:      curl '{base}/v1/articles?country=AZE&country=TUR'\n"
        f"            curl '{base}/v1/events?type=agreement'\n"
        f"            curl '{base}/v1/entities?kind=person&q=ha'\n"
        f"  writes:   need a key: defcoop keys create --name me\n",
        markup=False,
    )
    if serve_api:
        serve(host=host, port=port, workers=1, migrate_first=False)


def main() -> None:
    cli()
