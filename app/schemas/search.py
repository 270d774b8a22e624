from typing import Any

from pydantic import Field

from app.schemas.article import ArticleSummary
from app.schemas.common import Page, Schema


class SimilarArticle(ArticleSummary):
    score: float = Field(description="Likeness, higher is more alike")


class Highlights(Schema):
    title: str | None = Field(description="The title with matches marked, HTML-escaped")
    snippets: list[str] = Field(description="Up to three body passages with matches marked")


class ScoredArticle(ArticleSummary):
    score: float = Field(description="Relevance, higher is better (comparable within one query)")


class SearchHit(ScoredArticle):
    highlights: Highlights


class FacetValue(Schema):
    value: str
    count: int
    label: str | None = None


class FacetCounts(Schema):
    values: list[FacetValue]
    truncated: bool = Field(description="More values exist than were returned")


class SearchPage(Page[SearchHit]):
    """A page of hits, with how many match, the facets and how the query was understood."""

    total: int = Field(description="Matching articles, exact up to the cap")
    total_is_exact: bool
    facets: dict[str, FacetCounts] = Field(default_factory=dict)
    query: dict[str, Any] = Field(
        description="How the query was understood: engine and compiled form"
    )
