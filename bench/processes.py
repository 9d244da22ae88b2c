"""A process and its descendants, and their memory together: both benchmarks start
servers or workers that start processes of their own (granian's workers, the import's
reading worker), and a figure for one process would leave the others out."""

import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path


def process_tree(root: int) -> list[int]:
    """The process and its descendants, root first, read from /proc."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass  # it ended meanwhile
    return found


class MemoryPeak:
    """The peak memory of a process and all its descendants together, while sampling."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0  # bytes, VmRSS summed
        # Proportional set size: shared pages counted once over the processes sharing them.
        self.peak_pss = 0
        self.processes = 0
        self._running = False

    def sample(self) -> None:
        rss = pss = processes = 0
        for pid in process_tree(self.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue  # it ended between the listing and the read
            processes += 1
            rss += kilobytes(r"^VmRSS:\s+(\d+) kB", status)
            pss += kilobytes(r"^Pss:\s+(\d+) kB", rollup)
        self.peak = max(self.peak, rss)
        self.peak_pss = max(self.peak_pss, pss)
        self.processes = max(self.processes, processes)

    @contextmanager
    def sampling(self, every: float = 0.25):
        self._running = True

        def run():
            while self._running:
                self.sample()
                time.sleep(every)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._running = False
            thread.join(timeout=5)


def kilobytes(pattern: str, text: str) -> int:
    match = re.search(pattern, text, re.MULTILINE)
    return int(match[1]) * 1024 if match else 0
