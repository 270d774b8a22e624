"""`defcoop reindex`: happenings, the search indexes and summary counts rebuilt from the rows;
`defcoop recluster`: the happenings alone."""

from enum import StrEnum
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from app.cli.common import console, open_factory, say
from app.config import Settings, get_settings
from app.db.session import session_scope


class Part(StrEnum):
    happenings = "happenings"
    fts = "fts"
    topk = "topk"
    counts = "counts"


def _rebuild(session: Session, parts: set[Part], settings: Settings) -> tuple[list[str], bool]:
    """Rebuild the parts; what was done, and whether every article is indexed."""
    from sqlalchemy import func, select

    from app.models import Article
    from app.search.engines import engine_for
    from app.search.topk import open_index
    from app.services import search_index, summary
    from app.services.happening import recluster

    directory = settings.topk_directory() if Part.topk in parts else None
    said: list[str] = []
    complete = True
    articles = session.scalar(select(func.count()).select_from(Article)) or 0
    if Part.happenings in parts:  # first: the counts count what it leaves leading
        with console.status("linking every report into happenings again"):
            happenings = recluster(session)
        said.append(f"{happenings} happenings")
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
    return said, complete


def reindex(
    only: Annotated[
        list[Part] | None,
        typer.Option("--only", help="Rebuild just this part (repeatable); default: all"),
    ] = None,
) -> None:
    """Rebuild the happenings, search indexes and summary counts from the rows, and check them."""
    settings = get_settings()
    with open_factory(settings) as factory, session_scope(factory) as session:
        said, complete = _rebuild(session, set(only or Part), settings)
    say("summary: " + "; ".join(said))
    if not complete:
        raise typer.Exit(1)


def recluster() -> None:
    """Link every report into happenings again from the rows (analysts' decisions kept);
    the same as `reindex --only happenings`."""
    settings = get_settings()
    with open_factory(settings) as factory, session_scope(factory) as session:
        said, _complete = _rebuild(session, {Part.happenings}, settings)
    say("summary: " + "; ".join(said))
