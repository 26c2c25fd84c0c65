"""URLs: core pages here; each kefu app with a `urls` module is mounted under /<label>/ and each app
with an `api.router` under /api/v1/<label>, in INSTALLED_APPS (ladder) order."""

import importlib

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

from kefu.api import api
from kefu.core import views as core_views


def _app_urls() -> list[URLPattern | URLResolver]:
    mounted: list[URLPattern | URLResolver] = []
    for config in apps.get_app_configs():
        if config.name.startswith("kefu.") and config.label != "core":
            try:
                module = importlib.import_module(f"{config.name}.urls")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.urls":
                    raise
                continue
            mounted.append(path(f"{config.label}/", include(module)))
    return mounted


urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", core_views.audit_log, name="audit_log"),
    # One notification centre for every app (core.models.Notification) and the badge in the navigation.
    path("notifications/", core_views.notifications, name="notifications"),
    path("notifications/badge/", core_views.notifications_badge, name="notifications_badge"),
    path("notifications/read-all/", core_views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/read/", core_views.notification_read, name="notification_read"),
    # One copy of plotly's JS for every app's charts (core/_plotly.html).
    path("plotly.js", core_views.plotly_js, name="plotly"),
    # The customer chat's short address, as printed on receipts and shop pages.
    path("chat/", RedirectView.as_view(url="/channel/chat/", query_string=True), name="chat_short"),
    *_app_urls(),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
