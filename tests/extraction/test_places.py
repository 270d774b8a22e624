"""Places: regions, compass words, generic heads, acronyms, and places inside other names."""

from app.extraction import extract
from app.extraction.base import Document, FoundEntity


def places(text: str) -> dict[str, FoundEntity]:
    result = extract(Document(text=text, published=None, language="en"))
    return {e.name: e for e in result.entities if e.kind == "location"}


def test_world_regions_and_provinces_are_places() -> None:
    found = places(
        "The frigate sailed to Southeast Asia and South America. Troops from Himachal Pradesh "
        "trained in West Bengal."
    )
    assert {"Southeast Asia", "South America", "Himachal Pradesh", "West Bengal"} <= set(found)


def test_a_compass_word_before_a_known_place_is_part_of_it() -> None:
    found = places("The ship patrolled the Southern Indian Ocean last week.")
    assert "Southern Indian Ocean" in found and "Indian Ocean" not in found


def test_a_lowercase_head_after_a_place_is_an_alias() -> None:
    found = places("Shelling hit the Tarkot sector. Later the Tarkot area was calm again.")
    assert set(found) == {"Tarkot"}
    assert {"Tarkot sector", "Tarkot area"} <= set(found["Tarkot"].aliases)


def test_an_acronym_after_a_known_place_is_its_alias() -> None:
    found = places("Firing across the Line of Control (LoC) went on. The LoC stayed tense.")
    assert set(found) == {"Line of Control"} and "LoC" in found["Line of Control"].aliases


def test_a_known_place_inside_an_organisation_is_left_to_it() -> None:
    result = extract(
        Document(
            text="The Council of Europe and the Africa Command met the Asia Pacific "
            "Security Review (APSR) editors.",
            published=None,
            language="en",
        )
    )
    names = {e.name for e in result.entities if e.kind == "location"}
    assert not names & {"Europe", "Africa", "Asia Pacific"}


def test_a_place_word_before_a_name_makes_it_a_place() -> None:
    found = places(
        "Ministers met in the Latvian city of Kuldiga. The frigate called at the capital "
        "Tarawa on Monday."
    )
    assert {"Kuldiga", "Tarawa"} <= set(found)


def test_a_leading_head_takes_the_name_after_it() -> None:
    found = places("Fighters will deploy to RAAF Base Scherger for the first time.")
    assert "RAAF Base Scherger" in found


def test_a_named_exercise_is_no_place() -> None:
    found = places("Troops joined Exercise Yama Sakura in Japan this year.")
    assert "Sakura" not in found and "Yama Sakura" not in found


def test_a_building_head_stays_in_the_name() -> None:
    found = places("Fighting closed Mosul airport and the Wat Phra Temple stayed open.")
    assert {"Mosul airport", "Wat Phra Temple"} <= set(found)


def test_a_plural_area_head_after_two_names_makes_each_a_place() -> None:
    found = places(
        "Soldiers were killed in Tarkot and Velmar sectors in May. A drone hit the Dorsi "
        "tehsil, and the Kelto districts stayed calm."
    )
    assert {"Tarkot", "Velmar", "Dorsi", "Kelto"} <= set(found)
    assert "Dorsi tehsil" in found["Dorsi"].aliases


def test_a_name_placed_in_a_known_place_after_at_or_in_is_a_place() -> None:
    found = places(
        "Troops trained at Dorvik in Himachal Pradesh. Jets will be based in Ambala in Haryana "
        "state and Keltara in West Bengal state. He spoke to Varga in Poland."
    )
    assert {"Dorvik", "Keltara"} <= set(found)
    assert "Varga" not in found  # "to" takes people as often as places


def test_a_kind_of_place_after_a_or_an_is_no_name() -> None:
    found = places("He visited the Wat Sisakat Temple (a Buddhist Temple) in Vientiane.")
    assert "Buddhist Temple" not in found
