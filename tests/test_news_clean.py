"""Article cleaner: junk lines, headline runs, references; metadata; HTML through trafilatura."""

from __future__ import annotations

import datetime as dt


from critmin.domain.news.clean import clean_html, clean_text, is_headline_like
from _news_helpers import news_eval_dir


def test_headers_boilerplate_and_related_stories():
    raw = (
        "SOURCE: https://example.org/a\nDATE: 2025-09-02\nCopper talks resume\nAdvertisement\n"
        "India and Peru resumed talks on Monday.\nAlso Read: Sensex ends higher\n"
        "STORIES YOU MAY LIKE\nGold Prices Rise For Third Day\nMarkets Close Higher As IT Stocks Gain\n"
    )
    art = clean_text(raw, article_id="a")
    assert art.source == "https://example.org/a"
    assert art.date == dt.date(2025, 9, 2)
    assert art.title == "Copper talks resume"
    assert "India and Peru resumed talks on Monday." in art.text
    for junk in ("Advertisement", "Sensex", "Gold Prices", "STORIES"):
        assert junk not in art.text


def test_headline_runs_and_reference_lists_are_dropped_but_bullets_kept():
    raw = (
        "Body sentence one about copper.\n- India has joined the Minerals Security Partnership  \n"
        "References:\n[1] The Hindu. (2023). A Title. Retrieved from https://x\n"
        "Trump Announces Trade Deal Cutting Tariffs\nStocks Rise As Investors Eye Big Tech\n"
        "Dollar Holds Firm As Data Beat Expectations\n"
    )
    art = clean_text(raw, article_id="b")
    assert "- India has joined" in art.text
    assert "[1]" not in art.text and "Trump" not in art.text and "Dollar" not in art.text
    assert not is_headline_like("- India has joined the US-led Minerals Security Partnership")


def test_updated_line_gives_the_date_when_no_header():
    art = clean_text("Title Line Here Today\nUpdated: July 15, 2025 15:32\nText.", article_id="c")
    assert art.date == dt.date(2025, 7, 15)


def test_dev_articles_lose_their_junk():
    d = news_eval_dir() / "dev" / "articles"
    a1 = clean_text((d / "seed_001.txt").read_text(encoding="utf-8"), article_id="seed_001")
    assert "JPMorgan" not in a1.text and "China produces roughly 90%" in a1.text
    a4 = clean_text((d / "seed_004.txt").read_text(encoding="utf-8"), article_id="seed_004")
    assert "STORIES YOU MAY LIKE" not in a4.text and "Advertisement" not in a4.text
    assert a4.date == dt.date(2025, 7, 15)
    a0 = clean_text((d / "seed_000.txt").read_text(encoding="utf-8"), article_id="seed_000")
    assert "Retrieved from" not in a0.text


def test_html_goes_through_trafilatura():
    html = (
        "<html><head><title>India, Chile talks</title></head><body><nav>Home | News</nav><article>"
        "<h1>India, Chile hold third CEPA round</h1>"
        "<p>Chile and India held the third round of negotiations for a Comprehensive Economic Partnership "
        "Agreement in Santiago between October 27 and 30, 2025. The talks covered trade in goods and rules "
        "of origin, and both sides agreed to meet again early next year in New Delhi.</p>"
        "<p>India's imports from Chile were about US$1.51 billion in FY 2023-24, official data show, and "
        "copper concentrate made up most of that value.</p></article>"
        "<footer>Advertisement</footer></body></html>"
    )
    art = clean_html(html, article_id="h")
    assert "third round" in art.text and "Home | News" not in art.text
