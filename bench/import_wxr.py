"""Measure the WordPress import at archive scale: articles per second and peak memory.

Run with `make bench-import`. It writes a realistic WXR 1.2 export of BENCH_POSTS posts
(100,000 by default) under var/bench-import/ (kept and reused while BENCH_POSTS and the
generator are unchanged), builds a fresh SQLite site there (both editions' front pages,
nothing else), then times `manage.py import_wordpress` on the export in a child process
and prints the articles per second, the peak memory of the import's processes together
(the writer and its reading worker, sampled: PSS, with the writer's own ru_maxrss) and the
file's size, using the production settings (DEBUG off) unless DJANGO_SETTINGS_MODULE says
otherwise. It also prints the writing process's CPU seconds apart from its reading
worker's: the writer is the one the two cores wait for. A run is given up after
BENCH_TIMEOUT seconds (1200 by default); the articles written by then are counted.
REDIS_URL, if set, is passed on: the page cache then lives in Redis, as in production,
rather than in files (see masthead/wordpress/README.md for what that changes).

The posts are half English, half Persian, 300 to 1,500 words each, in a dozen categories
two levels deep, with tags, a few threaded comments each (some held for moderation, some
spam), and now and then a [caption] image, a YouTube or X address on its own line, a
Gutenberg block comment, classic-editor text without <p>, a shortcode nobody knows, a
JNews Paywall premium flag, a draft or a scheduled post. No media folder is passed, so
every image becomes a marked gap, as a site moved without its uploads would show.

BENCH_BATCH=N passes --batch-size N, BENCH_NO_WORKER=1 --no-worker. BENCH_DIR=DIR puts
the export and the site in DIR instead of var/bench-import/.
BENCH_PROFILE=FILE runs the import under cProfile and writes the statistics to FILE
(inspect them with `python -m pstats FILE`); the timing then includes the profiler's cost.
Nothing is asserted: the figures belong in masthead/wordpress/README.md.
"""

import datetime  # noqa: E402
import json
import os
import random  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from xml.sax.saxutils import escape  # noqa: E402

import calibration  # noqa: E402  (bench/, beside this file)
from processes import MemoryPeak  # noqa: E402  (bench/, too)

ROOT = Path(__file__).resolve().parent.parent
POSTS = int(os.environ.get("BENCH_POSTS", "100000"))
TIMEOUT = int(os.environ.get("BENCH_TIMEOUT", "1200"))
PROFILE = os.environ.get("BENCH_PROFILE", "")
BATCH = os.environ.get("BENCH_BATCH", "")  # --batch-size; the command's default if unset
WORK = Path(os.environ.get("BENCH_DIR") or ROOT / "var" / "bench-import")  # export and site
GENERATOR_VERSION = 1  # bump when the generated export changes, so old files are remade
SITE = "https://paper.example"

# A fixed vocabulary per language keeps the generator free of any other module; the
# shapes (word lengths, punctuation, Persian's joiners) are what the indexer cares about.
ENGLISH = (
    "the of and to in a is that for on was with as by at from it an be this are has have "
    "government minister parliament election budget oil prices tehran economy inflation "
    "currency rial sanctions talks nuclear agreement president court judge protest students "
    "university women rights press freedom newspaper editor reporter interview statement "
    "spokesman ministry foreign affairs washington europe exports imports bank central "
    "market shares traders wheat harvest drought water rivers dam province city council "
    "mayor housing rents wages workers strike union teachers doctors hospital health "
    "vaccine season festival film director prize novel poet music concert theatre museum "
    "football league match coach players stadium fans weather winter summer spring autumn"
).split()
PERSIAN = (
    "و در به از که این را با است برای آن یک خود تا کرد شده بود می‌شود شد دولت وزیر مجلس "
    "انتخابات بودجه نفت قیمت تهران اقتصاد تورم ارز ریال تحریم مذاکرات هسته‌ای توافق رئیس‌جمهور "
    "دادگاه قاضی اعتراض دانشجویان دانشگاه زنان حقوق مطبوعات آزادی روزنامه سردبیر خبرنگار "
    "گفت‌وگو بیانیه سخنگو وزارت خارجه اروپا صادرات واردات بانک مرکزی بازار سهام گندم برداشت "
    "خشکسالی آب رودخانه سد استان شهر شورا شهردار مسکن اجاره دستمزد کارگران اعتصاب معلمان "
    "پزشکان بیمارستان سلامت واکسن جشنواره فیلم کارگردان جایزه رمان شاعر موسیقی کنسرت تئاتر "
    "موزه فوتبال لیگ مسابقه مربی بازیکنان ورزشگاه هواداران زمستان تابستان بهار پاییز ۱۴۰۲ ۱۳۹۸"
).split()

