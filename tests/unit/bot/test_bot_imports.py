"""The bot's modules import each other without a cycle, and the bot imports no other service.

Read with ``ast`` (every import counts, also those under ``TYPE_CHECKING`` or inside a function),
plus the feature modules ``services/bot/features/__init__.py`` loads by name. The bot talks to the
services over HTTP only: importing ``services.<svc>`` (its ``domain`` above all) is refused."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from services.bot.features import FEATURE_MODULES

ROOT = Path(__file__).resolve().parents[3]
BOT = ROOT / "services" / "bot"
MODULES = sorted(p for p in BOT.rglob("*.py") if "migrations" not in p.parts)


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    package = _name(path) if path.name == "__init__.py" else _name(path).rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> set[str]:
    """Every module ``source`` imports (absolute names; ``from x import y`` also counts ``x.y``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def import_graph() -> dict[str, set[str]]:
    modules = {_name(p): p for p in MODULES}
    graph = {name: {i for i in _imports(path) if i in modules and i != name} for name, path in modules.items()}
    graph["services.bot.features"] |= set(FEATURE_MODULES)  # imported by name (importlib)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (first module repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_graph_sees_type_checking_and_feature_imports():
    graph = import_graph()
    assert "services.bot.context" in graph["services.bot.app"]
    assert "services.bot.commands" in graph["services.bot.context"]  # under TYPE_CHECKING
    assert set(FEATURE_MODULES) <= graph["services.bot.features"]


def test_no_import_cycle_among_the_bots_modules():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_handlers_and_the_intake_do_not_import_the_bot_process():
    graph = import_graph()
    for name in ("services.bot.context", "services.bot.intake", "services.bot.session", *FEATURE_MODULES):
        assert "services.bot.app" not in graph[name], name


def other_services(names: set[str]) -> set[str]:
    return {n for n in names if n.startswith("services.") and n.split(".")[1] not in ("bot", "")}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(BOT)))
def test_the_bot_imports_no_other_service(path: Path):
    assert other_services(_imports(path)) == set(), f"{path.relative_to(ROOT)}: call the service over HTTP instead"


def test_a_domain_import_would_be_caught():
    source = ("from services.calendar.domain.messages import CATALOG\n"
              "import services.signals.domain.messages\n"
              "from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    from services.deliberation.domain import advice\n")
    assert other_services(imports_in(source, "services.bot.features")) >= {
        "services.calendar.domain.messages", "services.signals.domain.messages", "services.deliberation.domain"}
