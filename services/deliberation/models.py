"""Tables of the deliberation service. Every table name starts with 'deliberation_' so the service can share
a PostgreSQL database with the others."""
from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.service import make_runtime_models


class DeliberationBase(DeclarativeBase):
    pass


RUNTIME_MODELS = make_runtime_models(DeliberationBase, "deliberation")
