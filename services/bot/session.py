"""Getting the bot's Matrix session ready: log in (keeping the device across restarts), open the crypto
store of that device (refusing a lost one), and make sure the device is signed by the bot's
cross-signing identity. ``app.py`` calls :meth:`BotSession.login` and :meth:`BotSession.open_crypto`
and then runs the sync loop on the ready gateway."""
from __future__ import annotations

import asyncio
import logging
from typing import Iterable

from services.bot import store
from services.bot.crypto import CryptoStoreError, EncryptionUnavailable
from services.bot.matrix import CrossSigningError, CrossSigningResult, FatalAuthError, MatrixGateway, TransientError
from shared.db import Database
from shared.outbox import backoff_seconds
from shared.settings import MatrixSettings

log = logging.getLogger("overleg.bot")

EXIT_AUTH = 2  # the homeserver rejected the bot's token or password
EXIT_CRYPTO_STORE = 3  # the crypto store is lost or does not match the device: see README, "Encrypted rooms"
EXIT_NO_ENCRYPTION = 4  # encryption is switched on but matrix-nio's encryption support is not installed


class BotSession:
    """Login and crypto bootstrap of one bot process. ``stopping`` ends every retry loop early."""

    def __init__(self, matrix: MatrixSettings, db: Database, gateway: MatrixGateway, stopping: asyncio.Event) -> None:
        self.matrix = matrix
        self.db = db
        self.gateway = gateway
        self._stopping = stopping
        self.user_id = matrix.user_id

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            pass

    # --- login ---------------------------------------------------------------------------------
    async def login(self) -> str:
        """Log in (configured token, saved token, or password) and return the bot's user id."""
        m = self.matrix
        with self.db.read() as s:
            saved_token = store.get_state(s, "access_token")
            saved_device = store.get_state(s, "device_id")
        attempt = 0
        while not self._stopping.is_set():
            try:
                if m.access_token:
                    session = await self.gateway.use_token(m.access_token, m.device_id)
                elif saved_token:
                    try:
                        session = await self.gateway.use_token(saved_token, saved_device)
                    except FatalAuthError:
                        if not m.password:
                            raise
                        log.warning("saved session no longer valid; logging in again with the password")
                        saved_token = None
                        continue
                elif m.password:
                    # Keep the device across restarts: transaction ids are deduplicated per device,
                    # and members' clients know its encryption keys.
                    session = await self.gateway.login(m.password, m.device_name, device_id=saved_device)
                    await self.gateway.use_token(session.access_token, session.device_id)
                    with self.db.session() as s:
                        store.set_state(s, "access_token", session.access_token)
                        store.set_state(s, "device_id", session.device_id)
                else:
                    raise FatalAuthError("no access token or password configured for the bot")
                self.user_id = session.user_id
                log.info("logged in as %s (device %s)", session.user_id, session.device_id)
                return self.user_id
            except TransientError as exc:
                attempt += 1
                delay = backoff_seconds(attempt, cap=30)
                log.warning("homeserver not reachable (%s); retrying in %.0fs", exc, delay)
                await self._sleep(delay)
        return self.user_id

    async def _start_new_device(self, lost: str) -> None:
        """The operator chose to give up device ``lost`` (its store is gone or unusable): log in afresh."""
        m = self.matrix
        log.warning("matrix.abandon_device names device %s: logging in as a new device; members' clients will "
                    "see a new session of the bot", lost)
        session = await self.gateway.login(m.password or "", m.device_name, device_id=None)
        with self.db.session() as s:
            store.set_state(s, "access_token", session.access_token)
            store.set_state(s, "device_id", session.device_id)
        await self.gateway.use_token(session.access_token, session.device_id)
        self.user_id = session.user_id
        if not await self.gateway.delete_device(lost, m.password or ""):
            log.warning("could not remove the abandoned device %s; remove it in Element's session list", lost)
        log.info("logged in as %s (device %s)", session.user_id, session.device_id)

    # --- the crypto store ----------------------------------------------------------------------
    async def open_crypto(self, council_rooms: Iterable[str]) -> None:
        """Open the crypto store of the logged-in device; refuse to start on a lost one. Encrypted
        messages go to ``council_rooms`` and the direct-message rooms the bot made."""
        m = self.matrix
        device = self.gateway.client.device_id
        with self.db.read() as s:
            known_device = store.get_state(s, "crypto_device_id")
            known_key = store.get_state(s, "crypto_ed25519")
        store_file = self.gateway.crypto_store_file(device)
        start_over = f"To start over on a new device, set matrix.abandon_device: {device} (password login)"
        if m.abandon_device and m.abandon_device == device:
            if not m.password:
                raise CryptoStoreError(f"matrix.abandon_device names device {device}, but a new device needs the "
                                       "bot's password (or give it an access token of a fresh device)")
            await self._start_new_device(device)
            device = self.gateway.client.device_id
        elif known_device == device and not store_file.exists():
            raise CryptoStoreError(
                f"the crypto store of device {device} is missing ({store_file}), but this device has published "
                "encryption keys that members' clients trust. Creating a new store would silently change the "
                f"bot's identity. {start_over}")
        elif known_device and known_device != device:
            log.warning("the bot now uses device %s instead of %s: members' clients will see a new session", device,
                        known_device)
        attempt = 0
        while True:
            try:
                identity = await self.gateway.open_crypto()
                break
            except CryptoStoreError as exc:
                raise CryptoStoreError(f"{exc}. {start_over}") from exc
            except TransientError as exc:
                attempt += 1
                delay = backoff_seconds(attempt, cap=30)
                log.warning("could not check the bot's encryption keys (%s); retrying in %.0fs", exc, delay)
                await self._sleep(delay)
                if self._stopping.is_set():
                    return
        if known_device == identity.device_id and known_key and known_key != identity.ed25519:
            raise CryptoStoreError(f"the crypto store {identity.store_file} holds other keys than the ones device "
                                   f"{identity.device_id} published")
        with self.db.session() as s:
            store.set_state(s, "crypto_device_id", identity.device_id)
            store.set_state(s, "crypto_ed25519", identity.ed25519)
            dm_rooms = store.dm_rooms(s)
            waiting = store.pending_count(s)
        self.gateway.set_trusted_rooms(set(council_rooms) | set(dm_rooms))
        log.info("end-to-end encryption ready: device %s, key %s, store %s, trust %s", identity.device_id,
                 identity.ed25519, identity.store_file, m.trust)
        if waiting:
            log.warning("%d encrypted event(s) still wait for their room key", waiting)
        await self.ensure_cross_signing()

    async def ensure_cross_signing(self, *, replace: bool = False) -> CrossSigningResult | None:
        """The bot's device signed by its own cross-signing identity, as Element requires.

        A missing identity is created and published; one the homeserver holds but whose keys are
        not in the crypto store is left alone with a CRITICAL log line: replacing it is the
        operator's choice (``overleg bot --replace-identity``). The bot keeps working either way;
        members on Element's default settings cannot read it until this is in order."""
        attempt = 0
        while not self._stopping.is_set():
            try:
                result = await self.gateway.ensure_cross_signing(self.matrix.password, replace=replace)
            except TransientError as exc:
                attempt += 1
                delay = backoff_seconds(attempt, cap=30)
                log.warning("could not check the bot's cross-signing identity (%s); retrying in %.0fs", exc, delay)
                await self._sleep(delay)
                continue
            except CrossSigningError as exc:
                log.critical("the bot has no cross-signing identity: %s. Members whose Element shares keys only "
                             "with verified sessions cannot read the bot until this is fixed.", exc)
                return None
            if result.action == "lost":
                log.critical("%s. Restore the crypto store from the backup, or replace the identity with "
                             "'overleg bot --replace-identity' (members then see that the bot's identity changed). "
                             "Until then members on Element's default settings cannot read the bot.", result.reason)
            else:
                log.info("cross-signing: %s (master key %s); device %s is signed by it", result.reason,
                         result.master_key, self.gateway.client.device_id)
            return result
        return None

    async def replace_identity(self) -> int:
        """Operator command: make a new cross-signing identity for the bot and publish it. Returns the
        process exit code."""
        try:
            await self.login()
            identity = await self.gateway.open_crypto()
            log.info("crypto store of device %s opened", identity.device_id)
            result = await self.ensure_cross_signing(replace=True)
            return 0 if result is not None and result.action != "lost" else 1
        except (FatalAuthError, CryptoStoreError, EncryptionUnavailable) as exc:
            log.critical("cannot replace the identity: %s", exc)
            return EXIT_AUTH if isinstance(exc, FatalAuthError) else EXIT_CRYPTO_STORE
        finally:
            await self.gateway.close()
