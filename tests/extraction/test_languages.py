"""Pages not in English: countries in the page's language, dates through dateparser, events
from the per-language trigger lexicons (app/extraction/data/languages/)."""

from datetime import date

import pytest

from app.extraction import extract
from app.extraction.base import Document, Extraction
from app.extraction.languages.countries import find_countries
from app.extraction.languages.dates import find_dates
from app.extraction.languages.rules import has_rules, rules_for
from app.kit.language import detect_language


def run(text: str, language: str, published: date | None = None) -> Extraction:
    return extract(Document(text=text, language=language, published=published))


def codes(result: Extraction) -> set[str]:
    return {e.code for e in result.entities if e.kind == "country" and e.code}


def events(result: Extraction) -> set[tuple[str, tuple[str, ...], str | None]]:
    return {
        (e.type, tuple(sorted(e.countries)), e.date.iso() if e.date else None)
        for e in result.events
    }


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("fr", "Le ministre grec a rencontré son homologue français à Paris.", {"GRC", "FRA"}),
        ("fr", "Les États-Unis et la Corée du Sud ont renforcé leurs liens.", {"USA", "KOR"}),
        ("de", "Deutschlands Marine übt mit der polnischen Flotte.", {"DEU", "POL"}),
        ("es", "España y Marruecos firmaron un acuerdo; EE.UU. observa.", {"ESP", "MAR", "USA"}),
        ("ru", "Министр обороны Турции прибыл в Азербайджан.", {"TUR", "AZE"}),
        (
            "ru",
            "Делегация Азербайджанской Республики встретилась с коллегами из России.",
            {"AZE", "RUS"},
        ),
        ("sr", "Predsednik Francuske pozdravio je dogovor sa Grčkom.", {"FRA", "GRC"}),
        ("tr", "Türkiye'nin savunma bakanı Azerbaycan'a gitti.", {"TUR", "AZE"}),
        ("pl", "Polska podpisała umowę z Koreą Południową.", {"POL", "KOR"}),
        ("hi", "भारत और जापान की नौसेनाओं का संयुक्त अभ्यास।", {"IND", "JPN"}),
    ],
)
def test_countries_in_the_pages_language(language: str, text: str, expected: set[str]) -> None:
    assert codes(run(text, language)) == expected


def test_inflected_names_match_by_stem_but_not_inside_other_words() -> None:
    rules = rules_for("ru")
    assert rules is not None
    found = find_countries("Министр Турции и министр Ирана; малый бизнес; Мали.", rules)
    assert {e.code for e in found} == {"TUR", "IRN", "MLI"}
    # short names match only as written: "Куба" is Cuba, "Кубань" (a Russian region) is not
    assert find_countries("Краснодар и Кубань.", rules) == []


def test_english_names_in_a_foreign_page_count_too() -> None:
    result = run("Le ministre a dit: «Greece will buy frigates from France».", "fr")
    assert codes(result) == {"GRC", "FRA"}


def test_aliases_keep_the_surfaces_and_the_name_is_english() -> None:
    result = run("La Grèce et les Grecs; le ministre grec.", "fr")
    (greece,) = result.entities
    assert greece.name == "Greece" and greece.code == "GRC"
    assert "Grèce" in greece.aliases and len(greece.mentions) == 3


@pytest.mark.parametrize(
    ("language", "text", "published", "expected"),
    [
        ("fr", "Le mardi 28 septembre 2021, les ministres ont signé.", None, ["2021-09-28"]),
        ("fr", "Le 28 septembre, les ministres ont signé.", date(2021, 10, 2), ["2021-09-28"]),
        ("fr", "Le 28 septembre, les ministres ont signé.", None, []),  # which year: not said
        ("es", "El 5 de marzo de 2020 llegó la fragata.", None, ["2020-03-05"]),
        ("de", "Im Mai 2019 begann die Übung.", None, ["2019-05"]),
        ("ru", "26 августа делегация прибыла в Баку.", date(2023, 9, 1), ["2023-08-26"]),
        ("ru", "В 2020 году стороны подписали договор.", None, ["2020"]),
        ("tr", "15 Temmuz 2022 tarihinde tatbikat başladı.", None, ["2022-07-15"]),
        ("pl", "12 października 2022 r. podpisano umowę.", None, ["2022-10-12"]),
    ],
)
def test_dates(language: str, text: str, published: date | None, expected: list[str]) -> None:
    rules = rules_for(language)
    assert rules is not None
    assert [d.value.iso() for d in find_dates(text, rules, published)] == expected


