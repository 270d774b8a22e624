"""Publication dates from stamps the plain reader missed, and banners that are not the
article's date (pages written for these tests)."""

from app.ingest.page import parse_page


def test_a_stamp_laid_out_with_dashes_and_a_time_is_the_date() -> None:
    page = parse_page(
        "News\n\nWed - 09 Oct 2019 - 11:15 AM ،،،\n\n"
        "The two ministers met in Riyadh on Wednesday to discuss joint drills."
    )
    assert page.published is not None and page.published.iso() == "2019-10-09"


def test_a_date_glued_to_the_headline_is_taken_and_the_headline_kept() -> None:
    page = parse_page(
        "Mar052020Chile and Peru agree to hold naval drills Ministry Twitter Facebook "
        "The ministers agreed to hold the drills next year."
    )
    assert page.published is not None and page.published.iso() == "2020-03-05"
    assert "Chile and Peru agree" in ((page.title or "") + page.body)
    assert "Mar052020" not in page.body


def test_a_banner_date_beside_the_weather_is_not_the_articles() -> None:
    page = parse_page(
        "21 C\nGuwahati\nMonday, March 4, 2024\n\nIndia and Nepal hold border talks\n\n"
        "Date:\n\nOfficials of the two countries met in Kathmandu to discuss border security."
    )
    assert page.published is None


def test_a_month_header_takes_the_day_from_a_url_that_agrees() -> None:
    text = " date 2019-10 Officials met on Tuesday in Riyadh to discuss security cooperation."
    dated = parse_page(text, url="https://news.example/en/2019/10/22/officials-meet.html")
    assert dated.published is not None and dated.published.iso() == "2019-10-22"
    other = parse_page(text, url="https://news.example/en/2018/03/02/officials-meet.html")
    assert other.published is not None and other.published.iso() == "2019-10"  # the page wins
    alone = parse_page(text)
    assert alone.published is not None and alone.published.iso() == "2019-10"


def test_a_ddmmyy_folder_before_the_slug_dates_the_page() -> None:
    text = "Officials met in Jakarta to sign the deal."
    url = "https://news.example/journal/international/150322/officials-sign-deal"
    page = parse_page(text, url=url)
    assert page.published is not None and page.published.iso() == "2022-03-15"
    # a numeric id that cannot be a day and month is not a date
    assert parse_page(text, url="https://news.example/241672/officials-sign-deal").published is None


def test_a_urls_month_stands_where_the_page_says_nothing_else() -> None:
    page = parse_page("Officials met to sign the deal.", url="https://x.example/2025/08/deal")
    assert page.published is not None and page.published.iso() == "2025-08"


def test_a_url_no_parser_accepts_gives_no_date_and_no_error() -> None:
    for url in ("http://[", "http://[::1", "https://]/150322/x"):
        assert parse_page("Officials met in Jakarta.", url=url).published is None


def test_a_dotted_day_first_stamp_under_the_headline_dates_the_page() -> None:
    # the time glued to the first sentence, as some scrapers leave it
    page = parse_page(
        "Navies of two states hold a drill\nDEFENCE\n"
        "14.03.2022 | 09:05The navies held a joint drill off the coast on Monday."
    )
    assert page.published is not None and page.published.iso() == "2022-03-14"
    assert "The navies held a joint drill" in page.body and "09:05" not in page.body
    # under a byline, before a dateline
    page = parse_page(
        "Two states sign a training pact\n\nJane Roe\n\n"
        "05.11.2019 - Lisbon / The two states signed a pact on military training."
    )
    assert page.published is not None and page.published.iso() == "2019-11-05"
    # a dotted number that is no day and month is not a date
    page = parse_page("Two states sign a pact\n\n31.13.2019 - The two states signed a pact.")
    assert page.published is None


def test_the_day_a_credit_line_says_the_page_was_issued_is_its_date() -> None:
    page = parse_page(
        "Ministry hands over two patrol boats\n"
        "(Source: Ministry of Defence of the country; issued March 3, 2020)\n"
        "The ministry handed over two patrol boats to the navy of its neighbour."
    )
    assert page.published is not None and page.published.iso() == "2020-03-03"
    # a date the page's text gives further down is not the page's
    page = parse_page(
        "Ministry hands over two patrol boats\n\nThe ministry handed over two patrol boats.\n\n"
        "The boats were ordered in a contract first published March 3, 2018, by the ministry "
        "of defence, which said deliveries would follow."
    )
    assert page.published is None
