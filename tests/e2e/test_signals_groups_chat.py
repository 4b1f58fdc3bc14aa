"""Members correct the grouping in the signals room, end to end on the real stack: two groups about one issue
become one with ``!samenvoegen`` (the other thread says where it went), and a signal about another issue gets a
group of its own with ``!afsplitsen``."""
from __future__ import annotations

import re
import uuid

import pytest

from test_signals_flow import anna, bram  # noqa: F401 - pytest finds these fixtures by name
from test_signals_flow import card_root, content, in_thread
from tests.support import replies_to

pytestmark = pytest.mark.timeout(300)


def test_two_groups_become_one_and_a_signal_gets_its_own(stack, anna, bram):  # noqa: F811 - the fixtures
    room = stack.state.signals_room_id
    bot = stack.user_id("overleg")
    run = uuid.uuid4().hex[:6]
    first = anna.send_text(room, f"!signaal wijk=Carnisse De lift in de Zuidhoek {run} staat al weken stil.")
    one = re.search(r"signaalgroep \(?#(\d+)", content(anna.wait_for(room, replies_to(bot, first), timeout=60))["body"])
    second = anna.send_text(room, f"!signaal wijk=Bloemhof Er ligt grofvuil bij de containers in de "
                                  f"Bloemhofstraat {run}.")
    two = re.search(r"signaalgroep \(?#(\d+)", content(anna.wait_for(room, replies_to(bot, second), timeout=60))["body"])
    assert one and two and one.group(1) != two.group(1)
    a, b = int(one.group(1)), int(two.group(1))
    root_a = bram.wait_for(room, card_root(bot, a), timeout=60)["event_id"]
    root_b = bram.wait_for(room, card_root(bot, b), timeout=60)["event_id"]

    merged = bram.send_text(room, f"!samenvoegen {b}", thread_root=root_a)
    answer = content(bram.wait_for(room, replies_to(bot, merged), timeout=60))["body"]
    assert f"Groep #{b} is bij groep #{a} gevoegd" in answer and "2 signalen" in answer
    bram.wait_for(room, in_thread(bot, root_b, f"Groep #{b} is samengevoegd met groep #{a}"), timeout=60)
    bram.wait_for(room, in_thread(bot, root_a, f"Groep #{b} is hierbij gevoegd"), timeout=60)

    posts = [e for e in bram.events(room) if in_thread(bot, root_b, "Signaal #")(e)]
    signal_id = re.search(r"Signaal #(\d+)", content(posts[-1])["body"]).group(1)
    split = bram.send_text(room, f"!afsplitsen {signal_id}", thread_root=root_a)
    answer = content(bram.wait_for(room, replies_to(bot, split), timeout=60))["body"]
    found = re.search(rf"Signaal {signal_id} is nu een eigen groep: #(\d+)", answer)
    assert found, answer
    new_root = bram.wait_for(room, card_root(bot, int(found.group(1))), timeout=60)
    assert "Afgesplitst van groep" in content(new_root)["body"]
    bram.wait_for(room, in_thread(bot, new_root["event_id"], "grofvuil"), timeout=60)

    wrong = bram.send_text(room, "!samenvoegen", thread_root=root_a)
    assert "!samenvoegen <groep-nr>" in content(bram.wait_for(room, replies_to(bot, wrong), timeout=60))["body"]
