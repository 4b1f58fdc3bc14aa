"""The werkplek's pages: server-rendered, Dutch first (``?lang=en``), readable on a phone, no JavaScript needed
except on the widget page (Element's widget API hands the page a Matrix OpenID token through postMessage).

``GET  /werkplek``                    the overview, or how to sign in
``GET  /werkplek/in/<token>``         a one-time link from ``!werkplek``: signs in, then to the overview
``GET  /werkplek/commissie/<token>``  a selection committee member's own link
``GET  /werkplek/widget``             inside Element: asks for an OpenID token; ``POST /werkplek/openid`` checks it
``POST /werkplek/uit``                sign out
``GET  /werkplek/inzet[.csv]``        time and money of the year (a table, a chart, CSV); the secretary adds
                                      costs (POST) and confirms attendance (``POST /werkplek/inzet/aanwezigheid``)
``GET  /werkplek/doelen``             the year's goals; the secretary adds goals and links topics (POST)
``GET  /werkplek/adviezen[/<nr>]``    advice trajectories, each step with its legal dates; the secretary takes
                                      the chat's steps (concept, verstuurd, reactie, toets, uitkomst) (POST)
``GET  /werkplek/besluiten[.md|.html|.pdf]`` the decision list (search), as Markdown, HTML or PDF for download
                                      (the PDF follows the page's search and order)
``GET  /werkplek/samenstelling``      seats by customer group; the make-up against the residents, gaps named
``GET  /werkplek/aanmeldingen``      applications with the selection committee's advice; the committee advises
                                      (``POST .../<nr>/advies``), the secretary decides (``POST .../<nr>/besluit``,
                                      deliberation's status route as ``!selectie``: appointing invites in Matrix)
``GET  /werkplek/agenda[?jaar=]``     the ranked agenda with its scores; expected against realised influence

The session lives in a signed cookie (HttpOnly, SameSite=Lax, Secure outside the local stack): who, which
council, which role, when it started and when it was last used. Every request checks it again (idle 30
minutes, 12 hours at most, the person still a member, a committee link not revoked).
"""
from __future__ import annotations

import functools
import logging
import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from flask import (Blueprint, Response, current_app, redirect, render_template, request, send_from_directory, session,
                   url_for)
from wtforms import StringField

from services.werkplek import actions, texts
from services.werkplek.domain import access as rules
from services.werkplek.domain import adviezen as advice_steps
from services.werkplek.domain import pdf as pdf_export
from services.werkplek.domain import samenstelling as make_up
from services.werkplek.domain import selectie as selection
from services.werkplek.domain.access import Access, Role
from services.werkplek.domain.chart import hours_chart
from services.werkplek.domain.inzet import CostKind, held_activities, to_csv
import shared
from shared import i18n
from shared.errors import DomainError
from shared.forms import FlaskForm, generate_csrf
from shared.http import ServiceError, ServiceUnavailable
from shared.service import now, runtime
from shared.settings import Settings

log = logging.getLogger("overleg.werkplek.web")

WEB = Blueprint("werkplek_web", __name__, template_folder="templates", static_folder="static",
                static_url_path="/werkplek/static")
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors *")  # Element embeds the widget page
SESSION_KEY = "werkplek"
NAV = ("overzicht", "adviezen", "besluiten", "agenda", "raadplegingen", "samenstelling", "aanmeldingen", "inzet",
       "doelen")


@WEB.get("/werkplek/public.css")
def public_css() -> Response:
    """The style the public pages share (shared/static), under the werkplek's own path for the proxy."""
    return send_from_directory(Path(shared.__file__).parent / "static", "public.css", max_age=3600)


class CostForm(FlaskForm):
    kind = StringField()
    amount = StringField()
    day = StringField()
    description = StringField()


class GoalForm(FlaskForm):
    title = StringField()


class LinkTopicForm(FlaskForm):
    goal = StringField()
    topic = StringField()


class PlainForm(FlaskForm):
    pass


class ConsultationForm(FlaskForm):
    topic = StringField()
    question = StringField()
    options = StringField()
    last_day = StringField()
    key = StringField()


