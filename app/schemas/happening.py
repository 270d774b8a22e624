"""Happenings as the API shows them: one real-world visit, signing, exercise edition or
delivery, with every report of it (issue 14)."""

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from app.schemas.article import SourceRead
from app.schemas.common import InputSchema, Schema
from app.schemas.entity import EntityRef
from app.schemas.event import (
    EvidenceRead,
    HappeningRole,
    ParticipantRead,
    event_read,
    evidence_of,
    partial_date,
)
from app.schemas.filters import RowId
from app.schemas.relations import NestedPage
from app.taxonomy import DatePrecision, EventStatus, EventType

if TYPE_CHECKING:
    from app.models import Article, Event, Happening, HappeningDecision

DateBasis = Literal["reported", "published"]


class HappeningSummary(Schema):
    id: int
    type: EventType
    name: str | None = Field(description="Name of a named exercise or agreement")
    date: str | None = Field(
        description="Partial ISO 8601 date at its precision: 2022, 2022-02, 2022-02-01"
    )
    date_start: dt.date | None
    date_end: dt.date | None
    date_precision: DatePrecision | None
    date_basis: DateBasis | None = Field(
        description="reported: the most precise date its reports give; published: no report "
        "dates it, so the first report's publication day stands in; null: nothing dates it"
    )
    status: EventStatus | None = Field(description="The leading report's: planned or reported")
    lead_event_id: int | None = Field(
        description="The report that stands for it: its type, states and participants"
    )
    location: EntityRef | None = Field(description="The leading report's place")
    countries: list[str] = Field(description="Alpha-3 codes of the participating states")
    participants: list[ParticipantRead] = Field(description="The leading report's participants")
    num_reports: int = Field(description="Reports (events) linked to it")
    num_sources: int = Field(description="Outlets that reported it")
    num_independent_sources: int = Field(
        description="Outlets that reported it, copies of one story (duplicate_of) counted once"
    )
    first_reported_at: dt.datetime | None = Field(description="The earliest report's publication")
    last_reported_at: dt.datetime | None = Field(description="The latest report's publication")


class HappeningReport(Schema):
    """One report of a happening: the event, and the article it is read from."""

    event_id: int
    article_id: int
    url: str | None
    title: str | None
    outlet: SourceRead | None = Field(description="The article's source")
    published_at: dt.datetime | None
    duplicate_of: int | None = Field(description="The article this one is a copy of")
    role: HappeningRole | None = Field(
        description="report (as it happens), preview (announced before) or background "
        "(mentioned after)"
    )
    is_lead: bool = Field(description="This report stands for the happening")
    evidence: EvidenceRead | None = Field(description="The sentence that reports it")
    date: str | None = Field(
        description="The report's own date (partial ISO 8601), or the happening's when it has none"
    )
    date_start: dt.date | None
    date_precision: DatePrecision | None
    date_inferred: bool = Field(
        description="The report gives no date of its own: `date` is the happening's"
    )


class DecisionReport(Schema):
    article_id: int
    type: EventType
    side: Literal["a", "b"] = Field(description="split: the side it was put on; merge: always a")


class HappeningDecisionRead(Schema):
    """An analyst's merge or split that names one of the happening's reports."""

    id: int
    at: dt.datetime = Field(description="When it was decided")
    actor: str | None = Field(description="The name of the write key that decided it")
    action: Literal["merge", "split"]
    happening_id: int | None = Field(description="The happening it was made on, as it was then")
    note: str | None
    reports: list[DecisionReport] = Field(
        description="The reports it names, as (article, event type): kept across re-extraction"
    )


class HappeningRead(HappeningSummary):
    reports: NestedPage[HappeningReport] = Field(
        description="Its reports, the earliest published first: the first page of "
        "/v1/happenings/{id}/reports"
    )
    decisions: list[HappeningDecisionRead] = Field(description="Analysts' decisions, oldest first")


def happening_summary(happening: "Happening", lead: "Event | None") -> HappeningSummary:
    """The API view of a happening and its leading event (None only while it is being linked)."""
    shown = event_read(lead) if lead is not None else None
    return HappeningSummary.model_validate(
        {
            "id": happening.id,
            "type": happening.type,
            "name": happening.name,
            "date": partial_date(happening.date_start, happening.date_precision),
            "date_start": happening.date_start,
            "date_end": happening.date_end,
            "date_precision": happening.date_precision,
            "date_basis": happening.date_basis,
            "status": shown.status if shown else None,
            "lead_event_id": shown.id if shown else None,
            "location": shown.location if shown else None,
            "countries": shown.countries if shown else [],
            "participants": shown.participants if shown else [],
            "num_reports": happening.num_reports,
            "num_sources": happening.num_sources,
            "num_independent_sources": happening.num_independent_sources,
            "first_reported_at": happening.first_reported_at,
            "last_reported_at": happening.last_reported_at,
        }
    )


def happening_report(event: "Event", article: "Article", happening: "Happening") -> HappeningReport:
    """One report as the happening shows it; an undated report takes the happening's date."""
    inferred = event.date_start is None and happening.date_start is not None
    start, precision = (
        (happening.date_start, happening.date_precision)
        if inferred
        else (event.date_start, event.date_precision)
    )
    return HappeningReport.model_validate(
        {
            "event_id": event.id,
            "article_id": article.id,
            "url": article.url,
            "title": article.title,
            "outlet": article.source,
            "published_at": article.published_at,
            "duplicate_of": article.duplicate_of_id,
            "role": event.happening_role,
            "is_lead": event.is_lead,
            "evidence": evidence_of(event),
            "date": partial_date(start, precision),
            "date_start": start,
            "date_precision": precision,
            "date_inferred": inferred,
        }
    )


def happening_read(
    summary: HappeningSummary,
    reports: NestedPage[HappeningReport],
    decisions: "list[HappeningDecision]",
) -> HappeningRead:
    """The whole happening: its summary, its reports and the decisions about them."""
    return HappeningRead(
        **summary.model_dump(),
        reports=reports,
        decisions=[HappeningDecisionRead.model_validate(d) for d in decisions],
    )


class HappeningMerge(InputSchema):
    """Fold another happening into this one (an analyst's decision, kept by report)."""

    happening_id: RowId = Field(description="The happening to fold into this one")
    note: str | None = Field(None, max_length=500, description="Why, for the record")


class HappeningSplit(InputSchema):
    """Move some reports of this happening to a new one (kept by report)."""

    events: list[RowId] = Field(
        min_length=1, max_length=1000, description="Ids of the reports (events) to move"
    )
    note: str | None = Field(None, max_length=500, description="Why, for the record")
