"""Command modules of the bot. Each module has ``COMMANDS`` (a list of CommandSpec), may have
``REACTIONS`` (a list of (outbox key prefix, ``react_<what>`` handler)) and ``register_messages()``
for its texts. Add a feature by adding its module name here.

A feature module is built like the others (``tests/unit/foundation/test_features.py`` checks it):

- a handler per command, ``async def cmd_<word>(ctx: CommandContext, cmd: Command) -> Reply | list[Reply]``,
  where ``<word>`` is the Dutch command word; it reaches the services only through ``ctx``
  (``ctx.service("calendar")``, ``ctx.services.outbox``, ``ctx.now()``), never through the Bot;
- its table entry ``CommandSpec("<word>", cmd_<word>, "<help group>", "bot.<feature>.cmd.<word>", usage=…,
  english_aliases=(…,))``;
- its texts in ``services/bot/texts/<feature>.py`` (Dutch and English, codes ``bot.<feature>.…``), looked
  up with ``ctx.t(code, …)``;
- no import of another service's code: labels come from the service's JSON answer or from the texts.
"""
from __future__ import annotations

import importlib
from types import ModuleType

FEATURE_MODULES = [
    "services.bot.help",
    "services.bot.features.deliberation",
    "services.bot.features.calendar",
    "services.bot.features.signals",
    "services.bot.features.werkplek",
]


def load_features() -> list[ModuleType]:
    modules = [importlib.import_module(name) for name in FEATURE_MODULES]
    for module in modules:
        register = getattr(module, "register_messages", None)
        if register:
            register()
    return modules