# (slug, name, parent slug): two levels, as a paper's menu has them.
CATEGORIES = [
    ("news", "News", ""),
    ("politics", "Politics", "news"),
    ("world", "World", "news"),
    ("iran", "Iran", "news"),
    ("economy", "Economy", ""),
    ("markets", "Markets", "economy"),
    ("energy", "Energy", "economy"),
    ("culture", "Culture", ""),
    ("books", "Books", "culture"),
    ("cinema", "Cinema", "culture"),
    ("sport", "Sport", ""),
    ("opinion", "Opinion", ""),
]
AUTHORS = 40
TAGS = 400
EMBEDS = [
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://youtu.be/9bZkp7q19f0",
    "https://vimeo.com/76979871",
    "https://twitter.com/jack/status/20",
    "https://x.com/NASA/status/1631058765445562369",
]


def cdata(text: str) -> str:
    """Wrap text in CDATA, splitting any "]]>" the way WordPress's exporter does."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class Writer:
    """Make one post's text at a time from a seeded random source."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)  # noqa: S311 - bench text, not a secret

    def words(self, vocabulary, low, high) -> str:
        return " ".join(self.rng.choices(vocabulary, k=self.rng.randint(low, high)))

    def sentence(self, vocabulary) -> str:
        text = self.words(vocabulary, 6, 22)
        return text[:1].upper() + text[1:] + ("." if vocabulary is ENGLISH else ".")

    def paragraph(self, vocabulary, words: int) -> str:
        parts, count = [], 0
        while count < words:
            sentence = self.sentence(vocabulary)
            count += sentence.count(" ") + 1
            parts.append(sentence)
        text = " ".join(parts)
        if self.rng.random() < 0.3:
            cut = text.find(" ", len(text) // 3)
            if cut > 0:
                end = text.find(" ", cut + 1)
                if end > 0:
                    tag = self.rng.choice(["strong", "em"])
                    text = f"{text[:cut]} <{tag}>{text[cut + 1 : end]}</{tag}>{text[end:]}"
        if self.rng.random() < 0.15:
            text += f' <a href="{SITE}/{self.rng.randint(2005, 2024)}/related-story/">more</a>'
        return text

    def body(self, number: int, vocabulary) -> str:
        """300 to 1,500 words in 60-150-word paragraphs, with the odd WordPress extra."""
        rng = self.rng
        total = rng.randint(300, 1500)
        paragraphs = []
        written = 0
        while written < total:
            size = min(rng.randint(60, 150), total - written + 20)
            paragraphs.append(self.paragraph(vocabulary, size))
            written += size
        classic = rng.random() < 0.2  # classic editor: no <p>, blank lines between
        gutenberg = not classic and rng.random() < 0.3
        blocks = []
        for index, text in enumerate(paragraphs):
            if classic:
                blocks.append(text)
            elif gutenberg:
                blocks.append(f"<!-- wp:paragraph -->\n<p>{text}</p>\n<!-- /wp:paragraph -->")
            else:
                blocks.append(f"<p>{text}</p>")
            if index == 1 and rng.random() < 0.3:
                blocks.append("<h2>" + self.words(vocabulary, 3, 7) + "</h2>")
            if index == 2 and rng.random() < 0.25:
                month = rng.randint(1, 12)
                attachment = 10_000_000 + number
                blocks.append(
                    f'[caption id="attachment_{attachment}" align="aligncenter" width="800"]'
                    f'<img class="size-large wp-image-{attachment}" '
                    f'src="{SITE}/wp-content/uploads/2015/{month:02d}/photo-{number}.jpg" '
                    f'alt="" width="800" height="533" /> {self.words(vocabulary, 4, 10)}'
                    "[/caption]"
                )
            if index == 3 and rng.random() < 0.1:
                blocks.append(rng.choice(EMBEDS))
            if index == 4 and rng.random() < 0.1:
                blocks.append("<blockquote>" + self.sentence(vocabulary) + "</blockquote>")
            if index == 0 and rng.random() < 0.05:
                blocks.append("<!--more-->")
            if index == 5 and rng.random() < 0.03:
                blocks.append('[jnews_block_ads id="7"]')
        return "\n\n".join(blocks)


def gmt(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def write_export(path: Path, posts: int) -> None:
    """Write the export: channel, authors, categories, tags, then the posts."""
    rng = random.Random(1970)  # noqa: S311 - bench data, not a secret
    tmp = path.with_suffix(".part")
    first = datetime.datetime(2005, 1, 1, tzinfo=datetime.UTC)
    span = (datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) - first).total_seconds()
    tag_names = [f"topic-{n}" for n in range(TAGS)]
    comment_id = 1
    with tmp.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n'
            '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "<title>The Bench Gazette</title>\n"
            f"<link>{SITE}</link>\n"
            "<description>A generated archive</description>\n"
            "<language>en-US</language>\n<wp:wxr_version>1.2</wp:wxr_version>\n"
            f"<wp:base_site_url>{SITE}</wp:base_site_url>\n"
            f"<wp:base_blog_url>{SITE}</wp:base_blog_url>\n"
        )
        for n in range(AUTHORS):
            out.write(
                f"<wp:author><wp:author_id>{n + 1}</wp:author_id>"
                f"<wp:author_login>{cdata(f'writer{n}')}</wp:author_login>"
                f"<wp:author_email>{cdata(f'writer{n}@paper.example')}</wp:author_email>"
                f"<wp:author_display_name>{cdata(f'Writer Number {n}')}</wp:author_display_name>"
                f"<wp:author_first_name>{cdata('Writer')}</wp:author_first_name>"
                f"<wp:author_last_name>{cdata(f'Number {n}')}</wp:author_last_name>"
                "</wp:author>\n"
            )
        for n, (slug, name, parent) in enumerate(CATEGORIES):
            out.write(
                f"<wp:category><wp:term_id>{n + 1}</wp:term_id>"
                f"<wp:category_nicename>{cdata(slug)}</wp:category_nicename>"
                f"<wp:category_parent>{cdata(parent)}</wp:category_parent>"
                f"<wp:cat_name>{cdata(name)}</wp:cat_name></wp:category>\n"
            )
        for n, tag in enumerate(tag_names):
            out.write(
                f"<wp:tag><wp:term_id>{1000 + n}</wp:term_id>"
                f"<wp:tag_slug>{cdata(tag)}</wp:tag_slug>"
                f"<wp:tag_name>{cdata(tag.replace('-', ' ').title())}</wp:tag_name></wp:tag>\n"
            )
        for number in range(1, posts + 1):
            writer = Writer(number)
            persian = number % 2 == 0
            vocabulary = PERSIAN if persian else ENGLISH
            when = first + datetime.timedelta(seconds=rng.random() * span)
            title = writer.words(vocabulary, 4, 11)
            slug = f"post-{number}" if persian else "-".join(title.split()[:6]) + f"-{number}"
            status = "publish"
            roll = rng.random()
            if roll < 0.01:
                status = "draft"
            elif roll < 0.015:
                status = "future"
                when = datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
                    hours=number % 1000
                )
            category = rng.choice(CATEGORIES)
            tags = rng.sample(tag_names, rng.randint(0, 5))
            meta = [("_edit_last", "1")]
            if rng.random() < 0.1:
                meta.append(
                    (
                        "jnews_paywall_metabox",
                        'a:2:{s:19:"enable_premium_post";s:1:"1";s:15:"paragraph_limit";s:1:"2";}',
                    )
                )
            link = f"{SITE}/{when:%Y/%m/%d}/{slug}/"
            parts = [
                "<item>",
                f"<title>{escape(title)}</title>",
                f"<link>{escape(link)}</link>",
                f"<pubDate>{when:%a, %d %b %Y %H:%M:%S} +0000</pubDate>",
                f"<dc:creator>{cdata(f'writer{rng.randrange(AUTHORS)}')}</dc:creator>",
                f'<guid isPermaLink="false">{SITE}/?p={number}</guid>',
                "<description></description>",
                f"<content:encoded>{cdata(writer.body(number, vocabulary))}</content:encoded>",
                f"<excerpt:encoded>{cdata(writer.sentence(vocabulary))}</excerpt:encoded>",
                f"<wp:post_id>{number}</wp:post_id>",
                f"<wp:post_date>{cdata(gmt(when))}</wp:post_date>",
                f"<wp:post_date_gmt>{cdata(gmt(when))}</wp:post_date_gmt>",
                f"<wp:post_modified>{cdata(gmt(when))}</wp:post_modified>",
                f"<wp:post_modified_gmt>{cdata(gmt(when))}</wp:post_modified_gmt>",
                f"<wp:comment_status>{cdata('open')}</wp:comment_status>",
                f"<wp:ping_status>{cdata('open')}</wp:ping_status>",
                f"<wp:post_name>{cdata(slug)}</wp:post_name>",
                f"<wp:status>{cdata(status)}</wp:status>",
                "<wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>",
                f"<wp:post_type>{cdata('post')}</wp:post_type>",
                f"<wp:post_password>{cdata('')}</wp:post_password>",
                f"<wp:is_sticky>{1 if number % 5000 == 0 else 0}</wp:is_sticky>",
                f'<category domain="category" nicename="{category[0]}">{cdata(category[1])}'
                "</category>",
            ]
            for tag in tags:
                parts.append(
                    f'<category domain="post_tag" nicename="{tag}">'
                    f"{cdata(tag.replace('-', ' ').title())}</category>"
                )
            for key, value in meta:
                parts.append(
                    f"<wp:postmeta><wp:meta_key>{cdata(key)}</wp:meta_key>"
                    f"<wp:meta_value>{cdata(value)}</wp:meta_value></wp:postmeta>"
                )
            ids = []
            for _ in range(rng.choice((0, 0, 1, 2, 3, 4, 6))):
                ids.append(comment_id)
                parent = rng.choice(ids[:-1]) if len(ids) > 1 and rng.random() < 0.4 else 0
                approved = rng.choices(["1", "0", "spam"], weights=[90, 6, 4])[0]
                said = when + datetime.timedelta(minutes=len(ids) * 37)
                parts.append(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>{cdata(f'Reader {comment_id % 997}')}</wp:comment_author>"
                    f"<wp:comment_author_email>{cdata(f'r{comment_id % 997}@mail.example')}"
                    "</wp:comment_author_email>"
                    f"<wp:comment_author_url>{cdata('')}</wp:comment_author_url>"
                    f"<wp:comment_author_IP>{cdata('192.0.2.1')}</wp:comment_author_IP>"
                    f"<wp:comment_date>{cdata(gmt(said))}</wp:comment_date>"
                    f"<wp:comment_date_gmt>{cdata(gmt(said))}</wp:comment_date_gmt>"
                    f"<wp:comment_content>{cdata(writer.paragraph(vocabulary, 25))}"
                    "</wp:comment_content>"
                    f"<wp:comment_approved>{cdata(approved)}</wp:comment_approved>"
                    f"<wp:comment_type>{cdata('comment')}</wp:comment_type>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent>"
                    "<wp:comment_user_id>0</wp:comment_user_id></wp:comment>"
                )
                comment_id += 1
            parts.append("</item>\n")
            out.write("\n".join(parts))
            if number % 5000 == 0:
                print(f"  wrote {number} posts", end="\r", flush=True)
        out.write("</channel>\n</rss>\n")
    tmp.replace(path)
    print()


