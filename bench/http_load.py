"""Measure the site over HTTP in its production configuration, against nginx's static limit.

Run with `make bench`. On loopback only, and in one run on the same machine:

1. nginx serving the benchmarked article's HTML, saved to disk (the physical limit);
2. the article from the page cache behind granian, for a visitor and for the demo
   subscriber (signed in, with the class cookie the site gives them);
3. the front page and the article's section page, cached;
4. the article rendered uncached (MASTHEAD_PAGE_CACHE=0), and the queries and time of
   one render, measured in-process;
5. the article through Varnish with deploy/varnish/default.vcl, for both readers.

Each is the best of BENCH_ROUNDS (2) `wrk -t2 -c16 -d<BENCH_SECONDS>s --latency` runs; the
uncached render is one run of at least 30 s with one connection (its own time, not a
queue's). The static baseline is measured first and last and the better run is the
reference: the machine's other load moves it. The article through Varnish for a visitor
is measured in BENCH_EDGE_PAIRS (3) runs, each right after a run of nginx, and its share
is the median of the pairs' ratios: the two are close, and the machine drifts. The table
gives requests per second, p50 and p99 latency, the ratio to the static baseline and the
issue's target (#8), and the peak memory of the application server, granian and its
workers together, sampled under load: PSS (each page counted once, however many processes
map it), with the summed VmRSS (which counts the interpreter and libraries once per
worker) beside it.

The site is the production settings module (DEBUG off, hashed and compressed static files,
Redis at redis://127.0.0.1:6379/13, which is flushed) with an SQLite database under
var/bench-http/ (BENCH_DIR) holding the demo paper plus generated articles up to
BENCH_ARTICLES (100,000): copies of the demo's articles spread over 1970 to now, written
with the importer's bulk writer and left out of the search index, which this bench does
not use. The database is reused while it holds enough articles.
Needs `nginx`, `wrk`, `varnish` and `varnish-modules` (Debian packages) and a Redis server.
Nothing is asserted: the figures belong in the README.

Settings: BENCH_SECONDS (10), BENCH_ROUNDS (2), BENCH_EDGE_PAIRS (3), BENCH_CONNECTIONS
(16), BENCH_WORKERS (the CPU count), BENCH_ARTICLES, BENCH_DIR; BENCH_DATABASE_URL to use
PostgreSQL, not SQLite.
"""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent

import datetime  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from contextlib import ExitStack, contextmanager  # noqa: E402
from http.cookies import SimpleCookie  # noqa: E402

