"""The raw-page reader, on pages written for these tests."""

from datetime import date

import pytest

from app.ingest.formats import Format, records, sniff
from app.ingest.page import parse_page
from app.ingest.source import source_from_handle, source_from_url
from app.kit.dates import date_from_url, date_in_line, parse_partial_iso
from app.kit.text import content_hash, sentence_spans
from app.taxonomy import DatePrecision


def test_header_byline_footer_and_handle() -> None:
    page = parse_page(
        " date 2023-04-05 By Aygun Rzayeva\n\nBaku and Tbilisi hold defence talks on Tuesday.\n\n"
        "The ministers discussed border security.\n\n---\n\nFollow us on Twitter @CaucasusPostGe"
    )
    assert page.published == parse_partial_iso("2023-04-05")
    assert page.author == "Aygun Rzayeva"
    assert page.source_name == "CaucasusPost"
    assert (
        page.body
        == "Baku and Tbilisi hold defence talks on Tuesday.\n\nThe ministers discussed border security."
    )
    assert page.title_is_derived and page.title == "Baku and Tbilisi hold defence talks on Tuesday."


def test_the_pages_outlet_wins_over_the_urls_domain() -> None:
    text = (
        " date 2023-04-05 By Aygun Rzayeva\n\nBaku and Tbilisi hold defence talks on Tuesday.\n\n"
        "---\n\nFollow us on Twitter @CaucasusPostGe"
    )
    named = parse_page(text, url="https://www.caucasus-post.example/2023/04/05/talks")
    assert (named.source_name, named.source_domain) == ("CaucasusPost", "caucasus-post.example")
    unnamed = parse_page(text.split("---")[0], url="https://www.caucasus-post.example/a")
    assert (unnamed.source_name, unnamed.source_domain) == (
        "caucasus-post.example",
        "caucasus-post.example",
    )


def test_headline_is_taken_and_repeats_collapse() -> None:
    page = parse_page(
        "Search\nJapan and Canada hold first naval drill\nJapan and Canada hold first naval drill\n\n"
        "TOKYO (JPW) – Japanese and Canadian warships held their first bilateral drill on Sunday.\n"
        "Share\nRelated Articles\nSomething else happened today\nAnother headline here"
    )
    assert page.title == "Japan and Canada hold first naval drill" and not page.title_is_derived
    assert page.author is None  # "(JPW)" is the dateline's agency code, not a person
    assert page.agency == "JPW" and page.byline == "JPW"
    assert (
        page.body
        == "TOKYO (JPW) – Japanese and Canadian warships held their first bilateral drill on Sunday."
    )


def test_url_slug_picks_the_headline_over_a_caption() -> None:
    page = parse_page(
        " date 2021-02-02 Ministers shake hands before their talks in the capital on Monday\n"
        "Chile and Peru agree to train naval cadets together\n\n"
        "Chile and Peru signed a naval training plan on Monday, officials said.",
        url="https://news.example/world/chile-and-peru-agree-to-train-naval-cadets-together-123",
    )
    assert page.title == "Chile and Peru agree to train naval cadets together"


def test_captions_with_credits_are_dropped() -> None:
    page = parse_page(
        "Soldiers at the ceremony\nPhoto: Jan Kowalski\n\nPoland and Lithuania held a joint exercise near "
        "the border on Friday, the ministry said."
    )
    assert "Soldiers at the ceremony" not in page.body and page.title_is_derived


def test_a_paywall_notice_is_dropped_and_the_text_after_it_kept() -> None:
    page = parse_page(
        "Chile and Peru will sign a naval training plan this week, officials said.\n"
        "To continue reading the rest of this article, please log in.\n"
        "Create free account to get unlimited news articles and more!\n"
        "The plan covers cadet exchanges between the Chilean Navy and the Peruvian Navy."
    )
    assert "continue reading" not in page.body and "free account" not in page.body
    assert page.body.endswith("the Chilean Navy and the Peruvian Navy.")