def run(command: list[str], env: dict, *, timeout: float | None = None, output=None):
    """Run a child; return (seconds, MemoryPeak, largest process's peak bytes, exit status,
    CPU seconds).

    Kill it at timeout. The CPU seconds (user and system) are what to compare between runs
    on a machine other jobs share: the wall time grows with their load, the CPU time less.
    The memory is sampled over the child and its own children together: ru_maxrss would
    give only the largest of them, and the import's reading worker is a second process.
    """
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output)  # noqa: S603
    deadline = started + timeout if timeout else None
    memory = MemoryPeak(child.pid)
    with memory.sampling(every=0.5):
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if deadline and time.perf_counter() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                print(f"Gave up after {timeout} s.")
                break
            time.sleep(0.2)
    child.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    largest = usage.ru_maxrss * 1024  # the largest single process's peak, in bytes
    return time.perf_counter() - started, memory, largest, child.returncode, cpu


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    export = WORK / f"export-{POSTS}-v{GENERATOR_VERSION}.xml"
    if not export.exists():
        print(f"Writing a WXR export of {POSTS} posts to {export}…")
        started = time.perf_counter()
        write_export(export, POSTS)
        print(f"  written in {time.perf_counter() - started:.0f} s")
    site = WORK / "site"
    shutil.rmtree(site, ignore_errors=True)
    # Production settings, as a paper's real move would run: with DEBUG on, Django would
    # also format and keep every statement (a tenth of the time of a bulk import).
    env = {
        "DJANGO_SETTINGS_MODULE": "masthead.settings.production",
        "SECRET_KEY": "bench-import-only-not-a-secret",
        "ALLOWED_HOSTS": "localhost",
        **os.environ,
        "MASTHEAD_VAR_DIR": str(site),
    }
    env.pop("DATABASE_URL", None)  # always a fresh SQLite database, as the issue asks
    python = sys.executable
    print("Building an empty site (both editions' front pages)…")
    for command in (
        [python, "manage.py", "migrate", "--noinput", "-v0"],
        [python, "bench/import_wxr.py", "--make-site"],
    ):
        _seconds, _memory, _largest, status, _cpu = run(command, env)
        if status:
            sys.exit(f"{' '.join(command)} failed ({status})")
    cpu_file = WORK / "import-cpu.json"
    cpu_file.unlink(missing_ok=True)
    command = [python, "bench/import_wxr.py", "--child", str(cpu_file)]
    command += ["manage.py", "import_wordpress", str(export)]
    if BATCH:
        command += ["--batch-size", BATCH]
    if os.environ.get("BENCH_NO_WORKER"):
        command.append("--no-worker")
    if PROFILE:
        command = [python, "-m", "cProfile", "-o", PROFILE, *command[1:]]
    print(f"Machine: {calibration.describe()}")
    print(f"Importing: {' '.join(command)}")
    log = WORK / "import-report.txt"
    with log.open("w", encoding="utf-8") as output:
        seconds, memory, largest, status, cpu = run(command, env, timeout=TIMEOUT, output=output)
    # The report's counts; its warnings (one per missing image...) stay in the file.
    with log.open(encoding="utf-8") as report:
        for line in report:
            if not line.startswith("  - "):
                print(line, end="")
    print(f"(the whole report: {log})")
    size_mb = export.stat().st_size / 1e6
    done = imported_articles(site / "db.sqlite3")
    split = json.loads(cpu_file.read_text()) if cpu_file.exists() else None
    if split:
        print(
            f"CPU: writing process {split['self']:.1f} s "
            f"({done / split['self']:.0f} articles per CPU s), "
            f"reading worker {split['children']:.1f} s"
        )
    print(
        f"Memory: peak {memory.peak_pss / 2**20:.0f} MiB together (PSS) over "
        f"{memory.processes} processes; summed VmRSS {memory.peak / 2**20:.0f} MiB; the "
        f"largest process alone {largest / 2**20:.0f} MiB (ru_maxrss)"
    )
    print(
        "\n| posts | file | articles written | time | CPU time | articles/s | articles/CPU s "
        "| peak memory, together | exit |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        f"| {POSTS} | {size_mb:.0f} MB | {done} | {seconds:.0f} s | {cpu:.0f} s | "
        f"{done / seconds:.0f} | {done / cpu:.0f} | {memory.peak_pss / 2**20:.0f} MiB | "
        f"{status} |"
    )
    if status:
        sys.exit(status)