def _settings() -> Settings:
    return current_app.config["OVERLEG_SETTINGS"]


def _lang() -> str:
    asked = (request.args.get("lang") or "").lower()
    if asked in i18n.SUPPORTED_LANGUAGES:
        return asked
    best = request.accept_languages.best_match(list(i18n.SUPPORTED_LANGUAGES)) if request.accept_languages else None
    return best or i18n.DEFAULT_LANGUAGE


@WEB.after_request
def _headers(resp: Response) -> Response:
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "no-referrer"  # sign-in URLs hold tokens
    if request.endpoint not in ("werkplek_web.static", "werkplek_web.public_css"):
        resp.headers["Cache-Control"] = "no-store"
    resp.vary.add("Accept-Language")
    resp.vary.add("Cookie")
    return resp


# --------------------------------------------------------------------------- the session


def _store_session(s: rules.Session, *, new: bool = False) -> None:
    """``new``: a sign-in starts a clean session (nothing carried over from before it, e.g. a planted
    CSRF token); a request in a session only refreshes it, keeping the form's CSRF token."""
    if new:
        session.clear()
    session.permanent = False
    session[SESSION_KEY] = {"council": s.council, "role": s.role.value, "subject": s.subject,
                            "started_at": s.started_at.isoformat(), "last_seen": s.last_seen.isoformat()}


def _load_session() -> rules.Session | None:
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, dict):
        return None
    try:
        return rules.Session(str(raw["council"]), Role(raw["role"]), str(raw["subject"]),
                             datetime.fromisoformat(raw["started_at"]), datetime.fromisoformat(raw["last_seen"]))
    except (KeyError, ValueError):
        return None


def _current(page: str, wanted: Access = Access.READ) -> tuple[actions.Ctx, rules.Session] | Response:
    """The signed-in session allowed on ``page``, refreshed; else the sign-in page (401) or a refusal (403)."""
    lang = _lang()
    found = _load_session()
    if found is None:
        return _page("werkplek_inloggen.html", 401, lang=lang, title=texts.t("werkplek.sign_in.title", lang))
    try:
        ctx = actions.context(_settings(), found.council, now(), lang)
        current = actions.session_still_valid(runtime(), ctx, found)
    except ServiceUnavailable as exc:
        return _message(exc, 503)
    except DomainError as exc:
        session.clear()
        return _page("werkplek_inloggen.html", 401, lang=lang, title=texts.t("werkplek.sign_in.title", lang),
                     message=exc.user_message(lang))
    try:
        rules.require(current.role, page, wanted)
    except DomainError as exc:
        return _message(exc, 403, session_=current)
    _store_session(current)
    return ctx, current


