from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kefu.core import periodic


class Command(BaseCommand):
    help = "Run the periodic jobs (idle chats, SLA reminders …) until stopped; --once runs each due job once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once and exit")
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between looks for due jobs")

    def handle(self, *args: Any, **options: Any) -> None:
        names = ", ".join(j.name for j in periodic.jobs()) or "none registered"
        self.stdout.write(f"kefu worker: jobs {names}")
        if options["once"]:
            for name in periodic.run_due():
                self.stdout.write(f"ran {name}")
            return
        try:
            while True:
                periodic.run_due()
                time.sleep(options["tick"])
        except KeyboardInterrupt:
            self.stdout.write("kefu worker stopped")
