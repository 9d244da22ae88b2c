"""Varnish with deploy/varnish/default.vcl in front of a backend, end to end.

Two backends. First a stand-in that keeps the page cache's contract (see
deploy/varnish/README.md) and nothing else: it renders for the entitlement class in the
`masthead_class` cookie, checks that cookie's signature, and sends the contract's headers;
each page says which class it was rendered for and how many times the backend rendered
it, so a test sees both whose object it got and whether the backend was asked at all.
It is plain WSGI, without Django's middleware, so the VCL's rules are what is tested.
Then the site itself, pytest-django's live server (which runs the page cache around Django
as masthead/wsgi.py does): a subscriber and a visitor each get their own copy of a premium
article, and publishing an edit purges the edge through the application's own PURGE.
"""

import datetime
import hashlib
import hmac
import http.client
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

pytestmark = pytest.mark.edge

VCL = Path(__file__).resolve().parents[2] / "deploy" / "varnish" / "default.vcl"
VARNISHD_MISSING = (
    "varnishd is not installed: the edge tests need Varnish and its modules. "
    "Install them with `apt-get install -y varnish varnish-modules` "
    '(or deselect these tests with -m "not edge").'
)
CACHEABLE = "public, max-age=0, s-maxage=300, stale-while-revalidate=30"

# ---- the stand-in backend -------------------------------------------------------------

RENDERS: Counter = Counter()  # (path, class) -> renders; the backend runs in this process
SEEN_COOKIES: dict[str, str] = {}  # path -> the Cookie header the backend last received
STAND_IN_KEY = b"edge-test"


def utc_day(days_ago: int = 0) -> str:
    moment = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days_ago)
    return moment.strftime("%Y%m%d")


def class_cookie(klass: str, day: str | None = None) -> str:
    value = f"{klass}.{day or utc_day()}"
    signature = hmac.new(STAND_IN_KEY, value.encode(), hashlib.sha256).hexdigest()[:20]
    return f"{value}.{signature}"


def class_of(cookie_header: str) -> str:
    """The class a signed cookie proves; anything else (absent, forged) is anonymous."""
    cookies = SimpleCookie()
    cookies.load(cookie_header)
    value = cookies["masthead_class"].value if "masthead_class" in cookies else ""
    klass, _, rest = value.partition(".")
    day, _, _signature = rest.partition(".")
    if klass in {"registered", "subscriber"} and hmac.compare_digest(
        class_cookie(klass, day), value
    ):
        return klass
    return "anonymous"


# First segment of the path -> (Cache-Control, sets a cookie)
KINDS = {
    "story": (CACHEABLE, False),
    "accounts": (CACHEABLE, False),  # a path the edge must pass with its cookies
    "private": ("private", False),
    "no-store": ("no-store", False),
    "no-shared-age": ("public, max-age=60", False),
    "sign-in": (CACHEABLE, True),
    "short": ("public, max-age=0, s-maxage=1", False),
    "no-vary": (CACHEABLE, False),  # a page whose Vary header got lost on the way
}


def stand_in(environ, start_response):
    path = environ["PATH_INFO"]
    kind, _, slug = path.strip("/").partition("/")
    if kind not in KINDS:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    cache_control, sets_cookie = KINDS[kind]
    cookie_header = environ.get("HTTP_COOKIE", "")
    klass = class_of(cookie_header)
    RENDERS[path, klass] += 1
    SEEN_COOKIES[path] = cookie_header
    query = environ.get("QUERY_STRING", "")
    method = environ["REQUEST_METHOD"]
    body = (
        f"<p>{slug} for {klass}, render {RENDERS[path, klass]}, "
        f"{method} {path}{'?' + query if query else ''}</p>"
    ).encode()
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", cache_control),
        ("Surrogate-Key", f"page-{slug} chrome-en"),
    ]
    if kind != "no-vary":
        headers.append(("Vary", "Cookie"))
    if sets_cookie:
        headers.append(("Set-Cookie", f"masthead_class={class_cookie('registered')}; HttpOnly"))
    start_response("200 OK", headers)
    return [body]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@contextmanager
