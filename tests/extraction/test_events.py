"""Events: who took part, which happening is which, and when (sentences written for these tests)."""

from datetime import date

import pytest

from app.extraction import extract
from app.extraction.base import Document, Extraction, FoundEvent
from app.extraction.lexicon import lexicon
from app.extraction.participants import official_states
from app.extraction.temporal import find_date


def run(text: str, published: date | None = date(2024, 3, 12)) -> Extraction:
    return extract(Document(text=text, published=published, language="en"))


def of_type(result: Extraction, event_type: str) -> list[FoundEvent]:
    return [e for e in result.events if e.type == event_type]


def test_news_without_a_date_is_dated_to_the_publication_month() -> None:
    (pact,) = of_type(run("Chile and Peru have signed a defence pact."), "agreement")
    assert pact.date is not None and pact.date.iso() == "2024-03"


def test_background_without_a_date_stays_undated() -> None:
    (pact,) = of_type(run("Chile and Peru had signed a defence pact."), "agreement")
    assert pact.date is None


def test_two_speakers_make_two_statements_one_speaker_one() -> None:
    text = (
        "Turkish Defence Minister Selim Kaya met his Chilean counterpart Ana Rojas in Ankara. "
        "Kaya said the partnership between Turkey and Chile is strong. "
        "He added that the ties would grow. "
        "Rojas said Chile values its cooperation with Turkey."
    )
    assert len(of_type(run(text), "statement")) == 2


def test_statements_through_other_speech_verbs() -> None:
    text = "The Chilean minister tweeted that the friendship between Chile and Peru is unbreakable."
    (statement,) = of_type(run(text), "statement")
    assert sorted(statement.countries) == ["CHL", "PER"]


def test_a_further_meeting_on_the_same_occasion_is_another_event() -> None:
    text = (
        "Chilean Defence Minister Ana Rojas met Peruvian Defence Minister Luis Soto in Lima. "
        "During the meeting, the two ministers discussed cooperation between Chile and Peru. "
        "Rojas also met Peruvian army chief Jorge Vega."
    )
    assert len(of_type(run(text), "meeting")) == 2


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        ("the drill ran from 1 to 8 November", date(2023, 12, 1), ("2023-11-01", "2023-11-08")),
        ("talks on Monday, August 21, 2017 in Delhi", date(2017, 8, 25), ("2017-08-21", None)),
        ("the ships arrived in October", date(2019, 12, 16), ("2019-10", None)),
        ("the ships arrived in October", date(2019, 3, 16), ("2018-10", None)),
        ("the minister will travel in June", date(2019, 3, 16), ("2019-06", None)),
        ("talks held last fall", date(2022, 2, 1), ("2021", None)),
        ("this may help", date(2022, 2, 1), None),
        ("talks on May 26", date(2022, 5, 1), ("2022-05-26", None)),  # a month-only date
        ("a pact signed 60 years ago", date(2020, 11, 17), ("1960", None)),
        ("talks three months ago", date(2020, 11, 17), ("2020-08", None)),
        ("talks two days ago", date(2020, 11, 17), ("2020-11-15", None)),
        ("talks on May 26", date(2022, 5, 10), ("2021-05-26", None)),
    ],
)
def test_date_expressions(sentence: str, published: date, expected: tuple | None) -> None:
    future = "will" in sentence
    found = find_date(sentence, published, future=future)
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert (found.start.iso(), found.end.iso() if found.end else None) == expected


def test_the_date_of_another_clause_does_not_date_the_trigger() -> None:
    text = "Chile and Peru held talks on defence, the ministry said on 3 March."
    (talks,) = of_type(run(text), "meeting")
    assert talks.date is not None and talks.date.iso() == "2024-03"  # the month of the news
    text = "Chile and Peru held talks on 3 March on the pact signed in 2008."
    (talks,) = of_type(run(text), "meeting")
    assert talks.date is not None and talks.date.iso() == "2024-03-03"


