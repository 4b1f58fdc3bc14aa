"""Neighbourhoods (buurten) of a council and finding the one a signal is about.

The labelling rule: a buurt counts only when the text names it as a whole word ("Carnisse" in
"Carnisse-Noord" counts, "Carnisselaan" does not); "de Kaap" is Katendrecht; a street alone
says nothing; and when two or more different buurten are named the signal gets none.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib import resources

from shared.errors import InvalidInput

from .textutil import fold

# Buurt names that are also ordinary words ("cool", "dorp"): only capitalised, and not as the
# first word of a sentence, do they name the neighbourhood.
_COMMON_WORD_NAMES = frozenset({"cool", "dorp", "strand en duin", "nieuwe werk", "het lage land"})


# First person, a few words, then "in/op/aan (de)": "wij in", "ik woon op", "bij ons in de".
_HOME_RE = re.compile(
    r"\b(?:wij|we|ik|ons|onze|mijn|i|my|our)\b(?:[ \t]+[^\W\d_]+){0,3}[ \t]+(?:in|op|aan)"
    r"(?:[ \t]+(?:de|het|the))?[ \t]+$", re.IGNORECASE)


@dataclass(frozen=True)
class Neighbourhood:
    name: str
    code: str = ""
    area: str = ""
    area_code: str = ""


@dataclass(frozen=True)
class _Matcher:
    target: str
    pattern: re.Pattern[str]
    needs_capital: bool


class Neighbourhoods:
    """A council's list of buurten, with optional aliases (alias → buurt name)."""

    def __init__(self, items: list[Neighbourhood], aliases: dict[str, str] | None = None) -> None:
        if not items:
            raise InvalidInput("signals.neighbourhoods_invalid", "no neighbourhoods given")
        self.items: tuple[Neighbourhood, ...] = tuple(items)
        self._by_key = {_key(n.name): n for n in self.items}
        self.aliases: dict[str, str] = {}
        for alias, target in (aliases or {}).items():
            if _key(target) not in self._by_key:
                raise InvalidInput("signals.neighbourhoods_invalid", "alias for an unknown buurt")
            self.aliases[alias] = self._by_key[_key(target)].name
        matchers = [_Matcher(n.name, _pattern(n.name), fold(n.name) in _COMMON_WORD_NAMES)
                    for n in self.items]
        matchers += [_Matcher(t, _pattern(a), False) for a, t in self.aliases.items()]
        self._matchers = tuple(matchers)

    @classmethod
    def from_csv_text(cls, text: str, aliases: dict[str, str] | None = None) -> "Neighbourhoods":
        """CSV with a ``wijk`` (buurt name) column; ``cbs_buurt_code``, ``gebied`` and
        ``cbs_wijk_code`` are used when present."""
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        if not reader.fieldnames or "wijk" not in reader.fieldnames:
            raise InvalidInput("signals.neighbourhoods_invalid", "neighbourhood CSV needs a wijk column")
        items = []
        seen: set[str] = set()
        for row in reader:
            name = (row.get("wijk") or "").strip()
            if not name or _key(name) in seen:
                continue
            seen.add(_key(name))
            items.append(Neighbourhood(name, (row.get("cbs_buurt_code") or "").strip(),
                                       (row.get("gebied") or "").strip(),
                                       (row.get("cbs_wijk_code") or "").strip()))
        return cls(items, aliases)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.items)

    def get(self, name: str) -> Neighbourhood | None:
        """The buurt called ``name`` (case, hyphens and aliases forgiven), or None."""
        key = _key(name)
        if key in self._by_key:
            return self._by_key[key]
        for alias, target in self.aliases.items():
            if _key(alias) == key:
                return self._by_key[_key(target)]
        return None

    def resolve(self, name: str) -> str:
        """The canonical name for a buurt a member or resident typed (``wijk=<buurt>``)."""
        found = self.get(name)
        if found is None:
            raise InvalidInput("signals.wijk_unknown", "unknown neighbourhood", wijk=name.strip()[:60])
        return found.name

    def mentions(self, text: str) -> list[str]:
        """Distinct buurten named in ``text``, in order of first mention."""
        text = text.replace("’", "'")
        hits: list[tuple[int, int, str]] = []
        for m in self._matchers:
            for found in m.pattern.finditer(text):
                if m.needs_capital and not _capitalised_mid_sentence(text, found.start()):
                    continue
                hits.append((found.start(), found.end(), m.target))
        # "Kop van Zuid-Entrepot" also contains "Kop van Zuid": the longer mention wins.
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        kept: list[tuple[int, int, str]] = []
        for h in hits:
            if not any(h[0] < k[1] and k[0] < h[1] for k in kept):
                kept.append(h)
        out: list[str] = []
        for _, _, name in sorted(kept):
            if name not in out:
                out.append(name)
        return out

    def detect(self, text: str) -> str | None:
        """The one buurt the text is about, or None: none named, or several named without
        the text being about one of them. "Wij in Pendrecht …, ze in Nieuw Crooswijk …" is
        about Pendrecht: exactly one of the buurten is where the writer lives."""
        named = self.mentions(text)
        if len(named) <= 1:
            return named[0] if named else None
        home = {name for start, name in self._mention_starts(text)
                if _HOME_RE.search(text[max(0, start - 50):start])}
        return home.pop() if len(home) == 1 else None

    def _mention_starts(self, text: str) -> list[tuple[int, str]]:
        text = text.replace("’", "'")
        return [(found.start(), m.target) for m in self._matchers for found in m.pattern.finditer(text)]


def _key(name: str) -> str:
    return re.sub(r"[\s-]+", " ", fold(name).replace("’", "'")).strip()


def _pattern(name: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"[\s-]+", name.strip()) if p]
    return re.compile(r"(?<!\w)" + r"[\s-]+".join(parts) + r"(?!\w)", re.IGNORECASE)


def _capitalised_mid_sentence(text: str, pos: int) -> bool:
    if not text[pos].isupper():
        return False
    before = text[:pos].rstrip()
    return bool(before) and before[-1] not in ".!?:\n"


def load_rotterdam() -> Neighbourhoods:
    """Rotterdam's buurten from the CSV shipped with the signals service."""
    text = resources.files("services.signals").joinpath("data/rotterdam-wijken.csv").read_text("utf-8")
    return Neighbourhoods.from_csv_text(text, aliases={"de Kaap": "Katendrecht"})
