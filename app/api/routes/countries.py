from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Request

from app.api.relations import ProfileLimit, event_page, nested_page, partner_read
from app.deps import EventScopeDep, SessionDep
from app.errors import problem_responses
from app.schemas.entity import EntityRead, entity_fields
from app.schemas.filters import EventFilters, country_codes
from app.schemas.relations import CountryProfile, DyadCounts, PersonCount, country_ref
from app.services import dyads as service
from app.taxonomy import EventType

router = APIRouter(prefix="/v1", tags=["relations"])


@router.get(
    "/countries/{code}",
    response_model=CountryProfile,
    operation_id="get_country",
    summary="A state's profile: partners, events over time, people, agreements",
    responses=problem_responses(400, 422),
)
def country_profile(
    request: Request,
    session: SessionDep,
    scope: EventScopeDep,
    limit: ProfileLimit,
    code: Annotated[str, Path(max_length=60, description="Alpha-3, alpha-2 or a name")],
) -> CountryProfile:
    alpha3 = country_codes([code], field="code")[0]
    partners, partners_cursor = service.partners(session, code=alpha3, scope=scope, limit=limit)
    agreements = EventFilters(
        type=EventType.agreement,
        country=(alpha3,),
        date_from=scope.date_from,
        date_to=scope.date_to,
        count=scope.count,
    )
    return CountryProfile(
        country=country_ref(alpha3),
        counts=DyadCounts(**asdict(service.country_counts(session, alpha3, scope))),
        partners=nested_page(
            request,
            [partner_read(p) for p in partners],
            path="/v1/dyads",
            params={
                "country": alpha3,
                "type": scope.type,
                "date_from": scope.date_from,
                "date_to": scope.date_to,
                "count": scope.count,
            },
            limit=limit,
            inner=partners_cursor,
        ),
        people=[
            PersonCount(person=EntityRead(**entity_fields(p)), count=n)
            for p, n in service.country_people(session, alpha3, limit)
        ],
        agreements=event_page(request, session, agreements, limit),
    )
