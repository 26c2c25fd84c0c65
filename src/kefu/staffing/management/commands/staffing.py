"""`kefu staffing …`: the planner's command line.

  erlang          agents for one interval (Erlang C, or Erlang A with --patience); see kefu.staffing.cli
  import-history  import a CSV of contact history for the queues under a unit (all-or-nothing)
  import-shifts   import a roster CSV from attendance (all-or-nothing)
  forecast        forecast a unit's queues of one channel and store the requirement per interval
  peak-plan       extra seats per interval (and their cost) the planned events of a stored run need
  history-from-chat  measure chat queues' history from kefu's own conversations since a day (backfill;
                  `kefu worker` keeps the last hours up to date)

Bad input exits with status 2 and a message naming the flag or the row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kefu.core.errors import ApplicationError
from kefu.org.models import OrgUnit
from kefu.staffing import cli, planning, services
from kefu.staffing.models import Channel, ForecastRun

BAD_INPUT = 2


class Command(BaseCommand):
    help = "Staffing for planners: erlang, import-history, import-shifts, forecast, peak-plan, history-from-chat."
    # The calculator needs no database and must print nothing but its answer.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        erlang = sub.add_parser("erlang", help="agents needed for one interval")
        cli.add_erlang_arguments(erlang)

        for name, what in (("import-history", "contact history"), ("import-shifts", "roster shifts")):
            command = sub.add_parser(name, help=f"import a CSV of {what} for the queues under a unit")
            command.add_argument("--unit", required=True, help="org unit code, e.g. HD")
            command.add_argument("--file", required=True, type=Path, help="CSV file (UTF-8, header line)")

        forecast = sub.add_parser("forecast", help="forecast and store the requirement per interval")
        forecast.add_argument("--unit", required=True, help="org unit code, e.g. HD")
        forecast.add_argument("--channel", required=True, choices=Channel.values)
        forecast.add_argument("--start", required=True, type=dt.date.fromisoformat, help="first day, YYYY-MM-DD")
        forecast.add_argument("--days", type=int, default=7)
        forecast.add_argument("--history-days", type=int, default=56)
        forecast.add_argument("--note", default="")

        peak = sub.add_parser("peak-plan", help="extra seats and cost for the planned events of a run")
        peak.add_argument("--run", required=True, type=int, help="forecast run id")

        chat = sub.add_parser("history-from-chat", help="chat queues' history from kefu's own conversations")
        chat.add_argument("--since", required=True, type=dt.date.fromisoformat, help="first day, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "erlang":
            self._erlang(options)
            return
        try:
            if action in ("import-history", "import-shifts"):
                self._import(action, options)
            elif action == "forecast":
                self._forecast(options)
            elif action == "history-from-chat":
                self._history_from_chat(options)
            else:
                self._peak_plan(options)
        except ApplicationError as exc:
            detail = "\n".join(f"  line {e['line']}: {e['message']}" for e in exc.extra.get("errors", [])[:20])
            raise CommandError(exc.message + (f"\n{detail}" if detail else ""), returncode=BAD_INPUT) from exc

    def _erlang(self, options: dict[str, Any]) -> None:
        out, err = io.StringIO(), io.StringIO()
        code = cli.erlang_run(argparse.Namespace(**options), stdout=out, stderr=err)
        self.stdout.write(out.getvalue(), ending="")
        if code:
            raise CommandError(err.getvalue().strip(), returncode=code)

    def _unit(self, code: str) -> OrgUnit:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise CommandError(f"no org unit with code {code!r}", returncode=BAD_INPUT)
        return unit

    def _import(self, action: str, options: dict[str, Any]) -> None:
        unit = self._unit(options["unit"])
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}", returncode=BAD_INPUT) from exc
        if action == "import-history":
            result = services.contact_history_import_csv(actor=None, unit_id=unit.id, csv_text=text, filename=path.name)
            figures = {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "already_imported": result.already_imported,
            }
        else:
            shifts = services.shift_import_csv(actor=None, unit_id=unit.id, csv_text=text, filename=path.name)
            figures = {"created": shifts.created, "updated": shifts.updated, "unchanged": shifts.unchanged}
        self.stdout.write(json.dumps(figures, ensure_ascii=False))

    def _forecast(self, options: dict[str, Any]) -> None:
        unit = self._unit(options["unit"])
        run = services.forecast_run_create(
            actor=None,
            unit_id=unit.id,
            channel=options["channel"],
            starts_on=options["start"],
            days=options["days"],
            history_days=options["history_days"],
            note=options["note"],
        )
        totals = planning.run_totals(run)
        self.stdout.write(
            json.dumps(
                {
                    "run": run.id,
                    "model": run.model_label,
                    "intervals": len(totals),
                    "contacts": round(sum(t.contacts for t in totals), 1),
                    "peak_scheduled": max((t.scheduled for t in totals), default=0),
                    "events": run.events,
                },
                ensure_ascii=False,
            )
        )

    def _history_from_chat(self, options: dict[str, Any]) -> None:
        since = timezone.make_aware(dt.datetime.combine(options["since"], dt.time()))
        if since > timezone.now():
            raise CommandError(f"--since {options['since']} is in the future", returncode=BAD_INPUT)
        result = services.contact_history_from_chat(since=since)
        figures = {"queues": result.queues, "written": result.written, "unsettled": result.unsettled}
        self.stdout.write(json.dumps(figures))

    def _peak_plan(self, options: dict[str, Any]) -> None:
        run = ForecastRun.objects.filter(id=options["run"]).first()
        if run is None:
            raise CommandError(f"no forecast run {options['run']}", returncode=BAD_INPUT)
        plan = planning.peak_plan(run)
        for point in plan.points:
            self.stdout.write(
                json.dumps(
                    {
                        "interval_start": planning.local(point.start).isoformat(),
                        "events": point.events,
                        "baseline": point.baseline,
                        "needed": point.needed,
                        "extra": point.extra,
                        "extra_cost": str(point.extra_cost),
                    },
                    ensure_ascii=False,
                )
            )
        self.stdout.write(
            json.dumps(
                {"total_extra_cost": str(plan.extra_cost), "extra_head_hours": str(plan.extra_head_hours)},
                ensure_ascii=False,
            )
        )