def imported_articles(database: Path) -> int:
    """Count the articles the import wrote (committed batches only), even after a kill."""
    import sqlite3

    with sqlite3.connect(database) as db:
        return db.execute("SELECT COUNT(*) FROM content_articlepage").fetchone()[0]


def make_site() -> None:
    """Both editions' front pages and a site pointing at the English one; nothing else."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from wagtail.models import Locale, Page, Site

    from masthead.content.models import HomePage

    english = Locale.objects.get_or_create(language_code="en")[0]
    persian = Locale.objects.get_or_create(language_code="fa")[0]
    root = Page.get_first_root_node()
    Page.objects.filter(depth=2).delete()  # Wagtail's welcome page
    root.refresh_from_db()
    home = root.add_child(instance=HomePage(title="The Bench Gazette", slug="home", locale=english))
    home.save_revision().publish()
    home_fa = home.copy_for_translation(persian)
    home_fa.title = "روزنامه بنچ"
    home_fa.save_revision().publish()
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Bench"},
    )


def child(cpu_file: str, argv: list[str]) -> None:
    """Run manage.py with `argv`, then write its own CPU seconds and its worker's to a file.

    The writing process is the one to speed up: with the worker, the two run on two cores.
    """
    import resource
    import runpy

    sys.path.insert(0, str(ROOT))
    sys.argv = argv
    try:
        runpy.run_path(argv[0], run_name="__main__")
    finally:
        usage = {}
        for name, who in (("self", resource.RUSAGE_SELF), ("children", resource.RUSAGE_CHILDREN)):
            used = resource.getrusage(who)
            usage[name] = used.ru_utime + used.ru_stime
        Path(cpu_file).write_text(json.dumps(usage))


if __name__ == "__main__":
    if sys.argv[1:] == ["--make-site"]:
        make_site()
    elif sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3:])
    else:
        main()
