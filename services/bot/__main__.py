import sys

from services.bot.app import main

sys.exit(main())
