"""The bot's cross-signing identity on the real Synapse: created and published on first start, its
device signed by it as Element requires (MSC4153), kept across restarts, never silently replaced
when its keys are lost, replaced on the operator's word (password or the admin API's allowance)."""
from __future__ import annotations

import asyncio
import json
import secrets

import httpx
import pytest

from services.bot.crypto import CROSS_SIGNING_FILE, cross_signing_status
from services.bot.matrix import CrossSigningError, CryptoOptions, MatrixGateway

pytestmark = pytest.mark.timeout(180)


def keys_seen_by(synapse, viewer, user_id: str) -> dict:
    """What any member's client reads about ``user_id`` from the homeserver."""
    resp = httpx.post(f"{synapse.base_url}/_matrix/client/v3/keys/query", timeout=30,
                      headers={"Authorization": f"Bearer {viewer.access_token}"},
                      json={"device_keys": {user_id: []}})
    resp.raise_for_status()
    return resp.json()


async def start_gateway(synapse, bot, store_dir, *, device_id=None, passphrase="DEFAULT_KEY", token_only=False):
    gw = MatrixGateway(synapse.base_url, bot.user_id, crypto=CryptoOptions(store_dir=store_dir, passphrase=passphrase))
    if token_only:
        await gw.use_token(bot.access_token, bot.device_id)
    else:
        session = await gw.login(bot.password, "Overleg", device_id=device_id)
        await gw.use_token(session.access_token, session.device_id)
    await gw.open_crypto()
    return gw


def test_identity_created_kept_never_silently_replaced_and_replaced_on_request(synapse, matrix_user, tmp_path):
    bot = matrix_user("overleg")
    member = matrix_user("anna")
    store_dir = tmp_path / "crypto"

    async def scenario():
        # First start: a new identity, published, the device signed by it.
        gw = await start_gateway(synapse, bot, store_dir)
        device = gw.client.device_id
        first = await gw.ensure_cross_signing(bot.password)
        await gw.close()
        assert first.action == "create" and first.device_signed
        status = cross_signing_status(keys_seen_by(synapse, member, bot.user_id), bot.user_id)
        assert status.master_key == first.master_key and device in status.signed_devices

        # Restart on the same device: nothing changes.
        gw = await start_gateway(synapse, bot, store_dir, device_id=device)
        again = await gw.ensure_cross_signing(bot.password)
        await gw.close()
        assert again.action == "keep" and again.master_key == first.master_key

        # The private keys are lost: the bot says so and publishes nothing.
        saved = (store_dir / CROSS_SIGNING_FILE).read_text()
        (store_dir / CROSS_SIGNING_FILE).unlink()
        gw = await start_gateway(synapse, bot, store_dir, device_id=device)
        lost = await gw.ensure_cross_signing(bot.password)
        await gw.close()
        assert lost.action == "lost" and not (store_dir / CROSS_SIGNING_FILE).exists()
        assert cross_signing_status(keys_seen_by(synapse, member, bot.user_id), bot.user_id).master_key == first.master_key

        # The operator replaces it (password: user-interactive auth).
        gw = await start_gateway(synapse, bot, store_dir, device_id=device)
        new = await gw.ensure_cross_signing(bot.password, replace=True)
        await gw.close()
        assert new.action == "create" and new.master_key != first.master_key
        status = cross_signing_status(keys_seen_by(synapse, member, bot.user_id), bot.user_id)
        assert status.master_key == new.master_key and device in status.signed_devices
        assert json.loads(saved)["master_public"] == first.master_key

    asyncio.run(scenario())


def test_a_new_device_signs_itself_with_the_kept_identity(synapse, matrix_user, tmp_path):
    bot = matrix_user("overleg")
    member = matrix_user("bram")
    store_dir = tmp_path / "crypto"

    async def scenario():
        gw = await start_gateway(synapse, bot, store_dir)
        first = await gw.ensure_cross_signing(bot.password)
        await gw.close()
        gw = await start_gateway(synapse, bot, store_dir)  # a fresh login: another device
        second_device = gw.client.device_id
        result = await gw.ensure_cross_signing(bot.password)
        await gw.close()
        assert result.action == "keep" and result.master_key == first.master_key
        status = cross_signing_status(keys_seen_by(synapse, member, bot.user_id), bot.user_id)
        assert second_device in status.signed_devices

    asyncio.run(scenario())


def test_sealed_with_the_store_passphrase_and_a_token_only_replacement_asks_for_the_password(
        synapse, matrix_user, tmp_path):
    bot = matrix_user("overleg")
    store_dir = tmp_path / "crypto"
    passphrase = secrets.token_urlsafe(16)

    async def scenario():
        gw = await start_gateway(synapse, bot, store_dir, passphrase=passphrase, token_only=True)
        created = await gw.ensure_cross_signing(None)  # the first upload needs no password (MSC3967)
        assert created.action == "create"
        data = json.loads((store_dir / CROSS_SIGNING_FILE).read_text())
        assert "sealed" in data and "seeds" not in data
        with pytest.raises(CrossSigningError, match="matrix.password"):
            await gw.ensure_cross_signing(None, replace=True)
        await gw.close()
        assert cross_signing_status(keys_seen_by(synapse, bot, bot.user_id), bot.user_id).master_key == created.master_key
        # Given the password for the one command, the replacement goes through.
        gw = await start_gateway(synapse, bot, store_dir, passphrase=passphrase, token_only=True)
        replaced = await gw.ensure_cross_signing(bot.password, replace=True)
        await gw.close()
        assert replaced.action == "create" and replaced.master_key != created.master_key

    asyncio.run(scenario())
