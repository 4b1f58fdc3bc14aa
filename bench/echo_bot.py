"""The baseline for the chat round trip: the smallest matrix-nio bot that answers a message in
its thread. Run as ``python bench/echo_bot.py <homeserver> <user_id> <password> <room_id>``.

It syncs with the same filter as the Overleg bot (timeline limit, lazy-loaded members, no presence
or account data), so the baseline is not slowed by work the bot under test does not do."""
from __future__ import annotations

import asyncio
import sys

import nio

SYNC_FILTER = {"room": {"timeline": {"limit": 100}, "state": {"lazy_load_members": True}},
               "presence": {"types": []}, "account_data": {"types": []}}


async def main(homeserver: str, user_id: str, password: str, room_id: str) -> None:
    client = nio.AsyncClient(homeserver, user_id)
    await client.login(password)
    await client.join(room_id)
    first = await client.sync(timeout=0, sync_filter=SYNC_FILTER)
    since = first.next_batch

    while True:
        resp = await client.sync(timeout=30_000, since=since, sync_filter=SYNC_FILTER)
        if isinstance(resp, nio.SyncError):
            await asyncio.sleep(0.5)
            continue
        since = resp.next_batch
        for rid, room in resp.rooms.join.items():
            for event in room.timeline.events:
                if not isinstance(event, nio.RoomMessageText) or event.sender == user_id:
                    continue
                if not event.body.startswith("!echo"):
                    continue
                rel = (event.source.get("content") or {}).get("m.relates_to") or {}
                root = rel.get("event_id") if rel.get("rel_type") == "m.thread" else event.event_id
                await client.room_send(rid, "m.room.message", {
                    "msgtype": "m.notice", "body": "echo",
                    "m.relates_to": {"rel_type": "m.thread", "event_id": root,
                                     "m.in_reply_to": {"event_id": event.event_id}}})


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