def test_events_with_their_states_and_dates() -> None:
    text = (
        "Le 28 septembre, le premier ministre grec et le président français ont signé un "
        "accord portant sur la livraison de trois frégates. Ces frégates seront produites en "
        "France. Le ministre s'est rendu à Athènes."
    )
    result = run(text, "fr", published=date(2021, 10, 1))
    found = events(result)
    assert ("agreement", ("FRA", "GRC"), "2021-09-28") in found
    assert ("arms_transfer", ("FRA", "GRC"), "2021-09-28") in found
    assert ("industry", ("FRA", "GRC"), None) in found  # one state named: the article's two
    assert ("visit", ("FRA", "GRC"), None) in found


def test_russian_visit_and_talks_merge_by_type_and_states() -> None:
    text = (
        "Министр обороны Турции находится в Азербайджане. "
        "Министр обороны Азербайджана встретил делегацию Турции. "
        "В рамках визита планируется обсудить военное сотрудничество."
    )
    found = events(run(text, "ru"))
    assert found == {("visit", ("AZE", "TUR"), None), ("meeting", ("AZE", "TUR"), None)}


def test_an_english_sentence_in_a_foreign_page_reads_with_the_english_triggers() -> None:
    text = "Grčka i Francuska. Greece will buy three frigates from France, officials said."
    assert ("arms_transfer", ("FRA", "GRC"), None) in events(run(text, "sr"))


def test_a_trigger_without_its_required_words_reports_nothing() -> None:
    # "livraison" is an arms transfer only with a weapon named
    assert run("La France et la Grèce: livraison de fromages.", "fr").events == []


def test_languages_without_rules_say_why_and_others_share_a_file() -> None:
    result = run("Waziri wa Kenya alikutana na mwenzake wa Uganda.", "sw")
    assert result.entities == [] and "no rules" in (result.skipped or "")
    assert has_rules("bs") and has_rules("hr") and has_rules("fil")
    assert run("Predsjednik Hrvatske posjetio je Grčku.", "hr").events


def test_english_pages_do_not_run_the_language_stage() -> None:
    result = run("Greece and France signed a frigate deal in Paris on Monday.", "en")
    assert all(e.kind != "country" or e.code in {"GRC", "FRA"} for e in result.entities)
    assert result.version.endswith("+languages-5")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Predsednik Srbije je rekao da je vreme za novu saradnju sa Rusijom, gde i pre.", "sr"),
        ("Председник Србије је рекао да је време за нову сарадњу са Русијом.", "sr"),
        ("Predsjednik Hrvatske je rekao da je vrijeme za novu suradnju, gdje i prije.", "hr"),
    ],
)
def test_serbian_is_told_from_its_neighbours(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("language", "text", "published", "expected"),
    [
        ("fr", "Mardi, les ministres ont signé.", date(2023, 9, 1), ["2023-08-29"]),
        (
            "ru",
            "В среду министр прибыл, вчера уехал.",
            date(2023, 9, 1),
            ["2023-08-30", "2023-08-31"],
        ),
        ("fr", "Mardi, les ministres ont signé.", None, []),  # a weekday of an undated page
        ("es", "En el mar Mediterráneo, el 5 mar. 2021.", None, ["2021-03-05"]),  # "mar": the sea
    ],
)
def test_weekdays_and_yesterday_need_the_publication_day(
    language: str, text: str, published: date | None, expected: list[str]
) -> None:
    rules = rules_for(language)
    assert rules is not None
    assert [d.value.iso() for d in find_dates(text, rules, published)] == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("fr", "Le premier ministre grec Jean Dupont a parlé.", ["Jean Dupont"]),
        ("sr", "Predsednik Francuske Petar Petrović je rekao.", ["Petar Petrović"]),
        ("ru", "Генерал-полковник Иван Петров прибыл.", ["Иван Петров"]),
        ("tr", "Milli Savunma Bakanı Ahmet Yılmaz'ın ziyareti.", ["Ahmet Yılmaz"]),
        # a name in an oblique case is not the name as written in the nominative: left out
        ("ru", "Он встретился с министром обороны Турции Иваном Петровым.", []),
        # capitalised words of an institution are not a person
        ("pt", "O comandante da Força Aérea Brasileira falou.", []),
        # a second name joined by the language's "and" is a person too, a state is not
        (
            "fr",
            "Le premier ministre grec Jean Dupont et Marie Curien ont signé.",
            ["Jean Dupont", "Marie Curien"],
        ),
        (
            "sr",
            "Predsednik Petar Petrović i Marko Jović su rekli.",
            ["Petar Petrović", "Marko Jović"],
        ),
        ("fr", "Le ministre Jean Dupont et la France ont parlé.", ["Jean Dupont"]),
        ("fr", "Le ministre Jean Dupont, et Marie Curien aussi.", ["Jean Dupont"]),
    ],
)
def test_people_after_a_title(language: str, text: str, expected: list[str]) -> None:
    result = run(text, language)
    assert [e.name for e in result.entities if e.kind == "person"] == expected


