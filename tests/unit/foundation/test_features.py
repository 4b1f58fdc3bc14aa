"""Every feature module loads together: no command word is claimed twice, every command has help
text in Dutch and English."""
from services.bot.commands import CommandTable
from services.bot.features import load_features
from services.bot.messages import register_messages
from shared import i18n


def test_all_feature_modules_load_into_one_table():
    register_messages()
    table = CommandTable()
    for module in load_features():
        table.add(getattr(module, "COMMANDS", []))
    names = {spec.name for spec in table.specs}
    assert {"hulp", "taal"} <= names
    for spec in table.specs:
        assert i18n.t(spec.summary_key, "nl") != spec.summary_key, spec.name
        assert i18n.t(spec.summary_key, "en") != spec.summary_key, spec.name
