"""Routes of the decision register: the agreements as JSON, and the besluitenlijst as a document."""
from __future__ import annotations

from flask import Response

from services.deliberation import actions, views
from services.deliberation.api.common import API, CHAT_OR_WERKPLEK, ctx, rt
from services.deliberation.schemas import ExportQuery, RegisterEntryOut, RegisterQuery


@API.route("/councils/<slug>/register", summary="The decision register (!besluiten), filtered by period, topic and search words; each entry with "
                   "its positions and every objection and how it was resolved",
           query=RegisterQuery, response=list[RegisterEntryOut], callers=CHAT_OR_WERKPLEK)
def list_register(slug: str, query: RegisterQuery) -> list[RegisterEntryOut]:
    c = ctx(slug)
    found = actions.register(rt(), c, query.start, query.end, query.topic_id, query.q, query.order == "newest")
    return [views.entry_out(c, e, found.objections.get(e.entry.agreement.round_id, ()),
                            found.influence.get(e.entry.agreement.topic_id, ()),
                            found.background.get(e.entry.agreement.topic_id, ())) for e in found.entries]


@API.route("/councils/<slug>/register/export",
           summary="The besluitenlijst as a document: ?format=markdown (text/markdown) or html (text/html); with the "
                   "ended scenario rounds and what changed because of the council",
           query=ExportQuery, callers=CHAT_OR_WERKPLEK, content_type="text/markdown")
def export_register(slug: str, query: ExportQuery) -> Response:
    c = ctx(slug)
    html = query.format == "html"
    found = actions.register(rt(), c, query.start, query.end, query.topic_id)
    scenarios = actions.scenario_register(rt(), c, query.start, query.end, query.topic_id)
    document = views.register_document(c, found, html=html, start=query.start, end=query.end, scenarios=scenarios)
    resp = Response(document, mimetype="text/html" if html else "text/markdown")
    resp.headers["Content-Disposition"] = f'inline; filename="besluitenlijst-{c.slug}.{"html" if html else "md"}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
