"""One typed settings object for the whole deployment.

Read from one YAML config file (``OVERLEG_CONFIG``, default ``var/overleg.yaml`` when present)
and from the environment (``OVERLEG_*``, nested with ``__``; ``DATABASE_URL`` too), the
environment winning. It is built once in each process's entry point and passed down explicitly:
nothing reads the environment at import time.
"""
from __future__ import annotations

import difflib
import hashlib
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

SERVICES = ("deliberation", "calendar", "signals", "werkplek")
ServiceName = Literal["deliberation", "calendar", "signals", "werkplek", "bot"]
EX_CONFIG = 78  # sysexits.h: configuration error


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` has one plain line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class _Section(BaseModel):
    # A misspelt key is an error, not a silent default (``databse_url`` once meant SQLite files).
    model_config = ConfigDict(extra="forbid")


class CouncilRooms(_Section):
    """The Matrix rooms of one council. ``main`` is where members deliberate."""

    main: str
    signals: str | None = None  # defaults to main
    # Optional room per signal theme ("a room per theme, where configured").
    themes: dict[str, str] = Field(default_factory=dict)

    def signals_room(self, theme: str | None = None) -> str:
        if theme and theme in self.themes:
            return self.themes[theme]
        return self.signals or self.main

    def all(self) -> set[str]:
        return {self.main, *( [self.signals] if self.signals else []), *self.themes.values()}


class BewonerscommissieConfig(_Section):
    """A bewonerscommissie (signals): the residents' committee of a wijk or a complex, which takes up that
    neighbourhood's own matters. Reached in a Matrix room (the bot must be in it) and/or by e-mail."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")  # what members type: !doorsturen <groep-nr> <id>
    name: str = Field(min_length=1, max_length=200)
    wijk: str | None = None  # the commissie of a whole wijk
    complex: str | None = None  # or of one complex (with its streets and other names in ``places``)
    places: list[str] = Field(default_factory=list)
    # A room id: "!opaque:server", or "!opaque" alone (room version 12 and later have no server part).
    room_id: str | None = Field(default=None, pattern=r"^![^:\s]+(?::\S+)?$")
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    @model_validator(mode="after")
    def _reachable_somewhere(self) -> "BewonerscommissieConfig":
        if not (self.wijk or self.complex):
            raise ValueError(f"bewonerscommissie {self.id!r} needs a wijk or a complex")
        if not (self.room_id or self.email):
            raise ValueError(f"bewonerscommissie {self.id!r} needs a room_id or an email")
        return self


class CouncilConfig(_Section):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    name: str
    language: Literal["nl", "en"] = "nl"
    timezone: str = "Europe/Amsterdam"
    rooms: CouncilRooms
    secretaries: list[str] = Field(default_factory=list)
    max_seats: int = 13
    active_topic_cap: int = 5
    quorum: int = 3
    advice_weeks: int = 6
    # A round's deadline ends its chosen day at this local time ("HH:MM"), not N hours after opening.
    round_deadline_time: str = Field(default="23:59", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    reminder_offsets: list[str] = Field(default_factory=lambda: ["P7D", "P1D", "morning"])
    heidag_max_gap_days: int = 183
    # The hours an all-day activity (a heidag without times) counts per day in the year's attendance; an
    # activity with times counts its own length.
    all_day_hours: float = Field(default=6.0, gt=0, le=24)
    # The council's allowance rules (werkplek, "Inzet in geld en tijd"): euros per activity attended, by kind
    # (vergadering, heidag, training, raadpleging, bewonersavond), and/or a fixed amount per month served.
    allowance_per_activity: dict[Literal["vergadering", "heidag", "training", "raadpleging", "bewonersavond"],
                                 Decimal] = Field(default_factory=dict)
    allowance_per_month: Decimal = Field(default=Decimal(0), ge=0)
    # The corporation's residents the council should mirror (werkplek, "samenstelling"): per dimension
    # (customer_group, wijk, age_band) each label's share of the residents, as fractions or percentages (they
    # are scaled to sum to one). Labels match the seats' and members' labels, ignoring case.
    reference_shares: dict[Literal["customer_group", "wijk", "age_band"], dict[str, Decimal]] = Field(
        default_factory=dict)
    taxonomy_path: Path | None = None  # theme CSV (id,naam,name,keywords); default: the shipped taxonomy
    neighbourhoods_path: Path | None = None  # neighbourhood CSV (a "wijk" column); default: Rotterdam
    caldav_url: str | None = None  # the council's shared calendar collection
    caldav_username: str | None = None
    caldav_password: str | None = None
    # Signals: the bewonerscommissies of the council's wijken and complexes (!doorsturen), and the day-to-day
    # themes that make a group about one place a neighbourhood matter (None: onderhoud, schoonmaak_groen, overlast).
    bewonerscommissies: list[BewonerscommissieConfig] = Field(default_factory=list)
    everyday_themes: list[str] | None = None

    def commissie_rooms(self) -> set[str]:
        """The bewonerscommissies' rooms: the bot joins them and posts hand-offs there, and takes no
        commands from them (they are the commissies' rooms, not the council's)."""
        return {c.room_id for c in self.bewonerscommissies if c.room_id}


class SignalsSettings(_Section):
    """The residents' signals: retention, rate limits, theming. Environment: ``OVERLEG_SIGNALS__<FIELD>``."""

    retention_days: int = Field(default=365, ge=1)  # contact details erased this long after closing
    stale_days: int = Field(default=180, ge=1)  # a cluster never put on the agenda closes after this
    form_rate_limit: str = Field(default="10/3600", pattern=r"^\d+/\d+$")  # web form per address: count/seconds
    api_rate_limit: str = Field(default="600/3600", pattern=r"^\d+/\d+$")  # per partner token
    rate_namespace: str = "overleg:signals"  # Redis key prefix; unless set: "<redis_prefix>:signals"
    proxy_hops: int = Field(default=0, ge=0)  # reverse proxies appending to X-Forwarded-For
    theme_threshold: float = Field(default=0.4, ge=0, le=1)  # below it a signal's theme is "overig"
    feedback_interval: float = Field(default=300.0, gt=0)  # seconds between polls for decided topics
    # Patterns across neighbourhoods: groups of one theme in at least this many wijken within this many days.
    pattern_window_days: int = Field(default=60, ge=1)
    pattern_min_wijken: int = Field(default=3, ge=2)


class MailSettings(_Section):
    """E-mail to residents (confirmations, reminders, what the council decided) and to bewonerscommissies.
    Environment: ``OVERLEG_MAIL__<FIELD>``. Without ``smtp_host`` nothing is e-mailed and the pages say so."""

    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    # "starttls" (port 587), "tls" (implicit TLS, port 465) or "none" (a relay on localhost only).
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: str | None = None
    from_address: str = "overleg@localhost"
    from_name: str = "Overleg"
    reply_to: str | None = None  # e.g. the secretary's address, so answers reach a person
    timeout: float = Field(default=20.0, gt=0)
    # A message the server keeps refusing for a passing reason is tried again for this long, then given up.
    give_up_after_hours: int = Field(default=72, ge=1)

    @property
    def enabled(self) -> bool:
        return bool(self.smtp_host)


class MatrixSettings(_Section):
    homeserver_url: str = "http://127.0.0.1:8008"
    user_id: str = "@overleg:localhost"
    access_token: str | None = None
    password: str | None = None
    device_id: str | None = None
    device_name: str = "Overleg"
    # End-to-end encryption (Olm/Megolm through matrix-nio): the bot reads and answers in
    # encrypted rooms and keeps writing in the clear in unencrypted ones.
    encryption: bool = True
    # The crypto store (Olm account, sessions, device trust): default <data_dir>/bot-crypto.
    # Back it up with the bot's database; losing it stops the bot (exit code 3).
    store_dir: Path | None = None
    # Encrypts the keys inside the crypto store; it cannot be changed once the store exists.
    store_passphrase: str = "DEFAULT_KEY"
    # Which members' devices get room keys: "tofu" trusts every device of the people in the
    # council rooms when first seen; "cross_signing" only devices their owner has cross-signed.
    trust: Literal["tofu", "cross_signing"] = "tofu"
    # The device id named in a crypto-store error: the bot gives that device up and logs in as a
    # new one (password login). Harmless when left set: it then names a device no longer used.
    abandon_device: str | None = None
    # The bot's own intake for outbound messages from the services.
    listen_host: str = "127.0.0.1"
    listen_port: int = 8790


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="OVERLEG_", env_nested_delimiter="__", extra="ignore", validate_default=True
    )

    data_dir: Path = Path("var")
    # One URL for all services (PostgreSQL in production): each service keeps its own tables,
    # prefixed with its name. Empty means one SQLite file per service under data_dir.
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    public_base_url: str = "http://127.0.0.1:8793"  # what residents see: the signals form and status pages
    # Where members and the secretary open the werkplek (behind the proxy); empty: the werkplek service's URL.
    werkplek_base_url: str | None = None
    # What calendar apps see for the feeds (behind the proxy in production); empty means the
    # calendar service's own URL.
    feeds_base_url: str | None = None
    # Render a council's feeds (those calendar apps fetch) right after each change, and share
    # rendered feeds between the calendar's workers as files under data_dir/feed-cache. Off: each
    # worker renders a feed on the first poll after a change (e.g. a read-only data_dir).
    feeds_render_ahead: bool = True
    service_urls: dict[str, str] = Field(default_factory=lambda: {
        "deliberation": "http://127.0.0.1:8791",
        "calendar": "http://127.0.0.1:8792",
        "signals": "http://127.0.0.1:8793",
        "werkplek": "http://127.0.0.1:8794",
        "bot": "http://127.0.0.1:8790",
    })
    # Bearer tokens, one per caller: {caller name: token}. A service accepts a token when it
    # belongs to a caller allowed on that endpoint.
    api_tokens: dict[str, str] = Field(default_factory=dict)
    # Callers bound to some councils only (a partner system of one corporation): {caller: [slugs]}.
    # A caller not listed here may act for every council of this deployment (the services, admin).
    api_token_councils: dict[str, list[str]] = Field(default_factory=dict)
    max_request_bytes: int = 64 * 1024
    # How long a service trusts its copy of deliberation's roster (shared.membership): a member whose
    # term ended is refused by every worker at most this long after the secretary recorded it.
    roster_cache_seconds: float = Field(default=15.0, ge=0, le=3600)
    secret_key: str = "change-me"  # Flask sessions / CSRF; set per deployment
    redis_url: str | None = None
    # Prefix of every key this deployment keeps in Redis. Unset: "overleg:" and a hash of the
    # resolved data_dir, so every local stack and every test stack (each its own data_dir) has
    # its own counters on a shared Redis. Set it when several hosts must share their counts.
    redis_prefix: str | None = Field(default=None, pattern=r"^[A-Za-z0-9:._-]{1,100}$")
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object per line, for a log collector
    # "production" (the systemd units set it) refuses to start with the example file's secrets;
    # the local stack and the tests run as "development".
    environment: Literal["production", "development"] = "development"
    matrix: MatrixSettings = Field(default_factory=MatrixSettings)
    signals: SignalsSettings = Field(default_factory=SignalsSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    councils: list[CouncilConfig] = Field(default_factory=list)

    @field_validator("database_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return value or None

    @field_validator("database_url")
    @classmethod
    def _a_database_we_can_use(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except (ArgumentError, ValueError) as exc:
            raise ValueError(f"not a database URL ({exc})") from None
        if url.get_backend_name() not in ("postgresql", "sqlite"):
            raise ValueError(f"use postgresql://… or sqlite:///…, not {url.get_backend_name()}://")
        return value

    @model_validator(mode="after")
    def _derive_redis_prefix(self) -> "Settings":
        if not self.redis_prefix:
            place = str(Path(self.data_dir).expanduser().resolve())
            self.redis_prefix = "overleg:" + hashlib.sha256(place.encode()).hexdigest()[:12]
        if "rate_namespace" not in self.signals.model_fields_set:
            self.signals.rate_namespace = f"{self.redis_prefix}:signals"
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_path = config_file()
        if config_path is not None:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=config_path))
        return tuple(sources)

    # --- derived values -------------------------------------------------------------------
    def database_url_for(self, service: str) -> str:
        # The bot's own state stays in SQLite beside its crypto store whatever DATABASE_URL says: it
        # belongs to one device and is backed up and restored with it, and a PostgreSQL driver
        # would cost the bot process ~12 MB resident (docs/benchmarks.md, section 5).
        if self.database_url and service != "bot":
            return self.database_url
        return f"sqlite:///{(self.data_dir / f'{service}.db').resolve()}"

    def council(self, slug: str) -> CouncilConfig | None:
        return next((c for c in self.councils if c.slug == slug), None)

    def council_for_room(self, room_id: str) -> CouncilConfig | None:
        """The council whose own room this is (commands are taken there)."""
        return next((c for c in self.councils if room_id in c.rooms.all()), None)

    def rooms_to_join(self) -> set[str]:
        """Every room the bot must be in: the councils' own and their bewonerscommissies'."""
        return {room for c in self.councils for room in c.rooms.all() | c.commissie_rooms()}

    def token_for(self, caller: str) -> str | None:
        return self.api_tokens.get(caller)

    def caller_may_act_for(self, caller: str, council: str) -> bool:
        bound = self.api_token_councils.get(caller)
        return bound is None or council in bound

    def caller_for_token(self, token: str) -> str | None:
        import hmac

        for caller, known in self.api_tokens.items():
            if known and hmac.compare_digest(known.encode(), token.encode()):
                return caller
        return None


def config_file() -> Path | None:
    """The YAML file to read: ``OVERLEG_CONFIG`` (which must exist), else ``var/overleg.yaml`` if present."""
    named = os.environ.get("OVERLEG_CONFIG")
    if named:
        return Path(named)
    default = Path("var/overleg.yaml")
    return default if default.is_file() else None


def _check_file(path: Path) -> list[str]:
    """Problems with the file itself: missing, unreadable, not YAML, unknown top-level keys."""
    import yaml

    if not path.is_file():
        return [f"OVERLEG_CONFIG points at {path}, which does not exist"]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return [f"{path}: cannot be read ({exc.strerror})"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return [f"{path}: not valid YAML{where}: {getattr(exc, 'problem', None) or exc}"]
    if data is None:
        return []
    if not isinstance(data, dict):
        return [f"{path}: expected keys and values at the top, found {type(data).__name__}"]
    known = set(Settings.model_fields) | {"DATABASE_URL"}
    return [_unknown(str(key), known, path.name) for key in data if str(key) not in known]


def _unknown(key: str, known: set[str], where: str) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f"{where}: unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close else "")


def _plain(error: dict[str, Any]) -> str:
    loc = ".".join(str(part) for part in error.get("loc", ()))
    if error.get("type") == "extra_forbidden":
        return f"{loc}: unknown key"
    msg = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


def load_settings(**overrides: object) -> Settings:
    """The one place a process reads its configuration. Raises :class:`ConfigError` with one
    plain line per problem (unknown keys, a missing config file, bad YAML, bad values)."""
    path = config_file()
    problems = _check_file(path) if path is not None else []
    if problems:
        raise ConfigError(problems)
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError([_plain(e) for e in exc.errors()]) from None


PLACEHOLDER_MARKS = ("<random", "change-me", "<token", "<app password")
MIN_SECRET_KEY = 32
MIN_TOKEN = 16


def example_secret_problems(settings: Settings, *, bot: bool = False) -> list[str]:
    """Secrets still as the example file (or the defaults) has them: fine on a laptop, never in production."""
    problems = []
    if any(mark in settings.secret_key for mark in PLACEHOLDER_MARKS) or len(settings.secret_key) < MIN_SECRET_KEY:
        problems.append(f"secret_key: still the example value or shorter than {MIN_SECRET_KEY} characters; set a "
                        "random one (python3 -c 'import secrets; print(secrets.token_hex(32))')")
    for caller, token in sorted(settings.api_tokens.items()):
        if any(mark in token for mark in PLACEHOLDER_MARKS) or len(token) < MIN_TOKEN:
            problems.append(f"api_tokens.{caller}: still the example value or shorter than {MIN_TOKEN} characters")
    m = settings.matrix
    if m.access_token and any(mark in m.access_token for mark in PLACEHOLDER_MARKS):
        problems.append("matrix.access_token: still the example value")
    if bot and m.encryption and (m.store_passphrase == "DEFAULT_KEY"
                                 or any(mark in m.store_passphrase for mark in PLACEHOLDER_MARKS)):
        problems.append("matrix.store_passphrase: not set, or still the example value; set a random one before "
                        "the bot's first start (it seals the bot's keys and cannot be changed later)")
    return problems


def load_settings_or_exit(*, bot: bool = False, **overrides: object) -> Settings:
    """For entry points: the settings, or the problems on stderr and exit code 78 (EX_CONFIG). In
    production, example secrets are problems too."""
    try:
        settings = load_settings(**overrides)
        problems = example_secret_problems(settings, bot=bot) if settings.environment == "production" else []
    except ConfigError as exc:
        problems = exc.problems
    if problems:
        for problem in problems:
            print(f"overleg: configuration: {problem}", file=sys.stderr)
        raise SystemExit(EX_CONFIG)
    return settings
