"""Pages owned by core: login, home per role, audit log, the notification centre, and plotly's JS for every
chart page."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_http_methods

from kefu.core import scopes, selectors, services
from kefu.core.charts import PLOTLY_VERSION
from kefu.core.errors import Forbidden, NotFound
from kefu.core.forms import ThrottledLoginForm
from kefu.core.navigation import sections_for


def page(view: Callable[..., HttpResponse] | None = None, *, methods: tuple[str, ...] = ("GET", "HEAD")) -> Any:
    """Login required; only `methods` accepted (reading pages refuse POST with 405); a scope refusal
    is a plain 404 and a missing role a 403, as in the API."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @require_http_methods(list(methods))
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except Forbidden as exc:
                raise PermissionDenied(exc.message) from exc

        return wrapper

    return decorate(view) if view is not None else decorate


class LoginView(auth_views.LoginView):
    form_class = ThrottledLoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True


@page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"sections": sections_for(request.user)})


@page
def audit_log(request: HttpRequest) -> HttpResponse:
    if not scopes.has_any_role(request.user, selectors.AUDIT_READERS):
        raise Forbidden("只有人事和集团管理员可以查看审计日志")
    entries = selectors.audit_entry_list(
        actor=request.user, action=request.GET.get("action", ""), search=request.GET.get("q", "")
    )
    page_obj = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page_obj": page_obj, "q": request.GET.get("q", "")})


# --- the notification centre: every app's notices to this person, marked read here -------------------


def _notification_list(request: HttpRequest, *, unread_only: bool, page_number: Any = None) -> dict[str, Any]:
    items = selectors.notification_list(actor=request.user, unread_only=unread_only)
    return {"page_obj": Paginator(items, 50).get_page(page_number), "unread_only": unread_only}


@page
def notifications(request: HttpRequest) -> HttpResponse:
    context = _notification_list(
        request, unread_only=request.GET.get("unread") == "1", page_number=request.GET.get("page")
    )
    return render(request, "core/notifications.html", context)


@page
def notifications_badge(request: HttpRequest) -> HttpResponse:
    """The unread count in the navigation, polled by htmx (the number comes from the context processor)."""
    return render(request, "core/_notification_badge.html")


@page(methods=("POST",))
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read; "查看" (go=1) then opens what it is about. htmx swaps the row and the badge."""
    notification = services.notification_read(actor=request.user, notification_id=notification_id)
    if request.POST.get("go") and notification.safe_url:
        return redirect(notification.safe_url)
    if getattr(request, "htmx", False):
        return render(request, "core/_notification_row.html", {"n": notification, "oob_badge": True})
    return redirect("notifications")


@page(methods=("POST",))
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_read_all(actor=request.user)
    unread_only = request.POST.get("unread") == "1"
    if getattr(request, "htmx", False):
        context = {**_notification_list(request, unread_only=unread_only), "oob_badge": True}
        return render(request, "core/_notification_list.html", context)
    messages.success(request, _("已将 %(count)d 条通知标为已读") % {"count": count})
    return redirect(f"{reverse('notifications')}?unread=1" if unread_only else reverse("notifications"))


# --- plotly, served from the installed package (no CDN) -------------------------------------------------


@cache
def _plotly_source() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode()


@page
@condition(etag_func=lambda request: f'"plotly-{PLOTLY_VERSION}"')
def plotly_js(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_plotly_source(), content_type="application/javascript; charset=utf-8")
    # The URL carries the plotly version (?v=), so a year of caching is safe.
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
