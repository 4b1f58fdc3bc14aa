"""Benchmark 1: chat round trip.

A member sends ``!stand`` in a round's thread; we time until the bot's reply is visible to that
member (through the real Synapse, the member long-polling /sync). Baseline, in the same run and
on the same homeserver: a minimal matrix-nio echo bot (bench/echo_bot.py) answering ``!echo``
in the same thread, timed the same way. Target: ratio p50 and p95 <= 1.25.

    .venv/bin/python bench/chat_roundtrip.py [--rounds 60]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import private_stack, summary  # noqa: E402
from devstack.matrix_client import MatrixTestClient  # noqa: E402
from tests.support import body, replies_to  # noqa: E402


def measure(client: MatrixTestClient, room: str, responder: str, text: str, thread_root: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        client.sync(0)
        started = time.perf_counter()
        event_id = client.send_text(room, text, thread_root=thread_root)
        client.wait_for(room, replies_to(responder, event_id), timeout=30, after=event_id)
        times.append(time.perf_counter() - started)
    return times


def open_round(stack, secretary: MatrixTestClient, room: str) -> str:
    bot = stack.user_id("overleg")
    for command in ("!onderwerp Benchmark: servicekosten", "!activeer 1",
                    "!ronde 1 We vragen de corporatie de servicekosten per complex te tonen."):
        event_id = secretary.send_text(room, command)
        secretary.wait_for(room, replies_to(bot, event_id), timeout=30, after=event_id)
    # The proposal is a new thread root posted by the bot.
    root = secretary.wait_for(room, lambda e: e.get("sender") == bot and "servicekosten per complex" in body(e)
                              and not (e.get("content") or {}).get("m.relates_to"), timeout=30)
    return root["event_id"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    with private_stack() as stack:
        room = stack.state.room_id
        echo_user = stack.synapse.register_user("echobot", "echobot-password")
        with MatrixTestClient(stack.synapse.base_url, stack.member("secretaris")) as sec:
            sec.invite(room, echo_user.user_id)
            echo = subprocess.Popen([sys.executable, str(ROOT / "bench" / "echo_bot.py"), stack.synapse.base_url,
                                     echo_user.user_id, "echobot-password", room], cwd=ROOT)
            try:
                root = open_round(stack, sec, room)
                with MatrixTestClient(stack.synapse.base_url, stack.member("anna")) as anna:
                    # Warm up both paths, then interleave so both see the same load.
                    measure(anna, room, echo_user.user_id, "!echo", root, 3)
                    measure(anna, room, stack.user_id("overleg"), "!stand", root, 3)
                    base, ours = [], []
                    for _ in range(args.rounds // 5):
                        base += measure(anna, room, echo_user.user_id, "!echo", root, 5)
                        ours += measure(anna, room, stack.user_id("overleg"), "!stand", root, 5)
            finally:
                echo.terminate()
                echo.wait(timeout=10)
    b, o = summary(base), summary(ours)
    print("benchmark 1: chat round trip, !stand in a round's thread (member sends -> member sees reply)")
    print(f"  baseline echo bot   p50 {b['p50']*1000:7.1f} ms   p95 {b['p95']*1000:7.1f} ms   (n={b['n']})")
    print(f"  overleg !stand      p50 {o['p50']*1000:7.1f} ms   p95 {o['p95']*1000:7.1f} ms   (n={o['n']})")
    print(f"  ratio               p50 {o['p50']/b['p50']:7.2f}      p95 {o['p95']/b['p95']:7.2f}      target <= 1.25")


if __name__ == "__main__":
    main()