import calibration  # noqa: E402  (bench/, beside this file)
from processes import MemoryPeak, process_tree  # noqa: E402  (bench/, too)

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("BENCH_DIR") or ROOT / "var" / "bench-http")
ARTICLES = int(os.environ.get("BENCH_ARTICLES", "100000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
EDGE_PAIRS = int(os.environ.get("BENCH_EDGE_PAIRS", "3"))
WORKERS = int(os.environ.get("BENCH_WORKERS") or os.cpu_count() or 1)
REDIS_URL = "redis://127.0.0.1:6379/13"
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
# The parameters deploy/varnish/README.md gives for a small machine: one thread pool, and
# no headers (cookies among them) in the shared log; read from there, so both agree.
EDGE_PARAMETERS = re.search(
    r"^varnishd .*?((?:-p \S+ ?)+)", (VCL.parent / "README.md").read_text(), re.MULTILINE
)[1].split()
HOST = "127.0.0.1"
BATCH = 2000  # articles per add_pages() call while filling

# The production configuration, on loopback, over plain HTTP.
os.environ.update(
    DJANGO_SETTINGS_MODULE="masthead.settings.production",
    SECRET_KEY=os.environ.get("BENCH_SECRET_KEY", "bench-http-only-" + "x" * 40),
    ALLOWED_HOSTS=HOST,
    SECURE_SSL_REDIRECT="0",
    REDIS_URL=REDIS_URL,
    MASTHEAD_VAR_DIR=str(WORK),
    STATIC_ROOT=str(WORK / "static"),
    MEDIA_ROOT=str(WORK / "media"),
)
os.environ.pop("MASTHEAD_PAGE_CACHE", None)
os.environ.pop("MASTHEAD_EDGE_PURGE_URLS", None)
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
else:
    os.environ.pop("DATABASE_URL", None)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

# ---- the database ----------------------------------------------------------------------


def prepare_site() -> None:
    """Migrate, load the demo paper and its readers, fill up to ARTICLES, collect static."""
    from masthead.content.models import ArticlePage

    WORK.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    if not ArticlePage.objects.exists():
        call_command("load_demo", verbosity=0)
    call_command("ensure_demo_readers", verbosity=0)
    fill(ARTICLES)
    # Planner statistics for the filled tables (migrate gathered them while they were
    # nearly empty): without them SQLite reads a whole section for the related articles,
    # and an uncached article took 0.7 s instead of 0.03.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    call_command("collectstatic", interactive=False, verbosity=0)


def fill(target: int) -> None:
    """Add copies of the demo's articles, under their sections, until there are `target`."""
    from django.conf import settings
    from wagtail.signals import page_published, published

    from masthead.content.models import ArticleAuthor, ArticlePage
    from masthead.wordpress.bulk import add_pages

    have = ArticlePage.objects.count()
    if have >= target:
        print(f"database: {have} articles (reused)")
        return
    models = list(
        ArticlePage.objects.live()
        .exclude(title__regex=r" #[0-9]+$")  # the demo's own articles, not earlier copies
        .prefetch_related("bylines")
        .order_by("pk")
    )
    sections = {page.pk: page.get_parent().specific for page in models}
    dates = random.Random(8)  # noqa: S311 - spreads publication dates, not a secret
    first_day = datetime.datetime(1970, 1, 9, 15, tzinfo=datetime.UTC)
    span = (datetime.datetime.now(datetime.UTC) - first_day).total_seconds() - 2 * 86400
    # The search index is not this bench's business: skip writing it.
    no_index = {
        alias: {**config, "AUTO_UPDATE": False}
        for alias, config in settings.WAGTAILSEARCH_BACKENDS.items()
    }
    started = time.monotonic()
    number = have
    print(f"database: {have} articles; adding {target - have} (a minute or few) ...", flush=True)
    with override_settings(WAGTAILSEARCH_BACKENDS=no_index), muted(page_published, published):
        while number < target:
            batch = {}
            for _ in range(min(BATCH, target - number)):
                number += 1
                model = models[number % len(models)]
                when = first_day + datetime.timedelta(seconds=dates.uniform(0, span))
                copy = ArticlePage(
                    title=f"{model.title} #{number}",
                    slug=f"{model.slug[:60]}-{number}",
                    standfirst=model.standfirst,
                    body=list(model.body.raw_data),
                    lead_image_id=model.lead_image_id,
                    lead_image_caption=model.lead_image_caption,
                    access_level=model.access_level,
                    locale_id=model.locale_id,
                    first_published_at=when,
                    bylines=[
                        ArticleAuthor(author_id=b.author_id, sort_order=b.sort_order)
                        for b in model.bylines.all()
                    ],
                )
                # One add_pages() call per section: the bigger the group, the fewer queries.
                batch.setdefault(sections[model.pk], []).append(copy)
            for section, pages in batch.items():
                add_pages(section, pages, clean=False)
            rate = (number - have) / (time.monotonic() - started)
            print(f"  {number} articles ({rate:.0f}/s)", flush=True)


@contextmanager
def muted(*signals):
    """Silence signals' receivers in the block: the search rows and cache purges that follow
    a publication are not wanted for pages written before the bench starts (its caches are
    emptied before measuring)."""
    saved = [each.receivers for each in signals]
    for each in signals:
        each.receivers = []
        each.sender_receivers_cache.clear()
    try:
        yield
    finally:
        for each, receivers in zip(signals, saved, strict=True):
            each.receivers = receivers
            each.sender_receivers_cache.clear()


# ---- processes -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[0]} exited with {process.returncode} before {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback http only
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answered at {url} within {seconds:.0f} s")


@contextmanager
def child(command: list[str], log: Path, *, env=None, cwd=None):
    """Run a process of ours; when the block ends stop it and the processes it started
    (granian's and nginx's workers, varnishd's child), each by its id."""
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - fixed commands built here, no shell
            command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=cwd
        )
        try:
            yield process
        finally:
            family = process_tree(process.pid)[1:]
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=15)
            # A worker stuck in a request outlives its master's SIGTERM; it is ours to end.
            deadline = time.monotonic() + 5
            while family and time.monotonic() < deadline:
                family = [pid for pid in family if Path(f"/proc/{pid}").exists()]
                time.sleep(0.1)
            for pid in family:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


