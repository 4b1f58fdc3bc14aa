"""Remove personal data from a resident's signal before anything is stored for the council.

``scrub(text)`` returns the text with each personal item replaced by a placeholder
(``[naam]``, ``[telefoon]``, ``[e-mail]``, ``[adres]``, ``[postcode]``, ``[iban]``, ``[bsn]``,
``[geboortedatum]``, ``[kenteken]``, ``[account]``) and the list of what it found, with offsets into
the *input* text. ``[account]`` stands for an online identity: a Matrix id (``@piet:example.org``),
a social-media profile link or a handle named with its platform. Bidi and invisible control
characters are removed from the returned text.

Detection runs on a normalised view (NFKC: full-width digits become ASCII, odd dashes become
"-", invisible characters vanish) but replacements are made in the original text.

Deliberately kept: street names without a house number (also those that contain a person's
name, such as "Paul Krugerstraat"), company names, klant-/dossier-/inschrijfnummers,
amounts, public service numbers such as 0800-9009, dates that are not said to be a birth date,
and the Matrix ids of functional accounts (``@admin:…``, ``@bot:…``), which name no person.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from . import lexicon
from .textutil import CONTROL_CHARS, NormalisedView, Word, fold, neutralise_controls, normalised_view, words

NAME = "naam"
PHONE = "telefoon"
EMAIL = "e-mail"
ADDRESS = "adres"
POSTCODE = "postcode"
IBAN = "iban"
BSN = "bsn"
BIRTH_DATE = "geboortedatum"
PLATE = "kenteken"
ACCOUNT = "account"
KINDS = (NAME, PHONE, EMAIL, ADDRESS, POSTCODE, IBAN, BSN, BIRTH_DATE, PLATE, ACCOUNT)

# When two detections overlap, the more specific kind wins (then the longer span).
_PRIORITY = {ACCOUNT: 0, EMAIL: 1, IBAN: 2, PHONE: 3, BSN: 4, BIRTH_DATE: 5, PLATE: 6, POSTCODE: 7, ADDRESS: 8,
             NAME: 9}


@dataclass(frozen=True)
class PiiSpan:
    kind: str
    start: int          # offsets into the text given to scrub()
    end: int
    value: str

    @property
    def placeholder(self) -> str:
        return f"[{self.kind}]"


@dataclass(frozen=True)
class ScrubResult:
    text: str
    found: list[PiiSpan] = field(default_factory=list)

    @property
    def kinds(self) -> set[str]:
        return {span.kind for span in self.found}


def placeholder(kind: str) -> str:
    """The text that stands in for personal data of ``kind`` ("[naam]", "[telefoon]", …)."""
    return f"[{kind}]"


def scrub(text: str, *, known_places: Iterable[str] = ()) -> ScrubResult:
    """Scrub ``text``. ``known_places`` (neighbourhood names, for instance) are never taken
    for a person's name."""
    view = normalised_view(text)
    places = frozenset(fold(p) for p in known_places)
    candidates = _Detector(view, places).run() + _reversed_segments(view, places)
    found: list[PiiSpan] = []
    for kind, a, b in _resolve(candidates):
        start, end = view.to_original(a, b)
        found.append(PiiSpan(kind, start, end, text[start:end]))
    return ScrubResult(_render(text, found), found)


def _reversed_segments(view: NormalisedView, places: frozenset[str]) -> list[tuple[str, int, int]]:
    """Text after RIGHT-TO-LEFT OVERRIDE is *shown* reversed: "\u202e87654321-60" reads as
    06-12345678. Check such runs the way a reader sees them; a hit covers the whole run."""
    out: list[tuple[str, int, int]] = []
    for m in re.finditer("\u202e([^\u202a-\u202e\n]*)", view.original):
        inner = m.group(1)
        if not inner.strip():
            continue
        # numbers and addresses only: reversed words would make a poor name test
        shown = [c for c in _Detector(normalised_view(inner[::-1]), places).run() if c[0] != NAME]
        if not shown:
            continue
        idx = [i for i, orig in enumerate(view.start) if m.start(1) <= orig < m.end(1)]
        if idx:
            kind = min(shown, key=lambda c: _PRIORITY[c[0]])[0]
            out.append((kind, idx[0], idx[-1] + 1))
    return out


def _render(text: str, found: list[PiiSpan]) -> str:
    out: list[str] = []
    pos = 0
    for span in found:
        out.append(neutralise_controls(text[pos:span.start]))
        out.append(span.placeholder)
        pos = span.end
    out.append(neutralise_controls(text[pos:]))
    return "".join(out)


