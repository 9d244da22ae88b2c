"""Walk the archive as a reader: year, month, day, article; and to a printed issue."""

import datetime
import re

import pytest
from playwright.sync_api import expect


@pytest.fixture
def archive(paper):
    from masthead.archive.tests.factories import article_on, local, make_issue, make_pdf
    from masthead.content.tests.factories import make_image, translate

    paper.march = article_on(paper.news, "Esfand dispatch", local(2011, 3, 9, 8))
    news_fa = translate(paper.news, paper.persian, title="اخبار")
    paper.march_fa = article_on(news_fa, "گزارش اسفند", local(2011, 3, 9, 8))
    cover = make_image("Front page 2011")
    paper.issue = make_issue(
        paper.english,
        volume=42,
        number=10,
        date=datetime.date(2011, 3, 9),
        articles=[paper.march],
        front_page=cover,
        pdf=make_pdf("issue-2011-10"),
    )
    paper.issue_fa = make_issue(
        paper.persian,
        volume=42,
        number=50,
        date=datetime.date(2011, 3, 9),
        articles=[paper.march_fa],
        front_page=cover,
        pdf=make_pdf("issue-1389-50"),
    )
    return paper


def test_walk_the_english_archive_from_year_to_article(page, live_server, archive):
    page.goto(live_server.url + "/archive/")
    expect(page.locator("h1")).to_have_text("Archive")
    page.get_by_role("link", name=re.compile(r"^2011\s+1 article$")).click()
    expect(page).to_have_url(re.compile("/archive/2011/$"))
    page.get_by_role("link", name=re.compile(r"^March\s+1 article$")).click()
    expect(page).to_have_url(re.compile("/archive/2011/03/$"))
    expect(page.locator("h1")).to_have_text("March 2011")
    page.locator(".archive-periods").get_by_role("link", name=re.compile(r"^9\s")).click()
    expect(page).to_have_url(re.compile("/archive/2011/03/09/$"))
    expect(page.locator("h1")).to_have_text("Wednesday, March 9, 2011")
    page.get_by_role("link", name="Esfand dispatch").click()
    expect(page.locator("h1")).to_have_text("Esfand dispatch")


def test_walk_the_persian_archive_by_solar_hijri_dates(page, live_server, archive):
    page.goto(live_server.url + "/fa/archive/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("link", name=re.compile("^۱۳۸۹")).click()
    expect(page).to_have_url(re.compile("/fa/archive/1389/$"))
    page.get_by_role("link", name=re.compile("^اسفند")).click()
    expect(page).to_have_url(re.compile("/fa/archive/1389/12/$"))
    expect(page.locator("h1")).to_have_text("اسفند ۱۳۸۹")
    page.locator(".archive-periods").get_by_role("link", name=re.compile("^۱۸")).click()
    expect(page).to_have_url(re.compile("/fa/archive/1389/12/18/$"))
    expect(page.locator("h1")).to_have_text("چهارشنبه ۱۸ اسفند ۱۳۸۹")
    page.get_by_role("link", name="گزارش اسفند").click()
    expect(page.locator("h1")).to_have_text("گزارش اسفند")


def test_switching_edition_keeps_the_date(page, live_server, archive):
    page.goto(live_server.url + "/archive/2011/03/")
    page.locator(".language-switcher a[hreflang='fa']").click()
    expect(page).to_have_url(re.compile("/fa/archive/1389/12/$"))


@pytest.mark.parametrize(
    ("prefix", "year", "issue_name", "offer"),
    [
        ("", "2011", "Volume 42, number 10", "The printed edition is for subscribers"),
        ("/fa", "۱۳۸۹", "جلد ۴۲، شماره ۵۰", "نسخهٔ چاپی برای مشترکان است"),
    ],
)
def test_browse_to_a_printed_issue(page, live_server, archive, prefix, year, issue_name, offer):
    page.goto(live_server.url + f"{prefix}/archive/")
    page.locator(".archive-switch__link").nth(1).click()
    expect(page).to_have_url(re.compile(f"{prefix}/archive/issues/$"))
    page.get_by_role("link", name=re.compile(f"^{year}")).click()
    page.get_by_role("link", name=re.compile(issue_name)).click()
    expect(page.locator("h1")).to_have_text(issue_name)
    expect(page.locator(".issue__cover")).to_be_visible()
    expect(page.locator(".issue__toc .card__headline")).to_have_count(1)
    expect(page.locator(".issue__offer h2")).to_have_text(offer)
    page.locator(".issue__toc .card__headline a").click()
    expect(page.locator("h1")).not_to_have_text(issue_name)
