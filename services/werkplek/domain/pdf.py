"""The besluitenlijst as an A4 PDF: the same content as the Markdown/HTML export (every decision with its version,
bedenkingen, objections and how they ended, what changed because of the council, and the ended scenario rounds),
from the plain data deliberation's register answers (dicts as its JSON has them).

The PDF library (fpdf2's ``FPDF``) is handed in by the caller, so this module stays pure (no import of it here:
the domain purity test allows only libraries on its list); the layout is all here. Nothing reads the clock: the
moment of the export is a parameter and is also the document's creation date, so the same data gives the same
bytes.

Letters: no font files ship with Overleg, so the caller looks for a Unicode TrueType family on the machine (DejaVu
Sans, Liberation Sans) and hands in its file paths as a :class:`Font`; embedded (fpdf2 embeds only the glyphs
used), it keeps names such as "Şükrü Yılmaz" and "Łucja" letter for letter, and :func:`printable` maps only what
that font has no glyph for. Without one, the core font (Helvetica) encodes Latin-1 only: :func:`latin1` maps the
typographic characters Dutch text uses (curly quotes, dashes, ellipsis, euro, bullets) to close Latin-1
equivalents, letters with a diacritic outside Latin-1 to their base letter, and anything else to '?'. Dutch
letters (ë, é, ï, ü, ...) are Latin-1 and stay as they are. Scripts written right to left or with joined
letters (Arabic) would need fpdf2's text shaping (uharfbuzz), which is not installed: their letters are kept,
drawn unjoined and left to right."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from os import PathLike
from typing import Any, Callable, Collection, Iterable, Mapping, Sequence

from shared import i18n

# Close Latin-1 equivalents of what Dutch (and chat) text uses beyond Latin-1.
_TYPOGRAPHIC = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u2039": "<", "\u203a": ">",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...", "\u20ac": "EUR", "\u2022": "\u00b7", "\u2023": "\u00b7", "\u2043": "-", "\u25cf": "\u00b7",
    "\u2122": "(TM)", "\u2264": "<=", "\u2265": ">=", "\u2260": "!=", "\u2192": "->", "\u2190": "<-",
    "\u2248": "~", "\u2030": "o/oo", "\u0152": "OE", "\u0153": "oe", "\u0132": "IJ", "\u0133": "ij",
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0131": "i",  # letters no mark decomposes
    "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u2007": " ", "\u2008": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "", "\u00ad": "",
    "\u2028": "\n", "\u2029": "\n",
}

CORE = "Helvetica"
UNICODE = "OverlegSans"  # the family name the embedded font is registered under
A4_MARGIN = 20  # mm on every side; the footer sits in the bottom margin
BODY = 10.5  # pt
LINE = 5.2  # mm per body line


def latin1(text: Any) -> str:
    """``text`` as the core font can write it: Latin-1, typographic characters mapped, the rest '?'."""
    out = []
    for ch in unicodedata.normalize("NFC", str(text or "")):
        if ch in _TYPOGRAPHIC:
            out.append(_TYPOGRAPHIC[ch])
        elif ch == "\n":
            out.append(ch)
        elif ch == "\t" or unicodedata.category(ch) in ("Zs", "Zl", "Zp"):
            out.append(" ")
        elif unicodedata.category(ch).startswith("C"):
            continue  # control and format characters: nothing to print
        elif ord(ch) < 256:
            out.append(ch)
        else:
            # ş -> s, ő -> o, ﬁ -> fi: the letters without their marks, when that leaves plain letters
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out.append(base if base.isascii() and base.isalpha() else "?")
    return "".join(out)


def printable(text: Any, glyphs: Collection[int]) -> str:
    """``text`` as a font with ``glyphs`` (the code points it draws) can write it: every character it has kept
    exactly, the rest (and control characters, line and paragraph separators) as :func:`latin1` maps them."""
    return "".join(ch if ord(ch) in glyphs and not unicodedata.category(ch).startswith(("C", "Zl", "Zp"))
                   else latin1(ch)
                   for ch in unicodedata.normalize("NFC", str(text or "")))


@dataclass(frozen=True)
class Font:
    """A Unicode TrueType family as files the caller found: regular and bold, italic when there is one."""

    regular: str | PathLike[str]
    bold: str | PathLike[str]
    italic: str | PathLike[str] | None = None


def matches(outcome: Mapping[str, Any], q: str | None) -> bool:
    """Whether a scenario outcome holds every word of the search, as deliberation searches the decisions."""
    words = (q or "").lower().split()
    if not words:
        return True
    parts = [outcome.get("topic_title"), outcome.get("title"), outcome.get("note")]
    for o in outcome.get("options") or ():
        parts += [o.get("text"), *(p.get("text") for p in o.get("positions") or ()),
                  *(c.get("text") for c in o.get("concerns") or ())]
    for x in outcome.get("objections") or ():
        parts += [x.get("argument"), x.get("note")]
    haystack = " ".join(str(p) for p in parts if p).lower()
    return all(w in haystack for w in words)


def _day(value: Any, lang: str) -> str:
    if not value:
        return "-"
    try:
        return i18n.fmt_date(value if isinstance(value, date) else date.fromisoformat(str(value)[:10]), lang)
    except ValueError:
        return "-"


def _name(person: Any) -> str:
    return str((person or {}).get("display_name") or (person or {}).get("matrix_id") or "?")


def _flat(text: Any) -> str:
    return " ".join(str(text or "").split())


class _Writer:
    """Headings, paragraphs and bulleted lists on the pages of one FPDF document."""

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf
        self.text: Callable[[Any], str] = pdf._printable

    def font(self, style: str = "", size: float = BODY) -> None:
        self.pdf._face(style, size)

    def heading(self, text: str, level: int, size: float, *, outline: int | None = None) -> None:
        pdf = self.pdf
        # A heading never stands alone at the foot of a page: it moves on with what follows.
        if pdf.get_y() > pdf.page_break_trigger - 3 * LINE - size * 0.6:
            pdf.add_page()
        elif pdf.get_y() > pdf.t_margin + 1:
            pdf.ln(2.5 if level > 2 else 4)
            if level == 2:  # a rule between one decision and the next
                pdf.set_draw_color(170)
                pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
                pdf.set_draw_color(0)
                pdf.ln(3)
        if outline is not None:
            pdf.start_section(self.text(text), level=outline)
        self.font("B", size)
        pdf.multi_cell(0, size * 0.5, self.text(text), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        self.font()

    def paragraph(self, text: str, *, style: str = "", indent: float = 0, size: float = BODY) -> None:
        pdf = self.pdf
        self.font(style, size)
        for part in self.text(text).split("\n"):
            pdf.set_x(pdf.l_margin + indent)
            pdf.multi_cell(0, LINE, part or " ", align="L", new_x="LMARGIN", new_y="NEXT")
        self.font()

    def quote(self, text: str) -> None:
        """The agreed text, indented with a bar beside it: drawn line by line, so it follows page breaks."""
        pdf = self.pdf
        self.font()
        indent = 5
        width = pdf.w - pdf.r_margin - pdf.l_margin - indent
        pdf.set_draw_color(68, 119, 85)
        pdf.set_line_width(0.8)
        for part in self.text(text).split("\n"):
            for line in pdf.multi_cell(width, LINE, part or " ", dry_run=True, output="LINES") or [""]:
                if pdf.get_y() + LINE > pdf.page_break_trigger:
                    pdf.add_page()
                top = pdf.get_y()
                pdf.set_x(pdf.l_margin + indent)
                pdf.cell(width, LINE, line, new_x="LMARGIN", new_y="NEXT")
                pdf.line(pdf.l_margin + 1.5, top, pdf.l_margin + 1.5, top + LINE)
        pdf.set_line_width(0.2)
        pdf.set_draw_color(0)

    def items(self, lines: Iterable[str]) -> None:
        pdf = self.pdf
        self.font()
        for line in lines:
            pdf.set_x(pdf.l_margin + 2)
            pdf.cell(4, LINE, "-")
            pdf.multi_cell(0, LINE, self.text(line), align="L", new_x="LMARGIN", new_y="NEXT")


def _footer(self: Any) -> None:
    """Every page: 'Pagina n van m' in the bottom margin (fpdf2 fills in the total at the end)."""
    self.set_y(-A4_MARGIN + 6)
    self._face("", 8.5)
    self.cell(0, 5, self._printable(i18n.t("werkplek.besluiten.pdf.page", self._lang, page=self.page_no(),
                                           pages="{nb}")),
              align="C")


def _ending(o: Mapping[str, Any], lang: str) -> str:
    """How an objection ended, as the page says it: the status, the version that resolved it, the note."""
    text = f" - {o.get('status_label') or o.get('status') or ''}"
    if o.get("resolved_in_version"):
        text += ", " + i18n.t("werkplek.besluiten.in_version", lang, version=o["resolved_in_version"])
    if o.get("note"):
        text += ": " + _flat(o["note"])
    return text


def _decision(w: _Writer, e: Mapping[str, Any], lang: str) -> None:
    t = lambda code, **p: i18n.t(code, lang, **p)  # noqa: E731
    w.heading(f"#{e.get('topic_id')} {_flat(e.get('topic_title'))}", 2, 13, outline=0)
    w.paragraph(t("werkplek.besluiten.decided", date=_day(e.get("decided_on"), lang), version=e.get("version"),
                  who=_name(e.get("decided_by"))), style="I")
    w.pdf.ln(1)
    w.quote(str(e.get("text") or ""))
    positions = list(e.get("positions") or ())
    concerns = [p for p in positions if p.get("position") == "bedenking"]
    if concerns:
        w.heading(t("werkplek.besluiten.concerns"), 3, 11)
        w.items(_name(p) + (f": {_flat(p.get('text'))}" if p.get("text") else "") for p in concerns)
    objections = list(e.get("objections") or ())
    if objections:
        w.heading(t("werkplek.besluiten.objections"), 3, 11)
        w.items(f"{_name(o)} ({t('werkplek.besluiten.on_version', version=o.get('version'))}): "
                f"{_flat(o.get('argument'))}{_ending(o, lang)}" for o in objections)
    absent = list(e.get("absent") or ())
    if positions or absent:
        w.heading(t("werkplek.besluiten.positions"), 3, 11)
        w.items([f"{_name(p)}: {p.get('position_label') or p.get('position')}" for p in positions]
                + [f"{_name(p)}: {t('werkplek.besluiten.absent')}" for p in absent])
    _influence(w, e.get("influence") or (), lang)


def _influence(w: _Writer, records: Iterable[Mapping[str, Any]], lang: str) -> None:
    records = list(records)
    if records:
        w.heading(i18n.t("werkplek.besluiten.pdf.influence", lang), 3, 11)
        w.items(i18n.t("werkplek.besluiten.pdf.influence_line", lang, date=_day(r.get("recorded_on"), lang),
                       score=r.get("score"), kind=r.get("kind_label") or r.get("kind"),
                       what=_flat(r.get("what_changed")))
                for r in records)


def _scenario(w: _Writer, o: Mapping[str, Any], lang: str) -> None:
    t = lambda code, **p: i18n.t(code, lang, **p)  # noqa: E731
    w.heading(t("werkplek.besluiten.pdf.scenario", round_id=o.get("round_id"), title=_flat(o.get("title"))), 2, 13,
              outline=1)
    w.paragraph(t("werkplek.besluiten.pdf.scenario_topic", topic_id=o.get("topic_id"),
                  title=_flat(o.get("topic_title"))), style="I")
    decided = _day(o.get("decided_on"), lang)
    w.paragraph(t("werkplek.besluiten.pdf.ending_agreed", date=decided, option=o.get("agreed_option"))
                if o.get("kind") == "akkoord" and o.get("agreed_option") is not None
                else t("werkplek.besluiten.pdf.ending_input", date=decided), style="I")
    if o.get("note"):
        w.pdf.ln(1)
        w.quote(str(o["note"]))
    for option in o.get("options") or ():
        head = t("werkplek.besluiten.pdf.option", option=option.get("option"), version=option.get("version"),
                 source=option.get("source_label") or option.get("source"))
        if o.get("agreed_option") == option.get("option"):
            head += " - " + t("werkplek.besluiten.pdf.agreed_option")
        if option.get("merged_into") is not None:
            head += " - " + t("werkplek.besluiten.pdf.merged_into", option=option["merged_into"])
        w.heading(head, 3, 11)
        w.quote(str(option.get("text") or ""))
        lines = []
        for p in option.get("positions") or ():
            line = f"{_name(p)}: {p.get('position_label') or p.get('position')}"
            if p.get("text") and p.get("position") in ("bedenking", "bezwaar"):
                line += ": " + _flat(p["text"])
            lines.append(line)
        lines += [t("werkplek.besluiten.pdf.standing", name=_name(x), argument=_flat(x.get("argument")))
                  for x in option.get("open_objections") or ()]
        if option.get("preferred_by"):
            lines.append(t("werkplek.besluiten.pdf.preferred",
                           names=", ".join(_name(p) for p in option["preferred_by"])))
        w.items(lines)
    if o.get("absent"):
        w.items([f"{_name(p)}: {t('werkplek.besluiten.absent')}" for p in o["absent"]])
    objections = list(o.get("objections") or ())
    if objections:
        w.heading(t("werkplek.besluiten.objections"), 3, 11)
        w.items(t("werkplek.besluiten.pdf.scenario_objection", name=_name(x), option=x.get("raised_option"),
                  version=x.get("raised_version"), argument=_flat(x.get("argument"))) + _ending(x, lang)
                for x in objections)
    _influence(w, o.get("influence") or (), lang)


def _typeface(pdf: Any, font: Font | None) -> None:
    """The document's family and how its text is made printable: ``font`` embedded, or the core font."""
    if font is None:
        family, styles, pdf._printable = CORE, "BI", latin1
    else:
        family, styles = UNICODE, "B"
        pdf.add_font(family, "", font.regular)
        pdf.add_font(family, "B", font.bold)
        if font.italic:
            pdf.add_font(family, "I", font.italic)
            styles += "I"
        # A letter one face lacks (DejaVu's oblique has no Arabic) is drawn from a face that has it.
        pdf.set_fallback_fonts([family], exact_match=False)
        glyphs = frozenset().union(*(face.cmap for face in pdf.fonts.values()))
        pdf._printable = lambda text: printable(text, glyphs)
    # A style the family has no face for (italic) is written upright rather than refused.
    pdf._face = lambda style, size: pdf.set_font(family, "".join(c for c in style if c in styles), size)


