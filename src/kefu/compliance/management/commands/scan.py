"""`kefu scan [FILE] [--policy FILE] [--unit CODE]`: judge chat messages given as JSON lines.

The scanner's own command line (`scanner.cli.main`) does the work and defines the format; this command
gives it the group's EFFECTIVE policy from the database (HQ's locked lexicon, the word lists branches
extended, the official hotlines) unless `--policy FILE` names one. `--unit CODE` uses that unit's
effective policy instead of the group's. Before `kefu migrate` there is no database to read: the group's
policy is then the catalogue's defaults, and stderr says so.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from kefu.compliance.effective import build_policy, catalogue_policy
from kefu.compliance.scanner import cli
from kefu.core.errors import NotFound
from kefu.org.models import OrgUnit
from kefu.org.selectors import group_unit


class Command(BaseCommand):
    help = "Judge chat messages (JSON lines, one per line) with the compliance scanner and the effective policy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="JSON lines to scan (default: standard input)")
        parser.add_argument(
            "--policy", help="a JSON scanner policy file (default: the effective policy from the database)"
        )
        parser.add_argument("--unit", help="judge with this unit's effective policy (unit code; default: the group)")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [options["file"]] if options.get("file") else []
        temporary = None
        if options.get("policy"):
            argv += ["--policy", options["policy"]]
        else:
            try:
                policy = build_policy(unit=self._unit(options.get("unit")))
            except OrgUnit.DoesNotExist as exc:
                raise CommandError(f"kefu scan: no unit with code {options['unit']!r}", returncode=2) from exc
            except DatabaseError as exc:
                if options.get("unit"):
                    raise CommandError(
                        f"kefu scan: cannot read the policy from the database ({exc}); run `kefu migrate`",
                        returncode=2,
                    ) from exc
                # No database yet (a fresh checkout): a group that has set nothing has the catalogue's policy.
                self.stderr.write(
                    f"kefu scan: no policy in the database ({exc}); using the built-in policy (run `kefu migrate`)"
                )
                policy = catalogue_policy()
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
                json.dump(policy.to_dict(), handle, ensure_ascii=False)
                temporary = handle.name
            argv += ["--policy", temporary]
        try:
            status = self._run(argv)
        finally:
            if temporary:
                os.unlink(temporary)
        if status:
            raise SystemExit(status)

    @staticmethod
    def _unit(code: str | None) -> OrgUnit:
        if code:
            return OrgUnit.objects.get(code=code)
        try:
            return group_unit()
        except NotFound:
            return OrgUnit(path="/")  # no organisation yet: the catalogue's defaults are the group's policy

    def _run(self, argv: list[str]) -> int:
        out = getattr(self.stdout, "_out", sys.stdout)
        if out is sys.stdout or out is sys.__stdout__:
            return cli.main(argv)
        # call_command(stdout=...): the scanner writes bytes to sys.stdout.buffer; hand them over as text
        buffer = io.BytesIO()
        wrapper = io.TextIOWrapper(buffer, encoding="utf-8")
        with contextlib.redirect_stdout(wrapper):
            status = cli.main(argv)
        wrapper.flush()
        out.write(buffer.getvalue().decode("utf-8"))
        return status