def test_meetings_with_counterparts_from_a_list_are_one_per_state() -> None:
    text = (
        "In Jakarta, Chilean Defence Minister Ana Rojas held bilateral meetings with her "
        "counterparts from Peru, Brazil and Japan."
    )
    meetings = of_type(run(text), "meeting")
    assert sorted(sorted(m.countries) for m in meetings) == [
        ["BRA", "CHL"],
        ["CHL", "JPN"],
        ["CHL", "PER"],
    ]


def test_plural_and_progressive_triggers() -> None:
    text = "The Chilean minister was talking to his Peruvian counterpart about defence."
    assert of_type(run(text), "meeting")
    text = "Chilean and Peruvian officers held discussions on border security."
    assert of_type(run(text), "meeting")


def test_a_quote_on_the_line_after_said_makes_the_statement() -> None:
    text = "Chilean minister Ana Rojas said:\n“Our partnership with Peru has never been stronger.”"
    assert of_type(run(text), "statement")


def test_an_unnamed_speaker_is_another_speaker_a_pronoun_the_same() -> None:
    text = (
        "Chilean minister Ana Rojas said the partnership between Chile and Peru is strong. "
        "He said the ties between Chile and Peru will grow. "
        "The ambassador thanked Chile for its support."
    )
    assert len(of_type(run(text), "statement")) == 2


def test_what_a_pact_will_allow_or_talks_will_address_is_no_event() -> None:
    text = "Chile and Peru signed a pact that will enable joint exercises and training of cadets."
    result = run(text)
    assert of_type(result, "agreement") and not of_type(result, "exercise")
    text = "Chilean and Peruvian ministers will discuss joint drills and arms sales."
    result = run(text)
    assert of_type(result, "meeting") and not of_type(result, "exercise")


def test_a_background_visit_does_not_merge_into_the_news_one() -> None:
    text = (
        "Chilean ships arrived in Peru on a goodwill visit. "
        "Ties between Chile and Peru grew since 2006 when the Chilean president visited Peru."
    )
    visits = of_type(run(text), "visit")
    assert sorted(v.date.iso() if v.date else "" for v in visits) == ["2006", "2024-03"]


def test_an_official_takes_his_titles_state_not_the_venue_before_it() -> None:
    from app.extraction.lexicon import lexicon
    from app.extraction.participants import official_states

    text = (
        "Indian Defence Minister Ravi Kumar met his Chilean counterpart. "
        "On his visit to Lima, Peru, Defence Minister Ana Rojas met officials."
    )
    result = run(text)
    people = {e.name: e for e in result.entities if e.kind == "person"}
    states = official_states(text, result.entities, lexicon())
    assert states.get(id(people["Ravi Kumar"])) == "IND"
    if people["Ana Rojas"].country == "PER":  # the finder took the venue: no state, then
        assert states.get(id(people["Ana Rojas"])) == ""


def test_visiting_before_a_common_noun_is_no_visit() -> None:
    text = "It is the first visiting forces agreement Chile has signed with Peru."
    assert not of_type(run(text), "visit")


def test_arms_orders_and_shipments() -> None:
    text = "Chile signed a contract for 12 frigates with Peru."
    assert of_type(run(text), "arms_transfer")


def test_a_state_named_as_the_topic_is_no_participant() -> None:
    text = "Chile and Peru signed a defence pact amid tensions over Bolivia."
    (pact,) = of_type(run(text), "agreement")
    assert sorted(pact.countries) == ["CHL", "PER"]
    text = "Chile signed a defence pact with Peru after Russia's invasion of Ukraine."
    (pact,) = of_type(run(text), "agreement")
    assert sorted(pact.countries) == ["CHL", "PER"]


