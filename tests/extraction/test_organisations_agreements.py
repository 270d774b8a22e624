"""Organisations and agreements: known names, hyphenated compounds, tails, capitalised names."""

from app.extraction import extract
from app.extraction.base import Document, FoundEntity


def found(text: str, kind: str) -> dict[str, FoundEntity]:
    result = extract(Document(text=text, published=None, language="en"))
    return {e.name: e for e in result.entities if e.kind == kind}


def test_armed_groups_and_companies_without_a_head_word() -> None:
    orgs = found(
        "Boko Haram attacked a base. Janes reported that Nammo will supply shells.", "organization"
    )
    assert {"Boko Haram", "Janes", "Nammo"} <= set(orgs)


def test_a_name_before_a_hyphen_and_a_lowercase_word() -> None:
    text = "The Dassault-made jets and Russian-made tanks arrived."
    assert "Dassault" in found(text, "organization")
    assert {e.code for e in found(text, "country").values()} == {"RUS"}


def test_a_shorter_tail_of_a_name_is_an_alias() -> None:
    agreements = found(
        "The two states signed the Arctic-Pacific Mutual Logistics Agreement on Monday. "
        "The Mutual Logistics Agreement enters into force in May.",
        "agreement",
    )
    assert set(agreements) == {"Arctic-Pacific Mutual Logistics Agreement"}
    assert (
        "Mutual Logistics Agreement"
        in agreements["Arctic-Pacific Mutual Logistics Agreement"].aliases
    )


def test_generic_words_in_capitals_inside_a_sentence_name_a_document() -> None:
    text = (
        "Ghana and Norway signed a new Defence Cooperation Agreement in Accra. "
        "They also signed a Memorandum of Understanding on training."
    )
    assert set(found(text, "agreement")) == {"Defence Cooperation Agreement"}


def test_a_treaty_word_inside_an_organisation_name() -> None:
    text = "The North Atlantic Treaty Organization met in Brussels."
    assert "North Atlantic Treaty Organization" in found(text, "organization")
    assert found(text, "agreement") == {}


def test_an_acronym_in_brackets_after_an_agreement_is_no_organisation() -> None:
    text = "The sides signed a Memorandum of Understanding (MoU) on Monday."
    assert found(text, "organization") == {}


def test_a_state_word_and_a_lowercase_service() -> None:
    orgs = found(
        "Two Indian navy ships docked. The Brazilian air force chose the jet.", "organization"
    )
    assert {"Indian navy", "Brazilian air force"} <= set(orgs)
    assert orgs["Indian navy"].country == "IND"


def test_a_body_named_after_a_title_of() -> None:
    orgs = found(
        "He met the Vice Chairman of Central Military Commission in Beijing.", "organization"
    )
    assert "Central Military Commission" in orgs


def test_the_ministry_of_x_and_the_x_ministry_are_one() -> None:
    orgs = found(
        "The Ministry of Defence of Ghana said so. Later the Defence Ministry of Ghana denied it.",
        "organization",
    )
    assert list(orgs) == ["Ministry of Defence of Ghana"]


def test_a_weapon_named_again_without_its_maker_or_prefix() -> None:
    weapons = found(
        "India flew the Dassault Rafale and the frigate INS Trikand sailed. The Rafale landed "
        "and Trikand docked.",
        "equipment",
    )
    assert set(weapons) == {"Dassault Rafale", "INS Trikand"}
    assert "Rafale" in weapons["Dassault Rafale"].aliases


def test_a_number_inside_a_name_and_the_same_body_in_two_word_orders() -> None:
    orgs = found(
        "Officers of the Coastal Region 4 Headquarters Command met the mayor. "
        "Later the crew called on the Headquarters Command of Coastal Region 4 and the "
        "Indian 12th Mountain Field Hospital.",
        "organization",
    )
    assert set(orgs) == {
        "Coastal Region 4 Headquarters Command",
        "Indian 12th Mountain Field Hospital",
    }
    assert (
        "Headquarters Command of Coastal Region 4"
        in orgs["Coastal Region 4 Headquarters Command"].aliases
    )


def test_a_generic_body_owned_by_a_state_is_that_state_s() -> None:
    orgs = found("Kenya's Ministry of Defence said the talks went well.", "organization")
    assert orgs["Ministry of Defence"].country == "KEN"
    assert not found("The Ministry of Defence said the talks went well.", "organization")


def test_capitalised_words_before_a_lowercase_programme_name_a_document() -> None:
    agreements = found(
        "Oslo will fund patrol boats under its Coastal Resilience Support programme. "
        "Maritime Patrol programme officials were not there.",
        "agreement",
    )
    assert set(agreements) == {"Coastal Resilience Support programme"}


def test_a_name_across_its_of_before_the_head() -> None:
    orgs = found(
        "He met the Chairman Joint Chiefs of Staff Committee General Omar Khan.", "organization"
    )
    assert set(orgs) == {"Joint Chiefs of Staff Committee"}


def test_a_body_of_the_state_it_names_after_of_the() -> None:
    orgs = found(
        "The pact lets the Armed Forces of the Philippines train with the Army of the Czech "
        "Republic. The Union of the Comoros signed it too.",
        "organization",
    )
    assert {"Armed Forces of the Philippines", "Army of the Czech Republic"} <= set(orgs)
    assert orgs["Armed Forces of the Philippines"].country == "PHL"
    assert not any("Comoros" in name for name in orgs)  # a state's formal name


def test_a_known_models_version_letters_name_a_weapon() -> None:
    weapons = found(
        "The order covers the K2GF version and a later F-16V, built to the same design. "
        "The G20 met in May.",
        "equipment",
    )
    assert {"K2GF", "F-16V"} <= set(weapons)
    assert "G20" not in weapons


def test_an_outlet_named_before_a_lowercase_word_for_it() -> None:
    orgs = found(
        "Speaking to the Vedomir daily, the minister said so. The Korlat newspaper and the "
        "Sarnet news agency reported it. The Russian daily and Daily Mail readers did not.",
        "organization",
    )
    assert {"Vedomir", "Korlat", "Sarnet"} <= set(orgs)
    assert "Vedomir daily" in orgs["Vedomir"].aliases
    assert not any("Russia" in name for name in orgs)


def test_plans_strategies_initiatives_and_codes_are_documents() -> None:
    documents = found(
        "The states adopted a Code of Conduct and a new Joint Action Plan on Monday. They "
        "backed the Coral Sea Maritime Initiative and the National Defence Strategy.",
        "agreement",
    )
    assert {
        "Code of Conduct",
        "Joint Action Plan",
        "Coral Sea Maritime Initiative",
        "National Defence Strategy",
    } <= set(documents)


def test_an_acronym_found_alone_is_an_alias_of_the_name_it_spells() -> None:
    orgs = found(
        "The Inter-Services Public Relations said so. Later the ISPR added more.", "organization"
    )
    assert set(orgs) == {"Inter-Services Public Relations"}
    assert "ISPR" in orgs["Inter-Services Public Relations"].aliases


def test_named_platforms_without_a_model_number() -> None:
    weapons = found("Boeing's Super Hornet and the Global Hawk drone flew by.", "equipment")
    assert {"Super Hornet", "Global Hawk"} <= set(weapons)
