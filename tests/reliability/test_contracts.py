"""schemathesis against every service's /openapi.json: deliberation, calendar, signals and the bot's
intake, each live under its real server (the services under gunicorn with 2 workers, reaching each
other; the bot logged in to the session's Synapse).

Every check (``--checks all``), at least 100 examples per operation, every phase (examples,
coverage, fuzzing, stateful), valid bearer tokens (the ``admin`` caller, allowed on every operation
that needs a token; schemathesis also tries without and with a wrong one). ``schemathesis.toml``
next to this file adds to what two checks expect, and why; nothing is left out.

A failure prints schemathesis's report: each failing request as a curl command and the answer.
The seed is fixed so a run can be repeated; ``OVERLEG_SCHEMATHESIS_SEED`` picks another.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bench.common import Gunicorn, service_config
from devstack.matrix_client import MatrixTestClient
from tests.support import bot_process

pytestmark = pytest.mark.timeout(1200)

HERE = Path(__file__).resolve().parent
SERVICES = ("deliberation", "calendar", "signals", "werkplek")
SEED = os.environ.get("OVERLEG_SCHEMATHESIS_SEED", "20261126")
MAX_EXAMPLES = 100


@pytest.fixture(scope="module")
def live_services(tmp_path_factory):
    folder = tmp_path_factory.mktemp("contracts")
    apps = {name: Gunicorn(f"services.{name}.wsgi:app", folder, workers=2, service=name, name=name)
            for name in SERVICES}
    config, tokens = service_config(folder, service_urls={name: app.url for name, app in apps.items()})
    started = []
    try:
        for app in apps.values():
            app.extra_env["OVERLEG_CONFIG"] = str(config)
            app.start()
            started.append(app)
        yield {name: app.url for name, app in apps.items()}, tokens, folder
    finally:
        for app in started:
            app.stop()


@pytest.fixture(scope="module")
def live_bot(synapse, tmp_path_factory):
    folder = tmp_path_factory.mktemp("contracts-bot")
    bot_user = synapse.register_user(f"contractbot-{os.getpid()}", "contractbot-password")
    member = synapse.register_user(f"contractlid-{os.getpid()}", "contractlid-password")
    tokens = {"admin": "contract-admin-token", "signals": "contract-signals-token"}
    with MatrixTestClient(synapse.base_url, member) as client:
        room = client.create_room(name="Contractraad", invite=[bot_user.user_id])
    proc, log, port = bot_process(folder, synapse.base_url, matrix={"user_id": bot_user.user_id,
                                                                  "password": bot_user.password},
                                  rooms={"main": room}, tokens=tokens)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
        yield url, tokens
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run_schemathesis(url: str, token: str, report_dir: Path) -> tuple[int, str]:
    env = dict(os.environ, SCHEMATHESIS_HOOKS=str(HERE / "schemathesis_hooks.py"))
    argv = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"), "run",
            f"{url}/openapi.json", "--url", url, "--checks", "all", "--max-examples", str(MAX_EXAMPLES),
            "--phases", "examples,coverage,fuzzing,stateful", "--workers", "1", "--seed", SEED,
            "-H", f"Authorization: Bearer {token}", "--no-color", "--request-timeout", "30",
            "--report", "junit", "--report-dir", str(report_dir)]
    # One worker: hypothesis describing strategies from several threads trips a CPython 3.11 bug
    # ("AST constructor recursion depth mismatch").
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=1100, cwd=report_dir.parent)
    return done.returncode, done.stdout + done.stderr


def summary(output: str) -> str:
    """The failures section, with long request bodies cut, and the summary."""
    lines = []
    for line in output.splitlines():
        if len(line) > 400:
            line = line[:400] + " …"
        lines.append(line)
    text = "\n".join(lines)
    start = text.find("=== FAILURES") if "=== FAILURES" in text else text.find("=== ERRORS")
    return text[start:] if start >= 0 else text[-6000:]


@pytest.mark.parametrize("service", SERVICES)
def test_service_openapi_contract_holds(live_services, service, tmp_path):
    urls, tokens, _ = live_services
    rc, output = run_schemathesis(urls[service], tokens["admin"], tmp_path / "report")
    tested = re.search(r"Tested: (\d+)", output)
    assert rc == 0 and tested, f"schemathesis found problems in {service}:\n{summary(output)}"


def test_bot_intake_openapi_contract_holds(live_bot, tmp_path):
    url, tokens = live_bot
    rc, output = run_schemathesis(url, tokens["admin"], tmp_path / "report")
    assert rc == 0, f"schemathesis found problems in the bot's intake:\n{summary(output)}"