def besluitenlijst(fpdf_class: type, *, council_name: str, lang: str, exported_at: datetime,
                   entries: Sequence[Mapping[str, Any]], scenarios: Sequence[Mapping[str, Any]] = (),
                   q: str | None = None, newest_first: bool = True, font: Font | None = None) -> bytes:
    """The decision list as PDF bytes. ``fpdf_class``: fpdf2's ``FPDF`` (the caller imports it);
    ``entries``/``scenarios``: deliberation's register and scenario register entries, already searched and
    ordered; ``q``/``newest_first`` only label the document; ``font``: a Unicode family to embed (else the
    Latin-1 core font). A font file fpdf2 cannot read raises: the caller then builds again without one."""
    lang = i18n.normalise_language(lang)
    t = lambda code, **p: i18n.t(code, lang, **p)  # noqa: E731
    document = type("BesluitenlijstPdf", (fpdf_class,), {"footer": _footer, "_lang": lang})
    pdf = document(orientation="portrait", unit="mm", format="A4")
    _typeface(pdf, font)
    title = t("werkplek.besluiten.pdf.title", council=council_name)
    pdf.set_title(pdf._printable(title))
    pdf.set_subject(pdf._printable(t("werkplek.besluiten.pdf.subject")))
    pdf.set_author(pdf._printable(council_name))
    pdf.set_creator("Overleg")
    pdf.set_lang(lang)
    pdf.set_creation_date(exported_at)
    pdf.set_margins(A4_MARGIN, A4_MARGIN, A4_MARGIN)
    pdf.set_auto_page_break(True, margin=A4_MARGIN)
    pdf.add_page()
    w = _Writer(pdf)
    w.heading(title, 1, 18)
    w.paragraph(t("werkplek.besluiten.pdf.exported", date=i18n.fmt_datetime(exported_at, lang)))
    if q:
        w.paragraph(t("werkplek.besluiten.pdf.search", q=q))
    order = t("werkplek.besluiten.newest" if newest_first else "werkplek.besluiten.oldest")
    w.paragraph(t("werkplek.besluiten.pdf.order", order=order))
    scenarios = [s for s in scenarios if matches(s, q)]
    if not entries and not scenarios:
        pdf.ln(4)
        w.paragraph(t("werkplek.besluiten.none_found", q=q) if q else t("werkplek.besluiten.none"))
    for e in entries:
        _decision(w, e, lang)
    if scenarios:
        w.heading(t("werkplek.besluiten.pdf.scenarios"), 1, 15, outline=0)
        for o in scenarios:
            _scenario(w, o, lang)
    return bytes(pdf.output())
