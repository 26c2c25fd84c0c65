"""What the access-matrix test needs to know about each route, by construction.

Every path parameter and every write must be registered here; an unregistered one fails the test,
so a new route cannot slip past the matrix. Each entry turns (world, spot) into a value that points
at a record of that spot — a record outside the actor's scope when the spot is foreign to its role.

Apps add their own entries in ``tests/<app>/access_matrix.py`` (same names: PARAMS, WRITE_BODIES,
SELF_ONLY, SPOT_BUILDERS); they are merged below. A SPOT_BUILDER ``(world, spot) -> list[str]`` makes
the app's records for a spot when the world is built and returns marker strings that must never show
up in a list outside the spot's scope.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kefu.core import services as core_services
from kefu.core.models import Notification

ParamMaker = Callable[[Any, Any], Any]

# Path parameter name -> the spot's record it names.
PARAMS: dict[str, ParamMaker] = {
    "unit_id": lambda world, spot: spot.unit.id,
    "employee_id": lambda world, spot: spot.employee.id,
    "token_id": lambda world, spot: core_services.api_token_create(actor=spot.user, name="越界令牌")[0].id,
    # A notification belongs to its recipient alone (HQ included): the spot user's own notice.
    "notification_id": lambda world, spot: Notification.objects.get(title=f"越界通知-{spot.name}").id,
    # Not scope-bearing: any valid key; the unit in the same path carries the scope.
    "key": lambda world, spot: "channel.max_concurrent_chats",
}

# (METHOD, route) -> request body aimed at the spot, for writes whose body carries the scope.
WRITE_BODIES: dict[tuple[str, str], ParamMaker] = {
    ("POST", "/api/v1/org/employees"): lambda world, spot: {
        "employee_no": "Z9999",
        "name": "越权录入",
        "unit_id": spot.unit.id,
        "position_code": "agent",
        "hire_date": "2026-01-05",
        "base_salary": "4000.00",
    },
    ("PATCH", "/api/v1/org/employees/{employee_id}"): lambda world, spot: {
        "expected_version": spot.employee.version,
        "base_salary": "99999.00",
    },
    ("POST", "/api/v1/org/employees/{employee_id}/transfers"): lambda world, spot: {
        "to_unit_id": world.team_a1.id,
        "effective_date": "2026-11-01",
        "reason": "越权调动",
    },
    ("PUT", "/api/v1/policy/units/{unit_id}/values/{key}"): lambda world, spot: {
        "value": 9,
        "note": "越权修改",
    },
    ("POST", "/api/v1/policy/units/{unit_id}/values/{key}/clear"): lambda world, spot: {"note": "越权撤销"},
    ("POST", "/policy/units/<unit_id>/keys/<key>/"): lambda world, spot: {"value": "9", "note": "越权修改"},
    ("POST", "/policy/units/<unit_id>/keys/<key>/clear/"): lambda world, spot: {"note": "越权撤销"},
    ("DELETE", "/api/v1/tokens/{token_id}"): lambda world, spot: None,
    ("POST", "/api/v1/notifications/{notification_id}/read"): lambda world, spot: None,
    ("POST", "/notifications/<notification_id>/read/"): lambda world, spot: {},
}

# Writes that act only on the caller's own records, so no foreign record can be named.
SELF_ONLY: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/tokens"): "a token is always issued to the caller",
    ("POST", "/api/v1/notifications/read-all"): "marks the caller's own notifications only",
    ("POST", "/notifications/read-all/"): "marks the caller's own notifications only",
}

# Routes that are public or not record-bearing (checked elsewhere).
PUBLIC_PAGES = {"login", "logout", "set_language", "chat_short"}


def _notification(world: Any, spot: Any) -> list[str]:
    """A notice for the spot's user: only that user may ever see or mark it."""
    core_services.notify(recipients=[spot.user], kind="matrix", title=f"越界通知-{spot.name}", email=False)
    return [f"越界通知-{spot.name}"]


SPOT_BUILDERS: list[Callable[[Any, Any], list[str]]] = [_notification]


def _merge_app_registries() -> None:
    for module_path in sorted(Path(__file__).parent.glob("*/access_matrix.py")):
        module = importlib.import_module(f"tests.{module_path.parent.name}.access_matrix")
        PARAMS.update(getattr(module, "PARAMS", {}))
        WRITE_BODIES.update(getattr(module, "WRITE_BODIES", {}))
        SELF_ONLY.update(getattr(module, "SELF_ONLY", {}))
        PUBLIC_PAGES.update(getattr(module, "PUBLIC_PAGES", set()))
        SPOT_BUILDERS.extend(getattr(module, "SPOT_BUILDERS", []))


_merge_app_registries()