def _resolve(candidates: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    chosen: list[tuple[str, int, int]] = []
    for kind, a, b in sorted(set(candidates), key=lambda c: (_PRIORITY[c[0]], -(c[2] - c[1]), c[1])):
        if a >= b or any(a < y and x < b for _, x, y in chosen):
            continue
        chosen.append((kind, a, b))
    return sorted(chosen, key=lambda c: c[1])


# --- patterns ---------------------------------------------------------------------------------
_EMAIL_RE = re.compile(
    r"(?<![\w.+-])\w[\w.%+-]*@(?:[\w-]+\.)+[A-Za-z]{2,}(?![\w-])"
    r"|(?<![\w.+-])\w[\w.%+-]*\s*[\[({]\s*(?:at|apenstaartje)\s*[\])}]\s*[\w-]+"
    r"(?:\s*(?:\.|[\[({]\s*(?:dot|punt)\s*[\])}])\s*[\w-]+)+"
    # spaces around the @ ("piet @ example.org", "j.smit@ hotmail.com"), or the @ spelled out
    r"|(?<![\w.+@-])\w[\w.%+-]*(?:[ \t]+@[ \t]*|[ \t]*@[ \t]+)(?:[\w-]+[ \t]?\.[ \t]?)+[A-Za-z]{2,}(?![\w-])"
    r"|(?<![\w.+-])\w[\w.%+-]*[ \t]+apenstaartje[ \t]+(?:[\w-]+\.)+[A-Za-z]{2,}(?![\w-])"
    r"|(?<![\w.+-])\w[\w.%+-]*[ \t]+(?:at|apenstaartje)[ \t]+[\w-]+(?:[ \t]+(?:dot|punt)[ \t]+[\w-]+)+",
    re.IGNORECASE,
)
# Online identities. A Matrix id: @localpart:server (the server a domain, localhost, maybe a port).
_MATRIX_ID_RE = re.compile(
    r"(?<![\w@])@([a-z0-9._=/+-]{1,255}):((?:[a-z0-9-]+\.)+[a-z]{2,}|localhost|\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?"
    r"(?![\w-]|\.[a-z0-9])", re.IGNORECASE)
# Accounts that stand for a function, not a person: their ids stay ("@admin:…", "@overleg:…").
_FUNCTIONAL_LOCALPARTS = frozenset(
    "admin administrator beheer beheerder bot overleg support helpdesk info noreply no-reply server system "
    "notices moderator mod root service klantenservice webmaster postmaster".split())
_PROFILE_RE = re.compile(
    r"(?<![\w@/.-])(?:https?://)?(?:(?:www|m|mobile|nl|web|mbasic)\.)?"
    r"(?:facebook\.com|fb\.com|fb\.me|instagram\.com|instagr\.am|twitter\.com|x\.com|linkedin\.com|"
    r"tiktok\.com|youtube\.com|threads\.net|snapchat\.com|pinterest\.(?:com|nl)|t\.me|wa\.me|bsky\.app|"
    r"vimeo\.com|twitch\.tv|reddit\.com)"
    r"/(?:in/|pub/|profile/|people/|add/|u/|user/|c/|channel/|profile\.php\?id=|@)?[\w.%@-]{2,}(?:/[\w.%@?=&-]*)*",
    re.IGNORECASE)
# A fediverse profile (https://mastodon.social/@piet) or handle (@piet@mastodon.social).
_FEDIVERSE_RE = re.compile(
    r"(?<![\w/.-])(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}/@[\w.]{1,64}(?:@(?:[a-z0-9-]+\.)+[a-z]{2,})?"
    r"|(?<![\w@])@[\w.]{1,64}@(?:[a-z0-9-]+\.)+[a-z]{2,}(?![\w-])", re.IGNORECASE)
# A handle named with its platform: "insta @piet_jansen", "op TikTok: @sanne.b".
_HANDLE_RE = re.compile(
    r"(?<![/\w.-])(?:insta(?:gram)?|twitter|tiktok|snap(?:chat)?|threads|telegram|bluesky|facebook|youtube)\b"
    r"[^\n@()\[\]]{0,20}?(@(?!room\b|here\b|everyone\b)[A-Za-z0-9_.]{2,30})(?![\w@:])", re.IGNORECASE)
_IBAN_START_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2} ?\d{2}")
_NL_IBAN_RE = re.compile(r"NL\d{2}[A-Z]{4}\d{10}")
_PHONE_RE = re.compile(
    r"(?<![\w+/])(?:(?:\+|00)\s?\d{1,3}(?:\s?\(0\))?|\(?0\d{1,3}\)?)"
    r"(?:(?:\s?[./-]\s?|\s)?\d){6,11}(?!\w)"
)
_PUBLIC_PREFIXES = ("0800", "0900", "0906", "0909", "0880")
_BSN_RE = re.compile(
    r"(?<![\w.,/€-])(?:\d{9}|\d{3}([ .-])\d{3}\1\d{3}|\d{4}([ .])\d{2}\2\d{3}|\d{2}\.\d{3}\.\d{2}\.\d{2})"
    r"(?![\w€]|[.,-]\d)"
)
_BSN_CONTEXT_RE = re.compile(
    r"(?:\bbsn|burger\s?service\s?-?nummer|sofi[\s-]?nummer|citizen service number)\b[^\n]{0,30}$",
    re.IGNORECASE)
_NOT_BSN_CONTEXT_RE = re.compile(
    r"(?:klant|dossier|inschrijf|inschrijvings|factuur|order|referentie|contract|huurders|relatie|"
    r"meter|zaak|ticket|kenmerk|polis|registratie)\w*\s*(?:nummer|nr\.?|no\.?)?\s*(?:is\s*)?:?\s*$",
    re.IGNORECASE)
_POSTCODE_RE = re.compile(r"(?<![\w€-])([1-9]\d{3})( ?)([A-Za-z]{2})(?!\w)")
# Two letters after four digits that are a unit or a word, not a postcode ("1500 kg", "2000 en").
_NOT_POSTCODE_LETTERS = frozenset(
    "kg km cm mm dm hm ml cl dl mg kb mb gb tb kw mw gw pk hz px ha st pp jr mi ft lb oz eu "
    "en in op de te of is al nu zo er ik je we ze na om ja uw ex la le el am pm tv pc ok".split())
