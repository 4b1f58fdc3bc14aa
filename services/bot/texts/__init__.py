"""The user-facing texts of the bot's feature modules: one catalogue module per feature
(``texts/<feature>.py`` with ``CATALOG = {"nl": {...}, "en": {...}}``), registered with
:mod:`shared.i18n` by the feature's ``register_messages()``.

Codes follow one scheme: ``bot.<feature>.cmd.<word>`` is the help line of ``!<word>``; every other
text is ``bot.<feature>.<topic>[.<detail>]`` (``bot.calendar.kalender.title``,
``bot.deliberation.usage.ronde``, ``bot.signals.kind.telefoon``). The prefix keeps them apart from
the services' own codes (``delib.*``, ``cal.*``), which are registered by the services, not here.
The bot's own texts (help, errors) stay in ``services/bot/messages.py`` under ``bot.*``."""
