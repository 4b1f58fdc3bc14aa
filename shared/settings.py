"""One typed settings object for the whole deployment.

Read from one YAML config file (``OVERLEG_CONFIG``, default ``var/overleg.yaml`` when present)
and from the environment (``OVERLEG_*``, nested with ``__``; ``DATABASE_URL`` too), the
environment winning. It is built once in each process's entry point and passed down explicitly:
nothing reads the environment at import time.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

SERVICES = ("deliberation", "calendar", "signals")
ServiceName = Literal["deliberation", "calendar", "signals", "bot"]


class CouncilRooms(BaseModel):
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


class CouncilConfig(BaseModel):
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
    reminder_offsets: list[str] = Field(default_factory=lambda: ["P7D", "P1D", "morning"])
    heidag_max_gap_days: int = 183
    taxonomy_path: Path | None = None  # theme CSV (id,naam,name,keywords); default: the shipped taxonomy
    neighbourhoods_path: Path | None = None  # neighbourhood CSV (a "wijk" column); default: Rotterdam
    caldav_url: str | None = None  # the council's shared calendar collection
    caldav_username: str | None = None
    caldav_password: str | None = None


class SignalsSettings(BaseModel):
    """The residents' signals: retention, rate limits, theming. Environment: ``OVERLEG_SIGNALS__<FIELD>``."""

    retention_days: int = Field(default=365, ge=1)  # contact details erased this long after closing
    stale_days: int = Field(default=180, ge=1)  # a cluster never put on the agenda closes after this
    form_rate_limit: str = Field(default="10/3600", pattern=r"^\d+/\d+$")  # web form per address: count/seconds
    api_rate_limit: str = Field(default="600/3600", pattern=r"^\d+/\d+$")  # per partner token
    rate_namespace: str = "overleg:signals"  # Redis key prefix
    proxy_hops: int = Field(default=0, ge=0)  # reverse proxies appending to X-Forwarded-For
    theme_threshold: float = Field(default=0.4, ge=0, le=1)  # below it a signal's theme is "overig"
    feedback_interval: float = Field(default=300.0, gt=0)  # seconds between polls for decided topics


class MatrixSettings(BaseModel):
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
    # What calendar apps see for the feeds (behind the proxy in production); empty means the
    # calendar service's own URL.
    feeds_base_url: str | None = None
    service_urls: dict[str, str] = Field(default_factory=lambda: {
        "deliberation": "http://127.0.0.1:8791",
        "calendar": "http://127.0.0.1:8792",
        "signals": "http://127.0.0.1:8793",
        "bot": "http://127.0.0.1:8790",
    })
    # Bearer tokens, one per caller: {caller name: token}. A service accepts a token when it
    # belongs to a caller allowed on that endpoint.
    api_tokens: dict[str, str] = Field(default_factory=dict)
    max_request_bytes: int = 64 * 1024
    secret_key: str = "change-me"  # Flask sessions / CSRF; set per deployment
    redis_url: str | None = None
    log_level: str = "INFO"
    matrix: MatrixSettings = Field(default_factory=MatrixSettings)
    signals: SignalsSettings = Field(default_factory=SignalsSettings)
    councils: list[CouncilConfig] = Field(default_factory=list)

    @field_validator("database_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return value or None

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
        config_path = os.environ.get("OVERLEG_CONFIG") or "var/overleg.yaml"
        if Path(config_path).is_file():
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=config_path))
        return tuple(sources)

    # --- derived values -------------------------------------------------------------------
    def database_url_for(self, service: str) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / f'{service}.db').resolve()}"

    def council(self, slug: str) -> CouncilConfig | None:
        return next((c for c in self.councils if c.slug == slug), None)

    def council_for_room(self, room_id: str) -> CouncilConfig | None:
        return next((c for c in self.councils if room_id in c.rooms.all()), None)

    def token_for(self, caller: str) -> str | None:
        return self.api_tokens.get(caller)

    def caller_for_token(self, token: str) -> str | None:
        import hmac

        for caller, known in self.api_tokens.items():
            if known and hmac.compare_digest(known.encode(), token.encode()):
                return caller
        return None


def load_settings(**overrides: object) -> Settings:
    """The one place a process reads its configuration."""
    return Settings(**overrides)  # type: ignore[arg-type]
