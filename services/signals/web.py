"""The resident's pages: the public signal form, the status page, the export and the erasure.

``GET/POST /signaal``            the form (Dutch; English with ``?lang=en`` or the browser's language)
``GET /signaal/<ref>``           status of a signal, and the council's decision once there is one
``GET /signaal/<ref>/export``    everything stored about that signal, contact details included (JSON)
``POST /signaal/<ref>/wissen``   erase the contact details and the text

With more than one council in the deployment, ``?raad=<slug>`` picks the council (default: the
first). The pages work without JavaScript; errors are listed in a summary with ``role="alert"``
that takes the focus, each linked to its field, and each field names its error with
``aria-describedby``. POSTs carry a CSRF token (Flask-WTF) and the form a honeypot field. Form
submissions are rate-limited per client address (see :mod:`.ratelimit`); a double submission
(the same hidden nonce) is the same signal. Its reference number goes only to the browser that
sent it: the signed session cookie remembers (a hash of) the nonces it sent, so a double click is
sent on to the same status page, and anyone else who posts that nonce (from a copied page, say)
gets a neutral "already received" page, never the reference, which would open the first sender's
contact details. The nonce is stored only as a hash.
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
from pathlib import Path
from typing import Any, Callable, TypeVar
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, redirect, render_template, request, session, url_for
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

import shared
from services.signals import actions, texts
from services.signals.config import Limit, SignalsConfig
from services.signals.domain import consultation as cons
from services.signals.domain.intake import MAX_TEXT_CHARS
from services.signals.ratelimit import RateLimiter, client_address
from shared import i18n
from shared.errors import DomainError, NotFound
from shared.forms import FlaskForm
from shared.outbox import utcnow
from shared.service import runtime
from shared.settings import CouncilConfig, Settings

log = logging.getLogger("overleg.signals.web")

# The answer to a form sent twice (same nonce): no reference number in it.
_MESSAGES = {
    "nl": {"signals.web.already_received_title": "Al ontvangen",
           "signals.web.already_received": "Dit signaal hebben we al ontvangen. Het referentienummer stond op de "
                                           "pagina die je na het versturen zag."},
    "en": {"signals.web.already_received_title": "Received already",
           "signals.web.already_received": "We have received this signal already. Its reference number was on the "
                                           "page you saw after sending it."},
}
i18n.register(_MESSAGES)

# The style is the one every public page shares (shared/static/public.css).
T = TypeVar("T")
WEB = Blueprint("signals_web", __name__, template_folder="templates",
                static_folder=str(Path(shared.__file__).parent / "static"),
                static_url_path="/signaal/static")

FIELD_OF = {"text": "text", "wijk": "buurt", "name": "name", "email": "email", "phone": "phone",
            "consent": "consent"}
FIELD_ORDER = ["text", "buurt", "name", "email", "phone", "consent", "form"]
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")


class SignalForm(FlaskForm):
    text = TextAreaField()
    buurt = StringField()
    name = StringField()
    email = StringField()
    phone = StringField()
    consent = BooleanField()
    website = StringField()  # honeypot: people never see it, form robots fill it in
    nonce = HiddenField()


class EraseForm(FlaskForm):
    pass


def _settings() -> Settings:
    return current_app.config["OVERLEG_SETTINGS"]


def _cfg() -> SignalsConfig:
    return current_app.extensions["signals_config"]


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


def _client() -> str:
    return client_address(request.remote_addr, request.headers.get("X-Forwarded-For"), _cfg().proxy_hops)


SENT_KEY = "sent"  # in the signed session cookie: marks of the nonces this browser sent
SENT_KEEP = 5


def _sent_mark(nonce: str) -> str:
    return hashlib.sha256(f"signals-sent:{nonce}".encode()).hexdigest()[:24]


def _limited(bucket: str, limit: Limit) -> int | None:
    """Seconds to wait when the client is over its limit, else None."""
    limiter: RateLimiter = current_app.extensions["signals_ratelimiter"]
    verdict = limiter.check(bucket, _client(), limit)
    return None if verdict.allowed else verdict.retry_after


def _page(template: str, status: int = 200, **context: Any) -> Response:
    lang = context.setdefault("lang", _lang())
    council = context.get("council") or _council()
    other = "en" if lang == "nl" else "nl"
    args = {k: v for k, v in request.args.items() if k not in ("lang", "nieuw", "gewist")}
    other_url = context.pop("other_url", None)
    if other_url is not None:
        pass
    elif request.method == "GET" and request.endpoint:
        other_url = url_for(request.endpoint, **(request.view_args or {}), **args, lang=other)
    else:  # after a POST, the other language starts from the form
        other_url = url_for("signals_web.form", **args, lang=other)
    html = render_template(template, t=lambda code, **kw: i18n.t(code, lang, **kw),
                           council_name=council.name if council else "Overleg", other_lang=other,
                           other_url=other_url, **context)
    resp = Response(html, status=status, mimetype="text/html")
    return resp


@WEB.after_request
def _headers(resp: Response) -> Response:
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "no-referrer"  # the status URL holds the reference number
    resp.headers["X-Frame-Options"] = "DENY"
    if request.endpoint != "signals_web.static":
        resp.headers["Cache-Control"] = "no-store"
    resp.vary.add("Accept-Language")
    return resp


def _message(title_code: str, message: str, status: int, retry_after: int | None = None) -> Response:
    resp = _page("signaal_bericht.html", status, title=i18n.t(title_code, _lang()), message=message)
    if retry_after:
        resp.headers["Retry-After"] = str(retry_after)
    return resp


def _not_found() -> Response:
    return _message("signals.web.not_found_title", i18n.t("signals.api.reference_unknown", _lang()), 404)


def _rate_limited(retry_after: int) -> Response:
    minutes = max(1, -(-retry_after // 60))
    return _message("signals.web.rate_limited_title",
                    i18n.t("signals.api.rate_limited", _lang(), minutes=minutes), 429, retry_after)


# --------------------------------------------------------------------------- the form
@WEB.route("/signaal", methods=["GET", "POST"])
def form() -> Response:
    council = _council()
    if council is None:
        return _message("signals.web.not_found_title", i18n.t("signals.api.council_not_found", _lang()), 404)
    lang = _lang()
    cfg = _cfg()
    form = SignalForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        wait = _limited("form", cfg.form_limit)
        if wait is not None:
            return _rate_limited(wait)
        if not form.validate_on_submit():
            errors["form"] = i18n.t("signals.api.csrf", lang)
        elif (form.website.data or "").strip():
            log.info("form submission with the honeypot filled in refused")
            errors["form"] = i18n.t("signals.api.honeypot", lang)
        else:
            contact = actions.ContactIn(form.name.data, form.email.data, form.phone.data, bool(form.consent.data),
                                        lang)
            found = actions.problems(cfg.council(council.slug), text=form.text.data or "", wijk=form.buurt.data,
                                     contact=contact)
            for problem in found:
                errors.setdefault(FIELD_OF.get(problem.field, "form"), i18n.t(problem.code, lang, **problem.params))
            if not errors:
                nonce = (form.nonce.data or "").strip()
                sub = actions.Submission(council=council.slug, text=form.text.data or "", channel="form",
                                         wijk=form.buurt.data or None, contact=contact,
                                         intake_key=f"form:{nonce}"[:255] if 16 <= len(nonce) <= 64 else None)
                receipt = actions.submit(runtime(), cfg, _settings(), sub, utcnow())
                mark = _sent_mark(nonce) if sub.intake_key else None
                if not receipt.created and (mark is None or mark not in session.get(SENT_KEY, [])):
                    # This nonce was sent before, by another browser: never hand out that signal's reference.
                    return _message("signals.web.already_received_title",
                                    i18n.t("signals.web.already_received", lang), 200)
                if mark is not None and receipt.created:
                    session[SENT_KEY] = [*session.get(SENT_KEY, []), mark][-SENT_KEEP:]
                args = {"lang": lang, "nieuw": "1"}
                if request.args.get("raad"):
                    args["raad"] = council.slug
                return redirect(url_for(".status", reference=receipt.reference, **args), code=303)
    nonce = form.nonce.data if request.method == "POST" and form.nonce.data else secrets.token_urlsafe(24)
    ordered = {k: errors[k] for k in FIELD_ORDER if k in errors}
    nb = cfg.council(council.slug).neighbourhoods
    groups: dict[str, list[str]] = {}
    for item in nb.items:
        groups.setdefault(item.area or "", []).append(item.name)
    action_args = {"lang": lang, **({"raad": council.slug} if request.args.get("raad") else {})}
    return _page("signaal_form.html", 400 if errors else 200, lang=lang, council=council, form=form,
                 errors=ordered, nonce=nonce, groups=sorted(groups.items()), limit=MAX_TEXT_CHARS,
                 retention_days=cfg.retention_days, action=url_for(".form", **action_args),
                 title=i18n.t("signals.web.title", lang))


# --------------------------------------------------------------------------- status, export, erase
def _by_reference(lookup: Callable[[Any, str], T], reference: str) -> T | Response:
    """What a resident's reference opens, behind the per-address limit on guessing references (404 for
    anything unknown: a guess learns nothing)."""
    wait = _limited("ref", Limit(_cfg().form_limit.count * 10, _cfg().form_limit.seconds))
    if wait is not None:
        return _rate_limited(wait)
    try:
        return lookup(runtime(), reference)
    except NotFound:
        return _not_found()


def _settled_view(rt: Any, reference: str) -> actions.ResidentView:
    actions.settle_reference(rt, _cfg(), reference, utcnow())  # a partner's signal not grouped yet: now
    return actions.by_reference(rt, reference)


def _view(reference: str) -> actions.ResidentView | Response:
    return _by_reference(_settled_view, reference)


@WEB.get("/signaal/<reference>")
def status(reference: str) -> Response:
    view = _view(reference)
    if isinstance(view, Response):
        return view
    lang = _lang()
    council = _settings().council(view.signal.council)
    sig, cl = view.signal, view.cluster
    tz = council.timezone if council else "Europe/Amsterdam"
    params: dict[str, Any] = {}
    if sig.status == "op_agenda" and cl.agendered_at:
        params["date"] = texts.long_day(cl.agendered_at, lang, tz)
    if sig.status == "besloten" and cl.outcome_date:
        params["date"] = texts.long_day(cl.outcome_date, lang, tz)
    if sig.status == "doorgestuurd" and cl.forwarded_name:
        params.update(commissie=cl.forwarded_name,
                      date=texts.long_day(cl.forwarded_at, lang, tz) if cl.forwarded_at else "")
    status_text = i18n.t(f"signals.status.{sig.status}", lang, **params)
    return _page("signaal_status.html", lang=lang, council=council, reference=actions.normalise_reference(reference),
                 signal=sig, cluster=cl, contact=view.contact, status_text=status_text,
                 received=texts.long_day(sig.ts, lang, tz), decided=texts.long_day(cl.outcome_date, lang, tz)
                 if cl.outcome_date else None, fresh=request.args.get("nieuw") == "1",
                 erased_now=request.args.get("gewist") == "1", erase_form=EraseForm(),
                 retention_days=_cfg().retention_days, title=i18n.t("signals.web.status_title", lang))


@WEB.get("/signaal/<reference>/export")
def export(reference: str) -> Response:
    view = _view(reference)
    if isinstance(view, Response):
        return view
    body = json.dumps(actions.export(view, reference, _cfg(), _settings()), ensure_ascii=False, indent=2)
    resp = Response(body, mimetype="application/json")
    resp.headers["Content-Disposition"] = 'attachment; filename="signaal.json"'
    return resp


@WEB.post("/signaal/<reference>/wissen")
def erase(reference: str) -> Response:
    """Asked first, then done: the status page's button shows what will be erased and asks to confirm; only the
    confirmation (``bevestigd=1``) erases."""
    view = _view(reference)
    if isinstance(view, Response):
        return view
    form = EraseForm()
    if not form.validate_on_submit():
        return _message("signals.web.error_title", i18n.t("signals.api.csrf", _lang()), 400)
    if request.form.get("bevestigd") != "1":
        lang = _lang()
        return _page("signaal_wissen.html", lang=lang, reference=actions.normalise_reference(reference),
                     contact=view.contact, erase_form=EraseForm(), title=i18n.t("signals.web.erase_confirm_title", lang))
    try:
        actions.erase(runtime(), _cfg(), _settings(), reference, utcnow())
    except actions.DeliberationDown:
        return _message("signals.web.error_title", i18n.t("signals.api.erase_later", _lang()), 503, retry_after=60)
    return redirect(url_for(".status", reference=actions.normalise_reference(reference), lang=_lang(), gewist="1"),
                    code=303)


@WEB.get("/signaal/<reference>/download")
def download(reference: str) -> Response:
    """Everything stored about the signal, in plain words (the JSON at ``/export`` is for machines)."""
    view = _view(reference)
    if isinstance(view, Response):
        return view
    lang = _lang()
    council = _settings().council(view.signal.council)
    body = actions.plain_export(view, reference, _cfg(), lang, council.timezone if council else "Europe/Amsterdam",
                                council.name if council else "Overleg")
    resp = Response(body, mimetype="text/plain")
    resp.headers["Content-Disposition"] = f'attachment; filename="signaal-{actions.normalise_reference(reference)}.txt"'
    return resp


@WEB.get("/signaal/zoek")
def lookup() -> Response:
    """A reference typed as written on paper: case, spaces and dashes forgiven."""
    wait = _limited("ref", Limit(_cfg().form_limit.count * 10, _cfg().form_limit.seconds))
    if wait is not None:
        return _rate_limited(wait)
    found = actions.normalise_reference(request.args.get("ref") or "")
    if found is None:
        return _message("signals.web.not_found_title", i18n.t("signals.web.lookup_invalid", _lang()), 400)
    return redirect(url_for(".status", reference=found, lang=_lang()), code=303)


# --------------------------------------------------------------------------- no more e-mails
@WEB.get("/signaal/afmelden/<token>")
def unsubscribe_page(token: str) -> Response:
    """The link in every e-mail: a page with one button (a GET changes nothing: mail scanners open links)."""
    lang = _lang()
    if actions.signal_of_unsubscribe_token(_settings(), token) is None:
        return _message("signals.web.not_found_title", i18n.t("signals.web.unsubscribe_unknown", lang), 404)
    return _page("signaal_afmelden.html", lang=lang, token=token, title=i18n.t("signals.web.unsubscribe_title", lang))


@WEB.post("/signaal/afmelden/<token>")
def unsubscribe(token: str) -> Response:
    """The button, or a mail client's one-click unsubscribe (RFC 8058: a POST with List-Unsubscribe=One-Click).
    The unguessable token in the URL is the authority, so no CSRF token is asked."""
    wait = _limited("ref", Limit(_cfg().form_limit.count * 10, _cfg().form_limit.seconds))
    if wait is not None:
        return _rate_limited(wait)
    lang = _lang()
    try:
        actions.unsubscribe(runtime(), _settings(), token, utcnow())
    except NotFound:
        return _message("signals.web.not_found_title", i18n.t("signals.web.unsubscribe_unknown", lang), 404)
    return _message("signals.web.unsubscribe_title", i18n.t("signals.web.unsubscribed", lang), 200)


# --------------------------------------------------------------------------- resident consultations
class ConsultationForm(FlaskForm):
    keuze = StringField()
    text = TextAreaField()
    buurt = StringField()
    name = StringField()
    email = StringField()
    phone = StringField()
    consent = BooleanField()
    website = StringField()  # honeypot
    nonce = HiddenField()


# The domain's refusal codes, per field of the consultation form.
CONSULTATION_FIELD = {
    "signals.consultation.answer_long": "text", "signals.consultation.answer_empty": "text",
    "signals.consultation.answer_choose": "keuze", "signals.consultation.option_unknown": "keuze",
    "signals.wijk_unknown": "buurt", "signals.consultation.consent_required": "consent",
    "signals.consultation.email_required": "email", "signals.consultation.email_invalid": "email",
    "signals.consultation.name_long": "name", "signals.consultation.phone_invalid": "phone",
}


def _council_of(slug: str) -> CouncilConfig | None:
    return _settings().council(slug)


@WEB.route("/raadpleging/<code>", methods=["GET", "POST"])
def consultation(code: str) -> Response:
    """The consultation's public page: the question, the choices (radio buttons), an open answer, the wijk, and
    contact details only for hearing the outcome (with consent). Works without JavaScript; CSRF, honeypot,
    rate limit and a nonce against double submission, like the signal form."""
    lang = _lang()
    cfg = _cfg()
    # Answers have a budget of their own: answering a consultation costs no signal, and the reverse.
    wait = _limited("raadpleging", Limit(cfg.form_limit.count * 10, cfg.form_limit.seconds)) \
        if request.method == "GET" else _limited("raadpleging-antwoord", cfg.form_limit)
    if wait is not None:
        return _rate_limited(wait)
    try:
        info = actions.consultation_info(runtime(), code)
    except NotFound:
        return _message("signals.web.not_found_title", i18n.t("signals.consultation.code_invalid", lang), 404)
    council = _council_of(info.council)
    c = actions.consultation_domain(info)
    if not c.is_open(utcnow()):
        return _page("signaal_bericht.html", 410, lang=lang, council=council,
                     title=i18n.t("signals.cons.closed_title", lang),
                     message=i18n.t("signals.consultation.closed", lang))
    form = ConsultationForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            errors["form"] = i18n.t("signals.api.csrf", lang)
        elif (form.website.data or "").strip():
            log.info("consultation answer with the honeypot filled in refused")
            errors["form"] = i18n.t("signals.api.honeypot", lang)
        else:
            nonce = (form.nonce.data or "").strip()
            answer = cons.AnswerForm(option=form.keuze.data or None, text=form.text.data, wijk=form.buurt.data,
                                     name=form.name.data, email=form.email.data, phone=form.phone.data,
                                     consent=bool(form.consent.data))
            try:
                receipt = actions.answer_consultation(
                    runtime(), cfg, _settings(), code, answer, language=lang,
                    intake_key=f"raadpleging:{nonce}"[:255] if 16 <= len(nonce) <= 64 else None, now=utcnow())
            except DomainError as exc:
                if exc.code == "signals.consultation.closed":
                    return _message("signals.cons.closed_title", i18n.t(exc.code, lang), 410)
                errors[CONSULTATION_FIELD.get(exc.code, "form")] = i18n.t(exc.code, lang, **exc.params)
            else:
                if not receipt.created:
                    return _page("signaal_bericht.html", 200, lang=lang, council=council,
                                 title=i18n.t("signals.cons.thanks_title", lang),
                                 message=i18n.t("signals.cons.already", lang),
                                 other_url=url_for(".consultation", code=code, lang="en" if lang == "nl" else "nl"))
                return _page("raadpleging_bedankt.html", 200, lang=lang, council=council,
                             reference=receipt.reference, contact_kept=receipt.contact_kept,
                             title=i18n.t("signals.cons.thanks_title", lang),
                             answer_url=url_for(".consultation_answer", reference=receipt.reference, lang=lang),
                             other_url=url_for(".consultation", code=code, lang="en" if lang == "nl" else "nl"))
    nonce = form.nonce.data if request.method == "POST" and form.nonce.data else secrets.token_urlsafe(24)
    nb = cfg.council(info.council).neighbourhoods
    groups: dict[str, list[str]] = {}
    for item in nb.items:
        groups.setdefault(item.area or "", []).append(item.name)
    order = ["keuze", "text", "buurt", "name", "email", "phone", "consent", "form"]
    tz = council.timezone if council else "Europe/Amsterdam"
    return _page("raadpleging_form.html", 400 if errors else 200, lang=lang, council=council, form=form,
                 info=info, errors={k: errors[k] for k in order if k in errors}, nonce=nonce,
                 groups=sorted(groups.items()), limit=cons.MAX_ANSWER_CHARS,
                 last_day=texts.long_day(c.last_day, lang, tz), retention_days=cons.CONTACT_RETENTION_DAYS,
                 action=url_for(".consultation", code=code, lang=lang),
                 other_url=url_for(".consultation", code=code, lang="en" if lang == "nl" else "nl"),
                 title=i18n.t("signals.cons.web_title", lang))


def _answer_view(reference: str) -> actions.AnswerView | Response:
    return _by_reference(actions.answer_by_reference, reference)


@WEB.get("/raadpleging/antwoord/<reference>")
def consultation_answer(reference: str) -> Response:
    """What is stored of a resident's answer (scrubbed), with the button to erase it."""
    view = _answer_view(reference)
    if isinstance(view, Response):
        return view
    lang = _lang()
    option = view.consultation.options[view.answer.option] if view.answer.option is not None and \
        view.answer.option < len(view.consultation.options) else None
    return _page("raadpleging_antwoord.html", lang=lang, council=_council_of(view.consultation.council),
                 view=view, option=option, reference=actions.normalise_reference(reference),
                 erased_now=request.args.get("gewist") == "1", erase_form=EraseForm(),
                 title=i18n.t("signals.cons.answer_title", lang))


