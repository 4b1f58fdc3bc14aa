"""Benchmark 6: the local stack from the start command to ready.

Runs ``./overleg up`` (the README's command, through the installed CLI) against a fresh folder
and again against the same folder (a second start reuses the data), and compares with the
baseline: the embedded Synapse alone, started the same way, measured in the same run.

    .venv/bin/python bench/stack_start.py
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.homeserver import EmbeddedSynapse  # noqa: E402
from deploy.procs import free_port  # noqa: E402


def timed_up(folder: Path) -> float:
    env = dict(os.environ, OVERLEG_STACK_DIR=str(folder))
    started = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "overleg"), "up"], env=env, check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    took = time.perf_counter() - started
    subprocess.run([str(ROOT / ".venv" / "bin" / "overleg"), "down"], env=env, check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    return took


def synapse_alone(folder: Path) -> float:
    hs = EmbeddedSynapse(folder, free_port())
    hs.ensure_config()
    started = time.perf_counter()
    hs.start(timeout=120)
    took = time.perf_counter() - started
    hs.stop()
    return took


def main() -> None:
    # The stack uses fixed ports (8008, 5232, 8790-8793): they must be free for this benchmark.
    with tempfile.TemporaryDirectory(prefix="overleg-start-") as tmp:
        base = synapse_alone(Path(tmp) / "synapse-alone")
        cold = timed_up(Path(tmp) / "stack")
        warm = timed_up(Path(tmp) / "stack")
    print("benchmark 6: start of the local stack (command to ready)")
    print(f"  baseline: Synapse alone            {base:6.2f} s")
    print(f"  first start (fresh data, demo)     {cold:6.2f} s   ratio {cold / base:5.2f}")
    print(f"  second start (data reused)         {warm:6.2f} s   ratio {warm / base:5.2f}")
    print(f"  target: under 30 s after the first install -> {'met' if max(cold, warm) < 30 else 'NOT met'}")


if __name__ == "__main__":
    main()
