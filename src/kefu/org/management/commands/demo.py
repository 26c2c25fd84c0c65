from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kefu.core import demo
from kefu.org.models import OrgUnit, UnitKind


class Command(BaseCommand):
    help = "Load the deterministic demo organisation (once: does nothing if an organisation exists)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=dt.date.fromisoformat, help="anchor date (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        if OrgUnit.objects.filter(kind=UnitKind.GROUP).exists():
            self.stdout.write("demo data already loaded (an organisation exists); nothing changed")
            self._print_logins([])
            return
        ctx = demo.build(today=options["today"] or timezone.localdate())
        self.stdout.write(self.style.SUCCESS("demo data loaded"))
        self._print_logins(ctx.logins)

    def _print_logins(self, logins: list[demo.DemoLogin]) -> None:
        if not logins:
            self.stdout.write(f"demo logins use the password {demo.DEMO_PASSWORD!r} (see README)")
            return
        self.stdout.write(f"\ndemo logins (password for all: {demo.DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<16} {login.role:<20} {login.scope}")
