"""What the bot posts as HTML is cleaned, whoever wrote it."""
from __future__ import annotations

import pytest

from services.bot.html_clean import clean_html


@pytest.mark.parametrize(("given", "posted"), [
    ("<b>Ronde 3</b><br>voorstel", "<b>Ronde 3</b><br>voorstel"),
    ('<a href="https://matrix.to/#/!r:x/$e">draad</a>', '<a href="https://matrix.to/#/!r:x/$e">draad</a>'),
    # A feed link: the spec allows no webcal:// href; the text stays, so members can copy it.
    ('<a href="webcal://k.example/feeds/abc.ics">webcal://k.example/feeds/abc.ics</a>',
     "<a>webcal://k.example/feeds/abc.ics</a>"),
    ('<a href="javascript:alert(1)">klik</a>', "<a>klik</a>"),
    ("<script>alert(1)</script>tekst", "tekst"),
    ('<img src="https://evil.example/x.png" onerror="alert(1)">', ""),
    ('<img src="mxc://server/abc" alt="grafiek">', '<img src="mxc://server/abc" alt="grafiek">'),
    ('<p onclick="x()" style="color:red">hoi</p>', "<p>hoi</p>"),
    ("<b>open <i>niet gesloten", "<b>open <i>niet gesloten</i></b>"),
    ("<iframe src=x>weg</iframe>blijft", "blijft"),
    ("5 &lt; 6 &amp; <unknown>tekst</unknown>", "5 &lt; 6 &amp; tekst"),
    ('<code class="language-python">x</code><code class="evil">y</code>',
     '<code class="language-python">x</code><code>y</code>'),
])
def test_clean_html(given, posted):
    assert clean_html(given) == posted
