"""The decision register (besluitenlijst): every agreement with its final text and version, the
date, the topic, each member's position (concerns with their text) and a link to the thread.

Rendered as Markdown and as a standalone, printable HTML page. Everything that came from a user
(proposal text, concerns, titles, names) is escaped, so it shows as text and never runs.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Iterable, Mapping
from urllib.parse import quote

from shared import i18n

from .background import Background, titled
from .consensus import Agreement, FinalPosition, Objection, ObjectionStatus, Position
from .influence import RealisedInfluence
from .scenarios import ScenarioObjection, ScenarioOutcome, ScenarioState

MATRIX_TO = "https://matrix.to/#/"


@dataclass(frozen=True)
class RegisterEntry:
    agreement: Agreement
    topic_title: str
    thread_url: str | None = None  # a matrix.to link to the round's thread
    # Every objection raised in the round, and how it ended: the list shows no objection was dropped.
    objections: tuple[Objection, ...] = ()


@dataclass(frozen=True)
class ScenarioRecord:
    """An ended scenario round in the decision list: agreement on one option, or "meegedacht" (the council's view
    on every option went to the board as co-creation input). Every option with its positions, the objections
    that stood and the concerns; every objection raised, and how it ended."""

    outcome: ScenarioOutcome
    topic_title: str
    objections: tuple[ScenarioObjection, ...] = ()
    thread_url: str | None = None


def influence_line(record: RealisedInfluence, names: Mapping[str, str], lang: str | None = None) -> str:
    """One line of what changed because of the council: the day, the realised influence, what the board did."""
    return i18n.t("delib.register.influence.line", lang, date=i18n.fmt_date(record.recorded_on, lang),
                  score=record.score, kind=i18n.t(f"delib.influence_kind.{record.kind.value}", lang),
                  what=" ".join(record.what_changed.split()))


def scenario_objection_line(o: ScenarioObjection, names: Mapping[str, str], lang: str | None = None) -> str:
    status = i18n.t(f"delib.objection_status.{o.status.value}", lang)
    if o.status is ObjectionStatus.RESOLVED_BY_AMENDMENT and o.resolved_in_version:
        status = i18n.t("delib.register.objection.by_version", lang, version=o.resolved_in_version)
    line = i18n.t("delib.register.scenarios.objection", lang, name=_name(o.member, names), option=o.raised_option,
                  version=o.raised_version, argument=" ".join(o.argument.split()), outcome=status)
    if o.option != o.raised_option:
        line += " " + i18n.t("delib.register.scenarios.objection_moved", lang, option=o.option)
    if o.note:
        line += " — " + " ".join(o.note.split())
    return line


def _scenario_lines(record: ScenarioRecord, names: Mapping[str, str], lang: str | None) -> list[tuple[str, list[str]]]:
    """The record as (heading, items) blocks, for both renderings."""
    o = record.outcome
    blocks: list[tuple[str, list[str]]] = []
    for option in o.options:
        head = i18n.t("delib.register.scenarios.option", lang, option=option.option, version=option.version,
                      source=i18n.t(f"delib.option_source.{option.source.value}", lang))
        if o.agreed_option == option.option:
            head += " — " + i18n.t("delib.register.scenarios.agreed_option", lang)
        if option.merged_into is not None:
            head += " — " + i18n.t("delib.register.scenarios.merged_into", lang, option=option.merged_into)
        items = [" ".join(option.text.split())]
        for p in option.positions:
            line = f"{_name(p.member, names)}: {i18n.t(f'delib.register.position.{p.position.value}', lang)}"
            if p.text and p.position in (Position.BEDENKING, Position.BEZWAAR):
                line += " — " + " ".join(p.text.split())
            items.append(line)
        for x in option.open_objections:
            items.append(i18n.t("delib.register.scenarios.standing", lang, name=_name(x.member, names),
                                argument=" ".join(x.argument.split())))
        if option.preferred_by:
            items.append(i18n.t("delib.register.scenarios.preferred", lang,
                                names=", ".join(_name(m, names) for m in option.preferred_by)))
        blocks.append((head, items))
    return blocks


def with_objections(entry: RegisterEntry, objections: Iterable[Objection]) -> RegisterEntry:
    return replace(entry, objections=tuple(objections))


def objection_outcome(objection: Objection, names: Mapping[str, str], lang: str | None = None) -> str:
    """One line: who objected to which version, with what argument, and how it ended."""
    status = i18n.t(f"delib.objection_status.{objection.status.value}", lang)
    if objection.status is ObjectionStatus.RESOLVED_BY_AMENDMENT and objection.resolved_in_version:
        status = i18n.t("delib.register.objection.by_version", lang, version=objection.resolved_in_version)
    line = i18n.t("delib.register.objection.line", lang, name=_name(objection.member, names),
                  version=objection.version, argument=" ".join(objection.argument.split()), outcome=status)
    if objection.note:
        line += " — " + " ".join(objection.note.split())
    return line


def matrix_to_url(room_id: str, event_id: str | None = None) -> str:
    """``https://matrix.to/#/<room>/<event>``, with the ids percent-encoded as matrix.to expects."""
    url = MATRIX_TO + quote(room_id, safe="")
    return url + "/" + quote(event_id, safe="") if event_id else url


