"""Comment counts on article cards: approved comments only, from the listing's own query."""

import re

from django.core.cache import cache
from django.test import TestCase

from masthead.comments.models import CommentStatus
from masthead.content.models import ArticlePage
from masthead.content.tests.factories import make_article, make_paper, translate

from .factories import make_comment


def card_for(html: str, title: str) -> str:
    """Return the markup of the card whose headline is `title`."""
    cards = re.findall(r'<article class="card.*?</article>', html, re.DOTALL)
    return next(card for card in cards if f">{title}</a>" in card)


class TeaserCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.discussed = make_article(cls.paper.economy, "Discussed", days_ago=1)
        cls.quiet = make_article(cls.paper.economy, "Quiet", days_ago=2)
        cls.single = make_article(cls.paper.economy, "Single", days_ago=3)
        for n in range(3):
            make_comment(cls.discussed, f"Approved {n}")
        for status in (CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.TRASH):
            make_comment(cls.discussed, f"Hidden {status}", status=status)
            make_comment(cls.quiet, f"Hidden {status}", status=status)
        make_comment(cls.single, "Only one")

    def setUp(self):
        cache.clear()

    def test_listing_counts_approved_comments_only(self):
        counts = {
            a.title: a.approved_comment_count
            for a in ArticlePage.objects.for_listing().child_of(self.paper.economy)
        }
        self.assertEqual(counts, {"Discussed": 3, "Quiet": 0, "Single": 1})

    def test_cards_link_the_count_to_the_comments_and_show_nothing_at_zero(self):
        html = self.client.get(self.paper.economy.url).content.decode()
        self.assertIn(
            f'<a class="card__comments" href="{self.discussed.url}#comments">3 comments</a>',
            card_for(html, "Discussed"),
        )
        self.assertIn(">1 comment</a>", card_for(html, "Single"))
        self.assertNotIn("card__comments", card_for(html, "Quiet"))

    def test_front_page_cards_show_the_count(self):
        html = self.client.get(self.paper.home.url).content.decode()
        self.assertIn(">3 comments</a>", card_for(html, "Discussed"))

    def test_the_persian_edition_counts_in_persian_digits(self):
        economy_fa = translate(self.paper.economy, self.paper.persian, title="اقتصاد")
        article_fa = translate(self.discussed, self.paper.persian, title="بحث‌برانگیز")
        for n in range(2):
            make_comment(article_fa, f"نظر {n}")
        html = self.client.get(economy_fa.url).content.decode()
        self.assertIn(
            f'<a class="card__comments" href="{article_fa.url}#comments">۲ نظر</a>',
            card_for(html, "بحث‌برانگیز"),
        )

    def test_the_read_next_card_shows_the_next_articles_section_and_count(self):
        # "Single" is older than "Quiet" and "Discussed": its next article is "Quiet"; the
        # next one of "Quiet" is "Discussed", with three approved comments.
        html = self.client.get(self.quiet.url).content.decode()
        read_next = html[html.index('class="read-next"') :]
        card = card_for(read_next, "Discussed")
        self.assertIn(f'<a class="card__section" href="{self.paper.economy.url}">', card)
        self.assertIn(
            f'<a class="card__comments" href="{self.discussed.url}#comments">3 comments</a>', card
        )

    def test_counts_cost_no_query_per_card(self):
        self.client.get(self.paper.economy.url)  # warm the chrome and renditions
        # Content's section pin is 7 for a section with a sub-section; this one has none,
        # so no query for its cards' section labels. The counts add none.
        with self.assertNumQueries(6):
            self.client.get(self.paper.economy.url)
        for n in range(6):
            article = make_article(self.paper.economy, f"More {n}", days_ago=10 + n)
            make_comment(article, "One more")
        self.client.get(self.paper.economy.url)
        with self.assertNumQueries(6):
            html = self.client.get(self.paper.economy.url).content.decode()
        self.assertEqual(html.count('class="card__comments"'), 8)
