"""The extractor on texts written for these tests (pure: no database)."""

from datetime import date

import pytest

from app.extraction import PIPELINE_VERSION, extract
from app.extraction.base import Document, Extraction
from app.extraction.temporal import find_date


def run(text: str, published: date | None = date(2024, 3, 12), language: str = "en") -> Extraction:
    return extract(Document(text=text, published=published, language=language))


def entities(result: Extraction, kind: str) -> dict[str, dict]:
    return {
        e.name: {
            "code": e.code,
            "country": e.country,
            "title": e.title,
            "mentions": len(e.mentions),
        }
        for e in result.entities
        if e.kind == kind
    }


def test_countries_from_names_aliases_and_demonyms() -> None:
    result = run(
        "Türkiye and the UK held talks. The Azerbaijani delegation met Filipino and Emirati officials. "
        "An Indo-US exercise began. US$5 million was spent."
    )
    codes = {e["code"] for e in entities(result, "country").values()}
    assert codes == {"TUR", "GBR", "AZE", "PHL", "ARE", "IND", "USA"}


def test_people_titles_countries_and_short_forms() -> None:
    result = run(
        "Azerbaijani Defence Minister Col-Gen Rauf Aliyarov met his Turkish counterpart Selim Kaya in "
        "Ankara on Monday. Aliyarov said the talks were useful. Kaya thanked him. "
        "The Director of the Office, Dr. Maria Lopez, was present."
    )
    people = entities(result, "person")
    assert people["Rauf Aliyarov"]["country"] == "AZE"
    assert people["Rauf Aliyarov"]["title"].startswith("Defence Minister")
    assert people["Selim Kaya"]["country"] == "TUR"
    assert people["Rauf Aliyarov"]["mentions"] == 2 and people["Selim Kaya"]["mentions"] == 2
    assert "Maria Lopez" in people
    assert "Aliyarov" not in people and "Kaya" not in people


def test_two_people_joined_by_and() -> None:
    result = run(
        "Kenyan Defence Secretary Grace Wanjiru and British Armed Forces Minister James Holloway "
        "signed the extension."
    )
    people = entities(result, "person")
    assert people["Grace Wanjiru"]["country"] == "KEN"
    assert people["James Holloway"]["country"] == "GBR"


def test_organisations_places_equipment_and_agreements() -> None:
    result = run(
        "The Indian Navy and the Pakistan Army sent observers. The Inter-Services Public Relations (ISPR) "
        "said the Joint Border Commission (JBC) would meet. Units deployed to the Black Sea and the Gurez "
        "sector. Poland bought K9 howitzers and Mikoyan MiG-29 fighters; the frigate 'Kimon' and INS "
        "Delhi sailed. The two states signed the Caspian Declaration on Maritime Security."
    )
    orgs = entities(result, "organization")
    assert {
        "Indian Navy",
        "Pakistan Army",
        "Inter-Services Public Relations",
        "Joint Border Commission",
    } <= set(orgs)
    places = entities(result, "location")
    assert {"Black Sea", "Gurez"} <= set(places)  # "Gurez sector" is an alias
    equipment = entities(result, "equipment")
    assert {"K9", "Mikoyan MiG-29", "Kimon", "INS Delhi"} <= set(equipment)
    assert set(entities(result, "agreement")) == {"Caspian Declaration on Maritime Security"}


def test_generic_documents_and_forces_are_not_entities() -> None:
    result = run("The two sides signed a Memorandum of Understanding. The Air Force took part.")
    assert entities(result, "agreement") == {} and entities(result, "organization") == {}


def test_events_types_countries_dates_and_roles() -> None:
    result = run(
        "Azerbaijani Defence Minister Rauf Aliyarov arrived in Turkey on Monday for a working visit. "
        "He held talks with Turkish Defence Minister Selim Kaya. "
        "On June 15, the two countries signed a memorandum on military education. "
        "Poland received 40 K2 tanks from South Korea on Friday."
    )
    events = {(e.type, tuple(sorted(e.countries))): e for e in result.events}
    visit = events[("visit", ("AZE", "TUR"))]
    assert visit.date is not None and visit.date.iso() == "2024-03-11"
    assert visit.roles == {"AZE": "visitor", "TUR": "host"}
    meeting = events[("meeting", ("AZE", "TUR"))]
    assert meeting.date is not None and meeting.date.iso() == "2024-03-11"  # the visit's date
    agreement = events[("agreement", ("AZE", "TUR"))]
    assert agreement.date is not None and agreement.date.iso() == "2023-06-15"
    transfer = events[("arms_transfer", ("KOR", "POL"))]
    assert transfer.roles == {"KOR": "supplier", "POL": "recipient"}
    assert transfer.date is not None and transfer.date.iso() == "2024-03-08"
    assert all(
        e.evidence.text in result_text
        for e in result.events
        for result_text in [visit.evidence.text]
        if e is visit
    )


