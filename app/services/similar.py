"""Similar articles: an article's frequent words and named things, searched for."""

import re
from collections import Counter
from functools import cache
from importlib import resources
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.limits import time_limit
from app.kit.text import fold
from app.models import Article, Entity, Mention
from app.search import topk
from app.search.backends import Filtered, Query
from app.search.query import Node, Or, Phrase, Term
from app.services.search import Hit, choose, load_ranked

_NAMED_KINDS = ("person", "organization", "agreement", "equipment")


@cache
def _stopwords() -> frozenset[str]:
    raw = resources.files("app.search").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w for w in raw.split() if not w.startswith("#"))


def _describing_words(article: Article, count: int = 10) -> list[str]:
    """The article's most frequent content words: what it is about."""
    counts = Counter(
        w
        for w in (fold(t) for t in re.findall(r"[^\W_]+", f"{article.title or ''} {article.body}"))
        if len(w) > 2 and not w.isdigit() and w not in _stopwords()
    )
    return [w for w, _ in counts.most_common(count)]


def _about(session: Session, article: Article) -> Node | None:
    """A query for what the article is about: any of its words and named things."""
    names = session.scalars(
        select(Entity.name)
        .join(Mention, Mention.entity_id == Entity.id)
        .where(Mention.article_id == article.id, Entity.kind.in_(_NAMED_KINDS))
        .distinct()
        .limit(5)
    ).all()
    options: list[Term | Phrase] = [Term(w) for w in _describing_words(article)]
    for name in names:
        parts = tuple(fold(name).split())
        if parts:
            options.append(Phrase(parts) if len(parts) > 1 else Term(parts[0]))
    if not options:
        return None
    return options[0] if len(options) == 1 else Or(tuple(options))


def _others(twins: set[int]) -> Filtered:
    """Every canonical article but these: copies would fill the list with one text."""
    ids = select(Article.id).where(Article.id.not_in(twins), Article.duplicate_of_id.is_(None))
    return Filtered(ids, topk.Filters(exclude_ids=tuple(sorted(twins)), copies=False))


def similar(
    session: Session,
    *,
    article: Article,
    limit: int,
    index_dir: Path | None = None,
    time_limit_s: float = 5.0,
) -> list[Hit]:
    """Articles most like this one: its frequent words and its named people and organisations,
    found within DEFCOOP_SEARCH_TIME_LIMIT_S (`time_limit_s`) like any search."""
    detail = f"Finding similar articles took longer than {time_limit_s:g} s."
    with time_limit(session, time_limit_s, detail=detail, retry_after=1) as check:
        node = _about(session, article)
        if node is None:
            return []
        twins = {t for t in (article.id, article.duplicate_of_id) if t is not None}
        query, filtered = Query(tree=node), _others(twins)
        backend = choose(session, query, filtered, index_dir=index_dir, check=check)
        rows = backend.top(session, query, filtered, limit)
    return [Hit(a, score, a.title, []) for a, score in load_ranked(session, rows)]
