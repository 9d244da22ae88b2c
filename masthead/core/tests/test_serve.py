"""The production server (masthead/serve.py): the workers share the site their parent loaded."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from masthead.serve import APPLICATION, granian_arguments

ROOT = Path(__file__).resolve().parents[3]


def test_callers_options_come_after_the_defaults_so_they_win():
    arguments = granian_arguments(["--workers", "3", "--port", "9000"])

    assert arguments[:2] == ["--interface", "wsgi"]
    assert arguments.index("--workers") < arguments.index("3")
    assert arguments[-5:] == ["--workers", "3", "--port", "9000", APPLICATION]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_of(pid: int) -> dict[str, int]:
    """A process's smaps_rollup in kB, by field name."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value)
    return fields


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="needs Linux's /proc")
def test_workers_serve_and_share_the_site_loaded_before_they_forked(tmp_path):
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "masthead.settings.test",
        "MASTHEAD_VAR_DIR": str(tmp_path),  # an empty SQLite file: /healthz needs no tables
    }
    environment.pop("DATABASE_URL", None)
    environment.pop("REDIS_URL", None)
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "masthead.serve", "--workers", "3", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode()
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=5
                ) as answer:
                    health = json.load(answer)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer in 60 s"
                time.sleep(0.2)
        assert health["database"] == "ok"

        workers = [
            int(pid)
            for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        ]
        assert len(workers) == 3  # the command line's --workers, not the CPU count
        for worker in workers:
            # Pages the worker still shares with its parent, untouched since the fork: the
            # loaded site, about 100 MB. Granian's own command loads the site in each worker
            # and shares about 5 MB this way (measured).
            assert memory_of(worker)["Shared_Dirty"] > 32 * 1024
    finally:
        server.terminate()
        server.wait(timeout=30)
