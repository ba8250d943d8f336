"""What the page does not say (strategy, action, date) comes from the command line's options, and
an option must agree with the page where it does say it."""

from __future__ import annotations

from pipeline.importer import PageOptions, parse_page
from tests.importing import PAGE, page, problems_of, response


def test_options_fill_in_what_the_page_does_not_say() -> None:
    header = ["Digital capability across departments", "Here is how departments are responding:"]
    text = page(response("Home Office"), header=header)
    assert problems_of(text) == [
        (1, "the page does not say the strategy"),
        (1, "the page does not say the action's number"),
        (2, "the page does not say the publication date"),
    ]
    import datetime

    imported = parse_page(
        text, PAGE, PageOptions(strategy="Government Digital Strategy", action=4, published=datetime.date(2015, 1, 16))
    )
    assert (imported.config["strategy"], imported.config["action"], imported.config["published"]) == (
        "Government Digital Strategy",
        4,
        "2015-01-16",
    )


def test_an_option_that_contradicts_the_page() -> None:
    assert problems_of(page(response("Home Office")), action=4) == [
        (1, "the page says the action's number is 9, but --action says 4")
    ]
