"""Where a process's resident memory sits after benchmark 2's load (a diagnosis for benchmark 5, not a
benchmark).

The encrypted stack of ``bench/signal_intake.py``, ``--rounds`` × 400 signals through the 201 path
and as many through the queue, everything grouped and posted; then, for the bot and every gunicorn
process: VmRSS, anonymous and file-backed resident memory, threads, and the largest kinds of mapping
(``[anon]``: Python's object arenas and thread heaps; ``[heap]``: the main malloc heap; shared
libraries of the system and of site-packages). Run it with an environment to compare, e.g.
``MALLOC_ARENA_MAX=1`` or ``PYTHONMALLOC=malloc`` (every process of the stack inherits it).

    .venv/bin/python bench/memory_probe.py [--only sqlite|postgresql] [--rounds 2]
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import children, hammer, load_signal_texts, pg_schema  # noqa: E402
from bench.signal_intake import THREADS, encrypted_stack, wait_drained, wait_grouped  # noqa: E402
from devstack.procs import read_pidfile  # noqa: E402
from devstack.stack import SERVICES  # noqa: E402


def mapping_kind(path: str) -> str:
    if path.startswith("["):
        return path
    if "site-packages" in path:
        return "site-packages libraries"
    if path.endswith(".db"):
        return "files (SQLite, metrics)"
    return "system libraries"


def breakdown(pid: int) -> tuple[dict[str, str], dict[str, float]]:
    """(/proc/<pid>/status fields, resident MiB by kind of mapping)."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    # In MiB, as benchmark 5 prints them (/proc says kB, which read as thousands looked 2 % larger).
    fields = {k: f"{int(status[k].split()[0]) / 1024:.1f} MiB" for k in ("VmRSS", "RssAnon", "RssFile") if k in status}
    fields["Threads"] = status.get("Threads", "?").strip()
    kinds: Counter[str] = Counter()
    current = "[anon]"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if parts and not parts[0].endswith(":"):  # a mapping's header: address perms offset dev inode [path]
            current = mapping_kind(parts[5]) if len(parts) > 5 else "[anon]"
        elif parts and parts[0] == "Rss:":
            kinds[current] += int(parts[1]) / 1024
    return fields, dict(kinds.most_common(5))


def processes(stack) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    found = []
    bot = read_pidfile(stack.root / "run" / "bot.pid")
    if bot:
        found.append(("bot", bot))
    for name in SERVICES:
        master = read_pidfile(stack.root / "run" / f"{name}.pid")
        if master:
            found.append((f"{name} master", master))
            found.extend((f"{name} worker {i}", pid) for i, pid in enumerate(children(master), 1))
    return found


def probe(database_url: str | None, rounds: int) -> None:
    texts = load_signal_texts()
    with encrypted_stack(workers=2, database_url=database_url) as stack:
        admin = {"Authorization": f"Bearer {stack.state.tokens['admin']}"}
        url = f"{stack.url('signals')}/api/v1/councils/klantenraad/signals"
        for r in range(rounds):
            batch = [dict(texts[(r * 400 + i) % len(texts)]) for i in range(400)]
            hammer(url, batch, headers=admin, threads=THREADS)
            hammer(f"{url}/queued", [dict(texts[(r * 400 + i + 7) % len(texts)]) for i in range(400)],
                   headers=admin, threads=THREADS)
            wait_grouped(stack)
        wait_drained(stack)
        for label, pid in processes(stack):
            fields, kinds = breakdown(pid)
            print(f"  {label:<24} " + ", ".join(f"{k} {v}" for k, v in fields.items()))
            print(f"  {'':<24} " + ", ".join(f"{k} {v:.1f} MiB" for k, v in kinds.items()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    for label in ("sqlite", "postgresql"):
        if args.only and args.only != label:
            continue
        print(f"{label}:")
        with (pg_schema("bench_probe") if label == "postgresql" else nullcontext(None)) as url:
            probe(url, args.rounds)


if __name__ == "__main__":
    main()
