"""The Matrix bot (``python -m services.bot``)."""
from shared.lean_imports import import_peewee_without_server_drivers, import_pycryptodome_without_cffi

# Before anything imports matrix-nio: its crypto store imports peewee, which would import psycopg
# (~10 MB) for PostgreSQL databases nio never opens, and its attachment encryption imports
# pycryptodome, which would parse C declarations with cffi/pycparser (~1.5 MB) where ctypes
# calls the same C code. See the functions for why both are safe.
import_peewee_without_server_drivers()
import_pycryptodome_without_cffi()