@contextmanager
def granian(*, cached: bool):
    port = free_port()
    env = {**os.environ, "MASTHEAD_PAGE_CACHE": "1" if cached else "0"}
    command = [  # the README's production command
        sys.executable,
        "-m",
        "masthead.serve",
        "--workers",
        str(WORKERS),
        "--host",
        HOST,
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    name = "cached" if cached else "uncached"
    with child(command, WORK / f"granian-{name}.log", env=env, cwd=ROOT) as process:
        wait_for(f"http://{HOST}:{port}/healthz", process)
        yield process, f"http://{HOST}:{port}"


@contextmanager
def nginx(html: str):
    root = WORK / "nginx"
    shutil.rmtree(root, ignore_errors=True)
    (root / "html").mkdir(parents=True)
    (root / "tmp").mkdir()
    (root / "html" / "article.html").write_text(html)
    # nginx's workers run as nobody: they must be able to read the page.
    for path in (root, root / "html"):
        path.chmod(0o755)
    (root / "html" / "article.html").chmod(0o644)
    port = free_port()
    temp = " ".join(
        f"{kind}_temp_path tmp/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi")
    )
    (root / "nginx.conf").write_text(
        f"""worker_processes auto;
pid nginx.pid;
error_log error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type text/html;
    {temp} scgi_temp_path tmp/scgi;
    server {{
        listen {HOST}:{port};
        root html;
    }}
}}
"""
    )
    command = [nginx_binary(), "-p", str(root), "-c", str(root / "nginx.conf")]
    with child([*command, "-g", "daemon off;"], root / "stdout.log") as process:
        url = f"http://{HOST}:{port}/article.html"
        wait_for(url, process, seconds=20)
        yield url


@contextmanager
def varnish(backend: str):
    """Varnish with the shipped VCL, its backend pointed at `backend` (http://host:port)."""
    host, port = backend.removeprefix("http://").split(":")
    text = VCL.read_text()
    text = re.sub(r'\.host = "[^"]*";', f'.host = "{host}";', text, count=1)
    text = re.sub(r'\.port = "[^"]*";', f'.port = "{port}";', text, count=1)
    # Varnish's compiler and workers drop to its own users: give them a readable copy.
    workdir = Path(tempfile.mkdtemp(prefix="masthead-bench-varnish-"))
    workdir.chmod(0o755)
    (workdir / "default.vcl").write_text(text)
    listen = free_port()
    command = [binary("varnishd"), "-F", "-n", str(workdir / "instance")]
    command += ["-a", f"{HOST}:{listen}", "-f", str(workdir / "default.vcl"), "-s", "malloc,256m"]
    command += EDGE_PARAMETERS
    try:
        with child(command, WORK / "varnishd.log") as process:
            wait_for(f"http://{HOST}:{listen}/healthz", process, seconds=30)
            yield f"http://{HOST}:{listen}"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        raise SystemExit(
            f"{name} is not installed. Install the bench's tools with "
            "`apt-get install -y nginx wrk varnish varnish-modules`."
        )
    return found


def nginx_binary() -> str:
    return binary("nginx")


