"""The production server: granian, with the site loaded once before its workers start.

    python -m masthead.serve --host 127.0.0.1 --port 8001 [other granian options]

Granian's own command imports the application in every worker. Here the parent process
imports it, and everything a first request would otherwise load (the URL configuration
and every view behind it, the site's templates compiled, the translations, the cache
backends' modules, the static files' manifest), then starts granian, whose workers are
forked from it and share those pages instead of each holding a copy. Measured with two
workers on the HTTP bench's site (bench/http_load.py): about a quarter less memory for
the server as a whole (see README.md, "Speed").

Nothing that cannot cross a fork is opened first: no database connection is left open, no
cache client is made and no thread is started (the page cache's purge listener starts on
a worker's first request). `gc.freeze()` keeps the collector from writing to every loaded
object in each worker, which would copy the shared pages one by one.

The interface (WSGI), the application (`masthead.wsgi:application`), one worker per CPU
and four Python threads in each (`BLOCKING_THREADS`) are the defaults; any granian option
given on the command line wins. Code changes need a restart: a worker forked again
(granian's respawn or `SIGHUP`) gets the parent's copy of the code.
"""

import gc
import multiprocessing
import os
import sys
import threading
from pathlib import Path

APPLICATION = "masthead.wsgi:application"
# Python threads per worker. Granian's default grows with the connections waiting (53
# threads in one worker at 16 connections, measured), each with its own database
# connection and its own memory; the interpreter runs one at a time, so a few cover the
# waits on the database and Redis. Measured on the bench's cached pages: no fewer requests
# a second with 1, 4 or granian's default.
BLOCKING_THREADS = 4


def load_site() -> None:
    """Import the application and what its first requests would load, then let go of I/O."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.production")
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.cache import caches
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    import masthead.wsgi  # noqa: F401 - Django set up and the middleware built

    get_resolver()._populate()  # imports every URL module and view
    for engine in settings.TEMPLATES:
        for folder in engine.get("DIRS", []):
            for template in Path(folder).rglob("*.html"):
                get_template(template.relative_to(folder).as_posix())
    for language, _name in settings.LANGUAGES:
        translation.trans_real.translation(language)
    for alias in settings.CACHES:
        caches.create_connection(alias)  # imports the backend; connects on first use
    getattr(staticfiles_storage, "hashed_files", None)  # reads the manifest, if any

    connections.close_all()
    if threading.active_count() > 1:
        # A thread would not follow into the workers, and a lock it held would stay held.
        names = ", ".join(t.name for t in threading.enumerate() if t is not threading.main_thread())
        raise RuntimeError(f"threads running before the workers fork: {names}")


def granian_arguments(argv: list[str]) -> list[str]:
    """Granian's command line: our defaults first, so that the caller's options win."""
    return [
        "--interface",
        "wsgi",
        "--workers",
        str(os.cpu_count() or 1),
        "--blocking-threads",
        str(BLOCKING_THREADS),
        *argv,
        APPLICATION,
    ]


def main(argv: list[str] | None = None) -> None:
    from granian import cli

    arguments = granian_arguments(sys.argv[1:] if argv is None else argv)
    if "fork" in multiprocessing.get_all_start_methods():
        # Granian starts its workers with multiprocessing's default method; "fork" is what
        # shares the loaded site (Python 3.14 defaults to "forkserver" on Linux).
        multiprocessing.set_start_method("fork", force=True)
        # As Python's documentation of gc.freeze() advises: no collection while loading,
        # which would leave freed holes in pages the workers then share; the loaded
        # objects frozen before the fork; collections again in each worker.
        gc.disable()
        load_site()
        gc.freeze()
        os.register_at_fork(after_in_child=gc.enable)
    sys.argv = ["granian", *arguments]
    sys.exit(cli.entrypoint())


if __name__ == "__main__":
    main()
