"""The test harness itself, against the real Synapse and Radicale it starts."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from devstack.radicale import EmbeddedRadicale
from devstack.matrix_client import MatrixError, MatrixTestClient, in_thread, thread_root
from devstack.synapse import EmbeddedSynapse
from devstack.procs import ProcessStartError, free_port


def _is_text(body: str):
    return lambda ev: ev.get("type") == "m.room.message" and ev["content"].get("body") == body


def test_two_members_talk_in_a_room_and_a_thread(matrix_user, matrix_client) -> None:
    alice, bob = matrix_user("alice"), matrix_user("bob")
    a, b = matrix_client(alice), matrix_client(bob)

    room = a.create_room(invite=[bob.user_id], name="Klantenraad")
    assert b.wait_for_invite(room) == room
    assert b.join(room) == room
    assert a.joined_members(room) == {alice.user_id, bob.user_id}

    root = a.send_text(room, "!agenda")
    seen = b.wait_for(room, _is_text("!agenda"))
    assert seen["event_id"] == root and seen["sender"] == alice.user_id

    reply = b.send_text(room, "Punt 1: huurverhoging", thread_root=root)
    got = a.wait_for(room, in_thread(root, sender=bob.user_id), after=root)
    assert got["event_id"] == reply
    relates = got["content"]["m.relates_to"]
    assert relates["rel_type"] == "m.thread" and relates["event_id"] == root
    assert relates["m.in_reply_to"]["event_id"] == root
    assert thread_root(got) == root

    # Ordered history, and `after` only returns what followed.
    bodies = [e["content"]["body"] for e in a.messages(room)]
    assert bodies[-2:] == ["!agenda", "Punt 1: huurverhoging"]
    assert [e["event_id"] for e in a.messages(room, after=root)] == [reply]


def test_wait_for_times_out_with_what_it_saw(matrix_user, matrix_client) -> None:
    client = matrix_client(matrix_user("carol"))
    room = client.create_room(name="stil")
    client.send_text(room, "hallo")
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="hallo"):
        client.wait_for(room, _is_text("nooit"), timeout=1.5)
    assert time.monotonic() - started < 10


def test_many_messages_are_all_seen_in_order(matrix_user, matrix_client) -> None:
    # More than one sync page (timeline limit 100): the limited-sync backfill must fill the gap.
    sender, reader = matrix_user("sender"), matrix_user("reader")
    s, r = matrix_client(sender), matrix_client(reader)
    room = s.create_room(invite=[reader.user_id])
    r.join(room)
    r.sync()
    backfills: list[str] = []
    real_backfill = r._backfill
    r._backfill = lambda room_id, token, **kw: backfills.append(room_id) or real_backfill(  # type: ignore[method-assign]
        room_id, token, **kw
    )
    sent = [s.send_text(room, f"bericht {i}") for i in range(130)]
    got = r.wait_for_all(
        room, lambda e: e.get("type") == "m.room.message", count=130, timeout=30
    )
    assert [e["event_id"] for e in got] == sent
    assert backfills == [room]


def test_register_is_idempotent(synapse: EmbeddedSynapse) -> None:
    localpart = f"twice-{uuid.uuid4().hex[:8]}"
    first = synapse.register_user(localpart, "geheim-1", displayname="Twice")
    second = synapse.register_user(localpart, "geheim-1")
    assert first.user_id == second.user_id == synapse.user_id(localpart)
    assert first.access_token != second.access_token
    for user in (first, second):
        with MatrixTestClient(synapse.base_url, user.access_token) as c:
            assert c.user_id == first.user_id
    with pytest.raises(MatrixError) as err:
        synapse.register_user(localpart, "ander-wachtwoord")
    assert err.value.errcode == "M_FORBIDDEN"


def test_admin_user_is_admin(synapse: EmbeddedSynapse, matrix_user) -> None:
    admin = matrix_user("secretaris", admin=True)
    res = httpx.get(
        f"{synapse.base_url}/_synapse/admin/v2/users/{admin.user_id}",
        headers={"Authorization": f"Bearer {admin.access_token}"},
    )
    assert res.status_code == 200 and res.json()["admin"] is True


def test_rate_limit_override_gives_429_and_client_waits_it_out(
    synapse: EmbeddedSynapse, matrix_user, matrix_client
) -> None:
    user = matrix_user("druk")
    client = matrix_client(user)
    room = client.create_room()
    synapse.override_ratelimit(user.user_id, messages_per_second=1, burst_count=2)
    try:
        statuses = []
        for i in range(5):
            res = httpx.put(
                f"{synapse.base_url}/_matrix/client/v3/rooms/{room}/send/m.room.message/raw{i}",
                json={"msgtype": "m.text", "body": f"snel {i}"},
                headers={"Authorization": f"Bearer {user.access_token}"},
            )
            statuses.append(res.status_code)
            if res.status_code == 429:
                assert res.json()["errcode"] == "M_LIMIT_EXCEEDED"
                assert res.json()["retry_after_ms"] > 0
        assert 429 in statuses
        # The harness client honours retry_after_ms instead of failing.
        event_ids = [client.send_text(room, f"rustig {i}") for i in range(2)]
        assert len(set(event_ids)) == 2
    finally:
        synapse.clear_ratelimit_override(user.user_id)


def test_config_rate_limits_and_port(tmp_path: Path) -> None:
    hs = EmbeddedSynapse(tmp_path / "hs", free_port(), relaxed_rate_limits=False)
    cfg = yaml.safe_load(hs.ensure_config().read_text())
    assert "rc_message" not in cfg  # Synapse defaults (0.2/s, burst 10) for the 429 drill
    assert cfg["enable_registration"] is False
    assert cfg["registration_shared_secret"] == hs.registration_secret
    assert cfg["listeners"][0]["bind_addresses"] == ["127.0.0.1"]
    assert cfg["trusted_key_servers"] == []

    secret = hs.registration_secret
    other_port = free_port()
    relaxed = EmbeddedSynapse(tmp_path / "hs", other_port, relaxed_rate_limits=True)
    cfg = yaml.safe_load(relaxed.ensure_config().read_text())
    assert cfg["rc_message"]["per_second"] >= 1000
    assert cfg["rc_login"]["failed_attempts"]["burst_count"] >= 1000
    assert cfg["listeners"][0]["port"] == other_port
    assert relaxed.registration_secret == secret  # generated once, then reused
    # port=None reuses the configured port
    assert EmbeddedSynapse(tmp_path / "hs").port == other_port


def test_restart_keeps_users_and_rooms(tmp_path: Path) -> None:
    data = tmp_path / "hs"
    hs = EmbeddedSynapse(data, free_port())
    hs.start()
    try:
        alice = hs.register_user("alice", "wachtwoord-a")
        bob = hs.register_user("bob", "wachtwoord-b")
        a, b = hs.client(alice), hs.client(bob)
        room = a.create_room(invite=[bob.user_id])
        b.join(room)
        before = a.send_text(room, "voor de herstart")
        b.wait_for(room, _is_text("voor de herstart"))

        assert hs.stop() is True
        assert not hs.is_running() and not hs.pidfile.exists()
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{hs.base_url}/health", timeout=2)

        # While the homeserver is down, a waiting reader keeps trying and then sees the
        # message sent after the restart.
        after_restart: dict[str, str] = {}

        def restart_and_send() -> None:
            time.sleep(1.0)
            hs.start()
            after_restart["event_id"] = a.send_text(room, "na de herstart")

        worker = threading.Thread(target=restart_and_send)
        worker.start()
        got = b.wait_for(room, _is_text("na de herstart"), timeout=60, after=before)
        worker.join(timeout=60)
        assert got["event_id"] == after_restart["event_id"]

        # Same users (old tokens still valid), same room and history.
        assert a.user_id == alice.user_id
        assert room in b.joined_rooms()
        assert hs.register_user("alice", "wachtwoord-a").user_id == alice.user_id
        history = [e["content"]["body"] for e in b.messages(room)]
        assert history[-2:] == ["voor de herstart", "na de herstart"]
        a.close()
        b.close()

        # A separate process (think `overleg down`) sees it through the pidfile and stops it.
        other = EmbeddedSynapse(data)
        assert other.port == hs.port and other.is_running()
        other.start(timeout=10)  # adopts the running server instead of starting a second one
        assert other.pid == hs.pid
        with pytest.raises(ProcessStartError, match="already runs"):
            EmbeddedSynapse(data, free_port()).start(timeout=5)
        other.close()
        assert EmbeddedSynapse.stop_from_pidfile(data) is True
        assert not hs.is_running()
        assert EmbeddedSynapse.stop_from_pidfile(data) is False
    finally:
        hs.stop()
        hs.close()


def test_radicale_calendar_roundtrip(radicale: EmbeddedRadicale) -> None:
    url = radicale.ensure_calendar(radicale.user, radicale.password, "Klantenraad vergaderingen")
    assert url == radicale.calendar_url(radicale.user, "Klantenraad vergaderingen")
    # Idempotent: the second call finds it.
    assert radicale.ensure_calendar(radicale.user, radicale.password, "Klantenraad vergaderingen") == url

    uid = f"{uuid.uuid4()}@overleg.test"
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Overleg//test//NL\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:{uid}\r\n"
        "DTSTAMP:20260101T090000Z\r\n"
        "DTSTART:20260310T180000Z\r\nDTEND:20260310T200000Z\r\n"
        "SUMMARY:Raadsvergadering\r\nLOCATION:Kantoor Rotterdam\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with radicale.client() as client:
        calendar = client.principal().calendar(cal_id=url)
        calendar.add_event(ics)
        event = calendar.get_event_by_uid(uid)
        component = event.icalendar_component
        assert str(component["summary"]) == "Raadsvergadering"
        assert str(component["location"]) == "Kantoor Rotterdam"
        assert any(uid in str(e.icalendar_component["uid"]) for e in calendar.events())

    # A wrong password is refused; the right one reads the raw object.
    bad = httpx.get(url, auth=(radicale.user, "fout"))
    assert bad.status_code == 401
    ok = httpx.request("PROPFIND", url, auth=(radicale.user, radicale.password), headers={"Depth": "1"})
    assert ok.status_code == 207 and ".ics" in ok.text


def test_radicale_restart_keeps_data_and_stops_from_pidfile(tmp_path: Path) -> None:
    data = tmp_path / "radicale"
    server = EmbeddedRadicale(data, free_port())
    server.ensure_user("secretaris", "pw")
    server.start()
    try:
        url = server.ensure_calendar("secretaris", "pw", "Heidagen")
        server.stop()
        assert not server.is_running()
        again = EmbeddedRadicale(data)  # port from the existing config
        assert again.port == server.port
        again.start()
        assert again.ensure_calendar("secretaris", "pw", "Heidagen") == url
        assert httpx.request("PROPFIND", url, auth=("secretaris", "pw")).status_code == 207
        assert EmbeddedRadicale.stop_from_pidfile(data) is True
        assert not again.is_running()
    finally:
        server.stop()
