"""Shared by the benchmarks: a private stack in a temp folder, timing and reporting helpers."""
from __future__ import annotations

import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from deploy.stack import Ports, Stack


@contextmanager
def private_stack(workers: int = 2, database_url: str | None = None) -> Iterator[Stack]:
    """The whole local stack on free ports in a temp folder, stopped afterwards."""
    with tempfile.TemporaryDirectory(prefix="overleg-bench-") as tmp:
        stack = Stack(Path(tmp), Ports.free(), workers=workers, database_url=database_url)
        stack.up(demo=True, timeout=120)
        try:
            yield stack
        finally:
            stack.down()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": percentile(values, 0.5), "p95": percentile(values, 0.95),
            "mean": statistics.fmean(values) if values else float("nan")}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


class Timer:
    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.perf_counter() - self.start
