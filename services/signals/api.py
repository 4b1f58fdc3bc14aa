"""JSON API of the signals service, under /api/v1."""
from __future__ import annotations

from flask import Flask

from shared.api import Api
from shared.councils_api import add_council_routes
from shared.db import Database
from shared.jobs import Job
from shared.settings import Settings

API = Api("signals", "Overleg signals")
add_council_routes(API)


def jobs(app: Flask, settings: Settings, db: Database) -> list[Job]:
    """Background jobs besides the handoff to the bot."""
    return []
