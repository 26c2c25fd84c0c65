"""The django-ninja API: every app's router under /api/v1, one set of error handlers.

Browsers use the session (with CSRF on writes); integrations send ``Authorization: Bearer kefu_…``.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from kefu.core import services as core_services
from kefu.core.api import router as core_router
from kefu.core.append_only import AppendOnlyViolation
from kefu.core.errors import ApplicationError, Conflict, Forbidden, NotFound


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = core_services.api_token_authenticate(plain=token)
        if user is not None:
            request.user = user  # type: ignore[assignment]
        return user


api = NinjaAPI(
    title="kefu API",
    version="1",
    urls_namespace="api",
    # Bearer first: an integration without a CSRF cookie must not be refused by the session check.
    auth=[BearerToken(), django_auth],
    docs_url="/docs",
)


def _error(request: HttpRequest, exc: ApplicationError, status: int) -> HttpResponse:
    return api.create_response(request, {"message": exc.message, "extra": exc.extra}, status=status)


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    # Never confirm that a record outside the actor's scope exists: no extra details.
    return api.create_response(request, {"message": exc.message, "extra": {}}, status=404)


@api.exception_handler(Forbidden)
def _forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
    return _error(request, exc, 403)


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return _error(request, exc, 409)


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return _error(request, exc, 400)


@api.exception_handler(AppendOnlyViolation)
def _append_only(request: HttpRequest, exc: AppendOnlyViolation) -> HttpResponse:
    return api.create_response(request, {"message": str(exc), "extra": {}}, status=409)


api.add_router("/", core_router)
for _config in apps.get_app_configs():
    # Each domain app with an `api.router` is mounted under its label, in ladder order.
    if _config.name.startswith("kefu.") and _config.label != "core":
        try:
            _module = importlib.import_module(f"{_config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{_config.name}.api":
                raise
            continue
        api.add_router(f"/{_config.label}", _module.router)