def signed_in(page: str, *, with_year: bool = False) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """A page's route for the signed-in session allowed on ``page``: reading for GET, editing for POST (else
    the sign-in page or a refusal, see :func:`_current`). The view gets ``ctx`` and ``s`` first, and with
    ``with_year`` the year asked for (``?jaar=``, checked) as ``year``."""
    def wrap(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def route(*args: Any, **kwargs: Any) -> Response:
            found = _current(page, Access.EDIT if request.method == "POST" else Access.READ)
            if isinstance(found, Response):
                return found
            if with_year:
                year = _year()
                if isinstance(year, Response):
                    return year
                kwargs["year"] = year
            return view(*found, *args, **kwargs)
        return route
    return wrap


def _who(ctx: actions.Ctx, s: rules.Session) -> str:
    if s.role is Role.COMMITTEE:
        return texts.t("werkplek.role.selectiecommissie", ctx.lang)
    return actions.names(ctx).get(s.subject, s.subject)


def _page(template: str, status: int = 200, **context: Any) -> Response:
    lang = context.setdefault("lang", _lang())
    other = "en" if lang == "nl" else "nl"
    s: rules.Session | None = context.get("session_")
    ctx: actions.Ctx | None = context.get("ctx")
    nav = []
    if s is not None:
        nav = [(page, url_for(f".{page}", lang=lang)) for page in NAV
               if rules.access(s.role, page) is not Access.NONE]
    html = render_template(template, t=lambda code, **kw: texts.t(code, lang, **kw), other_lang=other,
                           other_url=url_for(request.endpoint or ".overzicht", **(request.view_args or {}),
                                             lang=other) if request.method == "GET" else url_for(".overzicht",
                                                                                                  lang=other),
                           council_name=ctx.council.name if ctx else "Overleg", nav=nav, current=request.endpoint,
                           who=_who(ctx, s) if ctx and s else None,
                           role_label=texts.t(f"werkplek.role.{s.role.value}", lang) if s else None,
                           csrf_token=generate_csrf, day=lambda value: _day(value, lang), **context)
    return Response(html, status=status, mimetype="text/html")


def _day(value: Any, lang: str) -> str:
    """A date from another service's answer (ISO text) as members read it; '-' when there is none."""
    if not value:
        return "-"
    try:
        return i18n.fmt_date(value if isinstance(value, date) else date.fromisoformat(str(value)[:10]), lang)
    except ValueError:
        return "-"


def _message(exc: DomainError, status: int, **context: Any) -> Response:
    lang = _lang()
    return _page("werkplek_bericht.html", status, title=texts.t("werkplek.title", lang),
                 message=exc.user_message(lang), **context)


# --------------------------------------------------------------------------- signing in and out


@WEB.get("/werkplek/in/<token>")
def sign_in(token: str) -> Response:
    try:
        s = actions.sign_in_with_link(runtime(), _settings(), token, now())
    except DomainError as exc:
        return _message(exc, exc.status)
    _store_session(s, new=True)
    return redirect(url_for(".overzicht", lang=_lang()), code=303)


@WEB.get("/werkplek/commissie/<token>")
def sign_in_committee(token: str) -> Response:
    try:
        s = actions.sign_in_as_committee(runtime(), _settings(), token, now())
    except DomainError as exc:
        return _message(exc, exc.status)
    _store_session(s, new=True)
    return redirect(url_for(".overzicht", lang=_lang()), code=303)


@WEB.get("/werkplek/widget")
def widget() -> Response:
    """The page Element opens as a room widget; its script asks Element for an OpenID token."""
    council = request.args.get("raad") or (_settings().councils[0].slug if _settings().councils else "")
    return _page("werkplek_widget.html", lang=_lang(), council=council, title=texts.t("werkplek.title", _lang()))


@WEB.post("/werkplek/openid")
def sign_in_openid() -> Response:
    if not PlainForm().validate_on_submit():
        return _message(DomainError("werkplek.form.expired", "csrf"), 400)
    token = (request.form.get("access_token") or "").strip()
    council = (request.form.get("raad") or "").strip()
    if not token or len(token) > 500 or not council:
        return _message(DomainError("werkplek.openid.refused", "no token"), 400)
    try:
        s = actions.sign_in_with_openid(_settings(), council, token, now())
    except DomainError as exc:
        return _message(exc, exc.status if exc.status != 400 else 403)
    _store_session(s, new=True)
    return redirect(url_for(".overzicht", lang=_lang()), code=303)


@WEB.post("/werkplek/uit")
def sign_out() -> Response:
    PlainForm().validate_on_submit()  # signing out is never refused, with or without a token
    session.clear()
    lang = _lang()
    return _page("werkplek_inloggen.html", lang=lang, title=texts.t("werkplek.sign_in.title", lang),
                 message=texts.t("werkplek.signed_out", lang))


# --------------------------------------------------------------------------- pages


@WEB.get("/werkplek")
def overzicht() -> Response:
    signed_in = _load_session()
    if signed_in is not None and signed_in.role is Role.COMMITTEE:  # the committee's start is its own page
        return redirect(url_for(".aanmeldingen", lang=_lang()), code=303)
    found = _current("overzicht")
    if isinstance(found, Response):
        return found
    ctx, s = found
    return _page("werkplek_overzicht.html", ctx=ctx, session_=s, view=actions.overview(ctx),
                 title=texts.t("werkplek.overview.title", ctx.lang))


@WEB.get("/werkplek/aanmeldingen")
@signed_in("aanmeldingen")
def aanmeldingen(ctx: actions.Ctx, s: rules.Session) -> Response:
    """The applications, for the selection committee and the secretary (newest first), each with the
    committee's advice; the committee gives advice, the secretary decides."""
    done, nr = request.args.get("gedaan"), request.args.get("nr") or ""
    return _aanmeldingen_page(ctx, s, errors=[], done=done if done in ("advies", "besluit") else None,
                              done_nr=int(nr) if nr.isdigit() and len(nr) < 10 else None)


def _aanmeldingen_page(ctx: actions.Ctx, s: rules.Session, *, errors: list[str], done: str | None = None,
                       done_nr: int | None = None, sent_nr: int | None = None) -> Response:
    applications = actions.applications(ctx)
    advice = actions.selection_advice(runtime(), ctx)
    done_app = next((a for a in applications or () if a.get("id") == done_nr), None) if done else None
    return _page("werkplek_aanmeldingen.html", 400 if errors else 200, ctx=ctx, session_=s, applications=applications,
                 advice=advice, errors=errors, may_advise=selection.may_advise(s.role),
                 may_decide=selection.may_decide(s.role), advice_choices=selection.ADVICE,
                 decisions=selection.DECISIONS, open_statuses=OPEN_APPLICATION, form_key=secrets.token_urlsafe(16),
                 done=done if done_app else None, done_app=done_app, sent_nr=sent_nr, sent_form=request.form,
                 local_day=lambda moment: moment.astimezone(ctx.now.tzinfo).date(),
                 title=texts.t("werkplek.nav.aanmeldingen", ctx.lang))


OPEN_APPLICATION = ("ontvangen", "gesprek")  # deliberation's statuses a decision can still follow


@WEB.post("/werkplek/aanmeldingen/<int:nr>/<what>")
@signed_in("aanmeldingen")
def aanmelding(ctx: actions.Ctx, s: rules.Session, nr: int, what: str) -> Response:
    """``advies``: a committee member's advice; ``besluit``: the secretary's decision (to deliberation)."""
    if what not in ("advies", "besluit"):
        return _message(DomainError("werkplek.selectie.unknown", "unknown form", nr=nr), 404, ctx=ctx, session_=s)
    allowed = selection.may_advise(s.role) if what == "advies" else selection.may_decide(s.role)
    if not allowed:
        return _message(DomainError("werkplek.access.refused", f"{what} by {s.role.value}", page="aanmeldingen"),
                        403, ctx=ctx, session_=s)
    errors: list[str] = []
    try:
        if not PlainForm().validate_on_submit():
            raise DomainError("werkplek.form.expired", "csrf")
        if what == "advies":
            actions.give_selection_advice(runtime(), ctx, s, nr, request.form.get("advice", ""),
                                          request.form.get("note", ""))
        else:
            key = (request.form.get("sleutel") or "").strip()[:64] or None
            actions.decide_application(ctx, s.subject, nr, {k: request.form.get(k, "") for k in
                                                            ("status", "seat", "matrix_id", "note")}, key)
    except ServiceUnavailable as exc:
        return _message(exc, 503, ctx=ctx, session_=s)
    except DomainError as exc:  # the page's own checks and deliberation's refusals alike
        errors.append(exc.user_message(ctx.lang))
        return _aanmeldingen_page(ctx, s, errors=errors, sent_nr=nr)
    return redirect(url_for(".aanmeldingen", lang=ctx.lang, gedaan=what, nr=nr) + f"#application-{nr}", code=303)


def _year() -> int | Response:
    raw = request.args.get("jaar")
    if raw is None:
        return now().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        return _message(DomainError("werkplek.form.expired", "bad year"), 400)
    return int(raw)


@WEB.route("/werkplek/inzet", methods=["GET", "POST"])
@signed_in("inzet", with_year=True)
def inzet(ctx: actions.Ctx, s: rules.Session, year: int) -> Response:
    form = CostForm()
    errors: list[str] = []
    saved = False
    back = request.args.get("bevestigd") or ""  # back from confirming attendance: say so
    confirmed = int(back) if back.isdigit() and len(back) < 10 and request.method == "GET" else None
    if request.method == "POST":
        if not form.validate_on_submit():
            errors.append(texts.t("werkplek.form.expired", ctx.lang))
        else:
            try:
                day = date.fromisoformat((form.day.data or "").strip())
                actions.add_cost(runtime(), ctx, s.subject, (form.kind.data or "").strip(), form.amount.data or "",
                                 day, form.description.data or "", None, None)
                saved = True
            except ValueError:
                errors.append(texts.t("werkplek.inzet.day", ctx.lang) + ": jjjj-mm-dd")
            except DomainError as exc:
                errors.append(exc.user_message(ctx.lang))
    return _inzet_page(ctx, s, year, form=form, errors=errors, saved=saved, confirmed=confirmed)


def _inzet_page(ctx: actions.Ctx, s: rules.Session, year: int, *, form: CostForm, errors: list[str],
                saved: bool = False, confirmed: int | None = None) -> Response:
    records = actions.attendance_records(ctx, year)
    overview = actions.year_overview(runtime(), ctx, year, records or [])
    names = actions.names(ctx)
    can_edit = rules.access(s.role, "inzet") is Access.EDIT
    held = held_activities(records or ())
    return _page("werkplek_inzet.html", 400 if errors else 200, ctx=ctx, session_=s, year=year, overview=overview,
                 names=names, errors=errors, saved=saved, form=form, cost_kinds=[k.value for k in CostKind],
                 can_edit=can_edit, attendance_unreadable=records is None, chart=hours_chart(overview, names),
                 held=[a for a in held if a.day <= ctx.today] if can_edit else [], confirmed=confirmed,
                 hours=lambda v: _hours(v, ctx.lang), title=texts.t("werkplek.inzet.title", ctx.lang, year=year))


def _hours(value: Any, lang: str) -> str:
    text = f"{float(value):.2f}"
    return text.replace(".", ",") if lang == "nl" else text


@WEB.post("/werkplek/inzet/aanwezigheid")
@signed_in("inzet", with_year=True)
def confirm_attendance(ctx: actions.Ctx, s: rules.Session, year: int) -> Response:
    """The secretary confirms who was at a held activity (as ``!aanwezigheid`` does in the chat)."""
    errors: list[str] = []
    event_raw, day_raw = (request.form.get("event") or "").strip(), (request.form.get("day") or "").strip()
    present = [m.strip() for m in request.form.getlist("present") if m.strip()][:200]
    try:
        if not PlainForm().validate_on_submit():
            raise DomainError("werkplek.form.expired", "csrf")
        if not event_raw.isdigit() or len(event_raw) > 9:
            raise DomainError("werkplek.attendance.unknown", "event number expected")
        try:
            day = date.fromisoformat(day_raw)
        except ValueError as exc:
            raise DomainError("werkplek.attendance.unknown", "day expected") from exc
        actions.confirm_attendance(ctx, s.subject, int(event_raw), day, present)
    except ServiceUnavailable as exc:
        return _message(exc, 503, ctx=ctx, session_=s)
    except DomainError as exc:  # the page's checks, and the calendar's refusals in the page's language
        errors.append(exc.user_message(ctx.lang))
        return _inzet_page(ctx, s, year, form=CostForm(), errors=errors)
    return redirect(url_for(".inzet", lang=ctx.lang, jaar=year, bevestigd=event_raw)
                    + f"#event-{int(event_raw)}-{day.isoformat()}", code=303)


@WEB.get("/werkplek/inzet.csv")
@signed_in("inzet", with_year=True)
def inzet_csv(ctx: actions.Ctx, _: rules.Session, year: int) -> Response:
    labels = {k: texts.t(f"werkplek.col.{k}", ctx.lang) for k in
              ("member", "activities", "activity_hours", "declared_hours", "hours", "allowance", "costs", "total")}
    body = to_csv(actions.year_overview(runtime(), ctx, year), actions.names(ctx), labels)
    resp = Response("\ufeff" + body, mimetype="text/csv")  # the BOM makes spreadsheets read UTF-8
    resp.headers["Content-Disposition"] = f'attachment; filename="inzet-{ctx.slug}-{year}.csv"'
    return resp


@WEB.route("/werkplek/doelen", methods=["GET", "POST"])
@signed_in("doelen", with_year=True)
def doelen(ctx: actions.Ctx, s: rules.Session, year: int) -> Response:
    goal_form, link_form = GoalForm(prefix="doel"), LinkTopicForm(prefix="koppel")
    errors: list[str] = []
    if request.method == "POST":
        try:
            if "doel-title" in request.form:
                if not goal_form.validate_on_submit():
                    raise DomainError("werkplek.form.expired", "csrf")
                actions.add_goal(runtime(), ctx, s.subject, year, goal_form.title.data or "")
            else:
                if not link_form.validate_on_submit():
                    raise DomainError("werkplek.form.expired", "csrf")
                goal_nr, topic_nr = (link_form.goal.data or "").strip(), (link_form.topic.data or "").strip("# ")
                if not goal_nr.isdigit() or not topic_nr.isdigit():
                    raise DomainError("werkplek.goal.unknown", "numbers expected", goal=goal_nr[:5])
                actions.link_goal_topic(runtime(), ctx, s.subject, int(goal_nr), int(topic_nr))
        except DomainError as exc:
            errors.append(exc.user_message(ctx.lang))
        else:
            return redirect(url_for(".doelen", lang=ctx.lang, jaar=year), code=303)
    return _page("werkplek_doelen.html", 400 if errors else 200, ctx=ctx, session_=s, year=year,
                 goals=actions.goals(runtime(), ctx, year), errors=errors, goal_form=goal_form, link_form=link_form,
                 can_edit=rules.access(s.role, "doelen") is Access.EDIT,
                 title=texts.t("werkplek.doelen.title", ctx.lang, year=year))


# --------------------------------------------------------------------------- resident consultations


@WEB.route("/werkplek/raadplegingen", methods=["GET", "POST"])
@signed_in("raadplegingen")
def raadplegingen(ctx: actions.Ctx, s: rules.Session) -> Response:
    """The council's consultations of residents (answers, closing day, the public page); the secretary opens one
    here as with ``!raadpleging`` in the chat."""
    form = ConsultationForm(prefix="r")
    errors: list[str] = []
    opened: dict[str, Any] | None = None
    if request.method == "POST":
        try:
            if not form.validate_on_submit():
                raise DomainError("werkplek.form.expired", "csrf")
            topic = (form.topic.data or "").strip().lstrip("#")
            if not topic.isdigit() or len(topic) > 9:
                raise DomainError("werkplek.raadpleging.topic_needed", "topic number expected")
            last_day = (form.last_day.data or "").strip()
            try:
                closes_on = date.fromisoformat(last_day) if last_day else None
            except ValueError as exc:
                raise DomainError("werkplek.raadpleging.day", "day expected") from exc
            options = [o.strip() for o in (form.options.data or "").splitlines() if o.strip()][:10]
            key = (form.key.data or "").strip()[:64] or secrets.token_hex(16)
            opened = actions.open_consultation(ctx, s.subject, int(topic), (form.question.data or "").strip(),
                                               options, closes_on, key)
        except ServiceUnavailable as exc:
            return _message(exc, 503, ctx=ctx, session_=s)
        except DomainError as exc:  # the page's checks, and the signals service's refusals in the page's language
            errors.append(exc.user_message(ctx.lang))
    return _page("werkplek_raadplegingen.html", 400 if errors else 200, ctx=ctx, session_=s,
                 consultations=actions.consultations(ctx), form=form, errors=errors, opened=opened,
                 form_key=secrets.token_hex(16), can_edit=rules.access(s.role, "raadplegingen") is Access.EDIT,
                 title=texts.t("werkplek.nav.raadplegingen", ctx.lang))


# --------------------------------------------------------------------------- advice trajectories


@WEB.get("/werkplek/adviezen")
@signed_in("adviezen")
def adviezen(ctx: actions.Ctx, s: rules.Session) -> Response:
    return _page("werkplek_adviezen.html", ctx=ctx, session_=s, trajectories=actions.trajectories(ctx),
                 title=texts.t("werkplek.nav.adviezen", ctx.lang))


@WEB.route("/werkplek/adviezen/<int:nr>", methods=["GET", "POST"])
@signed_in("adviezen")
def advies(ctx: actions.Ctx, s: rules.Session, nr: int) -> Response:
    errors: list[str] = []
    if request.method == "POST":
        step = (request.form.get("stap") or "").strip()
        try:
            if not PlainForm().validate_on_submit():
                raise DomainError("werkplek.form.expired", "csrf")
            key = (request.form.get("sleutel") or "").strip()[:64] or None
            actions.advice_step(ctx, s.subject, nr, step, {k: request.form.get(k, "") for k in
                                                           ("text", "day", "kind", "outcome")}, key)
        except ServiceUnavailable as exc:
            return _message(exc, 503, ctx=ctx, session_=s)
        except DomainError as exc:  # the page's own checks and deliberation's refusals alike
            errors.append(exc.user_message(ctx.lang))
        else:
            return redirect(url_for(".advies", nr=nr, lang=ctx.lang, gedaan=step), code=303)
    try:
        t = actions.trajectory(ctx, nr)
    except ServiceUnavailable as exc:
        return _message(exc, 503, ctx=ctx, session_=s)
    except DomainError as exc:
        return _message(exc, exc.status, ctx=ctx, session_=s)
    done = request.args.get("gedaan")
    can_edit = rules.access(s.role, "adviezen") is Access.EDIT
    return _page("werkplek_advies.html", 400 if errors else 200, ctx=ctx, session_=s, a=t, errors=errors,
                 steps=advice_steps.timeline(t, ctx.today), next_steps=advice_steps.next_steps(t) if can_edit else (),
                 done=done if done in advice_steps.STEPS else None, form_key=secrets.token_urlsafe(16),
                 reply_kinds=advice_steps.REPLY_KINDS, outcomes=advice_steps.OUTCOMES, sent_form=request.form,
                 title=texts.t("werkplek.advice.title", ctx.lang, nr=t["id"], title=t["title"]))


# --------------------------------------------------------------------------- the decision list


@WEB.get("/werkplek/besluiten")
@signed_in("besluiten")
def besluiten(ctx: actions.Ctx, s: rules.Session) -> Response:
    q, newest = _search()
    return _page("werkplek_besluiten.html", ctx=ctx, session_=s, q=q, newest=newest,
                 entries=actions.decisions(ctx, q or None, newest),
                 title=texts.t("werkplek.nav.besluiten", ctx.lang))


def _search() -> tuple[str, bool]:
    """The decision list's search words and order, as the page and its PDF read them."""
    return (request.args.get("zoek") or "").strip()[:100], request.args.get("volgorde") != "oudste"


# Unicode TrueType families for the PDF, the first found wins: (folder, regular, bold, italic) where Debian/Ubuntu,
# Fedora/RHEL (old and new layouts), Alpine and Arch install DejaVu Sans (Latin, Greek, Cyrillic, Arabic, Hebrew)
# and, with fewer scripts, Liberation Sans.
_PDF_FONTS = tuple(
    [(folder, "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")
     for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu-sans-fonts",
                    "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF")]
    + [(folder, "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "LiberationSans-Italic.ttf")
       for folder in ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation",
                      "/usr/share/fonts/liberation-sans-fonts", "/usr/share/fonts/liberation-sans",
                      "/usr/share/fonts/liberation", "/usr/share/fonts/TTF")])