@WEB.post("/raadpleging/antwoord/<reference>/wissen")
def consultation_erase(reference: str) -> Response:
    view = _answer_view(reference)
    if isinstance(view, Response):
        return view
    if not EraseForm().validate_on_submit():
        return _message("signals.web.error_title", i18n.t("signals.api.csrf", _lang()), 400)
    actions.erase_answer(runtime(), reference, utcnow())
    return redirect(url_for(".consultation_answer", reference=actions.normalise_reference(reference), lang=_lang(),
                            gewist="1"), code=303)


# --------------------------------------------------------------------------- bewonersavond sign-up
class SignupForm(FlaskForm):
    email = StringField()
    name = StringField()
    consent = BooleanField()
    website = StringField()  # honeypot
    nonce = HiddenField()


SIGNUP_FIELD = {"signals.signup.email_required": "email", "signals.consultation.email_invalid": "email",
                "signals.signup.duplicate": "email", "signals.consultation.name_long": "name",
                "signals.signup.consent_required": "consent"}


def _signup_page(view: actions.SignupView, lang: str, **context: Any) -> dict[str, Any]:
    council = _council_of(view.event.council)
    tz = council.timezone if council else "Europe/Amsterdam"
    return dict(lang=lang, council=council, event=view.event, counts=view.counts,
                when=i18n.fmt_datetime(view.event.starts.astimezone(ZoneInfo(tz)), lang),
                places_text=actions.places_text(view.counts, lang),
                other_url=url_for(".signup", code=view.event.code, lang="en" if lang == "nl" else "nl"), **context)


