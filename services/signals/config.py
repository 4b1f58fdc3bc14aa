"""Settings of the signals service that the shared settings do not carry, and each council's
theme taxonomy and list of neighbourhoods.

Read once in ``create_app`` from the environment (nothing is read at import time):

``OVERLEG_SIGNALS_RETENTION_DAYS``  (default 365)
    Contact details are erased this many days after their signal was closed.
``OVERLEG_SIGNALS_STALE_DAYS``  (default 180)
    A cluster that got no new signal for this long and was never put on the agenda is closed,
    so that its residents' contact details fall under the retention period as well.
``OVERLEG_SIGNALS_RATE_LIMIT``  (default ``10/3600``)
    Web-form submissions allowed per client address per window (``<count>/<seconds>``).
    Reading a status page, an export or an erase is limited at ten times that.
``OVERLEG_SIGNALS_API_RATE_LIMIT``  (default ``600/3600``)
    Signals a partner system (one bearer token) may send per window.
``OVERLEG_SIGNALS_RATE_NAMESPACE``  (default ``overleg:signals``)
    Prefix of the rate-limit counters in Redis (two deployments on one Redis keep apart).
``OVERLEG_SIGNALS_PROXY_HOPS``  (default 0)
    How many reverse proxies in front of gunicorn append to ``X-Forwarded-For``. 0 means the
    client address is the TCP peer; with 1, it is the last address the proxy appended.
``OVERLEG_SIGNALS_THEME_THRESHOLD``  (default 0.4)
    Below this confidence a signal's theme is ``overig``.
``OVERLEG_SIGNALS_FEEDBACK_INTERVAL``  (default 300)
    Seconds between two polls of the deliberation service for decided topics.
``OVERLEG_SIGNALS_TAXONOMY`` and ``OVERLEG_SIGNALS_TAXONOMY_<SLUG>``
    Path of a theme CSV (``id,naam,name,keywords``) for every council, or for one council (slug in
    capitals, ``-`` as ``_``). Default: the taxonomy shipped in ``services/signals/data``.
``OVERLEG_SIGNALS_NEIGHBOURHOODS`` and ``OVERLEG_SIGNALS_NEIGHBOURHOODS_<SLUG>``
    Path of a neighbourhood CSV (a ``wijk`` column). Default: Rotterdam's buurten.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from services.signals.domain.themes import DEFAULT_THRESHOLD, Taxonomy, load_default_taxonomy
from services.signals.domain.wijken import Neighbourhoods, load_rotterdam
from shared.settings import Settings

ENV_PREFIX = "OVERLEG_SIGNALS_"


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, value: str) -> "Limit":
        count, _, seconds = value.partition("/")
        limit = cls(int(count), int(seconds or 3600))
        if limit.count < 1 or limit.seconds < 1:
            raise ValueError(f"rate limit must be positive: {value!r}")
        return limit


@dataclass(frozen=True)
class CouncilData:
    """What the pipeline needs to know about one council's words and places."""

    taxonomy: Taxonomy
    neighbourhoods: Neighbourhoods


@dataclass
class SignalsConfig:
    retention_days: int = 365
    stale_days: int = 180
    form_limit: Limit = Limit(10, 3600)
    api_limit: Limit = Limit(600, 3600)
    rate_namespace: str = "overleg:signals"
    proxy_hops: int = 0
    theme_threshold: float = DEFAULT_THRESHOLD
    feedback_interval: float = 300.0
    taxonomy_paths: dict[str, Path] = field(default_factory=dict)  # slug or "*" → CSV
    neighbourhood_paths: dict[str, Path] = field(default_factory=dict)
    _councils: dict[str, CouncilData] = field(default_factory=dict, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "SignalsConfig":
        env = dict(os.environ if environ is None else environ)

        def get(name: str, default: str) -> str:
            return env.get(ENV_PREFIX + name) or default

        def paths(name: str) -> dict[str, Path]:
            out: dict[str, Path] = {}
            for key, value in env.items():
                if not value:
                    continue
                if key == ENV_PREFIX + name:
                    out["*"] = Path(value)
                elif key.startswith(ENV_PREFIX + name + "_"):
                    out[key[len(ENV_PREFIX + name) + 1:].lower().replace("_", "-")] = Path(value)
            return out

        return cls(
            retention_days=int(get("RETENTION_DAYS", "365")),
            stale_days=int(get("STALE_DAYS", "180")),
            form_limit=Limit.parse(get("RATE_LIMIT", "10/3600")),
            api_limit=Limit.parse(get("API_RATE_LIMIT", "600/3600")),
            rate_namespace=get("RATE_NAMESPACE", "overleg:signals"),
            proxy_hops=int(get("PROXY_HOPS", "0")),
            theme_threshold=float(get("THEME_THRESHOLD", str(DEFAULT_THRESHOLD))),
            feedback_interval=float(get("FEEDBACK_INTERVAL", "300")),
            taxonomy_paths=paths("TAXONOMY"),
            neighbourhood_paths=paths("NEIGHBOURHOODS"),
        )

    def load(self, settings: Settings) -> None:
        """Read every council's taxonomy and neighbourhoods now, so a bad file stops the start."""
        default_tax = default_nb = None
        for council in settings.councils:
            tax_path = self.taxonomy_paths.get(council.slug) or self.taxonomy_paths.get("*")
            nb_path = self.neighbourhood_paths.get(council.slug) or self.neighbourhood_paths.get("*")
            if tax_path:
                taxonomy = Taxonomy.from_csv_text(tax_path.read_text("utf-8"))
            else:
                taxonomy = default_tax = default_tax or load_default_taxonomy()
            if nb_path:
                neighbourhoods = Neighbourhoods.from_csv_text(nb_path.read_text("utf-8"))
            else:
                neighbourhoods = default_nb = default_nb or load_rotterdam()
            self._councils[council.slug] = CouncilData(taxonomy, neighbourhoods)

    def council(self, slug: str) -> CouncilData:
        return self._councils[slug]