def test_a_days_number_with_a_full_stop_does_not_end_the_sentence() -> None:
    text = (
        "Polen unterzeichnete am 27. Juli 2022 in Warschau einen Vertrag mit Südkorea. "
        "Die Lieferung von Panzern beginnt im Jahr 2023."
    )
    found = events(run(text, "de"))
    assert ("agreement", ("KOR", "POL"), "2022-07-27") in found


def test_month_day_year_is_read_whole() -> None:
    rules = rules_for("tl")
    assert rules is not None
    found = find_dates("Lumagda sila noong Hulyo 8, 2024, at noong Agosto 2023.", rules, None)
    assert [d.value.iso() for d in found] == ["2024-07-08", "2023-08"]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("fr", "La France et l'OTAN; l'Union européenne (UE) aussi.", {"OTAN", "Union européenne"}),
        ("ru", "Турция, член НАТО, и Евросоюза.", {"НАТО", "Евросоюз"}),
        ("tr", "Türkiye, NATO'nun ve AB'nin ortağı.", {"NATO", "AB"}),
    ],
)
def test_multinational_bodies_as_the_page_writes_them(
    language: str, text: str, expected: set[str]
) -> None:
    result = run(text, language)
    assert {e.name for e in result.entities if e.kind == "organization"} == expected


def test_two_peoples_statements_are_two_events() -> None:
    text = (
        "Le président français Jean Dupont a salué la coopération avec la Grèce. "
        "Le premier ministre grec Nikos Papadopoulos a réaffirmé le partenariat avec la France. "
        "Le président français Jean Dupont a souligné l'amitié avec la Grèce."
    )
    statements = [e for e in run(text, "fr").events if e.type == "statement"]
    assert [e.persons for e in statements] == [["Jean Dupont"], ["Nikos Papadopoulos"]]


def test_mentions_lie_at_their_offsets() -> None:
    text = "Milli Savunma Bakanı Ahmet Yılmaz'ın Azerbaycan'a ziyareti."
    for entity in run(text, "tr").entities:
        for mention in entity.mentions:
            assert text[mention.start : mention.end] == mention.text


def test_turkish_bodies_end_in_their_head_noun() -> None:
    text = (
        "Milli Savunma Bakanlığı açıklama yaptı. Türk Silahlı Kuvvetleri ortak tatbikat yaptı. "
        "Anadolu Ajansı'nın haberine göre heyet geldi."
    )
    found = {e.name for e in run(text, "tr").entities if e.kind == "organization"}
    assert found == {"Milli Savunma Bakanlığı", "Türk Silahlı Kuvvetleri", "Anadolu Ajansı"}


def test_english_quoted_in_a_foreign_page_gives_places_and_one_person_per_spelling() -> None:
    text = (
        "Predsednik Francuske Emanuel Makron je rekao da je saradnja sa Grčkom dobra.\n\n"
        "French President Emmanuel Macron met Greek officials in the Mediterranean port "
        "of Piraeus on Monday."
    )
    result = run(text, "sr")
    people = [e for e in result.entities if e.kind == "person"]
    assert [p.name for p in people] == ["Emanuel Makron"]
    assert "Emmanuel Macron" in people[0].aliases
    assert any(e.kind == "location" for e in result.entities)


def test_a_known_company_of_two_words_is_found_in_any_language() -> None:
    result = run("Les frégates seront produites en France par Naval Group. Leonardo a parlé.", "fr")
    names = {e.name for e in result.entities if e.kind == "organization"}
    assert "Naval Group" in names
    assert "Leonardo" not in names  # a one-word name may be the page's own word


def test_a_dateline_month_alone_places_a_day_of_that_month_but_no_weekday() -> None:
    rules = rules_for("fr")
    assert rules is not None
    text = "Mardi 28 septembre, puis mardi et hier."
    found = find_dates(text, rules, date(2021, 9, 1), month_only=True)
    assert [d.value.iso() for d in found] == ["2021-09-28"]


def test_a_visit_to_a_capital_written_in_the_pages_language_names_the_host() -> None:
    text = (
        "Niemcy przekażą Ukrainie czołgi. Ukraina dziękuje Niemcom. "
        "Minister obrony Niemiec przebywa w środę z wizytą w Warszawie."
    )
    found = events(run(text, "pl"))
    assert ("visit", ("DEU", "POL"), None) in found


def test_a_portuguese_delivery_in_the_passive_is_an_arms_transfer() -> None:
    text = "O primeiro caça brasileiro Gripen E foi entregue na Suécia para o Brasil."
    found = events(run(text, "pt"))
    assert ("arms_transfer", ("BRA", "SWE"), None) in found