def filter_entries(entries: Iterable[RegisterEntry], *, start: date | None = None, end: date | None = None,
                   topic_id: int | None = None, council_id: str | None = None) -> tuple[RegisterEntry, ...]:
    """Entries decided from ``start`` up to and including ``end``, oldest first."""
    chosen = [e for e in entries
              if (start is None or e.agreement.decided_on >= start)
              and (end is None or e.agreement.decided_on <= end)
              and (topic_id is None or e.agreement.topic_id == topic_id)
              and (council_id is None or e.agreement.council_id == council_id)]
    return tuple(sorted(chosen, key=lambda e: (e.agreement.decided_at, e.agreement.round_id)))


def position_label(position: FinalPosition, lang: str | None = None) -> str:
    return i18n.t(f"delib.register.position.{position.position.value}", lang)


# --------------------------------------------------------------------------- Markdown


# Enough to stop emphasis, code, links, headings and tables; the rest of Markdown is harmless here.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")


def _md(text: str) -> str:
    """Markdown-escape foreign text; &, < and > become entities so no raw HTML gets through."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_url(url: str | None) -> str | None:
    if not url or not url.startswith("https://"):
        return None
    return quote(url, safe=":/#!$&'*+,;=?@%~-._")


def to_markdown(entries: Iterable[RegisterEntry], *, council_name: str, lang: str | None = None,
                start: date | None = None, end: date | None = None,
                display_names: Mapping[str, str] | None = None, scenarios: Iterable[ScenarioRecord] = (),
                influence: Mapping[int, Iterable[RealisedInfluence]] | None = None,
                background: Mapping[int, Iterable[Background]] | None = None) -> str:
    """The besluitenlijst as Markdown. ``start``/``end`` only label the period; filter first. ``scenarios``: the
    ended scenario rounds (co-creation); ``influence``: what changed because of the council, by topic id;
    ``background``: the topics' background notes (a residents' consultation's summary), by topic id."""
    names = display_names or {}
    influence = influence or {}
    background = background or {}
    entries = list(entries)
    scenarios = list(scenarios)
    out = [f"# {_md(i18n.t('delib.register.title', lang, council=council_name))}", ""]
    period = _period(start, end, lang)
    if period:
        out += [_md(period), ""]
    if not entries and not scenarios:
        out.append(_md(i18n.t("delib.register.empty", lang)))
    for number, entry in enumerate(entries, start=1):
        a = entry.agreement
        out += [f"## {number}. {_md(entry.topic_title)}", ""]
        out.append(f"- {_md(i18n.t('delib.register.date', lang))}: {_md(i18n.fmt_date(a.decided_on, lang))}")
        out.append(f"- {_md(i18n.t('delib.register.topic', lang))}: \\#{a.topic_id} {_md(entry.topic_title)}")
        out.append(f"- {_md(i18n.t('delib.register.proposal', lang))}: "
                   f"{_md(i18n.t('delib.register.version', lang, version=a.version))}")
        url = _md_url(entry.thread_url)
        if url:
            out.append(f"- [{_md(i18n.t('delib.register.thread', lang))}](<{url}>)")
        out += ["", *(("> " + _md(line)) if line else ">" for line in a.text.split("\n")), ""]
        notes = list(background.get(a.topic_id, ()))
        if notes:
            out += [f"**{_md(i18n.t('delib.register.background', lang))}**", ""]
            out += [f"- {_md(background_text(n))}" for n in notes]
            out.append("")
        out += [f"**{_md(i18n.t('delib.register.positions', lang))}**", ""]
        for p in a.positions:
            line = f"- {_md(_name(p.member, names))}: {_md(position_label(p, lang))}"
            if p.text and p.position is Position.BEDENKING:
                line += " — " + _md(" ".join(p.text.split()))
            out.append(line)
        if a.absent:
            out.append(f"- {_md(i18n.t('delib.register.absent', lang))}: "
                       + ", ".join(_md(_name(m, names)) for m in a.absent))
        if entry.objections:
            out += ["", f"**{_md(i18n.t('delib.register.objections', lang))}**", ""]
            out += [f"- {_md(objection_outcome(o, names, lang))}" for o in entry.objections]
        out += _md_influence(influence.get(a.topic_id, ()), names, lang)
        out.append("")
    if scenarios:
        out += [f"## {_md(i18n.t('delib.register.scenarios.title', lang))}", ""]
    for record in scenarios:
        o = record.outcome
        out += [f"### {_md(i18n.t('delib.register.scenarios.heading', lang, round_id=o.round_id, title=o.title))}",
                ""]
        out.append(f"- {_md(i18n.t('delib.register.date', lang))}: {_md(i18n.fmt_date(o.decided_on, lang))}")
        out.append(f"- {_md(i18n.t('delib.register.topic', lang))}: \\#{o.topic_id} {_md(record.topic_title)}")
        out.append(f"- {_md(i18n.t('delib.register.scenarios.ending', lang))}: "
                   f"{_md(_ending(o, lang))}")
        url = _md_url(record.thread_url)
        if url:
            out.append(f"- [{_md(i18n.t('delib.register.thread', lang))}](<{url}>)")
        if o.note:
            out += ["", *(("> " + _md(line)) if line else ">" for line in o.note.split("\n"))]
        notes = list(background.get(o.topic_id, ()))
        if notes:
            out += ["", f"**{_md(i18n.t('delib.register.background', lang))}**", ""]
            out += [f"- {_md(background_text(n))}" for n in notes]
        for head, items in _scenario_lines(record, names, lang):
            out += ["", f"**{_md(head)}**", ""]
            out += [f"- {_md(item)}" for item in items]
        if o.absent:
            out += ["", f"- {_md(i18n.t('delib.register.absent', lang))}: "
                    + ", ".join(_md(_name(m, names)) for m in o.absent)]
        if record.objections:
            out += ["", f"**{_md(i18n.t('delib.register.objections', lang))}**", ""]
            out += [f"- {_md(scenario_objection_line(x, names, lang))}" for x in record.objections]
        out += _md_influence(influence.get(o.topic_id, ()), names, lang)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _ending(o: ScenarioOutcome, lang: str | None) -> str:
    if o.kind is ScenarioState.AGREED:
        return i18n.t("delib.register.scenarios.ending.agreed", lang, option=o.agreed_option)
    return i18n.t("delib.register.scenarios.ending.input", lang)


