"""The page cache, through the same code the WSGI wrapper runs (masthead.pagecache.testing).

What must hold: a copy made for one entitlement class never reaches a reader of another;
signing in or out, or subscribing, changes the copy a reader gets at once; the personal
part (name, CSRF and comment tokens, the meter) never sits in a shared copy and comes from
the reader-state call; publishing purges exactly the pages that show a change.
"""

import http.server
import threading
import time
from unittest import mock

from django.core.cache import caches
from django.db import connection
from django.test import SimpleTestCase, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from masthead.comments.models import Comment
from masthead.content.models import AccessLevel, ArticlePage
from masthead.content.tests.factories import make_article, make_paper
from masthead.core.models import Menu, MenuItem
from masthead.pagecache import rules
from masthead.pagecache.classes import CLASS_COOKIE, sign_class, this_hour
from masthead.pagecache.store import LISTENER_POLL_SECONDS, store
from masthead.pagecache.testing import CachedClient
from masthead.subscriptions.models import MeteredRead, PaywallSettings
from masthead.subscriptions.tests.factories import make_plan, make_reader, make_subscription
from masthead.subscriptions.tests.test_leaks import (
    OPENING,
    REGISTERED_CANARY,
    SUBSCRIBERS_CANARY,
    LeakTests,
    premium_body,
)

PASSWORD = "a long pass phrase 7"


def wait_until(condition, seconds=LISTENER_POLL_SECONDS * 3) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def clear_caches():
    caches["default"].clear()
    store.clear()  # the shared store and every worker's memory of it


class CachedLeakTests(LeakTests):
    """Every channel of the paywall's leak test again, with the page cache in front and
    every reader carrying the class cookie the site gives them."""

    client_class = CachedClient

    def setUp(self):
        clear_caches()

    def take_class(self, user):
        self.client.force_login(user)
        self.client.get("/reader/state/")  # writes the class cookie, as any page load does
        self.assertIn(CLASS_COOKIE, self.client.cookies)

    def warm_as_entitled(self):
        self.take_class(self.subscriber)
        for url in self.every_channel():
            self.fetch(url)
        self.assertEqual(self.client.get(self.premium.url)["X-Page-Cache"], "HIT")
        self.client.logout()

    def test_registered_reader_without_subscription_sees_no_premium_canary(self):
        self.warm_as_entitled()
        self.take_class(self.reader)
        self.assert_no_canary(self.every_channel(), canaries=(SUBSCRIBERS_CANARY,))
        self.assert_no_canary(self.preview_urls())

    def test_requests_that_do_not_count_never_open_by_the_meter(self):
        """Through the cache the meter counts in the reader-state call, never on the page."""
        PaywallSettings.objects.update(meter_anonymous=2)
        clear_caches()
        self.assert_no_canary([self.registered.url, self.premium.url])
        state = self.client.get(f"/reader/state/?article={self.registered.pk}&paywall=1").json()
        self.assertTrue(state["article"]["full_text"])
        self.assertIn(REGISTERED_CANARY, state["article"]["gated_html"])
        for method in ("post", "options", "head"):
            self.assert_no_canary([self.premium.url], canaries=(SUBSCRIBERS_CANARY,), method=method)
        response = self.client.post(f"/reader/state/?article={self.premium.pk}&paywall=1")
        self.assertEqual(response.status_code, 405)  # only a GET counts
        state = self.client.get(f"/reader/state/?article={self.premium.pk}&paywall=1").json()
        self.assertIn(SUBSCRIBERS_CANARY, state["article"]["gated_html"])
        self.assertEqual(MeteredRead.objects.count(), 2)


