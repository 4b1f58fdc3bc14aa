"""Every feature module loads together: no command word is claimed twice, every command has help
text in Dutch and English. The feature modules are built alike: handler ``cmd_<word>``, help line
``bot.<feature>.cmd.<word>``, texts in ``services/bot/texts/<feature>.py`` under ``bot.<feature>.``."""
import ast
import importlib
import inspect
import re

import pytest

from services.bot.commands import CommandTable
from services.bot.features import FEATURE_MODULES, load_features
from services.bot.messages import register_messages
from shared import i18n

FEATURES = [name.rsplit(".", 1)[1] for name in FEATURE_MODULES if name.startswith("services.bot.features.")]


def test_all_feature_modules_load_into_one_table():
    register_messages()
    table = CommandTable()
    for module in load_features():
        table.add(getattr(module, "COMMANDS", []))
    names = {spec.name for spec in table.specs}
    assert {"hulp", "taal"} <= names
    for spec in table.specs:
        assert i18n.t(spec.summary_key, "nl") != spec.summary_key, spec.name
        assert i18n.t(spec.summary_key, "en") != spec.summary_key, spec.name


def test_every_service_has_its_feature():
    assert set(FEATURES) == {"deliberation", "calendar", "signals", "werkplek"}


@pytest.mark.parametrize("feature", FEATURES)
def test_commands_are_named_alike(feature):
    module = importlib.import_module(f"services.bot.features.{feature}")
    for spec in module.COMMANDS:
        assert spec.handler.__name__ == f"cmd_{spec.name}", spec.name
        assert spec.handler.__module__ == module.__name__, spec.name
        assert inspect.iscoroutinefunction(spec.handler), spec.name
        assert spec.summary_key == f"bot.{feature}.cmd.{spec.name}", spec.name
    for _, handler in getattr(module, "REACTIONS", []):
        assert handler.__name__.startswith("react_"), handler.__name__


@pytest.mark.parametrize("feature", FEATURES)
def test_texts_live_in_the_features_catalogue_under_its_prefix(feature):
    texts = importlib.import_module(f"services.bot.texts.{feature}").CATALOG
    assert set(texts) == {"nl", "en"}
    assert set(texts["nl"]) == set(texts["en"]), set(texts["nl"]) ^ set(texts["en"])
    for code in texts["nl"]:
        assert code.startswith(f"bot.{feature}.") or code.startswith("bot.group."), code
    module = importlib.import_module(f"services.bot.features.{feature}")
    assert not hasattr(module, "CATALOG") or module.CATALOG is texts  # no second catalogue in the code


@pytest.mark.parametrize("feature", FEATURES)
def test_every_code_the_feature_uses_is_in_its_catalogue(feature):
    """A code typo (or a code left behind by a rename) shows the member the bare code: caught here."""
    codes = set(importlib.import_module(f"services.bot.texts.{feature}").CATALOG["nl"])
    source = inspect.getsource(importlib.import_module(f"services.bot.features.{feature}"))
    prefix = re.compile(rf"^bot\.{feature}\.[\w.-]*$")
    tree = ast.parse(source)
    in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    used = 0
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and id(node) not in in_fstrings and isinstance(node.value, str)
                and prefix.match(node.value)):
            assert node.value in codes, node.value
            used += 1
        elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            head = node.values[0].value
            if isinstance(head, str) and head.startswith(f"bot.{feature}."):
                assert any(code.startswith(head) for code in codes), head
                used += 1
    assert used > len(importlib.import_module(f"services.bot.features.{feature}").COMMANDS)