def test_trailing_headline_list_and_source_line() -> None:
    page = parse_page(
        "Egypt and Sudan sign a military pact in Cairo, officials said.\n\n"
        "The pact covers training and border patrols.\n\nSource: NDA\n"
        "Rains expected across the delta this week\nNew metro line opens in Cairo"
    )
    assert page.author is None  # "Source: NDA": an agency, not a person
    assert page.agency == "NDA"
    assert page.body.endswith("The pact covers training and border patrols.")


@pytest.mark.parametrize(
    ("page", "agency"),
    [
        ("SEOUL, Oct. 3 (VDW) – Polish and Korean ministers met in Seoul on Thursday.", "VDW"),
        ("CAIRO (NDA) – Egypt and Pakistan held military talks on Monday.", "NDA"),
        ("Lima, May 2 (PNW): Chile and Peru held naval talks on Monday.", "PNW"),
        ("HANOI, May 2 /VNA/. Vietnam and Laos signed a training plan on Friday.", "VNA"),
        ("Kenya and Britain extended a training pact on Thursday.\n\nSource: RVT", "RVT"),
        ("Chile and Peru held naval talks on Monday, officials said.\n\nANW", "ANW"),
        (
            "Oman and India held naval talks.\n\nThe talks covered piracy, officials said.—OMW",
            "OMW",
        ),
        ("Baltic ministers met in Riga on Thursday.\n\nSource: Baltic Wire", "Baltic Wire"),
        (
            "ASTANA (Kazinform) – Kazakhstan and Turkey signed a military plan on Monday.",
            "Kazinform",
        ),
        ("BEIJING, June 2 (XINHUA) -- China and Laos held army talks on Monday.", "Xinhua"),
        (
            "(MENAFN- Steppe News Agency) ASTANA, May 3. Kazakhstan and Turkey met on Monday.",
            "Steppe News Agency",
        ),
        (
            " date 2024-05-01 Published by\n\nCaspian Ledger\n\nAzerbaijan and Georgia met.",
            "Caspian Ledger",
        ),
        # a desk is neither a person nor an agency
        (" date 2024-05-01 By Staff Reporter\n\nGreece and France signed a frigate deal.", None),
        ("Greece and France signed a frigate deal on Monday.\n\nBy Agencies", None),
    ],
)
def test_agency_codes_are_agencies_not_authors(page: str, agency: str | None) -> None:
    parsed = parse_page(page)
    assert parsed.author is None
    assert parsed.agency == agency
    assert parsed.byline == agency  # what the gold guideline records as `author`


@pytest.mark.parametrize(
    ("page", "author"),
    [
        (" date 2024-03-12 By Leyla Mammadli\n\nAzerbaijan and Turkey met.", "Leyla Mammadli"),
        (" date 2024-03-12 By JOHN SMITH\n\nAzerbaijan and Turkey met.", "John Smith"),
        ("Azerbaijan and Turkey met on Monday.\n\nBy Maria de la Cruz", "Maria de la Cruz"),
        # a person's byline after the dateline's agency code: the person is the author
        (
            "ANKARA (AA) – Azerbaijan and Turkey met on Monday.\n\nBy A.K. Demir",
            "A.K. Demir",
        ),
    ],
)
def test_bylines_that_name_people_are_authors(page: str, author: str) -> None:
    assert parse_page(page).author == author


@pytest.mark.parametrize(
    "page",
    [
        "ANKARA (AA) – Azerbaijan and Turkey met on Monday.\n\nBy Leyla Mammadli",
        " date 2024-03-12 By Leyla Mammadli\n\nANKARA (AA) – Azerbaijan and Turkey met on Monday.",
        " date 2024-03-12 By Leyla Mammadli\n\nAzerbaijan and Turkey met on Monday.\n\nSource: AA",
        " date 2024-03-12 By Leyla Mammadli\n\nAzerbaijan and Turkey met on Monday.\n\nAA",
    ],
)
def test_a_person_and_an_agency_are_both_kept(page: str) -> None:
    parsed = parse_page(page)
    assert (parsed.author, parsed.agency) == ("Leyla Mammadli", "AA")
    assert parsed.byline == "Leyla Mammadli"  # the guideline's author: the person first
    assert "Source: AA" not in parsed.body and not parsed.body.endswith("AA")


