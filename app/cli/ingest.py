"""`defcoop ingest`: files into the database, through the bulk service the API uses too."""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session, sessionmaker

from app.cli.common import console, open_factory, progress, say
from app.config import Settings, get_settings
from app.db.session import session_scope
from app.ingest.files import count_records, file_records
from app.ingest.formats import Format
from app.kit.collector import bulk_collection
from app.services.bulk import IngestOptions, LineResult, ingest_records
from app.services.ingest import OnDuplicate
from app.services.workers import default_workers, extraction_pool


@dataclass
class Summary:
    """Counts by outcome, and a line for each problem."""

    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def unreadable(self, path: Path, error: Exception) -> None:
        """Note a file that could not be read."""
        self.counts["rejected"] += 1
        self.problems.append(f"{path}: cannot read: {error}")

    def tally(self, result: LineResult) -> None:
        """Note what became of one record."""
        article = result.article
        if result.problem is not None or article is None:
            detail = result.problem.detail if result.problem else "no data"
            self.counts["rejected"] += 1
            self.problems.append(f"{result.where}: rejected: {detail}")
            return
        if article.extraction_note:
            self.problems.append(f"{result.where}: no extraction: {article.extraction_note}")
        if result.status == "created" and article.duplicate_of_id:
            self.problems.append(
                f"{result.where}: same text as article {article.duplicate_of_id}"
                f" (stored as article {article.id}, marked duplicate)"
            )
            self.counts["content_duplicates"] += 1  # the bulk API's word: stored, marked
        status = result.status
        self.counts["skipped (url already stored)" if status == "skipped" else status] += 1

    def print(self) -> None:
        """Print the problems, then the counts."""
        for line in self.problems:
            say(line)
        parts = [f"{name} {count}" for name, count in sorted(self.counts.items())]
        say("summary: " + (", ".join(parts) or "nothing to ingest"))


def ingest_paths(
    settings: Settings,
    paths: list[Path],
    *,
    fmt: Format = Format.auto,
    source: str | None = None,
    on_duplicate: OnDuplicate = OnDuplicate.skip,
    show_progress: bool = True,
    batch: int = 200,
    workers: int | None = None,
) -> Summary:
    """Store every article in these files. Each article is whole or absent (a savepoint each);
    a transaction commits every `batch` articles, so an interrupted run resumes where it stopped
    (known urls are skipped).

    `workers` processes read and extract while this one stores (0 or 1: this one does it all;
    None: the setting, else one per CPU, but none for an input of one chunk, which has nothing
    to overlap and would wait a second for them to start)."""
    summary = Summary()
    options = IngestOptions(
        on_duplicate=on_duplicate,
        source=source,
        budget_s=settings.extraction_budget_s,
        spacy_model=settings.spacy_model,
        batch=batch,
    )
    total = count_records(paths)
    if workers is None:
        workers = settings.ingest_workers
    if workers is None:
        workers = default_workers() if total > batch else 0
    with open_factory(settings) as factory, bulk_collection():
        # the pool first: its workers are forked before the progress bar starts a thread
        with (
            extraction_pool(workers) as pool,
            progress("ingesting", disable=not show_progress) as bar,
        ):
            task = bar.add_task("ingest", total=total)
            records = file_records(paths, fmt, summary.unreadable)
            for result in ingest_records(factory, records, options, pool=pool):
                summary.tally(result)
                bar.advance(task)
        _update_search_index(settings, factory)
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


def ingest(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Files or folders")],
    format: Annotated[Format, typer.Option("--format", help="Input format")] = Format.auto,
    source: Annotated[str | None, typer.Option(help="Source name for pages that lack one")] = None,
    on_duplicate: Annotated[
        OnDuplicate, typer.Option(help="When a url is already stored")
    ] = OnDuplicate.skip,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Processes that extract while one stores (0 or 1: none; default: one per CPU)",
        ),
    ] = None,
) -> None:
    """Store articles from raw pages, JSON, JSON Lines or HTML files."""
    summary = ingest_paths(
        get_settings(),
        paths,
        fmt=format,
        source=source,
        on_duplicate=on_duplicate,
        workers=workers,
    )
    summary.print()
    if summary.counts["rejected"]:
        raise typer.Exit(1)