class PageCacheTestCase(TestCase):
    client_class = CachedClient

    @classmethod
    def setUpTestData(cls):
        cls.paper = paper = make_paper()
        cls.free = make_article(paper.economy, "Harbour reopens", days_ago=3)
        cls.premium = make_article(
            paper.economy,
            "Harbour contract terms",
            days_ago=1,
            access_level=AccessLevel.SUBSCRIBERS,
        )
        cls.premium.body = premium_body(SUBSCRIBERS_CANARY)
        cls.premium.save_revision().publish()
        cls.elsewhere = make_article(paper.politics, "Cabinet meets", days_ago=2)
        PaywallSettings.objects.update_or_create(
            site=Site.objects.get(is_default_site=True),
            defaults={"meter_anonymous": 0, "meter_registered": 0},
        )
        cls.reader = make_reader("reader", display_name="Zebulon Quux")
        cls.subscriber = make_reader("subscriber", display_name="Philippa Wren")
        make_subscription(cls.subscriber, make_plan())

    def setUp(self):
        clear_caches()

    def get(self, url, **extra):
        return self.client.get(url, **extra)

    def sign_in(self, user):
        response = self.client.post(
            "/accounts/login/", {"login": user.username, "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 302)
        self.read_messages()
        return response

    def read_messages(self):
        """The page after signing in or out carries a message for the reader: theirs alone."""
        self.assertIn("messages", self.client.cookies)
        self.assertEqual(self.get("/")["X-Page-Cache"], "BYPASS")
        self.assertFalse(self.client.cookies["messages"].value)  # read, and deleted


class HitsAndHeaders(PageCacheTestCase):
    def test_second_request_is_a_hit_with_no_query(self):
        first = self.get(self.free.url)
        self.assertEqual(first["X-Page-Cache"], "MISS")
        with CaptureQueriesContext(connection) as queries:
            second = self.get(self.free.url)
        self.assertEqual(second["X-Page-Cache"], "HIT")
        self.assertEqual(len(queries), 0)
        self.assertEqual(second.content, first.content)

    def test_a_render_for_a_class_asks_no_session_or_account_query(self):
        self.get(self.free.url)  # the chrome's fragment cache, as any render after the first
        for entitlement in ("anonymous", "subscriber"):
            if entitlement != "anonymous":
                # A class bound to a session: the render reads neither the session nor the user.
                self.client.cookies["sessionid"] = "s" * 32
                self.client.cookies[CLASS_COOKIE] = sign_class(entitlement, "s" * 32)
            store.purge([f"page-{self.free.pk}"])  # the copy goes, the chrome's fragments stay
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.get(self.free.url)["X-Page-Cache"], "MISS")
            personal = [
                query["sql"][:80]
                for query in queries
                if "django_session" in query["sql"] or "accounts_user" in query["sql"]
            ]
            self.assertEqual(personal, [])
            self.assertLessEqual(len(queries), 14, [query["sql"][:80] for query in queries])

    def test_an_emptied_store_is_never_answered_from_a_workers_memory(self):
        self.get(self.free.url)
        listener = store.listener  # on Redis, the first lookup started it
        if listener is not None:
            self.assertTrue(wait_until(lambda: listener.generation is not None))
        self.assertEqual(self.get(self.free.url)["X-Page-Cache"], "HIT")  # now remembered
        listened = listener.generation if listener else None
        caches["pages"].clear()  # Redis restarted or flushed: its purges are lost too
        if listener is not None:
            # A worker following Redis notices the lost counter at its next poll.
            self.assertTrue(wait_until(lambda: listener.generation not in (listened, None)))
        self.assertEqual(self.get(self.free.url)["X-Page-Cache"], "MISS")

    def test_shared_headers_and_conditional_answers(self):
        response = self.get(self.free.url)
        cache_control = response["Cache-Control"]
        for part in ("public", "max-age=0", "s-maxage=300", "stale-while-revalidate=60"):
            self.assertIn(part, cache_control)
        self.assertEqual(response["Vary"], "Cookie")  # the class cookie; not the language
        self.assertTrue(response["Last-Modified"])
        surrogate = response["Surrogate-Key"].split()
        for key in (f"page-{self.free.pk}", f"page-{self.paper.economy.pk}", "chrome-en", "site"):
            # (the section's key: the article names its section)
            self.assertIn(key, surrogate)
        not_modified = self.get(self.free.url, HTTP_IF_NONE_MATCH=response["ETag"])
        self.assertEqual(not_modified.status_code, 304)
        self.assertEqual(not_modified["X-Page-Cache"], "HIT")
        self.assertEqual(not_modified.content, b"")
        self.assertEqual(self.get(self.free.url, HTTP_IF_NONE_MATCH='"other"').status_code, 200)
        since = response["Last-Modified"]
        self.assertEqual(self.get(self.free.url, HTTP_IF_MODIFIED_SINCE=since).status_code, 304)
        older = "Mon, 01 Jan 2024 00:00:00 GMT"
        self.assertEqual(self.get(self.free.url, HTTP_IF_MODIFIED_SINCE=older).status_code, 200)
        head = self.client.head(self.free.url)
        self.assertEqual((head.status_code, head.content), (200, b""))

    def test_every_page_kind_is_shared(self):
        paper = self.paper
        for url in (
            "/",
            "/fa/",
            paper.economy.url,
            paper.latest.url,
            self.free.url,
            "/feed/",
            "/archive/",
            paper.writers[0].url,
        ):
            with self.subTest(url=url):
                self.assertEqual(self.get(url).status_code, 200)
                self.assertEqual(self.get(url)["X-Page-Cache"], "HIT")

    def test_what_is_never_shared(self):
        self.get(self.free.url)
        cases = {
            "a form post": lambda: self.client.post(self.free.url),
            "a gift link": lambda: self.get(f"{self.premium.url}?gift=abc"),
            "search": lambda: self.get("/search/?q=harbour"),
            "the account pages": lambda: self.get("/accounts/login/"),
            "the admin": lambda: self.get("/admin/"),
        }
        for name, request in cases.items():
            with self.subTest(name):
                self.assertEqual(request()["X-Page-Cache"], "BYPASS")
        # A message waiting for the reader, or a session without a class: Django answers.
        self.client.cookies["messages"] = "anything"
        self.assertEqual(self.get(self.free.url)["X-Page-Cache"], "BYPASS")
        del self.client.cookies["messages"]
        self.client.force_login(self.reader)
        response = self.get(self.free.url)
        self.assertEqual(response["X-Page-Cache"], "BYPASS")
        self.assertContains(response, "Zebulon Quux")  # their own page, with their name
        self.assertIn(CLASS_COOKIE, response.cookies)  # ...and the class for next time

    def test_staff_always_get_their_own_page(self):
        editor = make_reader("editor", is_staff=True, is_superuser=True)
        self.client.force_login(editor)
        for _ in range(2):
            response = self.get(self.premium.url)
            self.assertEqual(response["X-Page-Cache"], "BYPASS")
            self.assertContains(response, SUBSCRIBERS_CANARY)
        self.assertNotIn(CLASS_COOKIE, response.cookies)


class ClassesNeverMix(PageCacheTestCase):
    def test_subscriber_copy_and_anonymous_copy_stay_apart(self):
        self.sign_in(self.subscriber)
        self.assertContains(self.get(self.premium.url), SUBSCRIBERS_CANARY)
        self.assertEqual(self.get(self.premium.url)["X-Page-Cache"], "HIT")
        anonymous = self.client_class()
        for _ in range(2):
            response = anonymous.get(self.premium.url)
            self.assertContains(response, OPENING)
            self.assertNotContains(response, SUBSCRIBERS_CANARY)
        self.assertEqual(response["X-Page-Cache"], "HIT")

    def test_a_forged_stale_or_copied_class_cookie_never_opens_the_subscriber_copy(self):
        self.sign_in(self.subscriber)
        self.get(self.premium.url)  # the subscriber copy is stored
        value = self.client.cookies[CLASS_COOKIE].value
        session = self.client.cookies["sessionid"].value
        tampered = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
        cases = {
            "copied, without the session": {CLASS_COOKIE: value},
            "copied, beside another session": {CLASS_COOKIE: value, "sessionid": "x" * 32},
            "another class, same signature": {
                CLASS_COOKIE: value.replace("subscriber", "registered"),
                "sessionid": session,
            },
            "a bad signature": {CLASS_COOKIE: tampered, "sessionid": session},
            "signed five hours ago": {
                CLASS_COOKIE: sign_class("subscriber", session, hour=this_hour() - 5),
                "sessionid": session,
            },
        }
        for name, cookies in cases.items():
            other = self.client_class()
            for cookie, cookie_value in cookies.items():
                other.cookies[cookie] = cookie_value
            with self.subTest(name):
                response = other.get(self.premium.url)
                if cookies.get("sessionid") == session:
                    # The subscriber's own session: Django answers the person, who may read.
                    self.assertEqual(response["X-Page-Cache"], "BYPASS")
                    continue
                self.assertNotContains(response, SUBSCRIBERS_CANARY)
                if "sessionid" in cookies:
                    self.assertEqual(response["X-Page-Cache"], "BYPASS")  # Django asks who

    def test_nothing_personal_in_a_shared_copy(self):
        self.sign_in(self.reader)
        page = self.get(self.free.url)
        self.assertEqual(page["X-Page-Cache"], "MISS")
        html = page.content.decode()
        self.assertNotIn("Zebulon Quux", html)
        self.assertNotIn("csrfmiddlewaretoken", html)
        self.assertIn('data-entitlement="registered"', html)
        self.assertNotIn("Set-Cookie", str(page.items()))
        state = self.get(f"/reader/state/?article={self.free.pk}").json()
        self.assertEqual(state["name"], "Zebulon Quux")
        self.assertEqual(state["entitlement"], "registered")
        self.assertTrue(state["csrf_token"])
        self.assertTrue(state["comment_token"])
        self.assertIn("no-store", self.get("/reader/state/")["Cache-Control"])


class RememberedCookieAnswers(SimpleTestCase):
    """The rules remember each Cookie header's answer; never past the hour it was read in."""

    SESSION = "s" * 32

    def environ(self, class_hour: int) -> dict:
        header = f"sessionid={self.SESSION}; {CLASS_COOKIE}=" + sign_class(
            "subscriber", self.SESSION, hour=class_hour
        )
        return {"REQUEST_METHOD": "GET", "PATH_INFO": "/an-article/", "HTTP_COOKIE": header}

    def test_a_remembered_class_expires_with_its_hour(self):
        signed = this_hour()
        environ = self.environ(signed)
        with mock.patch("masthead.pagecache.rules.this_hour", return_value=signed):
            self.assertEqual(rules.entitlement_for(environ), "subscriber")
            self.assertEqual(rules.entitlement_for(environ), "subscriber")  # remembered
        with mock.patch("masthead.pagecache.rules.this_hour", return_value=signed + 1):
            self.assertEqual(rules.entitlement_for(environ), "subscriber")  # still valid
        with mock.patch("masthead.pagecache.rules.this_hour", return_value=signed + 2):
            self.assertIsNone(rules.entitlement_for(environ))  # too old: Django answers

    def test_a_new_secret_key_forgets_every_answer(self):
        environ = self.environ(this_hour())
        self.assertEqual(rules.entitlement_for(environ), "subscriber")
        with override_settings(SECRET_KEY="another-key-" + "k" * 40):
            self.assertIsNone(rules.entitlement_for(environ))
        self.assertEqual(rules.entitlement_for(environ), "subscriber")

    def test_remembered_answers_stay_bounded(self):
        for number in range(rules.COOKIE_HEADERS_REMEMBERED + 10):
            rules.entitlement_for({**self.environ(this_hour()), "HTTP_COOKIE": f"n={number}"})
        self.assertLessEqual(len(rules._answers_by_cookie_header), rules.COOKIE_HEADERS_REMEMBERED)


class ReaderState(PageCacheTestCase):
    def test_the_readers_paywall_sends_them_back_to_the_article(self):
        state = self.get(f"/reader/state/?article={self.premium.pk}&paywall=1").json()
        self.assertFalse(state["article"]["full_text"])
        self.assertNotIn(SUBSCRIBERS_CANARY, state["article"]["gated_html"])
        html = state["article"]["paywall_html"]
        self.assertIn(f"/accounts/signup/?next={self.premium.url}", html.replace("%2F", "/"))
        self.assertNotIn("reader/state", html)

    def test_bad_article_values_are_ignored(self):
        for value in ("", "abc", "-1", "999999", "1 OR 1=1"):
            with self.subTest(value=value):
                response = self.get("/reader/state/", data={"article": value, "paywall": "1"})
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("article", response.json())


class ReadersChangeClassAtOnce(PageCacheTestCase):
    def test_signing_in_and_out(self):
        self.assertNotContains(self.get(self.premium.url), SUBSCRIBERS_CANARY)
        self.assertEqual(self.get(self.premium.url)["X-Page-Cache"], "HIT")
        signed_in = self.sign_in(self.subscriber)
        self.assertIn(CLASS_COOKIE, signed_in.cookies)
        self.assertContains(self.get(self.premium.url), SUBSCRIBERS_CANARY)
        signed_out = self.client.post("/accounts/logout/")
        self.assertEqual(signed_out.cookies[CLASS_COOKIE].value, "")  # deleted
        self.read_messages()
        response = self.get(self.premium.url)
        self.assertNotContains(response, SUBSCRIBERS_CANARY)
        self.assertEqual(response["X-Page-Cache"], "HIT")  # the anonymous copy again

    def test_a_new_subscription(self):
        self.sign_in(self.reader)
        self.assertNotContains(self.get(self.premium.url), SUBSCRIBERS_CANARY)
        make_subscription(self.reader, make_plan(name="Yearly"))
        # The next page the reader loads asks for their state, which finds the subscription
        # and rewrites their class; reader.js then reloads into the subscriber copy.
        state = self.get(f"/reader/state/?article={self.premium.pk}&paywall=1").json()
        self.assertEqual(state["entitlement"], "subscriber")
        self.assertIn(SUBSCRIBERS_CANARY, state["article"]["gated_html"])
        self.assertContains(self.get(self.premium.url), SUBSCRIBERS_CANARY)


@override_settings(MASTHEAD_COMMENT_MIN_SECONDS=0)
class FormsOnSharedPages(PageCacheTestCase):
    def test_comment_form_works_with_the_tokens_from_the_state_call(self):
        client = CachedClient(enforce_csrf_checks=True)
        client.get(self.free.url)
        page = client.get(self.free.url)
        self.assertEqual(page["X-Page-Cache"], "HIT")
        form = {
            "article": self.free.pk,
            "name": "Guest Reader",
            "email": "guest@example.com",
            "body": "A thoughtful reply.",
        }
        refused = client.post("/comments/post/", {**form, "token": ""})
        self.assertEqual(refused.status_code, 403)  # no CSRF token: refused, nothing saved
        self.assertFalse(Comment.objects.exists())
        state = client.get(f"/reader/state/?article={self.free.pk}").json()
        form.update(csrfmiddlewaretoken=state["csrf_token"], token=state["comment_token"])
        sent = client.post("/comments/post/", form)
        self.assertEqual(sent.status_code, 302, sent.content[:500])
        self.assertTrue(Comment.objects.filter(article=self.free, body__contains="thoughtful"))
        # A second reader of the same shared page gets a token of their own.
        other = CachedClient(enforce_csrf_checks=True)
        self.assertNotEqual(
            other.get(f"/reader/state/?article={self.free.pk}").json()["comment_token"],
            state["comment_token"],
        )


class PurgeOnPublish(PageCacheTestCase):
    def warm(self, *urls):
        subscriber = self.client_class()
        subscriber.force_login(self.subscriber)
        subscriber.get("/reader/state/")
        for client in (self.client, subscriber):
            for url in urls:
                client.get(url)
                self.assertEqual(client.get(url)["X-Page-Cache"], "HIT", url)
        return subscriber

    def test_an_edit_shows_at_once_where_the_article_is_shown_and_nowhere_else(self):
        urls = [self.free.url, self.paper.economy.url, "/", "/feed/"]
        subscriber = self.warm(*urls, self.elsewhere.url, "/fa/")
        article = ArticlePage.objects.get(pk=self.free.pk)
        article.title = "Harbour reopens to container ships"
        article.save_revision().publish()
        for client in (self.client, subscriber):
            for url in urls:
                with self.subTest(url=url):
                    response = client.get(url)
                    self.assertEqual(response["X-Page-Cache"], "MISS")
                    self.assertContains(response, "container ships")
            # The article is among the newest in the "Latest" mega-menu, shown on every page
            # of its edition: those go too. The other edition keeps its copies.
            self.assertEqual(client.get(self.elsewhere.url)["X-Page-Cache"], "MISS")
            self.assertEqual(client.get("/fa/")["X-Page-Cache"], "HIT")

    def test_an_edit_to_an_old_article_leaves_pages_that_do_not_show_it(self):
        old = make_article(self.paper.economy, "Harbour history", days_ago=400)
        # Four newer articles in its section: the section's mega-menu tab no longer shows it.
        make_article(self.paper.economy, "Fish prices fall", days_ago=0.5)
        make_article(self.paper.economy, "Port fees rise", days_ago=0.7)
        subscriber = self.warm(old.url, self.paper.economy.url, self.elsewhere.url, "/feed/")
        old = ArticlePage.objects.get(pk=old.pk)
        old.title = "Harbour history, revised"
        old.save_revision().publish()
        for client in (self.client, subscriber):
            self.assertContains(client.get(old.url), "revised")
            self.assertEqual(client.get(self.paper.economy.url)["X-Page-Cache"], "MISS")
            self.assertEqual(client.get("/feed/")["X-Page-Cache"], "MISS")
            self.assertEqual(client.get(self.elsewhere.url)["X-Page-Cache"], "HIT")

    def test_unpublishing_and_a_new_article(self):
        self.warm("/", self.paper.economy.url, self.free.url)
        ArticlePage.objects.get(pk=self.free.pk).unpublish()
        self.assertEqual(self.get(self.free.url).status_code, 404)
        self.assertNotContains(self.get("/"), "Harbour reopens")
        make_article(self.paper.economy, "Fresh catch at the docks", days_ago=0)
        self.assertContains(self.get(self.paper.economy.url), "Fresh catch")

    def test_a_menu_change_purges_the_edition_chrome(self):
        self.warm(self.elsewhere.url, "/fa/")
        menu = Menu.objects.filter(locale=self.paper.english).first()
        MenuItem.objects.create(menu=menu, label="Crosswords", link_url="https://example.org/x")
        self.assertContains(self.get(self.elsewhere.url), "Crosswords")
        self.assertEqual(self.get("/fa/")["X-Page-Cache"], "HIT")

    def test_paywall_settings_purge_everything(self):
        self.warm(self.elsewhere.url, "/fa/")
        PaywallSettings.objects.update_or_create(
            site=Site.objects.get(is_default_site=True), defaults={"preview_paragraphs": 3}
        )
        self.assertEqual(self.get(self.elsewhere.url)["X-Page-Cache"], "MISS")
        self.assertEqual(self.get("/fa/")["X-Page-Cache"], "MISS")

    def test_an_approved_comment_purges_its_article(self):
        self.warm(self.free.url)
        Comment.objects.create(
            article=self.free,
            author_name="Ana",
            author_email="ana@example.org",
            body="Welcome news.",
            status="approved",
        )
        self.assertContains(self.get(self.free.url), "Welcome news.")

    def test_a_bulk_change_purges_its_edition_once_at_the_end(self):
        from masthead.pagecache.purge import batched

        self.warm(self.free.url, self.elsewhere.url, "/fa/")
        with batched():
            article = ArticlePage.objects.get(pk=self.free.pk)
            article.title = "Harbour reopens in bulk"
            article.save_revision().publish()
            self.assertEqual(self.get(self.elsewhere.url)["X-Page-Cache"], "HIT")  # not yet
        self.assertContains(self.get(self.free.url), "in bulk")
        self.assertEqual(self.get(self.elsewhere.url)["X-Page-Cache"], "MISS")  # its edition
        self.assertEqual(self.get("/fa/")["X-Page-Cache"], "HIT")  # the other edition

    def test_a_batch_bumps_the_chrome_once_and_skips_keys_of_pages_it_created(self):
        from unittest import mock

        from masthead.core.cache import chrome_version
        from masthead.pagecache.purge import batched, created_in_batch

        before = chrome_version()
        with mock.patch.object(store, "purge", wraps=store.purge) as purged:
            with batched():
                for page in (self.free, self.elsewhere):
                    ArticlePage.objects.get(pk=page.pk).save_revision().publish()
                created_in_batch([self.elsewhere.pk])  # as the importer's bulk writer says
                self.assertEqual(chrome_version(), before)  # not yet
                purged.assert_not_called()
        self.assertEqual(chrome_version(), before + 1)  # once for the batch
        [(surrogate_keys,), _kwargs] = purged.call_args
        self.assertIn(f"page-{self.free.pk}", surrogate_keys)
        self.assertNotIn(f"page-{self.elsewhere.pk}", surrogate_keys)  # nothing showed it yet
        self.assertIn("latest-en", surrogate_keys)


class PurgeReachesTheEdge(PageCacheTestCase):
    def test_publishing_sends_the_keys_to_the_edge(self):
        received = []

        class Edge(http.server.BaseHTTPRequestHandler):
            def do_PURGE(self):  # noqa: N802 - the method's name is the HTTP verb
                received.append((self.command, self.headers.get("xkey-purge", "")))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Edge)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            address = f"http://127.0.0.1:{server.server_port}/"
            with override_settings(
                PAGE_CACHE={**self.settings_page_cache(), "EDGE_PURGE_URLS": [address]}
            ):
                with self.captureOnCommitCallbacks(execute=True):
                    article = ArticlePage.objects.get(pk=self.free.pk)
                    article.title = "Harbour reopens again"
                    article.save_revision().publish()
        finally:
            server.shutdown()
            server.server_close()
        self.assertTrue(received)
        method, keys = received[-1]
        self.assertEqual(method, "PURGE")
        self.assertIn(f"page-{self.free.pk}", keys.split())
        self.assertIn("latest-en", keys.split())

    @staticmethod
    def settings_page_cache():
        from django.conf import settings

        return dict(settings.PAGE_CACHE)


