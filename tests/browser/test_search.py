import re

import pytest
from playwright.sync_api import expect


@pytest.fixture
def searchable(paper):
    from masthead.content.tests.factories import make_article, translate

    for n in range(6):
        make_article(
            paper.economy,
            f"Diplomacy lesson {n}",
            days_ago=0.5 + n / 100,
            image=paper.articles[0].lead_image,
        )
    paper.persian_article = translate(
        paper.articles[0], paper.persian, title="دیپلمات کارکشته به مخالفان پیوست"
    )
    return paper


def options(page):
    return page.locator("#header-search-live [role=option]")


def test_live_search_by_keyboard(page, live_server, searchable):
    page.goto(live_server.url + "/")
    box = page.locator("#header-search")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.click()
    box.press_sequentially("l")
    page.wait_for_timeout(400)
    expect(box).to_have_attribute("aria-expanded", "false")  # one letter asks nothing
    box.press_sequentially("esso")
    expect(box).to_have_attribute("aria-expanded", "true")
    hits = page.locator("#header-search-live .live-search__hit")
    expect(hits).to_have_count(5)
    expect(page.locator(".search-box--live [role=status]")).to_have_text("5 results")
    expect(hits.first).to_contain_text("Diplomacy lesson 0")
    expect(hits.first.locator("img")).to_be_visible()

    box.press("ArrowDown")
    expect(options(page).nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(options(page).nth(1)).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "header-search-live-option-1")
    box.press("ArrowUp")
    expect(options(page).nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowUp")  # wraps to "View All Result"
    expect(options(page).last).to_have_attribute("aria-selected", "true")

    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#header-search-live")).to_be_hidden()
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    expect(box).to_be_focused()

    box.press("ArrowDown")  # opens the list again on the first option
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(options(page).nth(0)).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page.locator("h1")).to_have_text("Diplomacy lesson 0")


def test_view_all_result_lands_on_the_results_page(page, live_server, searchable):
    page.goto(live_server.url + "/")
    box = page.locator("#header-search")
    box.fill("diplomacy")
    page.locator("#header-search-live").get_by_text("View All Result").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=diplomacy$"))
    expect(page.locator(".search-result__headline")).to_have_count(6)
    expect(page.locator(".search-result mark").first).to_have_text(
        re.compile("diplomacy", re.IGNORECASE)
    )
    expect(page.locator("#page-search")).to_have_value("diplomacy")


def test_enter_without_an_active_option_submits_the_form(page, live_server, searchable):
    page.goto(live_server.url + "/")
    box = page.locator("#header-search")
    box.fill("lesson")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=lesson$"))


def test_no_result(page, live_server, searchable):
    page.goto(live_server.url + "/")
    page.locator("#header-search").fill("zebra")
    expect(page.locator("#header-search-live")).to_contain_text("No Result")
    expect(page.locator(".search-box--live [role=status]")).to_have_text("No Result")


def test_persian_typed_with_arabic_yeh_and_kaf(page, live_server, searchable):
    page.goto(live_server.url + "/fa/")
    box = page.locator("#header-search")
    box.press_sequentially("كاركشته")  # Arabic kaf and yeh
    hits = page.locator("#header-search-live .live-search__hit")
    expect(hits).to_have_count(1)
    expect(hits.first).to_contain_text("دیپلمات کارکشته به مخالفان پیوست")
    expect(page.locator(".search-box--live [role=status]")).to_have_text("۱ نتیجه")
    # The box stands at the bar's inline end (the left, in right-to-left); the list hangs
    # from that same edge and opens toward the middle of the page.
    popup = page.locator("#header-search-live").bounding_box()
    form = page.locator(".main-nav .search-box").bounding_box()
    assert abs(popup["x"] - form["x"]) < 2
    assert popup["x"] + popup["width"] <= 1280
    box.press("ArrowDown")
    box.press("Enter")
    expect(page.locator("h1")).to_have_text("دیپلمات کارکشته به مخالفان پیوست")


def test_without_javascript_the_box_submits(browser, live_server, searchable):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.locator("#header-search").fill("diplomacy")
    page.locator("#header-search").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=diplomacy$"))
    expect(page.locator(".search-result__headline")).to_have_count(6)
    context.close()
