from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    message: str
    extra: dict[str, Any] = {}


class MeOut(Schema):
    id: int
    username: str
    employee_id: int | None
    roles: list[str]


class AuditEntryOut(Schema):
    seq: int
    at: dt.datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    before: Any = None
    after: Any = None
    note: str
    request_id: str
    hash: str


class ApiTokenIn(Schema):
    name: str


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ApiTokenCreatedOut(ApiTokenOut):
    token: str


class NotificationOut(Schema):
    id: int
    app: str
    kind: str
    title: str
    body: str
    url: str
    subject: str
    created_at: dt.datetime
    emailed: bool
    read_at: dt.datetime | None


class NotificationFilter(Schema):
    unread: bool = False


class NotificationsReadAllOut(Schema):
    count: int
