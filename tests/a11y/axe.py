"""Deque's axe-core, run in the page a Selenium-driven Chromium has open: the accessibility check of
the public pages is done by a tool nobody here wrote.

``violations(driver)`` injects ``axe.min.js`` and returns axe's violations for the WCAG 2.x A and AA
rules (and the 2.2 ones axe has), as dicts. axe-core comes from ``package-lock.json`` in this folder;
when ``node_modules`` is missing it is installed with ``npm ci``. Without npm the check cannot run,
and that is a failure, not a skip.
"""
from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def ensure_installed() -> Path:
    if SCRIPT.exists():
        return SCRIPT
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not installed: the public pages are checked with axe-core, installed with npm. "
                    "Install Node.js, e.g. `apt-get install nodejs npm`.", pytrace=False)
    with open(HERE / ".install.lock", "w") as lock:  # parallel test processes install once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not SCRIPT.exists():
            done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True,
                                  text=True, timeout=600)
            if done.returncode != 0 or not SCRIPT.exists():
                pytest.fail(f"`npm ci` in {HERE} failed ({done.returncode}):\n{done.stdout[-2000:]}\n"
                            f"{done.stderr[-2000:]}", pytrace=False)
    return SCRIPT


def violations(driver: Any) -> list[dict[str, Any]]:
    """axe's violations on the page open in ``driver`` (a Selenium WebDriver)."""
    driver.execute_script(ensure_installed().read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));", TAGS)
    return list(result)


def assert_no_violations(driver: Any) -> None:
    found = violations(driver)
    assert found == [], "axe-core found accessibility violations:\n" + "\n".join(
        f"- {v['id']} ({v.get('impact')}): {v['help']} at {', '.join(v['nodes'][:5])}" for v in found)
