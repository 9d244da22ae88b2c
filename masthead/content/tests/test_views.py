import re

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import TestCase
from django.utils.encoding import iri_to_uri

from masthead.content.models import AccessLevel, ArticleAuthor
from masthead.content.querysets import attach_sections
from masthead.core.cache import bump_chrome_version
from masthead.core.templatetags.edition_tags import iri

from .factories import make_article, make_image, make_paper, translate


class ArticlePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        image = make_image("Lead")
        ada, ben = cls.paper.writers
        news = cls.paper.news
        cls.oldest = make_article(
            news, "Oldest story", days_ago=30, tags=["oil", "diplomacy"], image=image
        )
        cls.middle = make_article(
            news,
            "Diplomat defects",
            days_ago=20,
            authors=[ada, ben],
            tags=["oil", "diplomacy"],
            image=image,
        )
        cls.newest = make_article(news, "Newest story", days_ago=10, image=make_image("Other"))
        cls.elsewhere = make_article(cls.paper.economy, "Oil price falls", days_ago=5, tags=["oil"])
        cls.unrelated = make_article(cls.paper.economy, "Wheat harvest", days_ago=4)

    def setUp(self):
        cache.clear()

    def get(self, page, **kwargs):
        response = self.client.get(page.url, **kwargs)
        self.assertEqual(response.status_code, 200, page.url)
        return response

    def test_article_shows_headline_byline_date_section_and_image(self):
        html = self.get(self.middle).content.decode()
        self.assertIn('<h1 class="article__headline">Diplomat defects</h1>', html)
        self.assertRegex(html, r'rel="author">Ada Writer</a> and <a href="[^"]+" rel="author">Ben')
        self.assertIn('class="article__section"', html)
        self.assertIn("What&#x27;s the News", html)
        self.assertRegex(html, r'<img[^>]+srcset="[^"]+ 480w, [^"]+ 800w, [^"]+ 1200w"')
        self.assertRegex(html, r'<img[^>]+width="\d+"[^>]+height="\d+"|<img[^>]+height="\d+"')
        self.assertIn("Lead caption", html)
        self.assertIn("Test Agency", html)
        self.assertIn('rel="tag">oil</a>', html)

    def test_article_caption_overrides_the_image_caption(self):
        self.middle.lead_image_caption = "A caption for this story"
        self.middle.save_revision().publish()
        html = self.get(self.middle).content.decode()
        self.assertIn("<figcaption>A caption for this story", html)
        self.assertNotIn("Lead caption", html)

    def test_previous_and_next_follow_publication_time_within_the_section(self):
        self.assertEqual(self.middle.previous_article, self.oldest)
        self.assertEqual(self.middle.next_article, self.newest)
        html = self.get(self.middle).content.decode()
        self.assertIn("Previous Post", html)
        self.assertIn("Next Post", html)

    def test_no_previous_at_the_start_and_no_next_at_the_end(self):
        self.assertIsNone(self.oldest.previous_article)
        self.assertIsNone(self.newest.next_article)
        self.assertNotIn("Previous Post", self.get(self.oldest).content.decode())
        self.assertNotIn("Next Post", self.get(self.newest).content.decode())

    def test_related_posts_share_section_or_tags_and_never_include_the_article(self):
        related = self.middle.related_articles
        self.assertEqual(len(related), 3)
        self.assertNotIn(self.middle, related)
        self.assertNotIn(self.unrelated, related)
        # Two shared tags beat one; the tag-sharing article from another section comes in.
        self.assertEqual(related[0], self.oldest)
        self.assertIn(self.elsewhere, related)

    def test_read_next_is_the_next_article_or_a_related_one_at_the_end(self):
        self.assertEqual(self.middle.read_next, self.newest)
        self.assertIn(self.newest.read_next, self.newest.related_articles)

    def test_premium_teasers_are_labelled(self):
        make_article(self.paper.economy, "Paid analysis", access_level=AccessLevel.SUBSCRIBERS)
        html = self.get(self.paper.economy).content.decode()
        self.assertIn('data-access="subscribers"', html)

    def assert_article_queries(self, steady: int, cold_content_types: int):
        """Count queries for a warmed page: chrome and renditions cached, as in production.

        `steady` is the count with Django's ContentType cache warm (a long-lived process);
        `cold_content_types` after clearing it, as Wagtail's own tests count.
        """
        self.get(self.middle)
        with self.assertNumQueries(steady):
            self.get(self.middle)
        ContentType.objects.clear_cache()
        with self.assertNumQueries(cold_content_types):
            self.get(self.middle)

    def test_article_page_renders_in_10_queries_whatever_the_content(self):
        self.assert_article_queries(10, 11)  # the comments section included
        ada, ben = self.paper.writers
        for n in range(6):
            make_article(
                self.paper.news,
                f"More {n}",
                days_ago=15 + n,
                tags=["oil", f"tag-{n}"],
                authors=[ada, ben],
            )
        self.middle.tags.add("extra-1", "extra-2", "extra-3")
        self.middle.save_revision().publish()
        self.assert_article_queries(10, 11)  # the comments section included

    def test_routing_finds_articles_subsections_and_their_articles(self):
        # A section looks for an article first (one query), then for any other child.
        nested = make_article(self.paper.politics, "Cabinet reshuffle", days_ago=2)
        for page in (self.middle, self.paper.politics, nested):
            with self.subTest(page.url):
                response = self.get(page)
                self.assertIs(type(response.context["page"]), type(page))
                self.assertEqual(response.context["page"].pk, page.pk)
        for missing in ("/news/no-such-story/", "/news/politics/no-such-story/"):
            self.assertEqual(self.client.get(missing).status_code, 404, missing)
        self.middle.unpublish()
        self.assertEqual(self.client.get(self.middle.url).status_code, 404)

    def test_section_labels_come_from_sections_at_hand_without_a_query(self):
        own_section = [self.oldest, self.newest]
        with self.assertNumQueries(0):
            labelled = attach_sections(own_section, known=[self.paper.news])
        self.assertEqual({a.section_page for a in labelled}, {self.paper.news})
        with self.assertNumQueries(1):  # the other section's, and only that one
            labelled = attach_sections([*own_section, self.elsewhere], known=[self.paper.news])
        self.assertEqual(
            [a.section_page for a in labelled],
            [self.paper.news, self.paper.news, self.paper.economy],
        )

    def test_article_page_after_a_publish_rebuilds_the_chrome_within_budget(self):
        self.get(self.middle)  # renditions are created on the first view
        bump_chrome_version()  # what any publish does
        with self.assertNumQueries(23):  # +1: the comments section
            self.get(self.middle)


class ListingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.articles = [
            make_article(cls.paper.politics, f"Politics {n}", days_ago=n) for n in range(1, 15)
        ]

    def setUp(self):
        cache.clear()

    def test_section_lists_newest_first_including_sub_sections(self):
        html = self.client.get(self.paper.news.url).content.decode()
        html = html[html.index('<main id="main"') :]
        headlines = re.findall(r'card__headline"><a href="[^"]+">([^<]+)<', html)
        self.assertEqual(headlines[:3], ["Politics 1", "Politics 2", "Politics 3"])
        self.assertIn("Page 1 of 2", html)

    def test_second_page_and_bad_page_numbers(self):
        self.assertEqual(self.client.get(self.paper.news.url + "?page=2").status_code, 200)
        for bad in ("0", "3", "abc", "-1", "99999999999999999999"):
            response = self.client.get(self.paper.news.url + f"?page={bad}")
            self.assertEqual(response.status_code, 404, bad)

    def test_home_page_has_lead_sections_and_latest(self):
        response = self.client.get("/")
        html = response.content.decode()
        self.assertEqual(response.status_code, 200)
        self.assertIn("card--lead", html)
        self.assertIn('class="front__latest"', html)
        self.assertIn("What&#x27;s the News", html)

    def test_no_story_appears_twice_on_the_front_page(self):
        html = self.client.get("/").content.decode()
        main = html[html.index('<main id="main"') :]
        headlines = re.findall(r'card__headline"><a href="[^"]+">([^<]+)<', main)
        self.assertEqual(len(headlines), 14)  # 1 lead + 4 top + 8 latest + 1 section block
        self.assertEqual(len(headlines), len(set(headlines)))

    def test_home_and_section_query_counts(self):
        self.client.get("/")
        self.client.get(self.paper.news.url)
        with self.assertNumQueries(6):
            self.client.get("/")
        with self.assertNumQueries(7):
            self.client.get(self.paper.news.url)

    def test_latest_page_lists_every_section(self):
        make_article(self.paper.economy, "Economy now", days_ago=0.5)
        html = self.client.get(self.paper.latest.url).content.decode()
        html = html[html.index('<main id="main"') :]
        self.assertLess(html.index("Economy now"), html.index("Politics 1"))

    def test_tag_listing(self):
        make_article(self.paper.economy, "Tagged one", tags=["wheat"])
        response = self.client.get("/tags/wheat/")
        self.assertContains(response, "Tagged one")
        # The listing is its own page, never a copy of the front page.
        self.assertContains(response, '<link rel="canonical" href="http://testserver/tags/wheat/">')
        self.assertNotContains(response, 'hreflang="fa" href=')
        self.assertEqual(self.client.get("/tags/no-such-tag/").status_code, 404)

    def test_author_page_lists_their_articles(self):
        ada = self.paper.writers[0]
        make_article(self.paper.economy, "By Ada", authors=[ada])
        self.assertContains(self.client.get(ada.url), "By Ada")
        self.assertContains(self.client.get(self.paper.authors.url), "Ada Writer")


class EditionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.article = make_article(cls.paper.news, "Diplomat defects", days_ago=2)

    def setUp(self):
        cache.clear()

    def test_english_edition_is_left_to_right(self):
        html = self.client.get("/").content.decode()
        self.assertIn('<html lang="en" dir="ltr"', html)

    def test_persian_edition_is_right_to_left_with_persian_chrome(self):
        response = self.client.get("/fa/")
        html = response.content.decode()
        self.assertEqual(response.status_code, 200)
        self.assertIn('<html lang="fa" dir="rtl"', html)
        self.assertIn("روزنامه آزمایشی", html)
        self.assertIn("روزنامه‌ای مستقل", html)
        self.assertRegex(html, r"© <span dir=\"ltr\">۱۹۷۰-۲۰\d\d</span>")

    def test_switcher_links_a_translation_or_the_other_edition_home(self):
        html = self.client.get(self.article.url).content.decode()
        self.assertIn('href="/fa/" hreflang="fa"', html)  # no translation yet
        persian = translate(self.article, self.paper.persian, title="دیپلمات")
        html = self.client.get(self.article.url).content.decode()
        self.assertIn(f'href="{persian.url}" hreflang="fa"', html)
        self.assertIn(
            f'<link rel="alternate" hreflang="fa" href="http://localhost{persian.url}">', html
        )
        html = self.client.get(persian.url).content.decode()
        self.assertIn(f'href="{self.article.url}" hreflang="en"', html)

    def test_persian_links_keep_their_letters_and_lead_where_they_say(self):
        persian = translate(self.article, self.paper.persian, title="دیپلمات", slug="دیپلمات")
        persian.tags.add("نفت خام")
        persian.save_revision().publish()
        html = self.client.get(persian.url).content.decode()
        # In the menus, the cards and the tag list: letters, not percent-encoding. (A
        # query's value, as in the sign-in link's `next`, stays as it is.)
        links = re.findall(r'<a [^>]*href="(/fa/[^"?#]*)"', html)
        self.assertIn(
            persian.url.replace("%D8%AF%DB%8C%D9%BE%D9%84%D9%85%D8%A7%D8%AA", "دیپلمات"), links
        )
        self.assertTrue([link for link in links if link.startswith("/fa/tags/")], links)
        self.assertFalse([link for link in links if re.search("%D[89AB]", link)], links)
        # What a browser does with such a link: encode it, ask, and get the page.
        for link in {link for link in links if "دیپلمات" in link or "/tags/" in link}:
            self.assertEqual(self.client.get(iri_to_uri(link)).status_code, 200, link)

    def test_the_iri_filter_decodes_letters_only(self):
        self.assertEqual(iri("/fa/%D9%86%D9%81%D8%AA/"), "/fa/نفت/")
        self.assertEqual(iri("/a%2Fb/%D9%86%20x/?q=%26"), "/a%2Fb/ن%20x/?q=%26")
        self.assertEqual(iri(""), "")

    def test_persian_article_renders_in_10_queries(self):
        ada = self.paper.writers[0]
        ada_fa = translate(ada, self.paper.persian, title="آدا نویسنده")
        persian = translate(self.article, self.paper.persian, title="دیپلمات")
        ArticleAuthor.objects.create(article=persian, author=ada_fa)
        persian.tags.add("نفت")
        persian.lead_image = make_image("Persian lead")
        persian.save_revision().publish()
        later = make_article(self.paper.news, "Later story", days_ago=1, image=make_image("L"))
        later_fa = translate(later, self.paper.persian, title="خبر بعدی")
        later_fa.tags.add("نفت")
        later_fa.save_revision().publish()
        self.client.get(persian.url)
        # The comments section included; the related articles are of the article's own
        # section, whose label needs no query (11 when one is of another section).
        with self.assertNumQueries(10):
            html = self.client.get(persian.url).content.decode()
        self.assertIn("آدا نویسنده", html)

    def test_footer_copyright_and_phone_are_computed_from_settings(self):
        from masthead.core.dates import today

        html = self.client.get("/").content.decode()
        self.assertIn(f'© <span dir="ltr">1970-{today().year}</span> The Daily Test - An', html)
        self.assertIn("Call us:", html)
        self.assertIn("+1 (202)-659-9868", html)

    def test_menus_come_from_the_admin_and_fall_back_to_english(self):
        html = self.client.get("/").content.decode()
        self.assertIn('href="https://example.org/jobs">Jobs</a>', html)
        persian_html = self.client.get("/fa/").content.decode()
        self.assertIn("Jobs", persian_html)  # no Persian footer menu: English one stands in

    def test_mega_menu_lists_newest_articles_with_sub_section_tabs(self):
        html = self.client.get("/").content.decode()
        self.assertIn("main-nav__item--mega", html)
        self.assertIn('role="tab"', html)
        self.assertIn(">Politics</a>", html)
        self.assertIn('mega__headline">Diplomat defects', html)

    def test_an_archive_tab_ends_the_mega_menu_with_the_newest_printed_issues(self):
        import datetime

        from masthead.archive.tests.factories import make_issue
        from masthead.core.models import MenuItem

        MenuItem.objects.filter(link_page=self.paper.news).update(archive_tab=True)
        make_issue(self.paper.english, volume=57, number=47, date=datetime.date(2026, 11, 20))
        html = self.client.get("/").content.decode()
        tab = re.search(r'<a class="mega__tab"[^>]*href="/archive/"[^>]*>([^<]+)</a>', html)
        self.assertIsNotNone(tab, "the archive tab links the archive without JavaScript")
        self.assertEqual(tab.group(1), "Archive")
        self.assertIn('href="/archive/issues/2026/47/"', html)
        self.assertIn("Volume 57, number 47", html)
        # Only the menu item that asks for it gets the tab.
        self.assertEqual(html.count('href="/archive/" aria-controls'), 1)
        persian = self.client.get("/fa/").content.decode()
        self.assertIn(">بایگانی</a>", persian)

    def test_publishing_refreshes_the_cached_menus(self):
        self.client.get("/")
        make_article(self.paper.news, "Breaking now", days_ago=0.1)
        self.assertIn("Breaking now", self.client.get("/about/").content.decode())


class ErrorPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()

    def test_404_in_both_editions(self):
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertIn('lang="en" dir="ltr"', response.content.decode())
        self.assertContains(response, 'href="/fa/" hreflang="fa"', status_code=404)
        response = self.client.get("/fa/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertIn('lang="fa" dir="rtl"', response.content.decode())

    def test_500_page_renders_without_the_database(self):
        from django.test import RequestFactory

        from masthead.core.views import server_error

        with self.assertNumQueries(0):
            response = server_error(RequestFactory().get("/fa/broken/"))
        self.assertEqual(response.status_code, 500)
        self.assertIn('lang="fa" dir="rtl"', response.content.decode())
