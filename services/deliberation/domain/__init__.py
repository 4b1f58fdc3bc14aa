"""The deliberation domain: roster, agenda, consensus rounds and the decision register.

Pure: no I/O, no clock, no framework. Importing the package makes its texts known to
:mod:`shared.i18n`, so every domain error can be shown in Dutch or English.
"""
from .messages import register_messages

register_messages()
