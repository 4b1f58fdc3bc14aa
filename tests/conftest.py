"""Suite-wide fixtures: one real Synapse and one real Radicale per test session.

Both servers run on 127.0.0.1 on free ports with their data under pytest's tmp dir
(kept for the last few runs, so ``homeserver.log`` / ``radicale.log`` can be read
after a failure). They start lazily: a run that only needs unit tests starts neither.

Sub-conftests add feature fixtures; keep this file generic.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devstack.radicale import EmbeddedRadicale
from devstack.synapse import EmbeddedSynapse, MatrixTestClient, RegisteredUser
from devstack.procs import free_port

RADICALE_USER = "overleg"
TIERS = ("unit", "integration", "e2e", "reliability")

# Migrate once, copy per test: a new SQLite database is filled from one migrated to head for the same
# migration scripts (shared.migrations.TEMPLATES_ENV), here and in every service a test stack starts.
# Shared by the xdist workers and later runs; a changed migration makes a new template.
os.environ.setdefault("OVERLEG_MIGRATION_TEMPLATES",
                      str(Path(tempfile.gettempdir()) / f"overleg-migrated-{os.getuid()}"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each test carries its tier as a marker, from the folder it lives in: ``overleg test`` runs
    ``-m "not reliability"``, ``overleg test --all`` everything."""
    for item in items:
        parts = item.path.parts
        tier = next((p for p in TIERS if p in parts[parts.index("tests") + 1:][:1]), None) \
            if "tests" in parts else None
        if tier:
            item.add_marker(getattr(pytest.mark, tier))


# --- pytest-xdist --------------------------------------------------------------------------------
# ``overleg test`` runs whole tiers on every core (``-n <cores> --dist loadgroup``). Each worker has
# its own session fixtures (Synapse, Radicale, the stack: free ports, its own tmp dir); PostgreSQL
# tests each get their own schema or database. What must not be split is a module whose tests share
# a module- or class-scoped fixture (a bot, a stack, an Element client: started once, on one worker)
# and an end-to-end module, whose tests tell one story on one stack in order. Those modules go to a
# worker whole; every other test goes alone to whichever worker is free, biggest modules first.
# (pytest-xdist's own xdist_group marks do not reach its scheduler under pytest 9, hence this hook.)
_TOGETHER = re.compile(r"""scope\s*=\s*["'](module|class|package)["']""")


def _keeps_together(path: Path) -> bool:
    if "e2e" in path.parts:
        return True
    try:
        return bool(_TOGETHER.search(path.read_text(encoding="utf-8")))
    except OSError:
        return False


class _ModuleFixtureScheduler:
    """xdist's scheduler hook, registered only when xdist runs (``-p no:xdist`` has no such hook to implement)."""

    @staticmethod
    def pytest_xdist_make_scheduler(config: pytest.Config, log):  # type: ignore[no-untyped-def]
        if config.getvalue("dist") != "loadgroup":
            return None  # any other --dist asked for on the command line: xdist's own
        from xdist.scheduler import LoadScopeScheduling

        together: dict[str, bool] = {}

        class ModuleFixtureScheduling(LoadScopeScheduling):
            def _split_scope(self, nodeid: str) -> str:
                module = nodeid.split("::", 1)[0]
                if module not in together:
                    together[module] = _keeps_together(config.rootpath / module)
                return module if together[module] else nodeid

        return ModuleFixtureScheduling(config, log)


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_ModuleFixtureScheduler(), "overleg-module-fixture-scheduler")


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedSynapse]:
    """A running Synapse with raised rate limits, shared by the whole session."""
    hs = EmbeddedSynapse(
        tmp_path_factory.mktemp("synapse"), free_port(), relaxed_rate_limits=True
    )
    hs.start(timeout=90)
    try:
        yield hs
    finally:
        hs.stop()
        hs.close()


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRadicale]:
    """A running Radicale with user ``radicale.user`` / ``radicale.password``."""
    server = EmbeddedRadicale(tmp_path_factory.mktemp("radicale"), free_port())
    server.user = RADICALE_USER
    server.password = secrets.token_urlsafe(16)
    server.ensure_user(server.user, server.password)
    server.start(timeout=30)
    try:
        yield server
    finally:
        server.stop()


def unique_localpart(name: str) -> str:
    """``name`` plus a random suffix, so tests never collide on the shared homeserver."""
    return f"{name.lower()}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def matrix_user(synapse: EmbeddedSynapse) -> Callable[..., RegisteredUser]:
    """Factory: ``alice = matrix_user("alice")`` registers ``@alice-<random>:localhost``."""

    def make(
        name: str = "user",
        *,
        admin: bool = False,
        displayname: str | None = None,
        password: str | None = None,
    ) -> RegisteredUser:
        return synapse.register_user(
            unique_localpart(name),
            password or secrets.token_urlsafe(16),
            admin=admin,
            displayname=displayname if displayname is not None else name.capitalize(),
        )

    return make


@pytest.fixture
def matrix_client(synapse: EmbeddedSynapse) -> Iterator[Callable[[RegisteredUser], MatrixTestClient]]:
    """Factory: ``client = matrix_client(alice)``; every client is closed after the test."""
    clients: list[MatrixTestClient] = []

    def make(user: RegisteredUser) -> MatrixTestClient:
        client = MatrixTestClient(synapse.base_url, user)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


# --- databases -------------------------------------------------------------------------------
@pytest.fixture
def database_url(tmp_path) -> Iterator[str]:
    """SQLite by default; PostgreSQL (a fresh schema per test) when OVERLEG_TEST_DATABASE_URL is set.

    Storage tests are marked ``postgres``; the test command runs them a second time on PostgreSQL.
    """
    import os

    pg = os.environ.get("OVERLEG_TEST_DATABASE_URL")
    if not pg:
        yield f"sqlite:///{tmp_path}/test.db"
        return
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    plain = pg.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in pg else "?"
    try:
        yield f"{pg}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


# --- the whole stack ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def stack(synapse: EmbeddedSynapse, radicale: EmbeddedRadicale, tmp_path_factory: pytest.TempPathFactory):
    """The local stack as ``overleg up`` starts it (services under gunicorn, the bot, a demo
    council), on free ports, sharing the session's homeserver and calendar server."""
    from devstack.stack import Ports, Stack

    # Its services trust a copy of the roster for 3 s instead of 15: a test that ends a member's term
    # waits that long for every worker to refuse them (shared.membership).
    st = Stack(tmp_path_factory.mktemp("stack"), Ports.free(), synapse=synapse, radicale=radicale, workers=2,
               settings={"roster_cache_seconds": 3})
    st.up(demo=True, timeout=90)
    try:
        yield st
    finally:
        st.down()
