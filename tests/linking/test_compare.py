"""The linker's verdicts on pairs of reports (app.linking.compare) and the features behind them."""

from datetime import date

from app.linking.cards import Card
from app.linking.compare import SAME_ARTICLE, compare, joins, shift, support
from app.linking.features import dateline, editions, name_stems, stage


def card(n: int, **fields: object) -> Card:
    values: dict[str, object] = {
        "event_id": n,
        "article_id": n,
        "type": "visit",
        "states": frozenset({"AZE", "TUR"}),
        "lo": date(2024, 3, 11),
        "hi": date(2024, 3, 11),
        "precision": "day",
        "published": date(2024, 3, 11),
        "people": frozenset({1, 2}),
        "things": frozenset({10}),
        "words": frozenset({"aliyarov", "ankara", "visit", "defence"}),
    }
    values.update(fields)
    return Card(**values)  # type: ignore[arg-type]


def test_two_reports_of_one_visit_are_one_happening() -> None:
    verdict = compare(card(1), card(2, published=date(2024, 3, 12)))
    assert verdict.veto is None and verdict.score > 0.9


def test_a_different_day_is_a_veto_that_no_similarity_overrides() -> None:
    later = card(2, lo=date(2024, 3, 14), hi=date(2024, 3, 14))
    assert compare(card(1), later).veto == "different day"
    # a day apart is one happening reported from two time zones
    next_day = card(2, lo=date(2024, 3, 12), hi=date(2024, 3, 12))
    assert compare(card(1), next_day).veto is None


def test_a_month_allows_its_days_and_a_year_its_months() -> None:
    month = card(2, lo=date(2024, 3, 1), hi=date(2024, 3, 31), precision="month")
    assert compare(card(1), month).veto is None
    other_month = card(2, lo=date(2024, 4, 1), hi=date(2024, 4, 30), precision="month")
    assert compare(card(1), other_month).veto == "different period"


def test_an_undated_report_is_placed_by_its_publication() -> None:
    preview = card(2, lo=None, hi=None, precision=None, published=date(2024, 3, 1))
    assert compare(card(1), preview).veto is None
    too_early = card(2, lo=None, hi=None, precision=None, published=date(2024, 1, 5))
    assert compare(card(1), too_early).veto == "published out of range"
    unknown = card(2, lo=None, hi=None, precision=None, published=None)
    assert compare(card(1), unknown).veto is None  # nothing rules it out; the rest decides


def test_a_publication_known_to_the_month_allows_each_of_its_days() -> None:
    late = card(1, lo=date(2024, 3, 28), hi=date(2024, 3, 28), published=date(2024, 3, 28))
    month = {"lo": None, "hi": None, "precision": None, "published_last": date(2024, 3, 31)}
    march = card(2, published=date(2024, 3, 1), **month)
    assert compare(late, march).veto is None  # it may have come out on the 28th
    may = card(3, published=date(2024, 5, 1), **{**month, "published_last": date(2024, 5, 31)})
    assert compare(late, may).veto == "published out of range"
    assert compare(march, may).veto == "published apart"
    april = card(4, published=date(2024, 4, 2), **{**month, "published_last": None})
    assert compare(march, april).veto is None  # the 2nd is days from the 31st


def test_a_year_less_dateline_places_a_report_with_no_publication() -> None:
    undated = {"lo": None, "hi": None, "precision": None, "published": None}
    march = card(2, dateline=(3, 12), **undated)
    assert compare(card(1), march).veto is None  # 12 March of 2024, a day after it
    july = card(3, dateline=(7, 3), **undated)
    assert compare(card(1), july).veto == "published out of range"  # in no year near it
    new_year = card(4, lo=date(2024, 1, 2), hi=date(2024, 1, 2), published=date(2024, 1, 2))
    assert compare(new_year, card(5, dateline=(12, 30), **undated)).veto is None  # of 2023
    assert compare(march, july).veto == "published apart"
    assert compare(july, card(6, dateline=(7, 9), **undated)).veto is None
    assert compare(card(7, lo=None, hi=None, precision=None), july).veto == "published apart"