_DATE_NUMERIC = r"(?:\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d{2}|(?:19|20)\d{2}-\d{1,2}-\d{1,2})"
_MONTHS = (r"(?:jan(?:uari|uary)?|feb(?:ruari|ruary)?|maart|march|mrt|mar|apr(?:il)?|mei|may|jun[ie]?|jul[iy]?|"
           r"aug(?:ustus|ust)?|sep(?:t(?:ember)?)?|o[ck]t(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DATE_WORDS = r"(?:\d{1,2}(?:e|ste|de|st|nd|rd|th)?\s+" + _MONTHS + r"(?:\s+(?:19|20)?\d{2}(?!\d))?|" + _MONTHS + \
    r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2})"
# A date said to be a birth date: "geboren op 3 maart 1961", "geb. 03-03-1961", "geboortedatum: …".
_BIRTH_DATE_RE = re.compile(
    r"\b(?:geboren|geb\.|geboortedatum|geboorte\s?datum|geboortedag|geb\.?\s?datum|born|date\s+of\s+birth|"
    r"birth\s?date|d\.?o\.?b\.?)(?![\w])[\s:,.]*(?:(?:op|on|in|den|de|the|is|was|te|:)\s+){0,3}"
    r"(" + _DATE_NUMERIC + r"|" + _DATE_WORDS + r")(?![\w-])", re.IGNORECASE)
# Dutch licence plates: the sidecodes 1-14 (letters L, digits D), written with their dashes.
_PLATE_SHAPES = ("LL-DD-DD", "DD-DD-LL", "DD-LL-DD", "LL-DD-LL", "LL-LL-DD", "DD-LL-LL", "DD-LLL-D", "D-LLL-DD",
                 "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL", "D-LL-DDD", "DDD-LL-D")


def _plate_pattern(sep: str) -> str:
    shapes = ("".join("[A-Z]" if c == "L" else r"\d" if c == "D" else sep for c in shape) for shape in _PLATE_SHAPES)
    return r"(?<![\w-])(?:" + "|".join(shapes) + r")(?![\w-])"


_PLATE_RE = re.compile(_plate_pattern("[-‐ ]"))
_PLATE_ANY_CASE_RE = re.compile(_plate_pattern("[-‐ ]?"), re.IGNORECASE)
_PLATE_CONTEXT_RE = re.compile(
    r"\b(?:kenteken\w*|nummerbord|plate|licen[cs]e|auto|wagen|busje|bestelbus|bus|scooter|brommer|motor|camper|"
    r"caravan|aanhanger|bedrijfsbus|taxi)\b[^\n]{0,30}$", re.IGNORECASE)
# A house number given on its own: "huisnummer 214", "huisnr. 12a", "op nummer 17".
_HOUSE_NUMBER_LABEL_RE = re.compile(
    r"\b(?:huis|woning|appartement|app\.?)[ \t]?(?:nummer|nr\.?|no\.?)[ \t]*:?[ \t]*"
    r"(\d{1,5}(?:[ \t]?-?[ \t]?[A-Za-z](?![\w-])|[ \t]?-[ \t]?\d{1,4})?)(?![\w-]|[.,]\d)"
    r"|\b(?:hnr\.?)[ \t]*:?[ \t]*(\d{1,5}[A-Za-z]?)(?![\w-]|[.,]\d)", re.IGNORECASE)
_NUMBER_AFTER_PREPOSITION_RE = re.compile(
    r"\b(?:op|bij|naast|van|in|tegenover|boven|onder|achter|buren\s+van)[ \t]+((?:nummer|nr\.?)[ \t]*"
    r"(\d{1,5})(?:[ \t]?-?[ \t]?[A-Za-z](?![\w-]))?)(?![\w-]|[.,]\d)", re.IGNORECASE)
_POSTCODE_CONTEXT_RE = re.compile(r"postcode\W{0,5}$", re.IGNORECASE)
_HOUSE_NUMBER_RE = re.compile(
    r"[ \t]+(\d{1,5})(?:[ \t]?-[ \t]?\d{1,4}|[ \t]?-?[ \t]?[A-DF-Za-df-z](?![\w-])|[ \t]?(?:bis|hs|huis|zw|rd)\b)?"
    r"(?![\w-]|[.,]\d)"
    r"(?![ \t]*(?:graden|jaar|jaren|euro|eur|procent|%|meter|m2|m²|km|cm|minuten|min|uur|keer|dagen|weken|"
    r"maanden|kinderen|personen|mensen|woningen|huishoudens|bewoners|punten|x)\b)"
)
_ADDRESS_CONTEXT_RE = re.compile(
    r"(?:\badres(?:\s+is)?|\bwoonadres|\baddress|\b(?:ik\s+)?woon(?:t|achtig)?\s+(?:aan|op)(?:\s+de|\s+het)?|"
    r"\blive\s+(?:at|on))\s*:?\s*$",
    re.IGNORECASE)

# Words that introduce a name.
_LEAD_RE = re.compile(
    r"\b(?:(?:contactpersoon(?:\s+\w+)?|contact|aanspreekpunt|bewoner|bewoonster|huurder|huurster|"
    r"klant|medewerker|medewerkster|melder|naam|name|van|from|afzender|ingediend door|gemeld door)\s*:"
    r"|mijn naam is|my name is|ik heet|hij heet|zij heet|ze heet|heet|genaamd|named|called|namens)"
    r"[ \t]*", re.IGNORECASE)
_TITLE_RE = re.compile(
    r"(?:(?<!\w)(?:mevr|mw|dhr|mr|mrs|ms|fam)\.?|\b(?:mevrouw|meneer|mijnheer|de heer|juffrouw|familie|"
    r"mister|miss))[ \t]+", re.IGNORECASE)
_RELATION_RE = re.compile(
    r"\b(?:(?:over|boven|beneden|achter)?buur(?:man|vrouw|jongen|meisje)|medewerker|medewerkster|"
    r"collega|huismeester|opzichter|wijkbeheerder|(?:wijk|woon|bewoners)?consulent|consulente|"
    r"conciërge|concierge|directeur|wethouder|teamleider|manager|monteur|"
    r"zoon|zoontje|dochter|dochtertje|vader|moeder|broer|zus|zuster|oom|tante|opa|oma|"
    r"(?:mijn|haar|zijn|onze)\s+(?:man|vrouw|partner|vriend|vriendin)|"
    r"neighbour|neighbor|husband|wife|son|daughter)[ \t]+", re.IGNORECASE)
_SALUTE_RE = re.compile(
    r"(?:^|(?<=[\n.!?]))[ \t]*(?:beste|hoi|hallo|lieve|geachte|dear|hi|hello)[ \t]+",
    re.IGNORECASE)
_WEAK_LEAD_RE = re.compile(r"\b(?:ik ben|i am|i'm|this is)[ \t]+", re.IGNORECASE)
# A label naming someone's role, then a colon: what follows is that person's name.
_ROLE_LEAD_RE = re.compile(
    r"\b(?:kandidaat|kandidate|aanvrager|aanvraagster|indiener|indienster|namens|voorzitter|secretaris|"
    r"penningmeester|lid|getuige|gemachtigde|vertegenwoordiger|behandelaar|behandeld door|eigenaar|eigenares|"
    r"ondertekend door|opgesteld door|verstuurd door|geschreven door|ondergetekende|bewonersvertegenwoordiger|"
    r"sollicitant|deelnemer|spreker|notulist|candidate|applicant|on behalf of|submitted by|signed by|chair|"
    r"chairman|chairwoman|secretary|treasurer|tenant|resident|witness|member)[ \t]*:[ \t]*", re.IGNORECASE)
# Introducing oneself; here even a name typed without capitals counts ("ik ben jan de wit").
_INTRO_RE = re.compile(
    r"\b(?:ik ben|ik heet|mijn naam is|mijn naam:|my name is|i am|i'm|this is|u spreekt met|je spreekt met|"
    r"hier spreekt|ondergetekende,?)[ \t]+", re.IGNORECASE)
_CLOSING_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(c) for c in sorted(lexicon.CLOSINGS, key=len, reverse=True))
    + r")\s*[,:]?[ \t]*(?:\n[ \t]*)?$", re.IGNORECASE)
