from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kefu.core import audit


class Command(BaseCommand):
    help = "Check the tamper-evident audit chain: `verify [--checkpoint FILE|JSON]` or `checkpoint [--output FILE]`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="recompute every hash; non-zero exit naming the first bad entry")
        verify.add_argument("--checkpoint", help="a checkpoint file or JSON from `kefu audit checkpoint`")
        checkpoint = sub.add_parser("checkpoint", help="print the head (count + hash) to keep outside the database")
        checkpoint.add_argument("--output", help="also append it to this file (one JSON line per checkpoint)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            head = audit.checkpoint()
            line = head.to_json()
            self.stdout.write(line)
            if options["output"]:
                with Path(options["output"]).open("a", encoding="utf-8") as out:
                    out.write(line + "\n")
            return
        against = None
        if options["checkpoint"]:
            source = options["checkpoint"]
            path = Path(source)
            text = path.read_text(encoding="utf-8").strip().splitlines()[-1] if path.exists() else source
            try:
                against = audit.Checkpoint.from_json(text)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        verdict = audit.verify(against=against)
        if not verdict.ok:
            raise CommandError(verdict.describe(), returncode=1)
        self.stdout.write(verdict.describe())
        self.stdout.write(json.dumps({"count": verdict.count, "hash": verdict.head}))