@WEB.route("/bewonersavond/<code>", methods=["GET", "POST"])
def signup(code: str) -> Response:
    """The sign-up page of a bewonersavond: the facts, the places left, an e-mail address (with consent) and
    optionally a name. Full: the waiting list. CSRF, honeypot, rate limit and a nonce, like the other forms."""
    lang = _lang()
    cfg = _cfg()
    wait = _limited("bewonersavond", Limit(cfg.form_limit.count * 10, cfg.form_limit.seconds)) \
        if request.method == "GET" else _limited("bewonersavond-aanmelding", cfg.form_limit)
    if wait is not None:
        return _rate_limited(wait)
    try:
        view = actions.signup_by_code(runtime(), _settings(), code)
    except NotFound:
        return _message("signals.web.not_found_title", i18n.t("signals.signup.unknown", lang), 404)
    if view.event.starts <= utcnow():
        return _page("signaal_bericht.html", 410, lang=lang, council=_council_of(view.event.council),
                     title=view.event.title, message=i18n.t("signals.signup.closed", lang))
    form = SignupForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            errors["form"] = i18n.t("signals.api.csrf", lang)
        elif (form.website.data or "").strip():
            errors["form"] = i18n.t("signals.api.honeypot", lang)
        else:
            nonce = (form.nonce.data or "").strip()
            try:
                done = actions.sign_up(runtime(), _settings(), code, email=form.email.data or "",
                                       name=form.name.data, consent=bool(form.consent.data), language=lang,
                                       intake_key=f"signup:{nonce}"[:255] if 16 <= len(nonce) <= 64 else None,
                                       now=utcnow())
            except DomainError as exc:
                errors[SIGNUP_FIELD.get(exc.code, "form")] = i18n.t(exc.code, lang, **exc.params)
            else:
                if done.token is None:
                    return _page("signaal_bericht.html", 200, **_signup_page(
                        view, lang, title=view.event.title, message=i18n.t("signals.su.already", lang)))
                view = actions.signup_by_code(runtime(), _settings(), code)
                return _page("bewonersavond_bedankt.html", 200, **_signup_page(
                    view, lang, done=done, waiting=done.state is not None and done.state.value == "waiting",
                    cancel=url_for(".signup_cancel", token=done.token, lang=lang),
                    title=i18n.t("signals.su.waiting_title" if done.state is not None and done.state.value ==
                                 "waiting" else "signals.su.confirmed_title", lang)))
    nonce = form.nonce.data if request.method == "POST" and form.nonce.data else secrets.token_urlsafe(24)
    order = ["email", "name", "consent", "form"]
    return _page("bewonersavond_form.html", 400 if errors else 200, **_signup_page(
        view, lang, form=form, errors={k: errors[k] for k in order if k in errors}, nonce=nonce,
        action=url_for(".signup", code=code, lang=lang), title=i18n.t("signals.su.title", lang)))