@functools.cache  # once per process: fonts are installed with the system, not while it runs
def _pdf_font() -> pdf_export.Font | None:
    """A Unicode font on this machine to embed in the decision list's PDF, or None for the Latin-1 core font."""
    for folder, regular, bold, italic in _PDF_FONTS:
        base = Path(folder)
        if (base / regular).is_file() and (base / bold).is_file():
            return pdf_export.Font(str(base / regular), str(base / bold),
                                   str(base / italic) if (base / italic).is_file() else None)
    log.warning("no DejaVu or Liberation Sans font found: the decision list PDF writes Latin-1 only")
    return None


def _pdf_body(fpdf_class: type, font: pdf_export.Font | None, **content: Any) -> bytes:
    """The decision list as PDF in ``font``, or in the core font when fpdf2 cannot use that font's files."""
    try:
        return pdf_export.besluitenlijst(fpdf_class, font=font, **content)
    except Exception:  # a damaged or vanished font file (many error types) must not cost the member the file
        if font is None:
            raise
        log.exception("besluitenlijst PDF with %s failed; written in the Latin-1 core font instead", font.regular)
        return pdf_export.besluitenlijst(fpdf_class, font=None, **content)


def _besluiten_pdf(ctx: actions.Ctx, s: rules.Session) -> Response:
    q, newest = _search()
    entries = actions.decisions(ctx, q or None, newest)
    if entries is None:  # better no file than a file that looks complete and is not
        return _message(ServiceUnavailable("deliberation", "register not read"), 503, ctx=ctx, session_=s)
    try:
        scenarios = actions.scenario_outcomes(ctx, newest)
    except (ServiceUnavailable, ServiceError) as exc:
        return _message(exc, 503, ctx=ctx, session_=s)
    from fpdf import FPDF  # ~0.4 s to import (Pillow, fontTools): only when someone asks for a PDF

    body = _pdf_body(FPDF, _pdf_font(), council_name=ctx.council.name, lang=ctx.lang, exported_at=ctx.now,
                     entries=entries, scenarios=scenarios, q=q or None, newest_first=newest)
    resp = Response(body, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = (f'attachment; filename="besluitenlijst-{ctx.slug}-'
                                           f'{ctx.today.isoformat()}.pdf"')
    return resp


@WEB.get("/werkplek/besluiten.<fmt>")
@signed_in("besluiten")
def besluiten_export(ctx: actions.Ctx, s: rules.Session, fmt: str) -> Response:
    """The besluitenlijst as a file to keep or send on: deliberation writes the Markdown/HTML (members' text
    escaped); the PDF is drawn here from the register, with the page's search and order."""
    if fmt == "pdf":
        return _besluiten_pdf(ctx, s)
    if fmt not in ("md", "html"):
        return _message(DomainError("werkplek.export.unknown", f"format {fmt[:10]}"), 404, ctx=ctx, session_=s)
    try:
        body = actions.decisions_document(ctx, "markdown" if fmt == "md" else "html")
    except (ServiceUnavailable, ServiceError) as exc:
        return _message(exc, 503, ctx=ctx, session_=s)
    resp = Response(body, mimetype="text/markdown" if fmt == "md" else "text/html")
    # A download, not a page of the werkplek: the document is deliberation's, with its own markup.
    resp.headers["Content-Disposition"] = f'attachment; filename="besluitenlijst-{ctx.slug}.{fmt}"'
    return resp


# --------------------------------------------------------------------------- roster and afspiegeling


@WEB.get("/werkplek/samenstelling")
@signed_in("samenstelling")
def samenstelling(ctx: actions.Ctx, s: rules.Session) -> Response:
    return _page("werkplek_samenstelling.html", ctx=ctx, session_=s, view=actions.composition(ctx),
                 pct=make_up.percent, gap_points=make_up.GAP_POINTS,
                 title=texts.t("werkplek.nav.samenstelling", ctx.lang))


# --------------------------------------------------------------------------- the agenda with scores


def _num(value: Any, lang: str, signed: bool = False) -> str:
    """A score (1-5, a median or an average) with one decimal, Dutch comma; '-' when there is none."""
    if value is None:
        return "-"
    text = f"{float(value):+.1f}" if signed else f"{float(value):.1f}"
    return text.replace(".", ",") if lang == "nl" else text


@WEB.get("/werkplek/agenda")
@signed_in("agenda", with_year=True)
def agenda(ctx: actions.Ctx, s: rules.Session, year: int) -> Response:
    return _page("werkplek_agenda.html", ctx=ctx, session_=s, view=actions.agenda(ctx, year), year=year,
                 this_year=ctx.today.year, num=lambda v, signed=False: _num(v, ctx.lang, signed),
                 title=texts.t("werkplek.nav.agenda", ctx.lang))
