from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kefu.core import scopes, selectors
from kefu.core.charts import PLOTLY_VERSION
from kefu.core.navigation import sections_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_sections": sections_for(user),
        "nav_roles": scopes.describe(user),
        # Counted only when a template shows the badge (htmx fragments don't), and at most once a render.
        "nav_unread": SimpleLazyObject(lambda: selectors.unread_count(actor=user)),
    }


def plotly(request: HttpRequest) -> dict[str, Any]:
    # For core/_plotly.html: the version busts the cache of the long-cached library.
    return {"plotly_version": PLOTLY_VERSION}