def test_dateline_reads_a_place_a_month_and_a_day_with_no_year() -> None:
    assert dateline("BAKU, Azerbaijan, Jan. 31\n\nThe minister left for Ankara.") == (1, 31)
    assert dateline("Washington, D.C., July 3 (ANI): The two states agreed") == (7, 3)
    assert dateline("New Delhi [India], Sept 6 : India and Korea signed") == (9, 6)
    assert dateline("ANKARA, May 5./TASS/. The ministers met") == (5, 5)
    assert dateline("SEOUL, July 4, 2025 (UPI) -- The maker said") is None  # a year: a date
    assert dateline("The ministers met, May 5. They agreed") is None  # a sentence, no place
    assert dateline("Officials said on May 5 that talks would go on.") is None
    assert dateline("LONDON, Smarch 5 - The two signed") is None  # no month
    assert dateline(None) is None


def test_other_counterparts_editions_and_stages_are_other_happenings() -> None:
    georgia = card(2, states=frozenset({"AZE", "GEO"}))
    assert compare(card(1, states=frozenset({"AZE", "UZB"})), georgia).veto == (
        "different counterpart"
    )
    assert compare(card(1), card(2, states=frozenset({"ARM"}))).veto == "no shared state"
    y24, y25 = frozenset({"y2024"}), frozenset({"y2025"})
    assert compare(card(1, editions=y24), card(2, editions=y25)).veto == "different edition"
    signed = card(1, type="arms_transfer", stage="deal")
    delivered = card(2, type="arms_transfer", stage="delivered")
    assert compare(signed, delivered).veto == "different stage"


def test_copies_of_one_story_are_one_happening() -> None:
    original = card(1, people=frozenset(), things=frozenset(), words=frozenset({"a"}))
    copy = card(2, copy_of=1, people=frozenset(), things=frozenset(), words=frozenset({"b"}))
    assert compare(original, copy).score == 1.0


def test_a_report_joins_only_what_it_matches_on_average() -> None:
    close = card(1)

    def far(n: int) -> Card:  # placed nowhere in time, sharing nothing but two of its states
        return card(n, states=frozenset({"AZE", "TUR", "GEO"}), lo=None, hi=None, precision=None,
                    published=None, people=frozenset({n}), things=frozenset(),
                    words=frozenset({str(n)}))  # fmt: skip

    newcomer = card(2)
    assert joins(newcomer, [close]) is not None
    assert joins(newcomer, [close, far(3), far(4), far(5)]) is None  # no chaining through one
    # one vetoing member is enough
    vetoing = card(5, lo=date(2024, 5, 1), hi=date(2024, 5, 1))
    assert joins(newcomer, [close, vetoing]) is None
    # the report's own article's other reports neither vote nor veto where others report it
    assert joins(newcomer, [close, card(2, event_id=9, lo=date(2024, 5, 1))]) is not None


def test_an_article_reporting_one_happening_twice_gives_one_happening() -> None:
    newcomer = card(2)
    # "met on March 11" and "at the meeting on March 11": the article's own happening
    own = joins(newcomer, [card(2, event_id=9)])
    assert own == SAME_ARTICLE
    # ... unless other articles' reports of a happening match it better: the article may
    # have named it loosely first (a month, fewer states)
    other = joins(newcomer, [card(1), card(3)])
    assert other is not None and other > own
    # a day the other report cannot be, or a report nothing dates, stay apart
    assert joins(newcomer, [card(2, event_id=9, lo=date(2024, 5, 1), hi=date(2024, 5, 1))]) is None
    assert joins(newcomer, [card(2, event_id=9, lo=None, hi=None, precision=None)]) is None
    assert joins(card(2, lo=None, hi=None, precision=None), [card(2, event_id=9)]) is None


def test_stage_reads_the_milestone_and_skips_what_is_still_to_come() -> None:
    assert stage("arms_transfer", "The navy took delivery of the first ship.") == "delivered"
    assert stage("arms_transfer", "The yard handed the ship to the navy.") == "delivered"
    assert stage("arms_transfer", "The two signed a contract for four ships.") == "signed"
    # a milestone still to come is the one the sentence previews, unless it reports another
    assert stage("arms_transfer", "The contract is expected to be signed soon.") == "signed"
    assert stage("arms_transfer", "The maker is committed to deliver two ships in 2030.") == (
        "delivered"
    )
    assert stage("arms_transfer", "They signed a deal; the ships will be delivered in 2030.") == (
        "signed"
    )
    assert stage("agreement", "Parliament ratified the pact.") == "ratified"
    assert stage("visit", "He signed the guest book.") is None  # only deals have milestones


def test_editions_come_from_names() -> None:
    assert editions("Slavic Brotherhood 2017") == {"y2017"}
    assert editions("JIMEX-24") == {"y2024"}
    assert editions("the 11th edition of Vajra Prahar") == {"n11"}
    assert editions(None, "Malabar") == frozenset()