@pytest.mark.parametrize(
    ("sentence", "event_type", "roles"),
    [
        # a demonym before the official stands for the state; the object right after the verb
        (
            "Turkish Defence Minister Selim Kaya visited Azerbaijan on Monday.",
            "visit",
            {"TUR": "visitor", "AZE": "host"},
        ),
        # "Minister of X" stands for X; a capital stands for its state
        (
            "The Defence Minister of Chile arrived in Lima on Monday for talks with Peruvian officials.",
            "visit",
            {"CHL": "visitor", "PER": "host"},
        ),
        (
            "Pakistan's army chief began a three-day visit to China on Sunday.",
            "visit",
            {"PAK": "visitor", "CHN": "host"},
        ),
        (
            "Kenya hosted Ugandan army chief Moses Okello on Tuesday.",
            "meeting",
            {"KEN": "host", "UGA": "visitor"},
        ),
        (
            "The Ugandan delegation was hosted by Kenyan Defence Secretary Grace Wanjiru.",
            "meeting",
            {"UGA": "visitor", "KEN": "host"},
        ),
        (
            "Ankara hosted Azerbaijani Defence Minister Rauf Aliyarov and Turkish officials.",
            "meeting",
            {"TUR": "host", "AZE": "visitor"},
        ),
        (
            "South Korea delivered 24 K2 tanks to Poland on Tuesday.",
            "arms_transfer",
            {"KOR": "supplier", "POL": "recipient"},
        ),
        (
            "France sold 18 Rafale jets and two frigates to Greece last year.",
            "arms_transfer",
            {"FRA": "supplier", "GRC": "recipient"},
        ),
        (
            "Poland bought 96 K9 howitzers from South Korea.",
            "arms_transfer",
            {"POL": "recipient", "KOR": "supplier"},
        ),
        (
            "Egypt ordered two frigates from Italy in March.",
            "arms_transfer",
            {"EGY": "recipient", "ITA": "supplier"},
        ),
        # passive: the tanks are the subject; the one state named is the recipient
        (
            "The first K2 tanks were delivered to Poland by South Korea in December.",
            "arms_transfer",
            {"POL": "recipient", "KOR": "supplier"},
        ),
        # the verb before "to buy" has its own objects: France is not the buyer
        (
            "India signed a deal with France to buy 26 Rafale jets.",
            "arms_transfer",
            {"IND": "recipient", "FRA": "supplier"},
        ),
        (
            "Turkey donated 20 armoured vehicles to Azerbaijan.",
            "military_aid",
            {"TUR": "donor", "AZE": "recipient"},
        ),
        # two states before the verb: the host is clear, the visitors are left as they were
        ("Egypt and Pakistan visited Jordan together on Monday.", "visit", {"JOR": "host"}),
    ],
)
def test_roles_where_the_sentence_gives_them(
    sentence: str, event_type: str, roles: dict[str, str]
) -> None:
    event = next(e for e in run(sentence).events if e.type == event_type)
    assert event.roles == roles


@pytest.mark.parametrize(
    ("sentence", "event_type"),
    [
        ("Kenya and Uganda held talks in Nairobi.", "meeting"),
        # a noun with no recipient named: who delivers to whom is not said
        (
            "Poland and South Korea signed a contract on the delivery of 180 K2 tanks.",
            "arms_transfer",
        ),
        # three buyers, no seller
        ("Estonia, Latvia and Lithuania will jointly buy air defence systems.", "arms_transfer"),
        # "visiting" describes the visitor: the minister is not the host
        ("The visiting Turkish minister met Azerbaijani officials in Baku.", "visit"),
    ],
)
def test_no_roles_where_the_sentence_is_not_clear(sentence: str, event_type: str) -> None:
    event = next(e for e in run(sentence).events if e.type == event_type)
    assert set(event.roles.values()) <= {"participant"}


def test_repeated_reports_merge_and_habits_are_skipped() -> None:
    result = run(
        "Chile and Peru held talks in Lima on Monday. The talks covered naval training. "
        "The two navies periodically hold joint drills."
    )
    assert [e.type for e in result.events] == ["meeting"]


def test_planned_events_are_dated_ahead() -> None:
    result = run("The Kenyan minister will pay an official visit to Britain on Friday.")
    visit = next(e for e in result.events if e.type == "visit")
    assert visit.status == "planned" and visit.date is not None and visit.date.iso() == "2024-03-15"