@WEB.route("/bewonersavond/afmelden/<token>", methods=["GET", "POST"])
def signup_cancel(token: str) -> Response:
    """The link in the e-mails: a page with one button (a GET changes nothing: mail scanners open links)."""
    lang = _lang()
    wait = _limited("ref", Limit(_cfg().form_limit.count * 10, _cfg().form_limit.seconds))
    if wait is not None:
        return _rate_limited(wait)
    try:
        event, state = actions.signup_of_token(runtime(), token)
    except NotFound:
        return _message("signals.web.not_found_title", i18n.t("signals.signup.unknown", lang), 404)
    council = _council_of(event.council)
    if state == "cancelled":
        return _page("signaal_bericht.html", 200, lang=lang, council=council, title=event.title,
                     message=i18n.t("signals.signup.cancelled", lang))
    form = EraseForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _message("signals.web.error_title", i18n.t("signals.api.csrf", lang), 400)
        try:
            actions.cancel_signup(runtime(), _settings(), token, utcnow())
        except DomainError as exc:
            return _page("signaal_bericht.html", 409, lang=lang, council=council, title=event.title,
                         message=i18n.t(exc.code, lang, **exc.params))
        return _page("signaal_bericht.html", 200, lang=lang, council=council, title=event.title,
                     message=i18n.t("signals.signup.cancelled", lang))
    return _page("bewonersavond_afmelden.html", lang=lang, council=council, event=event, form=form,
                 title=i18n.t("signals.su.cancel_title", lang))
