"""A second council is added by configuration alone, without restarting the bot: SIGHUP reads the
file again; a room given by its alias is resolved; a bad configuration is refused and the old one
stays."""
from __future__ import annotations

import signal
import uuid

import httpx
import pytest
import yaml

from devstack.procs import terminate, wait_until
from tests.support import bot_process, replies_to

pytestmark = pytest.mark.timeout(180)


def test_sighup_takes_on_a_new_council_given_by_alias(synapse, matrix_user, matrix_client, tmp_path):
    bot, anna = matrix_user("overleg"), matrix_user("anna")
    member = matrix_client(anna)
    first = member.create_room(name="Klantenraad", invite=[bot.user_id])
    alias_name = f"huurdersraad-{uuid.uuid4().hex[:6]}"
    second = member.create_room(name="Huurdersraad", invite=[bot.user_id], extra={"room_alias_name": alias_name})
    alias = f"#{alias_name}:{synapse.server_name}"
    proc, log, port = bot_process(tmp_path, synapse.base_url, rooms={"main": first},
                                  matrix={"user_id": bot.user_id, "password": bot.password, "encryption": False})
    try:
        def ready() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        assert wait_until(ready, 60, interval=0.3), log.read_text()[-3000:]
        member.sync(0)
        cmd = member.send_text(second, "!hulp")  # not configured yet: no answer
        config_path = tmp_path / "overleg.yaml"
        config = yaml.safe_load(config_path.read_text())

        # A mistake in the new file: refused, the bot keeps running as it was.
        config_path.write_text(yaml.safe_dump({**config, "councls": []}))
        proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "reload refused" in log.read_text(), 30, interval=0.3), log.read_text()[-2000:]
        assert proc.poll() is None

        config["councils"].append({"slug": "huurdersraad", "name": "Huurdersraad", "rooms": {"main": alias}})
        config_path.write_text(yaml.safe_dump(config))
        proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "configuration reloaded: 2 council(s)" in log.read_text(), 30, interval=0.3), \
            log.read_text()[-2000:]
        assert wait_until(ready, 30, interval=0.3)  # joined the new room (readyz names rooms it is not in)
        later = member.send_text(second, "!hulp")
        reply = member.wait_for(second, replies_to(bot.user_id, later), timeout=30)
        assert "opdrachten" in reply["content"]["body"]
        assert not any(replies_to(bot.user_id, cmd)(e) for e in member.events(second))  # history stays history
    finally:
        terminate(proc.pid, proc=proc)
