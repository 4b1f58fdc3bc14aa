"""The public page for applying for a seat on the council, and the applicant's own page.

``GET/POST /aanmelden``              the form (Dutch; English with ``?lang=en`` or the browser's language)
``GET /aanmelden/<ref>``             the applicant's page: received, where it stands, what happens next
``POST /aanmelden/<ref>/intrekken``  withdraw: the name, contact details and motivation are erased

With more than one council, ``?raad=<slug>`` picks the council (default: the first). The same rules as
the residents' signal form: no JavaScript needed, errors in a summary that takes the focus and at each
field, CSRF tokens (Flask-WTF), a honeypot field, a limit per client address, one application per form
however often it is sent, consent asked for keeping the details, a retention period said on the page,
and a reference that only the applicant's browser gets (only its hash is stored).
"""
from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from pydantic import ValidationError
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

import shared
from services.deliberation import actions
from services.deliberation.domain.roster import Application
from services.deliberation.jobs import APPLICATION_RETENTION_DAYS
from services.deliberation.schemas import ApplicationIn
from shared import i18n
from shared.errors import Conflict, DomainError, NotFound
from shared.forms import FlaskForm
from shared.outbox import utcnow
from shared.ratelimit import Limit, RateLimiter, client_address
from shared.service import now, runtime
from shared.settings import CouncilConfig, Settings

log = logging.getLogger("overleg.deliberation.web")

WEB = Blueprint("deliberation_web", __name__, template_folder="templates",
                static_folder=str(Path(shared.__file__).parent / "static"), static_url_path="/aanmelden/static")

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
FIELD_ORDER = ["name", "member_type", "contact", "matrix_id", "motivation", "consent", "form"]
MEMBER_TYPES = ("huurder", "koper", "ondernemer")
# ApplicationIn's fields, as the form names them.
FIELD_OF = {"name": "name", "member_type": "member_type", "contact": "contact", "matrix_id": "matrix_id",
            "motivation": "motivation"}


class ApplicationForm(FlaskForm):
    name = StringField()
    member_type = StringField()
    contact = StringField()
    matrix_id = StringField()
    motivation = TextAreaField()
    consent = BooleanField()
    website = StringField()  # honeypot: people never see it, form robots fill it in
    nonce = HiddenField()


class WithdrawForm(FlaskForm):
    pass


def _settings() -> Settings:
    return current_app.config["OVERLEG_SETTINGS"]


def _lang() -> str:
    asked = (request.args.get("lang") or "").lower()
    if asked in i18n.SUPPORTED_LANGUAGES:
        return asked
    best = request.accept_languages.best_match(list(i18n.SUPPORTED_LANGUAGES)) if request.accept_languages else None
    return best or i18n.DEFAULT_LANGUAGE


def _council() -> CouncilConfig | None:
    settings = _settings()
    slug = request.args.get("raad")
    if slug:
        return settings.council(slug)
    return settings.councils[0] if settings.councils else None


def _page(template: str, status: int = 200, **context: Any) -> Response:
    lang = context.setdefault("lang", _lang())
    council = context.get("council") or _council()
    other = "en" if lang == "nl" else "nl"
    args = {k: v for k, v in request.args.items() if k not in ("lang", "nieuw")}
    if request.method == "GET" and request.endpoint:
        other_url = url_for(request.endpoint, **(request.view_args or {}), **args, lang=other)
    else:  # after a POST, the other language starts from the form
        other_url = url_for("deliberation_web.form", **args, lang=other)
    html = render_template(template, t=lambda code, **kw: i18n.t(code, lang, **kw),
                           council_name=council.name if council else "Overleg", other_lang=other,
                           other_url=other_url, **context)
    return Response(html, status=status, mimetype="text/html")


@WEB.after_request
def _headers(resp: Response) -> Response:
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "no-referrer"  # the applicant's URL holds the reference
    resp.headers["X-Frame-Options"] = "DENY"
    if request.endpoint != "deliberation_web.static":
        resp.headers["Cache-Control"] = "no-store"
    resp.vary.add("Accept-Language")
    return resp


def _message(title_code: str, message: str, status: int, retry_after: int | None = None) -> Response:
    resp = _page("aanmelden_bericht.html", status, title=i18n.t(title_code, _lang()), message=message)
    if retry_after:
        resp.headers["Retry-After"] = str(retry_after)
    return resp


def _limited(bucket: str, count: int) -> int | None:
    """Seconds to wait when this address asked too often, else None (pages with a reference are guessed at)."""
    limiter: RateLimiter = current_app.extensions["deliberation_ratelimiter"]
    address = client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                             _settings().signals.proxy_hops)
    verdict = limiter.check(f"web:{bucket}", address, Limit(count, 3600))
    return None if verdict.allowed else verdict.retry_after


def _problems(body: dict[str, Any], lang: str) -> dict[str, str]:
    """The form's fields checked by the same model as the API, each error told at its field."""
    errors: dict[str, str] = {}
    try:
        ApplicationIn.model_validate(body)
    except ValidationError as exc:
        for problem in exc.errors():
            field = FIELD_OF.get(str(problem["loc"][0]) if problem["loc"] else "", "form")
            errors.setdefault(field, i18n.t(f"delib.web.invalid.{field}", lang))
    return errors


