"""The bot process: one sync loop that reads commands, one sender that drains the outbox, and the
intake that services hand their messages to. ``python -m services.bot`` runs it.

Logging in and the crypto bootstrap live in ``session.py``; handlers get a ``context.Services``
(never this ``Bot``), so nothing the bot loads imports this module back."""
from __future__ import annotations

import asyncio
import json
import logging
import signal
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Awaitable, Callable

from aiohttp import web

from services.bot import store
from services.bot.commands import Command, CommandTable, parse
from services.bot.context import CommandContext, ReactionContext, Reply, Services
from services.bot.features import load_features
from services.bot.intake import build_intake
from services.bot.crypto import CryptoStoreError, EncryptionUnavailable
from services.bot.matrix import (
    CryptoOptions,
    EncryptedEvent,
    FatalAuthError,
    IncomingMessage,
    IncomingReaction,
    KeyWithheld,
    MatrixGateway,
    TransientError,
)
from services.bot.messages import register_messages
from services.bot.metrics import BotMetrics
from services.bot.sender import OutboxSender
from services.bot.session import EXIT_AUTH, EXIT_CRYPTO_STORE, EXIT_NO_ENCRYPTION, BotSession
from shared import i18n
from shared.db import Database
from shared.errors import DomainError
from shared.http import AsyncServiceClient, ServiceUnavailable
from shared.memory import HeapTrimmer, limit_malloc_arenas, limit_sqlite_memory
from shared.migrations import migrate_service, upgrade_in_subprocess
from shared.outbox import OutboundMessage, backoff_seconds, utcnow
from shared.settings import SERVICES, Settings

SENT_TEXT_RETENTION = timedelta(days=7)
JOIN_CHECK_SECONDS = 300.0  # how often appointed members waited for are looked for in the council rooms
log = logging.getLogger("overleg.bot")
SERVICE_DIR = Path(__file__).parent

ReactionHandler = Callable[[ReactionContext], Awaitable[None]]

# Asking again for a missing room key: first after a minute, then ever less often.
KEY_REQUEST_FIRST_RETRY = timedelta(minutes=1)
KEY_REQUEST_MAX_INTERVAL = timedelta(hours=6)


# What the migration's child process runs: the schema, and the state kept elsewhere before.
MIGRATE_MODULE = "services.bot.migrate"


def migrate(db: Database) -> None:
    migrate_service(db, "bot")


