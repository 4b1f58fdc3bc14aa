"""JSON API of the deliberation service, under /api/v1/councils/<slug>/….

Who calls what: ``bot`` for members' chat commands (always naming the member as ``actor``, with the
Matrix event id as ``Idempotency-Key``), ``admin`` for the operator's and secretary's tools,
``calendar`` for the deadlines feed, ``signals`` to put a cluster of residents' signals on the agenda,
to read back what became of it and to add a closed consultation's summary as the topic's background. Applying for a seat is public.

Thin routes, one module per area: :mod:`.roster` (members, seats, applications, absences),
:mod:`.agenda` (topics, the agenda, advice, realisation checks, the deadlines feed), :mod:`.rounds`
(consensus rounds), :mod:`.advice` (advice trajectories), :mod:`.scenarios` (co-creation over several scenarios,
and influence on the record) and :mod:`.register` (the decision register). Each route parses its input
(``shared.api`` validates it against :mod:`services.deliberation.schemas`), calls one use case of
:mod:`services.deliberation.actions` and presents the result with :mod:`services.deliberation.views`.
A refusal is a :class:`~shared.errors.DomainError`, answered as a JSON 4xx.
"""
from __future__ import annotations

# The public application route's limits, defined with the use case (patch them there, in ``actions``).
from services.deliberation.actions import APPLICATIONS_PER_ADDRESS, MAX_APPLICATIONS_PER_DAY
from services.deliberation.api import advice, agenda, register, roster, rounds, scenarios
from services.deliberation.api.common import API, openapi_extra_paths

# Every operation that takes input (a body, a query or a member id in its path) can meet a rule the schema
# cannot express: a 422, as documented.
for _op in API.operations:
    if _op.body is not None or _op.query is not None or "<member_id>" in _op.rule:
        _op.errors = tuple(sorted(set(_op.errors) | {422}))

__all__ = ["API", "advice", "APPLICATIONS_PER_ADDRESS", "MAX_APPLICATIONS_PER_DAY", "agenda", "openapi_extra_paths",
           "register", "roster", "rounds", "scenarios"]