def _md_influence(records: Iterable[RealisedInfluence], names: Mapping[str, str], lang: str | None) -> list[str]:
    records = list(records)
    if not records:
        return []
    return ["", f"**{_md(i18n.t('delib.register.influence', lang))}**", "",
            *(f"- {_md(influence_line(r, names, lang))}" for r in records)]


# --------------------------------------------------------------------------- printable HTML

_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111;
       line-height: 1.45; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
.period { color: #444; margin-top: 0; }
article { border-top: 1px solid #bbb; padding: .8rem 0 1rem; break-inside: avoid; page-break-inside: avoid; }
h2 { font-size: 1.2rem; margin: .2rem 0 .4rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0 0 .6rem; }
dt { font-weight: 600; }
dd { margin: 0; }
blockquote { white-space: pre-wrap; margin: .4rem 0 .8rem; padding: .5rem .8rem;
             border-left: 4px solid #4a7; background: #f4f8f5; }
ul.positions { margin: .2rem 0 0; padding-left: 1.2rem; }
.concern { font-style: italic; }
@page { size: A4; margin: 18mm 16mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 11pt; }
  a { color: inherit; text-decoration: none; }
  a[href]::after { content: " (" attr(href) ")"; font-size: 8.5pt; word-break: break-all; }
  blockquote { background: none; }
}
""".strip()


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def to_html(entries: Iterable[RegisterEntry], *, council_name: str, lang: str | None = None,
            start: date | None = None, end: date | None = None,
            display_names: Mapping[str, str] | None = None, scenarios: Iterable[ScenarioRecord] = (),
            influence: Mapping[int, Iterable[RealisedInfluence]] | None = None,
            background: Mapping[int, Iterable[Background]] | None = None) -> str:
    """The besluitenlijst as one standalone HTML page with print styles (A4)."""
    lang = i18n.normalise_language(lang)
    names = display_names or {}
    influence = influence or {}
    background = background or {}
    entries = list(entries)
    scenarios = list(scenarios)
    title = i18n.t("delib.register.title", lang, council=council_name)
    parts = ["<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{_h(title)}</title>", f"<style>\n{_CSS}\n</style>", "</head>", "<body>",
             f"<h1>{_h(title)}</h1>"]
    period = _period(start, end, lang)
    if period:
        parts.append(f'<p class="period">{_h(period)}</p>')
    if not entries and not scenarios:
        parts.append(f"<p>{_h(i18n.t('delib.register.empty', lang))}</p>")
    for number, entry in enumerate(entries, start=1):
        a = entry.agreement
        parts.append(f'<article id="besluit-{a.round_id}">')
        parts.append(f"<h2>{number}. {_h(entry.topic_title)}</h2>")
        parts.append("<dl>")
        parts.append(f"<dt>{_h(i18n.t('delib.register.date', lang))}</dt>"
                     f'<dd><time datetime="{a.decided_on.isoformat()}">{_h(i18n.fmt_date(a.decided_on, lang))}'
                     "</time></dd>")
        parts.append(f"<dt>{_h(i18n.t('delib.register.topic', lang))}</dt>"
                     f"<dd>#{a.topic_id} {_h(entry.topic_title)}</dd>")
        parts.append(f"<dt>{_h(i18n.t('delib.register.proposal', lang))}</dt>"
                     f"<dd>{_h(i18n.t('delib.register.version', lang, version=a.version))}</dd>")
        if entry.thread_url and entry.thread_url.startswith("https://"):
            parts.append(f"<dt>{_h(i18n.t('delib.register.thread_label', lang))}</dt>"
                         f'<dd><a href="{_h(entry.thread_url)}">{_h(i18n.t("delib.register.thread", lang))}</a></dd>')
        parts.append("</dl>")
        parts.append(f"<blockquote>{_h(a.text)}</blockquote>")
        notes = list(background.get(a.topic_id, ()))
        if notes:
            parts.append(f"<strong>{_h(i18n.t('delib.register.background', lang))}</strong>")
            parts.append('<ul class="background">')
            parts += [f"<li>{_h(background_text(n))}</li>" for n in notes]
            parts.append("</ul>")
        parts.append(f"<strong>{_h(i18n.t('delib.register.positions', lang))}</strong>")
        parts.append('<ul class="positions">')
        for p in a.positions:
            item = f"{_h(_name(p.member, names))}: {_h(position_label(p, lang))}"
            if p.text and p.position is Position.BEDENKING:
                item += f' — <span class="concern">{_h(p.text)}</span>'
            parts.append(f"<li>{item}</li>")
        if a.absent:
            parts.append(f"<li>{_h(i18n.t('delib.register.absent', lang))}: "
                         f"{_h(', '.join(_name(m, names) for m in a.absent))}</li>")
        parts.append("</ul>")
        if entry.objections:
            parts.append(f"<strong>{_h(i18n.t('delib.register.objections', lang))}</strong>")
            parts.append('<ul class="objections">')
            parts += [f"<li>{_h(objection_outcome(o, names, lang))}</li>" for o in entry.objections]
            parts.append("</ul>")
        parts += _html_influence(influence.get(a.topic_id, ()), names, lang)
        parts.append("</article>")
    if scenarios:
        parts.append(f"<h2>{_h(i18n.t('delib.register.scenarios.title', lang))}</h2>")
    for record in scenarios:
        o = record.outcome
        parts.append(f'<article id="scenarios-{o.round_id}">')
        parts.append(f"<h3>{_h(i18n.t('delib.register.scenarios.heading', lang, round_id=o.round_id, title=o.title))}"
                     "</h3>")
        parts.append("<dl>")
        parts.append(f"<dt>{_h(i18n.t('delib.register.date', lang))}</dt>"
                     f'<dd><time datetime="{o.decided_on.isoformat()}">{_h(i18n.fmt_date(o.decided_on, lang))}'
                     "</time></dd>")
        parts.append(f"<dt>{_h(i18n.t('delib.register.topic', lang))}</dt>"
                     f"<dd>#{o.topic_id} {_h(record.topic_title)}</dd>")
        parts.append(f"<dt>{_h(i18n.t('delib.register.scenarios.ending', lang))}</dt><dd>{_h(_ending(o, lang))}</dd>")
        if record.thread_url and record.thread_url.startswith("https://"):
            parts.append(f"<dt>{_h(i18n.t('delib.register.thread_label', lang))}</dt>"
                         f'<dd><a href="{_h(record.thread_url)}">{_h(i18n.t("delib.register.thread", lang))}</a></dd>')
        parts.append("</dl>")
        if o.note:
            parts.append(f"<blockquote>{_h(o.note)}</blockquote>")
        notes = list(background.get(o.topic_id, ()))
        if notes:
            parts.append(f"<strong>{_h(i18n.t('delib.register.background', lang))}</strong>")
            parts.append('<ul class="background">')
            parts += [f"<li>{_h(background_text(n))}</li>" for n in notes]
            parts.append("</ul>")
        for head, items in _scenario_lines(record, names, lang):
            parts.append(f"<strong>{_h(head)}</strong>")
            parts.append('<ul class="positions">')
            parts += [f"<li>{_h(item)}</li>" for item in items]
            parts.append("</ul>")
        if o.absent:
            parts.append(f"<p>{_h(i18n.t('delib.register.absent', lang))}: "
                         f"{_h(', '.join(_name(m, names) for m in o.absent))}</p>")
        if record.objections:
            parts.append(f"<strong>{_h(i18n.t('delib.register.objections', lang))}</strong>")
            parts.append('<ul class="objections">')
            parts += [f"<li>{_h(scenario_objection_line(x, names, lang))}</li>" for x in record.objections]
            parts.append("</ul>")
        parts += _html_influence(influence.get(o.topic_id, ()), names, lang)
        parts.append("</article>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------- helpers


def _html_influence(records: Iterable[RealisedInfluence], names: Mapping[str, str], lang: str | None) -> list[str]:
    records = list(records)
    if not records:
        return []
    return [f"<strong>{_h(i18n.t('delib.register.influence', lang))}</strong>", '<ul class="influence">',
            *(f"<li>{_h(influence_line(r, names, lang))}</li>" for r in records), "</ul>"]


def background_text(note: Background) -> str:
    """A background note in full in the decision list: its title and text on one line."""
    return titled(note, " ".join(note.text.split()))


def _name(matrix_id: str, names: Mapping[str, str]) -> str:
    return names.get(matrix_id) or matrix_id


def _period(start: date | None, end: date | None, lang: str | None) -> str | None:
    if start and end:
        return i18n.t("delib.register.period", lang, start=i18n.fmt_date(start, lang), end=i18n.fmt_date(end, lang))
    if start:
        return i18n.t("delib.register.period_from", lang, start=i18n.fmt_date(start, lang))
    if end:
        return i18n.t("delib.register.period_until", lang, end=i18n.fmt_date(end, lang))
    return None
