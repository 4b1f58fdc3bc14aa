"""The signals service's view of the settings (``Settings.signals`` and each council's
``taxonomy_path`` / ``neighbourhoods_path``), with each council's theme taxonomy and list of
neighbourhoods loaded once in ``create_app`` (a bad file stops the start, nothing is read at
import time). See :class:`shared.settings.SignalsSettings` for what each value means."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from services.signals.domain.neighbourhood import NeighbourhoodConfig
from services.signals.domain.themes import DEFAULT_THRESHOLD, Taxonomy, load_default_taxonomy
from services.signals.domain.wijken import Neighbourhoods, load_rotterdam
from shared.settings import Settings

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
    # The council's bewonerscommissies and day-to-day themes (CouncilConfig.bewonerscommissies).
    local: NeighbourhoodConfig = NeighbourhoodConfig()


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
    # A joined cluster's card edit waits until no signal came in for card_quiet seconds (one edit
    # per burst), but never longer than card_max_wait; 0 sends it right after each intake.
    card_quiet: float = 2.0
    card_max_wait: float = 30.0
    # Signals sent to the queue (POST …/signals/queued) are grouped once the queue has been quiet for
    # intake_quiet seconds (a partner's burst is not slowed by its own grouping), but never later than
    # intake_max_wait after the oldest came.
    intake_quiet: float = 0.5
    intake_max_wait: float = 5.0
    pattern_window_days: int = 60
    pattern_min_wijken: int = 3
    taxonomy_paths: dict[str, Path] = field(default_factory=dict)  # slug or "*" → CSV
    neighbourhood_paths: dict[str, Path] = field(default_factory=dict)
    _councils: dict[str, CouncilData] = field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> "SignalsConfig":
        sig = settings.signals
        return cls(
            retention_days=sig.retention_days,
            stale_days=sig.stale_days,
            form_limit=Limit.parse(sig.form_rate_limit),
            api_limit=Limit.parse(sig.api_rate_limit),
            rate_namespace=sig.rate_namespace,
            proxy_hops=sig.proxy_hops,
            theme_threshold=sig.theme_threshold,
            feedback_interval=sig.feedback_interval,
            pattern_window_days=sig.pattern_window_days,
            pattern_min_wijken=sig.pattern_min_wijken,
            taxonomy_paths={c.slug: c.taxonomy_path for c in settings.councils if c.taxonomy_path},
            neighbourhood_paths={c.slug: c.neighbourhoods_path for c in settings.councils if c.neighbourhoods_path},
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
            local = NeighbourhoodConfig.from_dict({
                "commissies": [c.model_dump() for c in council.bewonerscommissies],
                "everyday_themes": council.everyday_themes})
            local.check_themes(taxonomy)  # a theme the taxonomy lacks stops the start
            self._councils[council.slug] = CouncilData(taxonomy, neighbourhoods, local)

    def council(self, slug: str) -> CouncilData:
        return self._councils[slug]
