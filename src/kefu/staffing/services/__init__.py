"""Writes of the staffing app, one module per entity; every function is one transaction with its audit
entry. Import from here: `from kefu.staffing import services`."""

from kefu.staffing.services.chat import ChatHistoryResult, contact_history_from_chat
from kefu.staffing.services.events import planned_event_create
from kefu.staffing.services.forecasts import forecast_run_choose_target, forecast_run_create
from kefu.staffing.services.history import HistoryImportResult, contact_history_import_csv, contact_history_record
from kefu.staffing.services.queues import queue_create
from kefu.staffing.services.shifts import ShiftImportResult, shift_create, shift_import_csv

__all__ = [
    "ChatHistoryResult",
    "HistoryImportResult",
    "ShiftImportResult",
    "contact_history_from_chat",
    "contact_history_import_csv",
    "contact_history_record",
    "forecast_run_choose_target",
    "forecast_run_create",
    "planned_event_create",
    "queue_create",
    "shift_create",
    "shift_import_csv",
]
