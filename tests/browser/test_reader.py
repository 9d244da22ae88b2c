import re

from playwright.sync_api import expect


def test_home_page_shows_the_paper(page, live_server, paper):
    page.goto(live_server.url + "/")
    expect(page.locator(".masthead__name")).to_have_text("The Daily Test")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator(".card--lead .card__headline")).to_be_visible()
    expect(page.locator(".site-footer__copyright")).to_contain_text("1970-")


def test_mega_menu_opens_by_keyboard_and_escape_closes_it(page, live_server, paper):
    page.goto(live_server.url + "/")
    news_item = page.locator(".main-nav__item--mega").filter(has_text="What's the News").first
    mega = news_item.locator(".mega")
    expect(mega).to_be_hidden()

    # Tab from the top of the page until the section's link has focus.
    page.locator("body").press("Tab")
    for _ in range(30):
        if page.evaluate("document.activeElement.textContent.trim()") == "What's the News":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the mega-menu toggle beside the link
    expect(news_item.locator(".main-nav__toggle")).to_be_focused()
    page.keyboard.press("Enter")
    expect(news_item.locator(".main-nav__toggle")).to_have_attribute("aria-expanded", "true")
    expect(mega).to_be_visible()
    expect(mega.locator(".mega__headline").first).to_have_text("Parliament votes")

    # Arrow keys move between the "All" tab and the sub-section tabs.
    page.keyboard.press("ArrowDown")
    expect(mega.locator(".mega__tab").first).to_be_focused()
    page.keyboard.press("ArrowDown")  # the tabs stand in a column
    politics_tab = mega.locator(".mega__tab").nth(1)
    expect(politics_tab).to_be_focused()
    expect(politics_tab).to_have_attribute("aria-selected", "true")

    page.keyboard.press("Escape")
    expect(news_item.locator(".main-nav__toggle")).to_have_attribute("aria-expanded", "false")
    expect(news_item.locator(".main-nav__toggle")).to_be_focused()


def test_open_an_article_and_go_to_the_next_one(page, live_server, paper):
    page.goto(live_server.url + paper.news.url)
    page.get_by_role("link", name="Diplomat defects").first.click()
    expect(page.locator("h1")).to_have_text("Diplomat defects")
    expect(page.locator(".article__lead img")).to_have_attribute("srcset", re.compile("1200w"))
    page.get_by_role("link", name="oil").click()
    expect(page).to_have_url(re.compile("/tags/oil/$"))


def test_switch_to_persian_edition(page, live_server, paper):
    page.goto(live_server.url + "/")
    page.locator(".language-switcher a[hreflang='fa']").click()
    expect(page).to_have_url(re.compile("/fa/$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    expect(page.locator(".masthead__name")).to_have_text("روزنامه آزمایشی")
    expect(page.locator(".top-bar__date")).to_have_text(re.compile("[۰-۹]"))


def test_mobile_menu_at_375_pixels(mobile_page, live_server, paper):
    page = mobile_page
    page.goto(live_server.url + "/")
    panel = page.locator("#site-menu")
    expect(panel).not_to_be_in_viewport()
    opener = page.locator(".main-nav__open")
    expect(opener).to_be_visible()
    opener.click()
    expect(panel).to_be_in_viewport()
    expect(page.locator(".main-nav__close")).to_be_focused()
    expect(panel.get_by_role("link", name="Economy")).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).not_to_be_in_viewport()
    expect(opener).to_be_focused()
    page.keyboard.press(" ")  # a link made a button answers Space too
    expect(panel).to_be_in_viewport()
    page.mouse.click(360, 400)  # the dimmed page beside the menu
    expect(panel).not_to_be_in_viewport()
    expect(page).to_have_url(live_server.url + "/")
    # Nothing on the page is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_current_section_is_marked_in_the_cached_menu(page, live_server, paper):
    article = paper.articles[0]
    page.goto(live_server.url + article.url)
    news_link = page.locator(".main-nav__link", has_text="What's the News")
    expect(news_link).to_have_attribute("aria-current", "true")
    page.goto(live_server.url + paper.news.url)
    expect(news_link).to_have_attribute("aria-current", "page")
    expect(page.locator(".main-nav__link", has_text="Economy")).not_to_have_attribute(
        "aria-current", re.compile(".*")
    )


def test_menus_work_without_javascript(browser, live_server, paper):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(live_server.url + "/")
    news_item = page.locator(".main-nav__item--mega").filter(has_text="What's the News").first
    news_item.locator(".main-nav__link").focus()
    expect(news_item.locator(".mega")).to_be_visible()  # :focus-within opens it
    expect(news_item.locator(".main-nav__toggle")).to_be_hidden()
    context.close()

    context = browser.new_context(viewport={"width": 375, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.locator(".main-nav__open").click()  # an anchor to #site-menu
    expect(page.locator("#site-menu")).to_be_in_viewport()
    page.locator(".main-nav__close").click()
    expect(page.locator("#site-menu")).not_to_be_in_viewport()
    context.close()


def test_mega_menu_by_mouse_survives_crossing_a_gap(page, live_server, paper):
    page.goto(live_server.url + "/")
    news_item = page.locator(".main-nav__item--mega").filter(has_text="What's the News").first
    news_item.locator(".main-nav__link").hover()
    mega = news_item.locator(".mega")
    expect(mega).to_be_visible()
    # Leave the item (as when crossing a wrapped bar's second row), then reach the panel.
    page.locator(".main-nav .search-box__input").hover()
    first_article = mega.locator(".mega__article a").first
    first_article.click()
    expect(page.locator("h1")).to_have_text("Parliament votes")


def test_mega_menu_closes_once_the_pointer_has_gone(page, live_server, paper):
    page.goto(live_server.url + "/")
    news_item = page.locator(".main-nav__item--mega").filter(has_text="What's the News").first
    news_item.locator(".main-nav__link").hover()
    expect(news_item.locator(".mega")).to_be_visible()
    page.locator(".masthead").hover()
    expect(news_item.locator(".mega")).to_be_hidden()
