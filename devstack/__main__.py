"""``python -m devstack``: what ``./overleg`` runs in the checkout (both command groups)."""
import sys

from devstack.cli import main

sys.exit(main())
