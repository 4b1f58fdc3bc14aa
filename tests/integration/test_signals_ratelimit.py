"""The web form's rate limit holds across gunicorn workers: the signals service runs under gunicorn
with ``deploy/gunicorn.conf.py``, 4 workers and Redis; N submissions from one address are accepted,
then every worker answers 429. The access log names the worker (pid) that answered each request."""
from __future__ import annotations

import re
import sys
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import httpx
import pytest
import redis
import yaml

from deploy.cli import LONG_RUNNING_PYTHON
from devstack.procs import free_port, spawn, terminate, wait_http_ready, settings_free_env
from tests.support import ROOT

pytestmark = pytest.mark.timeout(180)

REDIS_URL = "redis://127.0.0.1:6379/0"
LIMIT = 5
WORKERS = 4


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    port = free_port()
    namespace = f"overleg-test:{uuid.uuid4().hex}"
    config = {
        "data_dir": str(tmp_path / "data"),
        "redis_url": REDIS_URL,
        "secret_key": uuid.uuid4().hex,
        "public_base_url": f"http://127.0.0.1:{port}",
        "api_tokens": {"signals": "t-signals", "partner": "t-partner"},
        "service_urls": {"bot": f"http://127.0.0.1:{free_port()}", "deliberation": "http://127.0.0.1:9",
                         "calendar": "http://127.0.0.1:9", "signals": f"http://127.0.0.1:{port}"},
        "councils": [{"slug": "raad", "name": "Klantenraad Test", "rooms": {"main": "!main:test"}}],
        "signals": {"form_rate_limit": f"{LIMIT}/3600", "rate_namespace": namespace},
    }
    cfg = tmp_path / "overleg.yaml"
    cfg.write_text(yaml.safe_dump(config))
    access = tmp_path / "access.log"
    env = settings_free_env()
    env.update(OVERLEG_CONFIG=str(cfg), OVERLEG_SERVICE="signals", OVERLEG_BIND=f"127.0.0.1:{port}",
               OVERLEG_WORKERS=str(WORKERS), OVERLEG_ACCESS_LOG=str(access))
    log = tmp_path / "gunicorn.log"
    proc = spawn([sys.executable, *LONG_RUNNING_PYTHON, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                  "--access-logformat", "%(p)s %(s)s %(m)s %(U)s", "services.signals.wsgi:app"],
                 log_path=log, cwd=ROOT, env=env)
    try:
        wait_http_ready(f"http://127.0.0.1:{port}/readyz", timeout=60, log_path=log, name="signals",
                        is_alive=lambda: proc.poll() is None)
        yield f"http://127.0.0.1:{port}", access, namespace
    finally:
        terminate(proc.pid, timeout=20, proc=proc)
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{namespace}:*"):
            client.delete(key)


def worker_pids(access: Path) -> dict[str, list[int]]:
    """Status codes of POST /signaal per worker pid, from the access log."""
    out: dict[str, list[int]] = defaultdict(list)
    for line in access.read_text().splitlines():
        match = re.search(r"<(\d+)> (\d{3}) POST /signaal$", line) or re.search(r"^(\d+) (\d{3}) POST /signaal$",
                                                                                  line.strip())
        if match:
            out[match.group(1)].append(int(match.group(2)))
    return out


def test_the_form_limit_holds_across_four_gunicorn_workers(served: tuple[str, Path, str]):
    base, access, namespace = served
    with httpx.Client(base_url=base, timeout=10) as browser:
        page = browser.get("/signaal")
        assert page.status_code == 200
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        cookies = dict(browser.cookies)

    def submit(i: int) -> int:
        # A new connection per request ("Connection: close"), so requests land on different workers.
        with httpx.Client(base_url=base, timeout=10, cookies=cookies) as client:
            resp = client.post("/signaal", headers={"Connection": "close"}, data={
                "csrf_token": token, "nonce": uuid.uuid4().hex, "text": f"Lekkage in portiek nummer {i} van de Tarwehof.",
                "buurt": "", "name": "", "email": "", "phone": "", "website": ""})
            return resp.status_code

    codes: list[int] = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes += list(pool.map(submit, range(40)))
        # Keep going until every worker has refused at least once (bounded).
        for _ in range(10):
            per_worker = worker_pids(access)
            if len(per_worker) >= WORKERS and all(429 in statuses for statuses in per_worker.values()):
                break
            codes += list(pool.map(submit, range(40)))

    assert codes.count(303) == LIMIT, codes
    assert codes.count(429) == len(codes) - LIMIT
    per_worker = worker_pids(access)
    assert len(per_worker) == WORKERS, per_worker
    assert all(429 in statuses for statuses in per_worker.values()), per_worker
    # The counter is one Redis key with an expiry (INCR and EXPIRE in one transaction).
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{namespace}:rl:form:*"))
    assert len(keys) == 1 and int(client.get(keys[0])) == len(codes) and 0 < client.ttl(keys[0]) <= 3600
    refused = httpx.post(f"{base}/signaal", data={"text": "nog een"}, cookies=cookies)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert 'role="alert"' in refused.text and "Probeer het over" in refused.text
