"""Logging set-up for every process. Log lines carry ids, never residents' personal data."""
from __future__ import annotations

import logging
import sys


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    # nio logs every 429 and timeout as a warning with URLs; ours say it more usefully.
    logging.getLogger("nio").setLevel(logging.ERROR)
