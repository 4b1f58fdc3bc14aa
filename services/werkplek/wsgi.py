"""gunicorn entry point: ``gunicorn -c deploy/gunicorn.conf.py services.werkplek.wsgi:app``."""
from services.werkplek.app import create_app
from shared.settings import load_settings_or_exit

app = create_app(load_settings_or_exit())
