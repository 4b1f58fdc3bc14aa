"""The decision list's PDF in an embedded Unicode font (services/werkplek/domain/pdf.py with the font
services/werkplek/web.py finds): names keep their letters, read back with pypdf; without a font, or with a
font fpdf2 cannot read, the Latin-1 core font writes them as before."""
from __future__ import annotations

import io
import logging
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from services.werkplek import texts, web
from services.werkplek.domain import pdf

AT = datetime(2026, 12, 2, 13, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")  # fonts-dejavu-core, on this machine and on CI
FONT = pdf.Font(DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf", DEJAVU / "DejaVuSans-Oblique.ttf")
NAMES = "Şükrü Yılmaz — Łucja Nowak"


@pytest.fixture(autouse=True, scope="module")
def _messages() -> None:
    texts.register_messages()


def person(name: str) -> dict:
    return {"matrix_id": "@lid:x", "display_name": name}


def entry(n: int, title: str, text: str, **extra: object) -> dict:
    return {"round_id": n, "topic_id": n + 10, "topic_title": title, "text": text, "version": 2,
            "decided_on": "2026-11-03", "decided_by": person(NAMES), "positions": [], "absent": [],
            "objections": [], "influence": [], **extra}


def decision() -> dict:
    return entry(1, "Speeltuin in Kraków-Zuid", "Het bestuur zorgt vóór de zomer voor een ‘veilige’ speeltuin – "
                 "met bankjes (€ 4.000).",
                 positions=[{**person("Ağca Öztürk"), "position": "bedenking", "position_label": "bedenking",
                             "text": "Denk aan Żaneta en Ольга."},
                            {**person("Γιώργος"), "position": "eens", "position_label": "eens", "text": None}],
                 absent=[person("Łucja Nowak")])


def build(entries: list[dict], font: pdf.Font | None, council: str = "Huurdersraad Łódź") -> bytes:
    return pdf.besluitenlijst(FPDF, council_name=council, lang="nl", exported_at=AT, entries=entries, font=font)


def read(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def base_fonts(reader: PdfReader) -> set[str]:
    return {str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}


@pytest.mark.parametrize("given, expected", [
    (NAMES, NAMES),
    ("‘veilig’ – € 25…", "‘veilig’ – € 25…"),  # the font has them: nothing mapped
    ("e\u0308n Ş", "ën Ş"),  # composed first
    ("ok 👍 日本", "ok ? ??"),  # what the font lacks, as the core font's mapping has it
    ("a\u200bb\tc\u2028d", "ab c\nd"),
])
def test_printable_keeps_what_the_font_draws_and_maps_the_rest(given, expected):
    glyphs = {ord(c) for c in "Şükrü Yılmaz—Łucja Nowak‘’–€.…veiligënabcdok 25\u00a0"}
    assert pdf.printable(given, glyphs) == expected


def test_with_the_font_names_and_text_keep_their_exact_letters(caplog):
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        data = build([decision(), entry(2, "Één ‘laatste’ punt", "Ja… ok 👍")], FONT)
    reader, text = read(data)

    assert f"vastgelegd door {NAMES}" in text
    assert "#11 Speeltuin in Kraków-Zuid" in text
    assert "vóór de zomer voor een ‘veilige’ speeltuin – met bankjes (€ 4.000)." in text
    assert "Ağca Öztürk: Denk aan Żaneta en Ольга." in text and "Γιώργος: eens" in text
    assert "Łucja Nowak: afwezig" in text
    assert "Ja… ok ?" in text  # no emoji in DejaVu: a '?' rather than an empty box
    assert not [r for r in caplog.records if "missing" in r.getMessage()]  # fpdf2 drew no .notdef box
    assert reader.metadata.title == "Besluitenlijst Huurdersraad Łódź" and reader.metadata.author == "Huurdersraad Łódź"
    assert [item["/Title"] for item in reader.outline] == ["#11 Speeltuin in Kraków-Zuid", "#12 Één ‘laatste’ punt"]
    assert f"Pagina 1 van {len(reader.pages)}" in text
    assert all((round(float(p.mediabox.width)), round(float(p.mediabox.height))) == (595, 842) for p in reader.pages)
    # Embedded as subsets (DejaVu Sans alone is ~740 kB), the core font used nowhere.
    assert base_fonts(reader) and all(name.startswith("/MPDFAA+DejaVuSans") for name in base_fonts(reader))
    assert len(data) < 60_000
    assert data == build([decision(), entry(2, "Één ‘laatste’ punt", "Ja… ok 👍")], FONT)  # same data, same bytes


def test_without_the_font_the_core_font_transliterates_as_before():
    reader, text = read(build([decision()], None))

    assert "vastgelegd door Sükrü Yilmaz - Lucja Nowak" in text
    assert "voor een 'veilige' speeltuin - met bankjes (EUR 4.000)." in text
    assert "Agca Öztürk: Denk aan Zaneta en ?????." in text and "Lucja Nowak: afwezig" in text
    assert reader.metadata.title == "Besluitenlijst Huurdersraad Lódz"
    assert base_fonts(reader) <= {"/Helvetica", "/Helvetica-Bold", "/Helvetica-Oblique"}


def test_a_family_without_italic_writes_the_italic_lines_upright():
    reader, text = read(build([decision()], pdf.Font(FONT.regular, FONT.bold)))
    assert f"vastgelegd door {NAMES}" in text  # the 'Besloten op ...' line is italic
    assert not any("Oblique" in name for name in base_fonts(reader))


def test_a_letter_the_italic_face_lacks_comes_from_the_upright_face(caplog):
    arabic = "\u0633\u0645\u064a\u0631"  # DejaVu Sans has Arabic letters, its oblique face has none
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        data = build([entry(1, "Plein", "Meer groen.", decided_by=person(arabic))], FONT)
    assert not [r for r in caplog.records if "missing" in r.getMessage()]  # no .notdef box in the oblique face
    reader, text = read(data)
    # Unshaped (no uharfbuzz), the letters are drawn left to right; pypdf reads that run back reversed.
    assert f"vastgelegd door {arabic[::-1]}" in text
    assert base_fonts(reader) == {"/MPDFAA+DejaVuSansBook", "/MPDFAA+DejaVuSansBold", "/MPDFAA+DejaVuSansOblique"}


def test_the_page_finds_the_first_family_installed_and_falls_back_without_one(tmp_path, monkeypatch):
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        shutil.copy(DEJAVU / name, tmp_path / name)
    candidates = [(str(tmp_path / "nothing-here"), "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"),
                  (str(tmp_path), "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")]
    monkeypatch.setattr(web, "_PDF_FONTS", tuple(candidates))
    web._pdf_font.cache_clear()
    try:
        assert web._pdf_font() == pdf.Font(str(tmp_path / "DejaVuSans.ttf"), str(tmp_path / "DejaVuSans-Bold.ttf"))
        monkeypatch.setattr(web, "_PDF_FONTS", tuple(candidates[:1]))
        web._pdf_font.cache_clear()
        assert web._pdf_font() is None
    finally:
        web._pdf_font.cache_clear()


def test_a_damaged_font_file_still_gives_the_member_a_pdf(tmp_path, caplog):
    broken = tmp_path / "Broken.ttf"
    broken.write_bytes(b"not a font at all")
    damaged = pdf.Font(broken, FONT.bold)
    content = {"council_name": "Huurdersraad Zuid", "lang": "nl", "exported_at": AT, "entries": [decision()]}
    with pytest.raises(Exception):
        pdf.besluitenlijst(FPDF, font=damaged, **content)  # the domain says so ...
    with caplog.at_level(logging.ERROR, logger="overleg.werkplek.web"):
        reader, text = read(web._pdf_body(FPDF, damaged, **content))  # ... and the page writes Latin-1 instead
    assert "vastgelegd door Sükrü Yilmaz - Lucja Nowak" in text and "Broken.ttf" in caplog.text
    assert web._pdf_body(FPDF, FONT, **content) == build([decision()], FONT, council="Huurdersraad Zuid")
