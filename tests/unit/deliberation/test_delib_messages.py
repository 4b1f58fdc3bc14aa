"""Every message code the domain can raise exists in Dutch and English, with the same placeholders."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from services.deliberation.domain import advice, agenda, consensus, influence, roster, scenarios
from services.deliberation.domain.messages import LabelledConflict, full_catalog, register_messages
from shared import i18n

DOMAIN = Path(consensus.__file__).parent
CATALOG = full_catalog()
CODE = re.compile(r"""["'](delib\.[a-z0-9_.]+)["']""")
LABEL_PREFIXES = {
    "delib.phase.": consensus.Phase,
    "delib.position.": consensus.Position,
    "delib.register.position.": consensus.Position,
    "delib.round_state.": consensus.RoundState,
    "delib.objection_status.": consensus.ObjectionStatus,
    "delib.topic_status.": agenda.TopicStatus,
    "delib.topic_mode.": agenda.TopicMode,
    "delib.topic_source.": agenda.TopicSource,
    "delib.application_status.": roster.ApplicationStatus,
    "delib.member_type.": roster.MemberType,
    "delib.advice_kind.": advice.AdviceKind,
    "delib.advice_stage.": advice.Stage,
    "delib.reply_kind.": advice.ReplyKind,
    "delib.outcome.": advice.Outcome,
    "delib.scenario_state.": scenarios.ScenarioState,
    "delib.option_source.": scenarios.OptionSource,
    "delib.influence_kind.": influence.InfluenceKind,
    "delib.influence_basis.": influence.InfluenceBasis,
}


def codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in DOMAIN.glob("*.py"):
        if path.name == "messages.py":
            continue
        found |= {c for c in CODE.findall(path.read_text(encoding="utf-8")) if not c.endswith(".")}
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_scan_finds_the_codes():
    codes = codes_in_source()
    assert {"delib.not_member", "delib.decide.not_ready", "delib.agenda.cap_reached",
            "delib.member.bad_matrix_id", "delib.register.title"} <= codes
    # codes built from a prefix: every prefix used in the source is known here
    prefixes = set()
    for path in DOMAIN.glob("*.py"):
        prefixes |= {c for c in CODE.findall(path.read_text(encoding="utf-8")) if c.endswith(".")}
    assert prefixes <= set(LABEL_PREFIXES)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_code_in_the_source_has_a_text(lang):
    missing = sorted(code for code in codes_in_source() if code not in CATALOG[lang])
    assert missing == []


@pytest.mark.parametrize("prefix,enum", sorted(LABEL_PREFIXES.items()), ids=sorted(LABEL_PREFIXES))
def test_every_enum_value_has_a_label(prefix, enum):
    for lang in ("nl", "en"):
        assert [v.value for v in enum if f"{prefix}{v.value}" not in CATALOG[lang]] == []


def test_dutch_and_english_have_the_same_codes_and_placeholders():
    assert set(CATALOG["nl"]) == set(CATALOG["en"])
    for code in CATALOG["nl"]:
        assert code.startswith("delib.")
        assert placeholders(CATALOG["nl"][code]) == placeholders(CATALOG["en"][code]), code


def test_no_text_is_left_unused():
    used = codes_in_source() | {f"{p}{v.value}" for p, e in LABEL_PREFIXES.items() for v in e}
    assert sorted(set(CATALOG["nl"]) - used) == []


def test_registration_is_idempotent_and_texts_render():
    register_messages()
    register_messages()
    assert i18n.t("delib.not_member", "nl").startswith("Je staat niet")
    assert i18n.t("delib.not_member", "en").startswith("You are not")
    assert i18n.t("delib.register.version", "en", version=3) == "version 3"


def test_labelled_conflict_shows_words_and_keeps_values():
    error = LabelledConflict("delib.topic.bad_transition", labels={"current": "delib.topic_status.",
                                                                   "wanted": "delib.topic_status."},
                             topic_id=4, current="in_ronde", wanted="geparkeerd")
    assert error.user_message("nl") == ("Onderwerp 4 is nu in een overlegronde en kan niet meteen naar geparkeerd. "
                                        "Er is niets veranderd.")
    assert error.to_json("en")["params"] == {"topic_id": 4, "current": "in_ronde", "wanted": "geparkeerd"}
    assert error.status == 409