@pytest.mark.parametrize(
    ("sentence", "event_type"),
    [
        ("The Chilean minister will fly to Lima next month to meet Peruvian officials.", "visit"),
        ("Chilean Defence Minister Ana Rojas is in Lima, Peru, to attend a summit.", "visit"),
        ("A Chilean delegation led by its army chief called on the Peruvian president.", "visit"),
        ("Chile and Peru reached in-principle agreement on a defence treaty.", "agreement"),
        ("The Chile-Peru defence pact came into force on Monday.", "agreement"),
        ("Chile struck a defence deal with Peru.", "agreement"),
        ("The Chilean president spoke at a joint media briefing with Peru's leader.", "meeting"),
        ("Chile has stopped its training of the Peruvian military, Chile said.", "training"),
    ],
)
def test_more_trigger_phrasings(sentence: str, event_type: str) -> None:
    assert of_type(run(sentence), event_type)


def test_pacts_with_two_states_are_two_agreements() -> None:
    text = (
        "Chile's defence ties keep growing. "
        "The Chilean parliament ratified the defence pacts with Peru and Brazil."
    )
    pacts = of_type(run(text), "agreement")
    assert sorted(sorted(p.countries) for p in pacts) == [["BRA", "CHL"], ["CHL", "PER"]]


def test_a_planned_event_without_a_date_stays_undated() -> None:
    (visit,) = of_type(run("The Chilean minister will visit Peru."), "visit")
    assert visit.status == "planned" and visit.date is None


def test_weapons_arriving_are_no_visit() -> None:
    result = run("The six Chilean fighter jets arrived in Peru on Monday.")
    assert not of_type(result, "visit")
    assert of_type(run("Two Chilean warships arrived in Peru on a goodwill visit."), "visit")


def test_an_exercise_reported_by_its_end_takes_its_first_day_from_its_start() -> None:
    text = (
        "The Chilean and Peruvian navies today concluded a joint naval exercise off Callao. "
        "The exercise, which began on March 4, involved ships and aircraft."
    )
    (drill,) = of_type(run(text), "exercise")
    assert drill.date is not None and drill.date.iso() == "2024-03-04"
    assert drill.date_end is not None and drill.date_end.iso() == "2024-03-12"


def test_an_exercise_reported_by_its_end_alone_keeps_that_date() -> None:
    text = "The Chilean and Peruvian navies today concluded a joint naval exercise off Callao."
    (drill,) = of_type(run(text), "exercise")
    assert drill.date is not None and drill.date.iso() == "2024-03-12"


def test_a_named_war_memorial_is_no_fighting() -> None:
    text = "Chilean Defence Minister Ana Rojas visited Peru and laid a wreath at the War Memorial."
    assert not of_type(run(text), "conflict")
    assert of_type(run("Chile and Peru fought the war over the desert."), "conflict")


def test_a_detail_naming_no_state_adds_to_its_happening_but_is_no_event_of_its_own() -> None:
    text = (
        "Chilean Defence Minister Ana Rojas met Peruvian Defence Minister Luis Soto in Lima. "
        "The two ministers discussed cooperation between Chile and Peru. "
        "The frigates were built at a shipyard in the north, officials said."
    )
    assert not of_type(run(text), "industry")
    named = text + " Chile and Peru will jointly produce patrol boats at the shipyard."
    (industry,) = of_type(run(named), "industry")
    assert sorted(industry.countries) == ["CHL", "PER"]


def test_the_state_hosting_a_summit_is_not_a_party_to_a_meeting_on_its_sidelines() -> None:
    text = (
        "Chilean Defence Minister Ana Rojas met Peruvian Defence Minister Luis Soto "
        "on the sidelines of the regional defence summit in Brazil."
    )
    (meeting,) = of_type(run(text), "meeting")
    assert sorted(meeting.countries) == ["CHL", "PER"]


