"""Commands as plain data, and the table that dispatches them.

A message starting with ``!`` is parsed into a :class:`Command`; the :class:`CommandTable` maps
its word (Dutch, or an English alias) to a :class:`CommandSpec`. Handlers are async functions
``handler(ctx, cmd) -> Reply | list[Reply] | None``. Each feature contributes a list of specs.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable

_COMMAND = re.compile(r"^\s*!(?P<word>[^\s!]{1,40})(?:\s+(?P<args>.*))?\s*$", re.DOTALL)


@dataclass(frozen=True)
class Command:
    word: str  # as typed, lower-cased
    args: str  # the rest, stripped; may span lines
    raw: str

    @property
    def arg_words(self) -> list[str]:
        return self.args.split()


def parse(body: str) -> Command | None:
    """``None`` for ordinary chat; a Command for anything that starts with ``!``."""
    if not body:
        return None
    # A reply quotes the original as "> …" lines before the text (old clients): skip those.
    lines = [ln for ln in body.replace("\r\n", "\n").split("\n")]
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    text = "\n".join(lines).strip()
    m = _COMMAND.match(text)
    if not m:
        return None
    return Command(word=m.group("word").lower(), args=(m.group("args") or "").strip(), raw=text)


Handler = Callable[[Any, Command], Awaitable[Any]]


@dataclass(frozen=True)
class CommandSpec:
    name: str  # the Dutch command word users know
    handler: Handler
    group: str  # help section: algemeen, agenda, ronde, kalender, signalen, leden
    summary_key: str  # i18n code for a one-line description
    usage: str = ""  # argument syntax, e.g. "<nr> belang <1-5> invloed <1-5>"
    aliases: tuple[str, ...] = ()  # English aliases
    english_aliases: tuple[str, ...] = ()  # aliases that also switch the reply to English
    secretary_only: bool = False


@dataclass
class CommandTable:
    specs: list[CommandSpec] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_word: dict[str, CommandSpec] = {}
        for spec in list(self.specs):
            self._index(spec)

    def _index(self, spec: CommandSpec) -> None:
        for word in (spec.name, *spec.aliases, *spec.english_aliases):
            if word in self._by_word and self._by_word[word] is not spec:
                raise ValueError(f"command word !{word} registered twice")
            self._by_word[word] = spec

    def add(self, specs: Iterable[CommandSpec]) -> None:
        for spec in specs:
            self.specs.append(spec)
            self._index(spec)

    def lookup(self, word: str) -> CommandSpec | None:
        return self._by_word.get(word)

    def is_english_alias(self, word: str) -> bool:
        spec = self._by_word.get(word)
        return bool(spec and word in spec.english_aliases)

    def closest(self, word: str) -> str | None:
        match = difflib.get_close_matches(word, list(self._by_word), n=1, cutoff=0.5)
        if match:
            return self._by_word[match[0]].name if match[0] not in self._by_word[match[0]].english_aliases else match[0]
        return None

    def groups(self) -> dict[str, list[CommandSpec]]:
        out: dict[str, list[CommandSpec]] = {}
        for spec in self.specs:
            out.setdefault(spec.group, []).append(spec)
        return out