# ---- measuring -------------------------------------------------------------------------


def fetch(url: str, cookies: dict[str, str] | None = None):
    """GET url; return (status, headers, body)."""
    request = urllib.request.Request(url)  # noqa: S310 - loopback http only
    if cookies:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        # A first render of a page with 100,000 articles on a busy machine may take a while.
        with urllib.request.urlopen(request, timeout=180) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def measure(url: str, cookies=None, *, connections=CONNECTIONS, rounds=None, slow=False):
    """The best of BENCH_ROUNDS wrk runs: what the machine can do when the neighbours let it.

    A `slow` page (an uncached render) gets at least 30 s and a 60 s timeout per request
    (wrk's default is 2 s), so that its latency is measured rather than dropped.
    """
    seconds, timeout = (max(SECONDS, 30), 60) if slow else (SECONDS, 10)
    runs = [wrk(url, cookies, connections, seconds, timeout) for _ in range(rounds or ROUNDS)]
    return max(runs, key=lambda figures: figures["rps"])


def alternating(url: str, static_url: str, pairs: int = EDGE_PAIRS) -> dict:
    """The edge against nginx, run for run: the best of `pairs` runs of `url`, each right
    after a run of the static page, and the median of the pairs' ratios as its share.

    Varnish and nginx both answer near what wrk itself can ask for on two cores, and the
    machine's speed drifts between runs by more than the margin at stake (Varnish read
    72% to 93% of nginx in consecutive pairs here): a ratio of two runs minutes apart
    measured the drift as much as the edge.
    """
    runs = []
    for _ in range(pairs):
        static = measure(static_url, rounds=1)
        edge = measure(url, rounds=1)
        runs.append((edge, edge["rps"] / static["rps"]))
    best = max((edge for edge, _share in runs), key=lambda figures: figures["rps"])
    shares = [share for _edge, share in runs]
    return {**best, "share": statistics.median(shares), "shares": shares}