def test_no_date_when_the_text_gives_none() -> None:
    result = run("Chile and Peru signed a defence pact.", published=None)
    assert [e.date for e in result.events] == [None]


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        (
            "visit to Turkey on February 1, the ministry said",
            date(2022, 2, 1),
            ("2022-02-01", None),
        ),
        ("On June 15, the two signed", date(2022, 2, 1), ("2021-06-15", None)),
        ("cooperation that began in 1992", date(2022, 2, 1), ("1992", None)),
        ("from August 8-10 in Kuala Lumpur", date(2021, 9, 1), ("2021-08-08", "2021-08-10")),
        ("from July 25 to August 2", date(2021, 9, 1), ("2021-07-25", "2021-08-02")),
        ("concluded today", date(2017, 7, 18), ("2017-07-18", None)),
        ("met yesterday", date(2017, 7, 18), ("2017-07-17", None)),
        ("talks last month", date(2017, 7, 18), ("2017-06", None)),
        ("signed in March 2021", None, ("2021-03", None)),
        ("signed on October 24, 2012", None, ("2012-10-24", None)),
        ("on Tuesday", None, None),
    ],
)
def test_dates(sentence: str, published: date | None, expected: tuple | None) -> None:
    found = find_date(sentence, published)
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert (found.start.iso(), found.end.iso() if found.end else None) == expected


def test_non_english_and_empty_text_yield_nothing() -> None:
    # a language without a rules file (French has one: tests/extraction/test_languages.py)
    swahili = run("Waziri wa Ulinzi wa Uturuki alikutana na mwenzake wa Azerbaijan.", language="sw")
    assert (
        swahili.entities == [] and swahili.events == [] and "language sw" in (swahili.skipped or "")
    )
    assert run("   ").entities == []
    garbage = run("\x01\x02 ÿþ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✈✈✈ 12345 ---- Ελληνικά 中文 العربية")
    assert garbage.events == []


def test_time_budget_and_version() -> None:
    result = extract(Document(text="Chile and Peru signed a pact.", language="en"), budget_s=1e-9)
    assert result.entities == [] and "time budget" in (result.skipped or "")
    assert result.version == PIPELINE_VERSION and PIPELINE_VERSION.startswith("rules:")


class _Ent:
    def __init__(self, text: str, label: str, start: int) -> None:
        self.text, self.label_, self.start_char, self.end_char = (
            text,
            label,
            start,
            start + len(text),
        )


class _FakeModel:
    """Stands in for an installed spaCy pipeline: labels fixed spans of the text."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels

    def __call__(self, text: str) -> "_FakeDoc":
        return _FakeDoc(
            [_Ent(t, label, text.index(t)) for t, label in self.labels.items() if t in text]
        )


class _FakeDoc:
    def __init__(self, ents: list[_Ent]) -> None:
        self.ents = ents


def test_optional_model_adds_names_the_rules_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.extraction import statistical

    text = "Officials from Tessaly Dynamics met Aurel Vantis in Ostrava to discuss Chile."
    model = _FakeModel(
        {"Tessaly Dynamics": "ORG", "Aurel Vantis": "PERSON", "Chile": "GPE", "Ostrava": "GPE"}
    )
    monkeypatch.setattr(statistical, "load_model", lambda name: model)
    without = extract(Document(text=text, language="en"))
    with_model = extract(Document(text=text, language="en"), spacy_model="fake_model")
    assert "Aurel Vantis" not in entities(without, "person")
    assert "Aurel Vantis" in entities(with_model, "person")
    assert "Tessaly Dynamics" in entities(with_model, "organization")
    assert "Chile" not in entities(with_model, "location")  # countries stay with the gazetteer
    assert "+spacy-1=fake_model+" in with_model.version and "spacy" not in without.version
    # a model's span that runs over punctuation keeps only the name
    comma = _FakeModel({"Aurel Vantis,": "PERSON"})
    monkeypatch.setattr(statistical, "load_model", lambda name: comma)
    found = extract(
        Document(text="We met Aurel Vantis, the envoy, in Ostrava.", language="en"),
        spacy_model="fake_model",
    )
    vantis = next(e for e in found.entities if e.kind == "person")
    assert vantis.name == "Aurel Vantis" and [m.text for m in vantis.mentions] == ["Aurel Vantis"]


def test_mention_surfaces_leave_out_the_punctuation_after_a_name() -> None:
    text = (
        "HANOI — Vietnamese and Kenyan officials met in Nairobi. They flew on to Hanoi, then to "
        "Rawalpindi; the Inter-Services Public Relations (ISPR) said the talks in Ankara: went "
        "well. The U.S. was not there."
    )
    result = run(text)
    surfaces = {m.text for e in result.entities for m in e.mentions}
    for entity in result.entities:
        for mention in entity.mentions:
            assert text[mention.start : mention.end] == mention.text
            tail = mention.text[-1]
            assert tail.isalnum() or mention.text in {
                "U.S.",
                "Inter-Services Public Relations (ISPR)",
            }
    assert {"HANOI", "Nairobi", "Hanoi", "Rawalpindi", "Ankara", "U.S."} <= surfaces


def test_a_configured_model_that_is_missing_is_a_clear_error() -> None:
    from app.extraction.statistical import ModelUnavailable, load_model

    with pytest.raises(ModelUnavailable):
        load_model("no_such_pipeline_anywhere")