_COMPANY_AFTER_RE = re.compile(
    r"[ \t]*(?:&|\+)[ \t]*(?:zn|zonen|co|partners)\b|[ \t]+(?:b\.?v\.?|n\.?v\.?|vof|v\.o\.f\.|en zonen|holding|"
    r"groep|installatie\w*|bouw|schilders\w*|loodgieters\w*|schoonmaak\w*)(?!\w)", re.IGNORECASE)
_SEGMENT_SPLIT_RE = re.compile(
    r"\n+|(?<=[.!?])(?<!\b[A-Z]\.)(?<!\b[Mm]evr\.)(?<!\b[Dd]hr\.)(?<!\b[Mm]w\.)\s+|[,;]\s*|\s+-\s+"
    r"|\s*\(\s*|\s*\)\s*")

_CONTACT_KINDS = (EMAIL, PHONE, IBAN, BSN, ADDRESS, POSTCODE, BIRTH_DATE, PLATE, ACCOUNT)


def _iban_valid(compact: str) -> bool:
    if not 15 <= len(compact) <= 34 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(c, 36)) for c in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


def bsn_eleven_test(digits: str) -> bool:
    """The BSN 11-test (elfproef) on nine digits."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1)))
    return total % 11 == 0 and digits != "000000000"


def iban_valid(value: str) -> bool:
    """ISO 13616 mod-97 check, spaces ignored."""
    return _iban_valid(re.sub(r"\s+", "", value).upper())


def _is_cap(word: str) -> bool:
    return word[0].isupper() and any(c.islower() for c in word)


def _has_inner_capital(word: str) -> bool:
    # "WoonMaas", "WhatsApp": brands, not people ("McDonald" is the exception).
    body = word[1:]
    if fold(word).startswith(("mc", "mac", "o'", "d'")):
        return False
    return any(c.isupper() for c in body.split("-")[0])


def _street_like(word: str) -> bool:
    f = fold(word).replace("-", "")
    return any(f.endswith(s) and len(f) > len(s) + 1 for s in lexicon.STREET_ONLY_SUFFIXES)


def _area_like(word: str) -> bool:
    f = fold(word)
    return any(f.endswith(s) and len(f) > len(s) + 1 for s in lexicon.AREA_SUFFIXES)


class _Detector:
    """Finds candidate spans (kind, start, end) in the normalised text; overlaps are resolved
    afterwards by priority."""

    def __init__(self, view: NormalisedView, places: frozenset[str]) -> None:
        self.t = view.text
        self.places = places
        self.words: list[Word] = words(self.t)
        self.word_at: dict[int, int] = {w.start: i for i, w in enumerate(self.words)}
        self.spans: list[tuple[str, int, int]] = []

    def run(self) -> list[tuple[str, int, int]]:
        self._accounts()
        self._emails()
        self._ibans()
        self._phones()
        self._bsns()
        self._birth_dates()
        self._plates()
        self._postcodes()
        self._addresses()
        self._house_numbers()
        self._names()
        return self.spans

    # --- helpers ------------------------------------------------------------------------------
    def _add(self, kind: str, a: int, b: int) -> None:
        self.spans.append((kind, a, b))

    def _covered(self, a: int, b: int, kinds: Iterable[str] | None = None) -> bool:
        return any(a < y and x < b and (kinds is None or k in kinds) for k, x, y in self.spans)

    # --- numbers and addresses ----------------------------------------------------------------
    def _emails(self) -> None:
        for m in _EMAIL_RE.finditer(self.t):
            self._add(EMAIL, m.start(), m.end())

    def _accounts(self) -> None:
        for m in _MATRIX_ID_RE.finditer(self.t):
            if m.group(1).lower() not in _FUNCTIONAL_LOCALPARTS:
                self._add(ACCOUNT, m.start(), m.end())
        for pattern in (_PROFILE_RE, _FEDIVERSE_RE):
            for m in pattern.finditer(self.t):
                end = m.end()
                while end > m.start() and self.t[end - 1] in ".,;:!?)":
                    end -= 1    # sentence punctuation after a link
                self._add(ACCOUNT, m.start(), end)
        for m in _HANDLE_RE.finditer(self.t):
            end = m.end(1)
            while end > m.start(1) and self.t[end - 1] == ".":
                end -= 1
            self._add(ACCOUNT, m.start(1), end)

    def _birth_dates(self) -> None:
        for m in _BIRTH_DATE_RE.finditer(self.t):
            if not self._covered(m.start(1), m.end(1)):
                self._add(BIRTH_DATE, m.start(1), m.end(1))

    def _plates(self) -> None:
        for m in _PLATE_RE.finditer(self.t):
            if not self._covered(m.start(), m.end()):
                self._add(PLATE, m.start(), m.end())
        # Lower case or without dashes only where the text says it is a plate ("kenteken 12abc3").
        for m in _PLATE_ANY_CASE_RE.finditer(self.t):
            if self._covered(m.start(), m.end()) or not any(c.isalpha() for c in m.group()):
                continue
            if _PLATE_CONTEXT_RE.search(self.t[max(0, m.start() - 45):m.start()]):
                self._add(PLATE, m.start(), m.end())

    def _house_numbers(self) -> None:
        for m in _HOUSE_NUMBER_LABEL_RE.finditer(self.t):
            if not self._covered(m.start(), m.end()):
                self._add(ADDRESS, m.start(), m.end())
        for m in _NUMBER_AFTER_PREPOSITION_RE.finditer(self.t):
            if m.group(2) == "1" and m.end(1) == m.end(2):
                continue    # "staat bij ons op nummer 1": first place, not a house
            if not self._covered(m.start(1), m.end(1)):
                self._add(ADDRESS, m.start(1), m.end(1))

    def _ibans(self) -> None:
        for m in _IBAN_START_RE.finditer(self.t):
            if self._covered(m.start(), m.end()):
                continue
            # Gather alphanumeric chunks separated by single spaces, then take the longest
            # prefix that is a valid IBAN (a trailing word must not spoil a good number).
            # Written in groups, every group but the last has four characters.
            chunks: list[tuple[int, int]] = []
            pos = m.end()
            for c in re.finditer(r"[A-Za-z0-9]+", self.t[pos:pos + 60]):
                s, e = pos + c.start(), pos + c.end()
                gap = self.t[chunks[-1][1] if chunks else pos:s]
                if gap not in ("", " ") or (chunks and chunks[-1][1] - chunks[-1][0] != 4):
                    break
                chunks.append((s, e))
            for k in range(len(chunks), -1, -1):
                b = chunks[k - 1][1] if k else m.end()
                compact = re.sub(r"\s", "", self.t[m.start():b]).upper()
                if sum(c.isdigit() for c in compact) < 8:
                    continue
                if _iban_valid(compact) or _NL_IBAN_RE.fullmatch(compact):
                    # A structurally Dutch IBAN with a typo is still somebody's account.
                    self._add(IBAN, m.start(), b)
                    break

    def _phones(self) -> None:
        for m in _PHONE_RE.finditer(self.t):
            a = m.start()
            if self._covered(a, m.end()):
                continue
            raw = m.group()
            # Try the whole match, then shorter prefixes ending on a digit: numbers that
            # follow a phone number must not make it invalid.
            ends = [i + 1 for i, c in enumerate(raw) if c.isdigit()]
            for end in reversed(ends):
                if end < len(raw) and raw[end].isdigit():
                    continue
                if self._phone_ok(raw[:end]):
                    self._add(PHONE, a, a + end)
                    break

    @staticmethod
    def _phone_ok(raw: str) -> bool:
        digits = re.sub(r"\D", "", raw.replace("(0)", ""))
        stripped = raw.lstrip("(")
        if stripped.startswith(("+", "00")):
            if digits.startswith("00"):
                digits = digits[2:]
            if digits.startswith("31"):
                return len(digits) == 11 and not digits[2:].startswith(("800", "900", "906", "909"))
            return 9 <= len(digits) <= 14
        return (len(digits) == 10 and digits.startswith("0")
                and not digits.startswith(_PUBLIC_PREFIXES))

    def _bsns(self) -> None:
        for m in _BSN_RE.finditer(self.t):
            a, b = m.start(), m.end()
            if self._covered(a, b):
                continue
            digits = re.sub(r"\D", "", m.group())
            before = self.t[max(0, a - 40):a]
            line_before = before.split("\n")[-1]
            if _BSN_CONTEXT_RE.search(line_before) or _BSN_CONTEXT_RE.search(before):
                self._add(BSN, a, b)
            elif bsn_eleven_test(digits) and not _NOT_BSN_CONTEXT_RE.search(before):
                self._add(BSN, a, b)

    def _postcodes(self) -> None:
        for m in _POSTCODE_RE.finditer(self.t):
            letters = m.group(3)
            if letters.upper() in ("SA", "SD", "SS") or self._covered(m.start(), m.end()):
                continue
            labelled = bool(_POSTCODE_CONTEXT_RE.search(self.t[max(0, m.start() - 15):m.start()]))
            # Typed without capitals: "3012cd", or "3012 cd" when no year stands before a word.
            bare_lower = (letters.lower() not in _NOT_POSTCODE_LETTERS and not letters.isupper()
                          and (m.group(2) == "" or not 1900 <= int(m.group(1)) <= 2099))
            if not (letters.isupper() or labelled or bare_lower):
                continue
            if 1900 <= int(m.group(1)) <= 2099 and not labelled:
                # "sinds 2017 NL": a year unless it sits in an address (after a street and
                # number, or before a place name).
                after_address = re.search(r"\d[A-Za-z]?\s*,?\s*$", self.t[max(0, m.start() - 12):m.start()])
                before_city = re.match(r"\s+[A-Z][a-z]{2,}", self.t[m.end():])
                if not (after_address or before_city):
                    continue
            self._add(POSTCODE, m.start(), m.end())

    def _addresses(self) -> None:
        for i, w in enumerate(self.words):
            hn = _HOUSE_NUMBER_RE.match(self.t, w.end)
            if not hn or self._covered(w.start, hn.end()):
                continue
            start = self._street_start(i)
            if start is None:
                continue
            number = hn.group(1)
            has_letter = hn.end() > hn.end(1)
            context = _ADDRESS_CONTEXT_RE.search(self.t[max(0, start - 30):start])
            if (len(number) == 4 and 1800 <= int(number) <= 2100 and not has_letter
                    and not context):
                continue  # a year ("Plein 1953", "afrekening 2025")
            self._add(ADDRESS, start, hn.end())

    def _street_start(self, i: int) -> int | None:
        """Start of the street name that ends in word ``i``, or None when it isn't one."""
        w = self.words[i]
        f = fold(w.text)
        context = _ADDRESS_CONTEXT_RE.search(self.t[max(0, w.start - 40):w.start])
        suffixed = any(f.endswith(s) and len(f) >= len(s) + 2 for s in lexicon.STREET_SUFFIXES)
        bare = f in lexicon.BARE_PLACE_WORDS or any(f == s for s in lexicon.STREET_SUFFIXES)
        if f in lexicon.STOPWORDS or f in self.places:
            return None
        # Extend left over capitalised words ("Nieuwe Binnenweg", "Claes de Vrieselaan").
        start = w.start
        j = i - 1
        pending: int | None = None
        taken = 0
        while j >= 0 and taken < 4:
            prev = self.words[j]
            gap = self.t[prev.end:self.words[j + 1].start]
            if gap not in (" ", "\t"):
                break
            pf = fold(prev.text)
            if pf in lexicon.NAME_PARTICLES and prev.text.islower():
                pending = pending if pending is not None else start
                start = prev.start
                j -= 1
                continue
            if _is_cap(prev.text) and (pf in lexicon.PLACE_ADJECTIVES or pf not in lexicon.STOPWORDS) \
                    and pf not in ("adres", "address", "naam"):
                start = prev.start
                pending = None
                taken += 1
                j -= 1
                continue
            break
        if pending is not None:
            start = pending  # a particle can't begin a street name
        multiword = start < w.start
        if suffixed and (_is_cap(w.text) or w.text.islower()):
            return start
        if bare and multiword:
            return start
        if context and _is_cap(w.text):
            return start
        if self._in_signature_segment(start, w.end) and _is_cap(w.text):
            return start
        return None

    def _in_signature_segment(self, a: int, b: int) -> bool:
        # "Cor Bosman, Slinge 1024, BSN …": a capitalised word and a number, standing as their
        # own comma- or line-separated part near the end of the message.
        before = self.t[:a].rstrip(" \t")
        if not before or before[-1] not in ",\n" or len(self.t) - b > 100:
            return False
        return bool(re.match(r"[ \t]*\d+[ \t]*[A-Za-z]?[ \t]*(?:,|\n|$|\.\s*$)", self.t[b:]))

    # --- names --------------------------------------------------------------------------------
    def _name_token_ok(self, word: str) -> bool:
        """A capitalised word that can be (part of) a person's name."""
        if not _is_cap(word) or _has_inner_capital(word):
            return False
        f = fold(word)
        if f in self.places or _street_like(word):
            return False
        if f in lexicon.FIRST_NAMES:
            return True
        return f not in lexicon.NOT_NAME_WORDS and all(p.isalpha() for p in re.split(r"['-]", word) if p)

    def _surname_ok(self, word: str) -> bool:
        # After a particle almost any capitalised word is a surname: "de Groot", "van Dam".
        if not _is_cap(word) or _has_inner_capital(word) or _street_like(word):
            return False
        f = fold(word)
        if f in self.places or not all(p.isalpha() for p in re.split(r"['-]", word) if p):
            return False
        # "de Groot", "de Koning", "de Graaf" are people too
        return (f not in lexicon.NOT_NAME_WORDS or f in lexicon.PLACE_ADJECTIVES
                or f in lexicon.PLACE_HONORIFICS)

    def _glued(self, k: int) -> bool:
        """Word ``k`` follows word ``k - 1`` after a single space (or an initial's dot)."""
        gap = self.t[self.words[k - 1].end:self.words[k].start]
        return gap == " " or (gap in (".", ". ") and len(self.words[k - 1].text) == 1)

    def _after_honorific(self, i: int) -> bool:
        # "Prins Alexander", "Sint Jan": a place, not a person.
        return i > 0 and self._glued(i) and fold(self.words[i - 1].text) in lexicon.PLACE_HONORIFICS

    def _parse_name(self, i: int, *, leading_particle: bool = False) -> tuple[int, int] | None:
        """Parse a name starting at word ``i``: (end word index, number of name parts), or
        None. Initials ("A. de Boer") and particles (van, de, der, el …) are understood."""
        ws = self.words
        n = len(ws)
        j = i
        initials = 0
        while (j < n and len(ws[j].text) == 1 and ws[j].text.isupper()
               and self.t[ws[j].end:ws[j].end + 1] == "." and (j == i or self._glued(j))):
            initials += 1
            j += 1
        if j > i and (j >= n or not self._glued(j)):
            return None
        relaxed = initials > 0
        if leading_particle or initials:
            first = j
            while j < n and fold(ws[j].text) in lexicon.NAME_PARTICLES and j - first < 3 \
                    and (j == i or self._glued(j)):
                j += 1
            if j > first:
                relaxed = True
                if j >= n or not self._glued(j):
                    return None
        parts = 0
        end = i
        while j < n and parts < 4:
            ok = self._surname_ok(ws[j].text) if relaxed else self._name_token_ok(ws[j].text)
            if not ok:
                break
            parts += 1
            end = j + 1
            k = end
            while k < n and self._glued(k) and k - end < 3 and fold(ws[k].text) in lexicon.NAME_PARTICLES:
                k += 1
            relaxed = k > end
            if k < n and self._glued(k):
                j = k
                continue
            break
        if parts == 0:
            return None
        # "Paul Krugerstraat", "Claes de Vrieselaan": the words belong to a street name.
        k = end
        while k < n and self._glued(k) and fold(ws[k].text) in lexicon.NAME_PARTICLES:
            k += 1
        if k < n and self._glued(k) and _is_cap(ws[k].text) and _street_like(ws[k].text):
            return None
        return end, parts + (1 if initials else 0)

    def _add_name(self, i: int, end: int) -> None:
        a, b = self.words[i].start, self.words[end - 1].end
        if _COMPANY_AFTER_RE.match(self.t, b):
            return      # "Hendriks & Zn", "Jansen B.V.": a company, not a person
        if not self._covered(a, b, _CONTACT_KINDS):
            self._add(NAME, a, b)

    def _names(self) -> None:
        self._names_after(_LEAD_RE, min_parts=1, leading_particle=True, lowercase_known=True)
        self._names_after(_ROLE_LEAD_RE, min_parts=1, leading_particle=True, lowercase_known=True)
        self._lowercase_names_after(_ROLE_LEAD_RE)
        self._lowercase_names_after(_INTRO_RE)
        self._names_after(_TITLE_RE, min_parts=1, leading_particle=True)
        self._names_after(_RELATION_RE, min_parts=1, leading_particle="capital")
        self._names_after(_SALUTE_RE, min_parts=2, known_single=True)
        self._names_after(_WEAK_LEAD_RE, min_parts=2, known_single=True, sentence_end_single=True)
        self._names_after_closings()
        self._signature_names()
        self._known_first_names()
        self._parenthesised_names()
        self._names_before_names()
        self._repeat_names()

    def _names_after(self, pattern: re.Pattern[str], *, min_parts: int,
                     leading_particle: bool | str = False, known_single: bool = False,
                     lowercase_known: bool = False, sentence_end_single: bool = False) -> None:
        """Names right after a lead-in ("Mijn naam is", "Mevr.", "buurman", "Beste").
        ``leading_particle="capital"`` allows "Van Rijn" but not "van de overkant"."""
        for m in pattern.finditer(self.t):
            i = self.word_at.get(m.end())
            if i is None:
                continue
            particle_ok = bool(leading_particle) and (
                leading_particle != "capital" or self.words[i].text[:1].isupper())
            parsed = self._parse_name(i, leading_particle=particle_ok)
            first = fold(self.words[i].text)
            if parsed is None:
                # "mijn naam is fatima": a known first name, even without its capital
                if lowercase_known and first in lexicon.FIRST_NAMES and self.words[i].text.islower():
                    self._add_name(i, i + 1)
                continue
            end, parts = parsed
            # "Ik ben Sophie.": a capitalised word that ends the sentence after the lead-in
            ends_sentence = sentence_end_single and bool(
                re.match(r"\s*(?:[.!?]|$)", self.t[self.words[end - 1].end:]))
            if parts < min_parts and not (known_single and first in lexicon.FIRST_NAMES) \
                    and not ends_sentence:
                continue
            self._add_name(i, end)

    def _lowercase_names_after(self, pattern: re.Pattern[str]) -> None:
        """After an introduction or a role label, a name as people type it in a hurry: a known first
        name in any case, then particles and a surname ("ik ben jan de wit", "Namens: fatima el amrani")."""
        ws = self.words
        for m in pattern.finditer(self.t):
            i = self.word_at.get(m.end())
            if i is None or fold(ws[i].text) not in lexicon.FIRST_NAMES:
                continue
            end = i + 1
            k = end
            while k < len(ws) and k - end < 3 and self._glued(k) and fold(ws[k].text) in lexicon.NAME_PARTICLES:
                k += 1
            if k < len(ws) and self._glued(k) and self._loose_surname(ws[k].text) and (
                    k > end or self._name_ends_at(k + 1)):
                end = k + 1
            self._add_name(i, end)

    def _loose_surname(self, word: str) -> bool:
        f = fold(word)
        return (len(f) >= 2 and all(p.isalpha() for p in re.split(r"['-]", word) if p)
                and f not in lexicon.STOPWORDS and f not in self.places and not _street_like(word)
                and (f not in lexicon.NOT_NAME_WORDS or f in lexicon.PLACE_ADJECTIVES))

    def _name_ends_at(self, k: int) -> bool:
        """Whether a name may end before word ``k``: at the end, at punctuation or before a small word."""
        if k >= len(self.words):
            return True
        gap = self.t[self.words[k - 1].end:self.words[k].start]
        return bool(gap.strip()) or fold(self.words[k].text) in lexicon.STOPWORDS

    def _names_before_names(self) -> None:
        """"Henk en Riet de Vries", "Kees, Anna en Joop Blom": a first name joined to a name found
        already is a name too (repeated, so a list of them is caught from its end)."""
        ws = self.words
        changed = True
        while changed:
            changed = False
            starts = sorted(a for k, a, _ in self.spans if k == NAME)
            for a in starts:
                conj = re.search(r"([^\W\d_][\w'-]*)(?:[ \t]*,[ \t]*|[ \t]+(?:en|and|&)[ \t]+)$", self.t[max(0, a - 60):a])
                if conj is None:
                    continue
                b = a - len(conj.group(0)) + len(conj.group(1))
                i = self.word_at.get(b - len(conj.group(1)))
                if i is None or self._covered(ws[i].start, ws[i].end) or self._after_honorific(i):
                    continue
                word = ws[i].text
                known = fold(word) in lexicon.FIRST_NAMES
                partner_known = fold(self.t[a:].split()[0]) in lexicon.FIRST_NAMES if self.t[a:].split() else False
                if not self._name_token_ok(word) or not (known or partner_known):
                    continue
                if i > 0 and self._glued(i) and self._name_token_ok(ws[i - 1].text) \
                        and fold(ws[i - 1].text) not in lexicon.FIRST_NAMES:
                    continue    # "Oud Crooswijk en …": part of a longer proper noun
                self._add_name(i, i + 1)
                changed = changed or self._covered(ws[i].start, ws[i].end, (NAME,))
            for b in sorted(y for k, _, y in self.spans if k == NAME):
                conj = re.match(r"(?:[ \t]*,[ \t]*|[ \t]+(?:en|and|&)[ \t]+)(?=\w)", self.t[b:])
                j = self.word_at.get(b + conj.end()) if conj else None
                if j is None or self._covered(ws[j].start, ws[j].end) or not self._name_token_ok(ws[j].text):
                    continue
                parsed = self._parse_name(j)
                if parsed is None or (parsed[1] < 2 and fold(ws[j].text) not in lexicon.FIRST_NAMES):
                    continue    # "Anna en Joop Blom" yes; "Anna en Woonstad" no
                self._add_name(j, parsed[0])
                changed = changed or self._covered(ws[j].start, ws[j].end, (NAME,))

    def _names_after_closings(self) -> None:
        # "Groet, Anouk Reijnders", "Met vriendelijke groet,\nSanne Verbeek", "Groeten, A. de Boer"
        for i, w in enumerate(self.words):
            initial = len(w.text) == 1 and w.text.isupper()
            if not (_is_cap(w.text) or initial) or not _CLOSING_RE.search(self.t[max(0, w.start - 30):w.start]):
                continue
            parsed = self._parse_name(i)
            if parsed:
                self._add_name(i, parsed[0])

    def _segments(self) -> list[tuple[int, int]]:
        """The text cut at line ends, sentence ends, commas and brackets, trimmed."""
        out: list[tuple[int, int]] = []
        pos = 0
        cuts = [(m.start(), m.end()) for m in _SEGMENT_SPLIT_RE.finditer(self.t)] + [(len(self.t), len(self.t))]
        for cut_start, cut_end in cuts:
            seg = self.t[pos:cut_start]
            lead = len(seg) - len(seg.lstrip())
            body = seg.strip().rstrip(".!?:")
            if body:
                out.append((pos + lead, pos + lead + len(body)))
            pos = cut_end
        return out

    def _segment_name(self, a: int, b: int) -> list[tuple[int, int]] | None:
        """Names that fill the whole segment [a, b) ("Kees en Riet Blom" gives two)."""
        i = self.word_at.get(a)
        found: list[tuple[int, int]] = []
        while i is not None:
            parsed = self._parse_name(i)
            if parsed is None:
                return None
            end = parsed[0]
            found.append((i, end))
            stop = self.words[end - 1].end
            if stop == b:
                return found
            conj = re.match(r"\s+(?:en|and)\s+", self.t[stop:b])
            i = self.word_at.get(stop + conj.end()) if conj else None
        return None

    def _contact_segment(self, a: int, b: int) -> bool:
        """Contact details with at most a short label ("Bel me terug: [telefoon]", "BSN …")."""
        if not self._covered(a, b, _CONTACT_KINDS):
            return False
        rest = self.t[a:b]
        for kind, x, y in sorted(self.spans, key=lambda s: -s[1]):
            if kind in _CONTACT_KINDS and a <= x and y <= b:
                rest = rest[:x - a] + " " + rest[y - a:]
        return len(re.findall(r"[^\W\d_]+", rest)) <= 4

    def _signature_names(self) -> None:
        """Names in the signature block: the trailing run of segments made of names, contact
        details, roles ("voorzitter", "klantnummer …") and a closing ("Groet")."""
        names: list[tuple[int, int, bool]] = []
        evidence = False        # contact details or a role stand in the block
        closing = False
        for a, b in reversed(self._segments()):
            seg = self.t[a:b]
            if self._covered(a, b, _CONTACT_KINDS):
                if not self._contact_segment(a, b):
                    break
                evidence = True
                continue
            if fold(seg) in lexicon.CLOSINGS:
                closing = True
                break
            seg_words = seg.split()
            if fold(seg_words[0]) in lexicon.SIGNATURE_ROLES and len(seg_words) <= 4:
                evidence = True
                continue
            parsed = self._segment_name(a, b)
            if parsed is None:
                break
            if len(parsed) == 1 and parsed[0][1] - parsed[0][0] == 1 and _area_like(self.words[parsed[0][0]].text):
                break   # "Tarwewijk": a neighbourhood, not a person
            for i, end in parsed:
                lone_unknown = (len(parsed) == 1 and end - i == 1
                                and fold(self.words[i].text) not in lexicon.FIRST_NAMES)
                names.append((i, end, lone_unknown))
        for i, end, lone_unknown in names:
            # A lone capitalised word that is no known first name counts only in a real
            # signature: next to contact details, a role or a closing.
            if not lone_unknown or evidence or closing:
                self._add_name(i, end)

    def _known_first_names(self) -> None:
        """A known first name followed by a surname anywhere ("medewerker Sandra de Wit"), or
        capitalised alone in the middle of a sentence ("ik heb Willem gebeld")."""
        for i, w in enumerate(self.words):
            f = fold(w.text)
            if f not in lexicon.FIRST_NAMES or not _is_cap(w.text) or self._after_honorific(i):
                continue
            parsed = self._parse_name(i)
            if parsed is None:
                continue
            end, parts = parsed
            if end < len(self.words) and self._glued(end) and _is_cap(self.words[end].text):
                continue    # part of a longer proper noun: "Albert Heijn", "Erasmus MC"
            mid_sentence = i > 0 and not re.search(r"[.!?:\n]", self.t[self.words[i - 1].end:w.start])
            if (parts >= 2 and f not in lexicon.STOPWORDS) or (mid_sentence and f not in lexicon.NOT_NAME_WORDS):
                self._add_name(i, end)

    def _parenthesised_names(self) -> None:
        # "06-44105195 (Willem)": a name in brackets right after contact details.
        for m in re.finditer(r"\(\s*([^\W\d_][\w'-]*(?: [\w'-]+){0,3})\s*\)", self.t):
            i = self.word_at.get(m.start(1))
            parsed = self._parse_name(i) if i is not None else None
            if not parsed or self.words[parsed[0] - 1].end != m.end(1):
                continue
            line_start = self.t.rfind("\n", 0, m.start()) + 1
            window_start = max(line_start, m.start() - 60)
            if any(k in _CONTACT_KINDS and x >= window_start and y <= m.start() for k, x, y in self.spans):
                self._add_name(i, parsed[0])

    def _repeat_names(self) -> None:
        # Every occurrence goes, also the first name or the surname alone elsewhere.
        values: set[str] = set()
        for kind, a, b in list(self.spans):
            if kind != NAME:
                continue
            value = self.t[a:b]
            values.add(value)
            parts = [w.text for w in words(value) if _is_cap(w.text)]
            if len(parts) >= 2:
                values.update(p for p in (parts[0], parts[-1])
                              if len(p) >= 3 and fold(p) not in lexicon.NOT_NAME_WORDS)
        for value in values:
            for m in re.finditer(r"(?<![\w-])" + re.escape(value) + r"(?![\w-])", self.t):
                if self._covered(m.start(), m.end()):
                    continue
                nxt = self.word_at.get(m.end() + 1)
                if nxt is not None and self.t[m.end()] == " " and _street_like(self.words[nxt].text):
                    continue    # "Paul" of "Paul Krugerstraat"
                self._add(NAME, m.start(), m.end())


def contains_control_chars(text: str) -> bool:
    """Whether ``text`` holds bidi or invisible characters that scrub() would remove."""
    return any(ch in CONTROL_CHARS for ch in text)
