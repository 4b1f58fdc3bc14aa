"""gunicorn entry point: ``gunicorn -c deploy/gunicorn.conf.py services.deliberation.wsgi:app``."""
from services.deliberation.app import create_app
from shared.settings import load_settings_or_exit

app = create_app(load_settings_or_exit())
