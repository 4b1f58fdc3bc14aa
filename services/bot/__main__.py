import sys

from services.bot.app import main

# ``overleg bot [--replace-identity]`` starts this module (deploy/cli.py says with which flags).
sys.exit(main(replace_identity="--replace-identity" in sys.argv[1:]))
