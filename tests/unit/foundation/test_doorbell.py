"""The doorbell between the workers of one service (shared.doorbell): what one worker rings, every
other worker's runner sees once; its own ring it does not see again; no bell, no failure."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from shared.doorbell import Doorbell, slot_of

ROOT = Path(__file__).resolve().parents[3]


def test_a_ring_is_seen_once_by_every_other_worker_and_not_by_the_ringer(tmp_path):
    path = tmp_path / "run" / "signals-jobs.bell"
    ringer, holder, third = Doorbell(path), Doorbell(path), Doorbell(path)
    for bell in (ringer, holder, third):
        assert bell.rung(["handoff", "signals_cards"]) == []  # a new bell: nothing rung yet
    ringer.ring(["handoff"])
    assert holder.rung(["handoff", "signals_cards"]) == ["handoff"]
    assert third.rung(["handoff", "signals_cards"]) == ["handoff"]
    assert holder.rung(["handoff", "signals_cards"]) == []  # seen once
    assert ringer.rung(["handoff", "signals_cards"]) == []  # its own runner was woken directly
    ringer.ring(["handoff", "signals_cards"])
    assert sorted(holder.rung(["handoff", "signals_cards"])) == ["handoff", "signals_cards"]
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_ring_from_another_process_is_seen(tmp_path):
    path = tmp_path / "run" / "calendar-jobs.bell"
    holder = Doorbell(path)
    assert holder.rung(["caldav_sync"]) == []
    code = f"from shared.doorbell import Doorbell; Doorbell({str(path)!r}).ring(['caldav_sync'])"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert holder.rung(["caldav_sync", "reminders"]) == ["caldav_sync"]


def test_names_that_share_a_slot_are_both_rung_and_that_is_all(tmp_path):
    names = [f"job-{i}" for i in range(200)]
    first = names[0]
    twin = next(n for n in names[1:] if slot_of(n) == slot_of(first))
    other = next(n for n in names[1:] if slot_of(n) != slot_of(first))
    path = tmp_path / "bell"
    ringer, holder = Doorbell(path), Doorbell(path)
    holder.rung(names)
    ringer.ring([first])
    assert sorted(holder.rung([first, twin, other])) == sorted([first, twin])  # a needless turn, never a missed one


def test_a_folder_that_cannot_be_written_means_no_bell_and_no_failure(tmp_path, caplog):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    bell = Doorbell(blocked / "run" / "werkplek-jobs.bell")
    bell.ring(["werkplek_forget_links"])
    assert bell.rung(["werkplek_forget_links"]) == []
    bell.ring(["werkplek_forget_links"])
    assert sum("job doorbell" in r.getMessage() for r in caplog.records) == 1  # said once
