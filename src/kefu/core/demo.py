"""The demo generator: deterministic, realistic data that every app extends with its own `demo.py`.

Each kefu app may have a module ``kefu.<app>.demo`` with ``build(ctx: DemoContext) -> None``; they run
in INSTALLED_APPS order, which follows the import ladder, so each step can use what the ones above made.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import transaction

DEMO_PASSWORD = "kefu-demo-2026"  # noqa: S105 - the published demo login, printed by `kefu demo`
SEED = 20261111


@dataclass
class DemoLogin:
    username: str
    role: str
    scope: str


@dataclass
class DemoContext:
    today: dt.date
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    objects: dict[str, Any] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)


def builders() -> list[Any]:
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("kefu.") and config.name != "kefu.core":
            try:
                found.append(importlib.import_module(f"{config.name}.demo"))
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
    return found


@transaction.atomic
def build(*, today: dt.date) -> DemoContext:
    """Run every app's demo step in one transaction: all of the demo or none of it."""
    ctx = DemoContext(today=today)
    for module in builders():
        module.build(ctx)
    return ctx