class Bot:
    def __init__(self, settings: Settings, *, database: Database | None = None) -> None:
        register_messages()
        self.settings = settings
        if database is None:
            database = Database(settings.database_url_for("bot"))
            limit_sqlite_memory(database.engine)  # before its first connection (see shared.memory)
        self.db = database
        self.metrics = BotMetrics()
        self.commands = CommandTable()
        self.reaction_handlers: list[tuple[str, ReactionHandler]] = []
        for module in load_features():
            self.commands.add(getattr(module, "COMMANDS", []))
            self.reaction_handlers.extend(getattr(module, "REACTIONS", []))
        token = settings.token_for("bot")
        self.services = {name: AsyncServiceClient(name, settings.service_urls[name], token, timeout=10.0)
                         for name in SERVICES if name in settings.service_urls}
        m = settings.matrix
        crypto = None
        if m.encryption:
            store_dir = m.store_dir or settings.data_dir / "bot-crypto"
            crypto = CryptoOptions(store_dir=store_dir.resolve(), trust=m.trust, passphrase=m.store_passphrase)
        self.gateway = MatrixGateway(m.homeserver_url, m.user_id, device_id=m.device_id, crypto=crypto)
        # Startup, a sync that carried events and the sender's work are spells of work; the sender
        # trims the heap when it next finds the outbox empty (see shared.memory.HeapTrimmer).
        self.trimmer = HeapTrimmer()
        self.sender = OutboxSender(self.db, self.gateway, metrics=self.metrics,
                                   device=settings.matrix.user_id.lstrip("@").replace(":", "_"), trimmer=self.trimmer)
        self.user_id = settings.matrix.user_id
        self.synced = False
        self._stopping = asyncio.Event()
        self.session = BotSession(settings.matrix, self.db, self.gateway, self._stopping)
        self.handler_services = self._handler_services()
        self._runner: web.AppRunner | None = None
        self.joined_rooms: set[str] = set()  # configured rooms the homeserver says we are in
        self._text_forgotten_at = float("-inf")
        self._members_cache: tuple[float, set[str]] | None = None
        self._joins_checked_at = float("-inf")
        # Sessions whose key a member's device refused to share with us (m.room_key.withheld).
        self._withheld: dict[tuple[str, str], KeyWithheld] = {}

    # --- lifecycle ---------------------------------------------------------------------------
    def _handler_services(self) -> Services:
        """What command and reaction handlers may use; rebuilt when the settings change."""
        return Services(clients=self.services, outbox=self, store=self.db, commands=self.commands,
                        settings=self.settings, clock=utcnow)

    async def replace_identity(self) -> int:
        """Operator command: make a new cross-signing identity for the bot and publish it."""
        await asyncio.to_thread(upgrade_in_subprocess, "bot", MIGRATE_MODULE)
        return await self.session.replace_identity()

    async def run(self) -> int:
        """Returns the process exit code: 0 after a stop, 2 when the homeserver rejects our token,
        3 when the crypto store is lost or does not match the device, 4 when encryption is switched
        on but cannot work here (matrix-nio[e2e] missing)."""
        if self.db.url == self.settings.database_url_for("bot"):
            await asyncio.to_thread(upgrade_in_subprocess, "bot", MIGRATE_MODULE)  # keeps Alembic out of this process
        else:
            migrate(self.db)  # a database handed in directly (tests)
        await self._start_intake()
        sender_task = asyncio.create_task(self.sender.run(), name="outbox-sender")
        try:
            self.user_id = await self.session.login()
            self._use_settings(await self._with_room_ids(self.settings))
            if self.settings.matrix.encryption and not self._stopping.is_set():
                await self.session.open_crypto(self._council_rooms())
                self.user_id = self.session.user_id  # a new device (matrix.abandon_device) logs in afresh
            await self._join_configured_rooms()
            await self._sync_forever()
            return 0
        except FatalAuthError as exc:
            log.critical("stopping: %s. Give the bot a new access token or password (see README, 'Bot account').", exc)
            return EXIT_AUTH
        except CryptoStoreError as exc:
            log.critical("stopping: %s. Restore the crypto store from a backup, or see README, 'Encrypted rooms' "
                         "(exit code 3).", exc)
            return EXIT_CRYPTO_STORE
        except EncryptionUnavailable as exc:
            log.critical("stopping: %s (exit code 4).", exc)
            return EXIT_NO_ENCRYPTION
        finally:
            self.sender.stop()
            await asyncio.gather(sender_task, return_exceptions=True)
            await self._stop_intake()
            for client in self.services.values():
                await client.aclose()
            await self.gateway.close()

    def stop(self) -> None:
        self._stopping.set()
        self.sender.stop()

    async def _start_intake(self) -> None:
        self._runner = web.AppRunner(build_intake(self), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.matrix.listen_host, self.settings.matrix.listen_port)
        await site.start()
        log.info("intake listening on %s:%s", self.settings.matrix.listen_host, self.settings.matrix.listen_port)

    async def _stop_intake(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _use_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.handler_services = self._handler_services()

    def _council_rooms(self) -> set[str]:
        return self.settings.rooms_to_join()

    async def _with_room_ids(self, settings: Settings) -> Settings:
        """The settings with every room alias (``#klantenraad:example.org``) replaced by its room id,
        so the rest of the bot compares ids only. An alias that does not resolve stays as written and
        is logged: ``/readyz`` then names it as a room the bot is not in."""
        councils = []
        for council in settings.councils:
            rooms = council.rooms.model_dump()
            for role, value in list(rooms.items()):
                if isinstance(value, str) and value.startswith("#"):
                    rooms[role] = await self._room_id(value)
                elif isinstance(value, dict):
                    rooms[role] = {k: (await self._room_id(v) if v.startswith("#") else v) for k, v in value.items()}
            councils.append(council.model_copy(update={"rooms": council.rooms.model_validate(rooms)}))
        return settings.model_copy(update={"councils": councils})

    async def _room_id(self, alias: str) -> str:
        try:
            room_id = await self.gateway.resolve_alias(alias)
        except TransientError as exc:
            log.warning("could not resolve %s yet (%s); using it as written", alias, exc)
            return alias
        if room_id is None:
            log.error("the room alias %s does not exist on the homeserver", alias)
            return alias
        return room_id

    async def reload(self) -> None:
        """SIGHUP: read the configuration again and take on new councils and rooms without a restart.
        A configuration with a mistake is refused (logged, one line per problem); the old one stays."""
        from shared.settings import ConfigError, load_settings

        try:
            fresh = load_settings()
        except ConfigError as exc:
            for problem in exc.problems:
                log.error("reload refused, configuration: %s", problem)
            return
        if (fresh.matrix.user_id, fresh.matrix.homeserver_url) != (self.settings.matrix.user_id,
                                                                   self.settings.matrix.homeserver_url):
            log.error("reload refused: the bot account or homeserver changed; that needs a restart")
            return
        self._use_settings(await self._with_room_ids(fresh))
        with self.db.read() as s:
            dm_rooms = store.dm_rooms(s)
        if self.settings.matrix.encryption and self.gateway.client.olm is not None:
            self.gateway.set_trusted_rooms(self._council_rooms() | set(dm_rooms))
        await self._join_configured_rooms()
        log.info("configuration reloaded: %d council(s): %s", len(self.settings.councils),
                 ", ".join(c.slug for c in self.settings.councils))

    def rooms_not_joined(self) -> list[str]:
        """Configured rooms the bot is not in (``/readyz`` is not ready while there are any)."""
        return sorted(self.settings.rooms_to_join() - self.joined_rooms)

    async def _join(self, room_id: str) -> bool:
        """Join ``room_id`` and remember when: what was said there before is history, not commands.
        The moment is taken before the request: a member who answers the bot's arrival at once sends a
        command the homeserver stamps earlier than a clock read after the join returned."""
        asked_at = int(time.time() * 1000)
        if not await self.gateway.join(room_id):
            return False
        self.joined_rooms.add(room_id)
        with self.db.session() as s:
            store.record_join(s, room_id, asked_at)
        return True

    async def _join_configured_rooms(self) -> None:
        for room_id in sorted(self.settings.rooms_to_join()):
            try:
                await self._join(room_id)
            except TransientError as exc:
                log.warning("could not join %s yet: %s", room_id, exc)

    async def _until_stopped(self, coro: Awaitable[Any]) -> Any:
        """Await ``coro`` unless a stop comes first (a long-poll must not delay shutdown)."""
        work = asyncio.ensure_future(coro)
        stop = asyncio.ensure_future(self._stopping.wait())
        done, _ = await asyncio.wait({work, stop}, return_when=asyncio.FIRST_COMPLETED)
        if work in done:
            stop.cancel()
            return work.result()
        work.cancel()
        await asyncio.gather(work, return_exceptions=True)
        return None

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            pass

    # --- the sync loop ---------------------------------------------------------------------
    async def _sync_forever(self) -> None:
        with self.db.read() as s:
            token = store.get_state(s, "sync_token")
        failures = 0
        while not self._stopping.is_set():
            try:
                if token is None:
                    # First start: what is in the rooms already is history, not commands.
                    batch = await self.gateway.sync(None, 0)
                    self.joined_rooms.update(batch.joined)
                else:
                    batch = await self._until_stopped(self.gateway.sync(token, 20_000))
                    if batch is None:
                        return
                    await self.process(batch)
                if batch.events:
                    self.trimmer.worked()
                with self.db.session() as s:
                    store.set_state(s, "sync_token", batch.next_batch)
                token = batch.next_batch
                self.synced = True
                failures = 0
            except TransientError as exc:
                failures += 1
                self.metrics.sync_errors.inc()
                delay = backoff_seconds(failures, cap=30)
                log.warning("sync failed (%s); retrying in %.0fs", exc, delay)
                await self._sleep(delay)

    async def process(self, batch: Any) -> None:
        configured = self.settings.rooms_to_join()
        self.joined_rooms.update(room for room in batch.joined if room in configured)
        for room_id in batch.invites:
            if room_id in configured:
                await self._join(room_id)
            else:
                log.info("ignoring an invite to a room that is not configured: %s", room_id)
        for encrypted in batch.undecryptable:
            await self.keep_undecryptable(encrypted)
        for withheld in batch.withheld:
            self._withheld[(withheld.sender, withheld.session_id)] = withheld
        if self._withheld:
            await self.answer_withheld()
        for message in batch.messages:
            await self.handle_message(message)
        for reaction in batch.reactions:
            await self.handle_reaction(reaction)
        main_rooms = {c.rooms.main for c in self.settings.councils}
        someone_joined = any(room in main_rooms for room, _ in getattr(batch, "member_joins", ()))
        if someone_joined:
            self._members_cache = None  # a service may want to write to the newcomer directly
        await self.report_joins(force=someone_joined)
        await self.retry_reactions()
        if self.settings.matrix.encryption:
            await self.retry_undecryptable()
        self.forget_sent_text()

    def forget_sent_text(self, *, force: bool = False) -> int:
        """Once an hour: sent messages older than a week keep only their key and event id (for
        threads and edits), not their text; nothing a resident or member wrote stays in the queue."""
        now = time.monotonic()
        if not force and now - self._text_forgotten_at < 3600:
            return 0
        self._text_forgotten_at = now
        with self.db.session() as s:
            forgotten = store.OUTBOX.forget_sent_text(s, utcnow() - SENT_TEXT_RETENTION, keep_rows=True)
        if forgotten:
            log.info("forgot the text of %d sent message(s)", forgotten)
        return forgotten

    # --- encrypted events whose key has not arrived -----------------------------------------
    async def keep_undecryptable(self, event: EncryptedEvent) -> None:
        """Persist an event we cannot decrypt yet (so neither a restart nor the advancing sync
        token loses it) and ask for its key."""
        if self.settings.council_for_room(event.room_id) is None:
            return
        with self.db.session() as s:
            joined = store.joined_ts(s, event.room_id)
            if store.is_handled(s, event.event_id) or (joined is not None and event.ts < joined):
                return  # answered already, or history from before the bot joined
            new = store.keep_pending(s, event_id=event.event_id, room_id=event.room_id, sender=event.sender,
                                     session_id=event.session_id, sender_key=event.sender_key, ts=event.ts,
                                     source=json.dumps(event.source))
        if new:
            log.warning("cannot decrypt %s from %s in %s yet (no room key): kept until the key arrives",
                        event.event_id, event.sender, event.room_id)
            await self._request_key(event)

    async def answer_withheld(self) -> None:
        """A member's device will not give us the key of their message: asking again is useless.
        Tell them once, in the message's thread, why and what to do; forget the event."""
        with self.db.read() as s:
            waiting = [r for r in store.pending_events(s) if (r.sender, r.session_id) in self._withheld]
        for row in waiting:
            withheld = self._withheld[(row.sender, row.session_id)]
            council = self.settings.council_for_room(row.room_id)
            if council is None:
                continue
            with self.db.read() as s:
                lang = store.member_language(s, row.sender) or council.language
            relates = ((json.loads(row.source).get("content") or {}).get("m.relates_to") or {})
            thread_root = relates.get("event_id") if relates.get("rel_type") == "m.thread" else None
            why_code = f"bot.key_withheld.{withheld.code}"
            why = i18n.t(why_code if i18n.has(why_code) else "bot.key_withheld.other", lang, code=withheld.code)
            message = OutboundMessage(key=f"withheld:{row.event_id}", council=council.slug, room=row.room_id,
                                      body=i18n.t("bot.key_withheld", lang, why=why), kind="notice",
                                      thread_event_id=thread_root or row.event_id, reply_to_event_id=row.event_id,
                                      mentions=[row.sender])
            with self.db.session() as s:
                if not store.is_handled(s, row.event_id):
                    store.mark_handled(s, row.event_id, row.room_id)
                    store.OUTBOX.enqueue(s, message, room_id=row.room_id)
                store.forget_pending(s, row.event_id)
            log.warning("the device of %s withheld the room key of %s (%s: %s); told the member", row.sender,
                        row.event_id, withheld.code, withheld.reason)

    async def _request_key(self, event: EncryptedEvent) -> None:
        try:
            await self.gateway.request_room_key(event)
        except TransientError as exc:
            log.info("room key request for %s failed (%s); asking again later", event.event_id, exc)
            return
        with self.db.session() as s:
            store.mark_key_requested(s, event.event_id, utcnow())

    async def retry_undecryptable(self) -> None:
        """Handle each kept event whose key has arrived (once: the handled-events table guards
        the answer); ask again, ever less often, for keys still missing."""
        with self.db.read() as s:
            waiting = [(EncryptedEvent(r.room_id, r.event_id, r.sender, r.session_id, r.sender_key,
                                       r.ts, json.loads(r.source)), r.requested_at, r.requests or 0)
                       for r in store.pending_events(s)]
        now = utcnow()
        for event, requested_at, requests in waiting:
            batch = self.gateway.decrypt(event)
            if batch is None:
                interval = min(KEY_REQUEST_FIRST_RETRY * (2 ** min(requests, 16)), KEY_REQUEST_MAX_INTERVAL)
                if requested_at is None or _aware(requested_at) + interval <= now:
                    await self._request_key(event)
                continue
            log.info("decrypted %s from %s after its room key arrived", event.event_id, event.sender)
            for message in batch.messages:
                await self.handle_message(message)
            for reaction in batch.reactions:
                await self.handle_reaction(reaction)
            with self.db.session() as s:
                store.forget_pending(s, event.event_id)

    # --- commands ----------------------------------------------------------------------------
    async def handle_message(self, msg: IncomingMessage) -> None:
        if msg.sender == self.user_id:
            return
        council = self.settings.council_for_room(msg.room_id)
        if council is None:
            return
        cmd = parse(msg.body)
        if cmd is None:
            return
        with self.db.read() as s:
            if store.is_handled(s, msg.event_id):
                return
            joined = store.joined_ts(s, msg.room_id)
            preferred = store.member_language(s, msg.sender)
            thread_key = store.OUTBOX.key_for_event_id(s, msg.thread_root) if msg.thread_root else None
        if joined is not None and msg.ts < joined:
            return  # sent before the bot joined
        lang = preferred or council.language
        if self.commands.is_english_alias(cmd.word):
            lang = "en"
        ctx = CommandContext(services=self.handler_services, settings=self.settings, council=council, room_id=msg.room_id,
                             room_role=_room_role(council, msg.room_id), event_id=msg.event_id,
                             sender=msg.sender, thread_root=msg.thread_root, thread_key=thread_key,
                             lang=lang, ts=msg.ts)
        replies = await self._run_command(ctx, cmd)
        with self.db.session() as s:
            if store.is_handled(s, msg.event_id):
                return
            store.mark_handled(s, msg.event_id, msg.room_id)
            for index, reply in enumerate(replies):
                out = self.reply_message(ctx, reply, index)
                store.OUTBOX.enqueue(s, out, room_id=None if out.dm_to else msg.room_id)
        self.sender.kick()

    async def _run_command(self, ctx: CommandContext, cmd: Command) -> list[Reply]:
        spec = self.commands.lookup(cmd.word)
        if spec is None:
            self.metrics.commands.labels("unknown", "unknown").inc()
            parts = [ctx.t("bot.unknown", word=cmd.word)]
            suggestion = self.commands.closest(cmd.word)
            if suggestion:
                parts.append(ctx.t("bot.unknown.suggest", suggestion=suggestion))
            parts.append(ctx.t("bot.unknown.help"))
            return [Reply(body=" ".join(parts))]
        if spec.secretary_only and not ctx.is_secretary:
            self.metrics.commands.labels(spec.name, "refused").inc()
            return [Reply(body=ctx.t("bot.secretary_only", word=spec.name))]
        try:
            result = await spec.handler(ctx, cmd)
            self.metrics.commands.labels(spec.name, "ok").inc()
        except DomainError as exc:
            log.info("!%s refused: %s", spec.name, exc.log_message)
            self.metrics.commands.labels(spec.name, "refused").inc()
            return [Reply(body=exc.user_message(ctx.lang))]
        except Exception:
            log.exception("!%s failed", spec.name)
            self.metrics.commands.labels(spec.name, "error").inc()
            return [Reply(body=ctx.t("bot.error", word=spec.name))]
        if result is None:
            return []
        return result if isinstance(result, list) else [result]

    def reply_message(self, ctx: CommandContext, reply: Reply, index: int) -> OutboundMessage:
        key = reply.new_thread_key or f"reply:{ctx.event_id}:{reply.key_suffix or index}"
        fields: dict[str, Any] = dict(key=key, council=ctx.council.slug, room=ctx.room_id, body=reply.body,
                                      html=reply.html, mentions=reply.mentions,
                                      kind="text" if reply.new_thread_key else "notice")
        if reply.dm_to:
            fields.update(dm_to=reply.dm_to, room="dm")
        elif reply.new_thread_key:
            pass  # a new root in the room
        elif reply.in_thread_key:
            fields.update(thread_key=reply.in_thread_key)
        else:
            fields.update(thread_event_id=ctx.thread_root or ctx.event_id, reply_to_event_id=ctx.event_id)
        return OutboundMessage(**fields)

    async def handle_reaction(self, reaction: IncomingReaction) -> None:
        council = self.settings.council_for_room(reaction.room_id)
        if reaction.sender == self.user_id or council is None:
            return
        with self.db.read() as s:
            if store.is_handled(s, reaction.event_id):
                return
            key = store.OUTBOX.key_for_event_id(s, reaction.target_event_id)
        if key is None:
            return
        for prefix, handler in self.reaction_handlers:
            if key.startswith(prefix):
                try:
                    await handler(ReactionContext(services=self.handler_services, council=council,
                                                  reaction=reaction, key=key))
                except ServiceUnavailable as exc:
                    # The sync token moves on: keep the reaction so a 👍 given while a service
                    # is down still counts once it is back.
                    with self.db.session() as s:
                        attempts = getattr(s.get(store.PendingReaction, reaction.event_id), "attempts", 0)
                        store.keep_reaction(s, event_id=reaction.event_id, room_id=reaction.room_id,
                                            sender=reaction.sender, target_event_id=reaction.target_event_id,
                                            reaction_key=reaction.key, ts=reaction.ts,
                                            retry_in=backoff_seconds(attempts + 1, base=5, cap=600))
                    log.info("reaction kept for later: %s", exc.log_message)
                    return
                except DomainError as exc:
                    log.info("reaction refused: %s", exc.log_message)
                except Exception:
                    log.exception("reaction handler failed")
                    return  # not marked: retried after a restart
        with self.db.session() as s:
            store.mark_handled(s, reaction.event_id, reaction.room_id)
            store.drop_reaction(s, reaction.event_id)

    async def retry_reactions(self) -> None:
        with self.db.read() as s:
            due = [IncomingReaction(r.room_id, r.event_id, r.sender, r.target_event_id, r.reaction_key, r.ts)
                   for r in store.due_reactions(s, utcnow())]
        for reaction in due:
            await self.handle_reaction(reaction)

    # --- members appointed, and their arrival in the chat ------------------------------------
    async def report_joins(self, *, force: bool = False) -> int:
        """Tell deliberation who of the appointed members waited for ("nog niet in de chat") is in the council's
        room now: at a join, and every few minutes (so a join missed while deliberation was down is still
        reported). Deliberation welcomes them once; reporting twice changes nothing."""
        now = time.monotonic()
        if not force and now - self._joins_checked_at < JOIN_CHECK_SECONDS:
            return 0
        self._joins_checked_at = now
        client = self.services.get("deliberation")
        if client is None:
            return 0
        reported = 0
        for council in self.settings.councils:
            try:
                roster = await client.get(f"/api/v1/councils/{council.slug}/members")
                waiting = {m["matrix_id"] for m in roster.get("members", [])
                           if m.get("in_chat") is False and m.get("serving")}
                if not waiting:
                    continue
                present = await self.gateway.room_members(council.rooms.main) & waiting
                for matrix_id in sorted(present):
                    await client.post(f"/api/v1/councils/{council.slug}/chat-joins", json={"matrix_id": matrix_id})
                    reported += 1
            except (DomainError, TransientError) as exc:
                log.warning("could not report members who joined %s: %s", council.slug, exc)
                self._joins_checked_at = float("-inf")  # try again after the next sync
        return reported

    # --- the intake --------------------------------------------------------------------------
    async def council_members(self) -> set[str]:
        """Everyone joined to a configured council room (cached a minute): the only people a service
        may have the bot write to directly."""
        now = time.monotonic()
        if self._members_cache is not None and now - self._members_cache[0] < 60:
            return self._members_cache[1]
        members: set[str] = set()
        for room_id in sorted(self._council_rooms()):
            try:
                members |= await self.gateway.room_members(room_id)
            except TransientError as exc:
                log.warning("could not read the members of %s (%s)", room_id, exc)
        self._members_cache = (now, members)
        return members

    def accept(self, messages: list[OutboundMessage], *, dm_allowed: set[str] | None = None) -> tuple[int, int]:
        """Store messages handed over by a service. Raises LookupError for an unknown council or room.

        A direct message to someone who is in none of the councils' rooms is kept but never sent
        (marked failed, logged): a service's token must not let it make the bot write to anyone."""
        resolved = [(m, self.resolve_room(m)) for m in messages]
        stored = duplicates = 0
        with self.db.session() as s:
            for message, room_id in resolved:
                if store.OUTBOX.enqueue(s, message, room_id=room_id):
                    stored += 1
                    if message.dm_to and dm_allowed is not None and message.dm_to not in dm_allowed:
                        row = s.query(store.BotOutbox).filter_by(key=message.key).one()
                        store.OUTBOX.mark_failed(s, row.id, "direct message to someone outside the councils' rooms",
                                                 utcnow())
                        log.warning("refused a direct message (%s) to a user outside the councils' rooms", message.key)
                else:
                    duplicates += 1
        self.sender.kick()
        return stored, duplicates

    def resolve_room(self, message: OutboundMessage) -> str | None:
        if message.dm_to:
            return None
        if message.room.startswith("!"):
            if message.room not in self.settings.rooms_to_join():
                raise LookupError(f"room {message.room} is not configured for any council")
            return message.room
        council = self.settings.council(message.council or "")
        if council is None:
            raise LookupError(f"unknown council {message.council!r}")
        if message.room == "main":
            return council.rooms.main
        if message.room == "signals":
            return council.rooms.signals_room()
        if message.room.startswith("theme:"):
            return council.rooms.signals_room(message.room.split(":", 1)[1])
        raise LookupError(f"unknown room role {message.room!r}")


def _aware(ts: Any) -> Any:
    """SQLite hands back naive datetimes for timezone-aware columns; they are UTC."""
    from datetime import timezone

    return ts if ts.tzinfo is not None else ts.replace(tzinfo=timezone.utc)


def _room_role(council: Any, room_id: str) -> str:
    if room_id == council.rooms.main:
        return "main"
    for theme, rid in council.rooms.themes.items():
        if rid == room_id:
            return f"theme:{theme}"
    return "signals"


def main(*, replace_identity: bool = False) -> int:
    from shared.logs import configure_logging
    from shared.settings import load_settings_or_exit

    limit_malloc_arenas()  # before the event loop's worker threads (see shared.memory)
    settings = load_settings_or_exit(bot=True)
    configure_logging(settings.log_level, settings.log_format)
    bot = Bot(settings)
    if replace_identity:
        if not settings.matrix.encryption:
            log.critical("matrix.encryption is off: the bot has no cross-signing identity to replace")
            return 1
        log.warning("replacing the bot's cross-signing identity: members' Element will show that the bot's "
                    "identity changed and may ask them to accept it once; stop the running bot first")
        return asyncio.run(bot.replace_identity())
    loop = asyncio.new_event_loop()
    def on_signal(name: str) -> None:
        log.info("%s received: stopping after the current step (nothing queued is lost)", name)
        bot.stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig.name)

    def on_hup() -> None:
        log.info("SIGHUP received: reading the configuration again")
        loop.create_task(bot.reload())

    loop.add_signal_handler(signal.SIGHUP, on_hup)
    try:
        return loop.run_until_complete(bot.run())
    finally:
        loop.close()
