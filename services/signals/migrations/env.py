from services.signals.models import SignalsBase
from shared.migrations import run_env

run_env(SignalsBase.metadata)
