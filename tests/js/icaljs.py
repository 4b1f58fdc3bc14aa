"""Mozilla's ical.js (the parser inside Thunderbird), run through Node on a feed.

``occurrences(body, start, end)`` returns the meetings ical.js sees in the window, as dicts (see
``expand.mjs``). ical.js comes from ``package-lock.json`` in this folder; when ``node_modules`` is
missing it is installed with ``npm ci``. Without Node.js and npm the check cannot run, and that
is a failure, not a skip: the feeds must read the same in Thunderbird's parser.
"""
from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "expand.mjs"
INSTALLED = HERE / "node_modules" / "ical.js" / "package.json"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: the calendar feeds are checked with Mozilla's ical.js through "
                    f"Node.js (18 or newer, with npm). Install Node.js, e.g. `apt-get install nodejs npm`.",
                    pytrace=False)
    return found


def ensure_installed() -> str:
    """The path of ``node``, with ical.js installed next to this file."""
    node = _tool("node")
    if INSTALLED.exists():
        return node
    npm = _tool("npm")
    with open(HERE / ".install.lock", "w") as lock:  # parallel test processes install once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not INSTALLED.exists():
            done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True,
                                  text=True, timeout=600)
            if done.returncode != 0 or not INSTALLED.exists():
                pytest.fail(f"`npm ci` in {HERE} failed ({done.returncode}):\n{done.stdout[-2000:]}\n"
                            f"{done.stderr[-2000:]}", pytrace=False)
    return node


def occurrences(body: bytes, start: date, end: date) -> list[dict[str, Any]]:
    node = ensure_installed()
    done = subprocess.run([node, str(SCRIPT), start.isoformat(), end.isoformat()], input=body,
                          capture_output=True, timeout=120, cwd=HERE)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-3000:]
    return json.loads(done.stdout)
