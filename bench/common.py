"""Helpers shared by the benchmark scripts: Django setup on a dataset, timing statistics."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOME = ROOT / "var" / "bench-1m"


def setup_django(home: Path) -> None:
    os.environ["BUERGERTICKET_MODE"] = "development"
    os.environ["BUERGERTICKET_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buergerticket.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def timed(fn: Callable[[], object], repeat: int, warmup: int = 5) -> list[float]:
    """Milliseconds per call."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms   (n={len(ordered)})"


def verdict(value: float, limit: float, *, higher_is_better: bool = False) -> str:
    ok = value >= limit if higher_is_better else value <= limit
    return "OK" if ok else "ZU LANGSAM"
