"""Command modules of the bot. Each module has ``COMMANDS`` (a list of CommandSpec), may have
``REACTIONS`` (a list of (key prefix, handler)) and ``register_messages()`` for its texts.
Add a feature by adding its module name here."""
from __future__ import annotations

import importlib
from types import ModuleType

FEATURE_MODULES = [
    "services.bot.help",
    "services.bot.features.deliberation",
    "services.bot.features.calendar",
    "services.bot.features.signals",
]


def load_features() -> list[ModuleType]:
    modules = [importlib.import_module(name) for name in FEATURE_MODULES]
    for module in modules:
        register = getattr(module, "register_messages", None)
        if register:
            register()
    return modules
