"""gunicorn entry point: ``gunicorn -c deploy/gunicorn.conf.py services.calendar.wsgi:app``."""
from services.calendar.app import create_app
from shared.settings import load_settings_or_exit

app = create_app(load_settings_or_exit())
