import pytest

from services.bot.commands import CommandSpec, CommandTable, parse


async def _noop(ctx, cmd):
    return None


def table() -> CommandTable:
    return CommandTable([
        CommandSpec("hulp", _noop, "algemeen", "bot.cmd.help", aliases=("help",)),
        CommandSpec("eens", _noop, "ronde", "x", english_aliases=("agree",)),
        CommandSpec("bezwaar", _noop, "ronde", "x", english_aliases=("object",)),
    ])


@pytest.mark.parametrize("body, word, args", [
    ("!hulp", "hulp", ""),
    ("  !Bezwaar  dit kost te veel\nen nog iets", "bezwaar", "dit kost te veel\nen nog iets"),
    ("> <@a:b> eerder bericht\n\n!eens", "eens", ""),
    ("!score 3 belang 4 invloed 5", "score", "3 belang 4 invloed 5"),
])
def test_parse_commands(body, word, args):
    cmd = parse(body)
    assert cmd is not None
    assert (cmd.word, cmd.args) == (word, args)


@pytest.mark.parametrize("body", ["", "hallo allemaal", "wat vind jij van !eens", "!", "! eens"])
def test_ordinary_chat_is_not_a_command(body):
    assert parse(body) is None


def test_lookup_by_name_and_alias():
    t = table()
    assert t.lookup("help").name == "hulp"
    assert t.lookup("agree").name == "eens"
    assert t.is_english_alias("agree") and not t.is_english_alias("eens")
    assert t.lookup("stemmen") is None


def test_closest_names_the_dutch_command():
    t = table()
    assert t.closest("hepl") == "hulp"
    assert t.closest("bezwar") == "bezwaar"
    assert t.closest("xyzzy") is None


def test_a_word_cannot_be_registered_twice():
    t = table()
    with pytest.raises(ValueError):
        t.add([CommandSpec("help", _noop, "algemeen", "x")])
