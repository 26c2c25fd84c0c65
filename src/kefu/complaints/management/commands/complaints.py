"""`kefu complaints sweep [--now ISO]`: SLA reminders and escalations, for cron (safe to run twice)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kefu.complaints import services


class Command(BaseCommand):
    help = "Complaint jobs: `sweep` sends SLA reminders and escalations (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="job", required=True)
        sweep = sub.add_parser("sweep", help="remind before deadlines, escalate to lead then manager after")
        sweep.add_argument("--now", default="", help="pretend it is this moment (ISO 8601), for tests and replays")
        sweep.add_argument("--json", action="store_true", help="print the counts as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options.get("now"):
            now = parse_datetime(options["now"])
            if now is None:
                raise CommandError(f"--now: not a date-time: {options['now']!r} (e.g. 2026-11-11T09:00:00+08:00)")
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        result = services.complaint_sla_sweep(now=now)
        counts = {
            "reminders": result.reminders,
            "lead_escalations": result.lead_escalations,
            "manager_escalations": result.manager_escalations,
            "improvement_reminders": result.improvement_reminders,
            "notices": result.notices,
        }
        if options.get("json"):
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(
                f"提醒 {result.reminders}，升级组长 {result.lead_escalations}，升级经理 {result.manager_escalations}，"
                f"整改提醒 {result.improvement_reminders}，通知 {result.notices} 条"
            )
