"""On SQLite the write transactions of one process take turns on a lock in the process (woken as soon as
the one before commits) instead of in SQLite's busy handler; the semantics stay SQLite's: a wait
longer than the busy timeout fails, and a write transaction nested in another fails rather than hangs."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import Integer, String, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import shared.db
from shared.db import Database


class TurnBase(DeclarativeBase):
    pass


class Row(TurnBase):
    __tablename__ = "turn_rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    by: Mapped[str] = mapped_column(String(16))


def make_db(tmp_path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'turns.db'}")
    TurnBase.metadata.create_all(db.engine)
    return db


def test_many_threads_writing_at_once_all_land(tmp_path):
    db = make_db(tmp_path)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for _ in range(50):
                with db.session() as s:
                    s.add(Row(by=name))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"t{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Row)) == 300
    db.dispose()


def test_a_write_waiting_longer_than_the_busy_timeout_fails_as_in_sqlite(tmp_path, monkeypatch):
    monkeypatch.setattr(shared.db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    db = make_db(tmp_path)
    holding, release = threading.Event(), threading.Event()

    def long_writer() -> None:
        with db.session() as s:
            s.add(Row(by="long"))
            holding.set()
            release.wait(10)

    t = threading.Thread(target=long_writer)
    t.start()
    try:
        assert holding.wait(10)
        with pytest.raises(OperationalError, match="another thread's write transaction"):
            with db.session() as s:
                s.add(Row(by="waited"))
    finally:
        release.set()
        t.join()
    with db.session() as s:  # the turn is free again
        s.add(Row(by="after"))
    with db.read() as s:
        assert sorted(s.scalars(select(Row.by))) == ["after", "long"]
    db.dispose()


def test_a_write_nested_in_another_in_one_thread_fails_instead_of_hanging(tmp_path, monkeypatch):
    monkeypatch.setattr(shared.db, "SQLITE_BUSY_TIMEOUT_MS", 200)  # the engine's busy timeout too
    db = make_db(tmp_path)
    with db.session() as outer:
        outer.add(Row(by="outer"))
        outer.flush()  # the outer transaction holds SQLite's write lock from here
        with pytest.raises(OperationalError, match="locked"):
            with db.session() as inner:
                inner.add(Row(by="inner"))
    with db.read() as s:
        assert list(s.scalars(select(Row.by))) == ["outer"]
    db.dispose()


def test_postgresql_takes_no_turn_in_the_process():
    db = Database("postgresql://nobody@127.0.0.1:1/none")  # never connected: only the configuration
    assert db._write_turn is None
    db.dispose()
