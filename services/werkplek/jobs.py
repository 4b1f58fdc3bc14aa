"""The werkplek's background jobs: sign-in links are useless after ten minutes, their rows go after a day; the
committee's advice goes when its application is gone from deliberation."""
from __future__ import annotations

from flask import Flask

from services.werkplek import actions
from shared.jobs import Job
from shared.service import Runtime, clock_of


def jobs(app: Flask) -> list[Job]:
    def rt() -> Runtime:
        return app.extensions["overleg_runtime"]

    now = clock_of(app)
    return [Job("werkplek_forget_links", lambda: actions.forget_old_links(rt(), now()), interval=3600.0),
            Job("werkplek_forget_advice",
                lambda: actions.forget_advice_of_gone_applications(rt(), rt().settings, now()), interval=3600.0)]
