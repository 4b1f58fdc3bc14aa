from services.werkplek.models import WerkplekBase
from shared.migrations import run_env

run_env(WerkplekBase.metadata)
