"""Helpers shared by integration, end-to-end and reliability tests."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable

import yaml

from deploy.cli import LONG_RUNNING_PYTHON
from devstack.procs import free_port, spawn, settings_free_env

ROOT = Path(__file__).resolve().parent.parent


def replies_to(bot_id: str, event_id: str) -> Callable[[dict], bool]:
    """Predicate: a message of the bot that answers the command ``event_id`` (threaded or as a reply)."""
    def match(event: dict) -> bool:
        rel = (event.get("content") or {}).get("m.relates_to") or {}
        return event.get("sender") == bot_id and event.get("type") == "m.room.message" and (
            (rel.get("m.in_reply_to") or {}).get("event_id") == event_id
            or (rel.get("rel_type") == "m.thread" and rel.get("event_id") == event_id))
    return match


def body(event: dict) -> str:
    return (event.get("content") or {}).get("body", "")


# How often a test server's loop looks whether it was asked to stop. socketserver's default (0.5 s)
# made every test that stops a server at its end wait up to half a second in ``shutdown()``.
SERVER_POLL_SECONDS = 0.02


def serve_in_thread(app: Any, port: int | None = None) -> tuple[str, Any]:
    """A WSGI app (a contract of another service, a fake bot) on 127.0.0.1 in a daemon thread.

    Returns its base URL and the werkzeug server; ``server.shutdown()`` stops it within
    ``SERVER_POLL_SECONDS``."""
    from werkzeug.serving import make_server

    port = port or free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": SERVER_POLL_SECONDS},
                     daemon=True).start()
    return f"http://127.0.0.1:{port}", server


def bot_process(tmp_path: Path, homeserver_url: str, *, matrix: dict[str, Any], rooms: dict[str, Any],
                tokens: dict[str, str] | None = None, slug: str = "testraad") -> tuple[subprocess.Popen, Path, int]:
    """Start a bot of its own (own config, database and intake port) against ``homeserver_url``."""
    port = free_port()
    config = {
        "data_dir": str(tmp_path / "data"),
        "api_tokens": tokens or {"signals": "t-signals"},
        "service_urls": {"bot": f"http://127.0.0.1:{port}"},
        "matrix": {"homeserver_url": homeserver_url, "listen_port": port, **matrix},
        "councils": [{"slug": slug, "name": "Testraad", "rooms": rooms}],
    }
    cfg = tmp_path / "overleg.yaml"
    cfg.write_text(yaml.safe_dump(config))
    env = settings_free_env()
    env["OVERLEG_CONFIG"] = str(cfg)
    log = tmp_path / "bot.log"
    proc = spawn([sys.executable, *LONG_RUNNING_PYTHON, "-m", "services.bot"], log_path=log, cwd=ROOT, env=env)
    return proc, log, port
