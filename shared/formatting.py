"""Message formatting: every message has HTML and a plain-text fallback, and text that came from a
member or a resident is shown inertly: no HTML runs, no Markdown link renders, no mention fires.

Mentions are suppressed by the ``m.mentions`` property (intentional mentions): when it is present,
homeservers and clients notify only the users listed in it, whatever the body says. The bot
always sets it. The helpers here take care of the rest: HTML escaping, and breaking up the link
syntax and bare URLs that Element would otherwise turn into links.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

_BIDI_AND_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_LINE_SEPARATORS = re.compile("[\u2028\u2029\r\n]+")
_URL = re.compile(r"(?i)\b((?:https?|ftp|mxc|matrix|javascript|data):)(//)?")
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def clean_text(text: str) -> str:
    """Drop bidi overrides and invisible characters; normalise line breaks; NFC."""
    text = unicodedata.normalize("NFC", text)
    text = _BIDI_AND_INVISIBLE.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def one_line(text: str) -> str:
    return _LINE_SEPARATORS.sub(" ", clean_text(text)).strip()


def defang(text: str) -> str:
    """Make links and mentions in foreign text inert, but still readable."""
    text = clean_text(text)
    text = _MD_LINK.sub(lambda m: f"[{m.group(1)}] ({m.group(2)})", text)
    text = _URL.sub(lambda m: m.group(1)[:-1] + "[:]" + ("⁄⁄" if m.group(2) else ""), text)
    text = text.replace("@room", "@\u2060room")  # word joiner: legacy clients don't match "@room"
    return text


def esc(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass
class Rich:
    """Builds a message's plain body and HTML side by side."""

    plain: list[str] = field(default_factory=list)
    markup: list[str] = field(default_factory=list)

    def heading(self, text: str) -> "Rich":
        self.plain.append(text)
        self.markup.append(f"<strong>{esc(text)}</strong>")
        return self

    def line(self, text: str = "", *, bold: str | None = None) -> "Rich":
        if bold:
            self.plain.append(f"{bold} {text}".rstrip())
            self.markup.append(f"<strong>{esc(bold)}</strong> {esc(text)}".rstrip())
        else:
            self.plain.append(text)
            self.markup.append(esc(text))
        return self

    def quote(self, text: str) -> "Rich":
        """Foreign text (a proposal, a resident's signal): shown inert."""
        safe = defang(text)
        self.plain.extend("> " + ln for ln in safe.split("\n"))
        self.markup.append("<blockquote>" + "<br>".join(esc(ln) for ln in safe.split("\n")) + "</blockquote>")
        return self

    def items(self, items: list[str]) -> "Rich":
        if not items:
            return self
        self.plain.extend(f"• {item}" for item in items)
        self.markup.append("<ul>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>")
        return self

    @property
    def body(self) -> str:
        return "\n".join(self.plain).strip()

    @property
    def html(self) -> str:
        return _join(self.markup)


def _join(parts: list[str]) -> str:
    out: list[str] = []
    for part in parts:
        if out and not part.startswith(("<ul>", "<blockquote>")) and not out[-1].endswith(("</ul>", "</blockquote>")):
            out.append("<br>")
        out.append(part)
    return "".join(out)
