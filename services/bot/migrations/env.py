from services.bot.store import BotBase
from shared.migrations import run_env

run_env(BotBase.metadata)
