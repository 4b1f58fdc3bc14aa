"""Baselines for the HTTP benchmarks, served by the same gunicorn config as the services:

* ``POST /store`` stores one row the way the services store (shared.db.Database, one write
  transaction) — the baseline for signal intake;
* ``GET /static`` answers a file of the same size as the feed under test, with an ETag — the
  baseline for feeds.

    OVERLEG_BASELINE_DB=sqlite:////tmp/b.db OVERLEG_BASELINE_FILE=/tmp/feed.ics \
        gunicorn -c deploy/gunicorn.conf.py 'bench.baseline_app:create_app()'
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import Flask, Response, jsonify, request
from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import Database


class BaselineBase(DeclarativeBase):
    pass


class Row(BaselineBase):
    __tablename__ = "baseline_rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)


def create_app() -> Flask:
    app = Flask("baseline", static_folder=None)
    db = Database(os.environ.get("OVERLEG_BASELINE_DB", "sqlite:////tmp/overleg-baseline.db"))
    BaselineBase.metadata.create_all(db.engine)
    static_path = os.environ.get("OVERLEG_BASELINE_FILE")
    static_body = Path(static_path).read_bytes() if static_path else b""
    etag = '"' + hashlib.sha256(static_body).hexdigest()[:32] + '"'

    @app.post("/store")
    def store() -> tuple[Response, int]:
        payload = request.get_json(silent=True) or {}
        with db.session() as s:
            row = Row(key=str(payload.get("key", ""))[:64], text=str(payload.get("text", "")))
            s.add(row)
            s.flush()
            row_id = row.id
        return jsonify({"id": row_id}), 201

    @app.get("/static")
    def static_file() -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(static_body, mimetype="text/calendar", headers={"ETag": etag})

    return app