def serving(application):
    """Serve a WSGI application on a free loopback port in a thread; yield (host, port)."""
    server = make_server(
        "127.0.0.1", 0, application, server_class=ThreadingWSGIServer, handler_class=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# ---- Varnish ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def vcl_for_backend(text: str, host: str, port: int) -> str:
    """The shipped VCL with its one backend pointed at host:port."""
    text, hosts = re.subn(r'\.host = "[^"]*";', f'.host = "{host}";', text, count=1)
    text, ports = re.subn(r'\.port = "[^"]*";', f'.port = "{port}";', text, count=1)
    assert hosts == ports == 1, "default.vcl must keep one `.host = ...;` and `.port = ...;`"
    return text


@contextmanager
def varnish(backend):
    """Run varnishd with the shipped VCL in front of backend (host, port); yield its address."""
    varnishd = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin:/sbin")
    if varnishd is None:
        pytest.fail(VARNISHD_MISSING, pytrace=False)
    # Varnish's workers drop to its own users: they must be able to read the copied VCL.
    workdir = Path(tempfile.mkdtemp(prefix="masthead-edge-"))
    workdir.chmod(0o755)
    vcl = workdir / "default.vcl"
    vcl.write_text(vcl_for_backend(VCL.read_text(), *backend))
    port = free_port()
    log_path = workdir / "varnishd.log"
    log = log_path.open("w")
    # A fixed argument list with paths made here: no shell, nothing from outside.
    process = subprocess.Popen(  # noqa: S603
        [varnishd, "-F", "-n", str(workdir / "instance"), "-a", f"127.0.0.1:{port}"]
        + ["-f", str(vcl), "-s", "malloc,64m"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"varnishd exited: {log_path.read_text()}", pytrace=False)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("varnishd did not listen within 30 s", pytrace=False)
                time.sleep(0.1)
        yield ("127.0.0.1", port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def edge():
    """Varnish in front of the stand-in backend."""
    with serving(stand_in) as backend, varnish(backend) as address:
        yield address


class Answer:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = response.headers
        self.body = response.read().decode()
        self.cache = response.headers.get("X-Edge-Cache")


def ask(edge, url, *, method="GET", cookies=None, headers=None, source=None, body=None):
    host, port = edge
    source_address = (source, 0) if source else None
    connection = http.client.HTTPConnection(host, port, timeout=10, source_address=source_address)
    headers = dict(headers or {})
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    try:
        connection.request(method, url, body=body, headers=headers)
        return Answer(connection.getresponse())
    finally:
        connection.close()


def subscriber_cookies(**extra):
    return {"masthead_class": class_cookie("subscriber"), **extra}


# ---- the tests -------------------------------------------------------------------------


def test_a_second_anonymous_get_is_an_edge_hit(edge):
    first = ask(edge, "/story/hit/")
    second = ask(edge, "/story/hit/")

    assert (first.status, first.cache) == (200, "MISS")
    assert (second.status, second.cache) == (200, "HIT")
    assert second.body == first.body == "<p>hit for anonymous, render 1, GET /story/hit/</p>"
    assert RENDERS["/story/hit/", "anonymous"] == 1
    # The keys are for purging, not for readers; the application's caching headers pass.
    assert "xkey" not in second.headers and "Surrogate-Key" not in second.headers
    assert second.headers["Cache-Control"] == CACHEABLE
    # A HEAD is answered from the same object.
    assert ask(edge, "/story/hit/", method="HEAD").cache == "HIT"


def test_a_reader_with_a_class_or_a_session_passes_and_never_gets_the_anonymous_object(edge):
    """The edge cannot check a class (signed, bound to the session): it keeps anonymous
    pages only, and sends every signed-in reader to the application's own cache."""
    anonymous = ask(edge, "/story/split/")
    subscriber = ask(edge, "/story/split/", cookies=subscriber_cookies(sessionid="s1"))
    registered = ask(edge, "/story/split/", cookies={"masthead_class": class_cookie("registered")})

    assert "for anonymous" in anonymous.body and anonymous.cache == "MISS"
    assert "for subscriber" in subscriber.body and subscriber.cache == "PASS"
    assert "for registered" in registered.body and registered.cache == "PASS"
    again = ask(edge, "/story/split/", cookies=subscriber_cookies(sessionid="s1", csrftoken="c"))
    assert (again.cache, "for subscriber" in again.body) == ("PASS", True)
    anonymous_again = ask(edge, "/story/split/", cookies={"csrftoken": "c", "_ga": "x"})
    assert (anonymous_again.cache, anonymous_again.body) == ("HIT", anonymous.body)


def test_a_class_passes_even_when_the_backend_sends_no_vary(edge):
    subscriber = ask(edge, "/no-vary/split/", cookies=subscriber_cookies())
    anonymous = ask(edge, "/no-vary/split/")
    again = ask(edge, "/no-vary/split/", cookies=subscriber_cookies())

    assert (subscriber.cache, "for subscriber" in subscriber.body) == ("PASS", True)
    assert (anonymous.cache, "for anonymous" in anonymous.body) == ("MISS", True)
    assert (again.cache, "for subscriber" in again.body) == ("PASS", True)


def test_an_anonymous_cacheable_request_reaches_the_backend_without_cookies(edge):
    ask(edge, "/story/cookies/", cookies={"csrftoken": "c", "_ga": "x"})

    assert not SEEN_COOKIES["/story/cookies/"]


def test_a_forged_class_passes_and_never_gets_the_subscriber_object(edge):
    ask(edge, "/story/forged/", cookies=subscriber_cookies())
    today = utc_day()
    forgeries = [f"subscriber.{today}.{'0' * 20}", "subscriber", class_cookie("subscriber") + "x"]
    for forged in forgeries:
        answer = ask(edge, "/story/forged/", cookies={"masthead_class": forged})
        assert "for subscriber" not in answer.body, forged
        assert answer.cache == "PASS", forged


def test_a_purge_drops_exactly_the_objects_carrying_its_key(edge):
    for url in ("/story/purged/", "/story/kept/"):
        ask(edge, url)
    assert ask(edge, "/story/purged/").cache == "HIT"

    purge = ask(edge, "/", method="PURGE", headers={"xkey-purge": "page-purged page-unknown"})

    assert purge.status == 200
    assert "Purged 1 objects" in purge.body
    assert ask(edge, "/story/purged/").cache == "MISS"
    assert ask(edge, "/story/kept/").cache == "HIT"


def test_a_shared_key_purges_every_page_that_carries_it(edge):
    ask(edge, "/story/chrome-a/")
    ask(edge, "/story/chrome-b/")

    purge = ask(edge, "/", method="PURGE", headers={"xkey-purge": "chrome-en"})

    assert purge.status == 200
    assert ask(edge, "/story/chrome-a/").cache == "MISS"
    assert ask(edge, "/story/chrome-b/").cache == "MISS"


def test_a_purge_is_refused_from_another_address_or_without_keys(edge):
    ask(edge, "/story/guarded/")

    # 127.0.0.2 is loopback too, but not in the purgers' ACL: it stands for any other host.
    foreign = ask(
        edge, "/", method="PURGE", headers={"xkey-purge": "page-guarded"}, source="127.0.0.2"
    )
    keyless = ask(edge, "/", method="PURGE")

    assert foreign.status == 405
    assert keyless.status == 400
    assert ask(edge, "/story/guarded/").cache == "HIT"


def test_a_post_passes_with_its_cookies(edge):
    cookies = subscriber_cookies(sessionid="s1", csrftoken="c")
    first = ask(edge, "/story/post/", method="POST", cookies=cookies, body=b"a=1")
    second = ask(edge, "/story/post/", method="POST", cookies=cookies, body=b"a=1")

    assert (first.cache, second.cache) == ("PASS", "PASS")
    assert "render 2, POST" in second.body
    assert "sessionid=s1" in SEEN_COOKIES["/story/post/"]


@pytest.mark.parametrize(
    ("url", "cookies"),
    [
        ("/story/signed-in/", {"sessionid": "s1"}),  # signed in, class not yet known
        ("/story/flash/", {"messages": "m", "masthead_class": "x"}),  # a flash message
        ("/story/query-utm/?utm_source=x", {}),  # any query but a page number
        ("/story/query-mixed/?page=2&q=x", {}),
        ("/accounts/edge/", {"masthead_class": "x", "sessionid": "s1"}),  # personal paths
        ("/story/big-page/?page=12345", {}),  # not a page number the application caches
        # Signed in with a class the application no longer honours: only Django, seeing
        # the session, can write a new one.
        ("/story/old-class/", {"sessionid": "s1", "masthead_class": "subscriber.19700101.x"}),
        ("/story/class/", {"masthead_class": "subscriber.19700101.x"}),  # any class at all
    ],
)
def test_ineligible_requests_pass_with_their_cookies(edge, url, cookies):
    first = ask(edge, url, cookies=cookies)
    second = ask(edge, url, cookies=cookies)

    assert (first.cache, second.cache) == ("PASS", "PASS")
    assert "render 2" in second.body
    path = url.split("?")[0]
    assert SEEN_COOKIES[path] == "; ".join(f"{k}={v}" for k, v in cookies.items())


def test_a_page_number_is_cached_per_page(edge):
    ask(edge, "/story/pages/?page=2")

    assert ask(edge, "/story/pages/?page=2").cache == "HIT"
    assert ask(edge, "/story/pages/?page=3").cache == "MISS"
    assert "GET /story/pages/?page=3" in ask(edge, "/story/pages/?page=3").body


@pytest.mark.parametrize("kind", ["private", "no-store", "no-shared-age", "sign-in"])
def test_personal_or_unmarked_answers_are_never_stored(edge, kind):
    url = f"/{kind}/edge/"
    first = ask(edge, url)
    second = ask(edge, url)

    assert (first.cache, second.cache) == ("MISS", "MISS")
    assert "render 2" in second.body
    if kind == "sign-in":
        assert "masthead_class=" in second.headers["Set-Cookie"]


def test_the_object_lives_for_s_maxage(edge):
    assert ask(edge, "/short/edge/").cache == "MISS"
    assert ask(edge, "/short/edge/").cache == "HIT"
    time.sleep(2.2)  # s-maxage=1 and no stale-while-revalidate: no grace either

    assert ask(edge, "/short/edge/").cache == "MISS"


# ---- the site itself behind the edge ---------------------------------------------------


@pytest.fixture(scope="module")
def site_edge(live_server):
    """Varnish in front of the live server, which runs the page cache around Django as
    masthead/wsgi.py does (see the project's conftest.py)."""
    host, port = re.match(r"http://([^:/]+):(\d+)", live_server.url).groups()
    with varnish(("127.0.0.1" if host == "localhost" else host, int(port))) as address:
        yield address


@pytest.fixture
def site(transactional_db, site_edge, settings):
    """A small paper with a premium article, a subscriber, and the edge told of purges."""
    from django.core.cache import caches
    from django.test import Client
    from wagtail.models import Site

    from masthead.content.models import AccessLevel
    from masthead.content.tests.factories import make_article, make_paper
    from masthead.subscriptions.models import PaywallSettings
    from masthead.subscriptions.tests.factories import (
        make_plan,
        make_reader,
        make_subscription,
    )
    from masthead.subscriptions.tests.test_leaks import SUBSCRIBERS_CANARY, premium_body

    host, port = site_edge
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "EDGE_PURGE_URLS": [f"http://{host}:{port}/"]}
    for alias in ("default", "pages"):
        caches[alias].clear()
    # The previous test's pages had the same addresses; every page carries the `site` key.
    assert ask(site_edge, "/", method="PURGE", headers={"xkey-purge": "site"}).status == 200

    paper = make_paper()
    premium = make_article(
        paper.economy, "Harbour contract terms", access_level=AccessLevel.SUBSCRIBERS
    )
    premium.body = premium_body(SUBSCRIBERS_CANARY)
    premium.save_revision().publish()
    PaywallSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"meter_anonymous": 0, "meter_registered": 0},
    )
    subscriber = make_reader("subscriber")
    make_subscription(subscriber, make_plan())
    client = Client()
    client.force_login(subscriber)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    # The reader-state call every page makes is where a signed-in reader gets their class.
    state = ask(site_edge, "/reader/state/", cookies={settings.SESSION_COOKIE_NAME: session})
    jar = SimpleCookie()
    for header in state.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    assert "masthead_class" in jar, state.headers
    subscriber_cookies = {
        settings.SESSION_COOKIE_NAME: session,
        "masthead_class": jar["masthead_class"].value,
    }
    return paper, premium, subscriber_cookies, SUBSCRIBERS_CANARY


