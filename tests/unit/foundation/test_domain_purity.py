"""Every service's ``domain/`` stays pure: standard library, ``shared.errors`` and ``shared.i18n``, a few
libraries that only compute,
its own service's domain; no clock, no I/O; importing it pulls in no framework.

One test for all domains, so a new service's domain is covered the day it appears."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOMAINS = sorted(p for p in (ROOT / "services").glob("*/domain") if p.is_dir())
MODULES = sorted(m for d in DOMAINS for m in d.glob("*.py"))
ALLOWED_SHARED = {"shared.errors", "shared.i18n"}
# Libraries that only compute (no I/O, no clock): formats and calendars, date arithmetic, stemming.
PURE_LIBRARIES = {"babel", "dateutil", "icalendar", "snowballstemmer", "Stemmer"}
FORBIDDEN_CALLS = {"now", "today", "utcnow", "open", "urlopen", "getenv", "sleep", "system", "popen"}
FRAMEWORKS = ("flask", "nio", "sqlalchemy", "httpx", "redis", "aiohttp", "psycopg", "caldav", "alembic")
# The only file reads a domain may do: the package's own data files, through importlib.resources.
PACKAGE_DATA_LOADERS = {"themes.py", "wijken.py"}


def _id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.name}"


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {f"{node.module}.{a.name}" for a in node.names} if node.module == "shared" else {node.module}
    return names


def test_every_service_has_a_domain():
    services = {p.name for p in (ROOT / "services").iterdir() if (p / "app.py").exists()} - {"bot"}
    assert services and services <= {d.parent.name for d in DOMAINS}


@pytest.mark.parametrize("path", MODULES, ids=_id)
def test_imports_only_the_standard_library_shared_errors_i18n_and_its_own_domain(path: Path):
    own = f"services.{path.parent.parent.name}.domain"
    for name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        top = name.split(".")[0]
        if top == "shared":
            assert name in ALLOWED_SHARED, f"{_id(path)} imports {name}"
        elif top == "services":
            assert name == own or name.startswith(own + "."), f"{_id(path)} imports {name}"
        else:
            assert top == "__future__" or top in sys.stdlib_module_names or top in PURE_LIBRARIES, \
                f"{_id(path)} imports {name}"


@pytest.mark.parametrize("path", MODULES, ids=_id)
def test_no_clock_and_no_io(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            assert name not in FORBIDDEN_CALLS, f"{_id(path)}:{node.lineno} calls {name}()"
            if name == "time" and isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "time":
                raise AssertionError(f"{_id(path)}:{node.lineno} reads the clock")
            if name in ("read_text", "read_bytes"):
                assert path.name in PACKAGE_DATA_LOADERS, f"{_id(path)}:{node.lineno} reads a file"


def test_importing_every_domain_pulls_in_no_framework():
    modules = ", ".join(f"services.{m.parent.parent.name}.domain.{m.stem}" for m in MODULES if m.stem != "__init__")
    code = f"import sys\nimport {modules}\nprint(','.join(m for m in {FRAMEWORKS!r} if m in sys.modules))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""