def test_an_official_takes_the_state_the_article_gives_his_title_without_his_name() -> None:
    text = (
        "Defence Minister General Tomas Varga met Chilean Defence Minister Ana Rojas in Lima. "
        "Japan's Foreign Minister Ilse Brandt spoke with Japanese officials. "
        "The Peruvian defence minister's visit to Chile last year was a success."
    )
    entities = extract(Document(text=text, published=None, language="en")).entities
    states = official_states(text, entities, lexicon())
    by_name = {e.name: states.get(id(e)) for e in entities if e.kind == "person"}
    assert by_name == {"Tomas Varga": "PER", "Ana Rojas": "CHL", "Ilse Brandt": "JPN"}


def test_a_title_two_unheld_states_share_gives_no_state() -> None:
    text = (
        "Defence Minister Tomas Varga met Chilean Defence Minister Ana Rojas in Lima. "
        "The Peruvian defence minister and the Bolivian defence minister spoke later."
    )
    entities = extract(Document(text=text, published=None, language="en")).entities
    states = official_states(text, entities, lexicon())
    by_name = {e.name: states.get(id(e)) for e in entities if e.kind == "person"}
    assert by_name == {"Tomas Varga": None, "Ana Rojas": "CHL"}


def test_meetings_with_different_people_of_one_state_are_two_meetings() -> None:
    text = (
        "Turkish Defence Minister Selim Kaya met Chilean Defence Minister Ana Rojas in Santiago. "
        "Kaya met with General Luis Soto, Chilean Chief of Defence, to discuss cooperation. "
        "Kaya and Rojas held talks on the navy."
    )
    meetings = of_type(run(text), "meeting")
    assert sorted(sorted(m.persons) for m in meetings) == [
        ["Ana Rojas", "Selim Kaya"],
        ["Luis Soto", "Selim Kaya"],
    ]


def test_a_speech_verb_that_only_cites_the_source_is_no_statement() -> None:
    cited = "The two navies will support each other's ships, a statement by the ministry said."
    assert of_type(run(f"Chile and Peru signed a naval pact. {cited}"), "statement") == []
    spoken = "Kaya said Chile and Peru will support each other, the statement added."
    assert len(of_type(run(spoken), "statement")) == 1


def test_the_acting_side_of_a_list_is_the_main_state_outside_it() -> None:
    text = (
        "Peru and Brazil praised their ties with Japan. Brazil and Peru are close. "
        "Chile sent a delegation. Minister Ana Rojas held bilateral meetings with her "
        "counterparts from Peru, Brazil and Japan."
    )
    meetings = of_type(run(text), "meeting")
    assert sorted(sorted(m.countries) for m in meetings) == [
        ["BRA", "CHL"],
        ["CHL", "JPN"],
        ["CHL", "PER"],
    ]


def test_exercises_of_other_names_are_other_happenings() -> None:
    text = (
        "Chile and Peru held the joint naval exercises 'Albatros' and 'Condor' last week. "
        "Chilean jets will deploy to Peru for Exercise Puma Andina with Peruvian forces. "
        "The joint exercise Puma Andina will be the largest yet, Chile and Peru said."
    )
    names = sorted(str(e.name) for e in of_type(run(text), "exercise"))
    assert names == ["Albatros", "Condor", "Puma Andina"]


@pytest.mark.parametrize(
    "sentence",
    [
        "The Chilean and Peruvian navies have in recent years increased their joint exercises.",
        "Over the past two decades Chile and Peru held many joint exercises.",
    ],
)
def test_what_recent_years_saw_is_habitual_not_a_happening(sentence: str) -> None:
    assert of_type(run(sentence), "exercise") == []


def test_an_opening_that_refers_back_to_the_news_makes_no_new_event() -> None:
    text = (
        "Chilean Defence Minister Ana Rojas met Peruvian Defence Minister Luis Soto in Lima. "
        "The meeting comes after Bolivian and Argentine troops clashed on the border."
    )
    found = run(text)
    assert [sorted(m.countries) for m in of_type(found, "meeting")] == [["CHL", "PER"]]
    assert [sorted(c.countries) for c in of_type(found, "conflict")] == [["ARG", "BOL"]]