def test_an_html_pages_declared_author_is_kept() -> None:
    from app.ingest.html import parse_html

    html = (
        '<html><head><meta name="author" content="Rift Wire"><title>Drill ends</title></head>'
        "<body><article><p>Kenyan and Ugandan troops ended a joint drill near Busia on Friday, "
        "the Kenya Defence Forces said in a statement on its website.</p></article></body></html>"
    )
    assert parse_html(html).author == "Rift Wire"


def test_an_html_pages_meta_author_stays_the_author_beside_its_datelines_agency() -> None:
    from app.ingest.html import parse_html

    html = (
        '<html><head><meta name="author" content="Amina Wanjiru"><title>Drill ends</title>'
        "</head><body><article><p>NAIROBI (RFW) – Kenyan and Ugandan troops ended a joint drill "
        "near Busia on Friday, the Kenya Defence Forces said in a statement.</p></article>"
        "</body></html>"
    )
    page = parse_html(html)
    assert (page.author, page.agency) == ("Amina Wanjiru", "RFW")


def test_hard_wrapped_text_is_unwrapped() -> None:
    page = parse_page(
        "(MENAFN- Steppe Wire) ASTANA, Kazakhstan, May 3. Kazakhstan and\n"
        "Kyrgyzstan agreed to hold joint border drills in the autumn,\n"
        "the defence ministry said on\nFriday."
    )
    assert page.title_is_derived
    assert page.author is None  # the wire that carried it, not a person
    assert page.agency == "Steppe Wire"
    assert "\n" not in page.body and "and Kyrgyzstan agreed" in page.body


def test_timestamp_line_and_url_dates() -> None:
    page = parse_page(
        "India and Oman sign a pact\nUpdated: Mar 04, 2022 10:15 IST\n\nIndia and Oman signed a pact."
    )
    assert page.published is not None and page.published.value == date(2022, 3, 4)
    assert "Updated" not in page.body
    assert date_from_url("https://x.example/2012/10/29/story").value == date(2012, 10, 29)  # type: ignore[union-attr]
    assert date_from_url("https://x.example/view.php?ud=20170517000432").value == date(2017, 5, 17)  # type: ignore[union-attr]
    assert date_from_url("https://x.example/a.php?yyyy=2019&mm=02&dd=26").value == date(2019, 2, 26)  # type: ignore[union-attr]
    assert date_from_url("https://x.example/27-Apr-2023/story").value == date(2023, 4, 27)  # type: ignore[union-attr]
    monthly = date_from_url("https://x.example/2019/08/story")
    assert monthly is not None and monthly.precision is DatePrecision.month
    assert date_from_url("https://x.example/news/1107268324/story") is None
    assert date_from_url("https://x.example/2019/13/40/story") is None
    assert date_in_line("Thursday, April 25, 2024").value == date(2024, 4, 25)  # type: ignore[union-attr]
    assert date_in_line("no date here") is None


def test_header_with_month_precision() -> None:
    page = parse_page(" date 2022-11 ISTANBUL - Turkey and Pakistan launched a corvette on Friday.")
    assert page.published is not None and page.published.iso() == "2022-11"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "Le ministre de la Défense a rencontré son homologue turc à Bakou pour discuter de coopération.",
            "fr",
        ),
        (
            "Министр обороны встретился с турецким коллегой в Баку для обсуждения сотрудничества.",
            "ru",
        ),
        ("The defence minister met his Turkish counterpart in Baku to discuss cooperation.", "en"),
    ],
)
def test_language_is_detected(text: str, language: str) -> None:
    assert parse_page(text).language == language


