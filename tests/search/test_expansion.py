"""Alias expansion: a named entity's other names join the query, found by its key or an alias."""

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.search.expansion import expand
from app.search.query import Or, Phrase, Term
from app.services.entity import add_alias
from app.services.search import load_ranked
from tests.factories import make_entity


def test_an_organization_expands_to_its_name_and_aliases_by_either_key(session: Session) -> None:
    agency = make_entity(session, kind="organization", name="Defence Export Agency")
    add_alias(session, entity=agency, alias="DEA")
    add_alias(session, entity=agency, alias="Export Office")
    session.flush()
    by_name = Or(
        (Phrase(("defence", "export", "agency")), Term("dea"), Phrase(("export", "office")))
    )
    assert expand(session, Phrase(("defence", "export", "agency"))) == by_name
    by_alias = expand(session, Term("dea"))
    assert by_alias == Or((Term("dea"), by_name.children[0], by_name.children[2]))


def test_a_country_entity_expands_through_the_lexicon_not_its_aliases(session: Session) -> None:
    azerbaijan = make_entity(session, kind="country", name="Azerbaijan", code="AZE")
    add_alias(session, entity=azerbaijan, alias="Zzqland")  # an alias no lexicon has
    session.flush()
    assert expand(session, Term("zzqland")) == Term("zzqland")
    expanded = expand(session, Term("azerbaijan"))
    assert isinstance(expanded, Or) and Term("azerbaijani") in expanded.children


def test_a_word_no_entity_has_stays_as_it_is(session: Session) -> None:
    make_entity(session, kind="person", name="Rauf Aliyarov")
    assert expand(session, Term("zelbenwex")) == Term("zelbenwex")
    assert expand(session, Term("aliyar", prefix=True)) == Term("aliyar", prefix=True)


def test_a_page_with_no_hits_asks_the_database_nothing(session: Session) -> None:
    asked: list[str] = []
    bind = session.connection().engine

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        asked.append(statement)

    event.listen(bind, "before_cursor_execute", note)
    try:
        assert load_ranked(session, []) == []
    finally:
        event.remove(bind, "before_cursor_execute", note)
    assert asked == []
