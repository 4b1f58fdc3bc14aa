"""gunicorn settings shared by the three services.

    OVERLEG_SERVICE=signals gunicorn -c deploy/gunicorn.conf.py services.signals.wsgi:app

The master runs the service's migrations once before forking; each worker then starts the
service's background jobs (handoff to the bot, reminders, sync), which hold leases so that
only one worker does each job at a time. SIGTERM lets requests in flight finish.
"""
import functools
import os

service = os.environ.get("OVERLEG_SERVICE", "")


@functools.cache
def _settings():  # type: ignore[no-untyped-def]
    """Read once: the bind and the log format come from the same configuration."""
    from shared.settings import load_settings_or_exit

    return load_settings_or_exit()


def _bind_from_settings(name: str) -> str:
    """Where ``name`` listens when ``OVERLEG_BIND`` is not set: the host and port of its URL in
    ``service_urls`` (so the three systemd units, which differ only in the service name, each get
    their own port)."""
    from urllib.parse import urlsplit

    url = _settings().service_urls.get(name)
    if not url:
        raise SystemExit(f"overleg: configuration: service_urls has no entry for '{name}'")
    parts = urlsplit(url)
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


bind = os.environ.get("OVERLEG_BIND") or (_bind_from_settings(service) if service else "127.0.0.1:8791")
workers = int(os.environ.get("OVERLEG_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("OVERLEG_THREADS", "4"))
timeout = 30
graceful_timeout = 30
keepalive = 5
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
proxy_allow_ips = os.environ.get("OVERLEG_PROXY_IPS", "127.0.0.1")
forwarded_allow_ips = proxy_allow_ips
# No access log unless asked for (OVERLEG_ACCESS_LOG=-): its lines would carry feed tokens and
# reference numbers in their paths. Errors and each worker's start and stop are logged regardless.
accesslog = os.environ.get("OVERLEG_ACCESS_LOG") or None
errorlog = "-"
_level, _format = (_settings().log_level, _settings().log_format) if service else ("INFO", "text")
loglevel = os.environ.get("OVERLEG_LOG_LEVEL", _level).lower()
from shared.logs import gunicorn_logconfig  # noqa: E402 - after the settings that choose its format

logconfig_dict = gunicorn_logconfig(loglevel, os.environ.get("OVERLEG_LOG_FORMAT", _format), accesslog)
capture_output = True
# gunicorn's control socket defaults to one path per user: several masters (three services, test
# runs) would take it from each other. Nothing here uses it.
control_socket_disable = True


def on_starting(server):  # noqa: ARG001 - gunicorn hook signature
    if not service:
        return
    from shared.migrations import upgrade_in_subprocess

    # In a child process: the workers forked from this master should not inherit Alembic.
    upgrade_in_subprocess(service)


def post_worker_init(worker):
    from shared.logs import configure_logging

    configure_logging(loglevel, os.environ.get("OVERLEG_LOG_FORMAT", _format))
    runtime = getattr(worker.wsgi, "extensions", {}).get("overleg_runtime")
    if runtime is not None:
        runtime.jobs.start()


def worker_exit(server, worker):  # noqa: ARG001
    runtime = getattr(getattr(worker, "wsgi", None), "extensions", {}).get("overleg_runtime")
    if runtime is not None:
        runtime.stop()


def child_exit(server, worker):  # noqa: ARG001
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
