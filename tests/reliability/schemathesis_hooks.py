"""Loaded by the schemathesis CLI in the contract drill (``SCHEMATHESIS_HOOKS=<this file>``).

The ``caldav`` client pulls in ``niquests`` and with it ``urllib3-future``, which installs itself
*as* ``urllib3``. Its pool manager keeps pools in a ``TrafficPolice`` that has no ``keys()``, and
schemathesis's requests transport counts open connections through ``pools.keys()`` before every
call (to decide whether a request dropped on a stale keep-alive connection may be sent again).
This counts them through the container's registry instead; nothing else changes.
"""
from __future__ import annotations

from schemathesis.transport import requests as transport

_original = transport._count_opened_connections


def _count_opened_connections(session) -> int:  # type: ignore[no-untyped-def]
    try:
        return _original(session)
    except AttributeError:
        total = 0
        for adapter in session.adapters.values():
            managers = [getattr(adapter, "poolmanager", None), *getattr(adapter, "proxy_manager", {}).values()]
            for manager in filter(None, managers):
                police = manager.pools
                with police._lock:
                    pools = list(police._registry.values())
                total += sum(getattr(pool, "num_connections", 0) for pool in pools)
        return total


transport._count_opened_connections = _count_opened_connections
