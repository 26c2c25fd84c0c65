import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kefu.core import scopes, selectors, services
from kefu.core.models import ApiToken, AuditEntry, Notification
from kefu.core.schemas import (
    ApiTokenCreatedOut,
    ApiTokenIn,
    ApiTokenOut,
    AuditEntryOut,
    MeOut,
    NotificationFilter,
    NotificationOut,
    NotificationsReadAllOut,
)

router = Router(tags=["core"])


class AuditFilter(Schema):
    action: str = ""
    search: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    who = scopes.principal(request.user)
    return MeOut(
        id=scopes.user_id(request.user),
        username=request.user.get_username(),
        employee_id=who.employee_id,
        roles=sorted(who.roles()),
    )


@router.get("/audit/entries", response=list[AuditEntryOut])
@paginate
def audit_entries(request: HttpRequest, filters: Query[AuditFilter]) -> list[AuditEntry]:
    return selectors.audit_entry_list(actor=request.user, **filters.dict())  # type: ignore[return-value]


@router.get("/tokens", response=list[ApiTokenOut])
def token_list(request: HttpRequest) -> list[ApiToken]:
    return list(selectors.api_token_list(actor=request.user))


@router.post("/tokens", response={201: ApiTokenCreatedOut})
def token_create(request: HttpRequest, payload: ApiTokenIn) -> tuple[int, dict[str, object]]:
    token, plain = services.api_token_create(actor=request.user, name=payload.name)
    return 201, {**ApiTokenOut.from_orm(token).dict(), "token": plain}


@router.delete("/tokens/{token_id}", response=ApiTokenOut)
def token_revoke(request: HttpRequest, token_id: int) -> ApiToken:
    return services.api_token_revoke(actor=request.user, token_id=token_id)


@router.get("/notifications", response=list[NotificationOut])
@paginate
def notification_list(request: HttpRequest, filters: Query[NotificationFilter]) -> list[Notification]:
    """The caller's own notices from every app, newest first (`unread=true`: only the unread)."""
    return selectors.notification_list(actor=request.user, unread_only=filters.unread)  # type: ignore[return-value]


@router.post("/notifications/read-all", response=NotificationsReadAllOut)
def notifications_read_all(request: HttpRequest) -> dict[str, int]:
    return {"count": services.notifications_read_all(actor=request.user)}


@router.post("/notifications/{notification_id}/read", response=NotificationOut)
def notification_read(request: HttpRequest, notification_id: int) -> Notification:
    return services.notification_read(actor=request.user, notification_id=notification_id)
