"""Flask-WTF's form class and CSRF token for the services' public pages, imported without Babel (see
``shared.lean_imports.import_flask_wtf_without_babel``)."""
from shared.lean_imports import import_flask_wtf_without_babel

import_flask_wtf_without_babel()

from flask_wtf import FlaskForm  # noqa: E402
from flask_wtf.csrf import generate_csrf  # noqa: E402

__all__ = ["FlaskForm", "generate_csrf"]
