"""Shared fixtures for the signals domain tests."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from services.signals.domain.messages import register_messages
from services.signals.domain.themes import Taxonomy, load_default_taxonomy
from services.signals.domain.wijken import Neighbourhoods, load_rotterdam

ROOT = Path(__file__).resolve().parents[3]
DEV_DATA = ROOT / "tests" / "data" / "signals-dev.jsonl"


@pytest.fixture(scope="session", autouse=True)
def _messages() -> None:
    register_messages()


@pytest.fixture(scope="session")
def dev_records() -> list[dict[str, Any]]:
    with DEV_DATA.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_default_taxonomy()


@pytest.fixture(scope="session")
def rotterdam() -> Neighbourhoods:
    return load_rotterdam()


@pytest.fixture(scope="session")
def quality() -> ModuleType:
    """bench/signals_quality.py, so tests measure exactly what the benchmark reports."""
    spec = importlib.util.spec_from_file_location("signals_quality", ROOT / "bench" / "signals_quality.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module     # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module
