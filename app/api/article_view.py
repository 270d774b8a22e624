"""Articles as every read shows them: each with the happenings its events report. Those are
looked up for a whole page in one statement (services.happening_read), not one per article,
so a list or an export pays one query a page for them."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.schemas.article import ArticleSummary
from app.services.happening_read import article_happenings

if TYPE_CHECKING:
    from app.models import Article

S = TypeVar("S", bound=BaseModel)


def summaries(session: Session, articles: Sequence["Article"]) -> list[ArticleSummary]:
    """The articles' summaries, each with its happenings."""
    found = article_happenings(session, article_ids={a.id for a in articles})
    return [
        ArticleSummary.model_validate(a).model_copy(update={"happenings": found.get(a.id, [])})
        for a in articles
    ]


def summarized(
    session: Session, page: tuple[Sequence["Article"], str | None]
) -> tuple[list[ArticleSummary], str | None]:
    """A service's page of articles as summaries, its cursor kept (a Listing's fetch)."""
    articles, cursor = page
    return summaries(session, articles), cursor


def shown(row: S) -> S:
    """A Listing's serializer for rows already shown while their page was read."""
    return row
