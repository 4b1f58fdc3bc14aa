"""Logging set-up for every process, in one format. Log lines carry ids, never residents' personal data.

``log_format: json`` (``OVERLEG_LOG_FORMAT=json``) writes one JSON object per line, for a log
collector; the default is one plain line. gunicorn's own lines use the same formatter
(:func:`gunicorn_logconfig`). HTTP client libraries log only warnings: their INFO lines carry URLs,
and our URLs can carry member ids and feed tokens.
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET_LIBRARIES = {"nio": logging.ERROR, "httpx": logging.WARNING, "httpcore": logging.WARNING,
                   "aiohttp.access": logging.WARNING, "urllib3": logging.WARNING}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def make_formatter(fmt: str = "text") -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(make_formatter(fmt))
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO), handlers=[handler], force=True)
    # nio logs every 429 and timeout as a warning with URLs; ours say it more usefully.
    for name, quiet in QUIET_LIBRARIES.items():
        logging.getLogger(name).setLevel(quiet)


def gunicorn_logconfig(level: str = "INFO", fmt: str = "text", access: str | None = None) -> dict[str, Any]:
    """gunicorn's ``logconfig_dict``: its error log in our format; the access log (only when asked
    for: a file, or ``-`` for stdout) keeps gunicorn's own ``access_log_format`` line (in JSON mode
    as the message of a JSON object)."""
    formatter = {"()": "shared.logs.JsonFormatter"} if fmt == "json" else {"format": TEXT_FORMAT}
    access_formatter = {"()": "shared.logs.JsonFormatter"} if fmt == "json" else {"format": "%(message)s"}
    handlers: dict[str, Any] = {"console": {"class": "logging.StreamHandler", "formatter": "overleg",
                                            "stream": "ext://sys.stderr"}}
    access_handlers: list[str] = []
    if access == "-":
        handlers["access"] = {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"}
        access_handlers = ["access"]
    elif access:
        handlers["access"] = {"class": "logging.FileHandler", "formatter": "access", "filename": access}
        access_handlers = ["access"]
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"overleg": formatter, "access": access_formatter},
        "handlers": handlers,
        "loggers": {"gunicorn.error": {"level": level.upper(), "handlers": ["console"], "propagate": False},
                    "gunicorn.access": {"level": "INFO", "handlers": access_handlers, "propagate": False}},
        "root": {"level": level.upper(), "handlers": ["console"]},
    }
