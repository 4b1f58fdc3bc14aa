"""Benchmark 6: the local stack from the start command to ready.

Runs ``./overleg up`` (the README's command, through the installed CLI) against a fresh folder
and again against the same folder (a second start reuses the data), and compares with the
baseline: the embedded Synapse alone, started the same way, measured in the same run.

    .venv/bin/python bench/stack_start.py
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack.synapse import EmbeddedSynapse  # noqa: E402
from devstack.procs import free_port  # noqa: E402


def timed_up(folder: Path) -> float:
    """``overleg up`` on ``folder``, timed; ``overleg down`` afterwards, also when ``up`` failed."""
    env = dict(os.environ, OVERLEG_STACK_DIR=str(folder))
    state = folder / "stack.json"
    if not state.exists():
        # Free ports instead of the fixed 8008, 5232, 8790-8793, so the benchmark runs next to a
        # developer's `overleg up`; the stack keeps the ports it finds in its state file.
        folder.mkdir(parents=True, exist_ok=True)
        names = ("synapse", "radicale", "bot", "deliberation", "calendar", "signals")
        state.write_text(json.dumps({"ports": {name: free_port() for name in names}}))
    started = time.perf_counter()
    try:
        subprocess.run([str(ROOT / ".venv" / "bin" / "overleg"), "up"], env=env, check=True,
                       stdout=subprocess.DEVNULL, cwd=ROOT)
        return time.perf_counter() - started
    finally:
        subprocess.run([str(ROOT / ".venv" / "bin" / "overleg"), "down"], env=env, check=False,
                       stdout=subprocess.DEVNULL, cwd=ROOT)


def synapse_alone(folder: Path) -> float:
    hs = EmbeddedSynapse(folder, free_port())
    hs.ensure_config()
    started = time.perf_counter()
    hs.start(timeout=120)
    took = time.perf_counter() - started
    hs.stop()
    return took


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="overleg-start-") as tmp:
        base = synapse_alone(Path(tmp) / "synapse-alone")
        cold = timed_up(Path(tmp) / "stack")
        warm = timed_up(Path(tmp) / "stack")
    print("benchmark 6: start of the local stack (command to ready)")
    print(f"  baseline: Synapse alone            {base:6.2f} s")
    print(f"  first start (fresh data, demo)     {cold:6.2f} s   ratio {cold / base:5.2f}")
    print(f"  second start (data reused)         {warm:6.2f} s   ratio {warm / base:5.2f}")
    print(f"  (the issue sets no target; reference 30 s -> {'within' if max(cold, warm) < 30 else 'NOT within'})")


if __name__ == "__main__":
    main()
