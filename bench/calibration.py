"""A yardstick for the machine a benchmark ran on: figures from two days compare only
through it.

These machines are shared and change speed from one day, even one hour, to the next (the
same render took 39 ms in one run and 51 in the next). `machine_speed()` times a fixed
piece of pure-Python work of the kind a page render or an import does (building and
reading dictionaries, formatting and joining text, sorting, JSON): each benchmark prints
it beside its own figures, and a run on a machine twice as slow shows it twice as long.
"""

import json
import time

ROUNDS = 5


def _fixed_work() -> int:
    records = [
        {"id": n, "title": f"Story {n} of the day", "words": [f"w{n % 97}-{k}" for k in range(12)]}
        for n in range(4000)
    ]
    text = json.dumps(records)
    decoded = json.loads(text)
    decoded.sort(key=lambda record: (record["words"][3], -record["id"]))
    joined = "".join(
        f"<li>{record['title']}: {' '.join(record['words'])}</li>" for record in decoded
    )
    return len(joined)


def machine_speed() -> float:
    """Milliseconds the fixed work takes: the best of ROUNDS runs (the least disturbed)."""
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        _fixed_work()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def describe() -> str:
    return f"a fixed pure-Python yardstick took {machine_speed():.1f} ms (best of {ROUNDS})"


if __name__ == "__main__":
    print(describe())