# --------------------------------------------------------------------------- the form


@WEB.route("/aanmelden", methods=["GET", "POST"])
def form() -> Response:
    council = _council()
    lang = _lang()
    if council is None:
        return _message("delib.web.not_found_title", i18n.t("delib.api.council_not_found", lang), 404)
    form = ApplicationForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            errors["form"] = i18n.t("delib.web.csrf", lang)
        elif (form.website.data or "").strip():
            log.info("application form with the honeypot filled in refused")
            errors["form"] = i18n.t("delib.web.honeypot_refused", lang)
        else:
            body = {"name": (form.name.data or "").strip(), "member_type": (form.member_type.data or "").strip(),
                    "contact": (form.contact.data or "").strip() or None,
                    "matrix_id": (form.matrix_id.data or "").strip() or None,
                    "motivation": (form.motivation.data or "").strip() or None}
            errors = _problems(body, lang)
            if not body["contact"]:
                errors.setdefault("contact", i18n.t("delib.web.contact_required", lang))
            if not form.consent.data:
                errors.setdefault("consent", i18n.t("delib.web.consent_required", lang))
            if not errors:
                return _submit(council, lang, ApplicationIn.model_validate(body), form.nonce.data)
    nonce = form.nonce.data if request.method == "POST" and form.nonce.data else secrets.token_urlsafe(24)
    ordered = {k: errors[k] for k in FIELD_ORDER if k in errors}
    action_args = {"lang": lang, **({"raad": council.slug} if request.args.get("raad") else {})}
    return _page("aanmelden_form.html", 400 if errors else 200, lang=lang, council=council, form=form,
                 errors=ordered, nonce=nonce, member_types=MEMBER_TYPES, retention_days=APPLICATION_RETENTION_DAYS,
                 action=url_for(".form", **action_args), title=i18n.t("delib.web.title", lang))


def _submit(council: CouncilConfig, lang: str, body: ApplicationIn, nonce: str | None) -> Response:
    limiter: RateLimiter = current_app.extensions["deliberation_ratelimiter"]
    address = client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                             _settings().signals.proxy_hops)
    try:
        call = actions.context(_settings(), council.slug, language=lang, caller=None, now=now())
        receipt = actions.apply_through_form(runtime(), call, body, limiter=limiter, sender=address,
                                             nonce=(nonce or "").strip() or None)
    except actions.TooManyRequests as exc:
        minutes = int(exc.params.get("minutes", 60))
        return _message("delib.web.rate_limited_title", exc.user_message(lang), 429, retry_after=minutes * 60)
    except DomainError as exc:
        return _message("delib.web.error_title", exc.user_message(lang), exc.status)
    if receipt.reference is None:
        # This form was sent before: its reference went to that first answer, never to a copy of the page.
        return _message("delib.web.already_received_title", i18n.t("delib.web.already_received", lang), 200)
    args = {"lang": lang, "nieuw": "1", **({"raad": council.slug} if request.args.get("raad") else {})}
    return redirect(url_for(".status", reference=receipt.reference, **args), code=303)


# --------------------------------------------------------------------------- the applicant's page


def _found(reference: str) -> Application | Response:
    wait = _limited("reference", 60)
    if wait is not None:
        return _message("delib.web.rate_limited_title",
                        i18n.t("delib.api.too_many_applications_from_address", _lang(),
                               minutes=max(1, -(-wait // 60))), 429, retry_after=wait)
    try:
        return actions.application_by_reference(runtime(), reference)
    except NotFound as exc:
        return _message("delib.web.not_found_title", exc.user_message(_lang()), 404)


@WEB.get("/aanmelden/<reference>")
def status(reference: str) -> Response:
    found = _found(reference)
    if isinstance(found, Response):
        return found
    lang = _lang()
    council = _settings().council(found.council_id)
    return _page("aanmelden_status.html", lang=lang, council=council, application=found, reference=reference,
                 status_text=i18n.t(f"delib.web.status.{found.status.value}", lang),
                 received=i18n.fmt_date(found.received_on, lang), fresh=request.args.get("nieuw") == "1",
                 withdraw_form=WithdrawForm(), appointed=found.status.value == "benoemd",
                 retention_days=APPLICATION_RETENTION_DAYS, title=i18n.t("delib.web.status_title", lang))


@WEB.post("/aanmelden/<reference>/intrekken")
def withdraw(reference: str) -> Response:
    found = _found(reference)
    if isinstance(found, Response):
        return found
    lang = _lang()
    if not WithdrawForm().validate_on_submit():
        return _message("delib.web.error_title", i18n.t("delib.web.csrf", lang), 400)
    try:
        actions.withdraw_application(runtime(), reference, utcnow())
    except Conflict as exc:
        return _message("delib.web.error_title", exc.user_message(lang), 409)
    return _message("delib.web.withdrawn_title", i18n.t("delib.web.withdrawn", lang), 200)
