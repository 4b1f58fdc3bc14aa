"""Tables of the signals service. Every table name starts with 'signals_' so the service can share
a PostgreSQL database with the others."""
from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.service import make_runtime_models


class SignalsBase(DeclarativeBase):
    pass


RUNTIME_MODELS = make_runtime_models(SignalsBase, "signals")