def test_sources() -> None:
    assert source_from_url("https://en.trend.az/a/b") == ("trend.az", "trend.az")
    assert source_from_url("https://www.bbc.co.uk/news") == ("bbc.co.uk", "bbc.co.uk")
    assert source_from_url("https://wire.example/x") == ("wire.example", "wire.example")
    assert source_from_url(None) == (None, None)
    assert source_from_handle("AzerNewsAz") == "AzerNews"
    assert source_from_handle("DefenseNews") == "DefenseNews"


def test_content_hash_ignores_case_and_spacing() -> None:
    assert content_hash("Turkey and  Azerbaijan.") == content_hash("turkey AND azerbaijan")
    assert content_hash("Turkey and Azerbaijan") != content_hash("Turkey and Armenia")


def test_sentences_do_not_split_on_abbreviations() -> None:
    text = "Lt. Gen. Ali met Mr. Kaya in Baku. They signed a pact.\nNew paragraph here."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Lt. Gen. Ali met Mr. Kaya in Baku.",
        "They signed a pact.",
        "New paragraph here.",
    ]


def test_format_sniffing_and_records() -> None:
    assert sniff('{"a": 1}') is Format.json
    assert sniff('{"a": 1}\n{"a": 2}') is Format.jsonl
    assert sniff("<!DOCTYPE html><html>") is Format.html
    assert sniff(" date 2020-01-01 text") is Format.page
    assert sniff("anything", suffix=".jsonl") is Format.jsonl
    lines = list(records('{"body": "x"}\n\n[1]\n{bad', Format.jsonl))
    assert [(r.line, r.error is None) for r in lines] == [(1, True), (3, False), (4, False)]
    assert [r.line for r in records('[{"a": 1}, 2]', Format.json)] == [1, 2]
    assert next(iter(records("plain page", Format.auto))).format is Format.page


# U+2028, U+2029 and U+0085 may stand unescaped in a JSON string; the control characters
# that str.splitlines() also breaks at may not (JSON wants them escaped), so they make their
# line "not JSON", but a line still.
SEPARATORS_IN_STRINGS = ["\u2028", "\u2029", "\x85"]
SEPARATORS_NOT_IN_JSON = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]


@pytest.mark.parametrize("separator", SEPARATORS_IN_STRINGS + SEPARATORS_NOT_IN_JSON)
def test_json_lines_end_at_newlines_only(separator: str) -> None:
    text = (
        '{"body": "before' + separator + 'after"}\r\n'
        "\n"
        " \t\r\n"
        '{"body": "next"}\n' + separator + "\n" + '{"body": "last"}'
    )
    found = list(records(text, Format.jsonl))
    assert [r.line for r in found] == [1, 4, 5, 6]
    first, _, alone, last = found
    if separator in SEPARATORS_IN_STRINGS:
        assert first.data == {"body": f"before{separator}after"}
    else:
        assert first.data is None and first.error and first.error.startswith("not JSON")
    assert alone.error and alone.error.startswith("not JSON")  # not blank: not JSON whitespace
    assert last.data == {"body": "last"}


def test_json_lines_oddities_cost_their_line_only() -> None:
    text = "\ufeff" + '{"body": "a"}\n' + "[" * 100_000 + "\n" + '"text"\n{"body": "b"}'
    found = list(records(text, Format.jsonl))
    assert [(r.line, r.data) for r in found] == [
        (1, {"body": "a"}),  # a byte order mark before the first line is dropped
        (2, None),
        (3, None),
        (4, {"body": "b"}),
    ]
    assert found[1].error == "not JSON: nested too deeply"
    assert found[2].error == "a line must be a JSON object"
    [deep] = records("[" * 100_000, Format.json)
    assert deep.error == "not JSON: nested too deeply"
