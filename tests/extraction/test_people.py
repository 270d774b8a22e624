"""People: short forms merged into the full name, and the state each belongs to."""

from app.extraction import extract
from app.extraction.base import Document, FoundEntity


def people(text: str) -> dict[str, FoundEntity]:
    result = extract(Document(text=text, published=None, language="en"))
    return {e.name: e for e in result.entities if e.kind == "person"}


def test_a_titled_surname_is_an_alias_of_the_full_name() -> None:
    found = people(
        "Defence Secretary Tomas Varga met Prime Minister Ilse Brandt in Oslo. "
        "Secretary Varga said the talks went well, and Minister Brandt agreed."
    )
    assert set(found) == {"Tomas Varga", "Ilse Brandt"}
    assert "Varga" in found["Tomas Varga"].aliases
    assert len(found["Tomas Varga"].mentions) == 2


def test_a_surname_two_people_share_stays_apart() -> None:
    found = people(
        "Defence Minister Arun Singh met Army Chief General Vikram Singh on Monday. "
        "Minister Singh spoke first."
    )
    assert {"Arun Singh", "Vikram Singh"} <= set(found)
    assert "Singh" not in found["Arun Singh"].aliases
    assert "Singh" not in found["Vikram Singh"].aliases


def test_the_state_of_a_lowercase_title_before_the_name() -> None:
    found = people("The Russian defence minister, General Pavel Orlov, arrived on Monday.")
    assert found["Pavel Orlov"].country == "RUS"


def test_the_state_of_a_title_in_apposition() -> None:
    found = people(
        "Maria Lopez, Chile's defence minister, said so. He then met General Luc Martin, "
        "French Chief of Defence, and Ana Ruiz, the Minister of Defence of Peru."
    )
    assert found["Maria Lopez"].country == "CHL"
    assert found["Luc Martin"].country == "FRA"
    assert found["Ana Ruiz"].country == "PER"


def test_a_title_before_the_next_name_is_not_an_apposition() -> None:
    found = people("He met Ed Stone, Indian Defence Minister Raj Kumar and others.")
    assert found["Raj Kumar"].country == "IND"
    assert "Ed Stone" not in found or found["Ed Stone"].country is None


def test_a_surname_mention_carries_its_state_to_the_full_name() -> None:
    found = people(
        "Defence Minister Kofi Mensah opened the talks. Later, Ghanaian Defence Minister "
        "Mensah signed the accord."
    )
    assert found["Kofi Mensah"].country == "GHA"


def test_a_place_after_a_comma_and_a_plural_noun_is_no_person() -> None:
    found = people("During their stay in Port Blair, Indian naval officers visited the base.")
    assert found == {}


def test_names_with_lowercase_particles() -> None:
    found = people(
        "He met the Minister of Foreign Affairs, Dr. Yusuf bin Hamad al-Rashid. "
        "President Omar Farouk el-Masri spoke later."
    )
    assert {"Yusuf bin Hamad al-Rashid", "Omar Farouk el-Masri"} <= set(found)


def test_the_rest_of_a_title_before_the_name() -> None:
    found = people(
        "He met the French Minister of the Armed Forces Claire Dubois and the U.S. Secretary "
        "of defence Mark Fielding. Deputy Prime Minister, the Hon Tom Reilly MP said so."
    )
    assert {"Claire Dubois", "Mark Fielding", "Tom Reilly"} <= set(found)
    assert found["Claire Dubois"].country == "FRA"


def test_arabic_names_take_the_given_name_not_the_fathers() -> None:
    found = people(
        "King Faisal bin Turki received Prince Nasser bin Faisal. Prince Nasser thanked "
        "King Faisal."
    )
    assert {"Faisal bin Turki", "Nasser bin Faisal"} <= set(found)
    assert "Faisal" in found["Faisal bin Turki"].aliases
    assert "Nasser" in found["Nasser bin Faisal"].aliases
    assert "Faisal" not in found["Nasser bin Faisal"].aliases


def test_a_suffix_is_part_of_a_name_never_a_name() -> None:
    found = people("Secretary Robert Hale Jr. said so. Martin Luther King Jr. came.")
    assert "Robert Hale Jr" in found and "Jr" not in found


def test_spaced_initials_belong_to_the_name() -> None:
    found = people("Air Chief Marshal R. K. Bhadauria will fly to Rome next week.")
    assert set(found) == {"R. K. Bhadauria"}


def test_a_plural_title_names_each_person_it_lists() -> None:
    found = people("Prime Ministers Olaf Berger and Anna Lindqvist will sign the treaty.")
    assert set(found) == {"Olaf Berger", "Anna Lindqvist"}


def test_an_and_inside_a_title_and_a_long_title_before_the_name() -> None:
    found = people(
        "Minister of Defence and Military Production Karim Nassar met the Chief of Staff "
        "of the Armed Forces Omar Haddad in Cairo."
    )
    assert set(found) == {"Karim Nassar", "Omar Haddad"}


def test_a_name_after_a_title_and_the_states_it_serves() -> None:
    found = people(
        "The general met the Ambassador to Chile and Peru, Marta Olsen, and the Defence "
        "Minister of the Philippines, Ramon Cruz."
    )
    assert {"Marta Olsen", "Ramon Cruz"} <= set(found)


def test_a_state_before_another_persons_name_is_not_the_next_persons() -> None:
    found = people(
        "During the talks with Chile's Defence Minister Ana Rojas, General Tomas Varga "
        "said the ties were strong."
    )
    assert found["Ana Rojas"].country == "CHL"
    assert found["Tomas Varga"].country is None


def test_a_name_written_family_name_first_or_hyphenated_is_one_person() -> None:
    found = people(
        "Prime Minister Haruto Mori met President Park Min-jun in Seoul. "
        '"We agree," said His Excellency Mr Mori Haruto, and President Park Minjun said so too.'
    )
    assert {"Haruto Mori", "Park Min-jun"} <= set(found)
    assert "Mori Haruto" in found["Haruto Mori"].aliases
    assert "Park Minjun" in found["Park Min-jun"].aliases
    assert "Mori Haruto" not in found and "Park Minjun" not in found


def test_a_speaker_named_after_the_verb_that_follows_a_quote() -> None:
    found = people(
        '"Our ties are strong," added Varga. "Yes," said Maria Lopez, smiling. '
        '"No," said Washington.'
    )
    assert {"Varga", "Maria Lopez"} <= set(found)
    assert "Washington" not in found  # a place, as a city's name is in such a frame


def test_a_name_after_a_title_of_an_organisation_and_a_comma() -> None:
    found = people("The deal was signed by the President of Hyundai Rotem, Jin Park, on Monday.")
    assert "Jin Park" in found
