"""Members correct the grouping: ``!samenvoegen`` moves a group into another (signals, residents, 👍; the threads
say where), ``!afsplitsen`` makes a signal a group of its own; later signals follow the corrections."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

import pytest

from test_signals_api import (  # noqa: F401 - the fixtures are used by name
    ANNA, BRAM, LEAK_1, LEAK_2, NOISE, T0, Service, delib, make_service,
)


@pytest.fixture
def svc(database_url: str, delib: dict[str, Any]) -> Iterator[Service]:  # noqa: F811
    service = make_service(database_url, delib)
    yield service
    service.db.dispose()


def bodies(svc: Service) -> list[str]:
    return [m.body for m in svc.handoff()]


def test_merging_moves_signals_residents_and_thumbs_and_later_signals_follow(svc: Service):
    leak = svc.send(LEAK_1, at=T0, contact={"email": "jan@example.nl", "consent": True})
    noise = svc.send(NOISE, at=T0 + timedelta(hours=1))
    a, b = leak["signal"]["cluster_id"], noise["signal"]["cluster_id"]
    assert a != b
    assert svc.bot.post(f"/clusters/{b}/heard", {"member": ANNA}).status_code == 200
    assert svc.bot.post(f"/clusters/{a}/agenda", {"actor": BRAM}).status_code == 200

    merged = svc.bot.post(f"/clusters/{a}/merge", {"group": b, "actor": BRAM}, key="$merge")
    assert merged.status_code == 200 and merged.json["changed"] is True
    assert merged.json["cluster"]["signal_count"] == 2 and merged.json["cluster"]["heard_count"] == 1
    gone = svc.bot.get(f"/clusters/{b}").json
    assert gone["merged_into"] == a and gone["closed_at"] is not None and gone["signals"] == []
    text = "\n".join(bodies(svc))
    assert f"Groep #{b} is samengevoegd met groep #{a}" in text and f"Groep #{b} is hierbij gevoegd (1 signalen)" in text
    assert f"Samengevoegd met groep #{a}: verder in die draad." in text  # the old card says where it went
    # The moved resident follows the group's status: on the agenda.
    page = svc.client.get(f"/signaal/{noise['reference']}?lang=nl").get_data(as_text=True)
    assert "Op de agenda" in page
    # A later signal like the merged one joins the merged group.
    later = svc.send(NOISE.replace("elke nacht", "weer elke nacht"), at=T0 + timedelta(days=1))
    assert later["signal"]["cluster_id"] == a

    # What is not allowed says so, and changes nothing.
    other = svc.send(LEAK_2.replace("Tarwehof", "Mijnsherenlaan"), at=T0 + timedelta(days=2))
    c = other["signal"]["cluster_id"]
    if c != a:
        away = svc.bot.post(f"/clusters/{c}/merge", {"group": a, "actor": BRAM})
        assert away.status_code == 422 and away.json["error"] == "signals.merge.on_agenda"
        assert f"!samenvoegen {c}" in away.json["message"]
    itself = svc.bot.post(f"/clusters/{a}/merge", {"group": a, "actor": BRAM})
    assert itself.status_code == 422 and itself.json["error"] == "signals.merge.same"
    outsider = svc.bot.post(f"/clusters/{a}/merge", {"group": b, "actor": "@buurman:test"})
    assert outsider.status_code == 403


def test_splitting_makes_a_group_of_its_own_that_later_signals_join(svc: Service):
    leak = svc.send(LEAK_1, at=T0)
    noise = svc.send(NOISE, at=T0 + timedelta(hours=1))
    a, b = leak["signal"]["cluster_id"], noise["signal"]["cluster_id"]
    svc.bot.post(f"/clusters/{a}/merge", {"group": b, "actor": BRAM})

    elsewhere = svc.bot.post(f"/clusters/{b}/split", {"signal_id": noise["signal"]["id"], "actor": BRAM})
    assert elsewhere.status_code == 422 and elsewhere.json["error"] == "signals.split.not_here"  # b merged away
    split = svc.bot.post(f"/clusters/{a}/split", {"signal_id": noise["signal"]["id"], "actor": BRAM}, key="$split")
    assert split.status_code == 200 and split.json["changed"] is True
    new = split.json["cluster"]
    assert new["id"] not in (a, b) and new["split_from"] == a and new["signal_count"] == 1
    assert svc.bot.get(f"/clusters/{a}").json["signal_count"] == 1
    posted = svc.handoff()
    assert any(m.key == new["card_key"] for m in posted)  # its own card, its own thread
    assert any(m.thread_key == new["card_key"] and "Harde muziek" in m.body for m in posted)
    assert f"Signaal {noise['signal']['id']} is afgesplitst: het is nu groep #{new['id']}" in "\n".join(bodies(svc))
    later = svc.send(NOISE.replace("elke nacht", "ook deze week elke nacht"), at=T0 + timedelta(days=1))
    assert later["signal"]["cluster_id"] == new["id"]
    only = svc.bot.post(f"/clusters/{a}/split", {"signal_id": leak["signal"]["id"], "actor": BRAM})
    assert only.status_code == 422 and only.json["error"] == "signals.split.alone"
