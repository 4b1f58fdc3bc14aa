"""JSON API of the signals service, under /api/v1/councils/<slug>/….

Who calls what: ``partner`` (and ``admin``) systems send residents' signals; ``bot`` sends the
signals members heard (``!signaal``), corrects themes (``!thema``), counts 👍 on cards, puts a
cluster on the agenda (``!agenderen``) and asks for the chart (``!signalen``). Stats are readable
by the bot, the operator, partners and deliberation.

Every refusal is a JSON 4xx (a ``DomainError``); the resident's own pages are in :mod:`.web`.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import Response, current_app, g, request

from services.signals import actions, store, texts
from services.signals.domain import consultation as cons
from services.signals.config import SignalsConfig
from services.signals.ratelimit import RateLimiter
from services.signals.schemas import (
    AgendaIn,
    ChangeOut,
    ChartIn,
    ChartQuery,
    ChartQueued,
    ClusterDetail,
    ClusterOut,
    ClusterQuery,
    ConsultationIn,
    ConsultationOut,
    ConsultationQuery,
    OptionCountOut,
    CorrectionOut,
    ForwardIn,
    ForwardOut,
    PatternAgendaOut,
    PatternGroupOut,
    PatternOut,
    Count,
    HeardIn,
    MergeIn,
    MonthOut,
    QueuedReceiptOut,
    ReceiptOut,
    SignalIn,
    SignalOut,
    SignupMeetingQuery,
    SignupOpenIn,
    SignupOut,
    SplitIn,
    StatsOut,
    StatsQuery,
    TaxonomyTheme,
    ThemeIn,
    ThemeOut,
)
from shared.api import Api
from shared.councils_api import add_council_routes
from shared.errors import DomainError
from shared.membership import require_member
from shared.service import now, runtime
from shared.settings import Settings

API = Api("signals", "Overleg signals")
add_council_routes(API)

INTAKE = ("partner", "admin", "bot")
CHAT = ("bot", "admin")
READ = ("bot", "admin", "partner", "deliberation")


class TooManyRequests(DomainError):
    status = 429


def _cfg() -> SignalsConfig:
    return current_app.extensions["signals_config"]


def _settings() -> Settings:
    return current_app.config["OVERLEG_SETTINGS"]


def _now() -> datetime:
    return now()


def _acting_member(slug: str, member: str | None) -> None:
    """The roster check every service shares (``shared.membership``): a 👍 or a theme correction counts
    only from a serving member (or a secretary named in the settings). Without a member named, only an
    admin tool acts; the bot always says for whom."""
    if member is None and getattr(g, "caller", None) != "bot":
        return
    require_member(_settings(), actions.council_config(_settings(), slug), member, caller="signals")


def _lang(slug: str) -> str:
    council = actions.council_config(_settings(), slug)
    return (request.accept_languages.best_match(["nl", "en"]) if request.headers.get("Accept-Language")
            else None) or council.language


def _label(slug: str, theme: str, lang: str) -> str:
    return actions.theme_label(_cfg().council(slug).taxonomy, theme, lang)


def signal_out(slug: str, sig: store.Signal, lang: str, cluster_number: int) -> SignalOut:
    return SignalOut(id=sig.id, cluster_id=cluster_number, channel=sig.channel, text=sig.text,
                     personal_data_removed=list(sig.scrubbed_kinds), wijk=sig.wijk, wijk_source=sig.wijk_source,
                     theme=sig.theme, theme_source=sig.theme_source,
                     themes=[ThemeOut(id=t.id, label=_label(slug, t.id, lang), confidence=t.confidence,
                                      matched=list(t.matched)) for t in sig.themes],
                     status=sig.status, status_text=sig.status_note, received_at=sig.ts,
                     erased=sig.erased_at is not None)


def cluster_out(slug: str, cl: store.Cluster, lang: str) -> ClusterOut:
    return ClusterOut(id=cl.number, card_key=cl.card_key, room=cl.room, theme=cl.theme,
                      theme_label=_label(slug, cl.theme, lang), theme_corrected=cl.theme_corrected, wijk=cl.wijk,
                      signal_count=cl.signal_count, heard_count=cl.heard_count, first_at=cl.first_ts,
                      last_at=cl.last_ts, topic_id=cl.topic_id, topic_status=cl.topic_status,
                      agendered_at=cl.agendered_at, outcome_text=cl.outcome_text, outcome_date=cl.outcome_date,
                      closed_at=cl.closed_at, merged_into=cl.merged_into, split_from=cl.split_from,
                      forwarded_to=cl.forwarded_name, forwarded_at=cl.forwarded_at)


def _limit_partner() -> None:
    """Partner systems get a generous budget per token; the bot and the operator none."""
    caller = getattr(g, "caller", "")
    if caller != "partner":
        return
    cfg = _cfg()
    limiter: RateLimiter = current_app.extensions["signals_ratelimiter"]
    verdict = limiter.check("api", caller, cfg.api_limit)
    if not verdict.allowed:
        raise TooManyRequests("signals.api.rate_limited", "partner rate limit",
                              minutes=max(1, -(-verdict.retry_after // 60)))


# --------------------------------------------------------------------------- intake
def _submission(slug: str, body: SignalIn) -> actions.Submission:
    caller = getattr(g, "caller", "admin")
    key = request.headers.get("Idempotency-Key")
    contact = None
    if body.contact is not None:
        contact = actions.ContactIn(body.contact.name, body.contact.email, body.contact.phone, body.contact.consent,
                                    body.contact.language)
    return actions.Submission(council=slug, text=body.text, channel="matrix" if caller == "bot" else "api",
                              wijk=body.wijk, contact=contact,
                              intake_key=f"{caller}:{key}"[:255] if key else None, received_at=body.received_at)


@API.route("/councils/<slug>/signals", "POST", summary="Send a resident's signal (partner system, or !signaal)",
           body=SignalIn, response=ReceiptOut, status=201, callers=INTAKE, errors=(409, 422, 429),
           secret_fields=("reference", "status_url"))  # stored hashed; a repeat finds the signal by its key
def create_signal(slug: str, body: SignalIn) -> ReceiptOut:
    actions.council_config(_settings(), slug)
    _limit_partner()
    receipt = actions.submit(runtime(), _cfg(), _settings(), _submission(slug, body), _now())
    lang = _lang(slug)
    return ReceiptOut(reference=receipt.reference,
                      status_url=f"{_settings().public_base_url.rstrip('/')}/signaal/{receipt.reference}",
                      duplicate=not receipt.created, new_cluster=receipt.new_cluster,
                      cluster_size=receipt.cluster.signal_count,
                      signal=signal_out(slug, receipt.signal, lang, receipt.cluster.number))


@API.route("/councils/<slug>/signals/queued", "POST",
           summary="Send a resident's signal, grouped afterwards (a partner's bulk intake: answered at once)",
           body=SignalIn, response=QueuedReceiptOut, status=202, callers=INTAKE, errors=(422, 429),
           secret_fields=("reference", "status_url"))
def queue_signal(slug: str, body: SignalIn) -> QueuedReceiptOut:
    actions.council_config(_settings(), slug)
    _limit_partner()
    receipt = actions.submit_queued(runtime(), _cfg(), _settings(), _submission(slug, body), _now())
    return QueuedReceiptOut(reference=receipt.reference, status_url=actions.status_url(_settings(), receipt.reference),
                            duplicate=not receipt.created, state="queued")


@API.route("/councils/<slug>/signals/<int:signal_id>", summary="One stored signal (scrubbed; no contact details)",
           response=SignalOut, callers=CHAT)
def get_signal(slug: str, signal_id: int) -> SignalOut:
    actions.council_config(_settings(), slug)
    with runtime().db.read() as s:
        sig = store.signal(s, slug, signal_id)
        return signal_out(slug, sig, _lang(slug), store.cluster_numbers(s, [sig.cluster_id])[sig.cluster_id])


@API.route("/councils/<slug>/themes", summary="The council's themes (for !thema)", response=list[TaxonomyTheme],
           callers=READ)
def list_themes(slug: str) -> list[TaxonomyTheme]:
    actions.council_config(_settings(), slug)
    lang = _lang(slug)
    return [TaxonomyTheme(id=t.id, label=t.label(lang), keywords=list(t.keywords))
            for t in _cfg().council(slug).taxonomy.themes]


# --------------------------------------------------------------------------- clusters
@API.route("/councils/<slug>/clusters", summary="Clusters, most recently active first", query=ClusterQuery,
           response=list[ClusterOut], callers=CHAT)
def list_clusters(slug: str, query: ClusterQuery) -> list[ClusterOut]:
    actions.council_config(_settings(), slug)
    lang = _lang(slug)
    with runtime().db.read() as s:
        return [cluster_out(slug, c, lang) for c in store.clusters(s, slug, limit=query.limit, offset=query.offset)]


@API.route("/councils/<slug>/clusters/<int:cluster_id>", summary="A cluster with its (scrubbed) signals",
           response=ClusterDetail, callers=CHAT)
def get_cluster(slug: str, cluster_id: int) -> ClusterDetail:
    actions.council_config(_settings(), slug)
    lang = _lang(slug)
    with runtime().db.read() as s:
        cl = store.cluster(s, slug, store.cluster_id_by_number(s, slug, cluster_id))
        cluster_id = cl.id
        return ClusterDetail(
            **cluster_out(slug, cl, lang).model_dump(), wijken=list(cl.wijken),
            heard_by=store.heard_by(s, cluster_id),
            corrections=[CorrectionOut(from_theme=a, to_theme=b, member=m, at=t)
                         for a, b, m, t in store.corrections(s, cluster_id)],
            signals=[signal_out(slug, x, lang, cl.number) for x in store.cluster_signals(s, cluster_id)])


@API.route("/councils/<slug>/clusters/<int:cluster_id>/theme", "POST", summary="Correct a cluster's theme (!thema)",
           body=ThemeIn, response=ChangeOut, callers=CHAT, errors=(503,))
def correct_theme(slug: str, cluster_id: int, body: ThemeIn) -> ChangeOut:
    _acting_member(slug, body.actor)
    key = request.headers.get("Idempotency-Key")
    cluster, changed = actions.correct_theme(runtime(), _cfg(), _settings(), slug, cluster_id, body.theme, body.actor,
                                             f"{g.caller}:{key}"[:255] if key else None, _now())
    return ChangeOut(changed=changed, cluster=cluster_out(slug, cluster, _lang(slug)))


@API.route("/councils/<slug>/clusters/<int:cluster_id>/heard", "POST",
           summary="A member's 👍 on the card: we heard this too (once per member)", body=HeardIn,
           response=ChangeOut, callers=CHAT, errors=(503,))
def heard(slug: str, cluster_id: int, body: HeardIn) -> ChangeOut:
    _acting_member(slug, body.member)
    cluster, added = actions.heard(runtime(), _cfg(), _settings(), slug, cluster_id, body.member, _now())
    return ChangeOut(changed=added, cluster=cluster_out(slug, cluster, _lang(slug)))


@API.route("/councils/<slug>/clusters/<int:cluster_id>/merge", "POST",
           summary="Merge another group into this one (!samenvoegen): signals, residents and 👍 move; the grouping "
                   "follows from then on", body=MergeIn, response=ChangeOut, callers=CHAT, errors=(404, 422, 503))
def merge(slug: str, cluster_id: int, body: MergeIn) -> ChangeOut:
    _acting_member(slug, body.actor)
    key = request.headers.get("Idempotency-Key")
    cluster, changed = actions.merge_groups(runtime(), _cfg(), _settings(), slug, cluster_id, body.group, body.actor,
                                            f"{g.caller}:{key}"[:255] if key else None, _now())
    return ChangeOut(changed=changed, cluster=cluster_out(slug, cluster, _lang(slug)))


@API.route("/councils/<slug>/clusters/<int:cluster_id>/split", "POST",
           summary="Split a signal off into a group of its own (!afsplitsen); answers the new group",
           body=SplitIn, response=ChangeOut, callers=CHAT, errors=(404, 422, 503))
def split(slug: str, cluster_id: int, body: SplitIn) -> ChangeOut:
    _acting_member(slug, body.actor)
    key = request.headers.get("Idempotency-Key")
    cluster, changed = actions.split_off(runtime(), _cfg(), _settings(), slug, cluster_id, body.signal_id, body.actor,
                                         f"{g.caller}:{key}"[:255] if key else None, _now())
    return ChangeOut(changed=changed, cluster=cluster_out(slug, cluster, _lang(slug)))


@API.route("/councils/<slug>/clusters/<int:cluster_id>/agenda", "POST",
           summary="Put the cluster on the council's agenda (!agenderen): a topic in deliberation",
           body=AgendaIn, response=ChangeOut, callers=CHAT, errors=(422, 503))
def put_on_agenda(slug: str, cluster_id: int, body: AgendaIn) -> ChangeOut:
    cluster, created = actions.put_on_agenda(runtime(), _cfg(), _settings(), slug, cluster_id, body.actor,
                                             request.headers.get("Idempotency-Key"), _now())
    return ChangeOut(changed=created, cluster=cluster_out(slug, cluster, _lang(slug)))


# --------------------------------------------------------------------------- overview
@API.route("/councils/<slug>/stats", summary="Signals per theme, neighbourhood and month", query=StatsQuery,
           response=StatsOut, callers=READ)
def get_stats(slug: str, query: StatsQuery) -> StatsOut:
    council = actions.council_config(_settings(), slug)
    lang = _lang(slug)
    now = _now()
    data = actions.stats(runtime(), _settings(), slug, query.months, now)
    themes = sorted(data["themes"].items(), key=lambda kv: (-kv[1], kv[0]))
    wijken = sorted(data["wijken"].items(), key=lambda kv: (-kv[1], kv[0]))
    unknown = texts.t("signals.card.no_wijk", lang)
    return StatsOut(
        council=council.slug, since=actions.since_month(now, query.months, council.timezone),
        total=sum(data["themes"].values()),
        themes=[Count(key=k, label=_label(slug, k, lang), count=v) for k, v in themes],
        neighbourhoods=[Count(key=k, label=k or unknown, count=v) for k, v in wijken],
        months=[MonthOut(month=m, total=sum(cells.values()), themes=cells) for m, cells in data["months"].items()])


@API.route("/councils/<slug>/stats/chart.png", summary="Chart: signals per theme and month (PNG)", query=ChartQuery,
           callers=READ, content_type="image/png")
def get_chart(slug: str, query: ChartQuery) -> Response:
    lang = query.lang or _lang(slug)
    png = actions.chart_png(runtime(), _cfg(), _settings(), slug, query.months, lang, _now())
    resp = Response(png, mimetype="image/png")
    resp.headers["Cache-Control"] = "no-store"
    return resp


@API.route("/councils/<slug>/stats/chart", "POST",
           summary="Post the chart as an image into a thread (!signalen), through the outbox", body=ChartIn,
           response=ChartQueued, status=202, callers=CHAT, errors=(422,))
def post_chart(slug: str, body: ChartIn) -> ChartQueued:
    lang = body.lang or _lang(slug)
    key = actions.post_chart(runtime(), _cfg(), _settings(), slug, room_id=body.room_id,
                             thread_event_id=body.thread_event_id, reply_to_event_id=body.reply_to_event_id,
                             months=body.months, lang=lang, now=_now())
    return ChartQueued(key=key)


# --------------------------------------------------------------------------- resident consultations
def consultation_out(info: store.ConsultationInfo, *, created: bool = False) -> ConsultationOut:
    summary = actions.consultation_summary(runtime(), _cfg(), info)
    c = actions.consultation_domain(info)
    return ConsultationOut(code=info.code, url=actions.consultation_url(_settings(), info.code),
                           topic_id=info.topic_id, topic_title=info.topic_title, question=info.question,
                           options=list(info.options), opens=info.opens, closes=info.closes, last_day=c.last_day,
                           state=info.state, answers=summary.total,
                           per_option=[OptionCountOut(option=o.option, count=o.count) for o in summary.options],
                           thread_key=info.thread_key, created=created,
                           background=cons.background_text(summary, _council_lang(info.council),
                                                           taxonomy=_cfg().council(info.council).taxonomy)
                           if info.state == "closed" else None)


def _council_lang(slug: str) -> str:
    return actions.council_config(_settings(), slug).language


@API.route("/councils/<slug>/consultations", "POST",
           summary="Open a resident consultation on a topic (!raadpleging): a public page /raadpleging/<code>, "
                   "announced in the topic's round thread", body=ConsultationIn, response=ConsultationOut,
           status=201, callers=(*CHAT, "werkplek"), errors=(404, 422, 503))
def open_consultation(slug: str, body: ConsultationIn) -> ConsultationOut:
    key = request.headers.get("Idempotency-Key")
    opened = actions.open_consultation(
        runtime(), _cfg(), _settings(), slug, command=body.command, topic_id=body.topic_id, question=body.question,
        options=list(body.options), closes_on=body.closes_on, actor=body.actor,
        action_key=f"{g.caller}:{key}"[:255] if key else None, now=_now())
    return consultation_out(opened.info, created=opened.created)


@API.route("/councils/<slug>/consultations", summary="The council's consultations, newest first (of one topic: "
           "deliberation reads a closed one's background here)", query=ConsultationQuery,
           response=list[ConsultationOut], callers=(*READ, "werkplek"))
def list_consultations(slug: str, query: ConsultationQuery) -> list[ConsultationOut]:
    actions.council_config(_settings(), slug)
    with runtime().db.read() as s:
        found = store.consultations(s, slug)
    return [consultation_out(c) for c in found if query.topic_id is None or c.topic_id == query.topic_id]


@API.route("/councils/<slug>/consultations/<code>", summary="A consultation and its count so far",
           response=ConsultationOut, callers=READ, errors=(404,))
def get_consultation(slug: str, code: str) -> ConsultationOut:
    actions.council_config(_settings(), slug)
    return consultation_out(actions.consultation_info(runtime(), code, slug))


@API.route("/councils/<slug>/consultations/<code>/close", "POST",
           summary="Close a consultation now; the summary goes into the topic's thread", body=AgendaIn,
           response=ConsultationOut, callers=CHAT, errors=(404,))
def close_consultation(slug: str, code: str, body: AgendaIn) -> ConsultationOut:
    actions.council_config(_settings(), slug)
    return consultation_out(actions.close_consultation(runtime(), _cfg(), _settings(), code, _now(), council=slug))


# --------------------------------------------------------------------------- bewonerscommissies and patterns
@API.route("/councils/<slug>/clusters/open", summary="The council's open list: groups not closed, merged, handed to "
           "a bewonerscommissie or on the agenda, most recently active first", query=ClusterQuery,
           response=list[ClusterOut], callers=(*CHAT, "werkplek"))
def list_open_clusters(slug: str, query: ClusterQuery) -> list[ClusterOut]:
    lang = _lang(slug)
    return [cluster_out(slug, c, lang) for c in actions.open_list(runtime(), _settings(), slug, limit=query.limit)]


@API.route("/councils/<slug>/clusters/<int:cluster_id>/forward", "POST",
           summary="Hand the group to a bewonerscommissie (!doorsturen): scrubbed signals to its room and/or e-mail, "
                   "never contact details; it leaves the council's open list", body=ForwardIn, response=ForwardOut,
           callers=CHAT, errors=(404, 409, 422))
def forward(slug: str, cluster_id: int, body: ForwardIn) -> ForwardOut:
    _acting_member(slug, body.actor)
    cluster, target, changed = actions.forward_group(runtime(), _cfg(), _settings(), slug, cluster_id, body.commissie,
                                                     body.actor, _now())
    return ForwardOut(changed=changed, commissie=target.name, by_room=bool(target.room_id),
                      by_email=bool(target.email), cluster=cluster_out(slug, cluster, _lang(slug)))


def pattern_out(slug: str, info: store.PatternInfo, lang: str) -> PatternOut:
    return PatternOut(id=info.id, card_key=info.card_key, theme=info.theme, theme_label=_label(slug, info.theme, lang),
                      wijken=list(info.wijken), topic_id=info.topic_id,
                      groups=[PatternGroupOut(number=g.get("number"), wijk=g.get("wijk"), count=int(g.get("count") or 0))
                              for g in info.data.get("groups", [])])


@API.route("/councils/<slug>/patterns", summary="Patterns across neighbourhoods: one theme in several wijken at once",
           response=list[PatternOut], callers=READ)
def list_patterns(slug: str) -> list[PatternOut]:
    lang = _lang(slug)
    return [pattern_out(slug, p, lang) for p in actions.list_patterns(runtime(), _settings(), slug)]


@API.route("/councils/<slug>/patterns/<pattern_id>/agenda", "POST",
           summary="Make a pattern a council topic (!agenderen in the pattern card's thread)", body=AgendaIn,
           response=PatternAgendaOut, callers=CHAT, errors=(404, 422, 503))
def put_pattern_on_agenda(slug: str, pattern_id: str, body: AgendaIn) -> PatternAgendaOut:
    info, created = actions.put_pattern_on_agenda(runtime(), _cfg(), _settings(), slug, pattern_id, body.actor,
                                                  request.headers.get("Idempotency-Key"), _now())
    return PatternAgendaOut(changed=created, pattern=pattern_out(slug, info, _lang(slug)))


# --------------------------------------------------------------------------- bewonersavond sign-up
def signup_out(view: actions.SignupView, lang: str) -> SignupOut:
    ev, c = view.event, view.counts
    return SignupOut(code=ev.code, url=view.url, event_number=ev.event_number, title=ev.title, starts=ev.starts,
                     capacity=c.capacity, confirmed=c.confirmed, waiting=c.waiting, places_left=c.places_left,
                     places_text=actions.places_text(c, lang), created=view.created,
                     meeting=date.fromisoformat(ev.meeting) if ev.meeting else None)


@API.route("/councils/<slug>/signups", "POST",
           summary="Open a bewonersavond or bewonersconsultatie for residents to sign up (!bewonersavond): places, a "
                   "waiting list, a public page /bewonersavond/<code>; again: the facts and places brought up to date",
           body=SignupOpenIn, response=SignupOut, callers=CHAT, errors=(409, 422))
def open_signup(slug: str, body: SignupOpenIn) -> SignupOut:
    view = actions.open_signup(runtime(), _settings(), slug, event=body.event.model_dump(), capacity=body.capacity,
                               actor=body.actor, now=_now())
    return signup_out(view, _lang(slug))


@API.route("/councils/<slug>/signups/<int:event_number>",
           summary="An event's sign-up numbers: places, signed up, waiting list (never who); the calendar's feed may "
                   "show the places left; a series: ?meeting=<day>, else its next meeting open for sign-up",
           query=SignupMeetingQuery, response=SignupOut, callers=(*READ, "calendar"), errors=(404,))
def get_signup(slug: str, event_number: int, query: SignupMeetingQuery) -> SignupOut:
    return signup_out(actions.signup_of_event(runtime(), _settings(), slug, event_number, _now(), query.meeting),
                      _lang(slug))
