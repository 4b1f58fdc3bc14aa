"""An endpoint every service has: the councils it serves (public facts only)."""
from __future__ import annotations

from flask import current_app

from shared.api import Api, OutModel


class CouncilOut(OutModel):
    slug: str
    name: str
    language: str


def add_council_routes(api: Api) -> None:
    @api.route("/councils", summary="The councils this deployment serves", response=list[CouncilOut],
               callers=("bot", "deliberation", "calendar", "signals", "admin"))
    def list_councils() -> list[CouncilOut]:
        settings = current_app.config["OVERLEG_SETTINGS"]
        return [CouncilOut(slug=c.slug, name=c.name, language=c.language) for c in settings.councils]
