"""Pure domain of the signals service: scrubbing personal data, themes, neighbourhoods,
clustering and summaries. No web framework, database, network or clock in here; CSV loaders
read the package's data files only when called.

Modules: ``scrub``, ``themes``, ``wijken``, ``clustering``, ``summary``, ``intake`` (text
checks), ``messages`` (user texts; call ``register_messages()`` once at start-up),
``lexicon`` and ``textutil`` (shared word lists and text helpers).
"""
