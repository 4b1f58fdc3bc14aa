"""gunicorn entry point: ``gunicorn -c deploy/gunicorn.conf.py services.signals.wsgi:app``."""
from services.signals.app import create_app
from shared.settings import load_settings_or_exit

app = create_app(load_settings_or_exit())
