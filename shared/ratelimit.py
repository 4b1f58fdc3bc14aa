"""Rate limits for public routes (the signals form, applying for a seat) and partner APIs: a fixed
window per client address or caller.

With Redis (``settings.redis_url``) the counter lives in Redis: ``INCR`` and ``EXPIRE`` run in one
``MULTI``/``EXEC`` transaction, so every gunicorn worker (and every host behind one load
balancer) counts against the same number, and a counter can never be left without expiry.

Without Redis each worker process counts on its own, in memory. With ``OVERLEG_WORKERS=N`` a
client then gets up to N times the limit (its requests land on different workers), and a
restart forgets the counts. That is acceptable for a small single-host deployment; configure
Redis for the real limit. When Redis is configured but does not answer, the request is let
through (and logged once a minute): a resident's signal is worth more than a strict count.

Counter keys start with the limiter's namespace, which services derive from ``Settings.redis_prefix``
(one per deployment, or per stack: a local stack and a test stack on one Redis never share counts).

The client address is the TCP peer, or with ``signals.proxy_hops: n`` (``OVERLEG_SIGNALS__PROXY_HOPS``) the n-th address
from the right of ``X-Forwarded-For`` (what the n trusted proxies saw).
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger("overleg.ratelimit")


class Window(Protocol):
    """A limit: at most ``count`` hits per ``seconds`` (e.g. :class:`services.signals.config.Limit`)."""

    @property
    def count(self) -> int: ...

    @property
    def seconds(self) -> int: ...


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends


class Counter(Protocol):
    def hit(self, key: str, seconds: int) -> tuple[int, int]: ...


REDIS_SCHEMES = ("redis://", "rediss://", "unix://")  # what redis.Redis.from_url accepts


class RedisCounter:
    """The client is made on the first hit, not here: the redis package costs ~5 MB resident per
    worker, and only a worker that serves a public form or a partner's call ever counts (the
    client connects lazily anyway). What its construction would refuse is refused here, as
    before: a missing package, a URL that is not Redis."""

    def __init__(self, url: str) -> None:
        if importlib.util.find_spec("redis") is None:
            raise ModuleNotFoundError("No module named 'redis'", name="redis")
        if not url.startswith(REDIS_SCHEMES):
            raise ValueError("Redis URL must specify one of the following schemes (redis://, rediss://, unix://)")
        self.url = url
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import redis

                    self._client = redis.Redis.from_url(self.url, socket_timeout=1.0, socket_connect_timeout=1.0)
        return self._client

    def hit(self, key: str, seconds: int) -> tuple[int, int]:
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, seconds, nx=True)
        pipe.ttl(key)
        count, _, ttl = pipe.execute()
        return int(count), int(ttl if ttl and ttl > 0 else seconds)


class MemoryCounter:
    """Per-process fallback (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def hit(self, key: str, seconds: int) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            if len(self._counts) > 50_000:  # forget windows that ended
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            count, until = self._counts.get(key, (0, 0.0))
            if until <= now:
                count, until = 0, now + seconds
            count += 1
            self._counts[key] = (count, until)
            return count, max(1, int(until - now))


class RateLimiter:
    def __init__(self, redis_url: str | None, namespace: str) -> None:
        self.namespace = namespace
        self.backend = "redis" if redis_url else "memory"
        self.counter: Any = RedisCounter(redis_url) if redis_url else MemoryCounter()
        self._fallback = MemoryCounter()
        self._last_warning = 0.0

    def check(self, bucket: str, client: str, limit: Window) -> Verdict:
        # The address is hashed: the counter keys say nothing about who sent what.
        who = hashlib.sha256(client.encode()).hexdigest()[:32]
        window = int(time.time()) // limit.seconds
        key = f"{self.namespace}:rl:{bucket}:{who}:{window}"
        try:
            count, ttl = self.counter.hit(key, limit.seconds)
        except Exception as exc:  # Redis down: count locally rather than refuse residents
            if time.monotonic() - self._last_warning > 60:
                self._last_warning = time.monotonic()
                log.warning("rate-limit store unavailable (%s); counting per process", type(exc).__name__)
            count, ttl = self._fallback.hit(key, limit.seconds)
        return Verdict(count <= limit.count, count, ttl)


def client_address(remote_addr: str | None, forwarded_for: str | None, proxy_hops: int) -> str:
    if proxy_hops > 0 and forwarded_for:
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        if len(hops) >= proxy_hops:
            return hops[-proxy_hops]
    return remote_addr or "unknown"
