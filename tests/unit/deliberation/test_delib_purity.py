"""The domain stays pure: standard library, shared.errors and shared.i18n only; no clock, no I/O."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from services.deliberation.domain import consensus

DOMAIN = Path(consensus.__file__).parent
ALLOWED_SHARED = {"shared.errors", "shared.i18n"}
FORBIDDEN_CALLS = {"now", "today", "utcnow", "open", "time", "urlopen", "getenv"}
MODULES = sorted(DOMAIN.glob("*.py"))


def imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "shared":
                names |= {f"shared.{alias.name}" for alias in node.names}
            else:
                names.add(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_only_standard_library_and_shared_errors_i18n(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for name in imported_modules(tree):
        top = name.split(".")[0]
        if top == "shared":
            assert name in ALLOWED_SHARED, name
        else:
            assert top == "__future__" or top in sys.stdlib_module_names, name


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_no_clock_and_no_io(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            assert name not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {name}()"