def test_dates_at_the_calendar_edges_do_not_overflow() -> None:
    from datetime import timedelta

    assert shift(date(1, 1, 2), -timedelta(days=30)) == date.min
    assert shift(date(9999, 12, 30), timedelta(days=30)) == date.max
    edge = card(2, lo=date(1, 1, 1), hi=date(1, 1, 1), published=date(1, 1, 1))
    assert compare(card(1), edge).veto == "different day"


def test_one_visitor_at_two_hosts_is_two_visits() -> None:
    """Visits of one undated pair of states: a host each report gives, not the same one, tells
    them apart; a report that gives no sides rules nothing out."""
    undated = {"lo": None, "hi": None, "precision": None, "published": None}
    states = frozenset({"DEU", "POL", "UKR"})
    warsaw = card(1, states=states, sides=frozenset({("host", "POL")}), **undated)
    kyiv = card(2, states=frozenset({"DEU", "UKR"}), sides=frozenset({("host", "UKR")}), **undated)
    assert compare(warsaw, kyiv).veto == "different side"
    same = card(3, states=states, sides=frozenset({("host", "POL"), ("visitor", "DEU")}), **undated)
    assert compare(warsaw, same).veto is None
    assert compare(kyiv, card(4, states=states, **undated)).veto is None


def test_an_agreement_in_principle_is_not_its_signing() -> None:
    """'agreed' is said of both: it goes with either, but the two do not go together."""
    in_principle = stage(
        "agreement", "Australia and Japan reached in principle agreement on a pact."
    )
    signed = stage(
        "agreement", "Morrison and Kishida signed the Reciprocal Access Agreement today."
    )
    agreed = stage(
        "agreement", "Japan and Australia agreed a breakthrough defence pact on Tuesday."
    )
    assert (in_principle, signed, agreed) == ("in_principle", "signed", "deal")
    undated = {"type": "agreement", "lo": None, "hi": None, "precision": None, "published": None}
    a, b, c = (card(n, stage=s, **undated) for n, s in enumerate((in_principle, signed, agreed)))
    assert compare(a, b).veto == "different stage"
    assert compare(a, c).veto is None and compare(b, c).veto is None
    effect = stage("agreement", "The pact is coming into effect, the ministers said.")
    assert compare(b, card(4, stage=effect, **undated)).veto == "different stage"


def test_a_page_whose_finders_named_no_one_is_compared_by_the_names_it_writes() -> None:
    """A Polish report the finders read no people on: its inflected names still match."""
    polish = name_stems("Boris Pistorius spotka się z Mariuszem Błaszczakiem w Warszawie.")
    english = name_stems("Boris Pistorius met Mariusz Błaszczak in Warsaw.")
    assert {"boris", "pisto", "mariu", "błasz"} <= polish & english
    undated = {"lo": None, "hi": None, "precision": None, "published": None, "things": frozenset()}
    plain = {"words": frozenset(), "states": frozenset({"DEU", "POL"})}
    found = card(1, people=frozenset({7, 8}), names=english, **undated, **plain)
    unnamed = card(2, people=frozenset(), names=polish, **undated, **plain)
    stranger = card(
        3, people=frozenset(), names=name_stems("Olaf Scholz in Gdańsk."), **undated, **plain
    )
    assert compare(found, unnamed).score > compare(found, stranger).score
    # where both name people, the people decide, not the words
    other = card(4, people=frozenset({9}), names=english, **undated, **plain)
    assert compare(found, other).score == compare(found, stranger).score


def test_of_two_happenings_a_report_matches_the_one_more_reports_back_wins() -> None:
    newcomer = card(1)
    small = [card(2)]
    large = [card(3), card(4, words=frozenset({"other"})), card(5, people=frozenset())]
    small_mean, large_mean = joins(newcomer, small), joins(newcomer, large)
    assert small_mean is not None and large_mean is not None and small_mean > large_mean
    assert support(newcomer, large, large_mean) > support(newcomer, small, small_mean)
    # its own article's reports alone count as one
    assert support(newcomer, [card(1, event_id=9)], SAME_ARTICLE) == SAME_ARTICLE


def test_name_stems_are_capitalised_words_in_any_script() -> None:
    # lower-case words that begin with a letter outside a-z are words, not names
    assert name_stems("ćwiczenia na área da época, Ćwiczenia Élysée") == {"ćwicz", "élysé"}