def test_the_site_serves_each_class_its_own_copy_through_the_edge(site, site_edge):
    _paper, premium, subscriber, canary = site
    url = premium.url

    visitor = ask(site_edge, url)
    visitor_again = ask(site_edge, url)
    reader = ask(site_edge, url, cookies=subscriber)
    reader_again = ask(site_edge, url, cookies=subscriber)
    visitor_last = ask(site_edge, url)

    assert visitor.status == reader.status == 200
    assert canary not in visitor.body and canary in reader.body
    assert (visitor.cache, visitor_again.cache, visitor_again.body) == ("MISS", "HIT", visitor.body)
    # A signed-in reader passes the edge (it cannot check their class) and gets the
    # application's shared copy for their class.
    assert (reader.cache, reader_again.cache, reader_again.body) == ("PASS", "PASS", reader.body)
    assert reader_again.headers["X-Page-Cache"] == "HIT"
    assert (visitor_last.cache, canary in visitor_last.body) == ("HIT", False)
    assert "Surrogate-Key" not in reader_again.headers
    # A forged class never opens the story, alone or beside somebody's (unentitled) session.
    value = subscriber["masthead_class"]
    for forged in (value[:-2] + "xx", value.rsplit(".", 1)[0], "subscriber"):
        for cookies in ({"masthead_class": forged}, {"masthead_class": forged, "sessionid": "x"}):
            answer = ask(site_edge, url, cookies=cookies)
            assert answer.status == 200 and canary not in answer.body, (forged, cookies)


def test_publishing_an_edit_purges_the_edge_at_once(site, site_edge):
    paper, premium, subscriber, _canary = site
    pages = [premium.url, paper.economy.url, paper.home.url]
    for url in pages:
        ask(site_edge, url)
        ask(site_edge, url, cookies=subscriber)
        assert ask(site_edge, url).cache == "HIT", url

    premium.title = "Harbour contract terms revised"
    premium.save_revision().publish()  # the application PURGEs its keys at the edge

    for url in pages:
        for cookies, edge in ((None, "MISS"), (subscriber, "PASS")):
            answer = ask(site_edge, url, cookies=cookies)
            assert answer.cache == edge, (url, cookies)
            assert answer.headers["X-Page-Cache"] == "MISS", (url, cookies)  # purged there too
            assert "Harbour contract terms revised" in answer.body, (url, cookies)