def test_a_quote_of_several_sentences_is_read_whole_for_its_statement() -> None:
    text = (
        "Chilean Admiral Ana Rojas arrived in Lima on a visit to Peru. "
        "“The visit shows the strong friendship between Chile and Peru. "
        "We look forward to a drill at sea,” Admiral Rojas emphasised."
    )
    (statement,) = of_type(run(text), "statement")
    assert sorted(statement.countries) == ["CHL", "PER"]
    unquoted = "Chile and Peru are friends. We look forward to a drill, Admiral Ana Rojas said."
    assert of_type(run(unquoted), "statement") == []


def test_a_named_weapon_meets_what_an_arms_transfer_requires() -> None:
    text = "Russia has kept its promise to deliver to Serbia six MiG-29 on Friday."
    (transfer,) = of_type(run(text), "arms_transfer")
    assert sorted(transfer.countries) == ["RUS", "SRB"]
    assert (
        of_type(run("Russia has kept its promise to deliver to Serbia on Friday."), "arms_transfer")
        == []
    )


def test_without_a_publication_date_a_month_does_not_date_the_news() -> None:
    text = (
        "Chilean Navy ship Esmeralda on Monday visited Peru on its deployment. "
        "During the state visit of Chilean President Ana Rojas to Peru in April 2016, "
        "the ties grew."
    )
    visits = of_type(run(text, published=None), "visit")
    assert sorted(str(v.date and v.date.iso()) for v in visits) == ["2016-04", "None"]


@pytest.mark.parametrize(
    ("sentence", "event_type"),
    [
        ("A Chilean Navy helicopter transferred Peruvian sailors to the frigate.", "arms_transfer"),
        (
            "Chilean ship Aquiles transferred fuel to Peruvian frigates in the exercise.",
            "arms_transfer",
        ),
        ("Chile will join the joint exercise with 150 personnel travelling to Peru.", "visit"),
    ],
)
def test_what_moves_is_not_always_a_weapon_or_a_visitor(sentence: str, event_type: str) -> None:
    assert of_type(run(sentence), event_type) == []


def test_a_future_word_plans_only_its_own_clause() -> None:
    text = "Chilean minister Ana Rojas is on a visit to Peru, where the navies will hold a drill."
    (visit,) = of_type(run(text), "visit")
    assert visit.status == "reported" and visit.date is not None
    (plan,) = of_type(run("Chile and Peru will sign a defence pact."), "agreement")
    assert plan.status == "planned"


def test_a_statement_is_dated_by_its_saying_not_by_what_is_said() -> None:
    said = "Chilean minister Ana Rojas said on Monday that cooperation with Peru will grow."
    (statement,) = of_type(run(said), "statement")
    assert statement.date is not None and statement.date.iso() == "2024-03-11"
    told = "Ana Rojas said ties between Chile and Peru will grow when Chile hosts a summit in 2026."
    (statement,) = of_type(run(told), "statement")
    assert statement.date is not None and statement.date.iso() == "2024-03"  # the news month


def test_the_year_of_a_named_pact_dates_the_pact_not_a_visit() -> None:
    (pact,) = of_type(run("Chile and Peru signed a 2003 ceasefire accord."), "agreement")
    assert pact.date is not None and pact.date.iso() == "2003"
    visit_text = "Chilean minister Ana Rojas is on a visit to Peru to review the 2008 agreement."
    (visit,) = of_type(run(visit_text), "visit")
    assert visit.date is not None and visit.date.iso() == "2024-03"  # the news month, not 2008


def test_signed_agreements_named_in_passing_are_no_signing() -> None:
    text = "Chile and Peru will implement all signed agreements on defence cooperation."
    assert of_type(run(text), "agreement") == []
    so_far = "Chile and Peru reviewed the agreements signed so far on defence cooperation."
    assert of_type(run(so_far), "agreement") == []