@override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "renditions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.1, "SOCKET_TIMEOUT": 0.1},
        },
    }
)
class CacheDown(PageCacheTestCase):
    def setUp(self):
        caches["default"].clear()
        store.down_until = 0.0
        store.last_warning = 0.0

    def tearDown(self):
        store.down_until = 0.0

    def test_pages_are_served_uncached_and_the_outage_is_reported(self):
        with self.assertLogs("masthead.pagecache.store", "WARNING") as logs:
            for _ in range(2):
                response = self.get(self.free.url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["X-Page-Cache"], "MISS")
        self.assertIn("unreachable", logs.output[0])
        health = self.get("/healthz")
        self.assertEqual(health.status_code, 200)
        self.assertEqual(health.json()["page_cache"], "unreachable")


# As production has it: with REDIS_URL the default cache is Redis too, set to ignore its
# outages (every read answers nothing, every write is dropped), so when Redis goes away
# both stores go with it.
NOTHING_LISTENS = "redis://127.0.0.1:1/0"


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "masthead.core.redis_cache.OutageTolerantRedisCache",
            "LOCATION": NOTHING_LISTENS,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.1,
                "SOCKET_TIMEOUT": 0.1,
            },
        },
        "renditions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "template_fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": NOTHING_LISTENS,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.1, "SOCKET_TIMEOUT": 0.1},
        },
    }
)
class RedisDown(CacheDown):
    """Everything the shared caches held is gone: pages, the chrome's version, the menus."""

    def test_every_kind_of_page_is_served_and_the_health_check_says_why(self):
        urls = ["/", self.paper.economy.url, self.free.url, self.premium.url, "/fa/"]
        with self.assertLogs("masthead.pagecache.store", "WARNING"):
            for url in urls:
                response = self.get(url)
                self.assertEqual(response.status_code, 200, url)
                self.assertEqual(response["X-Page-Cache"], "MISS", url)
        self.assertNotContains(self.get(self.premium.url), SUBSCRIBERS_CANARY)
        health = self.get("/healthz").json()
        self.assertEqual((health["cache"], health["page_cache"]), ("degraded", "unreachable"))

    def test_an_edit_published_during_the_outage_shows_at_once(self):
        with self.assertLogs("masthead.pagecache.store", "WARNING"):
            self.assertContains(self.get(self.paper.economy.url), "Harbour reopens")
            self.free.title = "Harbour reopens to tankers"
            self.free.save_revision().publish()
            for url in (self.free.url, self.paper.economy.url, "/"):
                self.assertContains(self.get(url), "Harbour reopens to tankers")

    def test_a_subscriber_can_sign_in_and_reads_their_own_copy(self):
        with self.assertLogs("masthead.pagecache.store", "WARNING"):
            self.sign_in(self.subscriber)  # allauth's rate limit asks the cache for a lock
            self.assertContains(self.get(self.premium.url), SUBSCRIBERS_CANARY)
        self.client.logout()
        self.assertNotContains(self.get(self.premium.url), SUBSCRIBERS_CANARY)

    def test_search_stays_open(self):
        with self.assertLogs("masthead.pagecache.store", "WARNING"):
            for _ in range(3):  # its rate limit counts in the cache
                self.assertContains(self.get("/search/?q=harbour"), "Harbour reopens")
