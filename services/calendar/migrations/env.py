from services.calendar.models import CalendarBase
from shared.migrations import run_env

run_env(CalendarBase.metadata)
