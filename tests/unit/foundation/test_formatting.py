from shared.formatting import Rich, clean_text, defang, one_line


def test_defang_breaks_links_and_room_mentions():
    text = "Kijk op https://evil.example/x of [klik](javascript:alert(1)) @room"
    out = defang(text)
    assert "https://" not in out
    assert "](" not in out
    assert "@room" not in out
    assert "evil.example" in out  # still readable


def test_clean_text_drops_bidi_and_invisible_characters():
    assert clean_text("a\u202eb\u200bc\ufeff\r\nd") == "abc\nd"
    assert one_line("regel 1\u2028regel 2\r\nregel 3") == "regel 1 regel 2 regel 3"


def test_rich_escapes_html_and_keeps_plain_fallback():
    rich = Rich().heading("Stand <b>").line("tekst & meer").quote("<script>alert(1)</script>").items(["één", "<i>"])
    assert "<script>" not in rich.html
    assert "&lt;script&gt;" in rich.html
    assert "&lt;i&gt;" in rich.html
    assert rich.body.splitlines()[0] == "Stand <b>"
    assert "• één" in rich.body
