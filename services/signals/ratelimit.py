"""Rate limits for the public form and the partner API: a fixed window per client address.

The limiter itself is shared by every service with a public route (:mod:`shared.ratelimit`: Redis
when ``redis_url`` is set, so all gunicorn workers count together; per process otherwise). The
signals service keeps its counters under ``signals.rate_namespace``, which defaults to
``<redis_prefix>:signals`` (see :class:`shared.settings.Settings`).
"""
from __future__ import annotations

from shared.ratelimit import Counter, MemoryCounter, RateLimiter, RedisCounter, Verdict, client_address

__all__ = ["Counter", "MemoryCounter", "RateLimiter", "RedisCounter", "Verdict", "client_address"]