def test_a_parliament_approving_a_treaty_is_an_agreement() -> None:
    text = "The Peruvian Senate approved the defence treaty with Chile on March 5."
    (pact,) = of_type(run(text), "agreement")
    assert sorted(pact.countries) == ["CHL", "PER"] and pact.date is not None
    assert pact.date.iso() == "2024-03-05"


def test_a_dateline_month_alone_places_a_day_but_dates_no_undated_news() -> None:
    text = (
        "Chile and Peru signed a defence pact on 28 September. "
        "Brazilian minister Rui Costa is on a visit to Argentina."
    )
    document = Document(text=text, published=date(2021, 9, 1), language="en",
                        published_month_only=True)  # fmt: skip
    result = extract(document)
    (pact,) = of_type(result, "agreement")
    assert pact.date is not None and pact.date.iso() == "2021-09-28"
    (visit,) = of_type(result, "visit")
    assert visit.date is None


def test_make_document_keeps_a_month_alone_as_its_first_day() -> None:
    from datetime import UTC, datetime

    from app.services.extraction import make_document

    moment = datetime(2021, 9, 1, tzinfo=UTC)
    month = make_document(body="x", published_at=moment, precision="month", language="en",
                          title=None)  # fmt: skip
    assert (month.published, month.published_month_only) == (date(2021, 9, 1), True)
    year = make_document(body="x", published_at=moment, precision="year", language="en",
                         title=None)  # fmt: skip
    assert year.published is None


def test_transfers_of_other_weapons_are_other_happenings() -> None:
    text = (
        "Greece agreed to buy three frigates from France. "
        "Greece has also ordered 18 Rafale jets from France. "
        "The frigates will be delivered to Greece from France."
    )
    assert len(of_type(run(text), "arms_transfer")) == 2


def test_receiving_a_person_is_a_meeting_receiving_jets_is_not() -> None:
    assert of_type(run("Peru has received four MiG-29 jets from Chile."), "meeting") == []
    text = "Chilean Defence Minister Ana Rojas receiving Peru's army chief Luis Soto in Santiago."
    (meeting,) = of_type(run(text), "meeting")
    assert sorted(meeting.countries) == ["CHL", "PER"]
    calls = "Peruvian sailors are scheduled to pay courtesy visits to leaders of Chile's navy."
    assert [e.type for e in run(calls).events] == ["meeting"]


def test_a_model_number_names_the_weapon_a_transfer_needs() -> None:
    (aid,) = of_type(run("Russia gifted six MiG-29s to Serbia."), "military_aid")
    assert sorted(aid.countries) == ["RUS", "SRB"]
    assert of_type(run("China donated COVID-19 vaccines to Serbia."), "military_aid") == []


def test_a_date_after_since_dates_the_start_of_a_period_not_the_event() -> None:
    text = "Chile and Peru signed a defence pact, the first since the launch of the new government in January."
    (pact,) = of_type(run(text), "agreement")
    assert pact.date is None or pact.date.iso() != "2024-01"


def test_a_visit_to_a_capital_has_the_capitals_state_as_host() -> None:
    text = (
        "Germany will send tanks to Ukraine, and Ukraine thanked Germany for the tanks. "
        "German Defence Minister Boris Pistorius said he was visiting Warsaw two weeks into "
        "his tenure as Germany's defence chief."
    )
    (visit,) = of_type(run(text), "visit")
    assert sorted(visit.countries) == ["DEU", "POL"]  # not the article's main pair DEU-UKR
    assert visit.roles == {"POL": "host", "DEU": "visitor"}


def test_a_capital_named_beside_a_visit_but_not_visited_is_no_host() -> None:
    text = (
        "Germany will send tanks to Ukraine, and Ukraine thanked Germany for the tanks. "
        "Pistorius, who flew in from Warsaw, visited Kyiv on Monday."
    )
    (visit,) = of_type(run(text), "visit")
    assert "POL" not in visit.countries
