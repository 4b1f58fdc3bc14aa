"""Request and response models of the werkplek's API (what the bot calls)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.membership import MatrixId


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")


class Out(BaseModel):
    pass


def Text(max_length: int, min_length: int = 0) -> type[str]:  # noqa: N802 - reads as a type in the models
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length,  # type: ignore[return-value]
                                            pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]


class SignInLinkIn(In):
    matrix_id: MatrixId


class LinkOut(Out):
    url: str
    expires_at: datetime


class HoursIn(In):
    actor: MatrixId
    day: date
    hours: Text(10, 1)  # as the member wrote them: 2, 1,5, 1:30
    description: Text(400, 1)


class HoursOut(Out):
    day: date
    hours: str  # decimal, e.g. "1.50"
    description: str
    created: bool  # False: this message declared them before


class CommitteeLinkIn(In):
    actor: MatrixId
    name: Text(120, 1)
    days: int = Field(default=30, ge=1, le=90)


class GoalOut(Out):
    number: int
    title: str
    status: str
    status_label: str
    topics_done: int
    topics: list[dict[str, object]]


class GoalsQuery(In):
    year: int | None = Field(default=None, ge=2000, le=2100)