def wrk(url: str, cookies, connections: int, seconds: int, timeout: int) -> dict:
    """One wrk run: requests/s, p50 and p99 in ms, answers, non-2xx answers and timeouts."""
    threads = min(2, connections)  # wrk wants a connection per thread at least
    command = [binary("wrk"), f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    command += [f"--timeout={timeout}s"]
    if cookies:
        command += ["-H", "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())]
    output = subprocess.run(  # noqa: S603 - fixed command, loopback URL
        [*command, "--latency", url],
        capture_output=True,
        text=True,
        timeout=seconds + timeout + 30,
        check=True,
    ).stdout

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        return float(match[1]) * UNITS[match[2]]

    def count(pattern: str) -> int:
        match = re.search(pattern, output)
        return int(match[1]) if match else 0

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50": latency("50"),
        "p99": latency("99"),
        "answers": count(r"(\d+) requests in"),
        "errors": count(r"Non-2xx or 3xx responses: (\d+)"),
        "timeouts": count(r"Socket errors: .*timeout (\d+)"),
    }


def warm(url: str, cookies=None, header: str | None = None) -> str:
    """Ask twice (the first may fill a cache); check a 200 and return `header`'s value."""
    fetch(url, cookies)
    status, headers, _body = fetch(url, cookies)
    if status != 200:
        raise SystemExit(f"{url} answered {status}, not 200")
    return headers.get(header, "-") if header else ""


# ---- the run ---------------------------------------------------------------------------


def pages() -> dict[str, str]:
    from masthead.content.models import ArticlePage

    # The demo's reference story (the bench's copies of it come later, with higher ids).
    live = ArticlePage.objects.live().order_by("pk")
    article = (
        live.filter(slug__contains="diplomat-defects").first()
        or live.filter(locale__language_code="en").first()
    )

    def path(page) -> str:
        return re.sub(r"^https?://[^/]+", "", page.url)

    return {"article": path(article), "section": path(article.get_parent()), "home": "/"}


def uncached_queries(url: str) -> tuple[int, float]:
    """Queries and time of one uncached render, as the server runs it (warm caches)."""
    from django.conf import settings

    from masthead.wsgi import application

    def render() -> int:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": url,
            "QUERY_STRING": "",
            "SERVER_NAME": HOST,
            "SERVER_PORT": "80",
            "HTTP_HOST": HOST,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        statuses = []
        body = application(environ, lambda status, headers, exc=None: statuses.append(status))
        b"".join(body)
        getattr(body, "close", lambda: None)()
        return int(statuses[0].split()[0])

    with override_settings(PAGE_CACHE={**settings.PAGE_CACHE, "ENABLED": False}):
        render()  # the first render fills the chrome and rendition caches
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            status = render()
            elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        raise SystemExit(f"{url} rendered {status} in-process")
    return len(queries), elapsed


def subscriber_cookies(base: str) -> dict[str, str]:
    """The demo subscriber's session, made in-process, and the class cookie the site sets."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.get(username="subscriber")
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    _status, headers, _body = fetch(f"{base}/reader/state/", cookies)
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    if "masthead_class" in jar:
        cookies["masthead_class"] = jar["masthead_class"].value
    else:
        print("warning: the site set no masthead_class cookie; subscriber runs uncached")
    return cookies


def machine() -> str:
    cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    memory = re.search(r"^MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text(), re.MULTILINE)
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs ({cpu[1] if cpu else 'unknown'}), "
        f"{int(memory[1]) // 1024} MiB RAM, load average {load[0]:.2f} before the run; "
        f"{calibration.describe()}"
    )


def main() -> None:
    from django.core.cache import caches

    try:
        socket.create_connection((HOST, 6379), timeout=2).close()
    except OSError:
        raise SystemExit(
            f"No Redis at {REDIS_URL}: the production page cache lives there. "
            "Install and start it (`apt-get install -y redis-server`)."
        ) from None
    prepare_site()
    for alias in ("default", "pages"):
        caches[alias].clear()  # Redis database 13: last run's pages and purges
    urls = pages()
    queries, render_ms = uncached_queries(urls["article"])
    from masthead.content.models import ArticlePage

    articles = ArticlePage.objects.count()
    print(f"machine: {machine()}")
    print(
        f"site: production settings, {connection.vendor}, {articles} articles; granian "
        f"--workers {WORKERS}; wrk -t2 -c{CONNECTIONS} -d{SECONDS}s, best of {ROUNDS}; "
        f"article {urls['article']}"
    )
    results = []  # (label, figures)
    memory = {}

    with ExitStack() as running:
        server, base = running.enter_context(granian(cached=True))
        subscriber = subscriber_cookies(base)
        static_url = running.enter_context(nginx(fetch(base + urls["article"])[2].decode()))
        warm(static_url)
        # The limit is measured first and last: the machine's other load moves it.
        statics = [measure(static_url)]
        results.append(("static: nginx, the article's HTML, first", statics[0]))
        peak = MemoryPeak(server.pid)
        with peak.sampling():
            runs = [
                ("article, visitor", urls["article"], None),
                ("article, subscriber", urls["article"], subscriber),
                ("home page, visitor", urls["home"], None),
                ("section page, visitor", urls["section"], None),
            ]
            for label, url, cookies in runs:
                print(f"  {label} ...", flush=True)
                state = warm(base + url, cookies, "X-Page-Cache")
                results.append((f"{label} (page cache {state})", measure(base + url, cookies)))
        memory["cached"] = peak
        with varnish(base) as edge:
            for label, cookies in (("visitor", None), ("subscriber", subscriber)):
                state = warm(edge + urls["article"], cookies, "X-Edge-Cache")
                if cookies:
                    figures = measure(edge + urls["article"], cookies)
                else:
                    figures = alternating(edge + urls["article"], static_url)
                results.append((f"article via Varnish, {label} ({state})", figures))
        server.terminate()  # the uncached server gets the machine to itself
        server.wait(timeout=15)

        with granian(cached=False) as (server, base):
            peak = MemoryPeak(server.pid)
            with peak.sampling():
                state = warm(base + urls["article"], None, "X-Page-Cache")
                # One connection: the render's own time, over HTTP. With more, the latency is
                # a queue's: granian may hand two connections to one worker (measured: p50
                # 24 ms at one connection, 51 at two, the same 37 renders a second), and at
                # 16 it would be 16 / workers renders; WSGI cannot drop the requests wrk
                # abandons either, so nothing after such a run is clean.
                figures = measure(base + urls["article"], connections=1, rounds=1, slow=True)
                results.append((f"article uncached ({state}), 1 connection", figures))
            memory["uncached"] = peak

        statics.append(measure(static_url))
        results.append(("static: nginx, the article's HTML, last", statics[1]))

    static = max(statics, key=lambda figures: figures["rps"])
    report(results, static, queries, render_ms, memory)


def report(results, static, queries, render_ms, memory) -> None:
    by_label = {label.split(" (")[0]: figures for label, figures in results}
    anonymous = by_label["article, visitor"]["rps"]

    def target(label: str, figures: dict) -> str:
        share = figures.get("share", figures["rps"] / static["rps"])
        if label.startswith("static"):
            return ""
        if not figures["answers"]:
            return verdict(False, "no answer within wrk's timeout")
        if label.startswith("article via Varnish, subscriber"):
            # Signed-in readers pass the edge (it cannot check their class cookie's
            # signature) to the application's own cache: no target of its own.
            return "passed to the page cache"
        if label.startswith("article via Varnish"):
            return verdict(share >= 0.80, "≥ 80% of static")
        if label.startswith("article uncached"):
            return verdict(figures["p50"] < 30, "p50 < 30 ms")
        text = verdict(share >= 0.25 and figures["p99"] < 50, "≥ 25% of static, p99 < 50 ms")
        if label.startswith("article, subscriber"):
            text += "; " + verdict(
                figures["rps"] >= 0.8 * anonymous,
                f"≥ 80% of visitor ({figures['rps'] / anonymous:.0%})",
            )
        return text

    print()
    print(f"static baseline for the ratios: the better nginx run, {static['rps']:.0f} req/s")
    print(f"{'':44} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'static':>7}  target")
    for label, figures in results:
        share = figures.get("share", figures["rps"] / static["rps"])
        trouble = [f"{figures[kind]} {kind}" for kind in ("errors", "timeouts") if figures[kind]]
        trouble = f"  ({', '.join(trouble)}!)" if trouble else ""
        digits = 0 if figures["rps"] >= 10 else 1  # an uncached render may be below 1/s
        print(
            f"{label:44} {figures['rps']:9.{digits}f} {figures['p50']:8.2f} "
            f"{figures['p99']:8.2f} {share:7.1%}  {target(label, figures)}{trouble}"
        )
    for label, figures in results:
        if "shares" in figures:
            pairs = ", ".join(f"{share:.1%}" for share in figures["shares"])
            print(
                f"{label.split(' (')[0]}: its share is the median of {len(figures['shares'])} "
                f"runs, each against the nginx run just before it ({pairs})"
            )
    print(
        f"one uncached article render, in-process: {queries} queries, {render_ms:.1f} ms  "
        + verdict(queries <= 15, "≤ 15 queries")
    )
    # "Together": each page of memory counted once, however many of the processes map it
    # (PSS). Summed VmRSS counts the interpreter and libraries once per worker; shown too.
    for phase, peak in memory.items():
        together = peak.peak_pss / 2**20
        print(
            f"application server, {phase}: peak {together:.0f} MiB together (PSS) over "
            f"{peak.processes} processes; summed VmRSS {peak.peak / 2**20:.0f} MiB  "
            + verdict(together < 300, "< 300 MiB together")
        )


def verdict(met: bool, text: str) -> str:
    return f"{'met' if met else 'MISSED'}: {text}"


if __name__ == "__main__":
    main()
