from services.deliberation.models import DeliberationBase
from shared.migrations import run_env

run_env(DeliberationBase.metadata)
